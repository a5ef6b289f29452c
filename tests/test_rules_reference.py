"""Compiled expressions agree with the reference interpreter of ``rules_reference`` on certificates.

Hypothesis generates well-typed expressions over numbers, booleans, strings, dates, durations,
nulls, certificate paths, lambdas over periods/diagnoses/basis, and the text, collection and
terminology functions; each is rendered to source, compiled by ``intygscheck.rules`` and
evaluated on generated certificates, and must give exactly what the reference gives. The
example-based tests pin the documented null semantics and date arithmetic of the compiler
(and, where they build a tree, of the reference too).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intygscheck.model import Certificate, Diagnosis, Prognosis
from intygscheck.rules import ast
from intygscheck.rules.expression import compile_expression
from intygscheck.rules.parser import parse_expression
from rules_reference import (
    NULL,
    TYPES,
    Dur,
    Node,
    evaluate,
    expressions,
    render,
    same_value,
)
from rules_support import certificate as made_up_certificate
from strategies import certificates

KINDS = {"num": {"number", "any", "enum"}, "bool": {"boolean"}, "str": {"string"}, "date": {"date"}}
KINDS["dur"] = {"duration"}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), certificate=certificates())
def test_compiled_closures_agree_with_the_reference(data: st.DataObject, certificate: Certificate) -> None:
    for kind in (*TYPES, "bool"):  # one expression of each type per certificate, booleans twice
        node = data.draw(expressions(kind), label=kind)
        source = render(node)
        compiled = compile_expression(source)
        assert compiled.type.kind.value in KINDS[kind], f"{source}: checked as {compiled.type}"
        expected = evaluate(node, certificate)
        actual = compiled(certificate)
        assert same_value(actual, expected), f"{source}\n  compiled: {actual!r}\n  reference: {expected!r}"


def test_rendered_source_parses_back_to_the_same_shape() -> None:
    node = Node(
        "and",
        (
            Node(
                ">",
                (
                    Node("call", ("words", (Node("path", (("activity_limitation", "text"),)),))),
                    Node("lit", (3,)),
                ),
            ),
            Node("==", (Node("path", (("prognosis", "code"),)), Node("lit", (NULL,)))),
        ),
    )
    source = render(node)
    assert source == "((words(activity_limitation.text) > 3) and (prognosis.code == null))"
    assert ast.unparse(parse_expression(source, "<test>")) == (
        "words(activity_limitation.text) > 3 and prognosis.code == null"
    )


# ---- the semantics both sides must have, case by case ---------------------------------------

UNCLEAR = made_up_certificate(prognosis=Prognosis(code=None))
NO_DIAGNOSES = made_up_certificate(diagnoses=())
CODED = made_up_certificate(diagnoses=(Diagnosis(code="f33.1", text="Depression"),))
SIGNED_JAN_31 = made_up_certificate(signed_at=datetime(2024, 1, 31, 10, 0))


def _value(source: str, certificate: Certificate, node: Node | None = None) -> object:
    value = compile_expression(source)(certificate)
    if node is not None:
        assert same_value(value, evaluate(node, certificate))
    return value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('prognosis.code == "PROGNOS_OKLAR"', False),
        ('prognosis.code != "PROGNOS_OKLAR"', False),  # != with a null operand is false too
        ("prognosis.code == null", True),
        ("prognosis.code != null", False),
        ('not (prognosis.code == "PROGNOS_OKLAR")', True),
        ("prognosis.days + 1", None),
        ("(prognosis.days ?? 4) * 2", 8),
        ("prognosis.days < 3 or prognosis.days >= 3", False),
    ],
)
def test_null_semantics_agree(source: str, expected: object) -> None:
    assert _value(source, UNCLEAR) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("main_diagnosis.code", None),
        ("diagnoses[0].code == null", True),
        ("count(diagnoses)", 0),
        ("any(diagnoses, d -> true)", False),
        ("all(diagnoses, d -> false)", True),
        ("sum(diagnoses, d -> length(d.text))", 0),
        ("max(diagnoses, d -> d.code)", None),
        ("length(main_diagnosis.text)", 0),
        ("words(main_diagnosis.text)", 0),
        ("blank(main_diagnosis.text)", True),
        ("exists(diagnoses)", False),
        ('code_in(main_diagnosis.code, "F32-F33")', False),
        ('main_diagnosis.text contains "a"', False),
        ('"a" in main_diagnosis.text', False),
        ('"a" not in main_diagnosis.text', False),
    ],
)
def test_empty_collections_and_null_texts_agree(source: str, expected: object) -> None:
    assert _value(source, NO_DIAGNOSES) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("F32-F33", True),
        ("F33", True),
        ("F33.1", True),
        ("F33.10", False),
        ("F30-F32", False),
        ("F00-F99", True),
    ],
)
def test_code_ranges_include_subcodes(spec: str, expected: bool) -> None:
    node = Node("code_in", (Node("path", (("main_diagnosis", "code"),)), spec))
    assert _value(render(node), CODED, node) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("signed_date + 1 month", date(2024, 2, 29)),
        ("signed_date - 2 months", date(2023, 11, 30)),
        ("signed_date + 2 weeks", date(2024, 2, 14)),
        ("signed_date - 2023-12-31", 31),
        ("1 month == 31 days", True),
        ("2 weeks > 13", True),
        ("-(3 days) < 0", True),
        ("7 / 0", None),
    ],
)
def test_date_and_duration_arithmetic_agree(source: str, expected: object) -> None:
    assert _value(source, SIGNED_JAN_31) == expected


def test_reference_duration_literals_render_as_the_language_writes_them() -> None:
    assert render(Node("lit", (Dur(14, 0),))) == "2 weeks"
    assert render(Node("lit", (Dur(0, 3),))) == "3 months"
    assert render(Node("lit", (Dur(5, 0),))) == "5 days"
    assert render(Node("lit", (Dur(0, 0),))) == "0 days"
