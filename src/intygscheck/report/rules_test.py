"""The result of running rulesets' in-file examples, with coverage, for a person or a machine.

``intygscheck rules test`` runs :func:`intygscheck.rules.examples.run_examples` on each
ruleset and hands the reports to :func:`summarise`. Rulesets share files through ``extends``
and ``import`` (``fmb`` and ``komplettering`` both import ``fmb-grund``), so the totals count
each rule (by file and id) and each ``and``/``or`` operand (by file, line and column) once: an
operand counts as true when an example of any ruleset made it true.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..rules.examples import Condition, ExampleOutcome, ExamplesReport, RuleOutcome

WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "ok": "ok",
        "fail": "FEL",
        "untested": "otestad",
        "examples": "exempel",
        "expected_fire": "skulle slå till men gjorde det inte",
        "expected_pass": "skulle inte slå till men gjorde det",
        "error": "kunde inte köras",
        "rules_cov": "regler med exempel",
        "cond_cov": "villkor som något exempel gjort sanna",
        "never_true": "villkor som inget exempel gör sant",
        "never_fired": "regler som inget exempel får att slå till",
        "total": "Totalt",
        "rulesets": "regeluppsättningar",
        "rules": "regler",
        "failed": "misslyckade",
        "below": "täckningen är under --min-coverage",
        "load_error": "laddas inte",
        "measure_rules": "regler med exempel",
        "measure_conditions": "villkor",
    },
    "en": {
        "ok": "ok",
        "fail": "FAIL",
        "untested": "untested",
        "examples": "examples",
        "expected_fire": "should fire but did not",
        "expected_pass": "should not fire but did",
        "error": "could not run",
        "rules_cov": "rules with examples",
        "cond_cov": "conditions some example made true",
        "never_true": "conditions no example makes true",
        "never_fired": "rules no example makes fire",
        "total": "Total",
        "rulesets": "rulesets",
        "rules": "rules",
        "failed": "failed",
        "below": "coverage is below --min-coverage",
        "load_error": "does not load",
        "measure_rules": "rules with examples",
        "measure_conditions": "conditions",
    },
}


def words(lang: str) -> dict[str, str]:
    """The report's words in ``lang`` (Swedish for an unknown language)."""
    return WORDS.get(lang, WORDS["sv"])


@dataclass(frozen=True)
class Ratio:
    """``covered`` of ``total``; 100 % when there is nothing to cover."""

    covered: int
    total: int

    @property
    def percent(self) -> float:
        """The share in percent."""
        return 100.0 * self.covered / self.total if self.total else 100.0

    def text(self) -> str:
        """``55/57 (96.5 %)``."""
        return f"{self.covered}/{self.total} ({self.percent:.1f} %)"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"covered": self.covered, "total": self.total, "percent": round(self.percent, 2)}


@dataclass(frozen=True)
class LoadFailure:
    """A ruleset named on the command line that did not load (its compiler listing)."""

    reference: str
    listing: str


@dataclass(frozen=True)
class RunSummary:
    """Every report of one run, the deduplicated totals and the verdict."""

    reports: tuple[ExamplesReport, ...]
    load_failures: tuple[LoadFailure, ...]
    rule_files: dict[tuple[str, str], str]  # (ruleset name, rule id) -> file the rule is defined in
    min_coverage: float | None

    @property
    def rules(self) -> Ratio:
        """Distinct rules with at least one example."""
        tested: dict[tuple[str, str], bool] = {}
        for report in self.reports:
            for rule in report.rules:
                key = (self.rule_files.get((report.ruleset, rule.rule_id), report.ruleset), rule.rule_id)
                tested[key] = tested.get(key, False) or rule.tested
        return Ratio(sum(tested.values()), len(tested))

    @property
    def conditions(self) -> Ratio:
        """Distinct ``and``/``or`` operands some example made true."""
        seen: dict[tuple[str, int, int], bool] = {}
        for report in self.reports:
            for condition in report.conditions:
                key = (condition.file, condition.line, condition.column)
                seen[key] = seen.get(key, False) or condition.ever_true
        return Ratio(sum(seen.values()), len(seen))

    @property
    def failures(self) -> int:
        """Examples that did not behave as promised, over all reports."""
        return sum(len(report.failures) for report in self.reports)

    @property
    def example_count(self) -> int:
        """Examples run, over all reports."""
        return sum(len(rule.examples) for report in self.reports for rule in report.rules)

    @property
    def below_minimum(self) -> list[str]:
        """Which coverage measures (``rules``, ``conditions``) are below ``min_coverage``."""
        if self.min_coverage is None:
            return []
        measures = {"rules": self.rules, "conditions": self.conditions}
        return [name for name, ratio in measures.items() if ratio.percent < self.min_coverage]

    @property
    def passed(self) -> bool:
        """True when every ruleset loaded, every example passed and coverage is high enough."""
        return not self.load_failures and not self.failures and not self.below_minimum


def summarise(
    reports: Sequence[ExamplesReport],
    load_failures: Sequence[LoadFailure] = (),
    rule_files: dict[tuple[str, str], str] | None = None,
    min_coverage: float | None = None,
) -> RunSummary:
    """One run's reports with its totals (see the module docstring for how they are counted)."""
    return RunSummary(tuple(reports), tuple(load_failures), dict(rule_files or {}), min_coverage)


# ---- text ----------------------------------------------------------------------------------


def failure_reason(example: ExampleOutcome, lang: str = "sv") -> str:
    """Why an example failed, in ``lang``."""
    w = words(lang)
    if example.error is not None:
        return f"{w['error']}: {example.error}"
    return w["expected_fire"] if example.expect == "fires" else w["expected_pass"]


def render_text(summary: RunSummary, lang: str = "sv") -> str:
    """Per ruleset: one line per rule, failures with reasons, coverage; then the totals."""
    w = words(lang)
    lines: list[str] = []
    for failure in summary.load_failures:
        lines.append(f"{failure.reference}: {w['load_error']}")
        lines.extend(f"  {line}" for line in failure.listing.splitlines())
        lines.append("")
    for report in summary.reports:
        lines.extend(_report_lines(report, lang))
        lines.append("")
    lines.append(
        f"{w['total']}: {len(summary.reports)} {w['rulesets']}, {summary.rules.total} {w['rules']}, "
        f"{summary.example_count} {w['examples']}, {summary.failures} {w['failed']}; "
        f"{w['rules_cov']} {summary.rules.text()}, {w['cond_cov']} {summary.conditions.text()}"
    )
    if summary.below_minimum:
        measures = ", ".join(w[f"measure_{name}"] for name in summary.below_minimum)
        lines.append(f"{w['below']} ({summary.min_coverage:g} %): {measures}")
    return "\n".join(lines)


def _report_lines(report: ExamplesReport, lang: str) -> list[str]:
    w = words(lang)
    rules = Ratio(sum(rule.tested for rule in report.rules), len(report.rules))
    conditions = Ratio(sum(c.ever_true for c in report.conditions), len(report.conditions))
    lines = [f"{report.ruleset} {report.version}"]
    width = max((len(rule.rule_id) for rule in report.rules), default=0)
    for rule in report.rules:
        status = _status(rule)
        label = {"pass": w["ok"], "fail": w["fail"], "untested": w["untested"]}[status]
        lines.append(f"  {label:<8} {rule.rule_id.ljust(width)}  {len(rule.examples)} {w['examples']}")
        for example in rule.examples:
            if not example.passed:
                where = f"{example.file}:{example.line}"
                reason = failure_reason(example, lang)
                lines.append(f'{" " * 11}{where}: "{example.name}" ({example.expect}): {reason}')
    lines.append(f"  {w['rules_cov']}: {rules.text()}; {w['cond_cov']}: {conditions.text()}")
    never_fired = report.never_fired
    if never_fired:
        lines.append(f"  {w['never_fired']}: {', '.join(never_fired)}")
    if report.never_true:
        lines.append(f"  {w['never_true']}:")
        never_true = sorted(report.never_true, key=lambda c: (c.file, c.line, c.column))
        lines.extend(f"    {_condition_line(condition)}" for condition in never_true)
    return lines


def _condition_line(condition: Condition) -> str:
    return f"{condition.file}:{condition.line}:{condition.column}  {condition.owner}  {condition.text}"


def _status(rule: RuleOutcome) -> str:
    if not rule.tested:
        return "untested"
    return "pass" if rule.passed else "fail"


# ---- JSON ----------------------------------------------------------------------------------


def summary_dict(summary: RunSummary, lang: str = "sv") -> dict[str, Any]:
    """The whole run as plain JSON data."""
    return {
        "passed": summary.passed,
        "min_coverage": summary.min_coverage,
        "below_min_coverage": summary.below_minimum,
        "totals": {
            "rulesets": len(summary.reports),
            "examples": summary.example_count,
            "failed": summary.failures,
            "rules": summary.rules.as_dict(),
            "conditions": summary.conditions.as_dict(),
        },
        "load_errors": [{"ruleset": f.reference, "listing": f.listing} for f in summary.load_failures],
        "rulesets": [_report_dict(report, lang) for report in summary.reports],
    }


def _report_dict(report: ExamplesReport, lang: str) -> dict[str, Any]:
    rules = Ratio(sum(rule.tested for rule in report.rules), len(report.rules))
    conditions = Ratio(sum(c.ever_true for c in report.conditions), len(report.conditions))
    return {
        "name": report.ruleset,
        "version": report.version,
        "passed": report.passed,
        "coverage": {"rules": rules.as_dict(), "conditions": conditions.as_dict()},
        "untested_rules": list(report.untested_rules),
        "never_fired": list(report.never_fired),
        "never_true": [
            {"owner": c.owner, "file": c.file, "line": c.line, "column": c.column, "text": c.text}
            for c in report.never_true
        ],
        "rules": [
            {
                "id": rule.rule_id,
                "title": rule.title,
                "status": _status(rule),
                "examples": [
                    {
                        "name": example.name,
                        "expect": example.expect,
                        "fired": example.fired,
                        "passed": example.passed,
                        "reason": None if example.passed else failure_reason(example, lang),
                        "file": example.file,
                        "line": example.line,
                    }
                    for example in rule.examples
                ],
            }
            for rule in report.rules
        ],
    }


def render_json(summary: RunSummary, lang: str = "sv") -> str:
    """The run as one JSON document."""
    return json.dumps(summary_dict(summary, lang), ensure_ascii=False, indent=2)
