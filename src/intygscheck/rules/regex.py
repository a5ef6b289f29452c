"""User regular expressions through RE2: linear-time matching, case-insensitive, checked at load.

A ruleset can never make matching take exponential time: RE2 has no backtracking, so a
pattern such as ``(a+)+$`` runs in time linear in the text. Constructs RE2 lacks
(back-references, look-around) are rejected when the ruleset loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2  # type: ignore[import-untyped]


class RegexError(ValueError):
    """A pattern RE2 does not accept; the message says why."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = False
    return options


_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


@dataclass(frozen=True)
class Regex:
    """A compiled RE2 pattern; ``search`` gives the ``[start, end)`` span of the first match."""

    pattern: str
    _compiled: Any = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        # The wrapper's search() maps byte offsets back to characters on every call; a yes/no
        # test needs no offsets, so ``test`` calls the RE2 object directly when it is there.
        low_level: Any = getattr(self._compiled, "_regexp", None)
        match = getattr(low_level, "Match", None) if _UNANCHORED is not None else None
        object.__setattr__(self, "_match", match)

    def test(self, text: str | None) -> bool:
        """True when the pattern matches somewhere in ``text`` (False for null)."""
        if text is None:
            return False
        match = self._match  # type: ignore[attr-defined]
        if match is None:
            return self._compiled.search(text) is not None
        encoded = text.encode("utf-8")
        return bool(match(_UNANCHORED, encoded, 0, len(encoded))[0][0] >= 0)

    @classmethod
    def compile(cls, pattern: str) -> Regex:
        """Compile ``pattern`` (RE2 syntax, case-insensitive); raises :class:`RegexError`."""
        try:
            compiled = re2.compile(pattern, _options())
        except re2.error as exc:
            reason = exc.args[0] if exc.args else "invalid pattern"
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise RegexError(str(reason)) from None
        return cls(pattern, compiled)

    def search(self, text: str | None) -> tuple[int, int] | None:
        """The span of the first match in ``text``; None for null text or no match."""
        if text is None:
            return None
        match = self._compiled.search(text)
        return None if match is None else (match.start(), match.end())
