"""Load-time errors, shown like a compiler: each kind is a snapshot of the exact text.

Snapshots live in ``tests/snapshots/rules_errors/<name>.txt``. After an intended change of a
message, regenerate them with ``INTYGSCHECK_UPDATE_SNAPSHOTS=1 pytest tests/test_rules_errors.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intygscheck.rules import RulesetError, load_ruleset
from rules_support import REPO

ERRORS = REPO / "tests" / "rulesets" / "errors"
SNAPSHOTS = REPO / "tests" / "snapshots" / "rules_errors"
CASES = sorted(path.stem for path in ERRORS.glob("*.rules"))


def _matches_snapshot(name: str, text: str) -> None:
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("INTYGSCHECK_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text + "\n", encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot}; run with INTYGSCHECK_UPDATE_SNAPSHOTS=1"
    assert text + "\n" == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_error_text_matches_snapshot(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(RulesetError) as caught:
        load_ruleset(Path("tests/rulesets/errors") / f"{name}.rules")
    _matches_snapshot(name, str(caught.value))


def test_every_error_kind_has_a_case() -> None:
    expected = {
        "syntax",
        "unknown_field",
        "unknown_name",
        "type_date_vs_string",
        "unknown_lexicon",
        "unknown_function",
        "enum_literal",
        "duplicate_rule",
        "message_unread",
        "missing_message",
        "invalid_regex",
        "override_unknown",
        "bad_metadata",
        "not_boolean",
        "extends_missing",
    }
    assert expected <= set(CASES)


def test_all_problems_of_a_file_are_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(RulesetError) as caught:
        load_ruleset("tests/rulesets/errors/bad_metadata.rules")
    assert len(caught.value.diagnostics) >= 3
    lines = [d.pos.line for d in caught.value.diagnostics]
    assert lines == sorted(lines)


def test_unknown_ruleset_name_suggests_a_shipped_one(tmp_path: Path) -> None:
    with pytest.raises(RulesetError) as caught:
        load_ruleset("no-such-ruleset-anywhere")
    assert "ruleset 'no-such-ruleset-anywhere' not found" in str(caught.value)


def test_a_ruleset_that_includes_itself_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('ruleset "a"\nextends "b"\n', encoding="utf-8")
    (tmp_path / "b.rules").write_text('ruleset "b"\nextends "a"\n', encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(tmp_path / "a.rules")
    assert "ruleset includes itself" in str(caught.value)
