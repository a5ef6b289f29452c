"""Explain a rule: its condition evaluated sub-expression by sub-expression, with the values.

Uses the closures the compiler kept for every node, so the explanation shows exactly what
the engine computed. Inside a collection function each element is shown with the value of the
lambda body for it; a ``let`` is expanded into its own definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import ast
from .checker import Annotations, LetRef, VarRef
from .compiler import Env
from .ruleset import Rule
from .templates import jsonable

_MAX_ELEMENTS = 10
_MAX_VALUE = 70


@dataclass(frozen=True)
class Step:
    """One line of an explanation: depth, the expression (or element binding) and its value."""

    depth: int
    text: str
    value: Any
    note: str = ""

    def render(self) -> str:
        """``  text  →  value`` indented by depth."""
        note = f"  {self.note}" if self.note else ""
        return f"{'  ' * self.depth}{self.text}  →  {short(self.value)}{note}"


def short(value: Any) -> str:
    """A value as compact JSON, shortened for one line."""
    text = json.dumps(jsonable(value), ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


class _Explainer:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.steps: list[Step] = []

    def node(self, node: ast.Expr, notes: Annotations, closures: dict[int, Any], depth: int) -> None:
        if isinstance(node, ast.Literal | ast.ListLit):
            return
        closure = closures.get(id(node))
        if closure is None:
            return
        value = closure(self.env)
        resolved = notes.resolved.get(id(node))
        note = self._span_note(node, notes, closures)
        self.steps.append(Step(depth, ast.unparse(node), value, note))
        if isinstance(resolved, LetRef):
            symbol = resolved.symbol
            if symbol.annotations is not None:
                self.node(symbol.decl.expr, symbol.annotations, symbol.closures, depth + 1)
            return
        if isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.args[1], ast.Lambda):
            self.node(node.args[0], notes, closures, depth + 1)
            self._elements(node, notes, closures, depth + 1)
            return
        self.children(node, notes, closures, depth + 1)

    def children(self, node: ast.Expr, notes: Annotations, closures: dict[int, Any], depth: int) -> None:
        if isinstance(node, ast.Attr):
            return  # a path is one step: its prefixes add nothing
        for child in ast.children(node):
            self.node(child, notes, closures, depth)

    def _elements(self, node: ast.Call, notes: Annotations, closures: dict[int, Any], depth: int) -> None:
        items = closures[id(node.args[0])](self.env)
        function = node.args[1]
        assert isinstance(function, ast.Lambda)
        binding = notes.resolved[id(function)]
        assert isinstance(binding, VarRef)
        body = closures[id(function)]
        elements: Iterable[Any] = items or ()
        for count, element in enumerate(elements):
            if count == _MAX_ELEMENTS:
                self.steps.append(Step(depth, "…", None, "(more elements not shown)"))
                break
            self.env.vars[binding.slot] = element
            self.steps.append(Step(depth, f"{function.param} = {short(element)}", body(self.env)))
            self.node(function.body, notes, closures, depth + 1)

    def _span_note(self, node: ast.Expr, notes: Annotations, closures: dict[int, Any]) -> str:
        if not (isinstance(node, ast.Call) and node.name in ("mentions", "matches", "mentions_count")):
            return ""
        text = closures[id(node.args[0])](self.env)
        matcher = notes.resolved.get(id(node.args[1]))
        target = getattr(matcher, "lexicon", None) or getattr(matcher, "value", None)
        if not isinstance(text, str) or target is None:
            return ""
        found = target.search(text)
        if found is None:
            return ""
        start, end = (found.start, found.end) if hasattr(found, "entry") else found
        return f'[{start}:{end}] "{text[start:end]}"'


def explain(rule: Rule, env: Env) -> list[Step]:
    """The steps of evaluating ``rule`` 's condition in ``env``."""
    if rule.when is None or rule.annotations is None:
        return []
    explainer = _Explainer(env)
    explainer.node(rule.when, rule.annotations, rule.closures, 1)
    return explainer.steps


def explain_rule(rule: Rule, certificate: Any, context: Any = None, *, lang: str = "sv") -> str:
    """The explanation of ``rule`` on ``certificate`` as text (``intygscheck check --explain``)."""
    from ..engine import CheckContext, _case_provider, _fmb_provider

    ctx = context if isinstance(context, CheckContext) else CheckContext(others=tuple(context or ()))
    env = Env(certificate, _case_provider(certificate, ctx), _fmb_provider(certificate, ctx))
    applies = rule.applies_on(certificate.signed_date)
    fired = applies and rule.condition(env) is True
    if lang == "sv":
        verdict = "slår till" if fired else ("gäller inte detta datum" if not applies else "slår inte till")
        head = (
            f"-- förklaring: regel {rule.id} ({rule.file}:{rule.line}) på intyg {certificate.id}: {verdict}"
        )
    else:
        verdict = "fires" if fired else ("not valid on this date" if not applies else "does not fire")
        head = (
            f"-- explain: rule {rule.id} ({rule.file}:{rule.line}) on certificate {certificate.id}: {verdict}"
        )
    lines = [head, f"  when {rule.condition_text}"]
    lines.extend(step.render() for step in explain(rule, env))
    return "\n".join(lines)
