"""No personnummer in the service's logs, whatever a request carries and however it fails."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from fastapi.testclient import TestClient

from intygscheck.ingest import read_bytes
from intygscheck.ingest.fhir_writer import fhir_document
from intygscheck.service import app as app_module
from intygscheck.service.log_redaction import REDACTED, PersonalIdRedactor, redact
from service_support import (
    ENVELOPE,
    FHIR,
    MADE_UP_PERSONAL_ID,
    NATIVE,
    XML,
    fixture_xml,
    service,
    with_personal_id,
)

SHORT_FORM = f"{MADE_UP_PERSONAL_ID[2:8]}-{MADE_UP_PERSONAL_ID[8:]}"
DASHED = f"{MADE_UP_PERSONAL_ID[:8]}-{MADE_UP_PERSONAL_ID[8:]}"
FORMS = (MADE_UP_PERSONAL_ID, SHORT_FORM, DASHED, MADE_UP_PERSONAL_ID[2:])
CLIENT_SIDE = ("httpx", "httpcore", "httpx2", "httpcore2")
"""Loggers of the test's own HTTP client (it logs the URL it requests); not the service's logs."""


def service_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the service logged: messages, arguments and tracebacks, formatted."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(r) for r in caplog.records if not r.name.startswith(CLIENT_SIDE)]
    return "\n".join(lines)


def assert_no_personal_id(text: str) -> None:
    for form in FORMS:
        assert form not in text


def test_no_personnummer_in_logs_for_any_kind_of_request(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    client = service(allow_ruleset_paths=False)
    xml = with_personal_id(fixture_xml("ryggvark-1"), MADE_UP_PERSONAL_ID)
    assert read_bytes(xml, "x").patient is not None  # the reader accepts the made-up number
    fhir = json.dumps(fhir_document(read_bytes(xml, "x"))).encode()
    requests: list[tuple[str, bytes, dict[str, str]]] = [
        ("/check", xml, XML),
        (f"/check?patient={MADE_UP_PERSONAL_ID}", xml, {**XML, "x-patient": DASHED}),
        ("/check", xml.replace(b"</ns2:intyg>", f"<{SHORT_FORM}/>".encode()), XML),
        ("/check", f"<a>{DASHED}</b>".encode(), XML),
        ("/check", with_personal_id(xml, "19840799-0000"), XML),
        ("/check", fhir, FHIR),
        ("/check", f'{{"id": "{MADE_UP_PERSONAL_ID}", "x": 1}}'.encode(), NATIVE),
        ("/check", json.dumps({"certificate": xml.decode(), "context": [DASHED]}).encode(), ENVELOPE),
        (f"/check?rulesets={MADE_UP_PERSONAL_ID}", xml, XML),
        (f"/check?rulesets=/{MADE_UP_PERSONAL_ID}.rules", xml, XML),
        ("/check/batch", json.dumps([xml.decode(), MADE_UP_PERSONAL_ID]).encode(), NATIVE),
        (f"/cds-services/{MADE_UP_PERSONAL_ID}", b"{}", NATIVE),
        ("/cds-services/intygscheck-fk7804", json.dumps({"hook": DASHED}).encode(), NATIVE),
        ("/check", xml * 100, XML),
    ]
    statuses = [
        client.post(url, content=body, headers=headers).status_code for url, body, headers in requests
    ]
    assert 200 in statuses and 400 in statuses  # both the happy and the failing paths ran

    def failing_check(*args: object, **kwargs: object) -> object:
        raise RuntimeError(f"engine bug while checking {DASHED}")

    monkeypatch.setattr(app_module, "check", failing_check)
    failing = TestClient(client.app, raise_server_exceptions=False)
    assert failing.post("/check", content=xml, headers=XML).status_code == 500
    logged = service_log(caplog)
    assert "internal error RuntimeError" in logged  # the service did log the failure...
    assert_no_personal_id(logged)  # ...without the number


def test_redactor_rewrites_message_arguments_and_traceback() -> None:
    logger = logging.getLogger("intygscheck.test-redaction")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(PersonalIdRedactor())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.warning("patient %s on %s", DASHED, f"/check?p={MADE_UP_PERSONAL_ID}")
        try:
            raise ValueError(f"bad {SHORT_FORM}")
        except ValueError:
            logger.exception("failed for %s", MADE_UP_PERSONAL_ID[2:])
        logger.info({"id": MADE_UP_PERSONAL_ID})
    finally:
        logger.removeHandler(handler)
    formatter = logging.Formatter("%(message)s")
    text = "\n".join(formatter.format(record) for record in records)
    assert_no_personal_id(text)
    assert text.count(REDACTED) >= 5


def test_uvicorn_access_record_keeps_its_argument_shape() -> None:
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/check?patient={DASHED}", "1.1", 200),
        None,
    )
    PersonalIdRedactor().filter(record)
    line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s', use_colors=False).format(
        record
    )
    assert line == f'127.0.0.1:5000 "POST /check?patient={REDACTED} HTTP/1.1" 200 OK'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19121212-1212", REDACTED),
        ("191212121212", REDACTED),
        ("121212-1212", REDACTED),
        ("121212+1212", REDACTED),
        ("1212121212", REDACTED),
        ("2026-11-30 12:00:01", "2026-11-30 12:00:01"),
        ("took 1234 ms, 200 OK", "took 1234 ms, 200 OK"),
        ("id 1234567890123", "id 1234567890123"),
    ],
)
def test_redact_catches_personnummer_shapes_only(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_service_loggers_redact_even_without_our_handlers() -> None:
    service()
    for name in ("intygscheck", "uvicorn.error", "uvicorn.access"):
        assert any(isinstance(f, PersonalIdRedactor) for f in logging.getLogger(name).filters)
    assert sys.modules["intygscheck.service.log_redaction"] is not None
