"""CDS Hooks 2.0: discovery, and cards (one per FK question) for a draft certificate."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intygscheck.model import ActivityLimitation, Diagnosis, FunctionalImpairment
from intygscheck.service.cds_hooks import _summary
from intygscheck.service.settings import DEFAULT_CDS_HOOK
from service_support import fhir_bundle, fixture_fhir, questionnaire_response, service, sparse_certificate

SERVICE = "/cds-services/intygscheck-fk7804"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return service()


def hook_call(draft: Any, **extra: Any) -> dict[str, Any]:
    """A CDS Hooks request for our hook with ``draft`` as context.draftCertificate."""
    return {
        "hook": DEFAULT_CDS_HOOK,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/1", "patientId": "1", "draftCertificate": draft},
        **extra,
    }


def post(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post(SERVICE, content=json.dumps(body), headers={"content-type": "application/json"})


def test_discovery_lists_one_service_with_hook_and_prefetch(client: TestClient) -> None:
    services = client.get("/cds-services").json()["services"]
    assert len(services) == 1
    entry = services[0]
    assert entry["id"] == "intygscheck-fk7804"
    assert entry["hook"] == DEFAULT_CDS_HOOK == "se.intygscheck.fk7804-sign"
    assert entry["title"] and entry["description"]
    assert "{{context.patientId}}" in entry["prefetch"]["previousCertificates"]
    assert entry["prefetch"]["previousCertificates"].startswith("QuestionnaireResponse?")


def test_one_card_per_question_most_severe_first(client: TestClient) -> None:
    draft = fhir_bundle(sparse_certificate(activity_limitation=ActivityLimitation(text="   ")))
    response = post(client, hook_call(draft))
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert [card["source"]["topic"]["code"] for card in cards] == ["S-17-SAKNAS", "S-35-KORT"]
    first, second = cards
    assert first["indicator"] == "critical"
    assert second["indicator"] == "info"
    assert first["summary"] == "Fråga 17 (aktivitetsbegränsning): Aktivitetsbegränsning saknas (+1 till)"
    assert "`S-17-SAKNAS` (FK-fråga 17.1)" in first["detail"]
    assert "`S-17-KORT` (FK-fråga 17)" in first["detail"]
    assert "Källa: FK: Läkarintyg för sjukpenning, fråga 17" in first["detail"]
    assert first["source"]["label"] == "intygscheck: servicetest 2.1.0"
    assert first["source"]["url"] == "https://www.forsakringskassan.se/lakarintyg-for-sjukpenning"
    assert "url" not in second["source"]


def test_cards_follow_the_cds_hooks_shape(client: TestClient) -> None:
    cards = post(client, hook_call(fhir_bundle(sparse_certificate()))).json()["cards"]
    assert cards
    for card in cards:
        assert set(card) == {"uuid", "summary", "indicator", "detail", "source"}
        assert len(card["summary"]) < 140
        assert card["indicator"] in {"info", "warning", "critical"}
        assert card["source"]["label"]
        assert card["source"]["topic"]["system"] == "urn:intygscheck:rule"
        uuid.UUID(card["uuid"])
    assert len({card["uuid"] for card in cards}) == len(cards)


def test_long_titles_are_cut_to_a_summary_under_140_characters() -> None:
    summary = _summary("17", "mycket " * 40, 3)
    assert len(summary) < 140
    assert summary.endswith("… (+2 till)")


def test_prefetched_earlier_certificates_make_the_sjukfall(client: TestClient) -> None:
    draft = fixture_fhir("ryggvark-2")
    alone = post(client, hook_call(draft)).json()["cards"]
    previous = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": fixture_fhir("ryggvark-1")}],
    }
    chained = post(client, hook_call(draft, prefetch={"previousCertificates": previous})).json()["cards"]
    assert "S-32-SJUKFALL" not in [card["source"]["topic"]["code"] for card in alone]
    card = next(card for card in chained if card["source"]["topic"]["code"] == "S-32-SJUKFALL")
    assert card["summary"].startswith("Fråga 32 (nedsättning av arbetsförmåga)")
    assert card["indicator"] == "warning"


def test_prefetched_searchset_with_included_resources_makes_the_sjukfall(client: TestClient) -> None:
    earlier = fixture_fhir("ryggvark-1")["entry"]
    matches = [{**entry, "search": {"mode": "match"}} for entry in earlier[:1]]
    includes = [{**entry, "search": {"mode": "include"}} for entry in earlier[1:]]
    previous = {"resourceType": "Bundle", "type": "searchset", "entry": [*matches, *includes]}
    assert earlier[0]["resource"]["resourceType"] == "QuestionnaireResponse"
    cards = post(client, hook_call(fixture_fhir("ryggvark-2"), prefetch={"previousCertificates": previous}))
    assert "S-32-SJUKFALL" in [card["source"]["topic"]["code"] for card in cards.json()["cards"]]


def test_bare_draft_resolves_its_subject_to_the_prefetched_patient(client: TestClient) -> None:
    bundle = fhir_bundle(sparse_certificate())
    draft = questionnaire_response(bundle)
    draft.pop("author")
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    draft["subject"] = {"reference": f"Patient/{patient['id']}"}
    assert post(client, hook_call(draft)).status_code == 400  # the subject does not resolve alone
    response = post(client, hook_call(draft, prefetch={"patient": patient}))
    assert response.status_code == 200
    assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["S-17-KORT", "S-35-KORT"]


def test_unreadable_earlier_certificates_are_left_out_not_fatal(client: TestClient) -> None:
    previous = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": {"resourceType": "QuestionnaireResponse", "item": "x"}},
            {"resource": {"x": 1}},
            5,
        ],
    }
    response = post(
        client, hook_call(fixture_fhir("ryggvark-2"), prefetch={"previousCertificates": previous})
    )
    assert response.status_code == 200


def test_draft_in_prefetch_or_draft_orders_is_found(client: TestClient) -> None:
    draft = fhir_bundle(sparse_certificate())
    in_prefetch = {**hook_call(None), "prefetch": {"draftCertificate": draft}}
    in_orders = {**hook_call(None), "hook": "order-sign", "context": {"draftOrders": draft}}
    for body in (in_prefetch, in_orders):
        response = post(client, body)
        assert response.status_code == 200
        assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["S-17-KORT", "S-35-KORT"]


def test_no_findings_gives_no_cards(client: TestClient) -> None:
    draft = fhir_bundle(
        sparse_certificate(
            activity_limitation=ActivityLimitation(
                text="Kan inte lyfta patienter eller stå längre än tio minuter."
            ),
            functional_impairment=FunctionalImpairment(
                text="Nedsatt rörlighet i ländryggen, smärta vid flexion och vid rotation åt höger."
            ),
            diagnoses=(Diagnosis(code="M545", code_system="1.2.752.116.1.1.1", text="Lumbago"),),
        )
    )
    assert post(client, hook_call(draft)).json() == {"cards": []}


def test_missing_draft_is_412(client: TestClient) -> None:
    response = post(client, hook_call(None))
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"


@pytest.mark.parametrize(
    "body",
    [{}, {"hook": "x", "context": {}}, {"hook": "x", "hookInstance": "y", "context": []}, [1]],
)
def test_malformed_hook_request_is_400(client: TestClient, body: Any) -> None:
    response = client.post(SERVICE, content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_unreadable_draft_is_400_naming_where_it_was(client: TestClient) -> None:
    response = post(client, hook_call({"resourceType": "QuestionnaireResponse", "item": "x"}))
    assert response.status_code == 400
    assert response.json()["error"]["position"]["path"].startswith("context.draftCertificate")


def test_unknown_service_id_is_404(client: TestClient) -> None:
    response = client.post("/cds-services/other", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
