"""The rulesets a running service may use: all compiled once at start-up.

Requests name rulesets; by default only *shipped* rulesets, by name (they are compiled
before the service listens, so a request never compiles anything). A request may name a
ruleset file by path only when the operator started the service with
``--allow-ruleset-paths``; such files are compiled on first use and cached by the loader
(keyed by path and modification time). Rulesets are never uploaded in a request body.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ..engine import default_ruleset_names
from ..rules import Ruleset, RulesetError, load_ruleset, shipped_names
from ..rules.loader import resolve
from .catalogue import Catalogue, RuleInfo, RulesetInfo
from .errors import ServiceError

log = logging.getLogger("intygscheck.service")


def looks_like_path(reference: str) -> bool:
    """True for a file reference (``.rules`` suffix or a path separator) rather than a name."""
    return reference.endswith(".rules") or "/" in reference or "\\" in reference


class RulesetRegistry:
    """Compiled rulesets by name, the default selection, and the published catalogue."""

    def __init__(self, defaults: Iterable[str], *, allow_paths: bool) -> None:
        """Compile every shipped ruleset and the defaults (names or paths chosen by the operator).

        Raises :class:`~intygscheck.rules.RulesetError` when one does not compile, so a
        broken ruleset stops the service from starting instead of failing requests.
        """
        self.allow_paths = allow_paths
        self._by_name: dict[str, Ruleset] = {}
        chosen = tuple(defaults) or default_ruleset_names()
        self.unavailable: dict[str, str] = {}
        for name in shipped_names():
            try:
                self._add(name, load_ruleset(name))
            except RulesetError as exc:
                if name in chosen:
                    raise
                # A broken optional ruleset must not stop the service; it stays unusable.
                self.unavailable[name] = str(exc)
                log.error("shipped ruleset %s does not compile and is unavailable:\n%s", name, exc)
        self.default: tuple[Ruleset, ...] = tuple(
            self._by_name.get(ref) or load_ruleset(ref) for ref in chosen
        )
        for ruleset in self.default:
            self._add(ruleset.name, ruleset)
        self.catalogue = Catalogue(rulesets=tuple(self._info(r) for r in self._distinct()))

    def validate(self, names: Iterable[str] | None) -> None:
        """Refuse (403/400) names a request may not use, before its body is read."""
        for name in names or ():
            if name in self._by_name:
                continue
            if looks_like_path(name):
                if not self.allow_paths:
                    raise ServiceError(
                        403,
                        "ruleset_path_not_allowed",
                        "Regeluppsättningar väljs med namn; sökvägar är avstängda i den här tjänsten.",
                        "Rulesets can only be chosen by name; file paths are disabled on this service.",
                    )
                continue
            available = ", ".join(sorted(self._by_name))
            raise ServiceError(
                400,
                "unknown_ruleset",
                f"Okänd regeluppsättning {name!r}; tillgängliga: {available}.",
                f"Unknown ruleset {name!r}; available: {available}.",
            )

    def names(self) -> list[str]:
        """The names a request may use (every compiled ruleset), sorted."""
        return sorted(self._by_name)

    def resolve(self, names: Iterable[str] | None) -> tuple[Ruleset, ...]:
        """The compiled rulesets for ``names`` (the defaults when none are named)."""
        if not names:
            return self.default
        names = tuple(names)
        self.validate(names)
        return tuple(self._by_name.get(name) or self._load_path(name) for name in names)

    def _load_path(self, reference: str) -> Ruleset:
        """A ruleset file named by a request (only reached with paths allowed)."""
        if resolve(reference, None) is None:
            raise ServiceError(
                400,
                "unknown_ruleset",
                f"Regelfilen {reference!r} finns inte.",
                f"No ruleset file {reference!r}.",
            )
        try:
            return load_ruleset(reference)
        except RulesetError as exc:
            raise ServiceError(
                400,
                "invalid_ruleset",
                f"Regelfilen kan inte läsas: {exc}",
                f"The ruleset does not load: {exc}",
            ) from None

    def _add(self, name: str, ruleset: Ruleset) -> None:
        self._by_name.setdefault(name, ruleset)
        self._by_name.setdefault(ruleset.name, ruleset)

    def _distinct(self) -> list[Ruleset]:
        seen: dict[int, Ruleset] = {}
        for ruleset in (*self.default, *self._by_name.values()):
            seen.setdefault(id(ruleset), ruleset)
        return list(seen.values())

    def _info(self, ruleset: Ruleset) -> RulesetInfo:
        return RulesetInfo(
            name=ruleset.name,
            version=ruleset.version,
            description=ruleset.description or None,
            default=any(ruleset is chosen for chosen in self.default),
            rules=tuple(
                RuleInfo(
                    id=rule.id,
                    title=rule.title,
                    severity=rule.severity.value,
                    category=rule.category.value,
                    questions=rule.questions,
                    references=rule.references,
                    ruleset=rule.ruleset,
                    version=ruleset.version,
                )
                for rule in ruleset.rules
            ),
        )


__all__ = ["RulesetRegistry", "looks_like_path"]
