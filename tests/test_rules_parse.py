"""The grammar and parser: every construct of DSL.md parses, with positions and canonical text."""

from __future__ import annotations

from datetime import date

import pytest

from intygscheck.rules import ast
from intygscheck.rules.errors import RulesetError
from intygscheck.rules.parser import parse_expression, parse_ruleset
from rules_support import TEST_RULESETS


def test_full_syntax_file_parses_every_declaration_kind() -> None:
    tree = parse_ruleset((TEST_RULESETS / "syntax.rules").read_text(encoding="utf-8"), "syntax.rules")
    assert tree.name is not None and tree.name.value == "syntax"
    assert tree.version == "1.0.0"
    assert tree.description == "Alla konstruktioner."
    assert [e.value for e in tree.extends] == ["basic"]
    assert [i.value for i in tree.imports] == ["lexikon"]
    assert [lex.name for lex in tree.lexicons] == ["generiska_fraser"]
    assert [let.name for let in tree.lets] == ["deltid", "psykiatrisk"]
    assert [d.value for d in tree.disables] == ["T-39-OKLAR", "T-33-DELTID"]
    rule, override = tree.rules
    assert rule.id == "K-17-GENERISK" and not rule.override
    assert override.override and override.severity is not None and override.severity.value == "info"
    assert rule.valid_from is not None and rule.valid_from.value == date(2016, 1, 1)
    assert rule.valid_to is not None and rule.valid_to.value == date(2030, 12, 31)
    assert rule.tags is not None and rule.tags.value == ("dfa", "aktivitet")
    assert [m.lang.value for m in rule.messages] == ["sv", "en"]
    fires, passes, fixture = rule.examples
    assert fires.expect.value == "fires" and fires.fragment == {
        "activity_limitation": {"text": "Orkar inte."}
    }
    assert passes.context == ({"id": "tidigare", "periods": []},)
    assert fixture.fixture == "fixtures/certificates/xml/ryggvark.xml" and fixture.fragment is None


def test_positions_are_one_based_line_and_column() -> None:
    tree = parse_ruleset('ruleset "x"\n\nlet a =  words(work_tasks) < 3\n', "x.rules")
    let = tree.lets[0]
    assert (let.pos.line, let.pos.column) == (3, 5)
    assert (let.expr.pos.line, let.expr.pos.column) == (3, 10)


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("certificate.periods", "periods"),
        ("a or b and not c", "a or b and not c"),
        ("(a or b) and c", "(a or b) and c"),
        ("not (a and b)", "not (a and b)"),
        ("1 + 2 * 3", "1 + 2 * 3"),
        ("(1 + 2) * 3", "(1 + 2) * 3"),
        ("x ?? 0 > 3", "x ?? 0 > 3"),
        ("diagnoses[-1].code", "diagnoses[-1].code"),
        ("any(periods, p -> p.grade < 100)", "any(periods, p -> p.grade < 100)"),
        ('code not in ["F32", "F33"]', 'code not in ["F32", "F33"]'),
        ("2016-01-01 + 2 weeks", "2016-01-01 + 14 days"),
        ("x > 3 months", "x > 3 months"),
        ('"a\\"b"', '"a\\"b"'),
    ],
)
def test_unparse_gives_canonical_text(source: str, canonical: str) -> None:
    assert ast.unparse(parse_expression(source, "e")) == canonical


def test_keywords_are_still_field_names_after_a_dot() -> None:
    expr = parse_expression("p.days > prognosis.months and case.count > 1", "e")
    assert ast.unparse(expr) == "p.days > prognosis.months and case.count > 1"


def test_and_or_chains_are_flattened() -> None:
    expr = parse_expression("a and b and c or d", "e")
    assert isinstance(expr, ast.BoolOp) and expr.op == "or"
    first = expr.operands[0]
    assert isinstance(first, ast.BoolOp) and len(first.operands) == 3


def test_durations_and_dates_are_literals() -> None:
    expr = parse_expression("2024-02-29", "e")
    assert isinstance(expr, ast.Literal) and expr.value == date(2024, 2, 29)
    weeks = parse_expression("2 weeks", "e")
    assert isinstance(weeks, ast.Literal) and weeks.value == ast.Duration(days=14)
    month = parse_expression("1 month", "e")
    assert isinstance(month, ast.Literal) and month.value == ast.Duration(months=1)


def test_syntax_error_names_file_line_column_and_expectation() -> None:
    with pytest.raises(RulesetError) as caught:
        parse_ruleset('rule "x" {\n  when a ==\n}\n', "bad.rules")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.pos.line, diagnostic.pos.column) == (3, 1)
    assert "unexpected '}'" in diagnostic.message
