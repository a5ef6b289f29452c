"""Property test: compiled closures agree with a small reference interpreter on random expressions.

Hypothesis builds well-typed expressions (numbers, booleans, nulls, paths, collection
functions) and random certificates; the reference interpreter below walks the syntax tree
with the null semantics of the reference documentation, independently of the compiler.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from intygscheck.model import Certificate
from intygscheck.rules import ast
from intygscheck.rules.expression import compile_expression
from intygscheck.rules.parser import parse_expression
from strategies import certificates

NUMBER_LEAVES = ["prognosis.days", "prognosis.months", "length(work_tasks)", "count(periods)", "days_covered"]
BOOL_LEAVES = ["smittbararpenning", "travel", "working_time.requested", "blank(fmb_motivation)"]


def numbers(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.integers(0, 60).map(str), st.sampled_from(NUMBER_LEAVES))
    if depth == 0:
        return leaf
    sub = numbers(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "??"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda s: f"-({s})"),
    )


def booleans(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(["true", "false", *BOOL_LEAVES]))
    comparison = st.tuples(numbers(1), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), numbers(1)).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    null_test = st.tuples(st.sampled_from(NUMBER_LEAVES + BOOL_LEAVES), st.sampled_from(["==", "!="])).map(
        lambda t: f"({t[0]} {t[1]} null)"
    )
    lambda_test = st.tuples(st.sampled_from(["any", "all", "count"]), st.integers(0, 40)).map(
        lambda t: (
            f"({t[0]}(periods, p -> p.days > {t[1]} or p.grade == 100)"
            + (" > 0)" if t[0] == "count" else ")")
        )
    )
    if depth == 0:
        return st.one_of(leaf, comparison, null_test, lambda_test)
    sub = booleans(depth - 1)
    return st.one_of(
        leaf,
        comparison,
        null_test,
        lambda_test,
        sub.map(lambda s: f"(not {s})"),
        st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    )


_FUNCTIONS = {
    "length": lambda v: 0 if v is None else len(v.strip()),
    "blank": lambda v: v is None or not v.strip(),
}


def reference(node: ast.Expr, certificate: Certificate, variables: dict[str, Any]) -> Any:
    """The value of ``node`` by direct interpretation (the documented semantics)."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Name):
        return variables[node.name] if node.name in variables else getattr(certificate, node.name)
    if isinstance(node, ast.Attr):
        owner = reference(node.obj, certificate, variables)
        return None if owner is None else getattr(owner, node.name)
    if isinstance(node, ast.Unary):
        value = reference(node.operand, certificate, variables)
        if node.op == "not":
            return value is not True
        return None if value is None else -value
    if isinstance(node, ast.BoolOp):
        values = [reference(operand, certificate, variables) is True for operand in node.operands]
        return all(values) if node.op == "and" else any(values)
    if isinstance(node, ast.Call):
        if node.name in ("any", "all", "count"):
            items = reference(node.args[0], certificate, variables) or ()
            if len(node.args) == 1:
                return len(items)
            function = node.args[1]
            assert isinstance(function, ast.Lambda)
            hits = [
                reference(function.body, certificate, {**variables, function.param: x}) is True for x in items
            ]
            return {"any": any, "all": all, "count": sum}[node.name](hits)
        return _FUNCTIONS[node.name](reference(node.args[0], certificate, variables))
    assert isinstance(node, ast.Binary)
    if node.op in ("==", "!=") and (
        (isinstance(node.right, ast.Literal) and node.right.value is None)
        or (isinstance(node.left, ast.Literal) and node.left.value is None)
    ):
        other = node.left if isinstance(node.right, ast.Literal) and node.right.value is None else node.right
        is_null = reference(other, certificate, variables) is None
        return is_null if node.op == "==" else not is_null
    left = reference(node.left, certificate, variables)
    right = reference(node.right, certificate, variables)
    if node.op == "??":
        return right if left is None else left
    if left is None or right is None:
        return False if node.op in ("==", "!=", "<", "<=", ">", ">=") else None
    import operator

    table = {
        "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "+": operator.add, "-": operator.sub, "*": operator.mul,
    }  # fmt: skip
    return table[node.op](left, right)


@settings(max_examples=60, deadline=None)
@given(source=booleans(2), certificate=certificates())
def test_compiled_booleans_agree_with_the_reference_interpreter(
    source: str, certificate: Certificate
) -> None:
    expected = reference(parse_expression(source, "gen"), certificate, {})
    assert compile_expression(source)(certificate) == expected


@settings(max_examples=60, deadline=None)
@given(source=numbers(3), certificate=certificates())
def test_compiled_arithmetic_agrees_with_the_reference_interpreter(
    source: str, certificate: Certificate
) -> None:
    expected = reference(parse_expression(source, "gen"), certificate, {})
    assert compile_expression(source)(certificate) == expected
