"""Null semantics, exactly as the rule-language reference specifies, as a table."""

from __future__ import annotations

from typing import Any

import pytest

from intygscheck.model import ActivityLimitation, Certificate, Prognosis
from intygscheck.rules.expression import compile_expression
from rules_support import certificate

EMPTY = Certificate(id="tom")  # every optional answer missing
LEXICONS = {"fraser": ["orkar inte"]}

NULL_TABLE: list[tuple[str, Any]] = [
    # a path through null is null
    ("prognosis.days", None),
    ("main_diagnosis.code", None),
    ("patient.sex", None),
    ("diagnoses[0].code", None),
    ("diagnoses[-1]", None),
    # comparisons with null are false, except == null / != null
    ("prognosis.days > 3", False),
    ("prognosis.days < 3", False),
    ("prognosis.days == 3", False),
    ("prognosis.days != 3", False),
    ("prognosis.days == null", True),
    ("prognosis.days != null", False),
    ("null == prognosis.days", True),
    ('work_tasks in ["a"]', False),
    ('work_tasks not in ["a"]', False),
    ('occupations contains "STUDIER"', False),
    # arithmetic with null is null
    ("prognosis.days + 1", None),
    ("-prognosis.days", None),
    ("signed_date - 2024-01-01", None),
    ("first_day + 3 days", None),
    # and / or / not treat null as false
    ("smittbararpenning and true", False),
    ("smittbararpenning or true", True),
    ("smittbararpenning or false", False),
    ("not smittbararpenning", True),
    # ?? picks the first non-null
    ("prognosis.days ?? 0", 0),
    ('work_tasks ?? "saknas"', "saknas"),
    # functions
    ("blank(work_tasks)", True),
    ("length(work_tasks)", 0),
    ("words(work_tasks)", 0),
    ("lower(work_tasks)", None),
    ("mentions(work_tasks, fraser)", False),
    ("mentions_count(work_tasks, fraser)", 0),
    ('matches(work_tasks, "x")', False),
    ('concat(work_tasks, "!")', "!"),
    ("count(map(diagnoses, d -> d.code))", 0),
    ("exists(work_tasks)", False),
    ("exists(diagnoses)", False),
    ('code_in(main_diagnosis.code, "F32-F33")', False),
    ("chapter(main_diagnosis.code)", None),
    ("known_code(main_diagnosis.code)", False),
    ("first(diagnoses)", None),
    ("min(periods, p -> p.start)", None),
    ("sum(periods, p -> p.days)", 0),
    # collection functions over null (the case and FMB roots are null here)
    ("count(case.previous)", 0),
    ("any(case.previous, c -> true)", False),
    ("all(case.previous, c -> false)", True),
    ("case.total_days > 10", False),
    ("fmb.max_days == null", True),
    ("count(filter(case.certificates, c -> true))", 0),
]


@pytest.mark.parametrize(("source", "expected"), NULL_TABLE)
def test_null_semantics(source: str, expected: Any) -> None:
    assert compile_expression(source, LEXICONS)(EMPTY) == expected


def test_a_when_that_is_null_does_not_fire() -> None:
    from intygscheck.engine import check
    from intygscheck.rules import load_ruleset
    from rules_support import TEST_RULESETS

    ruleset = load_ruleset(TEST_RULESETS / "nullwhen.rules")
    assert check(EMPTY, [ruleset]).findings == ()
    assert [f.rule for f in check(certificate(smittbararpenning=True), [ruleset]).findings] == ["N-1"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("prognosis.days ?? 0", 90),
        ("prognosis.days > 30", True),
        ("prognosis.days + 10", 100),
        ("activity_limitation.text == null", False),
    ],
)
def test_same_expressions_with_values_present(source: str, expected: Any) -> None:
    filled = certificate(prognosis=Prognosis(days=90), activity_limitation=ActivityLimitation(text="x"))
    assert compile_expression(source)(filled) == expected
