"""Helpers for the HTTP service tests: an app over a small test ruleset, certificates in each format."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from intygscheck.ingest.fhir_writer import fhir_document
from intygscheck.model import ActivityLimitation, Certificate, FunctionalImpairment, make_personal_id
from intygscheck.service.app import create_app
from intygscheck.service.settings import ServiceSettings
from rules_support import certificate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "certificates"
SHARED = REPO.parent / "shared"
SERVICE_RULES = REPO / "tests" / "rulesets" / "service.rules"

XML = {"content-type": "application/xml"}
NATIVE = {"content-type": "application/json"}
FHIR = {"content-type": "application/fhir+json"}
ENVELOPE = {"content-type": "application/vnd.intygscheck.check+json"}

MADE_UP_PERSONAL_ID = make_personal_id(date(1984, 7, 23), 456)
"""A made-up personnummer with a valid check digit (never a real person's)."""


def service(**settings: Any) -> TestClient:
    """A client of a service whose default ruleset is ``tests/rulesets/service.rules``."""
    settings.setdefault("rulesets", (str(SERVICE_RULES),))
    return TestClient(create_app(ServiceSettings(**settings)))


def fixture_xml(name: str) -> bytes:
    """A project fixture certificate as RIVTA XML."""
    return (FIXTURES / "xml" / f"{name}.xml").read_bytes()


def fixture_fhir(name: str) -> dict[str, Any]:
    """A project fixture certificate as a FHIR Bundle."""
    document: dict[str, Any] = json.loads((FIXTURES / "fhir" / f"{name}.json").read_text(encoding="utf-8"))
    return document


def questionnaire_response(bundle: dict[str, Any]) -> dict[str, Any]:
    """The QuestionnaireResponse inside a certificate Bundle."""
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "QuestionnaireResponse":
            resource: dict[str, Any] = entry["resource"]
            return resource
    raise AssertionError("bundle without QuestionnaireResponse")


def sparse_certificate(**overrides: Any) -> Certificate:
    """A made-up certificate with two-word texts under 17 and 35 (fires S-17-KORT and S-35-KORT)."""
    values: dict[str, Any] = {
        "activity_limitation": ActivityLimitation(text="Orkar inte."),
        "functional_impairment": FunctionalImpairment(text="Trött, ledsen."),
    }
    values.update(overrides)
    return certificate(**values)


def native(cert: Certificate) -> bytes:
    """``cert`` as native JSON bytes."""
    return cert.model_dump_json().encode()


def fhir_bundle(cert: Certificate) -> dict[str, Any]:
    """``cert`` as a FHIR Bundle (the library's own writer)."""
    return fhir_document(cert, bundle=True)


def with_personal_id(xml: bytes, personal_id: str) -> bytes:
    """RIVTA XML with its patient's person-id replaced by ``personal_id``."""
    start = xml.index(b"<ns3:extension>", xml.index(b"<person-id>")) + len(b"<ns3:extension>")
    end = xml.index(b"</ns3:extension>", start)
    return xml[:start] + personal_id.encode() + xml[end:]


def rules_fired(body: dict[str, Any]) -> list[str]:
    """The rule ids of a JSON result, in order."""
    return [finding["rule"] for finding in body["findings"]]
