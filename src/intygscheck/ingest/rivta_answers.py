"""The answers of a RIVTA certificate: every ``svar``/``delsvar`` mapped to model fields.

The mapping follows the FK question ids that the model's fields carry (``fk_question``).
Codes are decoded to the model's enums (an unknown code is an :class:`InputError` naming
the delsvar and the code); texts are kept as written. The reader is version-agnostic: v1
and v2 codes are all accepted here, and which belong to which version is for rules to say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..errors import InputError, Position
from ..model import (
    PROGNOSIS_DAYS,
    ActivityLimitation,
    Basis,
    BasisKind,
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
from .rivta_names import CODE_SYSTEMS, SVAR_TAGS
from .rivta_values import Svar
from .xml_safety import line_of

PARTS: dict[str, frozenset[str]] = {
    "27": frozenset({"27.1"}),
    "1": frozenset({"1.1", "1.2", "1.3"}),
    "28": frozenset({"28.1"}),
    "29": frozenset({"29.1"}),
    "6": frozenset({"6.1", "6.2", "6.3", "6.4", "6.5", "6.6"}),
    "35": frozenset({"35.1"}),
    "17": frozenset({"17.1"}),
    "19": frozenset({"19.1"}),
    "20": frozenset({"20.1"}),
    "32": frozenset({"32.1", "32.2"}),
    "33": frozenset({"33.1", "33.2"}),
    "34": frozenset({"34.1"}),
    "37": frozenset({"37.1"}),
    "39": frozenset({"39.1", "39.2", "39.3", "39.4"}),
    "40": frozenset({"40.1"}),
    "44": frozenset({"44.1"}),
    "25": frozenset({"25.1"}),
    "26": frozenset({"26.1", "26.2"}),
}
"""The delsvar ids each known question may have."""

REPEATABLE = frozenset({"1", "28", "6", "32", "40"})
"""Questions answered with one ``svar`` per entry (``instans``); the others occur at most once."""

WITHDRAWN = frozenset({"30"})
"""Questions withdrawn from LISJP v1 (30: description of a labour-market programme, which went
with the withdrawn occupation code ARBETSMARKNADSPOLITISKT_PROGRAM). Read, not rejected: their
ids are kept in ``Certificate.withdrawn_answers`` so a structural rule can flag them."""

DIAGNOSIS_ROWS = (("6.1", "6.2"), ("6.3", "6.4"), ("6.5", "6.6"))
"""(text, code) delsvar of the main diagnosis and the two secondary ones."""


@dataclass
class _Fields:
    """Answers collected while walking the svar, turned into model fields by :meth:`model_fields`."""

    scalars: dict[str, Any] = field(default_factory=dict)
    basis: list[Basis] = field(default_factory=list)
    occupations: list[Occupation] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    periods: list[SickLeavePeriod] = field(default_factory=list)
    measure_codes: list[MeasureCode] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def model_fields(self) -> dict[str, Any]:
        s = self.scalars
        return {
            "smittbararpenning": s.get("smittbararpenning"),
            "basis": tuple(self.basis),
            "occupations": tuple(self.occupations),
            "work_tasks": s.get("work_tasks"),
            "diagnoses": tuple(self.diagnoses),
            "functional_impairment": FunctionalImpairment(text=s.get("functional_impairment")),
            "activity_limitation": ActivityLimitation(text=s.get("activity_limitation")),
            "treatment": Treatment(ongoing=s.get("treatment_ongoing"), planned=s.get("treatment_planned")),
            "periods": tuple(self.periods),
            "working_time": WorkingTime(
                requested=s.get("working_time_requested"), motivation=s.get("working_time_motivation")
            ),
            "travel": s.get("travel"),
            "fmb_motivation": s.get("fmb_motivation"),
            "prognosis": s.get("prognosis", Prognosis()),
            "measures": Measures(codes=tuple(self.measure_codes), text=s.get("measures_text")),
            "other_information": s.get("other_information"),
            "contact": ContactWish(wanted=s.get("contact_wanted"), reason=s.get("contact_reason")),
            "withdrawn_answers": tuple(self.withdrawn),
        }


def _basis(svar: Svar, out: _Fields) -> None:
    out.basis.append(
        Basis(
            kind=svar.enum("1.1", BasisKind, CODE_SYSTEMS["1"]),
            date=svar.date("1.2"),
            text=svar.text("1.3"),
        )
    )


def _occupation(svar: Svar, out: _Fields) -> None:
    out.occupations.append(svar.enum("28.1", Occupation, CODE_SYSTEMS["28"]))


def _diagnoses(svar: Svar, out: _Fields) -> None:
    for text_id, code_id in DIAGNOSIS_ROWS:
        if not (svar.has(text_id) or svar.has(code_id)):
            continue
        code, system = svar.cv(code_id)
        out.diagnoses.append(Diagnosis(code=code, code_system=system, text=svar.text(text_id)))


def _period(svar: Svar, out: _Fields) -> None:
    grade = svar.enum("32.1", Grade.from_code, CODE_SYSTEMS["32"])
    start, end = svar.period("32.2")
    out.periods.append(SickLeavePeriod(grade=grade, start=start, end=end))


def _prognosis(svar: Svar, out: _Fields) -> None:
    code = svar.enum("39.1", PrognosisCode, CODE_SYSTEMS["39"]) if svar.has("39.1") else None
    days = svar.enum("39.3", PROGNOSIS_DAYS.__getitem__, CODE_SYSTEMS["39.3"]) if svar.has("39.3") else None
    out.scalars["prognosis"] = Prognosis(
        code=code, text=svar.text("39.2"), days=days, months=svar.integer("39.4")
    )


def _measure(svar: Svar, out: _Fields) -> None:
    out.measure_codes.append(svar.enum("40.1", MeasureCode, CODE_SYSTEMS["40"]))


def _simple(**targets: tuple[str, str]) -> Callable[[Svar, _Fields], None]:
    """A handler storing each delsvar as a scalar: ``name=(delsvar id, "text"|"boolean")``."""

    def handle(svar: Svar, out: _Fields) -> None:
        for name, (part_id, kind) in targets.items():
            out.scalars[name] = svar.boolean(part_id) if kind == "boolean" else svar.text(part_id)

    return handle


HANDLERS: dict[str, Callable[[Svar, _Fields], None]] = {
    "27": _simple(smittbararpenning=("27.1", "boolean")),
    "1": _basis,
    "28": _occupation,
    "29": _simple(work_tasks=("29.1", "text")),
    "6": _diagnoses,
    "35": _simple(functional_impairment=("35.1", "text")),
    "17": _simple(activity_limitation=("17.1", "text")),
    "19": _simple(treatment_ongoing=("19.1", "text")),
    "20": _simple(treatment_planned=("20.1", "text")),
    "32": _period,
    "33": _simple(working_time_requested=("33.1", "boolean"), working_time_motivation=("33.2", "text")),
    "34": _simple(travel=("34.1", "boolean")),
    "37": _simple(fmb_motivation=("37.1", "text")),
    "39": _prognosis,
    "40": _measure,
    "44": _simple(measures_text=("44.1", "text")),
    "25": _simple(other_information=("25.1", "text")),
    "26": _simple(contact_wanted=("26.1", "boolean"), contact_reason=("26.2", "text")),
}


def read_answers(container: etree._Element, source: str) -> dict[str, Any]:
    """The model fields answered by the ``svar`` children of ``container`` (``intyg`` or ``forifyllnad``)."""
    out = _Fields()
    seen: set[str] = set()
    for element in container.iterchildren("{*}svar"):
        if element.tag not in SVAR_TAGS:
            namespace = etree.QName(element).namespace
            raise InputError(
                source,
                f"svar i fel namnrymd ({namespace}) [svar in the wrong namespace ({namespace})]",
                Position(line_of(element)),
            )
        qid = (element.get("id") or "").strip()
        handler = HANDLERS.get(qid)
        if handler is None:
            if qid in WITHDRAWN:
                if qid not in out.withdrawn:
                    out.withdrawn.append(qid)
                continue
            raise InputError(
                source,
                f"okänd fråga '{qid}' [unknown question '{qid}']",
                Position(line_of(element), None, f"svar[@id={qid}]"),
            )
        svar = Svar(element, source, PARTS[qid])
        if qid in seen and qid not in REPEATABLE:
            raise svar.error(
                f"fråga {qid} besvaras mer än en gång [question {qid} is answered more than once]"
            )
        seen.add(qid)
        handler(svar, out)
    return out.model_fields()


__all__ = ["HANDLERS", "PARTS", "REPEATABLE", "read_answers"]
