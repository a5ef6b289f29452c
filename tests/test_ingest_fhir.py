"""Reading FHIR R4: a hand-written Bundle, the pseudonymous patient, and one-line errors."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import intygscheck
from intygscheck.errors import InputError
from intygscheck.ingest.fhir import read_fhir
from intygscheck.ingest.fhir_mapping import EXT_EXACT_TEXT
from intygscheck.ingest.fhir_writer import write_fhir
from intygscheck.model import (
    BasisKind,
    Certificate,
    Grade,
    Occupation,
    PersonalIdKind,
    PrognosisCode,
    Sex,
    make_personal_id,
    parse_personal_id,
)

PERSONNUMMER = "198504122386"  # made up: 12 April 1985, woman, valid check digit
SAMORDNINGSNUMMER = "197211634519"  # made up: 3 November 1972, man, day + 60

BUNDLE = (Path(__file__).parent / "data" / "fhir_bundle_fk7804.json").read_text(encoding="utf-8")
"""A hand-written Bundle as a journal system might send it (references by fullUrl and by id)."""


def _bundle() -> dict[str, Any]:
    return json.loads(BUNDLE)


def _response(bundle: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = bundle["entry"][0]["resource"]
    return resource


def _read(document: dict[str, Any]) -> Certificate:
    return read_fhir(json.dumps(document).encode(), "intyg.json")


def _error(document: dict[str, Any] | bytes) -> InputError:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(InputError) as caught:
        read_fhir(data, "intyg.json")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("intyg.json")
    return caught.value


def test_the_made_up_numbers_are_valid() -> None:
    assert make_personal_id(date(1985, 4, 12), 238) == PERSONNUMMER
    assert make_personal_id(date(1972, 11, 3), 451, samordning=True) == SAMORDNINGSNUMMER


def test_hand_written_bundle_reads_every_answer() -> None:
    certificate = read_fhir(BUNDLE.encode(), "intyg.json")
    assert certificate.id == "b1e8d2f0-7c1a-4e55-9f3c-2a6d8e4b1c07"
    assert certificate.signed_at == datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    assert certificate.smittbararpenning is False
    assert [b.kind for b in certificate.basis] == [BasisKind.UNDERSOKNING, BasisKind.ANNAT]
    assert certificate.basis[1].text == "Samtal med företagshälsovården"
    assert certificate.basis[1].date == date(2026, 2, 20)
    assert certificate.occupations == (Occupation.NUVARANDE_ARBETE,)
    assert certificate.work_tasks == "Undersköterska, hemtjänst"
    main = certificate.main_diagnosis
    assert main is not None
    assert (main.code, main.code_system, main.text) == ("F438A", "1.2.752.116.1.1.1", "Utmattningssyndrom")
    assert certificate.functional_impairment.text is not None
    assert certificate.functional_impairment.text.startswith("Nedstämd, gråter")
    assert certificate.activity_limitation.text is not None
    assert certificate.grades == (Grade.HELT_NEDSATT, Grade.HALFTEN)
    assert (certificate.first_day, certificate.last_day) == (date(2026, 3, 2), date(2026, 4, 12))
    assert certificate.days_covered == 42
    assert certificate.working_time.requested is True
    assert certificate.prognosis.code is PrognosisCode.ATER_X_ANTAL_DGR
    assert certificate.prognosis.days == 60
    assert [m.value for m in certificate.measures.codes] == ["ARBETSANPASSNING"]
    assert certificate.contact.wanted is False
    assert certificate.relations == ()


def test_hand_written_bundle_reads_the_issuer_through_practitioner_role() -> None:
    issuer = read_fhir(BUNDLE.encode(), "intyg.json").issuer
    assert issuer is not None
    assert (issuer.person_id, issuer.person_name) == ("SE2321000016-15CQ", "Åsa Öberg")
    assert (issuer.unit_id, issuer.unit_name) == ("SE2321000016-H8CG", "Vårdcentralen Åkersberga")
    assert (issuer.care_provider_id, issuer.care_provider_name) == ("SE2321000016-0001", "Region Stockholm")


def test_personnummer_becomes_a_pseudonymous_patient() -> None:
    certificate = read_fhir(BUNDLE.encode(), "intyg.json")
    patient = certificate.patient
    assert patient is not None
    assert patient.key == parse_personal_id(PERSONNUMMER).pseudonym()
    assert (patient.sex, patient.birth_date) == (Sex.FEMALE, date(1985, 4, 12))
    assert patient.id_kind is PersonalIdKind.PERSONNUMMER and patient.id_check_digit_valid
    assert certificate.age_at_signing == 40
    for output in (repr(certificate), certificate.model_dump_json(), write_fhir(certificate)):
        assert PERSONNUMMER not in output and PERSONNUMMER[2:] not in output


def test_samordningsnummer_gives_the_real_birth_day_and_sex() -> None:
    bundle = _bundle()
    patient = bundle["entry"][1]["resource"]
    patient["identifier"] = [{"system": "urn:oid:1.2.752.129.2.1.3.3", "value": SAMORDNINGSNUMMER}]
    read = _read(bundle).patient
    assert read is not None
    assert (read.id_kind, read.sex, read.birth_date) == (
        PersonalIdKind.SAMORDNINGSNUMMER,
        Sex.MALE,
        date(1972, 11, 3),
    )


def test_wrong_check_digit_is_read_and_flagged() -> None:
    bundle = _bundle()
    bundle["entry"][1]["resource"]["identifier"][0]["value"] = PERSONNUMMER[:-1] + "7"
    patient = _read(bundle).patient
    assert patient is not None and patient.id_check_digit_valid is False


def test_invalid_personnummer_error_does_not_contain_the_number() -> None:
    bundle = _bundle()
    bundle["entry"][1]["resource"]["identifier"][0]["value"] = "19850452-2386"
    error = _error(bundle)
    assert error.position.path == "Bundle.entry[1].resource.identifier[0].value"
    assert "19850452" not in str(error) and "2386" not in str(error)


def test_questionnaire_response_alone_reads_with_patient_identifier_only() -> None:
    response = _response(_bundle())
    response["subject"] = {"identifier": {"system": "urn:oid:1.2.752.129.2.1.3.1", "value": PERSONNUMMER}}
    del response["author"]
    certificate = _read(response)
    assert certificate.patient is not None and certificate.patient.sex is Sex.FEMALE
    assert certificate.issuer is None


def test_read_detects_fhir_bytes() -> None:
    assert intygscheck.read(BUNDLE.encode()).id == "b1e8d2f0-7c1a-4e55-9f3c-2a6d8e4b1c07"


def test_malformed_json_gives_line_and_column() -> None:
    error = _error(b'{"resourceType": "Bundle",\n "type": }')
    assert (error.position.line, error.position.column) == (2, 10)
    assert "invalid JSON" in error.reason


@pytest.mark.parametrize("kind", ["Patient", "Observation", "Questionnaire"])
def test_wrong_resource_type_is_refused(kind: str) -> None:
    error = _error({"resourceType": kind})
    assert kind in error.reason and "QuestionnaireResponse or Bundle" in error.reason


def test_unknown_resource_type_in_bundle_names_the_entry() -> None:
    bundle = _bundle()
    bundle["entry"][3]["resource"]["resourceType"] = "Lakare"
    assert _error(bundle).position.path == "Bundle.entry[3].resource.resourceType"


def test_invalid_fhir_names_the_fhir_path() -> None:
    bundle = _bundle()
    _response(bundle)["item"][4]["item"][0]["linkId"] = ""
    error = _error(bundle)
    assert error.position.path == "Bundle.entry[0].resource.item[4].item[0].linkId"
    assert error.reason.startswith("ogiltig FHIR [invalid FHIR]")


def test_unknown_question_link_id_is_refused_with_its_path() -> None:
    response = _response(_bundle())
    response["item"].append({"linkId": "99", "item": []})
    error = _error(response)
    assert "'99'" in error.reason
    assert error.position.path == f"QuestionnaireResponse.item[{len(response['item']) - 1}]"


def test_unknown_delsvar_link_id_is_refused_with_its_path() -> None:
    response = _response(_bundle())
    response["item"][8]["item"][1]["item"][0]["linkId"] = "32.2.from"
    error = _error(response)
    assert "32/32.2/32.2.from" in error.reason
    assert error.position.path == "QuestionnaireResponse.item[8].item[1].item[0]"


def test_code_outside_its_code_list_is_refused() -> None:
    response = _response(_bundle())
    response["item"][8]["item"][0]["answer"][0]["valueCoding"]["code"] = "HALV"
    error = _error(response)
    assert "'HALV'" in error.reason and "KV_FKMU_0003" in error.reason


def test_code_from_another_code_system_is_refused() -> None:
    response = _response(_bundle())
    response["item"][8]["item"][0]["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"
    assert _error(response).position.path.endswith("valueCoding.system")


def test_wrong_value_type_is_refused() -> None:
    response = _response(_bundle())
    response["item"][0]["item"][0]["answer"] = [{"valueString": "nej"}]
    assert "[expects] valueBoolean" in _error(response).reason


def test_missing_required_delsvar_is_refused() -> None:
    response = _response(_bundle())
    del response["item"][8]["item"][1]
    assert "saknar delsvar [lacks delsvar] 32.2" in _error(response).reason


def test_repeated_single_question_is_refused() -> None:
    response = _response(_bundle())
    response["item"].append(response["item"][4])
    assert "only once" in _error(response).reason


def test_partial_date_is_refused() -> None:
    response = _response(_bundle())
    response["item"][1]["item"][1]["answer"][0]["valueDate"] = "2026-03"
    assert "full date" in _error(response).reason


def test_bundle_needs_exactly_one_questionnaire_response() -> None:
    bundle = _bundle()
    bundle["entry"].append(bundle["entry"][0])
    assert "exactly one QuestionnaireResponse" in _error(bundle).reason


def test_dangling_reference_is_refused() -> None:
    bundle = _bundle()
    _response(bundle)["subject"] = {"reference": "Patient/saknas"}
    assert "Patient/saknas" in _error(bundle).reason


def test_other_questionnaire_is_refused() -> None:
    response = _response(_bundle())
    response["questionnaire"] = "http://example.org/Questionnaire/phq9"
    assert _error(response).position.path == "QuestionnaireResponse.questionnaire"


def test_blank_text_travels_in_the_exact_text_extension_only() -> None:
    certificate = read_fhir(BUNDLE.encode(), "intyg.json")
    assert EXT_EXACT_TEXT not in write_fhir(certificate)
    blank = certificate.model_copy(update={"other_information": "", "work_tasks": "\u00a0"})
    text = write_fhir(blank)
    assert text.count(EXT_EXACT_TEXT) == 2
    assert read_fhir(text.encode(), "blank.json") == blank
