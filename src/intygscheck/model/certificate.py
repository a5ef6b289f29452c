"""The DFA certificate model: one FK 7804 certificate, independent of any input format.

Every answer field carries its FK question id in its JSON Schema (``fk_question``), so a
finding about a field can name the question Försäkringskassan would name. Text is kept as
written (whitespace included), codes as given, so structural rules can see real defects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date, datetime
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .codes import (
    BasisKind,
    CodeSystem,
    Grade,
    MeasureCode,
    Occupation,
    PrognosisCode,
    RelationKind,
)
from .personal_id import ParsedPersonalId, PersonalIdKind, Sex


def answer(question: str, default: Any = None, **kwargs: Any) -> Any:
    """A model field that answers FK question ``question`` (e.g. ``"17"`` or ``"33.2"``)."""
    return Field(default, json_schema_extra={"fk_question": question}, **kwargs)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Patient(_Frozen):
    """The patient, pseudonymously: no identity number is stored."""

    key: str = Field(description="Keyed pseudonym of the identity number (stable per person).")
    id_kind: PersonalIdKind | None = None
    id_check_digit_valid: bool = True
    sex: Sex | None = None
    birth_date: date | None = None

    @classmethod
    def from_personal_id(cls, parsed: ParsedPersonalId, secret: str | None = None) -> Patient:
        """The pseudonymous patient for a parsed identity number."""
        return cls(
            key=parsed.pseudonym(secret),
            id_kind=parsed.kind,
            id_check_digit_valid=parsed.check_digit_valid,
            sex=parsed.sex,
            birth_date=parsed.birth_date,
        )

    def age_at(self, day: date) -> int | None:
        """Age in whole years on ``day``."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Issuer(_Frozen):
    """Who signed the certificate and where: person, care unit and care provider."""

    person_id: str | None = Field(None, description="HSA id of the signing doctor.")
    person_name: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    care_provider_id: str | None = None
    care_provider_name: str | None = None


class Basis(_Frozen):
    """One entry of "Intyget är baserat på" (question 1)."""

    kind: BasisKind = answer("1.1")
    date: dt.date | None = answer("1.2")
    text: str | None = answer("1.3", description="Required with ANNAT, forbidden otherwise.")


class Diagnosis(_Frozen):
    """One diagnosis row (question 6), code as written in transport (no dot)."""

    code: str = answer("6.2")
    code_system: str | None = answer("6.2", description="Code-system OID, e.g. 1.2.752.116.1.1.1.")
    text: str | None = answer("6.1")

    @property
    def normalized_code(self) -> str:
        """Upper case, without dot or whitespace: ``f43.8a`` → ``F438A``."""
        code = self.code
        if code.isalnum():  # no whitespace and no dot (the usual transport form): nothing to remove
            return code.upper()
        return "".join(code.split()).replace(".", "").upper()

    @property
    def code_system_family(self) -> str | None:
        """``ICD-10-SE`` or ``KSH97-P`` (``None`` for an unknown OID)."""
        return _FAMILIES.get(self.code_system) if self.code_system else None


_FAMILIES: dict[str, str] = {system.value: system.family for system in CodeSystem}
"""Code-system OID → family (what ``CodeSystem(oid).family`` gives, without the enum call)."""


class FunctionalImpairment(_Frozen):
    """F — funktionsnedsättning (question 35): observations, findings, test results."""

    text: str | None = answer("35.1")


class ActivityLimitation(_Frozen):
    """A — aktivitetsbegränsning (question 17): what the patient cannot do, and how much."""

    text: str | None = answer("17.1")


class Treatment(_Frozen):
    """Ongoing and planned treatment (questions 19 and 20; v2 merges them into 19)."""

    ongoing: str | None = answer("19.1")
    planned: str | None = answer("20.1")


class SickLeavePeriod(_Frozen):
    """One period of reduced work capacity (question 32): grade, first and last day, inclusive."""

    grade: Grade = answer("32.1")
    start: date = answer("32.2")
    end: date = answer("32.2")

    @property
    def days(self) -> int:
        """Calendar days covered, inclusive (0 when the period is reversed)."""
        return max((self.end - self.start).days + 1, 0)

    @property
    def is_part_time(self) -> bool:
        """True for 25, 50 and 75 %."""
        return self.grade is not Grade.HELT_NEDSATT


class WorkingTime(_Frozen):
    """Arbetstidsförläggning (question 33): a different placement of working hours."""

    requested: bool | None = answer("33.1")
    motivation: str | None = answer("33.2")


class Prognosis(_Frozen):
    """Prognosis for return to work (question 39) and its dependent answers."""

    code: PrognosisCode | None = answer("39.1")
    text: str | None = answer("39.2", description="Grund för bedömning (v2 only).")
    days: int | None = answer("39.3", description="Days with ATER_X_ANTAL_DGR (v1).")
    months: int | None = answer("39.4", description="Months with ATER_X_ANTAL_MANADER (v2).")


class Measures(_Frozen):
    """Work-oriented measures (question 40 codes, question 44 text)."""

    codes: tuple[MeasureCode, ...] = answer("40.1", ())
    text: str | None = answer("44.1")


class ContactWish(_Frozen):
    """Wish for contact with Försäkringskassan (question 26)."""

    wanted: bool | None = answer("26.1")
    reason: str | None = answer("26.2")


class Relation(_Frozen):
    """This certificate replaces or completes an earlier one."""

    kind: RelationKind
    certificate_id: str


class DFA(_Frozen):
    """The Diagnos – Funktionsnedsättning – Aktivitetsbegränsning chain of a certificate."""

    diagnoses: tuple[Diagnosis, ...]
    functional_impairment: str | None
    activity_limitation: str | None


class Certificate(_Frozen):
    """One FK 7804 certificate (Läkarintyg för sjukpenning), as the DFA model."""

    id: str
    type: str = Field("FK7804", description="Certificate type code, e.g. LISJP or FK7804.")
    version: str = "1"
    signed_at: datetime | None = None
    patient: Patient | None = None
    issuer: Issuer | None = None
    smittbararpenning: bool | None = answer("27.1")
    basis: tuple[Basis, ...] = answer("1", ())
    occupations: tuple[Occupation, ...] = answer("28.1", ())
    work_tasks: str | None = answer("29.1")
    diagnoses: tuple[Diagnosis, ...] = answer("6", ())
    functional_impairment: FunctionalImpairment = answer("35", FunctionalImpairment())
    activity_limitation: ActivityLimitation = answer("17", ActivityLimitation())
    treatment: Treatment = answer("19", Treatment())
    periods: tuple[SickLeavePeriod, ...] = answer("32", ())
    working_time: WorkingTime = answer("33", WorkingTime())
    travel: bool | None = answer("34.1")
    fmb_motivation: str | None = answer("37.1")
    prognosis: Prognosis = answer("39", Prognosis())
    measures: Measures = answer("40", Measures())
    other_information: str | None = answer("25.1")
    contact: ContactWish = answer("26", ContactWish())
    relations: tuple[Relation, ...] = ()
    withdrawn_answers: tuple[str, ...] = Field(
        (),
        description="Ids of questions the source answers that the form no longer asks "
        "(e.g. 30 in LISJP v1); kept so a structural rule can flag them.",
    )

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("certificate id must not be blank")
        return value

    @property
    def signed_date(self) -> date | None:
        """The signing day."""
        return self.signed_at.date() if self.signed_at else None

    @property
    def age_at_signing(self) -> int | None:
        """Patient age in whole years on the signing day."""
        if self.patient is None or self.signed_date is None:
            return None
        return self.patient.age_at(self.signed_date)

    @property
    def main_diagnosis(self) -> Diagnosis | None:
        """The first diagnosis row."""
        return self.diagnoses[0] if self.diagnoses else None

    @property
    def first_day(self) -> date | None:
        """The earliest start of any period."""
        return min((p.start for p in self.periods), default=None)

    @property
    def last_day(self) -> date | None:
        """The latest end of any period."""
        return max((p.end for p in self.periods), default=None)

    @cached_property
    def days_covered(self) -> int:
        """Calendar days covered by the periods, inclusive, overlaps counted once."""
        return count_days(merge_day_intervals(day_intervals(self.periods)))

    @property
    def grades(self) -> tuple[Grade, ...]:
        """The grades of the periods, in period order."""
        return tuple(p.grade for p in self.periods)

    @property
    def dfa(self) -> DFA:
        """The D, F and A of the certificate."""
        return DFA(
            diagnoses=self.diagnoses,
            functional_impairment=self.functional_impairment.text,
            activity_limitation=self.activity_limitation.text,
        )


DayInterval = tuple[int, int]
"""First and last day of a stretch of days, inclusive, as date ordinals."""


def day_intervals(periods: Iterable[SickLeavePeriod]) -> list[DayInterval]:
    """The periods as ordinal day intervals (reversed periods cover no day and are left out)."""
    return [(p.start.toordinal(), p.end.toordinal()) for p in periods if p.end >= p.start]


def merge_day_intervals(intervals: Iterable[DayInterval]) -> list[DayInterval]:
    """Sorted, non-overlapping intervals covering the same days (adjacent ones joined)."""
    merged: list[DayInterval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def count_days(merged: Iterable[DayInterval]) -> int:
    """Days covered by merged intervals (see :func:`merge_day_intervals`)."""
    return sum(end - start + 1 for start, end in merged)


def question_of(model: type[BaseModel], field_name: str) -> str | None:
    """The FK question id a model field answers, or ``None``."""
    info = model.model_fields[field_name]
    extra = info.json_schema_extra
    return extra.get("fk_question") if isinstance(extra, dict) else None  # type: ignore[return-value]
