"""A reference interpreter of the rule language's expressions, and hypothesis strategies for it.

Written for the tests, independently of ``intygscheck.rules``: expressions are built as a small
typed tree of their own (:class:`Node`), rendered to source text (fully parenthesised) for the
real parser and compiler, and evaluated here by a plain tree walk that follows the null
semantics stated in the rule-language status notes:

- ``x == null`` / ``x != null`` test nullness; every other comparison (``!=``, ``in``,
  ``contains`` included) with a null operand is false;
- arithmetic with null is null, division by zero is null;
- ``and``/``or``/``not`` take only ``true`` as true;
- a path through null is null; an index out of range is null;
- ``length``/``words`` of null are 0, ``blank(null)`` is true; ``count`` of null is 0,
  ``any`` false, ``all`` true; ``sum`` of nothing 0, ``min``/``max`` of nothing null, and
  ``sum``/``min``/``max`` skip nulls; ``exists`` is "not null and, for a list, not empty";
- durations compare with numbers (and each other) in days, a month counted as 31 days;
  ``date ± duration`` moves by calendar months (clamped to the month's end), then days;
  ``date − date`` is a number of days;
- enum values compare with their codes (a grade also with its number);
- ``code_in`` ranges include their ends' subcodes; ``matches`` is a case-insensitive search
  (the patterns used mean the same in RE2 and Python's ``re``).

Generated expressions are well typed by construction: every generator produces a value of one
of the types ``num``, ``bool``, ``str``, ``date`` or ``dur``, from literals, certificate paths,
lambda variables over ``periods``/``diagnoses``/``basis``, ``and``/``or``/``not``, comparisons,
``in``/``not in``/``contains``, arithmetic, ``??``, ``any``/``all``/``count``/``sum``/``min``/
``max``/``filter``/``map``/``distinct``/``first``/``last``/``exists``, ``length``/``words``/
``blank``/``lower``/``abs``, ``code_in`` and ``matches``.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any

from hypothesis import strategies as st

from intygscheck.model import BasisKind, Grade, Occupation, PrognosisCode

# ---- the mini syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """An expression: ``op`` names what it is, ``args`` are sub-nodes or plain values."""

    op: str
    args: tuple[Any, ...] = ()
    type: str = "any"


@dataclass(frozen=True)
class Dur:
    """A duration value of the reference: calendar months plus days."""

    days: int
    months: int

    @property
    def in_days(self) -> int:
        """Days, a month counted as 31."""
        return self.days + 31 * self.months


NULL = object()  # the value of a ``null`` literal inside :class:`Node` (None means "no value")


# ---- rendering --------------------------------------------------------------------------


def render(node: Node) -> str:
    """Source text for the real parser, every compound expression in parentheses."""
    op, args = node.op, node.args
    if op == "lit":
        return _literal(args[0])
    if op == "enum":
        return json.dumps(args[0].name)
    if op == "path":
        return ".".join(args[0])
    if op == "var":
        return args[0]
    if op == "field":
        return f"{render(args[0])}.{args[1]}"
    if op == "index":
        return f"{render(args[0])}[{args[1]}]"
    if op == "call":
        name, call_args = args
        return f"{name}(" + ", ".join(render(arg) for arg in call_args) + ")"
    if op == "lambda_call":
        name, items, var, body = args
        return f"{name}({render(items)}, {var} -> {render(body)})"
    if op == "not":
        return f"(not {render(args[0])})"
    if op == "neg":
        return f"(-{render(args[0])})"
    if op in ("and", "or"):
        return "(" + f" {op} ".join(render(arg) for arg in args) + ")"
    if op == "list":
        return "[" + ", ".join(render(arg) for arg in args) + "]"
    if op in ("code_in", "matches"):
        return f"{op}({render(args[0])}, {json.dumps(args[1], ensure_ascii=False)})"
    left, right = args
    return f"({render(left)} {op} {render(right)})"


def _literal(value: Any) -> str:
    if value is NULL:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Dur):
        if value.months:
            return f"{value.months} months"
        return f"{value.days // 7} weeks" if value.days % 7 == 0 and value.days else f"{value.days} days"
    return repr(value)


# ---- the reference interpreter ---------------------------------------------------------------


def evaluate(node: Node, certificate: Any, variables: dict[str, Any] | None = None) -> Any:
    """The value of ``node`` for ``certificate`` under the documented semantics."""
    return _Eval(certificate).run(node, dict(variables or {}))


class _Eval:
    def __init__(self, certificate: Any) -> None:
        self.certificate = certificate

    def run(self, node: Node, env: dict[str, Any]) -> Any:
        op, args = node.op, node.args
        if op == "lit":
            return None if args[0] is NULL else args[0]
        if op == "enum":
            return args[0]
        if op == "path":
            value: Any = self.certificate
            names = args[0][1:] if args[0][0] == "certificate" else args[0]
            for name in names:
                value = _member(value, name)
            return value
        if op == "var":
            return env[args[0]]
        if op == "field":
            return _member(self.run(args[0], env), args[1])
        if op == "index":
            items = self.run(args[0], env)
            position = args[1]
            if items is None or not -len(items) <= position < len(items):
                return None
            return items[position]
        if op == "not":
            return self.run(args[0], env) is not True
        if op == "and":
            return all(self.run(arg, env) is True for arg in args)
        if op == "or":
            return any(self.run(arg, env) is True for arg in args)
        if op == "neg":
            value = self.run(args[0], env)
            if value is None:
                return None
            return Dur(-value.days, -value.months) if isinstance(value, Dur) else -value
        if op == "list":
            return [self.run(arg, env) for arg in args]
        if op == "call":
            return self.call(args[0], [self.run(arg, env) for arg in args[1]])
        if op == "lambda_call":
            return self.lambda_call(node, env)
        if op == "code_in":
            return code_in(self.run(args[0], env), args[1])
        if op == "matches":
            text = self.run(args[0], env)
            return text is not None and re.search(args[1], text, re.IGNORECASE) is not None
        return self.binary(op, args[0], args[1], env)

    # ---- operators ----

    def binary(self, op: str, left_node: Node, right_node: Node, env: dict[str, Any]) -> Any:
        if op in ("==", "!=") and _is_null_literal(right_node):
            value = self.run(left_node, env)
            return (value is None) if op == "==" else (value is not None)
        if op in ("==", "!=") and _is_null_literal(left_node):
            value = self.run(right_node, env)
            return (value is None) if op == "==" else (value is not None)
        left = self.run(left_node, env)
        right = self.run(right_node, env)
        if op == "??":
            return right if left is None else left
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return compare(op, left, right)
        if op in ("in", "not in"):
            if left is None or right is None:
                return False
            found = left in right
            return found if op == "in" else not found
        if op == "contains":
            if left is None or right is None:
                return False
            return right in left
        return arithmetic(op, left, right)

    # ---- functions ----

    def call(self, name: str, values: list[Any]) -> Any:
        if name == "length":
            return len(_trim(values[0])) if values[0] is not None else 0
        if name == "words":
            return _word_count(values[0])
        if name == "blank":
            return values[0] is None or _trim(values[0]) == ""
        if name == "lower":
            return None if values[0] is None else values[0].lower()
        if name == "count":
            return 0 if values[0] is None else len(values[0])
        if name == "exists":
            value = values[0]
            if value is None:
                return False
            return len(value) > 0 if isinstance(value, tuple | list) else True
        if name == "first":
            return values[0][0] if values[0] else None
        if name == "last":
            return values[0][-1] if values[0] else None
        if name == "abs":
            return None if values[0] is None else abs(values[0])
        if name == "distinct":
            unique: list[Any] = []
            for value in values[0] or ():
                if value not in unique:
                    unique.append(value)
            return tuple(unique)
        raise ValueError(f"no reference for {name}()")

    def lambda_call(self, node: Node, env: dict[str, Any]) -> Any:
        name, items_node, var, body = node.args
        items = self.run(items_node, env)
        items = [] if items is None else list(items)

        def apply(item: Any) -> Any:
            return self.run(body, {**env, var: item})

        if name == "any":
            return any(apply(item) is True for item in items)
        if name == "all":
            return all(apply(item) is True for item in items)
        if name == "count":
            return len([item for item in items if apply(item) is True])
        if name == "filter":
            return tuple(item for item in items if apply(item) is True)
        if name == "map":
            return tuple(apply(item) for item in items)
        values = [value for value in (apply(item) for item in items) if value is not None]
        if name == "sum":
            total: Any = 0
            for value in values:
                total = total + value
            return total
        if not values:
            return None
        best = values[0]
        for value in values[1:]:
            if (name == "min" and value < best) or (name == "max" and value > best):
                best = value
        return best


def _member(owner: Any, name: str) -> Any:
    if owner is None:
        return None
    value = getattr(owner, name)
    return value.date() if isinstance(value, datetime) else value


def _is_null_literal(node: Node) -> bool:
    return node.op == "lit" and node.args[0] is NULL


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return text[start:end]


def _word_count(text: str | None) -> int:
    if text is None:
        return 0
    count, inside = 0, False
    for char in text:
        if char.isspace():
            inside = False
        elif not inside:
            inside, count = True, count + 1
    return count


def _days(value: Any) -> Any:
    return value.in_days if isinstance(value, Dur) else value


def compare(op: str, left: Any, right: Any) -> bool:
    """A comparison of two values, false when either is null; durations in days."""
    if left is None or right is None:
        return False
    a, b = _days(left), _days(right)
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``+ - * /`` over numbers, dates and durations; null in, null out; x / 0 is null."""
    if left is None or right is None:
        return None
    if isinstance(left, date) and isinstance(right, date):
        return (left - right).days
    if isinstance(left, Dur) and isinstance(right, Dur):
        sign = 1 if op == "+" else -1
        return Dur(left.days + sign * right.days, left.months + sign * right.months)
    if isinstance(left, date) or isinstance(right, date):
        day, duration = (left, right) if isinstance(left, date) else (right, left)
        sign = 1 if op == "+" else -1
        return move(day, sign * duration.months, sign * duration.days)
    if op == "/":
        return None if right == 0 else left / right
    return {"+": left + right, "-": left - right, "*": left * right}[op]


def move(day: date, months: int, days: int) -> date:
    """``day`` moved by whole calendar months (clamped to the month's end), then by days."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last)) + timedelta(days=days)


def code_in(code: str | None, spec: str) -> bool:
    """A code lies in a comma list of ranges ``LO-HI`` (ends inclusive, with their subcodes)."""
    if not code:
        return False
    normal = "".join(code.split()).replace(".", "").upper()
    for item in spec.split(","):
        bounds = [part.strip().replace(".", "").upper() for part in item.replace("–", "-").split("-")]
        low, high = bounds[0], bounds[-1]
        if normal[: len(low)] >= low and normal[: len(high)] <= high:
            return True
    return False


# ---- comparing a compiled result with the reference ---------------------------------------


def same_value(actual: Any, expected: Any) -> bool:
    """Equal values of the same kind (``True`` is not ``1``; a compiled duration is a ``Dur``)."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(expected, Dur):
        return (getattr(actual, "days", None), getattr(actual, "months", None)) == (
            expected.days,
            expected.months,
        )
    if isinstance(expected, Enum) or isinstance(actual, Enum):
        return type(actual) is type(expected) and actual == expected
    return type(actual) is type(expected) and actual == expected


# ---- strategies ---------------------------------------------------------------------------

TYPES = ("num", "bool", "str", "date", "dur")

CERTIFICATE_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "num": (
        ("days_covered",),
        ("age_at_signing",),
        ("prognosis", "days"),
        ("prognosis", "months"),
    ),
    "str": (
        ("activity_limitation", "text"),
        ("functional_impairment", "text"),
        ("work_tasks",),
        ("other_information",),
        ("fmb_motivation",),
        ("treatment", "ongoing"),
        ("issuer", "unit_id"),
        ("patient", "key"),
        ("main_diagnosis", "code"),
        ("version",),
    ),
    "bool": (
        ("smittbararpenning",),
        ("travel",),
        ("working_time", "requested"),
        ("contact", "wanted"),
        ("patient", "id_check_digit_valid"),
    ),
    "date": (("signed_date",), ("signed_at",), ("first_day",), ("last_day",), ("patient", "birth_date")),
}

# the collections lambdas range over, the letter of their variables, and each element's fields
COLLECTIONS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "periods": ("p", {"num": ("grade", "days"), "date": ("start", "end"), "bool": ("is_part_time",)}),
    "diagnoses": ("d", {"str": ("code", "text", "normalized_code", "code_system")}),
    "basis": ("b", {"date": ("date",), "str": ("text",)}),
}

STRINGS = ("", " ", "lyft", "Orkar inte.", "M545", "F438A", "smärta", "ÅÄÖ", "a\u00a0b", "\n")
PATTERNS = ("lyft", "smärt|värk", "^kan", "[0-9]+ kg", "å", "inte\\.$")
"""Regular expressions for ``matches``: the same meaning in RE2 and Python's ``re``."""
CODE_SPECS = ("F32-F33", "F00-F99", "M54", "F43.8A", "M40-M54, S52", "Z73", "J06–J069")
ENUM_CHOICES: dict[tuple[str, str], type[Enum]] = {("basis", "kind"): BasisKind}
MAX_DEPTH = 3
GRADE_CODES_COMPARE = True
"""Whether ``p.grade == "HALFTEN"`` (an integer enum against its code name) is generated
(dsl-requests.md item 7, fixed)."""

Scope = tuple[tuple[str, str], ...]  # (variable, collection it ranges over), innermost last


def _pick(draw: st.DrawFn, count: int) -> int:
    """A choice among ``count`` alternatives, drawn uniformly (``integers`` favours its bounds)."""
    return int(draw(st.sampled_from(range(count))))


def _p(*names: str) -> Node:
    return Node("path", (names,))


def _maybe_rooted(draw: st.DrawFn, names: tuple[str, ...]) -> Node:
    return _p("certificate", *names) if draw(st.booleans()) else _p(*names)


@st.composite
def expressions(draw: st.DrawFn, type_: str | None = None, depth: int = MAX_DEPTH, scope: Scope = ()) -> Node:
    """A well-typed expression of ``type_`` (any of :data:`TYPES` when None)."""
    kind = type_ or draw(st.sampled_from(TYPES))
    if depth <= 0 or (depth < MAX_DEPTH and _pick(draw, 4) == 0):
        return draw(_leaf(kind, scope))
    builders: dict[str, Callable[[st.DrawFn, int, Scope], Node]] = {
        "num": _number,
        "bool": _boolean,
        "str": _string,
        "date": _date,
        "dur": _duration,
    }
    return builders[kind](draw, depth - 1, scope)


@cache
def _leaf(kind: str, scope: Scope) -> st.SearchStrategy[Node]:
    literals: dict[str, st.SearchStrategy[Any]] = {
        "num": st.integers(-3, 60) | st.sampled_from((0.5, 2.5, 100)),
        "bool": st.booleans(),
        "str": st.sampled_from(STRINGS),
        "date": st.dates(date(2015, 1, 1), date(2030, 12, 31)),
        "dur": st.builds(Dur, st.integers(0, 60), st.just(0))
        | st.builds(Dur, st.integers(1, 8).map(lambda w: 7 * w), st.just(0))
        | st.builds(Dur, st.just(0), st.integers(0, 24)),
    }
    options = [literals[kind].map(lambda value: Node("lit", (value,), kind))]
    if kind in CERTIFICATE_PATHS:
        options.append(_rooted_path(kind))
    for var, collection in scope:
        fields = COLLECTIONS[collection][1].get(kind, ())
        if fields:
            options.append(
                st.sampled_from(fields).map(lambda f, v=var: Node("field", (Node("var", (v,)), f), kind))
            )
    return st.one_of(options)


@st.composite
def _rooted_path(draw: st.DrawFn, kind: str) -> Node:
    node = _maybe_rooted(draw, draw(st.sampled_from(CERTIFICATE_PATHS[kind])))
    return Node(node.op, node.args, kind)


@cache
def _expressions(kind: str, depth: int, scope: Scope) -> st.SearchStrategy[Node]:
    """The strategy of ``expressions(kind, depth, scope)``, built once (building is slow)."""
    return expressions(kind, depth, scope)


@cache
def _record_of(collection: str, depth: int, scope: Scope) -> st.SearchStrategy[Node]:
    return _record(collection, depth, scope)


def _sub(draw: st.DrawFn, kind: str, depth: int, scope: Scope) -> Node:
    return draw(_expressions(kind, depth, scope))


@st.composite
def _record(draw: st.DrawFn, collection: str, depth: int, scope: Scope) -> Node:
    """One element of a collection: indexed, first/last, or a lambda variable."""
    own = [var for var, coll in scope if coll == collection]
    choice = _pick(draw, 3 + bool(own))
    if choice == 0:
        return Node("index", (_maybe_rooted(draw, (collection,)), draw(st.integers(-3, 4))))
    if choice in (1, 2):
        return Node("call", ("first" if choice == 1 else "last", (_list(draw, collection, depth, scope),)))
    return Node("var", (draw(st.sampled_from(own)),))


def _list(draw: st.DrawFn, collection: str, depth: int, scope: Scope) -> Node:
    """A collection, or a filter of it."""
    if depth > 0 and _pick(draw, 4) == 0:
        var, body = _lambda(draw, collection, "bool", depth - 1, scope)
        return Node("lambda_call", ("filter", _maybe_rooted(draw, (collection,)), var, body))
    return _maybe_rooted(draw, (collection,))


def _lambda(draw: st.DrawFn, collection: str, kind: str, depth: int, scope: Scope) -> tuple[str, Node]:
    var = f"{COLLECTIONS[collection][0]}{len(scope)}"
    inner = (*scope, (var, collection))
    return var, _sub(draw, kind, depth, inner)


def _field_of_record(draw: st.DrawFn, kind: str, depth: int, scope: Scope) -> Node | None:
    choices = [(c, f) for c, (_, fields) in COLLECTIONS.items() for f in fields.get(kind, ())]
    if not choices:
        return None
    collection, field = draw(st.sampled_from(choices))
    return Node("field", (draw(_record_of(collection, depth, scope)), field), kind)


def _number(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choice = _pick(draw, 12)
    if choice == 0:
        return Node(
            draw(st.sampled_from("+-*/")), (_sub(draw, "num", depth, scope), _sub(draw, "num", depth, scope))
        )
    if choice == 1:
        null = Node("lit", (NULL,))
        other = _sub(draw, "num", depth, scope)
        pair = (null, other) if draw(st.booleans()) else (other, null)
        return Node(draw(st.sampled_from("+-*/")), pair, "num")
    if choice == 2:
        return Node("neg", (_sub(draw, "num", depth, scope),), "num")
    if choice == 3:
        return Node("??", (_sub(draw, "num", depth, scope), _sub(draw, "num", depth, scope)), "num")
    if choice == 4:
        collection = draw(st.sampled_from(tuple(COLLECTIONS)))
        if draw(st.booleans()):
            return Node("call", ("count", (_list(draw, collection, depth, scope),)), "num")
        var, body = _lambda(draw, collection, "bool", depth, scope)
        return Node("lambda_call", ("count", _maybe_rooted(draw, (collection,)), var, body), "num")
    if choice == 5:
        collection = draw(st.sampled_from(tuple(COLLECTIONS)))
        name = draw(st.sampled_from(("sum", "min", "max")))
        var, body = _lambda(draw, collection, "num", depth, scope)
        return Node("lambda_call", (name, _list(draw, collection, depth, scope), var, body), "num")
    if choice == 6:
        return Node(
            "call", (draw(st.sampled_from(("length", "words"))), (_sub(draw, "str", depth, scope),)), "num"
        )
    if choice == 7:
        return Node("-", (_sub(draw, "date", depth, scope), _sub(draw, "date", depth, scope)), "num")
    if choice == 8:
        return Node("call", ("abs", (_sub(draw, "num", depth, scope),)), "num")
    if choice == 9:
        collection = draw(st.sampled_from(tuple(COLLECTIONS)))
        var, body = _lambda(draw, collection, draw(st.sampled_from(("num", "str", "date"))), depth, scope)
        mapped = Node("lambda_call", ("map", _list(draw, collection, depth, scope), var, body))
        return Node("call", ("count", (Node("call", ("distinct", (mapped,))),)), "num")
    field = _field_of_record(draw, "num", depth, scope)
    return field if field is not None else draw(_leaf("num", scope))


def _comparison(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    kind = draw(st.sampled_from(("num", "str", "date", "dur", "bool", "num-dur", "dur-num")))
    if kind in ("num-dur", "dur-num"):
        left_kind, right_kind = kind.split("-")
    else:
        left_kind = right_kind = kind
    ops = ("==", "!=") if kind == "bool" else ("==", "!=", "<", "<=", ">", ">=")
    op = draw(st.sampled_from(ops))
    return Node(op, (_sub(draw, left_kind, depth, scope), _sub(draw, right_kind, depth, scope)), "bool")


def _enum_test(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choices = ["prognosis", "basis", "occupations"] + (["grade"] if GRADE_CODES_COMPARE else [])
    choice = draw(st.sampled_from(choices))
    if choice == "prognosis":
        subject = _maybe_rooted(draw, ("prognosis", "code"))
        member: Enum = draw(st.sampled_from(PrognosisCode))
    elif choice == "basis":
        subject = Node("field", (draw(_record_of("basis", depth, scope)), "kind"))
        member = draw(st.sampled_from(BasisKind))
    elif choice == "grade":
        subject = Node("field", (draw(_record_of("periods", depth, scope)), "grade"))
        member = draw(st.sampled_from(Grade))
    else:
        occupation = Node("enum", (draw(st.sampled_from(Occupation)),))
        return Node("contains", (_maybe_rooted(draw, ("occupations",)), occupation), "bool")
    if _pick(draw, 3) == 0:
        members = draw(st.lists(st.sampled_from(type(member)), min_size=1, max_size=3))
        listed = Node("list", tuple(Node("enum", (m,)) for m in members))
        return Node(draw(st.sampled_from(("in", "not in"))), (subject, listed), "bool")
    return Node(draw(st.sampled_from(("==", "!="))), (subject, Node("enum", (member,))), "bool")


def _boolean(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choice = _pick(draw, 12)
    if choice in (0, 1):
        operands = tuple(_sub(draw, "bool", depth, scope) for _ in range(draw(st.integers(2, 3))))
        return Node("and" if choice == 0 else "or", operands, "bool")
    if choice == 2:
        return Node("not", (_sub(draw, "bool", depth, scope),), "bool")
    if choice in (3, 4):
        return _comparison(draw, depth, scope)
    if choice == 5:
        kind = draw(st.sampled_from(TYPES))
        null = Node("lit", (NULL,))
        other = _sub(draw, kind, depth, scope)
        pair = (other, null) if draw(st.booleans()) else (null, other)
        return Node(draw(st.sampled_from(("==", "!="))), pair, "bool")
    if choice == 6:
        collection = draw(st.sampled_from(tuple(COLLECTIONS)))
        var, body = _lambda(draw, collection, "bool", depth, scope)
        name = draw(st.sampled_from(("any", "all")))
        return Node("lambda_call", (name, _list(draw, collection, depth, scope), var, body), "bool")
    if choice == 7:
        text = _sub(draw, "str", depth, scope)
        which = _pick(draw, 3)
        if which == 0:
            return Node("call", ("blank", (text,)), "bool")
        if which == 1:
            return Node("matches", (text, draw(st.sampled_from(PATTERNS))), "bool")
        return Node("code_in", (text, draw(st.sampled_from(CODE_SPECS))), "bool")
    if choice == 8:
        return _enum_test(draw, depth, scope)
    if choice == 9:
        needle, haystack = _sub(draw, "str", depth, scope), _sub(draw, "str", depth, scope)
        if draw(st.booleans()):
            return Node("contains", (haystack, needle), "bool")
        return Node(draw(st.sampled_from(("in", "not in"))), (needle, haystack), "bool")
    if choice == 10:
        kind = draw(st.sampled_from(("num", "str", "date", "bool")))
        return Node("call", ("exists", (_sub(draw, kind, depth, scope),)), "bool")
    if choice == 11 and draw(st.booleans()):
        strings = draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3))
        listed = Node("list", tuple(Node("lit", (s,), "str") for s in strings))
        return Node(
            draw(st.sampled_from(("in", "not in"))), (_sub(draw, "str", depth, scope), listed), "bool"
        )
    field = _field_of_record(draw, "bool", depth, scope)
    return field if field is not None else draw(_leaf("bool", scope))


def _string(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choice = _pick(draw, 5)
    if choice == 0:
        return Node("??", (_sub(draw, "str", depth, scope), _sub(draw, "str", depth, scope)), "str")
    if choice == 1:
        return Node("call", ("lower", (_sub(draw, "str", depth, scope),)), "str")
    if choice == 2:
        var, body = _lambda(draw, "diagnoses", "str", depth, scope)
        name = draw(st.sampled_from(("min", "max")))
        return Node("lambda_call", (name, _list(draw, "diagnoses", depth, scope), var, body), "str")
    field = _field_of_record(draw, "str", depth, scope)
    return field if field is not None else draw(_leaf("str", scope))


def _date(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choice = _pick(draw, 5)
    if choice == 0:
        op = draw(st.sampled_from("+-"))
        return Node(op, (_sub(draw, "date", depth, scope), _sub(draw, "dur", depth, scope)), "date")
    if choice == 1:
        return Node("+", (_sub(draw, "dur", depth, scope), _sub(draw, "date", depth, scope)), "date")
    if choice == 2:
        return Node("??", (_sub(draw, "date", depth, scope), _sub(draw, "date", depth, scope)), "date")
    if choice == 3:
        collection = draw(st.sampled_from(("periods", "basis")))
        var, body = _lambda(draw, collection, "date", depth, scope)
        name = draw(st.sampled_from(("min", "max")))
        return Node("lambda_call", (name, _list(draw, collection, depth, scope), var, body), "date")
    field = _field_of_record(draw, "date", depth, scope)
    return field if field is not None else draw(_leaf("date", scope))


def _duration(draw: st.DrawFn, depth: int, scope: Scope) -> Node:
    choice = _pick(draw, 3)
    if choice == 0:
        op = draw(st.sampled_from("+-"))
        return Node(op, (_sub(draw, "dur", depth, scope), _sub(draw, "dur", depth, scope)), "dur")
    if choice == 1:
        return Node("neg", (_sub(draw, "dur", depth, scope),), "dur")
    return draw(_leaf("dur", scope))
