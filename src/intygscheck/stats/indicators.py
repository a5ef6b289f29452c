"""Quality indicators per care unit × diagnosis chapter × sex × month (``indicators.csv``).

Computed from the per-certificate table (:mod:`.schema`), one row per cell:

* ``certificates`` — certificates signed in the cell;
* ``completion_share`` — share with at least one likely completion request (a finding of
  category komplettering), and ``completion_share_q<id>`` per FK question id that occurs;
  null when the certificates were not rule-checked (an extract);
* ``fmb_exceeded_motivated_share`` / ``fmb_exceeded_unmotivated_share`` — share of
  certificates whose sjukfall exceeds the FMB maximum, with and without a motivation under
  question 37, among certificates where the FMB comparison was made;
* ``sjukfall_days_median`` / ``sjukfall_days_p90`` — of the sjukfall length so far;
* ``part_time_share`` — share with some period at 25, 50 or 75 %.

A cell with fewer than ``min_count`` (default 5) certificates is suppressed: ``suppressed``
is true and every number, the count included, is null.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .schema import conform

INDICATOR_KEYS: tuple[str, ...] = ("unit_id", "chapter", "sex", "month")
"""The cell of an indicator row."""

MIN_COUNT = 5
"""Cells with fewer certificates than this are suppressed (Intygsstatistik's rule)."""


def indicators(
    certificates: pl.DataFrame | pl.LazyFrame,
    *,
    keys: tuple[str, ...] = INDICATOR_KEYS,
    min_count: int = MIN_COUNT,
) -> pl.DataFrame:
    """The indicator table, sorted by the keys, small cells suppressed."""
    table = conform(certificates).collect()
    questions = _question_ids(table)
    checked = pl.col("completion_questions").is_not_null()
    known_fmb = pl.col("fmb_exceeded").is_not_null()
    exceeded = pl.col("fmb_exceeded").fill_null(False)
    motivated = pl.col("fmb_motivated").fill_null(False)
    measures: list[pl.Expr] = [
        pl.len().alias("certificates"),
        _share(pl.col("completion_questions").list.len() > 0, checked).alias("completion_share"),
        *(
            _share(pl.col("completion_questions").list.contains(question), checked).alias(
                f"completion_share_q{question}"
            )
            for question in questions
        ),
        _share(exceeded & motivated, known_fmb).alias("fmb_exceeded_motivated_share"),
        _share(exceeded & ~motivated, known_fmb).alias("fmb_exceeded_unmotivated_share"),
        pl.col("sjukfall_days").median().alias("sjukfall_days_median"),
        pl.col("sjukfall_days").quantile(0.9, interpolation="linear").alias("sjukfall_days_p90"),
        pl.col("part_time").cast(pl.Float64).mean().alias("part_time_share"),
    ]
    grouped = table.group_by(list(keys)).agg(measures).sort(list(keys), nulls_last=True)
    return suppress(grouped, count_column="certificates", keys=keys, min_count=min_count)


def suppress(
    frame: pl.DataFrame, *, count_column: str, keys: tuple[str, ...], min_count: int = MIN_COUNT
) -> pl.DataFrame:
    """Null every non-key column of rows whose ``count_column`` is below ``min_count``; add
    a ``suppressed`` column after the keys."""
    small = pl.col(count_column) < min_count
    values = [name for name in frame.columns if name not in keys]
    return frame.select(
        *keys,
        small.alias("suppressed"),
        *(pl.when(small).then(None).otherwise(pl.col(name)).alias(name) for name in values),
    )


def write_indicators(table: pl.DataFrame, out_dir: str | Path, *, min_count: int = MIN_COUNT) -> Path:
    """Write ``indicators.csv`` into ``out_dir``; returns its path.

    ``table`` is either an indicator table from :func:`indicators` or the per-certificate
    table itself (recognised by its ``certificate_id`` column), whose indicators are computed
    here with the default cells and ``min_count``.
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "indicators.csv"
    rows = indicators(table, min_count=min_count) if "certificate_id" in table.columns else table
    rows.write_csv(path)
    return path


def _share(condition: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """Share of rows meeting ``condition`` among rows where ``denominator`` holds (null if none)."""
    base = denominator.cast(pl.Int64).sum()
    return pl.when(base > 0).then((condition.fill_null(False) & denominator).cast(pl.Int64).sum() / base)


def _question_ids(table: pl.DataFrame) -> list[str]:
    """The FK question ids that occur in ``completion_questions``, in natural order."""
    found = table.get_column("completion_questions").explode().drop_nulls().unique().to_list()
    return sorted((str(q) for q in found), key=_question_order)


def _question_order(question: str) -> tuple[int, ...]:
    parts = []
    for part in question.split("."):
        parts.append(int(part) if part.isdigit() else 10_000)
    return tuple(parts)
