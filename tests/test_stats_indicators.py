"""Indicators per unit × chapter × sex × month, with small cells suppressed."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from intygscheck.stats import indicators, write_indicators
from intygscheck.stats.schema import CERTIFICATE_TABLE_SCHEMA


def _table(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {name: None for name in CERTIFICATE_TABLE_SCHEMA}
    return pl.DataFrame([{**base, **row} for row in rows], schema=CERTIFICATE_TABLE_SCHEMA)


def _certificate(n: int, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "certificate_id": f"C{n}",
        "unit_id": "U1",
        "chapter": "V",
        "sex": "K",
        "month": "2024-01",
        "sjukfall_days": 10 * (n + 1),
        "part_time": n % 2 == 0,
        "completion_questions": ["17"] if n < 2 else [],
        "fmb_exceeded": n < 3,
        "fmb_motivated": n == 0,
    }
    row.update(values)
    return row


def test_shares_medians_and_percentiles_per_cell() -> None:
    table = _table([_certificate(n) for n in range(6)])
    result = indicators(table)
    assert result.height == 1
    row = result.row(0, named=True)
    assert row["suppressed"] is False and row["certificates"] == 6
    assert row["completion_share"] == 2 / 6 and row["completion_share_q17"] == 2 / 6
    assert row["fmb_exceeded_motivated_share"] == 1 / 6
    assert row["fmb_exceeded_unmotivated_share"] == 2 / 6
    assert row["sjukfall_days_median"] == 35.0
    assert row["sjukfall_days_p90"] == 55.0
    assert row["part_time_share"] == 0.5


def test_cells_with_fewer_than_five_certificates_are_suppressed_entirely() -> None:
    rows = [_certificate(n) for n in range(5)] + [_certificate(10 + n, sex="M") for n in range(4)]
    result = indicators(_table(rows)).sort("sex")
    women, men = result.row(0, named=True), result.row(1, named=True)
    assert women["suppressed"] is False and women["certificates"] == 5
    assert men["suppressed"] is True
    assert all(
        men[name] is None
        for name in result.columns
        if name not in ("unit_id", "chapter", "sex", "month", "suppressed")
    )


def test_unchecked_certificates_give_null_completion_shares(tmp_path: Path) -> None:
    rows = [_certificate(n, completion_questions=None, fmb_exceeded=None) for n in range(5)]
    result = indicators(_table(rows))
    row = result.row(0, named=True)
    assert row["completion_share"] is None and row["fmb_exceeded_motivated_share"] is None
    path = write_indicators(result, tmp_path)
    assert pl.read_csv(path).height == 1
