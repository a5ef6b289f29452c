"""The syntax tree of a ruleset file: plain frozen dataclasses, each with its source position.

The parser builds these nodes; the checker types them; the compiler turns them into closures.
``unparse`` gives every expression a canonical text, used as the evidence key and to match
message-template placeholders against what a rule reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column in the source, with the end of the span (same line or later)."""

    line: int
    column: int
    end_line: int
    end_column: int


NOWHERE = Pos(0, 0, 0, 0)


@dataclass(frozen=True)
class Duration:
    """A calendar duration: days plus months (weeks are stored as days)."""

    days: int = 0
    months: int = 0

    @property
    def total_days(self) -> int:
        """The duration in days, a month counted as 31 days (FMB's convention)."""
        return self.days + 31 * self.months

    def __str__(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} months")
        if self.days or not parts:
            parts.append(f"{self.days} days")
        return " + ".join(parts)


# ---- expressions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """Base of every expression node."""

    pos: Pos = field(compare=False, repr=False)


@dataclass(frozen=True)
class Literal(Expr):
    """A number, string, boolean, null, date or duration literal."""

    value: int | float | str | bool | date | Duration | None


@dataclass(frozen=True)
class ListLit(Expr):
    """``[a, b, ...]``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Name(Expr):
    """A bare name: a root, a field of the certificate, a let, a lexicon or a lambda variable."""

    name: str


@dataclass(frozen=True)
class Attr(Expr):
    """``obj.name``."""

    obj: Expr
    name: str
    name_pos: Pos = field(compare=False, repr=False)


@dataclass(frozen=True)
class Index(Expr):
    """``obj[index]``."""

    obj: Expr
    index: Expr


@dataclass(frozen=True)
class Lambda(Expr):
    """``x -> body``, only as an argument of a collection function."""

    param: str
    body: Expr


@dataclass(frozen=True)
class Call(Expr):
    """``name(args...)``: a built-in function."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary(Expr):
    """``-x`` (op ``"-"``) or ``not x`` (op ``"not"``)."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Expr):
    """Arithmetic, comparison, ``in``, ``not in``, ``contains`` and ``??``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class BoolOp(Expr):
    """``a and b and ...`` / ``a or b or ...`` (flattened)."""

    op: str
    operands: tuple[Expr, ...]


# ---- declarations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A value with the position it was written at."""

    value: Any
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Example:
    """``example fires|passes "name" {json} | fixture "path" [context [...]]``."""

    expect: Located  # "fires" or "passes"
    name: str
    fragment: dict[str, Any] | None
    fixture: str | None
    context: tuple[dict[str, Any], ...]
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Message:
    """``message sv|en "template"``: the template keeps its own position for placeholder errors."""

    lang: Located
    template: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class RuleDecl:
    """A ``rule`` block or an ``override rule`` block (``override`` true)."""

    id: str
    override: bool
    pos: Pos
    title: Located | None = None
    severity: Located | None = None
    category: Located | None = None
    questions: Located | None = None
    when: Expr | None = None
    messages: tuple[Message, ...] = ()
    references: tuple[str, ...] = ()
    valid_from: Located | None = None
    valid_to: Located | None = None
    tags: Located | None = None
    evidence: tuple[Expr, ...] = ()
    examples: tuple[Example, ...] = ()
    clauses: tuple[Located, ...] = ()  # (clause keyword, position) in source order


@dataclass(frozen=True)
class LetDecl:
    """``let name = expr``."""

    name: str
    expr: Expr
    pos: Pos


@dataclass(frozen=True)
class LexiconDecl:
    """``lexicon name = ["...", ...]``."""

    name: str
    entries: tuple[Located, ...]
    pos: Pos


@dataclass(frozen=True)
class RulesetFile:
    """One parsed ruleset file, declarations in source order."""

    name: Located | None
    version: str | None
    description: str | None
    extends: tuple[Located, ...]
    imports: tuple[Located, ...]
    lexicons: tuple[LexiconDecl, ...]
    lets: tuple[LetDecl, ...]
    rules: tuple[RuleDecl, ...]
    disables: tuple[Located, ...]


# ---- canonical text ---------------------------------------------------------------------

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "in": 4,
    "not in": 4,
    "contains": 4,
    "??": 5,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
}


def unparse(node: Expr) -> str:
    """The canonical source text of ``node`` (``certificate.`` dropped, minimal parentheses)."""
    return _unparse(node, 0)


def _wrap(text: str, own: int, outer: int) -> str:
    return f"({text})" if own < outer else text


def _unparse(node: Expr, outer: int) -> str:
    if isinstance(node, Literal):
        return _literal_text(node.value)
    if isinstance(node, ListLit):
        return "[" + ", ".join(_unparse(item, 0) for item in node.items) + "]"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attr):
        if isinstance(node.obj, Name) and node.obj.name == "certificate":
            return node.name
        return f"{_unparse(node.obj, 9)}.{node.name}"
    if isinstance(node, Index):
        return f"{_unparse(node.obj, 9)}[{_unparse(node.index, 0)}]"
    if isinstance(node, Lambda):
        return f"{node.param} -> {_unparse(node.body, 0)}"
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(_unparse(arg, 0) for arg in node.args) + ")"
    if isinstance(node, Unary):
        if node.op == "not":
            return _wrap(f"not {_unparse(node.operand, 3)}", 3, outer)
        return f"-{_unparse(node.operand, 8)}"
    if isinstance(node, Binary):
        own = _PRECEDENCE[node.op]
        text = f"{_unparse(node.left, own)} {node.op} {_unparse(node.right, own + 1)}"
        return _wrap(text, own, outer)
    if isinstance(node, BoolOp):
        own = _PRECEDENCE[node.op]
        text = f" {node.op} ".join(_unparse(operand, own + 1) for operand in node.operands)
        return _wrap(text, own, outer)
    raise TypeError(f"not an expression node: {node!r}")


def _literal_text(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def walk(node: Expr) -> list[Expr]:
    """``node`` and all its sub-expressions, depth first, in source order."""
    out: list[Expr] = []
    stack: list[Expr] = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, ListLit):
        return node.items
    if isinstance(node, Attr):
        return (node.obj,)
    if isinstance(node, Index):
        return (node.obj, node.index)
    if isinstance(node, Lambda):
        return (node.body,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    return ()
