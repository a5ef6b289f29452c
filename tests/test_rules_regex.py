"""User regular expressions run in RE2: linear time, case-insensitive, rejected at load if invalid."""

from __future__ import annotations

import pytest

from intygscheck.engine import check
from intygscheck.model import ActivityLimitation
from intygscheck.rules import RulesetError, load_ruleset
from intygscheck.rules.regex import Regex, RegexError
from rules_support import certificate, rule, write_ruleset


def test_pathological_pattern_on_a_long_text_gives_the_right_answer() -> None:
    # (a+)+$ backtracks exponentially in Python's re; RE2 answers in linear time.
    pattern = Regex.compile("(a+)+$")
    assert pattern.search("a" * 50_000 + "b") is None
    assert pattern.search("b" + "a" * 50_000) == (1, 50_001)


def test_matching_is_case_insensitive_and_spans_count_characters() -> None:
    assert Regex.compile("smärt").search("Svår SMÄRTA") == (5, 10)


@pytest.mark.parametrize("pattern", ["(", "(?<=a)b", "(a)\\1"])
def test_patterns_re2_lacks_are_rejected(pattern: str) -> None:
    with pytest.raises(RegexError):
        Regex.compile(pattern)


def test_invalid_pattern_is_a_load_time_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_ruleset(tmp_path, "re", rule("R-1", 'matches(activity_limitation.text, "(?<=kg)")'))
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert "invalid regular expression" in str(caught.value)


def test_matches_in_a_rule_gives_the_span(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_ruleset(tmp_path, "re", rule("R-1", 'matches(activity_limitation.text, "\\\\d+ ?kg")'))
    text = "Kan inte lyfta mer än 5 kg."
    result = check(certificate(activity_limitation=ActivityLimitation(text=text)), [path])
    (finding,) = result.findings
    assert finding.location.path == "activity_limitation.text"
    assert finding.location.span == (22, 26)
