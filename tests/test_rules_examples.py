"""Examples in ruleset files: built at load, run by run_examples with per-rule results and coverage."""

from __future__ import annotations

import pytest

from intygscheck.rules import load_ruleset, shipped_names
from intygscheck.rules.examples import deep_merge, run_examples
from rules_support import TEST_RULESETS

EXEMPEL = TEST_RULESETS / "exempel.rules"


def test_deep_merge_merges_objects_and_replaces_everything_else() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
    merged = deep_merge(base, {"a": {"c": [3]}, "d": None, "e": {"f": 1}})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": None, "e": {"f": 1}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": "x"}


def test_examples_are_exposed_on_the_rules_with_their_certificates() -> None:
    rule = load_ruleset(EXEMPEL).rule("X-17-GENERISK")
    generic, concrete, fixture = rule.examples
    assert (generic.name, generic.must_fire) == ("generisk", True)
    assert not concrete.must_fire
    assert generic.certificate.activity_limitation.text == "Orkar inte."
    assert generic.certificate.work_tasks is not None  # the rest comes from the base certificate
    assert fixture.fixture_path is not None and fixture.fixture_path.name == "generisk.json"


def test_context_fragments_are_merged_over_the_base_with_their_own_ids() -> None:
    example = load_ruleset(EXEMPEL).rule("X-32-LANGT").examples[1]
    (earlier,) = example.context_certificates
    assert earlier.id == "med tidigare intyg#ctx1"
    assert earlier.patient == example.certificate.patient and earlier.issuer == example.certificate.issuer


def test_run_examples_reports_each_rule_and_coverage() -> None:
    report = run_examples(load_ruleset(EXEMPEL))
    by_rule = {rule.rule_id: rule for rule in report.rules}
    assert by_rule["X-17-GENERISK"].passed
    assert by_rule["X-32-LANGT"].passed  # needs the context to reach 43 days
    assert not by_rule["X-39-LOVAR-FEL"].passed
    (failure,) = report.failures
    assert (failure.rule_id, failure.name, failure.fired) == (
        "X-39-LOVAR-FEL",
        "lovar men slår inte till",
        False,
    )
    assert not report.passed
    assert report.untested_rules == ("X-25-UTAN-EXEMPEL",)
    assert report.never_fired == ("X-39-LOVAR-FEL",)
    assert report.rule_coverage == pytest.approx(3 / 4)
    never = {condition.text for condition in report.never_true}
    assert never == {"blank(activity_limitation.text)"}
    assert report.condition_coverage == pytest.approx(1 / 2)


def test_coverage_instrumentation_does_not_touch_the_cached_ruleset() -> None:
    cached = load_ruleset(EXEMPEL)
    run_examples(cached)
    assert load_ruleset(EXEMPEL) is cached


@pytest.mark.parametrize("name", shipped_names())
def test_every_shipped_rulesets_examples_pass(name: str) -> None:
    report = run_examples(load_ruleset(name))
    assert report.failures == ()
