"""Message templates: ``"... {case.total_days} dagar ..."`` split into text and placeholders.

``{{`` and ``}}`` stand for literal braces. A placeholder holds one expression; it may only name
something the rule reads (checked by the loader). Values are formatted for a person.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from . import ast
from .ast import Pos


@dataclass(frozen=True)
class Placeholder:
    """``{expr}`` in a template: its source text and where it is in the file."""

    text: str
    pos: Pos


class TemplateSyntaxError(ValueError):
    """An unbalanced brace in a template; ``offset`` is where, in the decoded string."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def split(template: str) -> list[str | tuple[str, int]]:
    """Literal text and ``(placeholder text, offset)`` pairs, in order."""
    parts: list[str | tuple[str, int]] = []
    buffer: list[str] = []
    index = 0
    length = len(template)
    while index < length:
        char = template[index]
        if char == "{" and template.startswith("{{", index):
            buffer.append("{")
            index += 2
        elif char == "}" and template.startswith("}}", index):
            buffer.append("}")
            index += 2
        elif char == "{":
            end = template.find("}", index + 1)
            if end < 0:
                raise TemplateSyntaxError("unclosed '{' in message", index)
            if buffer:
                parts.append("".join(buffer))
                buffer = []
            inner = template[index + 1 : end]
            if not inner.strip():
                raise TemplateSyntaxError("empty placeholder '{}' in message", index)
            parts.append((inner, index + 1))
            index = end + 1
        elif char == "}":
            raise TemplateSyntaxError("unmatched '}' in message (write '}}' for a brace)", index)
        else:
            buffer.append(char)
            index += 1
    if buffer:
        parts.append("".join(buffer))
    return parts


def source_column(raw_token: str, decoded_offset: int) -> int:
    """The column offset within the raw string token of a decoded-string offset (escapes counted)."""
    decoded = 0
    position = 1  # after the opening quote
    while decoded < decoded_offset and position < len(raw_token) - 1:
        if raw_token[position] == "\\":
            position += 6 if raw_token[position + 1] == "u" else 2
        else:
            position += 1
        decoded += 1
    return position


@dataclass(frozen=True)
class Template:
    """A compiled message: literal parts and the closures of the placeholders."""

    source: str
    parts: tuple[str | tuple[str, Callable[[Any], Any]], ...]

    def render(self, env: Any, lang: str, values: dict[str, Any] | None = None) -> str:
        """The message with each placeholder's value formatted for ``lang``.

        ``values`` remembers each placeholder's value by its text: pass one dict to render the
        same rule in several languages (and read its evidence) evaluating each placeholder once.
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            key, read = part
            if values is None:
                value = read(env)
            elif key in values:
                value = values[key]
            else:
                value = values[key] = read(env)
            out.append(format_value(value, lang))
        return "".join(out)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The canonical texts of the placeholders."""
        return tuple(part[0] for part in self.parts if not isinstance(part, str))


def format_value(value: Any, lang: str = "sv") -> str:
    """A value as a person reads it: ``12``, ``2.5``, ``2024-03-01``, ``ja``, ``F43.8A, M54.5``."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return ("ja" if value else "nej") if lang == "sv" else ("yes" if value else "no")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(format_value(item, lang) for item in value)
    if isinstance(value, BaseModel):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(value)


def jsonable(value: Any) -> Any:
    """``value`` as JSON-native data (evidence): enums by value, dates ISO, models as dicts."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, Enum):
            return value.value
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ast.Duration):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, tuple | list | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return str(value)
