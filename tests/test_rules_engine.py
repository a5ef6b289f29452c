"""engine.check: findings with evidence and location, validity dates, context, laziness, threads."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pytest

import intygscheck
from intygscheck.engine import CheckContext, CheckTimeout, Result, RuleEvaluationError, check
from intygscheck.model import (
    ActivityLimitation,
    Certificate,
    Diagnosis,
    Grade,
    Prognosis,
    PrognosisCode,
    SickLeavePeriod,
)
from intygscheck.rules import load_ruleset
from rules_support import TEST_RULESETS, certificate, rule, write_ruleset

BASIC = TEST_RULESETS / "basic.rules"
PART_TIME = (SickLeavePeriod(grade=Grade.HALFTEN, start=date(2024, 3, 1), end=date(2024, 3, 14)),)


def test_finding_carries_evidence_location_span_and_messages() -> None:
    text = "Patienten orkar inte gå till jobbet."
    result = check(certificate(activity_limitation=ActivityLimitation(text=text)), [BASIC])
    (finding,) = result.findings
    assert finding.rule == "T-17-GENERISK" and finding.questions == ("17",)
    assert finding.evidence == {
        "activity_limitation.text": text,
        "words(activity_limitation.text)": 6,
    }
    assert finding.location.path == "activity_limitation.text"
    assert finding.location.span is not None
    start, end = finding.location.span
    assert text[start:end] == "orkar inte"
    assert finding.message("sv") == "Allmänt hållen beskrivning, 6 ord."
    assert finding.message("en") == "Generic description, 6 words."


def test_location_prefers_a_path_answering_the_rules_question() -> None:
    result = check(certificate(periods=PART_TIME), [BASIC])
    (finding,) = result.findings
    assert finding.rule == "T-33-DELTID"
    assert finding.location.path == "working_time.requested" and finding.location.span is None
    assert finding.evidence["periods"] == [{"grade": 50, "start": "2024-03-01", "end": "2024-03-14"}]


def test_validity_dates_compare_with_the_signing_date() -> None:
    unclear = {
        "prognosis": Prognosis(code=PrognosisCode.PROGNOS_OKLAR),
        "diagnoses": (Diagnosis(code="F321", text="Depression"),),
    }
    inside = certificate(**unclear)
    before = certificate(signed_at=datetime(2015, 6, 1, 8, 0), **unclear)
    unsigned = certificate(signed_at=None, **unclear)
    assert [f.rule for f in check(inside, [BASIC]).findings] == ["T-39-OKLAR"]
    assert check(before, [BASIC]).findings == ()
    assert [f.rule for f in check(unsigned, [BASIC]).findings] == ["T-39-OKLAR"]


def test_result_is_json_serialisable_and_names_rulesets_with_versions() -> None:
    result = check(certificate(periods=PART_TIME), [BASIC], source="a.json")
    data = json.loads(result.model_dump_json())
    assert data["rulesets"] == [{"name": "basic", "version": "1.2.0"}]
    assert data["source"] == "a.json" and data["certificate_id"] == "intyg-1"
    assert Result.model_validate_json(result.model_dump_json()) == result


def test_public_api_is_reachable_from_the_package() -> None:
    result = intygscheck.check(certificate(), [BASIC])
    assert isinstance(result, intygscheck.Result)
    assert intygscheck.load_ruleset(BASIC) is load_ruleset(BASIC)


def test_case_and_fmb_are_not_computed_when_no_rule_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import intygscheck.cases
    import intygscheck.terminology.fmb

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not be called")

    monkeypatch.setattr(intygscheck.cases, "case_for", boom)
    monkeypatch.setattr(intygscheck.terminology.fmb, "decide", boom)
    check(certificate(periods=PART_TIME), [BASIC])


def _case_ruleset(directory: Path, message: str) -> Path:
    """A ruleset whose one rule fires on a sjukfall over 20 days, with ``message`` in Swedish."""
    return write_ruleset(
        directory,
        "fall",
        'ruleset "fall"\n'
        + rule("F-1", "case.total_days > 20", questions='["32"]').replace(
            'message sv "Fynd F-1."', f'message sv "{message}"'
        ),
    )


def _chaining_pair() -> tuple[Certificate, Certificate]:
    """February (29 days), then 2024-03-01 .. 03-14: same patient and unit, so they chain (43 days)."""
    first = certificate(
        id="a",
        periods=(SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=date(2024, 2, 1), end=date(2024, 2, 29)),),
    )
    return first, certificate(id="b")


def test_case_is_built_from_the_context(tmp_path: Path) -> None:
    path = _case_ruleset(tmp_path, "Sjukfallet är {case.total_days} dagar.")
    first, second = _chaining_pair()
    assert check(second, [path]).findings == ()
    (finding,) = check(second, [path], context=[first]).findings
    assert finding.message("sv") == "Sjukfallet är 43 dagar."
    assert finding.evidence["case.total_days"] == 43
    consecutive = check(second, [path], context=CheckContext(others=(first,), gap_days=0))
    assert [f.evidence["case.total_days"] for f in consecutive.findings] == [43]


def test_fmb_root_reads_the_fmb_decision(tmp_path: Path) -> None:
    path = write_ruleset(
        tmp_path, "f", 'ruleset "f"\n' + rule("F-1", "fmb.has_data and fmb.code != null", questions='["6"]')
    )
    lumbago = certificate(diagnoses=(Diagnosis(code="M545", code_system="1.2.752.116.1.1.1", text="x"),))
    (finding,) = check(lumbago, [path]).findings
    assert finding.evidence["fmb.has_data"] is True


def test_rule_that_fails_at_run_time_names_rule_and_place(tmp_path: Path) -> None:
    path = write_ruleset(tmp_path, "x", 'ruleset "x"\n' + rule("X-1", '["a", 1][0] > 5'))
    with pytest.raises(RuleEvaluationError, match="rule 'X-1' failed"):
        check(certificate(), [path])


def test_check_is_thread_safe() -> None:
    ruleset = load_ruleset(BASIC)
    texts = ["Orkar inte.", "Kan inte lyfta tunga lådor mer än tio minuter i taget.", None, "smärta överallt"]
    certificates = [
        certificate(id=f"c{i}", activity_limitation=ActivityLimitation(text=texts[i % 4]), periods=PART_TIME)
        for i in range(40)
    ]
    expected = [check(c, [ruleset]) for c in certificates]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(lambda c: check(c, [ruleset]), certificates)) == expected


def test_a_check_past_its_deadline_stops_between_rules() -> None:
    cert = certificate(activity_limitation=ActivityLimitation(text="Patienten orkar inte gå till jobbet."))
    total = len(load_ruleset(BASIC).rules)
    with pytest.raises(CheckTimeout) as stopped:
        check(cert, [BASIC], deadline=time.monotonic() - 1)
    assert (stopped.value.rules_done, stopped.value.rules_total) == (0, total)
    in_time = check(cert, [BASIC], deadline=time.monotonic() + 60)
    assert in_time == check(cert, [BASIC])


def test_precomputed_case_in_the_context_is_used_instead_of_chaining(tmp_path: Path) -> None:
    from intygscheck.cases import case_for

    path = _case_ruleset(tmp_path, "{case.total_days} dagar.")
    first, second = _chaining_pair()
    precomputed = case_for(second, [first])
    (finding,) = check(second, [path], context=CheckContext(case=precomputed)).findings
    assert finding.message("sv") == "43 dagar."


def test_finding_carries_the_rules_tags() -> None:
    (finding,) = check(
        certificate(activity_limitation=ActivityLimitation(text="Orkar inte.")), [BASIC]
    ).findings
    assert finding.tags == ("dfa",)
