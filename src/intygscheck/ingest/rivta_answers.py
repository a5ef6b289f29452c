"""The answers of a RIVTA certificate: every ``svar``/``delsvar`` mapped to model fields.

The mapping follows the FK question ids that the model's fields carry (``fk_question``).
Codes are decoded to the model's enums (an unknown code is an :class:`InputError` naming
the delsvar and the code); texts are kept as written. The reader is version-agnostic: v1
and v2 codes are all accepted here, and which belong to which version is for rules to say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from ..errors import InputError, Position
from ..model import (
    PROGNOSIS_DAYS,
    BasisKind,
    Grade,
    MeasureCode,
    Occupation,
    PrognosisCode,
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


_BASIS_KINDS = {kind.value: kind for kind in BasisKind}
_OCCUPATIONS = {occupation.value: occupation for occupation in Occupation}
_GRADES = dict(Grade.__members__)  # by transport code (member name), as Grade.from_code
_PROGNOSIS_CODES = {code.value: code for code in PrognosisCode}
_PROGNOSIS_DAYS = dict(PROGNOSIS_DAYS)
_MEASURE_CODES = {code.value: code for code in MeasureCode}
"""Code → enum tables (one dict look-up, no enum machinery); unknown codes are not in them."""


class _Fields:
    """Answers collected while walking the svar, turned into model fields by :meth:`model_fields`.

    Nested models are collected as field dicts (with exactly the keys their constructors were
    given) so that :class:`~intygscheck.model.Certificate` validates the whole tree in one call.
    """

    __slots__ = ("basis", "diagnoses", "measure_codes", "occupations", "periods", "scalars", "withdrawn")

    def __init__(self) -> None:
        self.scalars: dict[str, Any] = {}
        self.basis: list[dict[str, Any]] = []
        self.occupations: list[Occupation] = []
        self.diagnoses: list[dict[str, Any]] = []
        self.periods: list[dict[str, Any]] = []
        self.measure_codes: list[MeasureCode] = []
        self.withdrawn: list[str] = []

    def model_fields(self) -> dict[str, Any]:
        get = self.scalars.get
        return {
            "smittbararpenning": get("smittbararpenning"),
            "basis": tuple(self.basis),
            "occupations": tuple(self.occupations),
            "work_tasks": get("work_tasks"),
            "diagnoses": tuple(self.diagnoses),
            "functional_impairment": {"text": get("functional_impairment")},
            "activity_limitation": {"text": get("activity_limitation")},
            "treatment": {"ongoing": get("treatment_ongoing"), "planned": get("treatment_planned")},
            "periods": tuple(self.periods),
            "working_time": {
                "requested": get("working_time_requested"),
                "motivation": get("working_time_motivation"),
            },
            "travel": get("travel"),
            "fmb_motivation": get("fmb_motivation"),
            "prognosis": get("prognosis", {}),
            "measures": {"codes": tuple(self.measure_codes), "text": get("measures_text")},
            "other_information": get("other_information"),
            "contact": {"wanted": get("contact_wanted"), "reason": get("contact_reason")},
            "withdrawn_answers": tuple(self.withdrawn),
        }


def _basis(svar: Svar, out: _Fields) -> None:
    out.basis.append(
        {
            "kind": svar.enum("1.1", _BASIS_KINDS.__getitem__, CODE_SYSTEMS["1"]),
            "date": svar.date("1.2"),
            "text": svar.text("1.3"),
        }
    )


def _occupation(svar: Svar, out: _Fields) -> None:
    out.occupations.append(svar.enum("28.1", _OCCUPATIONS.__getitem__, CODE_SYSTEMS["28"]))


def _diagnoses(svar: Svar, out: _Fields) -> None:
    parts = svar.parts
    for text_id, code_id in DIAGNOSIS_ROWS:
        if text_id not in parts and code_id not in parts:
            continue
        code, system = svar.cv(code_id)
        out.diagnoses.append({"code": code, "code_system": system, "text": svar.text(text_id)})


def _period(svar: Svar, out: _Fields) -> None:
    grade = svar.enum("32.1", _GRADES.__getitem__, CODE_SYSTEMS["32"])
    start, end = svar.period("32.2")
    out.periods.append({"grade": grade, "start": start, "end": end})


def _prognosis(svar: Svar, out: _Fields) -> None:
    code = svar.enum("39.1", _PROGNOSIS_CODES.__getitem__, CODE_SYSTEMS["39"]) if svar.has("39.1") else None
    days = svar.enum("39.3", _PROGNOSIS_DAYS.__getitem__, CODE_SYSTEMS["39.3"]) if svar.has("39.3") else None
    out.scalars["prognosis"] = {
        "code": code,
        "text": svar.text("39.2"),
        "days": days,
        "months": svar.integer("39.4"),
    }


def _measure(svar: Svar, out: _Fields) -> None:
    out.measure_codes.append(svar.enum("40.1", _MEASURE_CODES.__getitem__, CODE_SYSTEMS["40"]))


def _simple(**targets: tuple[str, str]) -> Callable[[Svar, _Fields], None]:
    """A handler storing each delsvar as a scalar: ``name=(delsvar id, "text"|"boolean")``."""
    steps = tuple((name, part_id, kind == "boolean") for name, (part_id, kind) in targets.items())

    def handle(svar: Svar, out: _Fields) -> None:
        scalars = out.scalars
        for name, part_id, boolean in steps:
            scalars[name] = svar.boolean(part_id) if boolean else svar.text(part_id)

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


_DISPATCH: dict[str, tuple[Callable[[Svar, _Fields], None], frozenset[str], bool]] = {
    qid: (handler, PARTS[qid], qid in REPEATABLE) for qid, handler in HANDLERS.items()
}
"""Per question id: its handler, its allowed delsvar ids and whether it may repeat."""


def read_answers(svar_elements: Iterable[etree._Element], source: str) -> dict[str, Any]:
    """The model fields answered by ``svar_elements`` (the ``svar`` children of ``intyg`` or ``forifyllnad``).

    Nested models come back as field dicts, validated when the certificate is built.
    """
    out = _Fields()
    seen: set[str] = set()
    for element in svar_elements:
        if element.tag not in SVAR_TAGS:
            namespace = etree.QName(element).namespace
            raise InputError(
                source,
                f"svar i fel namnrymd ({namespace}) [svar in the wrong namespace ({namespace})]",
                Position(line_of(element)),
            )
        qid = (element.get("id") or "").strip()
        entry = _DISPATCH.get(qid)
        if entry is None:
            if qid in WITHDRAWN:
                if qid not in out.withdrawn:
                    out.withdrawn.append(qid)
                continue
            raise InputError(
                source,
                f"okänd fråga '{qid}' [unknown question '{qid}']",
                Position(line_of(element), None, f"svar[@id={qid}]"),
            )
        handler, allowed, repeatable = entry
        svar = Svar(element, source, allowed)
        if not repeatable and qid in seen:
            raise svar.error(
                f"fråga {qid} besvaras mer än en gång [question {qid} is answered more than once]"
            )
        seen.add(qid)
        handler(svar, out)
    return out.model_fields()


__all__ = ["HANDLERS", "PARTS", "REPEATABLE", "read_answers"]
