"""Read FHIR R4 JSON — a ``QuestionnaireResponse`` alone or in a ``Bundle`` — into a certificate.

The resource is validated with the ``fhir.resources.R4B`` models first; any problem, FHIR or
ours (an unknown linkId, a code outside its code list, a missing delsvar), becomes an
:class:`~intygscheck.errors.InputError` naming the FHIR path. Nothing is skipped silently.

The answers are read here; the patient and the issuer in :mod:`.fhir_parties` (where a
personnummer becomes a pseudonym at once). The mapping is in :mod:`.fhir_mapping` and
``docs/fhir-mapping.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from ..errors import InputError, Position
from ..model import Certificate, Relation, RelationKind
from .fhir_context import FhirContext, Located
from .fhir_mapping import (
    CODE_SYSTEM_BASE,
    DAYS_BY_CODE,
    EXT_CERTIFICATE_TYPE,
    EXT_CERTIFICATE_VERSION,
    EXT_RELATION,
    EXT_WITHDRAWN_ANSWER,
    PERIOD_END,
    PERIOD_START,
    QUESTION_BY_ID,
    QUESTIONNAIRE_URL,
    AnswerGroup,
    Delsvar,
    certificate_fields,
    code_system_of,
)
from .fhir_parties import read_issuer, read_patient
from .json_document import parse_json_object


def read_fhir(data: bytes, source: str) -> Certificate:
    """Read a FHIR R4 ``QuestionnaireResponse`` (alone or in a ``Bundle``) into a certificate."""
    return read_fhir_document(parse_json_object(data, source), source)


def read_fhir_document(document: dict[str, Any], source: str) -> Certificate:
    """Read an already parsed FHIR resource (a ``QuestionnaireResponse`` or ``Bundle``)."""
    kind = document.get("resourceType")
    if kind == "QuestionnaireResponse":
        response = _validate(QuestionnaireResponse, document, source, "QuestionnaireResponse")
        return _Reader(source, response, "QuestionnaireResponse", {}).certificate()
    if kind == "Bundle":
        _check_entry_types(document, source)
        bundle = _validate(Bundle, document, source, "Bundle")
        return _read_bundle(bundle, source)
    raise InputError(
        source,
        f"resourceType {kind!r} stöds inte: väntade QuestionnaireResponse eller Bundle "
        f"[resourceType {kind!r} is not supported: expected QuestionnaireResponse or Bundle]",
        Position(path="resourceType"),
    )


def _check_entry_types(document: dict[str, Any], source: str) -> None:
    """Report an unknown ``resourceType`` in a Bundle entry by its path (fhir.resources would not)."""
    entries = document.get("entry")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            kind = resource.get("resourceType")
            try:
                get_fhir_model_class(str(kind))
            except (ValueError, KeyError):
                path = f"Bundle.entry[{index}].resource.resourceType"
                raise InputError(
                    source,
                    f"okänd resourceType {kind!r} [unknown resourceType {kind!r}]",
                    Position(path=path),
                ) from None


def _validate(model: Any, document: dict[str, Any], source: str, root: str) -> Any:
    """``model.model_validate(document)``, with the first problem as an InputError at its FHIR path."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        raise InputError(
            source, f"ogiltig FHIR [invalid FHIR]: {_one_line(error['msg'])}", Position(path=path)
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # fhir.resources' own validators raise these for some malformed primitives' extensions
        raise InputError(
            source, f"ogiltig FHIR [invalid FHIR]: {_one_line(str(exc))}", Position(path=root)
        ) from None


def _one_line(text: str) -> str:
    """``text`` with line breaks and tabs escaped, so an error stays on one line."""
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _read_bundle(bundle: Any, source: str) -> Certificate:
    resources: dict[str, Located] = {}
    responses: list[Located] = []
    for index, entry in enumerate(bundle.entry or []):
        resource, path = entry.resource, f"Bundle.entry[{index}].resource"
        if resource is None:
            continue
        if entry.fullUrl:
            resources[entry.fullUrl] = (resource, path)
        if resource.id:
            resources[f"{resource.get_resource_type()}/{resource.id}"] = (resource, path)
        if resource.get_resource_type() == "QuestionnaireResponse":
            responses.append((resource, path))
    if len(responses) != 1:
        raise InputError(
            source,
            f"Bundle måste innehålla exakt en QuestionnaireResponse, inte {len(responses)} "
            f"[the Bundle must hold exactly one QuestionnaireResponse, not {len(responses)}]",
            Position(path="Bundle.entry"),
        )
    response, path = responses[0]
    return _Reader(source, response, path, resources).certificate()


class _Reader(FhirContext):
    """Turns one validated ``QuestionnaireResponse`` and the resources it refers to into a model."""

    def __init__(self, source: str, response: Any, path: str, resources: dict[str, Located]) -> None:
        super().__init__(source, resources)
        self.response = response
        self.path = path
        for index, contained in enumerate(response.contained or []):
            if contained.id:
                self.resources[f"#{contained.id}"] = (contained, f"{path}.contained[{index}]")

    def certificate(self) -> Certificate:
        response, path = self.response, self.path
        if response.modifierExtension:
            raise self.fail(
                "modifierExtension förstås inte [modifier extensions are not understood]",
                f"{path}.modifierExtension",
            )
        canonical = (response.questionnaire or QUESTIONNAIRE_URL).split("|")[0]
        if canonical != QUESTIONNAIRE_URL:
            reason = f"questionnaire {canonical!r} är inte [is not] {QUESTIONNAIRE_URL}"
            raise self.fail(reason, f"{path}.questionnaire")
        identifier = response.identifier
        certificate_id = self.text(identifier.value, identifier.value__ext, path) if identifier else None
        if certificate_id is None:
            raise self.fail(
                "intygs-id saknas [the certificate id (identifier.value) is missing]", f"{path}.identifier"
            )
        fields = certificate_fields(self.answer_groups())
        fields.update(self.extension_fields())
        try:
            return Certificate(
                id=certificate_id,
                signed_at=self.authored(),
                patient=read_patient(self, response.subject, f"{path}.subject"),
                issuer=read_issuer(self, response.author, f"{path}.author"),
                **fields,
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            location = ".".join(str(part) for part in error["loc"])
            raise self.fail(f"{location}: {_one_line(error['msg'])}", path) from None

    def authored(self) -> datetime | None:
        response, path = self.response, f"{self.path}.authored"
        exact = self.text(None, response.authored__ext, path)
        if exact is not None:
            try:
                return datetime.fromisoformat(exact)
            except ValueError:
                raise self.fail(
                    "exakt authored är inte en ISO-tidpunkt [exact authored value is not an ISO date-time]",
                    path,
                ) from None
        value = response.authored
        if value is None or isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        raise self.fail(
            f"authored {value!r} är inte ett fullständigt datum [is not a full date or date-time]", path
        )

    # -- items --------------------------------------------------------------------------------

    def answer_groups(self) -> list[AnswerGroup]:
        groups: list[AnswerGroup] = []
        seen: set[str] = set()
        for index, item in enumerate(self.response.item or []):
            path = f"{self.path}.item[{index}]"
            question = QUESTION_BY_ID.get(item.linkId)
            if question is None:
                raise self.fail(
                    f"okänt linkId {item.linkId!r}: ingen FK 7804-fråga [unknown linkId, not an FK question]",
                    path,
                )
            if item.answer:
                reason = (
                    f"fråga {item.linkId}: svaren hör hemma i delsvar-item [answers belong in delsvar items]"
                )
                raise self.fail(reason, f"{path}.answer")
            if item.linkId in seen and not question.repeats:
                raise self.fail(
                    f"fråga {item.linkId} får bara förekomma en gång [question may appear only once]", path
                )
            seen.add(item.linkId)
            values: dict[str, Any] = {}
            for sub_index, sub in enumerate(item.item or []):
                sub_path = f"{path}.item[{sub_index}]"
                delsvar = question.find(sub.linkId)
                if delsvar is None:
                    raise self.fail(f"okänt linkId {item.linkId}/{sub.linkId} [unknown linkId]", sub_path)
                if sub.linkId in values:
                    raise self.fail(
                        f"delsvar {item.linkId}/{sub.linkId} förekommer två gånger [appears twice]", sub_path
                    )
                values[sub.linkId] = self.delsvar_value(delsvar, sub, sub_path)
            for delsvar in question.delsvar:
                if delsvar.required and delsvar.link_id not in values:
                    raise self.fail(
                        f"fråga {item.linkId} saknar delsvar [lacks delsvar] {delsvar.link_id}",
                        path,
                    )
            groups.append((item.linkId, values))
        return groups

    def delsvar_value(self, delsvar: Delsvar, item: Any, path: str) -> Any:
        if delsvar.kind == "period":
            return self.period(item, path)
        if item.item:
            raise self.fail(
                f"delsvar {delsvar.link_id} får inte ha egna item [must not have nested items]",
                f"{path}.item",
            )
        answers = item.answer or []
        if len(answers) != 1:
            raise self.fail(
                f"delsvar {delsvar.link_id} ska ha exakt ett answer [must have exactly one answer]", path
            )
        answer, path = answers[0], f"{path}.answer[0]"
        if answer.item:
            raise self.fail(
                f"svaret på {delsvar.link_id} får inte ha egna item [the answer must not have nested items]",
                f"{path}.item",
            )
        return self.answer_value(delsvar, answer, path)

    def answer_value(self, delsvar: Delsvar, answer: Any, path: str) -> Any:
        kind = delsvar.kind
        if kind == "string":
            value: Any = self.text(answer.valueString, answer.valueString__ext, path)
        elif kind == "boolean":
            value = answer.valueBoolean
        elif kind == "date":
            value = self.date(answer.valueDate, path)
        elif kind == "days" and answer.valueCoding is not None:
            code = self.coded(delsvar, answer.valueCoding, path)
            if code not in DAYS_BY_CODE:
                raise self.fail(
                    f"okänd kod {code!r} i [unknown code in] {delsvar.code_list}", f"{path}.valueCoding"
                )
            value = DAYS_BY_CODE[code]
        elif kind in ("integer", "days"):
            value = answer.valueInteger
            if value is None:
                exact = self.text(None, answer.valueInteger__ext, path)
                value = int(exact) if exact is not None and exact.lstrip("-").isdigit() else None
        elif kind == "coding":
            value = self.enum_member(delsvar, answer.valueCoding, path)
        else:
            value = self.diagnosis(answer.valueCoding, path)
        if value is None:
            raise self.fail(f"delsvar {delsvar.link_id} kräver [expects] {_EXPECTED[kind]}", path)
        return value

    def coded(self, delsvar: Delsvar, coding: Any, path: str) -> str | None:
        """The code of a Coding from the delsvar's code list (the system checked if given)."""
        if coding.system is not None and coding.system not in delsvar.code_systems:
            reason = (
                f"delsvar {delsvar.link_id} kräver kodsystem [expects code system] {delsvar.code_systems[0]}"
            )
            raise self.fail(reason, f"{path}.valueCoding.system")
        code: str | None = coding.code
        return code

    def enum_member(self, delsvar: Delsvar, coding: Any, path: str) -> Enum | None:
        if coding is None:
            return None
        code = self.coded(delsvar, coding, path)
        assert delsvar.codes is not None
        try:
            return delsvar.codes[code or ""]
        except KeyError:
            raise self.fail(
                f"okänd kod {code!r} i [unknown code in] {delsvar.code_list}", f"{path}.valueCoding"
            ) from None

    def diagnosis(self, coding: Any, path: str) -> tuple[str, str | None] | None:
        if coding is None:
            return None
        code = self.text(coding.code, coding.code__ext, f"{path}.valueCoding.code")
        if code is None:
            raise self.fail("diagnoskoden saknas [the diagnosis code is missing]", f"{path}.valueCoding.code")
        system = self.text(None, coding.system__ext, f"{path}.valueCoding.system")
        if system is None and coding.system is not None:
            system = code_system_of(coding.system)
        return code, system

    def period(self, item: Any, path: str) -> tuple[date, date]:
        if item.answer:
            reason = f"32.2 har sina datum i item [holds its dates in items] {PERIOD_START}, {PERIOD_END}"
            raise self.fail(reason, f"{path}.answer")
        dates: dict[str, date] = {}
        for index, sub in enumerate(item.item or []):
            sub_path = f"{path}.item[{index}]"
            if sub.linkId not in (PERIOD_START, PERIOD_END):
                raise self.fail(f"okänt linkId 32/32.2/{sub.linkId} [unknown linkId]", sub_path)
            if sub.linkId in dates or len(sub.answer or []) != 1:
                raise self.fail(
                    f"{sub.linkId} ska förekomma en gång med ett answer [must appear once with one answer]",
                    sub_path,
                )
            day = self.date(sub.answer[0].valueDate, f"{sub_path}.answer[0].valueDate")
            if day is None:
                raise self.fail(f"{sub.linkId} kräver [expects] valueDate", f"{sub_path}.answer[0]")
            dates[sub.linkId] = day
        for link_id in (PERIOD_START, PERIOD_END):
            if link_id not in dates:
                raise self.fail(f"32.2 saknar [lacks] {link_id}", path)
        return dates[PERIOD_START], dates[PERIOD_END]

    # -- extensions ---------------------------------------------------------------------------

    def extension_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        relations: list[Relation] = []
        withdrawn: list[str] = []
        for index, extension in enumerate(self.response.extension or []):
            path = f"{self.path}.extension[{index}]"
            if extension.url in (EXT_CERTIFICATE_TYPE, EXT_CERTIFICATE_VERSION):
                text = extension.valueString or self.exact(extension.extension, path)
                if text is None:
                    raise self.fail("extension kräver [expects] valueString", path)
                fields["type" if extension.url == EXT_CERTIFICATE_TYPE else "version"] = text
            elif extension.url == EXT_RELATION:
                relations.append(self.relation(extension, path))
            elif extension.url == EXT_WITHDRAWN_ANSWER:
                if not extension.valueString:
                    raise self.fail("extension kräver [expects] valueString", path)
                withdrawn.append(extension.valueString)
        fields["relations"] = tuple(relations)
        fields["withdrawn_answers"] = tuple(withdrawn)
        return fields

    def relation(self, extension: Any, path: str) -> Relation:
        parts = {part.url: part for part in extension.extension or []}
        kind = parts["kind"].valueCode if "kind" in parts else None
        target = parts["certificate"].valueIdentifier if "certificate" in parts else None
        certificate_id = self.text(target.value, target.value__ext, path) if target else None
        if kind not in {k.value for k in RelationKind} or certificate_id is None:
            raise self.fail(
                "relationen kräver kind och certificate [a relation needs kind and certificate]",
                path,
            )
        return Relation(kind=RelationKind(kind), certificate_id=certificate_id)


_EXPECTED = {
    "string": "valueString",
    "boolean": "valueBoolean",
    "date": "valueDate",
    "integer": "valueInteger",
    "days": f"valueInteger or valueCoding from {CODE_SYSTEM_BASE}KV_FKMU_0007",
    "coding": "valueCoding",
    "diagnosis": "valueCoding",
}

__all__ = ["read_fhir", "read_fhir_document"]
