"""POST /check and /check/batch: each input format, content negotiation, sjukfall context, rulesets."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient

from intygscheck import check, load_ruleset
from intygscheck.ingest import read_bytes
from intygscheck.model import Grade, SickLeavePeriod
from intygscheck.service import warmup
from intygscheck.service.warmup import warm_up
from service_support import (
    ENVELOPE,
    FHIR,
    NATIVE,
    SERVICE_RULES,
    XML,
    fhir_bundle,
    fixture_fhir,
    fixture_xml,
    native,
    questionnaire_response,
    rules_fired,
    service,
    sparse_certificate,
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return service()


def test_native_json_gives_the_same_result_as_the_library(client: TestClient) -> None:
    cert = sparse_certificate()
    response = client.post("/check", content=native(cert), headers=NATIVE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    expected = check(cert, [load_ruleset(SERVICE_RULES)])
    assert response.json() == json.loads(expected.model_dump_json())
    assert rules_fired(response.json()) == ["S-17-KORT", "S-35-KORT"]


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", "application/xml; charset=utf-8"])
def test_rivta_xml_is_read_by_content_type(client: TestClient, content_type: str) -> None:
    xml = fixture_xml("ryggvark-1")
    response = client.post("/check", content=xml, headers={"content-type": content_type})
    assert response.status_code == 200
    assert response.json()["certificate_id"] == read_bytes(xml, "x").id
    assert response.json()["rulesets"] == [{"name": "servicetest", "version": "2.1.0"}]


def test_fhir_bundle_and_bare_questionnaire_response_are_read(client: TestClient) -> None:
    bundle = fhir_bundle(sparse_certificate())
    from_bundle = client.post("/check", content=json.dumps(bundle), headers=FHIR)
    response = questionnaire_response(bundle)
    for reference in ("subject", "author"):
        response.pop(reference)
    from_response = client.post("/check", content=json.dumps(response), headers=FHIR)
    assert from_bundle.status_code == from_response.status_code == 200
    assert rules_fired(from_bundle.json()) == rules_fired(from_response.json()) == ["S-17-KORT", "S-35-KORT"]


def test_fhir_sent_as_plain_json_is_accepted(client: TestClient) -> None:
    response = client.post("/check", content=json.dumps(fixture_fhir("ryggvark-2")), headers=NATIVE)
    assert response.status_code == 200


def test_accept_fhir_gives_an_operation_outcome_with_one_issue_per_finding(client: TestClient) -> None:
    response = client.post(
        "/check", content=native(sparse_certificate()), headers={**NATIVE, "accept": "application/fhir+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [issue["details"]["coding"][0]["code"] for issue in outcome["issue"]] == ["S-17-KORT", "S-35-KORT"]
    assert outcome["issue"][0]["severity"] == "warning"


def test_accept_language_english_gives_english_outcome_text(client: TestClient) -> None:
    headers = {**NATIVE, "accept": "application/fhir+json", "accept-language": "en-GB, sv;q=0.5"}
    outcome = client.post("/check", content=native(sparse_certificate()), headers=headers).json()
    assert outcome["issue"][0]["details"]["text"].startswith("The activity limitation has 2 words")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/fhir+json, application/json;q=0.5", "application/fhir+json"),
        ("application/json;q=0.2, application/fhir+json;q=0.9", "application/fhir+json"),
    ],
)
def test_accept_header_picks_the_preferred_answer(client: TestClient, accept: str, expected: str) -> None:
    response = client.post(
        "/check", content=native(sparse_certificate()), headers={**NATIVE, "accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == expected


def test_unacceptable_accept_is_406_with_json_error(client: TestClient) -> None:
    response = client.post(
        "/check", content=native(sparse_certificate()), headers={**NATIVE, "accept": "text/html"}
    )
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_envelope_context_makes_the_sjukfall(client: TestClient) -> None:
    alone = client.post("/check", content=fixture_xml("ryggvark-2"), headers=XML)
    envelope = {
        "certificate": fixture_xml("ryggvark-2").decode(),
        "context": [fixture_xml("ryggvark-1").decode()],
    }
    chained = client.post("/check", content=json.dumps(envelope), headers=ENVELOPE)
    assert alone.status_code == chained.status_code == 200
    assert "S-32-SJUKFALL" not in rules_fired(alone.json())
    finding = next(f for f in chained.json()["findings"] if f["rule"] == "S-32-SJUKFALL")
    assert finding["evidence"]["case.total_days"] > 14


def test_envelope_takes_native_and_fhir_objects(client: TestClient) -> None:
    first = sparse_certificate(
        id="intyg-0",
        periods=(SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2024, 2, 10), end=date(2024, 2, 29)),),
    )
    envelope = {"certificate": fhir_bundle(sparse_certificate()), "context": [json.loads(native(first))]}
    response = client.post("/check", content=json.dumps(envelope), headers=ENVELOPE)
    assert response.status_code == 200
    assert "S-32-SJUKFALL" in rules_fired(response.json())


def test_envelope_errors_name_the_item(client: TestClient) -> None:
    envelope = {"certificate": json.loads(native(sparse_certificate())), "context": ["<intyg>"]}
    response = client.post("/check", content=json.dumps(envelope), headers=ENVELOPE)
    assert response.status_code == 400
    assert response.json()["error"]["position"]["path"].startswith("context[0]")


def test_envelope_with_unknown_field_is_400(client: TestClient) -> None:
    response = client.post("/check", content=b'{"certificate": {}, "patient": 1}', headers=ENVELOPE)
    assert response.status_code == 400
    assert "patient" in response.json()["error"]["message"]


def test_batch_answers_each_item_in_order_and_keeps_going_past_bad_ones(client: TestClient) -> None:
    items = [
        json.loads(native(sparse_certificate(id="a"))),
        "<not-closed>",
        fixture_xml("ryggvark-1").decode(),
        {"certificate": fixture_xml("ryggvark-2").decode(), "context": [fixture_xml("ryggvark-1").decode()]},
        42,
    ]
    response = client.post("/check/batch", content=json.dumps({"items": items}), headers=NATIVE)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [entry["index"] for entry in results] == [0, 1, 2, 3, 4]
    assert results[0]["result"]["certificate_id"] == "a"
    assert results[1]["error"]["code"] == "invalid_input"
    assert results[1]["error"]["position"]["path"].startswith("items[1]")
    assert "result" in results[2]
    assert "S-32-SJUKFALL" in [f["rule"] for f in results[3]["result"]["findings"]]
    assert results[4]["error"]["code"] == "invalid_input"


def test_batch_accepts_a_bare_list(client: TestClient) -> None:
    body = json.dumps([json.loads(native(sparse_certificate()))])
    response = client.post("/check/batch", content=body, headers=NATIVE)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_batch_over_the_item_limit_is_413() -> None:
    client = service(max_batch_items=2)
    body = json.dumps({"items": [json.loads(native(sparse_certificate()))] * 3})
    response = client.post("/check/batch", content=body, headers=NATIVE)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_items"


def test_rulesets_lists_names_versions_and_rule_catalogue(client: TestClient) -> None:
    catalogue = client.get("/rulesets").json()
    ours = next(r for r in catalogue["rulesets"] if r["name"] == "servicetest")
    assert ours["version"] == "2.1.0" and ours["default"] is True
    rule = next(r for r in ours["rules"] if r["id"] == "S-32-SJUKFALL")
    assert rule == {
        "id": "S-32-SJUKFALL",
        "title": "Sjukfallet är längre än två veckor",
        "severity": "warning",
        "category": "fmb",
        "questions": ["32", "37"],
        "references": [],
        "ruleset": "servicetest",
        "version": "2.1.0",
    }


def test_health_reports_ok_and_the_default_rulesets(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["rulesets"] == ["servicetest 2.1.0"]


def test_openapi_describes_every_endpoint_and_body_type(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {
        "/check",
        "/check/batch",
        "/rulesets",
        "/health",
        "/cds-services",
        "/cds-services/{service_id}",
    } <= set(document["paths"])
    body_types = set(document["paths"]["/check"]["post"]["requestBody"]["content"])
    assert body_types == {
        "application/xml",
        "text/xml",
        "application/fhir+json",
        "application/json",
        "application/vnd.intygscheck.check+json",
    }
    schemas = document["components"]["schemas"]
    assert {"Certificate", "Result", "CheckEnvelope", "CheckBatch", "ErrorBody", "CdsHookRequest"} <= set(
        schemas
    )
    assert "findings" in schemas["Result"]["properties"]
    parameter = next(p for p in document["paths"]["/check"]["post"]["parameters"] if p["name"] == "rulesets")
    assert "servicetest" in parameter["schema"]["items"]["enum"]  # only compiled names, paths are off


def test_query_names_a_ruleset_the_service_compiled(client: TestClient) -> None:
    response = client.post(
        "/check?rulesets=servicetest", content=native(sparse_certificate()), headers=NATIVE
    )
    assert response.status_code == 200
    assert response.json()["rulesets"] == [{"name": "servicetest", "version": "2.1.0"}]


def test_unknown_ruleset_name_is_400_listing_the_available_ones(client: TestClient) -> None:
    response = client.post("/check?rulesets=nonesuch", content=native(sparse_certificate()), headers=NATIVE)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_ruleset"
    assert "servicetest" in error["message"]


@pytest.mark.parametrize("reference", [str(SERVICE_RULES), "../tests/rulesets/basic.rules", "x/y"])
def test_ruleset_paths_are_refused_unless_enabled(client: TestClient, reference: str) -> None:
    response = client.post(
        "/check", params={"rulesets": reference}, content=native(sparse_certificate()), headers=NATIVE
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ruleset_path_not_allowed"
    envelope = {"certificate": json.loads(native(sparse_certificate())), "rulesets": [reference]}
    assert client.post("/check", content=json.dumps(envelope), headers=ENVELOPE).status_code == 403


def test_ruleset_paths_work_when_enabled() -> None:
    client = service(allow_ruleset_paths=True)
    basic = SERVICE_RULES.parent / "basic.rules"
    response = client.post(
        "/check", params={"rulesets": str(basic)}, content=native(sparse_certificate()), headers=NATIVE
    )
    assert response.status_code == 200
    assert response.json()["rulesets"] == [{"name": "basic", "version": "1.2.0"}]
    missing = client.post(
        "/check", params={"rulesets": "/no/such.rules"}, content=native(sparse_certificate()), headers=NATIVE
    )
    assert missing.status_code == 400


def test_warm_up_runs_reader_check_and_renderer_without_error(caplog: pytest.LogCaptureFixture) -> None:
    warm_up([load_ruleset(SERVICE_RULES)])
    assert "warm-up failed" not in caplog.text


def test_a_failing_warm_up_is_logged_not_fatal(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("x")

    monkeypatch.setattr(warmup, "check", broken)
    client = service()
    assert "warm-up failed with RuntimeError" in caplog.text
    assert client.get("/health").status_code == 200


def test_check_answers_the_same_through_the_direct_dispatch_and_fastapis_routing() -> None:
    """``POST /check`` skips the framework's layers; the answers must not depend on that."""
    client = service()
    broken = fixture_xml("ryggvark-1").replace(b"</ns2:intyg>", b"</ns2:intyyg>")
    requests = [
        (fixture_xml("ryggvark-2"), XML, ""),
        (fixture_xml("ryggvark-2"), {**XML, "accept": "application/fhir+json"}, ""),
        (native(sparse_certificate()), {**NATIVE, "accept-language": "en"}, ""),
        (native(sparse_certificate()), NATIVE, "?rulesets=nonexistent"),
        (broken, XML, ""),
        (b"plain text", {"content-type": "text/plain"}, ""),
        (native(sparse_certificate()), {**NATIVE, "accept": "image/png"}, ""),
    ]

    def answers() -> list[tuple[int, str, bytes]]:
        out = []
        for body, headers, query in requests:
            response = client.post(f"/check{query}", content=body, headers=headers)
            out.append((response.status_code, response.headers["content-type"], response.content))
        return out

    app = client.app
    direct = answers()
    endpoint, app.check_endpoint = app.check_endpoint, None  # type: ignore[attr-defined]
    try:
        routed = answers()
    finally:
        app.check_endpoint = endpoint  # type: ignore[attr-defined]
    assert [status for status, _, _ in direct] == [200, 200, 200, 400, 400, 415, 406]
    assert direct == routed
