"""Content negotiation: which reader a request body goes to, which renderer the answer comes from.

Kept apart from the endpoints so the rules are in one place and testable without HTTP.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import ServiceError, quality


class BodyKind(StrEnum):
    """What a ``POST /check`` body is, by its ``Content-Type``."""

    XML = "xml"  # RIVTA RegisterCertificate XML
    FHIR = "fhir"  # FHIR R4 JSON: QuestionnaireResponse or Bundle
    JSON = "json"  # native JSON (a FHIR resource sent as plain JSON is accepted too)
    ENVELOPE = "envelope"  # {"certificate": ..., "context": [...], "rulesets": [...]}


ENVELOPE_TYPE = "application/vnd.intygscheck.check+json"
"""The content type of a check request that carries its sjukfall context with it."""

FHIR_JSON = "application/fhir+json"
JSON = "application/json"

BODY_TYPES: dict[str, BodyKind] = {
    "application/xml": BodyKind.XML,
    "text/xml": BodyKind.XML,
    FHIR_JSON: BodyKind.FHIR,
    JSON: BodyKind.JSON,
    ENVELOPE_TYPE: BodyKind.ENVELOPE,
}

RESULT_TYPES = (JSON, FHIR_JSON)
"""What ``POST /check`` can answer with, the default first."""


def media_type(header: str | None) -> str:
    """The bare, lower-case media type of a ``Content-Type`` header (parameters dropped)."""
    return (header or "").split(";", 1)[0].strip().lower()


def body_kind(content_type: str | None, accepted: dict[str, BodyKind] = BODY_TYPES) -> BodyKind:
    """The kind of body a request declares, or a 415 listing what is accepted."""
    kind = accepted.get(media_type(content_type))
    if kind is None:
        shown = media_type(content_type) or "(ingen / none)"
        supported = ", ".join(accepted)
        raise ServiceError(
            415,
            "unsupported_media_type",
            f"Innehållstypen {shown} stöds inte; använd en av: {supported}.",
            f"Content type {shown} is not supported; use one of: {supported}.",
        )
    return kind


def negotiate(accept: str | None, offered: tuple[str, ...] = RESULT_TYPES) -> str:
    """The offered media type the ``Accept`` header prefers most, or a 406.

    Follows RFC 9110: the most specific matching range gives an offer its quality; ``q=0``
    refuses it; ties go to the earlier offer. No header means the first offer.
    """
    if accept is None or not accept.strip():
        return offered[0]
    ranges: list[tuple[str, float]] = []
    for element in accept.split(","):
        kind, _, params = element.strip().partition(";")
        kind = kind.strip().lower()
        if kind:
            ranges.append((kind, quality(params)))
    best, best_q = None, 0.0
    for offer in offered:
        q = _offer_quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        supported = ", ".join(offered)
        raise ServiceError(
            406,
            "not_acceptable",
            f"Kan bara svara med: {supported}.",
            f"Can only answer with: {supported}.",
        )
    return best


def _offer_quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range matching ``offer`` (0 when none does)."""
    main = offer.split("/", 1)[0]
    best_specificity, found = -1, 0.0
    for kind, q in ranges:
        if kind == offer:
            specificity = 2
        elif kind == f"{main}/*":
            specificity = 1
        elif kind == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, found = specificity, q
    return found


__all__ = [
    "BODY_TYPES",
    "ENVELOPE_TYPE",
    "FHIR_JSON",
    "JSON",
    "RESULT_TYPES",
    "BodyKind",
    "body_kind",
    "media_type",
    "negotiate",
]
