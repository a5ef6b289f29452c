"""An integer enum (``Grade``) compares with its code names as well as its number (dsl-requests 7)."""

from __future__ import annotations

from datetime import date

import pytest

from intygscheck.model import Grade, SickLeavePeriod
from intygscheck.rules import RulesetError
from intygscheck.rules.expression import compile_expression
from rules_support import certificate

HALF = certificate(
    periods=(SickLeavePeriod(grade=Grade.HALFTEN, start=date(2024, 3, 1), end=date(2024, 3, 14)),)
)
FULL = certificate()  # one period, HELT_NEDSATT


@pytest.mark.parametrize(
    ("expression", "on_half", "on_full"),
    [
        ('periods[0].grade == "HELT_NEDSATT"', False, True),
        ('"HELT_NEDSATT" == periods[0].grade', False, True),
        ('periods[0].grade != "HALFTEN"', False, True),
        ('periods[0].grade > "HALFTEN"', False, True),
        ('any(periods, p -> p.grade in ["HALFTEN", "TRE_FJARDEDEL"])', True, False),
        ('any(periods, p -> p.grade not in ["HALFTEN"])', False, True),
        ('"HALFTEN" in map(periods, p -> p.grade)', True, False),
        ("periods[0].grade == 50", True, False),
    ],
)
def test_grade_compares_with_its_code_name(expression: str, on_half: bool, on_full: bool) -> None:
    condition = compile_expression(expression)
    assert condition(HALF) is on_half
    assert condition(FULL) is on_full


@pytest.mark.parametrize(
    ("expression", "bad"),
    [
        ('periods[0].grade == "HALF"', "'HALF' is not a code of Grade; did you mean 'HALFTEN'?"),
        ('periods[0].grade in ["HALFTEN", "HELT"]', "'HELT' is not a code of Grade"),
        ('"TRE_FJARDEDELAR" == periods[0].grade', "did you mean 'TRE_FJARDEDEL'?"),
    ],
)
def test_unknown_grade_code_is_a_load_time_error(expression: str, bad: str) -> None:
    with pytest.raises(RulesetError) as caught:
        compile_expression(expression)
    assert bad in str(caught.value)


def test_grade_against_other_text_is_still_rejected() -> None:
    with pytest.raises(RulesetError) as caught:
        compile_expression("periods[0].grade == work_tasks")
    assert "cannot compare Grade (code) with string" in str(caught.value)
