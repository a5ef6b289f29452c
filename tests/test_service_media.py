"""Content negotiation rules, without HTTP: Content-Type → reader, Accept → renderer, language."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from intygscheck.service.errors import ServiceError, preferred_language
from intygscheck.service.media import BodyKind, body_kind, negotiate


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("application/xml", BodyKind.XML),
        ("Text/XML; charset=UTF-8", BodyKind.XML),
        ("application/fhir+json;fhirVersion=4.0", BodyKind.FHIR),
        ("application/json", BodyKind.JSON),
        ("application/vnd.intygscheck.check+json", BodyKind.ENVELOPE),
    ],
)
def test_content_type_picks_the_reader(header: str, kind: BodyKind) -> None:
    assert body_kind(header) is kind


@pytest.mark.parametrize("header", [None, "", "application/fhir+xml", "text/plain", "xml"])
def test_other_content_types_are_415(header: str | None) -> None:
    with pytest.raises(ServiceError) as caught:
        body_kind(header)
    assert caught.value.status == 415


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/fhir+json", "application/fhir+json"),
        ("application/fhir+json;q=0.5, application/json;q=0.4", "application/fhir+json"),
        ("application/*;q=0.3, application/fhir+json;q=0.9", "application/fhir+json"),
        ("application/fhir+json;q=0, */*", "application/json"),
        ("text/html, */*;q=0.1", "application/json"),
    ],
)
def test_accept_picks_the_most_preferred_offer(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize(
    "accept", ["text/html", "application/json;q=0, application/fhir+json;q=0", "*/*;q=0"]
)
def test_nothing_acceptable_is_406(accept: str) -> None:
    with pytest.raises(ServiceError) as caught:
        negotiate(accept)
    assert caught.value.status == 406


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "sv"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("sv-SE, en;q=0.8", "sv"),
        ("de, en;q=0.1", "en"),
        ("fi", "sv"),
    ],
)
def test_language_follows_accept_language(header: str | None, lang: str) -> None:
    headers = [(b"accept-language", header.encode())] if header is not None else []
    assert preferred_language(Request({"type": "http", "headers": headers})) == lang
