"""Write a certificate as FHIR R4 JSON: a ``QuestionnaireResponse``, alone or in a ``Bundle``.

The mapping is in :mod:`.fhir_mapping` and ``docs/fhir-mapping.md``; :func:`read_fhir`
(:mod:`.fhir`) reads the output back into an identical certificate. The patient is written
with its pseudonym only — the model never holds a personnummer, so no FHIR we write does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..model import Certificate, Issuer, Patient, Sex
from .fhir_mapping import (
    CERTIFICATE_ID_SYSTEM,
    CODE_BY_DAYS,
    CODE_SYSTEM_BASE,
    EXT_CERTIFICATE_TYPE,
    EXT_CERTIFICATE_VERSION,
    EXT_EXACT_TEXT,
    EXT_ID_CHECK_DIGIT_VALID,
    EXT_ID_KIND,
    EXT_RELATION,
    EXT_WITHDRAWN_ANSWER,
    HSA_SYSTEM,
    PERIOD_END,
    PERIOD_START,
    PSEUDONYM_SYSTEM,
    QUESTION_BY_ID,
    QUESTIONNAIRE_URL,
    Delsvar,
    answer_groups,
    code_of,
    diagnosis_system,
    is_fhir_code,
    is_fhir_string,
)

JSON = dict[str, Any]

_NAMESPACE = uuid.UUID("6f0c3b8e-3f4f-4f0e-9a57-2d3c1f6f7e01")
"""Namespace for the deterministic ``urn:uuid:`` of each resource in a written Bundle."""

_INT32 = range(-(2**31), 2**31)
_MAX_OFFSET = timedelta(hours=14)
_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male"}


def write_fhir(certificate: Certificate, *, bundle: bool = True, indent: int | None = 2) -> str:
    """The certificate as FHIR R4 JSON.

    With ``bundle=True`` a ``Bundle`` (type ``collection``) holds the ``QuestionnaireResponse``
    and its ``Patient``, ``PractitionerRole``, ``Practitioner`` and ``Organization`` resources;
    with ``bundle=False`` those are ``contained`` in the ``QuestionnaireResponse``.
    """
    return json.dumps(fhir_document(certificate, bundle=bundle), ensure_ascii=False, indent=indent)


def fhir_document(certificate: Certificate, *, bundle: bool = True) -> JSON:
    """The FHIR JSON object for the certificate (see :func:`write_fhir`)."""
    if bundle:
        ids = _Ids(lambda role: str(uuid.uuid5(_NAMESPACE, f"{certificate.id}/{role}")), "urn:uuid:")
    else:
        ids = _Ids(lambda role: role, "#")
    resources = _patient_resources(certificate.patient, ids) + _issuer_resources(certificate.issuer, ids)
    response = _questionnaire_response(certificate, ids)
    if not bundle:
        if resources:
            response = {**response, "contained": resources}
        return _ordered(response)
    entries = [{"fullUrl": ids.url("certificate"), "resource": _ordered(response)}]
    entries += [{"fullUrl": ids.url(r["id"]), "resource": r} for r in resources]
    return {"resourceType": "Bundle", "id": ids.id("bundle"), "type": "collection", "entry": entries}


class _Ids:
    """Resource ids and references, for a Bundle (``urn:uuid:``) or contained resources (``#``)."""

    def __init__(self, make: Callable[[str], str], prefix: str) -> None:
        self._make = make
        self._prefix = prefix

    def id(self, role: str) -> str:
        return self._make(role)

    def url(self, resource_id: str) -> str:
        return self._prefix + resource_id

    def reference(self, role: str) -> JSON:
        return {"reference": self.url(self.id(role))}


def _questionnaire_response(certificate: Certificate, ids: _Ids) -> JSON:
    extensions = [
        _string_extension(EXT_CERTIFICATE_TYPE, certificate.type),
        _string_extension(EXT_CERTIFICATE_VERSION, certificate.version),
    ]
    for relation in certificate.relations:
        target = _put({"system": CERTIFICATE_ID_SYSTEM}, "value", relation.certificate_id)
        extensions.append(
            {
                "url": EXT_RELATION,
                "extension": [
                    {"url": "kind", "valueCode": relation.kind.value},
                    {"url": "certificate", "valueIdentifier": target},
                ],
            }
        )
    extensions += [{"url": EXT_WITHDRAWN_ANSWER, "valueString": qid} for qid in certificate.withdrawn_answers]
    response: JSON = {
        "resourceType": "QuestionnaireResponse",
        "id": ids.id("certificate"),
        "extension": extensions,
        "identifier": _put({"system": CERTIFICATE_ID_SYSTEM}, "value", certificate.id),
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
    }
    if certificate.patient is not None:
        response["subject"] = ids.reference("patient")
    if certificate.signed_at is not None:
        response.update(_authored(certificate.signed_at))
    if certificate.issuer is not None:
        response["author"] = ids.reference("issuer")
    items = [_question_item(question, values) for question, values in answer_groups(certificate)]
    if items:
        response["item"] = items
    return response


def _ordered(response: JSON) -> JSON:
    """Put ``contained`` after ``id`` and ``item`` last, as FHIR examples do (cosmetic only)."""
    order = ["resourceType", "id", "contained", "extension", "identifier", "questionnaire", "status"]
    head = {key: response[key] for key in order if key in response}
    return {**head, **{key: value for key, value in response.items() if key not in head}}


def _authored(signed_at: datetime) -> JSON:
    """``authored``, plus the exact value where FHIR cannot hold it (no or an odd time zone)."""
    offset = signed_at.utcoffset()
    if (
        offset is not None
        and offset % timedelta(minutes=1) == timedelta(0)
        and -_MAX_OFFSET <= offset <= _MAX_OFFSET
    ):
        return {"authored": signed_at.isoformat()}
    return {"authored": signed_at.date().isoformat(), "_authored": _exact(signed_at.isoformat())}


def _question_item(question_id: str, values: dict[str, Any]) -> JSON:
    question = QUESTION_BY_ID[question_id]
    children = [
        _delsvar_item(delsvar, values[delsvar.link_id])
        for delsvar in question.delsvar
        if delsvar.link_id in values
    ]
    return {"linkId": question.link_id, "text": question.title, "item": children}


def _delsvar_item(delsvar: Delsvar, value: Any) -> JSON:
    if delsvar.kind == "period":
        start, end = value
        return {
            "linkId": delsvar.link_id,
            "item": [
                {"linkId": PERIOD_START, "answer": [{"valueDate": start.isoformat()}]},
                {"linkId": PERIOD_END, "answer": [{"valueDate": end.isoformat()}]},
            ],
        }
    return {"linkId": delsvar.link_id, "answer": [_answer(delsvar, value)]}


def _answer(delsvar: Delsvar, value: Any) -> JSON:
    kind = delsvar.kind
    if kind == "string":
        return _put({}, "valueString", value)
    if kind == "boolean":
        return {"valueBoolean": value}
    if kind == "date":
        return {"valueDate": value.isoformat()}
    if kind == "days" and value in CODE_BY_DAYS:
        return {"valueCoding": {"system": CODE_SYSTEM_BASE + "KV_FKMU_0007", "code": CODE_BY_DAYS[value]}}
    if kind in ("integer", "days"):
        return {"valueInteger": value} if value in _INT32 else {"_valueInteger": _exact(str(value))}
    if kind == "coding":
        return {"valueCoding": {"system": CODE_SYSTEM_BASE + str(delsvar.code_list), "code": code_of(value)}}
    code, code_system = value
    coding: JSON = {}
    if code_system is not None:
        system = diagnosis_system(code_system)
        coding = {"system": system} if system is not None else {"_system": _exact(code_system)}
    return {"valueCoding": _put(coding, "code", code, is_fhir_code)}


def _patient_resources(patient: Patient | None, ids: _Ids) -> list[JSON]:
    if patient is None:
        return []
    extensions: list[JSON] = []
    if patient.id_kind is not None:
        extensions.append({"url": EXT_ID_KIND, "valueCode": patient.id_kind.value})
    extensions.append({"url": EXT_ID_CHECK_DIGIT_VALID, "valueBoolean": patient.id_check_digit_valid})
    identifier = _put({"extension": extensions, "system": PSEUDONYM_SYSTEM}, "value", patient.key)
    resource: JSON = {"resourceType": "Patient", "id": ids.id("patient"), "identifier": [identifier]}
    if patient.sex is not None:
        resource["gender"] = _GENDER[patient.sex]
    if patient.birth_date is not None:
        resource["birthDate"] = patient.birth_date.isoformat()
    return [resource]


def _issuer_resources(issuer: Issuer | None, ids: _Ids) -> list[JSON]:
    if issuer is None:
        return []
    role: JSON = {"resourceType": "PractitionerRole", "id": ids.id("issuer")}
    resources = [role]
    if issuer.person_id is not None or issuer.person_name is not None:
        practitioner: JSON = {"resourceType": "Practitioner", "id": ids.id("practitioner")}
        if issuer.person_id is not None:
            practitioner["identifier"] = [_hsa_identifier(issuer.person_id)]
        if issuer.person_name is not None:
            practitioner["name"] = [_put({}, "text", issuer.person_name)]
        role["practitioner"] = ids.reference("practitioner")
        resources.append(practitioner)
    provider = _organization(ids.id("care-provider"), issuer.care_provider_id, issuer.care_provider_name)
    unit = _organization(ids.id("unit"), issuer.unit_id, issuer.unit_name)
    if unit is not None or provider is not None:
        unit = unit or {"resourceType": "Organization", "id": ids.id("unit")}
        if provider is not None:
            unit["partOf"] = ids.reference("care-provider")
        role["organization"] = ids.reference("unit")
        resources.append(unit)
    if provider is not None:
        resources.append(provider)
    return resources


def _organization(resource_id: str, hsa_id: str | None, name: str | None) -> JSON | None:
    if hsa_id is None and name is None:
        return None
    organization: JSON = {"resourceType": "Organization", "id": resource_id}
    if hsa_id is not None:
        organization["identifier"] = [_hsa_identifier(hsa_id)]
    if name is not None:
        _put(organization, "name", name)
    return organization


def _hsa_identifier(hsa_id: str) -> JSON:
    return _put({"system": HSA_SYSTEM}, "value", hsa_id)


def _string_extension(url: str, text: str) -> JSON:
    if is_fhir_string(text):
        return {"url": url, "valueString": text}
    return {"url": url, "extension": _exact(text)["extension"]}


def _put(target: JSON, key: str, text: str, valid: Callable[[str], bool] = is_fhir_string) -> JSON:
    """Set ``target[key] = text``, or the exact-text extension on ``_key`` where FHIR cannot hold it."""
    if valid(text):
        target[key] = text
    else:
        target["_" + key] = _exact(text)
    return target


def _exact(text: str) -> JSON:
    """A primitive's extension holding ``text`` exactly, as a JSON string literal."""
    return {"extension": [{"url": EXT_EXACT_TEXT, "valueString": json.dumps(text)}]}


__all__ = ["fhir_document", "write_fhir"]
