"""Readers: bytes or a path in, :class:`~intygscheck.model.Certificate` out.

One module per format; :func:`read` detects the format from the bytes themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, UnsupportedFormatError
from ..model import Certificate
from .json_document import parse_json_object
from .limits import MAX_INPUT_BYTES


def read(source: str | Path | bytes, *, name: str | None = None) -> Certificate:
    """Read one certificate from a path or from bytes, whatever its format.

    Detects RIVTA ``RegisterCertificate`` XML (LISJP v1, FK7804 v2), the v2 prefill
    document, FHIR R4 JSON (``QuestionnaireResponse`` or ``Bundle``) and native JSON.
    Raises :class:`~intygscheck.errors.InputError` naming the source, position and reason.
    """
    data, label = load_bytes(source, name=name)
    return read_bytes(data, label)


def load_bytes(source: str | Path | bytes, *, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of ``source`` and a label for messages, enforcing the size limit."""
    if isinstance(source, bytes):
        data, label = source, name or "<bytes>"
    else:
        path = Path(source)
        label = name or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                raise InputError(label, f"file is {size} bytes, over the limit of {MAX_INPUT_BYTES}")
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(label, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(label, f"input is {len(data)} bytes, over the limit of {MAX_INPUT_BYTES}")
    return data, label


def detect_format(data: bytes) -> str:
    """``"xml"``, ``"json"`` or ``"unknown"`` from the first significant byte.

    Whether JSON is FHIR (it has a top-level ``resourceType``) or native is decided after the
    one parse :func:`read_bytes` makes.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return "xml"
    if head == b"{":
        return "json"
    return "unknown"


def read_bytes(data: bytes, label: str) -> Certificate:
    """Read bytes whose format is detected here (each document is parsed once)."""
    kind = detect_format(data)
    if kind == "xml":
        return _rivta_reader()(data, label)
    if kind == "json":
        return read_document(parse_json_object(data, label), label)
    raise UnsupportedFormatError(
        label,
        "inte ett intyg: väntade RIVTA-XML, FHIR-JSON eller intygschecks JSON "
        "[not a certificate: expected RIVTA XML, FHIR JSON or native JSON]",
    )


@cache
def _rivta_reader() -> Callable[[bytes, str], Certificate]:
    """The RIVTA reader, imported on first use (an import statement on every call costs µs)."""
    from .rivta import read_rivta

    return read_rivta


def read_document(document: dict[str, Any], label: str) -> Certificate:
    """Read a parsed JSON object: FHIR when it has a top-level ``resourceType``, else native."""
    if "resourceType" in document:
        from .fhir import read_fhir_document

        return read_fhir_document(document, label)
    from .native import read_native_document

    return read_native_document(document, label)


__all__ = ["detect_format", "load_bytes", "parse_json_object", "read", "read_bytes", "read_document"]
