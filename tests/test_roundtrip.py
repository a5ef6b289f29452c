"""Round trips: model → native JSON → model and model → FHIR → model give the same certificate."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

import intygscheck
from intygscheck.ingest import detect_format
from intygscheck.ingest.fhir import read_fhir
from intygscheck.ingest.fhir_writer import write_fhir
from intygscheck.ingest.native import read_native, write_native
from intygscheck.model import Certificate
from strategies import certificates

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(left: Certificate, right: Certificate) -> bool:
    """Equal as models and in their JSON form (which also tells naive from aware times)."""
    return left == right and left.model_dump(mode="json") == right.model_dump(mode="json")


@_SETTINGS
@given(certificates())
def test_native_json_round_trip_is_identity(certificate: Certificate) -> None:
    text = write_native(certificate)
    assert _same(read_native(text.encode(), "native.json"), certificate)


@_SETTINGS
@given(certificates())
def test_fhir_bundle_round_trip_is_identity(certificate: Certificate) -> None:
    text = write_fhir(certificate, bundle=True)
    assert _same(read_fhir(text.encode(), "bundle.json"), certificate)


@_SETTINGS
@given(certificates())
def test_fhir_questionnaire_response_alone_round_trip_is_identity(certificate: Certificate) -> None:
    text = write_fhir(certificate, bundle=False)
    document = json.loads(text)
    assert document["resourceType"] == "QuestionnaireResponse"
    assert _same(read_fhir(text.encode(), "qr.json"), certificate)


@_SETTINGS
@given(certificates())
def test_read_detects_each_format(certificate: Certificate) -> None:
    native = write_native(certificate).encode()
    bundle = write_fhir(certificate).encode()
    alone = write_fhir(certificate, bundle=False).encode()
    assert (detect_format(native), detect_format(bundle), detect_format(alone)) == ("json", "json", "json")
    for data in (native, bundle, alone):
        assert _same(intygscheck.read(data), certificate)
