"""Ruleset errors shown like a compiler: ``file:line:col: error: ...``, the line, a caret.

A :class:`RulesetError` carries one or more :class:`Diagnostic` s; loading reports every
problem of a file at once, in source order.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import IntygscheckError
from .ast import Pos


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place in a ruleset file."""

    file: str
    pos: Pos
    message: str
    source_line: str = ""

    def render(self) -> str:
        """``file:line:col: error: message`` then the source line and a caret under the span."""
        head = f"{self.file}:{self.pos.line}:{self.pos.column}: error: {self.message}"
        if not self.source_line or self.pos.line <= 0:
            return head
        line = self.source_line.rstrip("\n").expandtabs(1)
        start = max(self.pos.column - 1, 0)
        if self.pos.end_line == self.pos.line and self.pos.end_column > self.pos.column:
            width = self.pos.end_column - self.pos.column
        else:
            width = 1
        width = max(1, min(width, len(line) - start)) if start < len(line) else 1
        caret = " " * start + "^" + "~" * (width - 1)
        return f"{head}\n    {line}\n    {caret}"


class RulesetError(IntygscheckError):
    """A ruleset file that does not load. ``str()`` is the compiler-style listing."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=lambda d: (d.file, d.pos.line, d.pos.column)))
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(diagnostic.render() for diagnostic in self.diagnostics)


class DiagnosticSink:
    """Collects diagnostics for one source file; raises them all together."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.diagnostics: list[Diagnostic] = []

    def error(self, pos: Pos, message: str) -> None:
        """Record an error at ``pos``."""
        source_line = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else ""
        self.diagnostics.append(Diagnostic(self.file, pos, message, source_line))

    def raise_if_any(self) -> None:
        """Raise a :class:`RulesetError` when any error was recorded."""
        if self.diagnostics:
            raise RulesetError(self.diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
