"""Sjukfall chaining: Webcert's counting, replacements, scope, and properties of the chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from intygscheck.cases import Case, CaseScope, build_cases, case_for, cases_by_id, chains
from intygscheck.model import (
    Certificate,
    Diagnosis,
    Grade,
    Issuer,
    Patient,
    Relation,
    RelationKind,
    SickLeavePeriod,
)
from intygscheck.terminology.fmb import FmbMode, decide

DAY0 = date(2024, 3, 4)


def certificate(
    cid: str,
    start: int,
    days: int,
    *,
    unit: str = "SE2321000016-UNIT1",
    provider: str = "SE2321000016-VG1",
    patient: str = "patient-a",
    grade: int = 100,
    code: str = "M545",
    relations: tuple[Relation, ...] = (),
    extra: tuple[tuple[int, int, int], ...] = (),
    signed: datetime | None = None,
) -> Certificate:
    """A certificate whose periods start ``start`` days after DAY0; ``extra`` adds (start, days, grade)."""
    periods = [(start, days, grade), *extra]
    return Certificate(
        id=cid,
        signed_at=signed,
        patient=Patient(key=patient),
        issuer=Issuer(unit_id=unit, care_provider_id=provider),
        periods=tuple(
            SickLeavePeriod(grade=Grade(g), start=DAY0 + timedelta(s), end=DAY0 + timedelta(s + n - 1))
            for s, n, g in periods
        ),
        diagnoses=(Diagnosis(code=code, code_system="1.2.752.116.1.1.1", text="Lumbago"),),
        relations=relations,
    )


def totals(cases: list[Case]) -> dict[str, int]:
    return {case.current.id: case.total_days for case in cases}


def test_webcert_m545_three_weeks_with_two_day_gaps_count_7_14_21() -> None:
    first = certificate("c1", 0, 7)
    second = certificate("c2", 9, 7)
    third = certificate("c3", 18, 7)
    assert totals(build_cases([third, first, second])) == {"c1": 7, "c2": 14, "c3": 21}
    limit = decide(third, mode=FmbMode.WEBCERT).max_days
    assert limit == 14
    exceeding = [cid for cid, total in totals(build_cases([first, second, third])).items() if total > limit]
    assert exceeding == ["c3"]


def test_case_for_sees_the_case_up_to_the_certificate() -> None:
    first, second, third = certificate("c1", 0, 7), certificate("c2", 9, 7), certificate("c3", 18, 7)
    case = case_for(second, [third, first])
    assert case is not None
    assert [c.id for c in case.certificates] == ["c1", "c2"]
    assert [c.id for c in case.previous] == ["c1"]
    assert case.current.id == "c2"
    assert case.total_days == 14
    assert case.start == DAY0
    assert case.end == DAY0 + timedelta(15)
    assert case.is_continuation and case.count == 2


def test_a_six_day_gap_breaks_the_chain_and_five_days_do_not() -> None:
    first = certificate("c1", 0, 7)
    after_six = certificate("c2", 7 + 6, 7)
    after_five = certificate("c3", 7 + 5, 7)
    assert totals(build_cases([first, after_six])) == {"c1": 7, "c2": 7}
    assert totals(build_cases([first, after_five])) == {"c1": 7, "c3": 14}


def test_gap_days_is_configurable() -> None:
    first, later = certificate("c1", 0, 7), certificate("c2", 7 + 6, 7)
    assert totals(build_cases([first, later], gap_days=6)) == {"c1": 7, "c2": 14}
    case = case_for(later, [first], gap_days=6)
    assert case is not None and case.gap_days == 6


def test_another_care_unit_does_not_chain_but_the_same_care_provider_can() -> None:
    first = certificate("c1", 0, 7, unit="UNIT-A")
    second = certificate("c2", 9, 7, unit="UNIT-B")
    assert totals(build_cases([first, second])) == {"c1": 7, "c2": 7}
    by_provider = build_cases([first, second], scope=CaseScope.CARE_PROVIDER)
    assert totals(by_provider) == {"c1": 7, "c2": 14}
    assert by_provider[-1].scope is CaseScope.CARE_PROVIDER


def test_other_patients_are_ignored() -> None:
    mine = certificate("c1", 0, 7)
    theirs = certificate("c2", 7, 7, patient="patient-b")
    case = case_for(mine, [theirs])
    assert case is not None and case.total_days == 7 and case.count == 1


def test_overlaps_count_once_and_grade_does_not_weigh() -> None:
    first = certificate("c1", 0, 10, grade=50)
    overlapping = certificate("c2", 5, 10, grade=25, extra=((20, 3, 100),))
    assert totals(build_cases([first, overlapping])) == {"c1": 10, "c2": 18}


def test_a_replacing_certificate_takes_the_place_of_the_earlier_one() -> None:
    original = certificate("c1", 0, 14)
    replacement = certificate(
        "c1b", 0, 7, relations=(Relation(kind=RelationKind.REPLACES, certificate_id="c1"),)
    )
    following = certificate("c2", 9, 7)
    case = case_for(following, [original, replacement])
    assert case is not None
    assert [c.id for c in case.certificates] == ["c1b", "c2"]
    assert case.total_days == 14
    assert totals(build_cases([following, replacement, original]))["c2"] == 14


def test_a_completing_certificate_also_replaces_and_the_old_one_keeps_its_own_view() -> None:
    original = certificate("c1", 0, 7)
    completion = certificate(
        "c1k", 0, 7, relations=(Relation(kind=RelationKind.COMPLETES, certificate_id="c1"),)
    )
    by_id = cases_by_id([original, completion])
    assert [c.id for c in by_id["c1k"].certificates] == ["c1k"]
    assert [c.id for c in by_id["c1"].certificates] == ["c1"]
    assert [[c.id for c in chain] for chain in chains([original, completion])] == [["c1k"]]


def test_ties_on_the_first_day_are_ordered_by_signing_time_then_id() -> None:
    late = certificate("a", 0, 7, signed=datetime(2024, 3, 4, 15, tzinfo=UTC))
    early = certificate("b", 0, 10, signed=datetime(2024, 3, 4, 9, tzinfo=UTC))
    assert [c.id for c in chains([late, early])[0]] == ["b", "a"]
    assert totals(build_cases([late, early])) == {"b": 10, "a": 10}


def test_a_certificate_without_periods_has_no_case() -> None:
    empty = Certificate(id="x", patient=Patient(key="patient-a"))
    assert case_for(empty, [certificate("c1", 0, 7)]) is None
    assert build_cases([empty]) == []


def test_a_certificate_whose_only_period_runs_backwards_has_no_case() -> None:
    backwards = Certificate(
        id="x",
        patient=Patient(key="patient-a"),
        issuer=Issuer(unit_id="SE2321000016-UNIT1"),
        periods=(SickLeavePeriod(grade=Grade.HALFTEN, start=DAY0, end=DAY0 - timedelta(3)),),
    )
    assert case_for(backwards, [certificate("c1", 0, 7)]) is None
    assert totals(build_cases([backwards, certificate("c1", 0, 7)])) == {"c1": 7}


def test_long_periods_are_counted_by_interval_not_by_day() -> None:
    decade = certificate("c1", 0, 3653)
    assert totals(build_cases([decade])) == {"c1": 3653}


def test_i21_four_weeks_then_four_weeks_at_half_time_make_56_days_over_28() -> None:
    full = certificate("c1", 0, 28, code="I219")
    half = certificate("c2", 28, 28, grade=50, code="I219")
    case = case_for(half, [full])
    assert case is not None and case.total_days == 56
    for mode in FmbMode:
        limit = decide(half, mode=mode).max_days
        assert limit == 28
        assert case.total_days > limit


# --- properties -------------------------------------------------------------------------------

_certificate_specs = st.lists(
    st.tuples(
        st.integers(0, 120),  # start
        st.integers(1, 40),  # length
        st.sampled_from(["U1", "U2"]),
        st.sampled_from(["p1", "p2"]),
        st.sampled_from([25, 50, 75, 100]),
    ),
    min_size=1,
    max_size=8,
)


def _build(specs: list[tuple[int, int, str, str, int]]) -> list[Certificate]:
    return [
        certificate(f"c{i}", s, n, unit=unit, patient=p, grade=g)
        for i, (s, n, unit, p, g) in enumerate(specs)
    ]


@settings(max_examples=100, deadline=None)
@given(_certificate_specs, st.randoms(use_true_random=False))
def test_chaining_does_not_depend_on_input_order(specs, rng) -> None:  # type: ignore[no-untyped-def]
    certs = _build(specs)
    shuffled = list(certs)
    rng.shuffle(shuffled)
    expected = totals(build_cases(certs))
    assert totals(build_cases(shuffled)) == expected
    for cert in certs:
        seen = case_for(cert, [c for c in shuffled if c is not cert])
        assert seen is not None
        assert seen.total_days == expected[cert.id]


@settings(max_examples=100, deadline=None)
@given(_certificate_specs)
def test_total_is_at_most_the_sum_of_certificate_lengths(specs) -> None:  # type: ignore[no-untyped-def]
    for case in build_cases(_build(specs)):
        assert case.current.days_covered <= case.total_days
        assert case.total_days <= sum(c.days_covered for c in case.certificates)
        last = max(c.last_day for c in case.certificates if c.last_day)
        assert case.total_days <= (last - case.start).days + 1
        assert case.end == case.current.last_day


@settings(max_examples=100, deadline=None)
@given(_certificate_specs, st.tuples(st.integers(0, 120), st.integers(1, 40)))
def test_adding_a_certificate_never_shortens_a_case(specs, added) -> None:  # type: ignore[no-untyped-def]
    certs = _build(specs)
    extra = certificate("zz-new", added[0], added[1], unit="U1", patient="p1")
    before = totals(build_cases(certs))
    after = totals(build_cases([*certs, extra]))
    for cid, total in before.items():
        assert after[cid] >= total
