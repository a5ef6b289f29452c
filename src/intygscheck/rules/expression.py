"""One expression, checked and compiled on its own: for tools, tests and interactive use.

``compile_expression('words(activity_limitation.text) < 25')(certificate)`` evaluates an
expression with the same checker, compiler and null semantics as rules do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import types as t
from .checker import Annotations, Checker, Scope
from .compiler import Closure, Compiler, Env
from .errors import DiagnosticSink
from .lexicon import Lexicon
from .parser import parse_expression


@dataclass(frozen=True)
class CompiledExpression:
    """A checked, compiled expression and its type."""

    source: str
    type: t.Type
    closure: Closure

    def __call__(self, certificate: Any, *, case: Any = None, fmb: Any = None) -> Any:
        """The value of the expression for ``certificate`` (and the given case / FMB decision)."""
        env = Env(certificate, (lambda: case), (lambda: fmb))
        return self.closure(env)


def compile_expression(
    text: str, lexicons: Mapping[str, Sequence[str]] | None = None, *, file: str = "<expression>"
) -> CompiledExpression:
    """Check and compile ``text``; raises :class:`~.errors.RulesetError` like a ruleset would."""
    expr = parse_expression(text, file)
    compiled_lexicons = {name: Lexicon.compile(name, entries) for name, entries in (lexicons or {}).items()}
    sink = DiagnosticSink(file, text)
    notes = Annotations()
    type_ = Checker(sink, notes).check(expr, Scope({}, compiled_lexicons))
    sink.raise_if_any()
    return CompiledExpression(text, type_, Compiler(notes, file).compile(expr))
