"""Bad input gets a clear 4xx with a JSON error body, never a 500; size and time limits hold."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from intygscheck import load_ruleset
from intygscheck.engine import CheckTimeout, RuleEvaluationError
from intygscheck.service import app as app_module
from service_support import (
    ENVELOPE,
    FHIR,
    MADE_UP_PERSONAL_ID,
    NATIVE,
    SERVICE_RULES,
    XML,
    fixture_xml,
    native,
    service,
    sparse_certificate,
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE RegisterCertificate [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<RegisterCertificate>&xxe;</RegisterCertificate>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""


@pytest.fixture(scope="module")
def client() -> TestClient:
    return service(max_body_bytes=64 * 1024)


def assert_error(response: object, status: int, code: str) -> dict[str, object]:
    """The response has ``status`` and a JSON error body with ``code``, a message and a position key."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    error: dict[str, object] = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert "position" in error
    return error


def test_malformed_xml_is_400_with_line_and_column(client: TestClient) -> None:
    broken = fixture_xml("ryggvark-1").replace(b"</ns2:intyg>", b"</ns2:intyyg>")
    error = assert_error(client.post("/check", content=broken, headers=XML), 400, "invalid_input")
    position = error["position"]
    assert isinstance(position, dict) and position["line"] is not None and position["line"] > 1


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_and_entities_are_refused(client: TestClient, document: bytes) -> None:
    error = assert_error(client.post("/check", content=document, headers=XML), 400, "invalid_input")
    assert "DOCTYPE" in str(error["message"])
    assert "root:" not in str(error["message"])


def test_xxe_inside_an_envelope_string_is_refused(client: TestClient) -> None:
    body = json.dumps({"certificate": XXE.decode()})
    assert_error(client.post("/check", content=body, headers=ENVELOPE), 400, "invalid_input")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/fhir+xml", ""]
)
def test_unknown_content_type_is_415(client: TestClient, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    error = assert_error(
        client.post("/check", content=b"<a/>", headers=headers), 415, "unsupported_media_type"
    )
    assert "application/xml" in str(error["message"])


def test_batch_and_cds_accept_only_json(client: TestClient) -> None:
    assert_error(client.post("/check/batch", content=b"<a/>", headers=XML), 415, "unsupported_media_type")
    assert_error(
        client.post("/cds-services/intygscheck-fk7804", content=b"<a/>", headers=XML),
        415,
        "unsupported_media_type",
    )


def test_oversize_body_is_413_before_reading_it(client: TestClient) -> None:
    body = b"<a>" + b"x" * (64 * 1024) + b"</a>"
    error = assert_error(client.post("/check", content=body, headers=XML), 413, "payload_too_large")
    assert "65536" in str(error["message"])


def test_oversize_chunked_body_without_length_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    assert_error(client.post("/check", content=chunks(), headers=XML), 413, "payload_too_large")


def test_a_body_in_several_chunks_is_read_whole(client: TestClient) -> None:
    xml = fixture_xml("ryggvark-1")

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(xml), 1000):
            yield xml[start : start + 1000]

    chunked = client.post("/check", content=chunks(), headers=XML)
    whole = client.post("/check", content=xml, headers=XML)
    assert chunked.status_code == whole.status_code == 200
    assert chunked.json() == whole.json()


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"{", NATIVE),
        (b'{"id": }', NATIVE),
        (b"[1, 2]", NATIVE),
        (b"null", NATIVE),
        (b"<intyg/>", NATIVE),
        (b"{}", FHIR),
        (b'{"resourceType": "Patient"}', FHIR),
        (b"{", ENVELOPE),
        (b"[]", ENVELOPE),
        (b'{"context": []}', ENVELOPE),
        (b'{"certificate": 5}', ENVELOPE),
        (b'{"certificate": "not xml"}', ENVELOPE),
        (b'{"certificate": {}, "context": {}}', ENVELOPE),
        (b'{"certificate": {}, "rulesets": "komplettering"}', ENVELOPE),
    ],
)
def test_bad_json_is_400_with_a_json_error(client: TestClient, body: bytes, headers: dict[str, str]) -> None:
    response = client.post("/check", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] in {"invalid_input", "invalid_json"}


def test_json_syntax_error_names_line_and_column(client: TestClient) -> None:
    error = assert_error(
        client.post("/check", content=b'{\n  "certificate": ,\n}', headers=ENVELOPE), 400, "invalid_json"
    )
    assert error["position"] == {"line": 2, "column": 18, "path": None}


def test_invalid_query_parameter_is_422_in_the_same_shape(client: TestClient) -> None:
    response = client.get("/cds-services/x")
    assert_error(response, 405, "method_not_allowed")
    assert_error(client.get("/no/such/path"), 404, "not_found")


def test_english_error_messages_on_request(client: TestClient) -> None:
    response = client.post(
        "/check", content=b"x", headers={"content-type": "text/plain", "accept-language": "en"}
    )
    assert str(assert_error(response, 415, "unsupported_media_type")["message"]).startswith("Content type")


GARBAGE_BODIES: list[bytes] = [
    b"",
    b"\x00\xff\xfe\x00",
    b"\xef\xbb\xbf",
    b"<",
    b"<?xml version='1.0'?>",
    b"<a><b></a>",
    b"<RegisterCertificate xmlns='urn:riv:clinicalprocess:healthcond:certificate:"
    b"RegisterCertificateResponder:3'/>",
    b"<" * 5000,
    b"<a>" * 3000,
    b"[" * 20000,
    b'{"a":' * 20000,
    b'{"resourceType": "Bundle", "entry": ' + b"[" * 20000,
    b'{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "QuestionnaireResponse"}}]}',
    b'{"resourceType": "QuestionnaireResponse", "item": [{"linkId": "17", "answer": [{"valueString": 5}]}]}',
    b'{"resourceType": "QuestionnaireResponse", "item": "x"}',
    b'{"resourceType": 7}',
    b'{"id": "x", "periods": [{"grade": 100, "start": "2024-13-01", "end": "x"}]}',
    b'{"id": "   "}',
    b'{"id": "x", "diagnoses": [{"code": null}]}',
    b'{"certificate": {"id": "x"}, "context": [{"id": "y", "signed_at": "yesterday"}]}',
    b'{"certificate": "<a>&#0;</a>"}',
    b'{"certificate": "\\ud800"}',
    b'{"id": "x", "activity_limitation": {"text": "a\\ud800b"}}',
    b'{"items": [' + b"1," * 100 + b"1]}",
    b'{"hook": "x", "hookInstance": "y", "context": {"draftCertificate": "<a/>"}}',
    b'{"hook": "x", "hookInstance": "", "context": []}',
    "<intyg>åäö\u2028</intyg>".encode(),
    '{"id": "\u0000"}'.encode(),
    b"1e999999",
    b'"' + b"\\" * 1000 + b'"',
]
ACCEPTED_TYPES = {
    "/check": [
        "application/xml",
        "text/xml",
        "application/fhir+json",
        "application/json; charset=latin-1",
        "application/vnd.intygscheck.check+json",
    ],
    "/check/batch": ["application/json"],
    "/cds-services/intygscheck-fk7804": ["application/json"],
    "/check?rulesets=,,,": ["application/xml"],
}
OTHER_TYPES = ["multipart/form-data; boundary=x", "application/octet-stream", "*/*", "application", ";;;"]


def test_garbage_never_causes_a_server_error(client: TestClient) -> None:
    """Garbage bodies under every accepted content type (and odd types) are answered below 500."""
    cases = [
        (endpoint, content_type, body)
        for endpoint, types in ACCEPTED_TYPES.items()
        for content_type in types
        for body in GARBAGE_BODIES
    ]
    cases += [
        (endpoint, content_type, GARBAGE_BODIES[1])
        for endpoint in ACCEPTED_TYPES
        for content_type in OTHER_TYPES
    ]
    for endpoint, content_type, body in cases:
        response = client.post(endpoint, content=body, headers={"content-type": content_type})
        assert response.status_code < 500, (endpoint, content_type, body[:60], response.text)
        assert response.status_code == 200 or "error" in response.json()


def test_garbage_headers_never_cause_a_server_error(client: TestClient) -> None:
    body = native(sparse_certificate())
    for headers in (
        {"accept": ";q=x,,*/*;q=abc"},
        {"accept": "application/json;q=2"},
        {"accept-language": "sv;q=x, en;q=NaN"},
        {"content-length": "abc"},
        {"content-length": "-1"},
    ):
        response = client.post("/check", content=body, headers={**NATIVE, **headers})
        assert response.status_code < 500, (headers, response.text)


def test_check_over_the_time_limit_is_504_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    real_check = app_module.check
    rules_run: list[int] = []

    def late_check(*args: object, **kwargs: object) -> object:
        time.sleep(0.15)  # the check starts when only part of its 100 ms is left ...
        try:
            return real_check(*args, **kwargs)  # type: ignore[arg-type]
        except CheckTimeout as exc:  # ... and the engine stops it at the deadline, between rules
            rules_run.append(exc.rules_done)
            raise

    monkeypatch.setattr(app_module, "check", late_check)
    client = service(timeout_ms=100)
    error = assert_error(
        client.post("/check", content=native(sparse_certificate()), headers=NATIVE), 504, "timeout"
    )
    assert "100 ms" in str(error["message"])
    assert rules_run == [0]  # nothing keeps running after the answer
    assert client.get("/health").json()["worker"]["in_flight"] == 0


def test_a_batch_past_its_time_limit_is_504(monkeypatch: pytest.MonkeyPatch) -> None:
    real_check = app_module.check

    def slow_check(*args: object, **kwargs: object) -> object:
        time.sleep(0.06)
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "check", slow_check)
    client = service(timeout_ms=100)
    items = [json.loads(native(sparse_certificate())) for _ in range(5)]
    assert_error(client.post("/check/batch", json={"items": items}), 504, "timeout")


def test_requests_over_the_in_flight_limit_are_503_at_once() -> None:
    """With one request admitted and waiting for its body, the next is refused without waiting."""
    app = service(max_in_flight=1).app
    body = native(sparse_certificate())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/check",
        "raw_path": b"/check",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def call(receive: object) -> list[dict[str, object]]:
        sent: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    async def scenario() -> tuple[list[dict[str, object]], list[dict[str, object]], float]:
        body_arrives = asyncio.Event()

        async def slow_receive() -> dict[str, object]:
            await body_arrives.wait()
            return {"type": "http.request", "body": body, "more_body": False}

        async def quick_receive() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        first = asyncio.ensure_future(call(slow_receive))
        while app.state.limits.in_flight == 0:
            await asyncio.sleep(0.001)
        started = time.monotonic()
        second = await call(quick_receive)
        waited = time.monotonic() - started
        body_arrives.set()
        return await first, second, waited

    first, second, waited = asyncio.run(scenario())
    assert first[0]["status"] == 200
    assert second[0]["status"] == 503
    assert (b"retry-after", b"1") in second[0]["headers"]  # type: ignore[operator]
    assert json.loads(second[1]["body"])["error"]["code"] == "busy"  # type: ignore[arg-type]
    assert waited < 0.5


def test_unexpected_failure_is_a_500_in_the_json_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_check(*args: object, **kwargs: object) -> object:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(app_module, "check", broken_check)
    client = TestClient(service().app, raise_server_exceptions=False)
    started = time.perf_counter()
    response = client.post("/check", content=native(sparse_certificate()), headers=NATIVE)
    assert time.perf_counter() - started < 5
    assert_error(response, 500, "internal_error")
    assert "engine bug" not in response.text


def test_a_rule_that_fails_at_run_time_is_a_500_naming_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = load_ruleset(SERVICE_RULES).rule("S-17-KORT")

    def failing_rule(*args: object, **kwargs: object) -> object:
        try:
            raise TypeError(f"cannot compare {MADE_UP_PERSONAL_ID}")
        except TypeError as cause:
            raise RuleEvaluationError(rule, "TypeError") from cause

    monkeypatch.setattr(app_module, "check", failing_rule)
    response = service().post("/check", content=native(sparse_certificate()), headers=NATIVE)
    error = assert_error(response, 500, "rule_failed")
    assert "S-17-KORT" in str(error["message"])
