"""Typed errors for bad input: each names the source, the position and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """Where in a source something is: a line and column, an XPath-like path, or a row."""

    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.path:
            text = f"{text} ({self.path})" if text else self.path
        return text


class IntygscheckError(Exception):
    """Base class of every error intygscheck raises on purpose."""


class InputError(IntygscheckError):
    """A certificate or data file that cannot be read. ``str()`` is one line for a person."""

    def __init__(self, source: str, reason: str, position: Position | None = None) -> None:
        self.source = source
        self.reason = reason
        self.position = position or Position()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.position)
        return f"{self.source}:{where}: {self.reason}" if where else f"{self.source}: {self.reason}"


class UnsupportedFormatError(InputError):
    """Bytes that are none of the formats intygscheck reads."""
