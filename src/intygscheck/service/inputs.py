"""Request bodies in, certificates out: the service's only contact with the readers.

Every certificate goes through the library's readers (:func:`intygscheck.ingest.read_bytes`
for XML, :func:`~intygscheck.ingest.read_document` for a JSON object parsed once); this
module only checks that the bytes are what the request's ``Content-Type`` says, unpacks the
JSON envelopes (sjukfall context, batches) and turns every reader failure into a 400 that
names the item, the position and the reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import InputError, Position
from ..ingest import detect_format, parse_json_object, read_bytes, read_document
from ..model import Certificate
from .errors import ServiceError, input_error
from .media import BodyKind

log = logging.getLogger("intygscheck.service")
_T = TypeVar("_T")

BODY = "body"
"""The label of a whole request body in error positions."""


@dataclass(frozen=True)
class CheckRequest:
    """One certificate to check, the earlier certificates of its sjukfall, and ruleset names."""

    certificate: Certificate
    context: tuple[Certificate, ...] = ()
    rulesets: tuple[str, ...] | None = None


def read_certificate(data: bytes, kind: BodyKind, label: str = BODY) -> Certificate:
    """Read a body declared as XML, FHIR or native JSON; a body of another shape is a 400."""
    detected = detect_format(data)
    if kind is BodyKind.XML:
        if detected != "xml":
            raise _bad(label, "Innehållet är inte XML.", "The body is not XML.")
        return _reading(label, read_bytes, data, label)
    if detected != "json":
        raise _bad(label, "Innehållet är inte ett JSON-objekt.", "The body is not a JSON object.")
    document = _reading(label, parse_json_object, data, label)
    if kind is BodyKind.FHIR and "resourceType" not in document:
        raise _bad(
            label,
            "Innehållet är inte en FHIR-resurs (resourceType saknas).",
            "The body is not a FHIR resource (no resourceType).",
        )
    return _reading(label, read_document, document, label)


def read_envelope(data: bytes, max_context: int) -> CheckRequest:
    """Read ``{"certificate": ..., "context": [...], "rulesets": [...]}``."""
    document = parse_json(data)
    if not isinstance(document, dict):
        raise _bad(BODY, "Förväntade ett JSON-objekt.", "Expected a JSON object.")
    return _envelope(document, BODY, max_context)


def read_batch(
    data: bytes, max_items: int, max_context: int
) -> tuple[list[CheckRequest | ServiceError], Any]:
    """Read ``{"items": [...], "rulesets": [...]}`` (or a bare list of items).

    Returns one entry per item — a request, or the error that item has — so one bad item
    does not spoil the batch, and the batch's ``rulesets`` value (unvalidated).
    """
    document = parse_json(data)
    rulesets: Any = None
    if isinstance(document, dict):
        unknown = set(document) - {"items", "rulesets"}
        if unknown:
            raise _bad(
                BODY,
                f"Okända fält: {', '.join(sorted(unknown))}.",
                f"Unknown fields: {', '.join(sorted(unknown))}.",
            )
        items, rulesets = document.get("items"), document.get("rulesets")
    else:
        items = document
    if not isinstance(items, list):
        raise _bad(BODY, "items ska vara en lista.", "items must be a list.", path="items")
    if len(items) > max_items:
        raise ServiceError(
            413,
            "too_many_items",
            f"{len(items)} intyg i en batch, högst {max_items} tillåts.",
            f"{len(items)} certificates in one batch, at most {max_items} are allowed.",
        )
    entries: list[CheckRequest | ServiceError] = []
    for index, item in enumerate(items):
        label = f"items[{index}]"
        try:
            if isinstance(item, dict) and "certificate" in item:
                request = _envelope(item, label, max_context)
            else:
                request = CheckRequest(read_item(item, label))
            entries.append(request)
        except ServiceError as exc:
            entries.append(exc)
    return entries, rulesets


def parse_json(data: bytes) -> Any:
    """Parse a JSON body, or a 400 with the line and column of the syntax error."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ServiceError(
            400,
            "invalid_json",
            f"Ogiltig JSON: {exc.msg}.",
            f"Invalid JSON: {exc.msg}.",
            Position(exc.lineno, exc.colno),
        ) from None
    except UnicodeDecodeError:
        raise _bad(BODY, "Innehållet är inte UTF-8.", "The body is not UTF-8.") from None
    except RecursionError:
        raise _bad(BODY, "JSON-innehållet är för djupt nästlat.", "The JSON is nested too deeply.") from None


def ruleset_names(value: Any, label: str) -> tuple[str, ...] | None:
    """A ``rulesets`` value from a JSON body: null, or a list of strings."""
    if value is None:
        return None
    if isinstance(value, list) and value and all(isinstance(name, str) and name for name in value):
        return tuple(value)
    raise _bad(
        label,
        "rulesets ska vara en lista med namn.",
        "rulesets must be a non-empty list of names.",
        path="rulesets",
    )


def _envelope(document: dict[str, Any], label: str, max_context: int) -> CheckRequest:
    """One ``{"certificate", "context", "rulesets"}`` object."""
    unknown = set(document) - {"certificate", "context", "rulesets"}
    if unknown:
        raise _bad(
            label,
            f"Okända fält: {', '.join(sorted(unknown))}.",
            f"Unknown fields: {', '.join(sorted(unknown))}.",
        )
    if "certificate" not in document:
        raise _bad(
            label, "Fältet certificate saknas.", "The field certificate is missing.", path="certificate"
        )
    context = document.get("context") or []
    if not isinstance(context, list):
        raise _bad(label, "context ska vara en lista.", "context must be a list.", path="context")
    if len(context) > max_context:
        raise ServiceError(
            413,
            "too_many_items",
            f"{len(context)} tidigare intyg i context, högst {max_context} tillåts.",
            f"{len(context)} earlier certificates in context, at most {max_context} are allowed.",
        )
    prefix = "" if label == BODY else f"{label}."
    return CheckRequest(
        certificate=read_item(document["certificate"], f"{prefix}certificate"),
        context=tuple(read_item(item, f"{prefix}context[{n}]") for n, item in enumerate(context)),
        rulesets=ruleset_names(document.get("rulesets"), label),
    )


def read_item(value: Any, label: str) -> Certificate:
    """A certificate inside a JSON document: a native or FHIR object, or RIVTA XML as a string."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        if detect_format(data) != "xml":
            raise _bad(label, "En sträng ska innehålla RIVTA-XML.", "A string must hold RIVTA XML.")
        return _reading(label, read_bytes, data, label)
    if isinstance(value, dict):
        return _reading(label, read_document, value, label)
    raise _bad(
        label,
        "Förväntade ett intyg (JSON-objekt) eller RIVTA-XML som sträng.",
        "Expected a certificate (a JSON object) or RIVTA XML as a string.",
    )


def _reading(label: str, reader: Callable[..., _T], *args: Any) -> _T:
    """Call a library reader; any failure, typed or not, is the client's input error (400)."""
    try:
        return reader(*args)
    except InputError as exc:
        raise _located(input_error(exc), label) from None
    except RecursionError:
        raise _bad(label, "Innehållet är för djupt nästlat.", "The input is nested too deeply.") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError) as exc:
        # A reader that fails untyped is a reader bug, but the input is still unreadable:
        # answer 400 and log the failure's type (never its message, which may quote input).
        log.warning("reader failed untyped with %s on %s", type(exc).__name__, label)
        raise _bad(label, "Intyget kunde inte läsas.", "The certificate could not be read.") from None


def _located(error: ServiceError, label: str) -> ServiceError:
    """``error`` with ``label`` (the item it concerns) in front of its position path."""
    if label == BODY:
        return error
    old = error.position or Position()
    path = f"{label}: {old.path}" if old.path else label
    error.position = Position(old.line, old.column, path)
    return error


def _bad(label: str, sv: str, en: str, *, path: str | None = None) -> ServiceError:
    """A 400 ``invalid_input`` about ``label``."""
    where = path if label == BODY else (f"{label}.{path}" if path else label)
    return ServiceError(400, "invalid_input", sv, en, Position(path=where) if where else None)


__all__ = [
    "BODY",
    "CheckRequest",
    "parse_json",
    "read_batch",
    "read_certificate",
    "read_envelope",
    "read_item",
    "ruleset_names",
]
