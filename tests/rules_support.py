"""Helpers for the rule-language tests: made-up certificates and small rulesets in tmp dirs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from intygscheck.model import (
    ActivityLimitation,
    Basis,
    BasisKind,
    Certificate,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    Issuer,
    Occupation,
    Patient,
    Prognosis,
    PrognosisCode,
    SickLeavePeriod,
)

REPO = Path(__file__).resolve().parents[1]
TEST_RULESETS = REPO / "tests" / "rulesets"


def certificate(**overrides: Any) -> Certificate:
    """A complete, made-up FK 7804 certificate; keyword arguments replace fields."""
    values: dict[str, Any] = {
        "id": "intyg-1",
        "signed_at": datetime(2024, 3, 1, 9, 30),
        "patient": Patient(key="p-123"),
        "issuer": Issuer(unit_id="SE-UNIT-1", care_provider_id="SE-CP-1"),
        "basis": (Basis(kind=BasisKind.UNDERSOKNING, date=date(2024, 3, 1)),),
        "occupations": (Occupation.NUVARANDE_ARBETE,),
        "work_tasks": "Undersköterska på vårdavdelning, tunga lyft.",
        "diagnoses": (Diagnosis(code="M545", code_system="1.2.752.116.1.1.1", text="Lumbago"),),
        "functional_impairment": FunctionalImpairment(
            text="Nedsatt rörlighet i ländryggen, smärta vid flexion."
        ),
        "activity_limitation": ActivityLimitation(
            text="Kan inte lyfta patienter eller stå längre än tio minuter."
        ),
        "periods": (
            SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2024, 3, 1), end=date(2024, 3, 14)),
        ),
        "prognosis": Prognosis(code=PrognosisCode.STOR_SANNOLIKHET),
    }
    values.update(overrides)
    return Certificate(**values)


def write_ruleset(directory: Path, name: str, body: str) -> Path:
    """Write ``<directory>/<name>.rules`` and return its path."""
    path = directory / f"{name}.rules"
    path.write_text(body, encoding="utf-8")
    return path


def rule(
    rule_id: str, when: str, *, severity: str = "warning", questions: str = '["17"]', extra: str = ""
) -> str:
    """The text of one complete rule with ``when`` as its condition."""
    return (
        f'rule "{rule_id}" {{\n'
        f'  title "Regel {rule_id}"\n'
        f"  severity {severity}\n"
        f"  category komplettering\n"
        f"  questions {questions}\n"
        f"  when {when}\n"
        f'  message sv "Fynd {rule_id}."\n'
        f'  message en "Finding {rule_id}."\n'
        f"{extra}"
        f"}}\n"
    )
