"""The FHIR R4 mapping of FK 7804, in one place: URLs, code systems and the question table.

Both :mod:`.fhir` (reader) and :mod:`.fhir_writer` use these tables, so the two cannot drift
apart. ``docs/fhir-mapping.md`` explains the mapping for people; this module is the code.

A certificate's answers travel between the model and FHIR as *answer groups*: one
``(question id, {delsvar id: value})`` pair per instance of a question, with values already
decoded (enums, ``str``, ``bool``, ``date``, ``int``, a ``(start, end)`` pair for 32.2, a
``(code, code system)`` pair for 6.2). :func:`answer_groups` and :func:`certificate_fields`
convert between a :class:`~intygscheck.model.Certificate` and those groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from ..model import (
    ActivityLimitation,
    Basis,
    BasisKind,
    Certificate,
    ContactWish,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    MeasureCode,
    Measures,
    Occupation,
    Prognosis,
    PrognosisCode,
    SickLeavePeriod,
    Treatment,
    WorkingTime,
)
from ..model.codes import PROGNOSIS_DAYS

BASE_URL = "http://intygscheck.se/fhir"
QUESTIONNAIRE_URL = f"{BASE_URL}/Questionnaire/fk7804"
CERTIFICATE_ID_SYSTEM = f"{BASE_URL}/NamingSystem/certificate-id"
CODE_SYSTEM_BASE = f"{BASE_URL}/CodeSystem/"
EXT_EXACT_TEXT = f"{BASE_URL}/StructureDefinition/exact-text"
EXT_CERTIFICATE_TYPE = f"{BASE_URL}/StructureDefinition/certificate-type"
EXT_CERTIFICATE_VERSION = f"{BASE_URL}/StructureDefinition/certificate-version"
EXT_RELATION = f"{BASE_URL}/StructureDefinition/certificate-relation"
EXT_WITHDRAWN_ANSWER = f"{BASE_URL}/StructureDefinition/withdrawn-answer"
"""The id of a question the source answered that the form no longer asks (one per extension)."""
EXT_ID_KIND = f"{BASE_URL}/StructureDefinition/personal-id-kind"
EXT_ID_CHECK_DIGIT_VALID = f"{BASE_URL}/StructureDefinition/personal-id-check-digit-valid"

PERSONNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.3"
PSEUDONYM_SYSTEM = "urn:intygscheck:pseudonym"
HSA_SYSTEM = "urn:oid:1.2.752.129.2.1.4.1"
OID_PREFIX = "urn:oid:"

PERIOD_START = "32.2.start"
PERIOD_END = "32.2.end"
"""LinkIds of the two date items nested in 32.2 (first and last day, inclusive)."""

ValueKind = Literal["string", "boolean", "date", "integer", "coding", "days", "diagnosis", "period"]


@dataclass(frozen=True)
class Delsvar:
    """One delsvar (sub-answer) of a question: its linkId, FHIR value type and code list."""

    link_id: str
    kind: ValueKind
    code_list: str | None = None
    codes: type[Enum] | None = None
    required: bool = False

    @property
    def code_systems(self) -> tuple[str, ...]:
        """The ``Coding.system`` values accepted for this delsvar (ours first, as written)."""
        if self.code_list is None:
            return ()
        return (CODE_SYSTEM_BASE + self.code_list, self.code_list)


@dataclass(frozen=True)
class Question:
    """One FK question: a group item whose nested items are its delsvar."""

    link_id: str
    title: str
    delsvar: tuple[Delsvar, ...]
    repeats: bool = False

    def find(self, link_id: str) -> Delsvar | None:
        """The delsvar with ``link_id``, or ``None``."""
        return next((d for d in self.delsvar if d.link_id == link_id), None)


def _code(link_id: str, code_list: str, codes: type[Enum]) -> Delsvar:
    return Delsvar(link_id, "coding", code_list, codes, required=True)


QUESTIONS: tuple[Question, ...] = (
    Question("27", "Smittbärarpenning", (Delsvar("27.1", "boolean"),)),
    Question(
        "1",
        "Intyget är baserat på",
        (_code("1.1", "KV_FKMU_0001", BasisKind), Delsvar("1.2", "date"), Delsvar("1.3", "string")),
        repeats=True,
    ),
    Question("28", "Sysselsättning", (_code("28.1", "KV_FKMU_0002", Occupation),), repeats=True),
    Question("29", "Yrke och arbetsuppgifter", (Delsvar("29.1", "string"),)),
    Question(
        "6",
        "Diagnos",
        (Delsvar("6.2", "diagnosis", required=True), Delsvar("6.1", "string")),
        repeats=True,
    ),
    Question("35", "Funktionsnedsättning", (Delsvar("35.1", "string"),)),
    Question("17", "Aktivitetsbegränsning", (Delsvar("17.1", "string"),)),
    Question("19", "Pågående medicinska behandlingar", (Delsvar("19.1", "string"),)),
    Question("20", "Planerade medicinska behandlingar", (Delsvar("20.1", "string"),)),
    Question(
        "32",
        "Nedsättning av arbetsförmåga",
        (_code("32.1", "KV_FKMU_0003", Grade), Delsvar("32.2", "period", required=True)),
        repeats=True,
    ),
    Question("33", "Arbetstidsförläggning", (Delsvar("33.1", "boolean"), Delsvar("33.2", "string"))),
    Question("34", "Resor till och från arbetet", (Delsvar("34.1", "boolean"),)),
    Question("37", "Motivering till längre sjukskrivning än FMB anger", (Delsvar("37.1", "string"),)),
    Question(
        "39",
        "Prognos",
        (
            Delsvar("39.1", "coding", "KV_FKMU_0006", PrognosisCode),
            Delsvar("39.2", "string"),
            Delsvar("39.3", "days", "KV_FKMU_0007"),
            Delsvar("39.4", "integer"),
        ),
    ),
    Question(
        "40", "Arbetslivsinriktade åtgärder", (_code("40.1", "KV_FKMU_0004", MeasureCode),), repeats=True
    ),
    Question("44", "Arbetslivsinriktade åtgärder, beskrivning", (Delsvar("44.1", "string"),)),
    Question("25", "Övriga upplysningar", (Delsvar("25.1", "string"),)),
    Question("26", "Kontakt med Försäkringskassan", (Delsvar("26.1", "boolean"), Delsvar("26.2", "string"))),
)
"""Every question, in the order the writer emits them."""

QUESTION_BY_ID: dict[str, Question] = {q.link_id: q for q in QUESTIONS}

DAYS_BY_CODE: dict[str, int] = PROGNOSIS_DAYS
CODE_BY_DAYS: dict[int, str] = {days: code for code, days in PROGNOSIS_DAYS.items()}

AnswerGroup = tuple[str, dict[str, Any]]
"""One instance of a question: its id and its delsvar values, decoded."""


def code_of(member: Enum) -> str:
    """The transport code of a code-list member (the enum name: ``HALFTEN``, ``ANNAT``)."""
    return member.name


_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_FHIR_STRING = re.compile(r"[ \r\n\t\S]")
_FHIR_CODE = re.compile(r"[^\s]+(\s[^\s]+)*")
_FHIR_URI = re.compile(r"\S+")


def is_fhir_string(text: str) -> bool:
    """True if FHIR's ``string`` type can hold ``text`` (not empty, not only non-ASCII spaces)."""
    return _FHIR_STRING.search(text) is not None


def is_fhir_code(text: str) -> bool:
    """True if FHIR's ``code`` type can hold ``text`` (no outer or doubled whitespace)."""
    return _FHIR_CODE.fullmatch(text) is not None


def is_fhir_uri(text: str) -> bool:
    """True if FHIR's ``uri`` type can hold ``text`` (not empty, no whitespace)."""
    return _FHIR_URI.fullmatch(text) is not None


def diagnosis_system(code_system: str) -> str | None:
    """The ``Coding.system`` for a diagnosis code system, or ``None`` if it would not read back.

    An OID becomes ``urn:oid:<oid>``; another URI is written as it is, unless it already
    starts with ``urn:oid:`` (it would read back without the prefix) or is not a valid URI.
    """
    if _OID.fullmatch(code_system):
        return OID_PREFIX + code_system
    if is_fhir_uri(code_system) and not code_system.startswith(OID_PREFIX):
        return code_system
    return None


def code_system_of(system: str) -> str:
    """The model's diagnosis code system for a ``Coding.system``: ``urn:oid:<oid>`` → the OID."""
    return system.removeprefix(OID_PREFIX)


def answer_groups(certificate: Certificate) -> list[AnswerGroup]:
    """The certificate's answers as answer groups, in FK question order; empty ones left out."""
    c = certificate
    groups: list[AnswerGroup] = []

    def add(question: str, values: dict[str, Any]) -> None:
        present = {key: value for key, value in values.items() if value is not None}
        if present:
            groups.append((question, present))

    add("27", {"27.1": c.smittbararpenning})
    for basis in c.basis:
        add("1", {"1.1": basis.kind, "1.2": basis.date, "1.3": basis.text})
    for occupation in c.occupations:
        add("28", {"28.1": occupation})
    add("29", {"29.1": c.work_tasks})
    for diagnosis in c.diagnoses:
        add("6", {"6.2": (diagnosis.code, diagnosis.code_system), "6.1": diagnosis.text})
    add("35", {"35.1": c.functional_impairment.text})
    add("17", {"17.1": c.activity_limitation.text})
    add("19", {"19.1": c.treatment.ongoing})
    add("20", {"20.1": c.treatment.planned})
    for period in c.periods:
        add("32", {"32.1": period.grade, "32.2": (period.start, period.end)})
    add("33", {"33.1": c.working_time.requested, "33.2": c.working_time.motivation})
    add("34", {"34.1": c.travel})
    add("37", {"37.1": c.fmb_motivation})
    p = c.prognosis
    add("39", {"39.1": p.code, "39.2": p.text, "39.3": p.days, "39.4": p.months})
    for measure in c.measures.codes:
        add("40", {"40.1": measure})
    add("44", {"44.1": c.measures.text})
    add("25", {"25.1": c.other_information})
    add("26", {"26.1": c.contact.wanted, "26.2": c.contact.reason})
    return groups


def certificate_fields(groups: list[AnswerGroup]) -> dict[str, Any]:
    """Keyword arguments for :class:`~intygscheck.model.Certificate` from answer groups.

    Expects groups that the reader has checked: known questions, non-repeating questions at
    most once, required delsvar present.
    """
    by_question: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for question, values in groups:
        by_question[question].append(values)

    def one(question: str) -> dict[str, Any]:
        found = by_question.get(question)
        return found[0] if found else {}

    return {
        "smittbararpenning": one("27").get("27.1"),
        "basis": tuple(Basis(kind=a["1.1"], date=a.get("1.2"), text=a.get("1.3")) for a in by_question["1"]),
        "occupations": tuple(a["28.1"] for a in by_question["28"]),
        "work_tasks": one("29").get("29.1"),
        "diagnoses": tuple(
            Diagnosis(code=a["6.2"][0], code_system=a["6.2"][1], text=a.get("6.1")) for a in by_question["6"]
        ),
        "functional_impairment": FunctionalImpairment(text=one("35").get("35.1")),
        "activity_limitation": ActivityLimitation(text=one("17").get("17.1")),
        "treatment": Treatment(ongoing=one("19").get("19.1"), planned=one("20").get("20.1")),
        "periods": tuple(
            SickLeavePeriod(grade=a["32.1"], start=a["32.2"][0], end=a["32.2"][1]) for a in by_question["32"]
        ),
        "working_time": WorkingTime(requested=one("33").get("33.1"), motivation=one("33").get("33.2")),
        "travel": one("34").get("34.1"),
        "fmb_motivation": one("37").get("37.1"),
        "prognosis": Prognosis(
            code=one("39").get("39.1"),
            text=one("39").get("39.2"),
            days=one("39").get("39.3"),
            months=one("39").get("39.4"),
        ),
        "measures": Measures(codes=tuple(a["40.1"] for a in by_question["40"]), text=one("44").get("44.1")),
        "other_information": one("25").get("25.1"),
        "contact": ContactWish(wanted=one("26").get("26.1"), reason=one("26").get("26.2")),
    }
