"""The native JSON format: the model's own serialisation (``Certificate.model_dump_json``)."""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import InputError, Position
from ..model import Certificate


def read_native(data: bytes, source: str) -> Certificate:
    """Parse native JSON into a certificate, with the JSON path of the first problem."""
    try:
        return Certificate.model_validate_json(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(part) for part in error["loc"])
        if error["type"] == "json_invalid":
            line, column = _json_position(data, error.get("ctx", {}).get("error", ""))
            raise InputError(source, f"invalid JSON: {error['msg']}", Position(line, column)) from None
        raise InputError(source, error["msg"], Position(path=path or None)) from None


def write_native(certificate: Certificate, *, indent: int | None = 2) -> str:
    """Serialise a certificate to native JSON (no personal identity number is ever included)."""
    return certificate.model_dump_json(indent=indent, exclude_defaults=False)


def _json_position(data: bytes, message: str) -> tuple[int | None, int | None]:
    """Line and column of a JSON syntax error, from pydantic's ``... at line L column C``."""
    import re

    match = re.search(r"line (\d+) column (\d+)", message)
    return (int(match[1]), int(match[2])) if match else (None, None)
