"""Compiled rules and rulesets: what the engine evaluates and what tools list and document.

A :class:`Rule` holds its metadata, the compiled condition, the closures of everything it
reads (for messages, evidence and explanations) and its examples. A :class:`Ruleset` is an
ordered, composed set of rules with the lets and lexicons it defines or inherits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import ast
from .checker import Annotations, LetSymbol
from .lexicon import Lexicon
from .templates import Template

Closure = Callable[[Any], Any]


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error (for ``--fail-on``)."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Category(StrEnum):
    """What kind of check a rule is."""

    STRUKTUR = "struktur"
    KOMPLETTERING = "komplettering"
    FMB = "fmb"
    JAMSTALLDHET = "jamstalldhet"


@dataclass(frozen=True)
class TextMatch:
    """A ``mentions``/``matches`` call on a certificate text: gives a finding its span."""

    path: str
    text: Closure
    search: Callable[[str | None], tuple[int, int] | None]


@dataclass(frozen=True)
class RuleExample:
    """One ``example`` clause: must fire or must pass on a certificate built from it."""

    rule_id: str
    expect: str  # "fires" or "passes"
    name: str
    fragment: dict[str, Any] | None
    fixture: str | None
    context: tuple[dict[str, Any], ...]
    file: str
    line: int
    certificate: Any = field(default=None, repr=False, compare=False)
    context_certificates: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    fixture_path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def must_fire(self) -> bool:
        """True for ``example fires``."""
        return self.expect == "fires"


@dataclass(frozen=True)
class Rule:
    """One compiled rule."""

    id: str
    title: str
    severity: Severity
    category: Category
    questions: tuple[str, ...]
    messages: dict[str, Template]
    references: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None
    tags: tuple[str, ...]
    condition: Closure
    condition_text: str
    ruleset: str
    file: str
    line: int
    reads: dict[str, Closure] = field(repr=False)
    evidence: tuple[tuple[str, Closure], ...] = field(repr=False)
    location_path: str | None = None
    text_matches: tuple[TextMatch, ...] = field(default=(), repr=False)
    roots: frozenset[str] = frozenset()
    examples: tuple[RuleExample, ...] = ()
    when: ast.Expr | None = field(default=None, repr=False, compare=False)
    annotations: Annotations | None = field(default=None, repr=False, compare=False)
    closures: dict[int, Closure] = field(default_factory=dict, repr=False, compare=False)

    def applies_on(self, signed: date | None) -> bool:
        """Whether the rule is valid on signing day ``signed`` (no date: it applies)."""
        if signed is None:
            return True
        if self.valid_from is not None and signed < self.valid_from:
            return False
        return not (self.valid_to is not None and signed > self.valid_to)


@dataclass(frozen=True)
class Ruleset:
    """A loaded, composed, compiled ruleset."""

    name: str
    version: str
    description: str
    path: str
    rules: tuple[Rule, ...]
    lets: dict[str, LetSymbol] = field(repr=False)
    lexicons: dict[str, Lexicon] = field(repr=False)
    sources: tuple[str, ...] = ()
    roots: frozenset[str] = frozenset()

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``; raises ``KeyError``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def reads_case(self) -> bool:
        """True when some rule reads the ``case`` root (the sjukfall must be computed)."""
        return "case" in self.roots

    @property
    def reads_fmb(self) -> bool:
        """True when some rule reads the ``fmb`` root (the FMB decision must be computed)."""
        return "fmb" in self.roots
