"""``check(certificate, rulesets, context) -> Result``: run compiled rules on one certificate.

Thread-safe: rulesets are immutable once compiled and each check has its own evaluation
environment. The sjukfall (``case``) and the FMB decision (``fmb``) are computed lazily, the
first time a rule reads them, so rulesets that never read them pay nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from . import cases as _cases
from .cases.models import Case
from .errors import IntygscheckError
from .model import Certificate
from .rules.compiler import Env
from .rules.loader import load_recent, load_ruleset, resolve
from .rules.ruleset import Category, Rule, Ruleset, Severity
from .rules.templates import jsonable
from .terminology import fmb as _fmb

DEFAULT_RULESETS: tuple[str, ...] = ("fk7804-struktur", "komplettering", "fmb")
"""The shipped rulesets ``check`` runs when none are named (those present in this install)."""


class Location(BaseModel):
    """Where a finding points: a model field path and, for text rules, a ``[start, end)`` span."""

    model_config = ConfigDict(frozen=True)

    path: str | None = None
    span: tuple[int, int] | None = None


class Finding(BaseModel):
    """One rule that fired on a certificate, with what it saw and where."""

    model_config = ConfigDict(frozen=True)

    rule: str
    title: str
    severity: Severity
    category: Category
    questions: tuple[str, ...]
    messages: dict[str, str] = Field(description="The message in Swedish (sv) and English (en).")
    evidence: dict[str, Any] = Field(default_factory=dict, description="The values the rule read, by path.")
    location: Location = Location()
    ruleset: str
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def message(self, lang: str = "sv") -> str:
        """The message in ``lang`` (``sv`` or ``en``), falling back to Swedish."""
        return self.messages.get(lang) or self.messages.get("sv", "")


class RulesetRef(BaseModel):
    """A ruleset a result came from."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str


class Result(BaseModel):
    """The findings for one certificate and the rulesets (with versions) that produced them."""

    model_config = ConfigDict(frozen=True)

    source: str | None = None
    certificate_id: str
    rulesets: tuple[RulesetRef, ...]
    findings: tuple[Finding, ...]
    lang: str = "sv"

    def worst(self) -> Severity | None:
        """The most serious severity among the findings (None without findings)."""
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


@dataclass(frozen=True)
class CheckContext:
    """What a check may know beyond the certificate: the patient's other certificates and options.

    ``case`` is a precomputed sjukfall (e.g. from :func:`intygscheck.cases.cases_by_id` in a batch);
    when given, the engine uses it instead of building one from ``others``.
    """

    others: tuple[Certificate, ...] = ()
    case: Case | None = None
    gap_days: int = 5
    case_scope: str | None = None
    fmb_mode: str | None = None
    zero_policy: str | None = None


_NO_CONTEXT = CheckContext()
"""The context of a check given none (frozen: one instance serves every such check)."""


class RuleEvaluationError(IntygscheckError):
    """A rule failed while evaluating (a value of an unexpected type): names the rule and place."""

    def __init__(self, rule: Rule, reason: str) -> None:
        self.rule = rule
        super().__init__(f"{rule.file}:{rule.line}: rule '{rule.id}' failed: {reason}")


class CheckTimeout(IntygscheckError):
    """A check passed its ``deadline`` before its last rule ran (see :func:`check`)."""

    def __init__(self, rules_done: int, rules_total: int) -> None:
        self.rules_done = rules_done
        self.rules_total = rules_total
        super().__init__(f"check stopped at its deadline after {rules_done} of {rules_total} rules")


RulesetSpec = str | Path | Ruleset


def check(
    certificate: Certificate,
    rulesets: Sequence[RulesetSpec] | RulesetSpec | None = None,
    context: CheckContext | Iterable[Certificate] | None = None,
    *,
    lang: str = "sv",
    source: str | None = None,
    deadline: float | None = None,
) -> Result:
    """Check ``certificate`` with ``rulesets`` (names, paths or :class:`Ruleset` s; None: the defaults).

    ``context`` gives the patient's other certificates (for the sjukfall) and options, as a
    :class:`CheckContext` or a plain iterable of certificates. Rulesets given by name or path
    are re-resolved (and their files re-stat'ed for edits) at most once a second, see
    :func:`load_all`; pass :class:`Ruleset` objects to skip even that lookup. ``lang`` is the
    language a renderer shows by default; every finding carries both Swedish and English messages.

    ``deadline`` is a :func:`time.monotonic` value: a check still running then stops between
    two rules with :class:`CheckTimeout` (a time budget for callers such as the web service;
    the check runs in the caller's thread, so nothing is left running after it).
    """
    loaded = load_all(rulesets)
    if context is None:
        ctx = _NO_CONTEXT
    else:
        ctx = context if isinstance(context, CheckContext) else CheckContext(others=tuple(context))
    env = Env(certificate, _case_provider(certificate, ctx), _fmb_provider(certificate, ctx))
    findings: list[Finding] = []
    evidence_memo: dict[str, Any] = {}  # a path has one value per check: convert it once
    plan = _plan(loaded)
    signed = certificate.signed_date
    clock = time.monotonic
    for done, (rule, ruleset_name, condition, dated) in enumerate(plan.steps):
        if deadline is not None and clock() > deadline:
            raise CheckTimeout(done, len(plan.steps))
        if dated and not rule.applies_on(signed):
            continue
        try:
            if condition(env) is True:
                findings.append(_finding(rule, env, ruleset_name, evidence_memo))
        except _RULE_ERRORS as exc:
            raise RuleEvaluationError(rule, f"{type(exc).__name__}: {exc}") from exc
    return Result(
        source=source,
        certificate_id=certificate.id,
        rulesets=plan.refs,
        findings=tuple(findings),
        lang=lang,
    )


def load_all(rulesets: Sequence[RulesetSpec] | RulesetSpec | None) -> tuple[Ruleset, ...]:
    """The compiled rulesets for ``rulesets`` (None: the shipped defaults that exist).

    Names and paths are resolved, and their files' modification times checked, at most once
    per :data:`~intygscheck.rules.loader.REVALIDATE_SECONDS` (1 s) per distinct list: so
    ``check(certificate)`` on the hot path costs a dict lookup, and an edited ruleset file is
    picked up by the checks that start a second later (at once after
    :func:`intygscheck.rules.clear_cache`). :class:`Ruleset` objects are used as given.
    """
    if isinstance(rulesets, Ruleset):
        return (rulesets,)
    if rulesets is None:
        return load_recent(None, lambda: tuple(load_ruleset(name) for name in default_ruleset_names()))
    specs: tuple[RulesetSpec, ...] = (rulesets,) if isinstance(rulesets, str | Path) else tuple(rulesets)
    if any(isinstance(spec, Ruleset) for spec in specs):
        return tuple(load_ruleset(spec) for spec in specs)
    key: tuple[Any, ...] = tuple(str(spec) for spec in specs)
    if any(_relative_path(spec) for spec in specs):
        key += (os.getcwd(),)  # a relative path means another file after a chdir
    return load_recent(key, lambda: tuple(load_ruleset(spec) for spec in specs))


def _relative_path(spec: RulesetSpec) -> bool:
    text = str(spec)
    looks_like_path = isinstance(spec, Path) or text.endswith(".rules") or "/" in text or os.sep in text
    return looks_like_path and not os.path.isabs(text)


def default_ruleset_names() -> tuple[str, ...]:
    """The names in :data:`DEFAULT_RULESETS` that this installation ships."""
    return tuple(name for name in DEFAULT_RULESETS if resolve(name, None) is not None)


_RULE_ERRORS = (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError)
"""What a condition raises on a value of an unexpected type (reported as :class:`RuleEvaluationError`)."""


@dataclass(frozen=True)
class _Plan:
    """What one list of rulesets runs: per rule (rule, ruleset name, condition, has validity
    dates), and the result's ruleset references; built once per list, reused by every check."""

    rulesets: tuple[Ruleset, ...]
    steps: tuple[tuple[Rule, str, Any, bool], ...]
    refs: tuple[RulesetRef, ...]


_PLANS: dict[tuple[int, ...], _Plan] = {}


def _plan(rulesets: tuple[Ruleset, ...]) -> _Plan:
    """Rules to run, each once: a rule id in several rulesets runs in the last one's version."""
    key = tuple(id(r) for r in rulesets)
    cached = _PLANS.get(key)
    if cached is not None and all(a is b for a, b in zip(cached.rulesets, rulesets, strict=True)):
        return cached
    chosen: dict[str, tuple[Rule, str, Any, bool]] = {}
    for ruleset in rulesets:
        for rule in ruleset.rules:
            chosen.pop(rule.id, None)
            dated = rule.valid_from is not None or rule.valid_to is not None
            chosen[rule.id] = (rule, ruleset.name, rule.condition, dated)
    refs = tuple(RulesetRef(name=r.name, version=r.version) for r in rulesets)
    plan = _Plan(rulesets, tuple(chosen.values()), refs)
    if len(_PLANS) > 256:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def _case_provider(certificate: Certificate, ctx: CheckContext) -> Any:
    if ctx.case is not None:
        precomputed = ctx.case
        return lambda: precomputed

    def case() -> Any:
        scope = _cases.CaseScope(ctx.case_scope) if ctx.case_scope else _cases.CaseScope.UNIT
        return _cases.case_for(certificate, ctx.others, gap_days=ctx.gap_days, scope=scope)

    return case


def _fmb_provider(certificate: Certificate, ctx: CheckContext) -> Any:
    def fmb() -> Any:
        options: dict[str, Any] = {}
        if ctx.fmb_mode:
            options["mode"] = _fmb.FmbMode(ctx.fmb_mode)
        if ctx.zero_policy:
            options["zero_policy"] = _fmb.ZeroPolicy(ctx.zero_policy)
        return _fmb.decide(certificate, **options)

    return fmb


_LOCATIONS: dict[str | None, Location] = {}
"""A location without a span, per path: frozen, so one instance serves every finding."""


def _finding(rule: Rule, env: Env, ruleset_name: str, memo: dict[str, Any] | None = None) -> Finding:
    """The finding of a rule that fired; ``memo`` keeps converted evidence values per check."""
    memo = {} if memo is None else memo
    evidence: dict[str, Any] = {}
    for path, read in rule.evidence:
        evidence[path] = memo[path] if path in memo else memo.setdefault(path, jsonable(read(env)))
    messages: dict[str, str] = {}
    values: dict[str, Any] = {}  # each placeholder evaluated once for both languages
    for lang, template in rule.messages.items():
        messages[lang] = template.render(env, lang, values)
        for part in template.parts:
            if not isinstance(part, str) and part[0] not in evidence:
                key = part[0]
                evidence[key] = memo[key] if key in memo else memo.setdefault(key, jsonable(values[key]))
    location = _LOCATIONS.get(rule.location_path)
    if location is None:
        location = _LOCATIONS.setdefault(rule.location_path, Location(path=rule.location_path, span=None))
    for match in rule.text_matches:
        text = match.text(env)
        span = match.search(text) if isinstance(text, str) else None
        if span is not None:
            location = Location(path=match.path, span=span)
            break
    return Finding(
        rule=rule.id,
        title=rule.title,
        severity=rule.severity,
        category=rule.category,
        questions=rule.questions,
        messages=messages,
        evidence=evidence,
        location=location,
        ruleset=ruleset_name,
        references=rule.references,
        tags=rule.tags,
    )


__all__ = [
    "DEFAULT_RULESETS",
    "CheckContext",
    "CheckTimeout",
    "Finding",
    "Location",
    "Result",
    "RuleEvaluationError",
    "RulesetRef",
    "check",
    "load_all",
]
