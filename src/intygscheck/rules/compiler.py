"""Checked syntax tree → Python closures. No ``eval``/``exec``, no reflection outside the schema.

Every expression node becomes a closure ``f(env) -> value``; the closures only call
``getattr`` with member names the checker found in the schema, the built-ins of
:mod:`.functions`, and plain operators. Evaluation never parses and allocates little: lambda
loops write the element into a preallocated variable slot of the :class:`Env`.

:func:`analyse` tells what a condition reads — the sub-expressions a message may interpolate,
the model paths that become evidence, the text matches that give a location span.
"""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import ast
from . import types as t
from .checker import (
    MAX_LAMBDA_DEPTH,
    Annotations,
    ConstRef,
    FieldRef,
    LetRef,
    LetSymbol,
    LexiconRef,
    MemberRef,
    RootRef,
    VarRef,
)
from .functions import FUNCTIONS
from .schema import Member

Closure = Callable[["Env"], Any]

_UNSET: Any = object()


class Env:
    """What one evaluation sees: the certificate, the lazily computed case and FMB decision,
    lambda variable slots and the per-check cache of ``let`` values. One per check (not shared
    between threads)."""

    __slots__ = ("_case", "_case_provider", "_fmb", "_fmb_provider", "certificate", "lets", "vars")

    def __init__(
        self,
        certificate: Any,
        case_provider: Callable[[], Any] | None = None,
        fmb_provider: Callable[[], Any] | None = None,
    ) -> None:
        self.certificate = certificate
        self.vars: list[Any] = [None] * MAX_LAMBDA_DEPTH
        self.lets: dict[int, Any] = {}
        self._case: Any = _UNSET
        self._fmb: Any = _UNSET
        self._case_provider = case_provider
        self._fmb_provider = fmb_provider

    def case(self) -> Any:
        """The sjukfall, computed on first use (null when no provider was given)."""
        if self._case is _UNSET:
            self._case = self._case_provider() if self._case_provider else None
        return self._case

    def fmb(self) -> Any:
        """The FMB decision, computed on first use (null when no provider was given)."""
        if self._fmb is _UNSET:
            self._fmb = self._fmb_provider() if self._fmb_provider else None
        return self._fmb


# ---- what a condition reads -------------------------------------------------------------


@dataclass
class Reads:
    """What an expression reads, in source order."""

    exprs: dict[str, ast.Expr] = field(default_factory=dict)
    paths: list[ast.Expr] = field(default_factory=list)
    text_matches: list[ast.Call] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)
    lets: list[LetSymbol] = field(default_factory=list)


def analyse(node: ast.Expr, notes: Annotations) -> Reads:
    """The readable sub-expressions, evidence paths, text matches, roots and lets of ``node``."""
    found: list[ast.Expr] = []
    paths: list[ast.Expr] = []
    inner_paths: set[int] = set()
    reads = Reads()

    def visit(current: ast.Expr) -> set[int]:
        resolved = notes.resolved.get(id(current))
        if isinstance(current, ast.Lambda):
            inner = visit(current.body)
            return inner - {resolved.slot} if isinstance(resolved, VarRef) else inner
        used: set[int] = set()
        for child in ast.children(current):
            used |= visit(child)
        if isinstance(resolved, VarRef):
            used.add(resolved.slot)
        if used:
            return used
        if isinstance(resolved, RootRef):
            reads.roots.add(resolved.root)
        elif isinstance(resolved, FieldRef):
            reads.roots.add("certificate")
        elif isinstance(resolved, LetRef) and resolved.symbol not in reads.lets:
            reads.lets.append(resolved.symbol)
        if isinstance(current, ast.Name | ast.Attr | ast.Index | ast.Call) and not isinstance(
            resolved, LexiconRef
        ):
            found.append(current)
        if is_path(current, notes):
            paths.append(current)
            if isinstance(current, ast.Attr | ast.Index):
                inner_paths.add(id(current.obj))
        if isinstance(current, ast.Call) and current.name in ("mentions", "mentions_count", "matches"):
            reads.text_matches.append(current)
        return used

    visit(node)
    for expr in sorted(found, key=lambda n: (n.pos.line, n.pos.column)):
        reads.exprs.setdefault(ast.unparse(expr), expr)
    reads.paths = sorted(
        (p for p in paths if id(p) not in inner_paths and not _bare_root(p, notes)),
        key=lambda n: (n.pos.line, n.pos.column),
    )
    reads.text_matches.sort(key=lambda n: (n.pos.line, n.pos.column))
    return reads


def is_path(node: ast.Expr, notes: Annotations) -> bool:
    """A model path: a root or certificate field, followed by fields and indexes."""
    while isinstance(node, ast.Attr | ast.Index):
        if isinstance(node, ast.Attr) and not isinstance(notes.resolved.get(id(node)), MemberRef):
            return False
        node = node.obj
    return isinstance(node, ast.Name) and isinstance(notes.resolved.get(id(node)), RootRef | FieldRef)


def _bare_root(node: ast.Expr, notes: Annotations) -> bool:
    return isinstance(node, ast.Name) and isinstance(notes.resolved.get(id(node)), RootRef)


def path_question(node: ast.Expr, notes: Annotations) -> str | None:
    """The FK question of the deepest member on a path that answers one (``"17.1"``)."""
    while isinstance(node, ast.Attr | ast.Index):
        resolved = notes.resolved.get(id(node))
        if isinstance(resolved, MemberRef) and resolved.member.question:
            return resolved.member.question
        node = node.obj
    resolved = notes.resolved.get(id(node))
    return resolved.member.question if isinstance(resolved, FieldRef) else None


# ---- the compiler -----------------------------------------------------------------------

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class CoverageRecorder:
    """Which ``and``/``or`` operands were ever true (only when compiling with coverage on)."""

    def __init__(self) -> None:
        self.operands: dict[tuple[str, int, int], tuple[str, str]] = {}
        self.true: set[tuple[str, int, int]] = set()

    def register(self, file: str, owner: str, node: ast.Expr) -> tuple[str, int, int]:
        """Note an operand of ``owner`` (a rule id or ``let <name>``); the key it records under."""
        key = (file, node.pos.line, node.pos.column)
        self.operands.setdefault(key, (owner, ast.unparse(node)))
        return key


class Compiler:
    """Compiles checked expressions of one file; remembers every node's closure for explain."""

    def __init__(self, notes: Annotations, file: str = "", coverage: CoverageRecorder | None = None) -> None:
        self.notes = notes
        self.file = file
        self.coverage = coverage
        self.closures: dict[int, Closure] = {}
        # nodes that are plain attribute paths: (lambda slot or None for the certificate, getter)
        self.accessors: dict[int, tuple[int | None, Callable[[Any], Any]]] = {}
        self.owner = ""  # the rule id or "let <name>" being compiled (for coverage)

    def compile(self, node: ast.Expr) -> Closure:
        """The closure of ``node`` (and, recorded, of all its sub-expressions)."""
        closure = self._compile(node)
        self.closures[id(node)] = closure
        return closure

    def _type(self, node: ast.Expr) -> t.Type:
        return self.notes.type_of(node)

    def _compile(self, node: ast.Expr) -> Closure:
        resolved = self.notes.resolved.get(id(node))
        if isinstance(resolved, ConstRef):
            return _constant(resolved.value)
        if isinstance(node, ast.Literal):
            return _constant(node.value)
        if isinstance(node, ast.ListLit):
            return self._list(node)
        if isinstance(node, ast.Name):
            return self._name(node, resolved)
        if isinstance(node, ast.Attr):
            assert isinstance(resolved, MemberRef)
            return self._attr(node, resolved.member)
        if isinstance(node, ast.Index):
            return self._index(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Unary):
            return self._unary(node)
        if isinstance(node, ast.BoolOp):
            return self._boolop(node)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        raise TypeError(f"cannot compile {node!r}")  # pragma: no cover - the checker rejects it

    # ---- names and paths ----

    def _name(self, node: ast.Name, resolved: object) -> Closure:
        if isinstance(resolved, VarRef):
            slot = resolved.slot
            return lambda env: env.vars[slot]
        if isinstance(resolved, LetRef):
            return _let(resolved.symbol)
        if isinstance(resolved, LexiconRef):
            return _constant(resolved.lexicon)
        if isinstance(resolved, RootRef):
            if resolved.root == "certificate":
                return lambda env: env.certificate
            return Env.case if resolved.root == "case" else Env.fmb
        assert isinstance(resolved, FieldRef)
        if not resolved.member.is_datetime:
            self.accessors[id(node)] = (None, operator.attrgetter(resolved.member.name))
        return _certificate_member(resolved.member)

    def _attr(self, node: ast.Attr, member: Member) -> Closure:
        obj_resolved = self.notes.resolved.get(id(node.obj))
        if isinstance(obj_resolved, RootRef) and obj_resolved.root == "certificate":
            self.closures[id(node.obj)] = lambda env: env.certificate
            if not member.is_datetime:
                self.accessors[id(node)] = (None, operator.attrgetter(member.name))
            return _certificate_member(member)
        fused = self._fused_path(node, member)
        if fused is not None:
            return fused
        obj = self.compile(node.obj)
        name = member.name
        if isinstance(obj_resolved, RootRef) and not member.is_datetime:
            return _root_member(obj_resolved.root, name)
        if member.is_datetime:

            def attr_date(env: Env) -> Any:
                owner = obj(env)
                value = None if owner is None else getattr(owner, name)
                return None if value is None else value.date()

            return attr_date

        def attr(env: Env) -> Any:
            owner = obj(env)
            return None if owner is None else getattr(owner, name)

        return attr

    def _fused_path(self, node: ast.Attr, member: Member) -> Closure | None:
        """One ``attrgetter`` for ``a.b.c`` when no step before the last can be null.

        Starts at the certificate or at a lambda variable; the sub-paths still get their own
        closures (for evidence and explanations), compiled but not called here.
        """
        names = [member.name]
        current: ast.Expr = node.obj
        while isinstance(current, ast.Attr):
            resolved = self.notes.resolved.get(id(current))
            if not isinstance(resolved, MemberRef) or resolved.member.nullable or resolved.member.is_datetime:
                return None
            names.append(resolved.member.name)
            current = current.obj
        base = self.notes.resolved.get(id(current))
        if isinstance(base, FieldRef):
            if base.member.nullable or base.member.is_datetime:
                return None
            names.append(base.member.name)
        elif isinstance(base, RootRef) and base.root == "certificate":
            pass
        elif not isinstance(base, VarRef):
            return None
        if len(names) < 2 and not isinstance(base, VarRef):
            return None
        self.compile(node.obj)  # record the prefixes' closures
        getter = operator.attrgetter(".".join(reversed(names)))
        datetime_last = member.is_datetime
        if not datetime_last:
            self.accessors[id(node)] = (base.slot if isinstance(base, VarRef) else None, getter)
        if isinstance(base, VarRef):
            slot = base.slot

            def from_variable(env: Env) -> Any:
                owner = env.vars[slot]
                if owner is None:
                    return None
                value = getter(owner)
                return value.date() if datetime_last and value is not None else value

            return from_variable
        if datetime_last:

            def from_certificate_date(env: Env) -> Any:
                value = getter(env.certificate)
                return None if value is None else value.date()

            return from_certificate_date
        return lambda env: getter(env.certificate)

    def _index(self, node: ast.Index) -> Closure:
        obj = self.compile(node.obj)
        index = self.compile(node.index)

        def item(env: Env) -> Any:
            items = obj(env)
            position = index(env)
            if items is None or position is None:
                return None
            try:
                return items[int(position)]
            except IndexError:
                return None

        return item

    def _list(self, node: ast.ListLit) -> Closure:
        items = [self.compile(item) for item in node.items]
        if _is_constant(node):
            return _constant(self._literal(node))
        return lambda env: tuple(item(env) for item in items)

    def _literal(self, node: ast.Expr) -> Any:
        """A constant's value as compiled (a code literal becomes its enum member; a list of
        constants, nested too, a tuple — folded once at load)."""
        resolved = self.notes.resolved.get(id(node))
        if isinstance(resolved, ConstRef):
            return resolved.value
        if isinstance(node, ast.ListLit):
            return tuple(self._literal(item) for item in node.items)
        assert isinstance(node, ast.Literal)
        return node.value

    # ---- calls ----

    def _call(self, node: ast.Call) -> Closure:
        name = node.name
        if len(node.args) == 2 and isinstance(node.args[1], ast.Lambda):
            return self._lambda_call(node)
        args = [self.compile(arg) for arg in node.args]
        impl = FUNCTIONS[name].impl
        if name == "count" and len(args) == 1:
            accessor = self.accessors.get(id(node.args[0]))
            if accessor is not None and accessor[0] is None:
                getter = accessor[1]

                def count_path(env: Env) -> int:
                    values = getter(env.certificate)
                    return 0 if values is None else len(values)

                return count_path
            (items,) = args

            def count(env: Env) -> int:
                values = items(env)
                return 0 if values is None else len(values)

            return count
        if len(args) == 1:
            accessor = self.accessors.get(id(node.args[0]))
            if accessor is not None:
                return _call_on_path(impl, accessor)
            (first,) = args
            return lambda env: impl(first(env))
        if len(args) == 2:
            first, second = args
            constant = self.notes.resolved.get(id(node.args[1]))
            if isinstance(constant, ConstRef | LexiconRef):
                value = constant.value if isinstance(constant, ConstRef) else constant.lexicon
                accessor = self.accessors.get(id(node.args[0]))
                if accessor is not None:
                    return _call_on_path_with(impl, accessor, value)
                return lambda env: impl(first(env), value)
            return lambda env: impl(first(env), second(env))
        return lambda env: impl(*(arg(env) for arg in args))

    def _lambda_call(self, node: ast.Call) -> Closure:
        items = self.compile(node.args[0])
        function = node.args[1]
        assert isinstance(function, ast.Lambda)
        binding = self.notes.resolved[id(function)]
        assert isinstance(binding, VarRef)
        slot = binding.slot
        body = self.compile(function.body)
        self.closures[id(function)] = body
        name = node.name
        if name == "any":

            def any_(env: Env) -> bool:
                values = items(env)
                if values:
                    slots = env.vars
                    for value in values:
                        slots[slot] = value
                        if body(env) is True:
                            return True
                return False

            return any_
        if name == "all":

            def all_(env: Env) -> bool:
                values = items(env)
                if values:
                    slots = env.vars
                    for value in values:
                        slots[slot] = value
                        if body(env) is not True:
                            return False
                return True

            return all_
        if name in ("count", "filter"):

            def select(env: Env) -> list[Any]:
                values = items(env)
                if not values:
                    return []
                slots = env.vars
                chosen = []
                for value in values:
                    slots[slot] = value
                    if body(env) is True:
                        chosen.append(value)
                return chosen

            if name == "count":
                return lambda env: len(select(env))
            return lambda env: tuple(select(env))
        if name in ("min", "max", "sum"):
            return _aggregate(name, items, body, slot)
        if name == "map":

            def map_(env: Env) -> tuple[Any, ...]:  # fn_map without a helper function per call
                values = items(env)
                if values is None:
                    return ()
                slots = env.vars
                out = []
                for value in values:
                    slots[slot] = value
                    out.append(body(env))
                return tuple(out)

            return map_
        impl = FUNCTIONS[name].impl

        def mapped(env: Env) -> Any:
            slots = env.vars

            def apply(value: Any) -> Any:
                slots[slot] = value
                return body(env)

            return impl(items(env), apply)

        return mapped

    # ---- operators ----

    def _unary(self, node: ast.Unary) -> Closure:
        operand = self.compile(node.operand)
        if node.op == "not":
            resolved = self.notes.resolved.get(id(node.operand))
            if isinstance(resolved, LetRef):
                return _not_let(resolved.symbol.key, operand)
            return lambda env: operand(env) is not True

        def negate(env: Env) -> Any:
            value = operand(env)
            if value is None:
                return None
            if isinstance(value, ast.Duration):
                return ast.Duration(-value.days, -value.months)
            return -value

        return negate

    def _boolop(self, node: ast.BoolOp) -> Closure:
        operands = [self._operand(operand) for operand in node.operands]
        if node.op == "and":
            if len(operands) == 2:
                first, second = operands
                return lambda env: first(env) is True and second(env) is True
            if len(operands) == 3:
                first, second, third = operands
                return lambda env: first(env) is True and second(env) is True and third(env) is True
            if len(operands) == 4:
                first, second, third, fourth = operands
                return lambda env: (
                    first(env) is True and second(env) is True and third(env) is True and fourth(env) is True
                )

            def and_(env: Env) -> bool:
                for operand in operands:  # noqa: SIM110 - a loop avoids a generator per call
                    if operand(env) is not True:
                        return False
                return True

            return and_
        if len(operands) == 2:
            first, second = operands
            return lambda env: first(env) is True or second(env) is True
        if len(operands) == 3:
            first, second, third = operands
            return lambda env: first(env) is True or second(env) is True or third(env) is True

        def or_(env: Env) -> bool:
            for operand in operands:  # noqa: SIM110 - a loop avoids a generator per call
                if operand(env) is True:
                    return True
            return False

        return or_

    def _operand(self, node: ast.Expr) -> Closure:
        closure = self.compile(node)
        if self.coverage is None:
            return closure
        key = self.coverage.register(self.file, self.owner, node)
        hits = self.coverage.true

        def recorded(env: Env) -> Any:
            value = closure(env)
            if value is True:
                hits.add(key)
            return value

        return recorded

    def _binary(self, node: ast.Binary) -> Closure:
        op = node.op
        if op in _COMPARE:
            return self._compare(node)
        left = self.compile(node.left)
        right = self.compile(node.right)
        if op in ("in", "not in", "contains"):
            return _membership(op, left, right)
        if op == "??":

            def coalesce(env: Env) -> Any:
                value = left(env)
                return right(env) if value is None else value

            return coalesce
        if (
            op in ("+", "-")
            and self._type(node.left).kind is t.Kind.DATE
            and isinstance(node.right, ast.Literal)
            and isinstance(node.right.value, ast.Duration)
        ):
            return _date_shift(left, node.right.value, 1 if op == "+" else -1)
        if (
            op == "-"
            and self._type(node.left).kind is t.Kind.DATE
            and self._type(node.right).kind is t.Kind.DATE
        ):
            return _days_between(left, right)
        constant = self._constant_value(node.right)
        if (
            isinstance(node.right, ast.Literal)
            and type(constant) in (int, float)
            and self._type(node.left).kind is t.Kind.NUMBER
            and not (op == "/" and constant == 0)
        ):
            return _arithmetic_constant(op, left, constant)
        return _arithmetic(op, left, right, self._type(node.left), self._type(node.right))

    def _compare(self, node: ast.Binary) -> Closure:
        op = node.op
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, ast.Literal) and side.value is None and op in ("==", "!="):
                value = self.compile(other)
                accessor = self.accessors.get(id(other))
                if accessor is not None:
                    return _path_is_null(accessor, op == "==")
                if op == "==":
                    return lambda env: value(env) is None
                return lambda env: value(env) is not None
        left = self._as_days(node.left, node.right)
        right = self._as_days(node.right, node.left)
        compare = _COMPARE[op]
        constant = self._constant_value(node.right)
        if constant is not None:
            accessor = self.accessors.get(id(node.left))
            if accessor is not None and self._type(node.left).kind is not t.Kind.DURATION:
                return _path_compare(accessor, compare, constant)
            counted = self._count_compare(node.left, compare, constant)
            if counted is not None:
                return counted
            return _CONSTANT_COMPARE[op](left, constant)

        def comparison(env: Env) -> bool:
            a = left(env)
            if a is None:
                return False
            b = right(env)
            if b is None:
                return False
            return bool(compare(a, b))

        return comparison

    def _count_compare(
        self, node: ast.Expr, compare: Callable[[Any, Any], Any], constant: Any
    ) -> Closure | None:
        """``count(path) <op> literal`` or ``count(let) <op> literal`` in one closure (None for
        anything else): the same value as the count closure compared by ``_CONSTANT_COMPARE``."""
        if not (isinstance(node, ast.Call) and node.name == "count" and len(node.args) == 1):
            return None
        if isinstance(node.args[0], ast.Lambda):
            return None  # pragma: no cover - the checker requires a list
        accessor = self.accessors.get(id(node.args[0]))
        if accessor is not None and accessor[0] is None:
            getter = accessor[1]

            def count_path_compare(env: Env) -> Any:
                values = getter(env.certificate)
                return compare(0 if values is None else len(values), constant)

            return count_path_compare
        resolved = self.notes.resolved.get(id(node.args[0]))
        if isinstance(resolved, LetRef):
            key = resolved.symbol.key
            let = self.closures[id(node.args[0])]  # compiled with the count call

            def count_let_compare(env: Env) -> Any:
                values = env.lets.get(key, _UNSET)
                if values is _UNSET:
                    values = let(env)
                return compare(0 if values is None else len(values), constant)

            return count_let_compare
        return None

    def _constant_value(self, node: ast.Expr) -> Any:
        """The value of a literal operand (None when it is not a non-null literal)."""
        resolved = self.notes.resolved.get(id(node))
        if isinstance(resolved, ConstRef):
            return resolved.value
        if isinstance(node, ast.Literal):
            value = node.value
            return value.total_days if isinstance(value, ast.Duration) else value
        return None

    def _as_days(self, node: ast.Expr, other: ast.Expr) -> Closure:
        """A duration compared with a number (or duration) compares in days."""
        closure = self.compile(node)
        if self._type(node).kind is not t.Kind.DURATION:
            return closure
        if isinstance(node, ast.Literal) and isinstance(node.value, ast.Duration):
            return _constant(node.value.total_days)

        def days(env: Env) -> Any:
            value = closure(env)
            return None if value is None else value.total_days

        return days


def _call_on_path(impl: Callable[[Any], Any], accessor: tuple[int | None, Callable[[Any], Any]]) -> Closure:
    """``f(path)`` in one closure: read the path (null through a null lambda variable) and call."""
    slot, getter = accessor
    if slot is None:
        return lambda env: impl(getter(env.certificate))

    def on_variable(env: Env) -> Any:
        owner = env.vars[slot]
        return impl(None if owner is None else getter(owner))

    return on_variable


def _call_on_path_with(
    impl: Callable[[Any, Any], Any], accessor: tuple[int | None, Callable[[Any], Any]], value: Any
) -> Closure:
    """``f(path, constant)`` (a lexicon, a regex) in one closure, as :func:`_call_on_path`."""
    slot, getter = accessor
    if slot is None:
        return lambda env: impl(getter(env.certificate), value)

    def on_variable(env: Env) -> Any:
        owner = env.vars[slot]
        return impl(None if owner is None else getter(owner), value)

    return on_variable


def _path_is_null(accessor: tuple[int | None, Callable[[Any], Any]], is_null: bool) -> Closure:
    """``path == null`` (``is_null``) or ``path != null`` in one closure (null through a null
    lambda variable counts as null)."""
    slot, getter = accessor
    if slot is None:
        if is_null:
            return lambda env: getter(env.certificate) is None
        return lambda env: getter(env.certificate) is not None

    def variable_is_null(env: Env) -> bool:
        owner = env.vars[slot]
        return (owner is None or getter(owner) is None) is is_null

    return variable_is_null


def _root_member(root: str, name: str) -> Closure:
    """``case.<name>`` or ``fmb.<name>`` in one closure: the root as :meth:`Env.case` or
    :meth:`Env.fmb` gives it (computed on first use), null when the root is null."""
    getter = operator.attrgetter(name)
    read_root = Env.case if root == "case" else Env.fmb

    def root_member(env: Env) -> Any:
        owner = read_root(env)
        return None if owner is None else getter(owner)

    return root_member


def _not_let(key: int, let: Closure) -> Closure:
    """``not <let>``: the let's per-check value read in place (computed by ``let`` the first time)."""

    def not_let(env: Env) -> bool:
        value = env.lets.get(key, _UNSET)
        if value is _UNSET:
            value = let(env)
        return value is not True

    return not_let


def _aggregate(name: str, items: Closure, body: Closure, slot: int) -> Closure:
    """``min``/``max``/``sum`` of a lambda over a list, without a helper function per call.

    The same values as :func:`~.functions.fn_min` and friends: nulls skipped, ``sum`` of
    nothing 0, ``min``/``max`` of nothing null.
    """
    reduce: Callable[[list[Any]], Any] = (
        sum
        if name == "sum"
        else (lambda values: min(values, default=None))
        if name == "min"
        else (lambda values: max(values, default=None))
    )

    def aggregate(env: Env) -> Any:
        values = items(env)
        found: list[Any] = []
        if values:
            slots = env.vars
            for value in values:
                slots[slot] = value
                result = body(env)
                if result is not None:
                    found.append(result)
        return reduce(found)

    return aggregate


def _date_shift(value: Closure, duration: ast.Duration, sign: int) -> Closure:
    """``date ± literal duration``: calendar months first (clamped), then days, as :func:`date_op`."""
    months = sign * duration.months
    delta = timedelta(days=sign * duration.days)
    if not months:

        def shift_days(env: Env) -> Any:
            day = value(env)
            return None if day is None else day + delta

        return shift_days

    if not delta:

        def shift_months(env: Env) -> Any:
            day = value(env)
            return None if day is None else add_months(day, months)

        return shift_months

    def shift(env: Env) -> Any:
        day = value(env)
        return None if day is None else add_months(day, months) + delta

    return shift


def _days_between(left: Closure, right: Closure) -> Closure:
    """``date − date``: a number of days."""

    def days(env: Env) -> Any:
        a = left(env)
        if a is None:
            return None
        b = right(env)
        return None if b is None else (a - b).days

    return days


def _is_constant(node: ast.Expr) -> bool:
    """A literal, or a list literal of constants (at any depth)."""
    if isinstance(node, ast.ListLit):
        return all(_is_constant(item) for item in node.items)
    return isinstance(node, ast.Literal)


def _path_compare(
    accessor: tuple[int | None, Callable[[Any], Any]], compare: Callable[[Any, Any], Any], constant: Any
) -> Closure:
    """``path <op> literal`` in one closure: read the path and compare, no nested calls."""
    slot, getter = accessor
    if slot is None:

        def certificate_path(env: Env) -> bool:
            a = getter(env.certificate)
            return a is not None and compare(a, constant)

        return certificate_path

    def variable_path(env: Env) -> bool:
        owner = env.vars[slot]
        if owner is None:
            return False
        a = getter(owner)
        return a is not None and compare(a, constant)

    return variable_path


def _lt(value: Closure, constant: Any) -> Closure:
    def lt(env: Env) -> bool:
        a = value(env)
        return a is not None and a < constant

    return lt


def _le(value: Closure, constant: Any) -> Closure:
    def le(env: Env) -> bool:
        a = value(env)
        return a is not None and a <= constant

    return le


def _gt(value: Closure, constant: Any) -> Closure:
    def gt(env: Env) -> bool:
        a = value(env)
        return a is not None and a > constant

    return gt


def _ge(value: Closure, constant: Any) -> Closure:
    def ge(env: Env) -> bool:
        a = value(env)
        return a is not None and a >= constant

    return ge


def _eq(value: Closure, constant: Any) -> Closure:
    def eq(env: Env) -> bool:
        a = value(env)
        return a is not None and a == constant

    return eq


def _ne(value: Closure, constant: Any) -> Closure:
    def ne(env: Env) -> bool:
        a = value(env)
        return a is not None and a != constant

    return ne


_CONSTANT_COMPARE: dict[str, Callable[[Closure, Any], Closure]] = {
    "<": _lt,
    "<=": _le,
    ">": _gt,
    ">=": _ge,
    "==": _eq,
    "!=": _ne,
}
"""Comparisons with a literal on the right, one closure each (the hot path of most rules)."""


def _constant(value: Any) -> Closure:
    return lambda env: value


def _let(symbol: LetSymbol) -> Closure:
    key = symbol.key
    body = symbol.closure
    assert body is not None, f"let {symbol.name} used before it was compiled"

    def let(env: Env) -> Any:
        cache = env.lets
        value = cache.get(key, _UNSET)
        if value is _UNSET:
            value = cache[key] = body(env)
        return value

    return let


def _certificate_member(member: Member) -> Closure:
    name = member.name
    if member.is_datetime:

        def member_date(env: Env) -> Any:
            value = getattr(env.certificate, name)
            return None if value is None else value.date()

        return member_date
    getter = operator.attrgetter(name)
    return lambda env: getter(env.certificate)


def _membership(op: str, left: Closure, right: Closure) -> Closure:
    if op == "contains":
        left, right = right, left
    negate = op == "not in"

    def member(env: Env) -> bool:
        item = left(env)
        if item is None:
            return False
        container = right(env)
        if container is None:
            return False
        return (item not in container) if negate else (item in container)

    return member


def _arithmetic(op: str, left: Closure, right: Closure, left_type: t.Type, right_type: t.Type) -> Closure:
    kinds = (left_type.kind, right_type.kind)
    if t.Kind.DATE in kinds or t.Kind.DURATION in kinds:
        return _date_arithmetic(op, left, right)
    if op == "/":

        def divide(env: Env) -> Any:
            a = left(env)
            b = right(env)
            if a is None or b is None or b == 0:
                return None
            return a / b

        return divide
    function = {"+": operator.add, "-": operator.sub, "*": operator.mul}[op]

    def arithmetic(env: Env) -> Any:
        a = left(env)
        if a is None:
            return None
        b = right(env)
        if b is None:
            return None
        return function(a, b)

    return arithmetic


def _arithmetic_constant(op: str, left: Closure, constant: float) -> Closure:
    """``number <op> literal number`` (a non-zero divisor): one closure, null stays null."""
    function = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op]

    def arithmetic(env: Env) -> Any:
        a = left(env)
        return None if a is None else function(a, constant)

    return arithmetic


def _date_arithmetic(op: str, left: Closure, right: Closure) -> Closure:
    def dates(env: Env) -> Any:
        a = left(env)
        b = right(env)
        if a is None or b is None:
            return None
        return date_op(op, a, b)

    return dates


def date_op(op: str, a: Any, b: Any) -> Any:
    """``+``/``-`` over dates and durations: date − date is a number of days."""
    if isinstance(a, date) and isinstance(b, date):
        return (a - b).days
    if isinstance(a, ast.Duration) and isinstance(b, ast.Duration):
        sign = 1 if op == "+" else -1
        return ast.Duration(a.days + sign * b.days, a.months + sign * b.months)
    if isinstance(a, ast.Duration):
        a, b = b, a
    sign = 1 if op == "+" else -1
    return add_months(a, sign * b.months) + timedelta(days=sign * b.days)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
