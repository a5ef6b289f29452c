"""Load-time checking of expressions: names, fields, types, functions, lexicons and regexes.

The checker walks an expression once, records the type of every node and what each name
resolves to (a root, a model member, a let, a lexicon or a lambda variable), and reports
problems to a :class:`~.errors.DiagnosticSink` with "did you mean" suggestions. The compiler
reads its :class:`Annotations`; it never resolves a name itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, IntEnum
from typing import Any

from . import ast
from . import types as t
from .errors import DiagnosticSink, did_you_mean
from .functions import FUNCTIONS, FunctionSpec
from .lexicon import Lexicon
from .regex import Regex, RegexError
from .schema import Member, members, roots

MAX_LAMBDA_DEPTH = 16

ROOT_NAMES = ("certificate", "case", "fmb")
_COLLECTION_FUNCTIONS = ("any", "all", "count", "sum", "min", "max", "filter", "map")
_ORDERING = ("<", "<=", ">", ">=")


# ---- what names resolve to --------------------------------------------------------------


@dataclass(frozen=True)
class VarRef:
    """A lambda variable, stored in slot ``slot`` of the evaluation environment."""

    slot: int


@dataclass(frozen=True)
class RootRef:
    """``certificate``, ``case`` or ``fmb``."""

    root: str


@dataclass(frozen=True)
class FieldRef:
    """A bare name that is a member of the certificate (``periods`` == ``certificate.periods``)."""

    member: Member


@dataclass(frozen=True)
class MemberRef:
    """``obj.name``: a member of a record."""

    member: Member


@dataclass(frozen=True)
class ConstRef:
    """A literal replaced at load time: an enum member for its code, a compiled regex, ..."""

    value: Any


@dataclass(eq=False)
class LetSymbol:
    """A checked ``let``: its type, where it was written, and (once compiled) its closure."""

    name: str
    decl: ast.LetDecl
    type: t.Type
    file: str
    key: int
    closure: Callable[[Any], Any] | None = None
    reads: dict[str, ast.Expr] = field(default_factory=dict)
    read_closures: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    path_questions: dict[str, str | None] = field(default_factory=dict)
    roots: frozenset[str] = frozenset()
    text_matches: tuple[Any, ...] = ()
    text_match_nodes: tuple[ast.Call, ...] = ()
    annotations: Annotations | None = None
    closures: dict[int, Callable[[Any], Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class LetRef:
    """A reference to a ``let``."""

    symbol: LetSymbol


@dataclass(frozen=True)
class LexiconRef:
    """A lexicon name (only as the second argument of ``mentions``/``mentions_count``)."""

    lexicon: Lexicon


Resolution = VarRef | RootRef | FieldRef | MemberRef | ConstRef | LetRef | LexiconRef | FunctionSpec


@dataclass
class Annotations:
    """The checker's results, keyed by node identity: types and resolutions."""

    types: dict[int, t.Type] = field(default_factory=dict)
    resolved: dict[int, Resolution] = field(default_factory=dict)

    def type_of(self, node: ast.Expr) -> t.Type:
        """The type recorded for ``node`` (``any`` when the node had an error)."""
        return self.types.get(id(node), t.ANY)


@dataclass(frozen=True)
class Scope:
    """The names visible to an expression: lets and lexicons, plus lambda variables."""

    lets: Mapping[str, LetSymbol]
    lexicons: Mapping[str, Lexicon]
    variables: Mapping[str, tuple[t.Type, int]] = field(default_factory=dict)

    def with_variable(self, name: str, type_: t.Type) -> Scope:
        """This scope plus lambda variable ``name`` in the next free slot."""
        slot = len(self.variables)
        return Scope(self.lets, self.lexicons, {**self.variables, name: (type_, slot)})


# ---- the checker ------------------------------------------------------------------------


class Checker:
    """Type-checks expressions of one file, recording into shared :class:`Annotations`."""

    def __init__(self, sink: DiagnosticSink, annotations: Annotations) -> None:
        self.sink = sink
        self.notes = annotations

    def check(self, node: ast.Expr, scope: Scope) -> t.Type:
        """The type of ``node``; errors are reported to the sink and give type ``any``."""
        result = self._check(node, scope)
        self.notes.types[id(node)] = result
        return result

    def error(self, pos: ast.Pos, message: str) -> t.Type:
        self.sink.error(pos, message)
        return t.ANY

    def _check(self, node: ast.Expr, scope: Scope) -> t.Type:
        if isinstance(node, ast.Literal):
            return _literal_type(node.value)
        if isinstance(node, ast.ListLit):
            result = t.NULL
            for item in node.items:
                result = t.unify(result, self.check(item, scope))
            return t.list_of(t.ANY if result.kind is t.Kind.NULL else result)
        if isinstance(node, ast.Name):
            return self._name(node, scope)
        if isinstance(node, ast.Attr):
            return self._attr(node, scope)
        if isinstance(node, ast.Index):
            return self._index(node, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.Lambda):
            names = ", ".join(_COLLECTION_FUNCTIONS)
            return self.error(
                node.pos, f"a lambda ({node.param} -> ...) is only allowed as an argument of {names}"
            )
        if isinstance(node, ast.Unary):
            return self._unary(node, scope)
        if isinstance(node, ast.BoolOp):
            for operand in node.operands:
                self._expect_bool(operand, self.check(operand, scope), f"'{node.op}'")
            return t.BOOL
        if isinstance(node, ast.Binary):
            return self._binary(node, scope)
        raise TypeError(f"unknown node {node!r}")  # pragma: no cover

    # ---- names and paths ----

    def _name(self, node: ast.Name, scope: Scope) -> t.Type:
        name = node.name
        if name in scope.variables:
            type_, slot = scope.variables[name]
            self.notes.resolved[id(node)] = VarRef(slot)
            return type_
        if name in scope.lets:
            symbol = scope.lets[name]
            self.notes.resolved[id(node)] = LetRef(symbol)
            return symbol.type
        if name in scope.lexicons:
            self.notes.resolved[id(node)] = LexiconRef(scope.lexicons[name])
            return t.LEXICON
        if name in ROOT_NAMES:
            self.notes.resolved[id(node)] = RootRef(name)
            return roots()[name]
        certificate = members(roots()["certificate"].model)
        if name in certificate:
            self.notes.resolved[id(node)] = FieldRef(certificate[name])
            return certificate[name].type
        candidates = [*scope.variables, *scope.lets, *scope.lexicons, *ROOT_NAMES, *certificate]
        return self.error(node.pos, f"unknown name '{name}'{did_you_mean(name, candidates)}")

    def _attr(self, node: ast.Attr, scope: Scope) -> t.Type:
        owner = self.check(node.obj, scope)
        if owner.kind is t.Kind.ANY:
            return t.ANY
        if owner.kind is t.Kind.LIST:
            return self.error(
                node.name_pos,
                f"'{ast.unparse(node.obj)}' is a {owner}, not a record: use an index "
                f"([0]) or a collection function such as any({ast.unparse(node.obj)}, x -> x.{node.name})",
            )
        if owner.kind is not t.Kind.MODEL or owner.model is None:
            return self.error(node.name_pos, f"'{ast.unparse(node.obj)}' is a {owner} and has no fields")
        available = members(owner.model)
        if node.name not in available:
            hint = did_you_mean(node.name, available)
            return self.error(node.name_pos, f"unknown field '{node.name}' on {owner.model.__name__}{hint}")
        member = available[node.name]
        self.notes.resolved[id(node)] = MemberRef(member)
        return member.type

    def _index(self, node: ast.Index, scope: Scope) -> t.Type:
        owner = self.check(node.obj, scope)
        index = self.check(node.index, scope)
        if not index.is_number and index.kind is not t.Kind.NULL:
            self.error(node.index.pos, f"an index must be a number, not a {index}")
        if owner.kind is t.Kind.LIST:
            return owner.elem or t.ANY
        if owner.kind is t.Kind.ANY:
            return t.ANY
        return self.error(
            node.obj.pos, f"'{ast.unparse(node.obj)}' is a {owner}, not a list; it cannot be indexed"
        )

    # ---- operators ----

    def _unary(self, node: ast.Unary, scope: Scope) -> t.Type:
        operand = self.check(node.operand, scope)
        if node.op == "not":
            self._expect_bool(node.operand, operand, "'not'")
            return t.BOOL
        if operand.is_number:
            return t.NUMBER
        if operand.kind in (t.Kind.DURATION, t.Kind.NULL):
            return operand
        return self.error(node.pos, f"cannot negate a {operand}")

    def _expect_bool(self, node: ast.Expr, type_: t.Type, where: str) -> None:
        if type_.kind not in (t.Kind.BOOL, t.Kind.ANY, t.Kind.NULL):
            self.error(node.pos, f"{where} needs a true/false value, but '{ast.unparse(node)}' is a {type_}")

    def _binary(self, node: ast.Binary, scope: Scope) -> t.Type:
        left = self.check(node.left, scope)
        right = self.check(node.right, scope)
        op = node.op
        if op in ("==", "!=", *_ORDERING):
            self._comparison(node, left, right)
            return t.BOOL
        if op in ("in", "not in"):
            self._membership(node, node.left, left, node.right, right)
            return t.BOOL
        if op == "contains":
            self._membership(node, node.right, right, node.left, left)
            return t.BOOL
        if op == "??":
            if not (t.comparable(left, right) or right.kind is t.Kind.NULL):
                return self.error(node.pos, f"'??' needs values of one type, got {left} and {right}")
            return t.unify(left, right)
        return self._arithmetic(node, left, right)

    def _comparison(self, node: ast.Binary, left: t.Type, right: t.Type) -> None:
        left = _code_literal_type(right, node.left, left)
        right = _code_literal_type(left, node.right, right)
        if not t.comparable(left, right):
            self.error(node.pos, f"cannot compare {left} with {right} ('{ast.unparse(node)}')")
            return
        if node.op in _ORDERING:
            for side, type_ in ((node.left, left), (node.right, right)):
                if type_.kind in (t.Kind.BOOL, t.Kind.LIST, t.Kind.MODEL, t.Kind.NULL) or (
                    type_.kind is t.Kind.ENUM and not type_.is_int_enum
                ):
                    self.error(side.pos, f"'{node.op}' cannot order a {type_} ('{ast.unparse(side)}')")
                    return
        self._enum_literal(left, node.right)
        self._enum_literal(right, node.left)

    def _membership(
        self, node: ast.Binary, item: ast.Expr, item_type: t.Type, container: ast.Expr, container_type: t.Type
    ) -> None:
        kind = container_type.kind
        if kind is t.Kind.LIST:
            elem = container_type.elem or t.ANY
            item_type = _code_literal_type(elem, item, item_type)
            elem = _code_literal_type(item_type, container, elem)
            if not t.comparable(item_type, elem):
                self.error(
                    node.pos, f"'{node.op}' compares {item_type} with the elements of a {container_type}"
                )
                return
            self._enum_literal(elem, item)
            if isinstance(container, ast.ListLit):
                for literal in container.items:
                    self._enum_literal(item_type, literal)
            return
        if container_type.is_text and container_type.kind is not t.Kind.ENUM:
            if not item_type.is_text and item_type.kind is not t.Kind.NULL:
                self.error(
                    item.pos, f"'{node.op}' on text needs text, but '{ast.unparse(item)}' is a {item_type}"
                )
            return
        if kind in (t.Kind.ANY, t.Kind.NULL):
            return
        self.error(
            container.pos,
            f"'{node.op}' needs a list or text, but '{ast.unparse(container)}' is a {container_type}",
        )

    def _enum_literal(self, enum_side: t.Type, literal: ast.Expr) -> None:
        """A string literal compared with an enum must be a member; it is replaced by the member."""
        if enum_side.kind is not t.Kind.ENUM or enum_side.enum is None:
            return
        if not (isinstance(literal, ast.Literal) and isinstance(literal.value, str)):
            return
        enum = enum_side.enum
        member = _enum_member(enum, literal.value)
        if member is None:
            names = [m.name for m in enum] + (
                [str(m.value) for m in enum] if not issubclass(enum, IntEnum) else []
            )
            hint = did_you_mean(literal.value, names)
            self.error(
                literal.pos,
                f"'{literal.value}' is not a code of {enum.__name__}{hint} "
                f"(codes: {', '.join(m.name for m in enum)})",
            )
            return
        self.notes.resolved[id(literal)] = ConstRef(member)

    def _arithmetic(self, node: ast.Binary, left: t.Type, right: t.Type) -> t.Type:
        op = node.op
        kinds = (left.kind, right.kind)
        if t.Kind.NULL in kinds or t.Kind.ANY in kinds:
            return t.ANY
        if left.is_number and right.is_number:
            return t.NUMBER
        if op == "+" and left.kind is t.Kind.STRING and right.kind is t.Kind.STRING:
            return t.STRING
        if op in ("+", "-") and kinds == (t.Kind.DATE, t.Kind.DURATION):
            return t.DATE
        if op == "+" and kinds == (t.Kind.DURATION, t.Kind.DATE):
            return t.DATE
        if op == "-" and kinds == (t.Kind.DATE, t.Kind.DATE):
            return t.NUMBER
        if op in ("+", "-") and kinds == (t.Kind.DURATION, t.Kind.DURATION):
            return t.DURATION
        return self.error(node.pos, f"cannot apply '{op}' to {left} and {right} ('{ast.unparse(node)}')")

    # ---- calls ----

    def _call(self, node: ast.Call, scope: Scope) -> t.Type:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            if node.name == "today":
                return self.error(
                    node.pos, "today() is not available: rules must be reproducible; use signed_date"
                )
            name_pos = ast.Pos(
                node.pos.line, node.pos.column, node.pos.line, node.pos.column + len(node.name)
            )
            return self.error(name_pos, f"unknown function '{node.name}'{did_you_mean(node.name, FUNCTIONS)}")
        self.notes.resolved[id(node)] = spec
        count = len(node.args)
        if not spec.min_args <= count <= spec.max_args:
            wanted = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} to {spec.max_args}"
            )
            return self.error(node.pos, f"{node.name}() takes {wanted} arguments, got {count}")
        args = node.args
        for position, arg in enumerate(args):
            if isinstance(arg, ast.Lambda) and position not in spec.lambdas:
                return self.error(arg.pos, f"{node.name}() does not take a lambda as argument {position + 1}")
            if position in spec.lambdas and not isinstance(arg, ast.Lambda):
                return self.error(
                    arg.pos, f"argument {position + 1} of {node.name}() must be a lambda, e.g. x -> ..."
                )
        if node.name in _COLLECTION_FUNCTIONS:
            return self._collection_call(node, scope)
        checker = getattr(self, f"_fn_{node.name}", None)
        if checker is not None:
            result: t.Type = checker(node, scope)
            return result
        arg_types = [self.check(arg, scope) for arg in args]
        return self._simple_call(node, arg_types)

    def _collection_call(self, node: ast.Call, scope: Scope) -> t.Type:
        collection = self.check(node.args[0], scope)
        if collection.kind not in (t.Kind.LIST, t.Kind.ANY, t.Kind.NULL):
            return self.error(
                node.args[0].pos,
                f"{node.name}() needs a list, but '{ast.unparse(node.args[0])}' is a {collection}",
            )
        elem = collection.elem or t.ANY
        body_type: t.Type | None = None
        if len(node.args) > 1:
            function = node.args[1]
            assert isinstance(function, ast.Lambda)
            if len(scope.variables) >= MAX_LAMBDA_DEPTH:
                return self.error(function.pos, f"lambdas nested deeper than {MAX_LAMBDA_DEPTH}")
            inner = scope.with_variable(function.param, elem)
            self.notes.resolved[id(function)] = VarRef(inner.variables[function.param][1])
            body_type = self.check(function.body, inner)
            self.notes.types[id(function)] = body_type
        name = node.name
        if name in ("any", "all", "filter") or (name == "count" and body_type is not None):
            assert body_type is not None
            self._expect_bool(node.args[1], body_type, f"{name}()")
        if name in ("any", "all"):
            return t.BOOL
        if name == "count":
            return t.NUMBER
        if name == "filter":
            return collection if collection.kind is t.Kind.LIST else t.list_of(t.ANY)
        if name == "map":
            return t.list_of(body_type or t.ANY)
        value_type = body_type or elem
        if name == "sum" and not value_type.is_number and value_type.kind is not t.Kind.NULL:
            return self.error(node.pos, f"sum() adds numbers, but the values are {value_type}")
        if name == "sum":
            return t.NUMBER
        if value_type.kind in (t.Kind.BOOL, t.Kind.LIST, t.Kind.MODEL):
            return self.error(node.pos, f"{name}() cannot order values of type {value_type}")
        return t.NUMBER if value_type.is_int_enum else value_type

    def _simple_call(self, node: ast.Call, arg_types: list[t.Type]) -> t.Type:
        name = node.name
        if name in ("distinct",):
            return arg_types[0] if arg_types[0].kind is t.Kind.LIST else t.list_of(t.ANY)
        if name in ("first", "last"):
            return self._list_arg(node, arg_types[0]).elem or t.ANY
        if name == "exists":
            return t.BOOL
        if name in ("length", "words", "blank", "lower"):
            self._text_arg(node, 0, arg_types[0])
            return {"length": t.NUMBER, "words": t.NUMBER, "blank": t.BOOL, "lower": t.STRING}[name]
        if name == "concat":
            return t.STRING
        if name in ("shared_words", "similarity"):
            self._text_arg(node, 0, arg_types[0])
            self._text_arg(node, 1, arg_types[1])
            return t.NUMBER
        if name in ("chapter", "block", "known_code"):
            self._text_arg(node, 0, arg_types[0])
            return t.BOOL if name == "known_code" else t.STRING
        if name == "code_system_family":
            diagnosis = arg_types[0]
            if diagnosis.kind not in (t.Kind.ANY, t.Kind.NULL) and (
                diagnosis.model is None or diagnosis.model.__name__ != "Diagnosis"
            ):
                self.error(node.args[0].pos, f"code_system_family() needs a diagnosis row, not a {diagnosis}")
            return t.STRING
        if name in ("abs", "round"):
            if not arg_types[0].is_number and arg_types[0].kind is not t.Kind.NULL:
                self.error(node.args[0].pos, f"{name}() needs a number, not a {arg_types[0]}")
            return t.NUMBER
        raise AssertionError(f"no type rule for {name}")  # pragma: no cover

    def _list_arg(self, node: ast.Call, type_: t.Type) -> t.Type:
        if type_.kind in (t.Kind.LIST,):
            return type_
        if type_.kind not in (t.Kind.ANY, t.Kind.NULL):
            self.error(
                node.args[0].pos,
                f"{node.name}() needs a list, but '{ast.unparse(node.args[0])}' is a {type_}",
            )
        return t.list_of(t.ANY)

    def _text_arg(self, node: ast.Call, position: int, type_: t.Type) -> None:
        if not type_.is_text and type_.kind is not t.Kind.NULL:
            arg = node.args[position]
            self.error(arg.pos, f"{node.name}() needs text, but '{ast.unparse(arg)}' is a {type_}")

    def _fn_mentions(self, node: ast.Call, scope: Scope) -> t.Type:
        self._text_arg(node, 0, self.check(node.args[0], scope))
        lexicon = node.args[1]
        if not isinstance(lexicon, ast.Name) or lexicon.name not in scope.lexicons:
            text = ast.unparse(lexicon)
            hint = did_you_mean(text, scope.lexicons) if isinstance(lexicon, ast.Name) else ""
            self.error(lexicon.pos, f"unknown lexicon '{text}'{hint}")
        else:
            self.check(lexicon, scope)
        return t.NUMBER if node.name == "mentions_count" else t.BOOL

    _fn_mentions_count = _fn_mentions

    def _fn_matches(self, node: ast.Call, scope: Scope) -> t.Type:
        self._text_arg(node, 0, self.check(node.args[0], scope))
        pattern = node.args[1]
        text = _constant_string(pattern, scope)
        if text is None:
            self.error(
                pattern.pos, "matches() needs the pattern as a string literal (or a let defined as one)"
            )
            return t.BOOL
        self.notes.types[id(pattern)] = t.STRING
        try:
            self.notes.resolved[id(pattern)] = ConstRef(Regex.compile(text))
        except RegexError as exc:
            self.error(pattern.pos, f"invalid regular expression: {exc}")
        return t.BOOL

    def _fn_code_in(self, node: ast.Call, scope: Scope) -> t.Type:
        from ..terminology import icd10

        self._text_arg(node, 0, self.check(node.args[0], scope))
        spec = node.args[1]
        text = _constant_string(spec, scope)
        if text is None:
            self.error(
                spec.pos,
                'code_in() needs the codes as a string literal (or a let defined as one), e.g. "F32-F33"',
            )
            return t.BOOL
        self.notes.types[id(spec)] = t.STRING
        try:
            icd10.in_range("A00", text)
        except ValueError as exc:
            self.error(spec.pos, f"invalid code range: {exc}")
            return t.BOOL
        self.notes.resolved[id(spec)] = ConstRef(text)
        return t.BOOL


def _constant_string(node: ast.Expr, scope: Scope) -> str | None:
    """The text of a string literal, or of a let defined as a string literal; else None."""
    if isinstance(node, ast.Name) and node.name in scope.lets and node.name not in scope.variables:
        node = scope.lets[node.name].decl.expr
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return node.value
    return None


def _code_literal_type(enum_side: t.Type, node: ast.Expr, type_: t.Type) -> t.Type:
    """The type of ``node`` when it is compared with ``enum_side``.

    A string literal (or, for a list literal, string literals) compared with an enum stands for
    one of its codes, so it takes the enum's type; :meth:`Checker._enum_literal` then checks that
    each literal is a member and replaces it. This lets an integer enum such as ``Grade`` compare
    with its code name (``p.grade == "HALFTEN"``) although it is otherwise a number.
    """
    if enum_side.kind is not t.Kind.ENUM or type_.kind is not t.Kind.STRING:
        return type_
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return enum_side
    if isinstance(node, ast.ListLit) and all(isinstance(item, ast.Literal) for item in node.items):
        return enum_side
    return type_


def _literal_type(value: object) -> t.Type:
    if value is None:
        return t.NULL
    if isinstance(value, bool):
        return t.BOOL
    if isinstance(value, int | float):
        return t.NUMBER
    if isinstance(value, str):
        return t.STRING
    if isinstance(value, date):
        return t.DATE
    return t.DURATION


def _enum_member(enum: type[Enum], code: str) -> Enum | None:
    for member in enum:
        if member.name == code or (not isinstance(member, IntEnum) and member.value == code):
            return member
    return None
