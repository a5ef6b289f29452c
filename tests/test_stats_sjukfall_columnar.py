"""The vectorised sjukfall chaining agrees with the per-certificate chaining in intygscheck.cases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from intygscheck.cases.chaining import build_cases
from intygscheck.cases.models import CaseScope
from intygscheck.ingest.extract import ExtractBatch, iter_certificates
from intygscheck.stats.sjukfall_columnar import chain_sjukfall


def _rows(records: list[tuple[str, str, str, str, date, date, date]]) -> pl.DataFrame:
    return pl.DataFrame(
        records,
        schema=[
            "certificate_id",
            "patient_key",
            "unit_id",
            "care_provider_id",
            "period_start",
            "period_end",
            "signed_date",
        ],
        orient="row",
    )


def _random_extract(seed: int) -> pl.DataFrame:
    """Messy random periods: overlaps, gaps of 0–12 days, certificates reaching back into gaps."""
    rng = random.Random(seed)
    origin = date(2024, 1, 1)
    records = []
    for number in range(rng.randint(15, 40)):
        patient = f"p{rng.randint(1, 4)}"
        unit = rng.choice(["U1", "U2", "U3"])
        provider = "VG1" if unit != "U3" else "VG2"
        start = origin + timedelta(rng.randint(0, 90))
        for _ in range(rng.randint(1, 3)):
            end = start + timedelta(rng.randint(0, 15))
            records.append(
                (f"C{number:03d}", patient, unit, provider, start, end, start + timedelta(rng.randint(0, 2)))
            )
            start = end + timedelta(rng.randint(1, 12))
    return _rows(records)


def _as_certificates(rows: pl.DataFrame) -> list:
    batch_rows = rows.with_columns(
        sex=pl.lit("K"),
        birth_year=pl.lit(1980, pl.Int32),
        diagnosis_code=pl.lit("F32.1"),
        grade=pl.lit(100, pl.Int16),
    )
    return list(iter_certificates(ExtractBatch(source="test", rows=batch_rows)))


def test_a_gap_of_five_free_days_chains_and_six_does_not() -> None:
    rows = _rows(
        [
            ("A", "p", "U", "VG", date(2024, 1, 1), date(2024, 1, 7), date(2024, 1, 1)),
            ("B", "p", "U", "VG", date(2024, 1, 13), date(2024, 1, 20), date(2024, 1, 13)),
            ("C", "p", "U", "VG", date(2024, 1, 27), date(2024, 1, 30), date(2024, 1, 27)),
        ]
    )
    result = chain_sjukfall(rows).sort("certificate_id")
    assert result.get_column("case_id").to_list() == ["A", "A", "C"]
    assert result.get_column("sjukfall_days").to_list() == [7, 15, 4]
    assert result.get_column("case_days").to_list() == [15, 15, 4]


def test_overlapping_periods_are_counted_once_and_other_units_do_not_chain() -> None:
    rows = _rows(
        [
            ("A", "p", "U1", "VG", date(2024, 1, 1), date(2024, 1, 10), date(2024, 1, 1)),
            ("B", "p", "U1", "VG", date(2024, 1, 5), date(2024, 1, 14), date(2024, 1, 5)),
            ("C", "p", "U2", "VG", date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 5)),
        ]
    )
    by_unit = chain_sjukfall(rows).sort("certificate_id")
    assert by_unit.get_column("sjukfall_days").to_list() == [10, 14, 2]
    assert by_unit.get_column("first_certificate_days").to_list() == [10, 10, 2]
    by_provider = chain_sjukfall(rows, scope="care_provider").sort("certificate_id")
    assert by_provider.get_column("case_id").to_list() == ["A", "A", "A"]


@pytest.mark.parametrize("scope", ["unit", "care_provider"])
@pytest.mark.parametrize("seed", range(12))
def test_columnar_chaining_matches_build_cases_on_random_data(seed: int, scope: str) -> None:
    rows = _random_extract(seed)
    columnar = chain_sjukfall(rows, scope=scope)
    expected = {
        case.current.id: (case.certificates[0].id, case.count, case.total_days)
        for case in build_cases(_as_certificates(rows), scope=CaseScope(scope))
    }
    got = {
        row["certificate_id"]: (row["case_id"], row["case_position"], row["sjukfall_days"])
        for row in columnar.iter_rows(named=True)
    }
    assert got == expected
