"""``check`` with ruleset names (or the defaults) resolves and stats files at most once a second."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import intygscheck
from intygscheck.rules import clear_cache, loader
from rules_support import certificate, rule, write_ruleset

CERTIFICATE = certificate()


def _edit(path: Path, body: str) -> None:
    """Rewrite ``path`` and move its mtime forward (file systems with coarse timestamps)."""
    path.write_text(body, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def _fired(path: Path) -> list[str]:
    return [finding.rule for finding in intygscheck.check(CERTIFICATE, [path]).findings]


def test_default_check_does_not_touch_the_file_system_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    first = intygscheck.check(CERTIFICATE)

    def no_file_access(*args: object, **kwargs: object) -> None:
        raise AssertionError("the hot path resolved or stat'ed a ruleset file")

    monkeypatch.setattr(loader, "_mtime", no_file_access)
    monkeypatch.setattr(loader, "resolve", no_file_access)
    monkeypatch.setattr("intygscheck.engine.resolve", no_file_access)
    again = intygscheck.check(CERTIFICATE)
    assert again.rulesets == first.rulesets and again.findings == first.findings


def test_an_edited_file_is_seen_after_the_revalidation_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ruleset(tmp_path, "egen", 'ruleset "egen"\n' + rule("E-1", "true"))
    assert _fired(path) == ["E-1"]
    _edit(path, 'ruleset "egen"\n' + rule("E-2", "true"))
    assert _fired(path) == ["E-1"]  # within the second: the remembered ruleset
    monkeypatch.setattr(loader, "REVALIDATE_SECONDS", 0.0)
    assert _fired(path) == ["E-2"]


def test_clear_cache_makes_the_next_check_reload_at_once(tmp_path: Path) -> None:
    path = write_ruleset(tmp_path, "egen", 'ruleset "egen"\n' + rule("E-1", "true"))
    assert _fired(path) == ["E-1"]
    _edit(path, 'ruleset "egen"\n' + rule("E-3", "true"))
    clear_cache()
    assert _fired(path) == ["E-3"]


def test_a_broken_ruleset_is_not_remembered(tmp_path: Path) -> None:
    path = write_ruleset(tmp_path, "trasig", 'ruleset "trasig"\n' + rule("E-1", "okänd_fält > 1"))
    with pytest.raises(intygscheck.rules.RulesetError):
        _fired(path)
    _edit(path, 'ruleset "trasig"\n' + rule("E-1", "true"))
    assert _fired(path) == ["E-1"]
