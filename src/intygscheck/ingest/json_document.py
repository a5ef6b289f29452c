"""Parse a JSON document once, for every JSON reader, with errors that name the place.

Uses pydantic-core's JSON parser: fast, and it refuses absurd nesting with an error instead
of exhausting the stack.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import from_json

from ..errors import InputError, Position

_AT = re.compile(r"\s*at line (\d+) column (\d+)$")


def parse_json_object(data: bytes, source: str) -> dict[str, Any]:
    """The top-level JSON object of ``data``; raises :class:`InputError` with line and column."""
    try:
        document = from_json(data)
    except ValueError as exc:
        message = str(exc)
        match = _AT.search(message)
        reason = message[: match.start()] if match else message
        position = Position(int(match[1]), int(match[2])) if match else None
        raise InputError(source, f"ogiltig JSON [invalid JSON]: {reason}", position) from None
    if not isinstance(document, dict):
        raise InputError(
            source, "JSON-dokumentet måste vara ett objekt [the JSON document must be an object]"
        )
    return document
