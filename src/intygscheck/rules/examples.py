"""Rule examples: the certificates ``example`` clauses describe, and the runner with coverage.

An inline example is a JSON fragment deep-merged over a complete, valid base certificate
(``examples/base.json`` beside the ruleset, else the shipped ``rulesets/examples/base.json``):
objects merge key by key, anything else (lists included) replaces. ``context [...]`` fragments
are earlier certificates of the same patient, merged over the same base, each with its own id.
A ``fixture "path"`` is a certificate file, relative to the ruleset's folder or the project root.

:func:`run_examples` runs every example of a ruleset and reports per rule whether it behaved
as promised, which rules no example exercises, and which ``and``/``or`` conditions no example
ever made true.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._resources import data_dir
from ..model import Certificate
from .compiler import CoverageRecorder, Env
from .ruleset import Rule, RuleExample, Ruleset

BASE_NAME = Path("examples") / "base.json"


class ExampleError(ValueError):
    """An example that does not describe a valid certificate; the message says why."""


def deep_merge(base: Any, fragment: Any) -> Any:
    """``fragment`` over ``base``: objects merge recursively, other values replace."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        merged = dict(base)
        for key, value in fragment.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(fragment)


def base_path(ruleset_dir: Path) -> Path:
    """The base certificate for examples of rulesets in ``ruleset_dir``."""
    local = ruleset_dir / BASE_NAME
    return local if local.is_file() else data_dir("rulesets") / BASE_NAME


@cache
def _base_data(path: str, mtime: float) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ExampleError(f"{path}: the base certificate must be a JSON object")
    return data


def base_data(ruleset_dir: Path) -> dict[str, Any]:
    """The base certificate's JSON data (cached per file version)."""
    path = base_path(ruleset_dir)
    return _base_data(str(path), path.stat().st_mtime)


def build_certificate(base: dict[str, Any], fragment: dict[str, Any], default_id: str) -> Certificate:
    """The certificate ``fragment`` describes over ``base``; raises :class:`ExampleError`."""
    data = deep_merge(base, fragment)
    if "id" not in fragment:
        data["id"] = default_id
    try:
        return Certificate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(certificate)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ExampleError(f"{where}: {first['msg']}{more}") from None


def resolve_fixture(fixture: str, ruleset_dir: Path) -> Path | None:
    """The fixture file: relative to the ruleset's folder, then to the project root."""
    given = Path(fixture)
    candidates = (
        [given] if given.is_absolute() else [ruleset_dir / given, data_dir("rulesets").parent / given]
    )
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def example_certificates(example: RuleExample) -> tuple[Certificate, tuple[Certificate, ...]]:
    """The certificate an example checks and its context (earlier certificates)."""
    if example.certificate is not None:
        return example.certificate, example.context_certificates
    assert example.fixture_path is not None
    from ..ingest import read

    return read(example.fixture_path), example.context_certificates


# ---- the runner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleOutcome:
    """How one example went: did the rule fire, was that what the example promised."""

    rule_id: str
    name: str
    expect: str
    fired: bool | None
    passed: bool
    error: str | None
    file: str
    line: int


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's examples; ``passed`` is true when it has examples and all of them passed."""

    rule_id: str
    title: str
    examples: tuple[ExampleOutcome, ...]

    @property
    def tested(self) -> bool:
        """True when at least one example exercises the rule."""
        return bool(self.examples)

    @property
    def passed(self) -> bool:
        """True when the rule has examples and every one behaved as promised."""
        return self.tested and all(example.passed for example in self.examples)

    @property
    def fired_somewhere(self) -> bool:
        """True when some example made the rule fire."""
        return any(example.fired for example in self.examples)


@dataclass(frozen=True)
class Condition:
    """One operand of an ``and``/``or`` and whether any example made it true."""

    owner: str
    file: str
    line: int
    column: int
    text: str
    ever_true: bool


@dataclass(frozen=True)
class ExamplesReport:
    """The result of :func:`run_examples` for one ruleset."""

    ruleset: str
    version: str
    rules: tuple[RuleOutcome, ...]
    conditions: tuple[Condition, ...]

    @property
    def failures(self) -> tuple[ExampleOutcome, ...]:
        """Examples that did not behave as promised (or could not run)."""
        return tuple(example for rule in self.rules for example in rule.examples if not example.passed)

    @property
    def passed(self) -> bool:
        """True when no example failed."""
        return not self.failures

    @property
    def untested_rules(self) -> tuple[str, ...]:
        """Ids of rules no example exercises."""
        return tuple(rule.rule_id for rule in self.rules if not rule.tested)

    @property
    def never_fired(self) -> tuple[str, ...]:
        """Ids of tested rules that no example makes fire."""
        return tuple(rule.rule_id for rule in self.rules if rule.tested and not rule.fired_somewhere)

    @property
    def never_true(self) -> tuple[Condition, ...]:
        """Conditions (``and``/``or`` operands) no example made true."""
        return tuple(condition for condition in self.conditions if not condition.ever_true)

    @property
    def rule_coverage(self) -> float:
        """Share of rules exercised by at least one example (1.0 for a ruleset without rules)."""
        return sum(rule.tested for rule in self.rules) / len(self.rules) if self.rules else 1.0

    @property
    def condition_coverage(self) -> float:
        """Share of ``and``/``or`` operands some example made true (1.0 when there are none)."""
        if not self.conditions:
            return 1.0
        return sum(condition.ever_true for condition in self.conditions) / len(self.conditions)


def run_examples(ruleset: Ruleset | str | Path) -> ExamplesReport:
    """Run every example of ``ruleset`` (inherited rules' examples too) and measure coverage.

    The ruleset is compiled afresh with coverage recording on, so normal checks stay
    uninstrumented. Each example evaluates its own rule on its certificate (with its context
    as the sjukfall's earlier certificates) and renders the finding, as ``check`` would.
    """
    from .loader import load_ruleset

    path = ruleset.path if isinstance(ruleset, Ruleset) else ruleset
    recorder = CoverageRecorder()
    instrumented = load_ruleset(path, coverage=recorder)
    outcomes = tuple(
        RuleOutcome(
            rule.id, rule.title, tuple(_run(rule, example, instrumented.name) for example in rule.examples)
        )
        for rule in instrumented.rules
    )
    live = {rule.id for rule in instrumented.rules}
    conditions = tuple(
        Condition(owner, file, line, column, text, (file, line, column) in recorder.true)
        for (file, line, column), (owner, text) in recorder.operands.items()
        if owner in live or owner.startswith("let ")
    )
    return ExamplesReport(instrumented.name, instrumented.version, outcomes, conditions)


def _run(rule: Rule, example: RuleExample, ruleset_name: str) -> ExampleOutcome:
    from ..engine import CheckContext, _case_provider, _finding, _fmb_provider

    def outcome(fired: bool | None, error: str | None) -> ExampleOutcome:
        passed = error is None and fired == example.must_fire
        return ExampleOutcome(
            rule.id, example.name, example.expect, fired, passed, error, example.file, example.line
        )

    try:
        certificate, context = example_certificates(example)
    except Exception as exc:  # an unreadable fixture is a failed example, not a crash
        return outcome(None, f"cannot read the example's certificate: {exc}")
    ctx = CheckContext(others=context)
    env = Env(certificate, _case_provider(certificate, ctx), _fmb_provider(certificate, ctx))
    try:
        fired = rule.applies_on(certificate.signed_date) and rule.condition(env) is True
        if fired:
            _finding(rule, env, ruleset_name)
    except Exception as exc:  # a rule failing at run time is reported as a failed example
        return outcome(None, f"{type(exc).__name__}: {exc}")
    return outcome(fired, None)
