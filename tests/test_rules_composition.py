"""Composition: extends, import, override, disable, shipped names, caching."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intygscheck.engine import check
from intygscheck.model import ActivityLimitation
from intygscheck.rules import RulesetError, Severity, load_ruleset
from rules_support import TEST_RULESETS, certificate, rule, write_ruleset

GENERIC = certificate(activity_limitation=ActivityLimitation(text="Orkar inte."))


def test_extends_inherits_rules_and_override_changes_severity_and_message() -> None:
    ruleset = load_ruleset(TEST_RULESETS / "child.rules")
    ids = [r.id for r in ruleset.rules]
    assert ids == ["T-17-GENERISK", "T-33-DELTID", "C-35-SMARTA"]  # T-39-OKLAR disabled
    generic = ruleset.rule("T-17-GENERISK")
    assert generic.severity is Severity.INFO
    (finding,) = [f for f in check(GENERIC, [ruleset]).findings if f.rule == "T-17-GENERISK"]
    assert finding.message("sv") == "Ändrat: 2 ord."
    assert finding.message("en") == "Generic description, 2 words."  # not overridden
    assert finding.ruleset == "child"


def test_import_brings_lets_and_lexicons_but_not_rules() -> None:
    ruleset = load_ruleset(TEST_RULESETS / "child.rules")
    assert "smartbeskrivning" in ruleset.lets and "smarta" in ruleset.lexicons
    assert not any(r.id.startswith("L-") for r in ruleset.rules)


def test_parent_is_unchanged_by_a_child_override() -> None:
    load_ruleset(TEST_RULESETS / "child.rules")
    parent = load_ruleset(TEST_RULESETS / "basic.rules")
    assert parent.rule("T-17-GENERISK").severity is Severity.WARNING
    assert [r.id for r in parent.rules] == ["T-17-GENERISK", "T-33-DELTID", "T-39-OKLAR"]


def test_redefining_an_inherited_rule_needs_override(tmp_path: Path) -> None:
    base = TEST_RULESETS / "basic.rules"
    path = write_ruleset(tmp_path, "x", f'extends "{base}"\n' + rule("T-17-GENERISK", "true"))
    with pytest.raises(RulesetError, match="use 'override rule'"):
        load_ruleset(path)


def test_override_cannot_change_the_condition(tmp_path: Path) -> None:
    base = TEST_RULESETS / "basic.rules"
    path = write_ruleset(tmp_path, "x", f'extends "{base}"\noverride rule "T-17-GENERISK" {{ when true }}\n')
    with pytest.raises(RulesetError, match="'when' cannot be overridden"):
        load_ruleset(path)


def test_override_message_may_only_name_what_the_rule_reads(tmp_path: Path) -> None:
    base = TEST_RULESETS / "basic.rules"
    body = f'extends "{base}"\noverride rule "T-17-GENERISK" {{ message sv "{{case.total_days}}" }}\n'
    with pytest.raises(RulesetError, match="does not read"):
        load_ruleset(write_ruleset(tmp_path, "x", body))


def test_extends_by_name_finds_a_sibling_file(tmp_path: Path) -> None:
    write_ruleset(tmp_path, "bas", 'ruleset "bas" version "2"\n' + rule("B-1", "blank(work_tasks)"))
    child = write_ruleset(tmp_path, "barn", 'ruleset "barn"\nextends "bas"\n' + rule("B-2", "true"))
    assert [r.id for r in load_ruleset(child).rules] == ["B-1", "B-2"]


def test_shipped_ruleset_by_name() -> None:
    ruleset = load_ruleset("fk7804-struktur")
    assert ruleset.name == "fk7804-struktur" and ruleset.rules


def test_compiled_ruleset_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    bas = write_ruleset(tmp_path, "bas", 'ruleset "bas"\n' + rule("B-1", "true"))
    child = write_ruleset(tmp_path, "barn", 'ruleset "barn"\nextends "bas"\n')
    first = load_ruleset(child)
    assert load_ruleset(child) is first
    bas.write_text('ruleset "bas"\n' + rule("B-9", "true"), encoding="utf-8")
    stat = bas.stat()
    os.utime(bas, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    second = load_ruleset(child)
    assert second is not first and [r.id for r in second.rules] == ["B-9"]


def test_same_rule_in_two_listed_rulesets_runs_once_in_the_last_version() -> None:
    parent = load_ruleset(TEST_RULESETS / "basic.rules")
    child = load_ruleset(TEST_RULESETS / "child.rules")
    findings = [f for f in check(GENERIC, [parent, child]).findings if f.rule == "T-17-GENERISK"]
    assert len(findings) == 1 and findings[0].severity is Severity.INFO


DIAMOND = TEST_RULESETS / "diamond" / "topp.rules"


def test_diamond_import_shares_the_bottom_file_when_loaded() -> None:
    ruleset = load_ruleset(DIAMOND)
    assert [r.id for r in ruleset.rules] == ["D-35-SMARTA-KORT", "D-17-KORT"]
    assert {"smartbeskrivning", "kort_f", "kort_a"} <= set(ruleset.lets)
    assert sum(Path(source).name == "grund.rules" for source in ruleset.sources) == 1


def test_diamond_import_also_loads_with_coverage_for_the_example_runner() -> None:
    from intygscheck.rules.examples import run_examples

    report = run_examples(DIAMOND)
    assert report.passed and not report.failures
    assert report.rule_coverage == 1.0
