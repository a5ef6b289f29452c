""":class:`~intygscheck.model.Certificate` → RIVTA ``RegisterCertificate`` XML.

Writes the LISJP v1 transport form (FK7804 v2 when ``certificate.version == "2"``; the
structure is the same), namespace-correct, in FK's question order, so that
``read_rivta(write_rivta(c, personal_id=pnr))`` gives ``c`` back with the patient derived
from ``pnr``. The model holds no identity number, so the patient element is written only
when the caller passes one. Used to make fixtures and to test the reader by round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from lxml import etree

from ..model import PROGNOSIS_DAYS, Certificate, Issuer, PersonalIdKind, parse_personal_id
from .rivta_names import (
    ARBETSPLATSKOD_ROOT,
    CODE_SYSTEMS,
    CORE_NS,
    HSA_ROOT,
    INTYG,
    INTYGSTYP_CODE_SYSTEM,
    PERSONNUMMER_ROOT,
    REGISTER_CERTIFICATE,
    RELATION_CODE_SYSTEM,
    RELATION_CODES,
    RESPONDER_NS,
    SAMORDNINGSNUMMER_ROOT,
    TYPES_NS,
    core,
    types,
)

_NSMAP = {None: CORE_NS, "ns2": RESPONDER_NS, "ns3": TYPES_NS}
_DAYS_CODES = {days: code for code, days in PROGNOSIS_DAYS.items()}
_RELATION_CODES = {kind: code for code, kind in RELATION_CODES.items()}
_TYPE_NAME = "Läkarintyg för sjukpenning"
_NO_ARBETSPLATSKOD = "0000000"
"""The schema requires an arbetsplatskod, which the model does not keep: a neutral all-zero code."""


class _Code(NamedTuple):
    code: str
    system: str | None


class _Period(NamedTuple):
    start: date
    end: date


Part = tuple[str, str | bool | int | date | _Code | _Period]
"""One delsvar to write: its id and its value."""


def write_rivta(certificate: Certificate, *, personal_id: str | None = None) -> bytes:
    """The certificate as RIVTA ``RegisterCertificate`` XML (UTF-8, with declaration).

    ``personal_id`` is the patient's personnummer or samordningsnummer; without it the
    patient element is left out. Raises ``ValueError`` for a value the transport format
    cannot hold: a prognosis day count outside KV_FKMU_0007, negative months, an invalid
    identity number, or text with characters XML 1.0 cannot carry (control characters).
    """
    root = etree.Element(REGISTER_CERTIFICATE, nsmap=_NSMAP)  # type: ignore[arg-type]  # None = default ns
    intyg = etree.SubElement(root, INTYG)
    _identifier(intyg, "intygs-id", _unit_root(certificate), certificate.id)
    typ = etree.SubElement(intyg, core("typ"))
    _leaf(typ, types("code"), certificate.type)
    _leaf(typ, types("codeSystem"), INTYGSTYP_CODE_SYSTEM)
    _leaf(typ, types("displayName"), _TYPE_NAME)
    _leaf(intyg, core("version"), certificate.version)
    if certificate.signed_at is not None:
        _leaf(intyg, core("signeringstidpunkt"), _timestamp(certificate.signed_at))
    if personal_id is not None:
        _patient(intyg, personal_id)
    if certificate.issuer is not None:
        _created_by(intyg, certificate.issuer)
    for relation in certificate.relations:
        element = etree.SubElement(intyg, core("relation"))
        kind = etree.SubElement(element, core("typ"))
        _leaf(kind, types("code"), _RELATION_CODES[relation.kind])
        _leaf(kind, types("codeSystem"), RELATION_CODE_SYSTEM)
        _identifier(element, "intygs-id", _unit_root(certificate), relation.certificate_id)
    for qid, instance, parts in _answers(certificate):
        _svar(intyg, qid, instance, parts)
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return written


def _answers(c: Certificate) -> Iterator[tuple[str, int | None, list[Part]]]:
    """(question id, instans, delsvar) in FK's order; questions without any answer are skipped."""
    yield "27", None, _present(("27.1", c.smittbararpenning))
    for n, basis in enumerate(c.basis, 1):
        yield (
            "1",
            n,
            _present(
                ("1.1", _Code(basis.kind.value, CODE_SYSTEMS["1"])), ("1.2", basis.date), ("1.3", basis.text)
            ),
        )
    for n, occupation in enumerate(c.occupations, 1):
        yield "28", n, [("28.1", _Code(occupation.value, CODE_SYSTEMS["28"]))]
    yield "29", None, _present(("29.1", c.work_tasks))
    for start in range(0, len(c.diagnoses), 3):  # v1 holds three rows per svar; more go in another svar
        rows = c.diagnoses[start : start + 3]
        parts: list[Part] = []
        for index, diagnosis in enumerate(rows):
            text_id, code_id = f"6.{2 * index + 1}", f"6.{2 * index + 2}"
            parts += _present(
                (text_id, diagnosis.text), (code_id, _Code(diagnosis.code, diagnosis.code_system))
            )
        yield "6", None, parts
    yield "35", None, _present(("35.1", c.functional_impairment.text))
    yield "17", None, _present(("17.1", c.activity_limitation.text))
    yield "19", None, _present(("19.1", c.treatment.ongoing))
    yield "20", None, _present(("20.1", c.treatment.planned))
    for n, period in enumerate(c.periods, 1):
        yield (
            "32",
            n,
            [
                ("32.1", _Code(period.grade.code, CODE_SYSTEMS["32"])),
                ("32.2", _Period(period.start, period.end)),
            ],
        )
    yield "37", None, _present(("37.1", c.fmb_motivation))
    yield "33", None, _present(("33.1", c.working_time.requested), ("33.2", c.working_time.motivation))
    yield "34", None, _present(("34.1", c.travel))
    prognosis = c.prognosis
    yield (
        "39",
        None,
        _present(
            ("39.1", _Code(prognosis.code.value, CODE_SYSTEMS["39"]) if prognosis.code else None),
            ("39.2", prognosis.text),
            (
                "39.3",
                _Code(_days_code(prognosis.days), CODE_SYSTEMS["39.3"])
                if prognosis.days is not None
                else None,
            ),
            ("39.4", _months(prognosis.months) if prognosis.months is not None else None),
        ),
    )
    for n, measure in enumerate(c.measures.codes, 1):
        yield "40", n, [("40.1", _Code(measure.value, CODE_SYSTEMS["40"]))]
    yield "44", None, _present(("44.1", c.measures.text))
    yield "25", None, _present(("25.1", c.other_information))
    yield "26", None, _present(("26.1", c.contact.wanted), ("26.2", c.contact.reason))
    for qid in c.withdrawn_answers:  # only their presence is kept, so an empty answer carries it
        yield qid, None, [(f"{qid}.1", "")]


def _present(*parts: tuple[str, object]) -> list[Part]:
    return [(part_id, value) for part_id, value in parts if value is not None]  # type: ignore[misc]


def _svar(intyg: etree._Element, qid: str, instance: int | None, parts: list[Part]) -> None:
    if not parts:
        return
    svar = etree.SubElement(intyg, core("svar"), id=qid)
    if instance is not None:
        _leaf(svar, core("instans"), str(instance))
    for part_id, value in parts:
        delsvar = etree.SubElement(svar, core("delsvar"), id=part_id)
        if isinstance(value, bool):
            delsvar.text = "true" if value else "false"
        elif isinstance(value, int | str):
            delsvar.text = str(value)
        elif isinstance(value, date):
            delsvar.text = value.isoformat()
        elif isinstance(value, _Period):
            period = etree.SubElement(delsvar, types("datePeriod"))
            _leaf(period, types("start"), value.start.isoformat())
            _leaf(period, types("end"), value.end.isoformat())
        else:
            cv = etree.SubElement(delsvar, types("cv"))
            _leaf(cv, types("code"), value.code)
            _leaf(cv, types("codeSystem"), value.system or "")


def _days_code(days: int) -> str:
    try:
        return _DAYS_CODES[days]
    except KeyError:
        raise ValueError(f"prognosis days {days} is not in KV_FKMU_0007 ({sorted(_DAYS_CODES)})") from None


def _months(months: int) -> int:
    if months < 0:
        raise ValueError(f"prognosis months {months} is negative; 39.4 holds a whole number of months")
    return months


def _patient(intyg: etree._Element, personal_id: str) -> None:
    parsed = parse_personal_id(personal_id)
    root = SAMORDNINGSNUMMER_ROOT if parsed.kind is PersonalIdKind.SAMORDNINGSNUMMER else PERSONNUMMER_ROOT
    patient = etree.SubElement(intyg, core("patient"))
    _identifier(patient, "person-id", root, parsed.normalised)
    for name in ("fornamn", "efternamn", "postadress", "postnummer", "postort"):
        etree.SubElement(patient, core(name))


def _created_by(intyg: etree._Element, issuer: Issuer) -> None:
    created_by = etree.SubElement(intyg, core("skapadAv"))
    _identifier(created_by, "personal-id", HSA_ROOT, issuer.person_id or "")
    _leaf(created_by, core("fullstandigtNamn"), issuer.person_name or "")
    unit = etree.SubElement(created_by, core("enhet"))
    _identifier(unit, "enhets-id", HSA_ROOT, issuer.unit_id or "")
    _identifier(unit, "arbetsplatskod", ARBETSPLATSKOD_ROOT, _NO_ARBETSPLATSKOD)
    _leaf(unit, core("enhetsnamn"), issuer.unit_name or "")
    for name in ("postadress", "postnummer", "postort", "telefonnummer"):
        etree.SubElement(unit, core(name))
    provider = etree.SubElement(unit, core("vardgivare"))
    _identifier(provider, "vardgivare-id", HSA_ROOT, issuer.care_provider_id or "")
    _leaf(provider, core("vardgivarnamn"), issuer.care_provider_name or "")


def _identifier(parent: etree._Element, name: str, root: str, extension: str) -> None:
    element = etree.SubElement(parent, core(name))
    _leaf(element, types("root"), root)
    _leaf(element, types("extension"), extension)


def _leaf(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _unit_root(certificate: Certificate) -> str:
    """The intygs-id root: the issuing unit's HSA id, as Webcert writes it."""
    unit = certificate.issuer.unit_id if certificate.issuer is not None else None
    return unit or HSA_ROOT


def _timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss`` (the schema's TimeStampType); finer or zoned times keep full ISO form."""
    if moment.microsecond or moment.tzinfo is not None:
        return moment.isoformat()
    return moment.isoformat(timespec="seconds")


__all__ = ["write_rivta"]
