"""Read the patient and the issuer of a FHIR ``QuestionnaireResponse``.

A personnummer or samordningsnummer becomes a pseudonymous :class:`~intygscheck.model.Patient`
here, at once; the number is not kept and never appears in an error message. See
``docs/fhir-mapping.md`` (*Patient*, *Issuer*).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..model import Issuer, Patient, PersonalIdError, PersonalIdKind, Sex, parse_personal_id
from .fhir_context import FhirContext
from .fhir_mapping import (
    EXT_ID_CHECK_DIGIT_VALID,
    EXT_ID_KIND,
    HSA_SYSTEM,
    PERSONNUMMER_SYSTEM,
    PSEUDONYM_SYSTEM,
    SAMORDNINGSNUMMER_SYSTEM,
)

_GENDER: dict[str, Sex | None] = {"female": Sex.FEMALE, "male": Sex.MALE, "other": None, "unknown": None}
_ISSUER_TYPES = ("PractitionerRole", "Practitioner", "Organization")


def read_patient(ctx: FhirContext, subject: Any, path: str) -> Patient | None:
    """The patient ``subject`` refers to (a Patient resource or a logical identifier)."""
    if subject is None:
        return None
    found = ctx.resolve(subject, ("Patient",), path)
    if found is None:
        if subject.identifier is None:
            raise ctx.fail(
                "subject saknar Patient och identifier [subject has no Patient or identifier]",
                path,
            )
        return _patient(ctx, [subject.identifier], None, None, f"{path}.identifier")
    resource, resource_path = found
    born = ctx.date(resource.birthDate, f"{resource_path}.birthDate")
    return _patient(ctx, resource.identifier or [], resource.gender, born, f"{resource_path}.identifier")


def _patient(
    ctx: FhirContext, identifiers: list[Any], gender: str | None, born: date | None, path: str
) -> Patient:
    for index, identifier in enumerate(identifiers):
        if identifier.system in (PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM):
            try:
                return Patient.from_personal_id(parse_personal_id(identifier.value or ""))
            except PersonalIdError as exc:
                raise ctx.fail(
                    f"ogiltigt person-id [invalid identity number]: {exc}", f"{path}[{index}].value"
                ) from None
    for index, identifier in enumerate(identifiers):
        if identifier.system == PSEUDONYM_SYSTEM:
            return _pseudonymous(ctx, identifier, gender, born, f"{path}[{index}]")
    systems = f"{PERSONNUMMER_SYSTEM} | {SAMORDNINGSNUMMER_SYSTEM} | {PSEUDONYM_SYSTEM}"
    raise ctx.fail(
        f"patienten saknar identifier med system [the patient needs an identifier with system] {systems}",
        path,
    )


def _pseudonymous(
    ctx: FhirContext, identifier: Any, gender: str | None, born: date | None, path: str
) -> Patient:
    key = ctx.text(identifier.value, identifier.value__ext, path)
    if key is None:
        raise ctx.fail("pseudonymen saknar värde [the pseudonym identifier has no value]", path)
    extensions = {extension.url: extension for extension in identifier.extension or []}
    kind = extensions[EXT_ID_KIND].valueCode if EXT_ID_KIND in extensions else None
    if kind is not None and kind not in {k.value for k in PersonalIdKind}:
        raise ctx.fail(f"okänd personal-id-kind {kind!r} [unknown personal-id-kind]", f"{path}.extension")
    check = extensions.get(EXT_ID_CHECK_DIGIT_VALID)
    if gender is not None and gender not in _GENDER:
        raise ctx.fail(f"okänt kön [unknown gender] {gender!r}", path)
    return Patient(
        key=key,
        id_kind=PersonalIdKind(kind) if kind is not None else None,
        id_check_digit_valid=check.valueBoolean if check and check.valueBoolean is not None else True,
        sex=_GENDER[gender] if gender is not None else None,
        birth_date=born,
    )


def read_issuer(ctx: FhirContext, author: Any, path: str) -> Issuer | None:
    """The issuer ``author`` refers to: a PractitionerRole, a Practitioner or an Organization."""
    found = ctx.resolve(author, _ISSUER_TYPES, path)
    if found is None:
        if author is not None and author.identifier is not None:
            return Issuer(person_id=ctx.text(author.identifier.value, author.identifier.value__ext, path))
        return None
    resource, resource_path = found
    practitioner: Any = None
    unit: Any = None
    kind = resource.get_resource_type()
    if kind == "PractitionerRole":
        found_person = ctx.resolve(resource.practitioner, ("Practitioner",), resource_path)
        practitioner = found_person[0] if found_person else None
        found_unit = ctx.resolve(resource.organization, ("Organization",), resource_path)
        unit, resource_path = found_unit if found_unit else (None, resource_path)
    elif kind == "Practitioner":
        practitioner = resource
    else:
        unit = resource
    found_provider = ctx.resolve(unit.partOf, ("Organization",), resource_path) if unit else None
    provider = found_provider[0] if found_provider else None
    return Issuer(
        person_id=_hsa_id(ctx, practitioner, path),
        person_name=_person_name(ctx, practitioner, path),
        unit_id=_hsa_id(ctx, unit, path),
        unit_name=ctx.text(unit.name, unit.name__ext, path) if unit else None,
        care_provider_id=_hsa_id(ctx, provider, path),
        care_provider_name=ctx.text(provider.name, provider.name__ext, path) if provider else None,
    )


def _hsa_id(ctx: FhirContext, resource: Any, path: str) -> str | None:
    """The HSA id among the resource's identifiers (else its first identifier's value)."""
    identifiers = (resource.identifier or []) if resource is not None else []
    if not identifiers:
        return None
    chosen = next((i for i in identifiers if i.system == HSA_SYSTEM), identifiers[0])
    return ctx.text(chosen.value, chosen.value__ext, path)


def _person_name(ctx: FhirContext, practitioner: Any, path: str) -> str | None:
    names = (practitioner.name or []) if practitioner is not None else []
    if not names:
        return None
    name = names[0]
    text = ctx.text(name.text, name.text__ext, path)
    if text is not None:
        return text
    parts = [*(name.given or []), *([name.family] if name.family else [])]
    return " ".join(parts) or None
