"""The native JSON format: the model's own serialisation (``Certificate.model_dump_json``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Position
from ..model import Certificate
from .json_document import parse_json_object


def read_native(data: bytes, source: str) -> Certificate:
    """Parse native JSON into a certificate, with the JSON path of the first problem."""
    return read_native_document(parse_json_object(data, source), source)


def read_native_document(document: dict[str, Any], source: str) -> Certificate:
    """Validate an already parsed native JSON object into a certificate."""
    try:
        return Certificate.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(part) for part in error["loc"])
        raise InputError(source, error["msg"], Position(path=path or None)) from None


def write_native(certificate: Certificate, *, indent: int | None = 2) -> str:
    """Serialise a certificate to native JSON (no personal identity number is ever included)."""
    return certificate.model_dump_json(indent=indent, exclude_defaults=False)
