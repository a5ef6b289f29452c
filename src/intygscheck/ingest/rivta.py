"""RIVTA ``RegisterCertificate`` XML → :class:`~intygscheck.model.Certificate`.

Reads LISJP v1 and FK7804 v2 ``RegisterCertificate`` documents and the FK7804 v2 prefill
document (``forifyllnad``), dispatching on the root element. The header (id, type, version,
signing time, patient, issuer, relations) is read here; the answers in
:mod:`.rivta_answers`. The patient's identity number is turned into a pseudonymous
:class:`~intygscheck.model.Patient` at once and never stored or echoed in an error.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from lxml import etree
from pydantic import ValidationError

from ..errors import InputError, Position, UnsupportedFormatError
from ..model import (
    Certificate,
    Patient,
    PersonalIdError,
    parse_personal_id,
    pseudonymise,
)
from .rivta_answers import read_answers
from .rivta_names import (
    FORIFYLLNAD,
    IGNORED_RELATION_CODES,
    INTYG,
    REGISTER_CERTIFICATE,
    RELATION_CODES,
    SVAR_TAGS,
    core,
    types,
)
from .xml_safety import line_of, parse_xml

_EXTENSION = types("extension")
_CODE = types("code")
_INTYGS_ID = core("intygs-id")
_TYP = core("typ")
_VERSION = core("version")
_SIGNED_AT = core("signeringstidpunkt")
_PATIENT = core("patient")
_PERSON_ID = core("person-id")
_CREATED_BY = core("skapadAv")
_PERSONAL_ID = core("personal-id")
_FULL_NAME = core("fullstandigtNamn")
_UNIT = core("enhet")
_UNIT_ID = core("enhets-id")
_UNIT_NAME = core("enhetsnamn")
_PROVIDER = core("vardgivare")
_PROVIDER_ID = core("vardgivare-id")
_PROVIDER_NAME = core("vardgivarnamn")
_RELATION = core("relation")
_HEADER_TAGS = frozenset({_INTYGS_ID, _TYP, _VERSION, _SIGNED_AT, _PATIENT, _CREATED_BY})
"""The ``intyg`` children read once each (the first of each tag counts)."""
_PERSONNUMMER_SHAPE = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")
_VALIDATE = Certificate.model_validate


def read_rivta(data: bytes, source: str) -> Certificate:
    """Read one RIVTA certificate; raises :class:`InputError` naming source, position and reason."""
    root = parse_xml(data, source)
    if root.tag == REGISTER_CERTIFICATE:
        return _register_certificate(root, source)
    if root.tag == FORIFYLLNAD:
        return _prefill(root, data, source)
    name = etree.QName(root)
    raise UnsupportedFormatError(
        source,
        f"okänt rotelement {{{name.namespace or ''}}}{name.localname}: förväntade RegisterCertificate "
        f"eller forifyllnad [unknown root element; expected RegisterCertificate or forifyllnad]",
        Position(line_of(root)),
    )


def _register_certificate(root: etree._Element, source: str) -> Certificate:
    intyg = _child(root, INTYG)
    if intyg is None:
        raise InputError(
            source,
            "elementet intyg saknas [element intyg is missing]",
            Position(line_of(root), None, "intyg"),
        )
    # One pass over intyg's children (each lxml proxy is made once); the checks below then run
    # in a fixed order, so a document with several defects always reports the same one first.
    header: dict[str, etree._Element] = {}
    relations: list[etree._Element] = []
    svar: list[etree._Element] = []
    for child in intyg[:]:  # type: ignore[index]  # the C-built child list: cheaper than iterating
        tag = child.tag
        if tag in _HEADER_TAGS:
            if tag not in header:
                header[tag] = child
        elif tag == _RELATION:
            relations.append(child)
        elif tag in SVAR_TAGS or _is_svar(tag):
            svar.append(child)
    version = _required_text(intyg, header.get(_VERSION), (), source, "intyg/version")
    fields: dict[str, Any] = {
        "id": _required_text(
            intyg, header.get(_INTYGS_ID), (_EXTENSION,), source, "intyg/intygs-id/extension"
        ),
        "type": _required_text(intyg, header.get(_TYP), (_CODE,), source, "intyg/typ/code"),
        "version": version.split(".")[0],
        "signed_at": _timestamp(header.get(_SIGNED_AT), source),
        "patient": _patient(header.get(_PATIENT), source),
        "issuer": _issuer(header.get(_CREATED_BY)),
        "relations": tuple(_relations(relations, source)),
    }
    return _certificate(fields, read_answers(svar, source), source, intyg)


def _is_svar(tag: object) -> bool:
    """Whether a child's tag is ``svar`` in any namespace or none (as lxml's ``{*}svar``)."""
    return isinstance(tag, str) and (tag in SVAR_TAGS or tag == "svar" or tag.endswith("}svar"))


def _prefill(root: etree._Element, data: bytes, source: str) -> Certificate:
    """The v2 prefill document has no id, patient or issuer: its id is derived from its bytes."""
    header = {"id": f"forifyllnad-{hashlib.sha256(data).hexdigest()[:16]}", "type": "FK7804", "version": "2"}
    return _certificate(header, read_answers(root.iterchildren("{*}svar"), source), source, root)


def _certificate(
    header: dict[str, Any], answers: dict[str, Any], source: str, element: etree._Element
) -> Certificate:
    """Validate the whole certificate, nested models included, in one pydantic call."""
    fields = header | answers
    try:
        return _VALIDATE(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(part) for part in error["loc"])
        raise InputError(source, f"{error['msg']} ({path})", Position(line_of(element))) from None


def _child(parent: etree._Element | None, *tags: str) -> etree._Element | None:
    """The first element down the chain of child ``tags`` (C-level iteration, faster than find())."""
    for tag in tags:
        if parent is None:
            return None
        parent = next(parent.iterchildren(tag), None)
    return parent


def _text(parent: etree._Element | None, *tags: str) -> str | None:
    """The stripped text down the chain of child ``tags``; ``None`` when absent or blank."""
    element = _child(parent, *tags)
    return ((element.text or "").strip() or None) if element is not None else None


def _required_text(
    intyg: etree._Element, element: etree._Element | None, tags: tuple[str, ...], source: str, label: str
) -> str:
    """The text down ``tags`` from ``element`` (a child of ``intyg``), or an error at ``intyg``."""
    value = _text(element, *tags)
    if not value:
        raise InputError(
            source,
            f"{label} saknas eller är tomt [{label} is missing or empty]",
            Position(line_of(intyg), None, label),
        )
    return value


def _timestamp(element: etree._Element | None, source: str) -> datetime | None:
    if element is None:
        return None
    raw = (element.text or "").strip()
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(
            source,
            f"ogiltig signeringstidpunkt '{raw}' [invalid signing time '{raw}']",
            Position(line_of(element), None, "intyg/signeringstidpunkt"),
        ) from None


def _patient(patient: etree._Element | None, source: str) -> Patient | None:
    if patient is None:
        return None
    element = _child(patient, _PERSON_ID)
    raw = _text(element, _EXTENSION)
    if raw is None:
        reason = "patientens person-id saknas [patient person-id is missing]"
        raise InputError(source, reason, _where(element, patient))
    try:
        return Patient.from_personal_id(parse_personal_id(raw))
    except PersonalIdError as exc:
        raise InputError(source, f"patientens person-id: {exc}", _where(element, patient)) from None


def _where(element: etree._Element | None, patient: etree._Element) -> Position:
    return Position(line_of(element if element is not None else patient), None, "patient/person-id")


def _issuer(created_by: etree._Element | None) -> dict[str, str | None] | None:
    """The issuer's fields (validated with the certificate)."""
    if created_by is None:
        return None
    person = _firsts(created_by)
    unit = _firsts(person.get(_UNIT))
    provider = _firsts(unit.get(_PROVIDER))
    return {
        "person_id": _hsa_or_pseudonym(_text(person.get(_PERSONAL_ID), _EXTENSION)),
        "person_name": _text(person.get(_FULL_NAME)),
        "unit_id": _text(unit.get(_UNIT_ID), _EXTENSION),
        "unit_name": _text(unit.get(_UNIT_NAME)),
        "care_provider_id": _text(provider.get(_PROVIDER_ID), _EXTENSION),
        "care_provider_name": _text(provider.get(_PROVIDER_NAME)),
    }


def _firsts(parent: etree._Element | None) -> dict[Any, etree._Element]:
    """The children of ``parent`` by tag, the first of each (one C-built child list; ``{}`` for None)."""
    found: dict[Any, etree._Element] = {}
    if parent is not None:
        for child in parent[:]:  # type: ignore[index]
            tag = child.tag
            if tag not in found:
                found[tag] = child
    return found


def _hsa_or_pseudonym(value: str | None) -> str | None:
    """An HSA id as given; a personnummer-shaped id replaced by its pseudonym (it is personal data)."""
    # The shape starts with a decimal digit (regex \d): an HSA id ("SE...") is ruled out without the regex.
    if value is None or not value[:1].isdecimal() or not _PERSONNUMMER_SHAPE.match(value):
        return value
    try:
        return parse_personal_id(value).pseudonym()
    except PersonalIdError:
        return pseudonymise(value)


def _relations(elements: list[etree._Element], source: str) -> list[dict[str, Any]]:
    """The kept relations' fields (validated with the certificate)."""
    relations: list[dict[str, Any]] = []
    for element in elements:
        code = _text(element, _TYP, _CODE) or ""
        target = _text(element, _INTYGS_ID, _EXTENSION)
        if code in IGNORED_RELATION_CODES:
            continue
        if code not in RELATION_CODES:
            raise InputError(
                source, f"okänd relationstyp '{code}' [unknown relation type '{code}']", _at_relation(element)
            )
        if not target:
            raise InputError(
                source, "relationens intygs-id saknas [relation has no certificate id]", _at_relation(element)
            )
        relations.append({"kind": RELATION_CODES[code], "certificate_id": target})
    return relations


def _at_relation(element: etree._Element) -> Position:
    return Position(line_of(element), None, "intyg/relation")


__all__ = ["read_rivta"]
