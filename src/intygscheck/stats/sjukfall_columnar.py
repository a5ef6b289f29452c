"""Sjukfall chaining over a whole extract at once, vectorised (no per-certificate objects).

The definition is DOMAIN.md §5, the same as the per-certificate chaining in
:mod:`intygscheck.cases`:

* certificates chain within one patient **and** one care unit (``scope="unit"``, Webcert) or
  one care provider (``scope="care_provider"``, Intygsstatistik);
* in chain order (by first day, then signing day, then certificate id) a certificate starts a
  new case when more than ``gap_days`` (default 5) free days lie between the last day covered
  so far by the case and its first day: a case ending on the 7th chains with a certificate
  starting on the 13th, not with one starting on the 14th ("fem dagar eller mindre mellan två
  intyg", Intygsstatistik);
* a case's length is the number of calendar days its periods cover, inclusive, overlaps once,
  not weighted by grade; each certificate also gets the length of the case *up to and
  including itself* (what a rule sees when that certificate is checked).

Days covered are counted with a running maximum of period ends over periods in chain order,
which is exact whenever period starts never go backwards inside a case. The rare case where
they do (a later certificate reaching back into an earlier gap) is counted exactly by
expanding only those cases' periods to days.

Group-wise running values are computed on sorted data with plain cumulative operations and
group-start flags instead of window expressions (``over``), which are slow with hundreds of
thousands of small groups.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

Scope = Literal["unit", "care_provider"]

_SCOPE_COLUMN: dict[str, str] = {"unit": "unit_id", "care_provider": "care_provider_id"}
_GROUP_OFFSET = 10_000_000  # more days than any date range, so groups never mix in a running max


def chain_sjukfall(
    periods: pl.DataFrame | pl.LazyFrame,
    *,
    scope: Scope | str = "unit",
    gap_days: int = 5,
) -> pl.DataFrame:
    """Chain certificates into sjukfall.

    ``periods`` has one row per period with ``certificate_id``, ``patient_key``, the scope
    column (``unit_id`` or ``care_provider_id``), ``period_start`` and ``period_end`` (dates),
    and optionally ``signed_date`` (orders certificates that start on the same day).
    Returns one row per certificate: ``certificate_id``, ``case_id`` (the id of the case's first
    certificate), ``case_position`` (1-based), ``certificate_days``, ``sjukfall_days`` (case so
    far), ``case_days`` (whole case), ``first_certificate_days``, ``case_start``, ``case_end``.
    """
    scope_column = _SCOPE_COLUMN[str(scope)]
    has_signed = "signed_date" in periods.lazy().collect_schema().names()
    signed = pl.col("signed_date").cast(pl.Date) if has_signed else pl.lit(None, pl.Date)
    # Dense ranks as integer keys: certificate ids keep their lexical order (the tie-break),
    # and every later sort, group and join runs on integers, which is much faster than strings.
    frame = (
        periods.lazy()
        .select(
            "certificate_id",
            (pl.col("certificate_id").rank("dense").cast(pl.Int64) - 1).alias("_cid"),
            pl.concat_str("patient_key", scope_column, separator="\x1f")
            .rank("dense")
            .cast(pl.Int64)
            .alias("_group"),
            pl.col("period_start").cast(pl.Date).to_physical().cast(pl.Int64).alias("_start"),
            pl.col("period_end").cast(pl.Date).to_physical().cast(pl.Int64).alias("_end"),
            signed.to_physical().cast(pl.Int64).alias("_signed"),
        )
        .collect()
    )
    ids = (
        frame.select("_cid", "certificate_id").unique(subset="_cid").sort("_cid").get_column("certificate_id")
    )
    lazy = frame.lazy().drop("certificate_id")
    own_days = (
        _covered_days(lazy.sort("_cid", "_start", "_end"), ["_cid"])
        .group_by("_cid")
        .agg(pl.col("_days").sum().alias("certificate_days"))
    )

    certificates = (
        lazy.group_by("_cid")
        .agg(
            pl.col("_group").first(),
            pl.col("_start").min().alias("_first"),
            pl.col("_end").max().alias("_last"),
            pl.col("_signed").first(),
        )
        .sort("_group", "_first", "_signed", "_cid", nulls_last=False)
        .with_columns(_starts_group(["_group"]).alias("_new_group"))
        .with_columns(_previous_running_max(pl.col("_last"), pl.col("_new_group")).alias("_reach"))
        .with_columns(
            (pl.col("_reach").is_null() | (pl.col("_first") - pl.col("_reach") - 1 > gap_days)).alias(
                "_new_case"
            )
        )
        .with_columns(
            pl.col("_new_case").cast(pl.Int64).cum_sum().alias("_case"),
            _fill_from_start(pl.col("_cid"), pl.col("_new_case")).alias("_case_cid"),
            _position(pl.col("_new_case")).alias("case_position"),
        )
        .select("_cid", "_case", "_case_cid", "case_position")
        .collect()
    )

    ordered = (
        lazy.join(certificates.lazy().select("_cid", "_case", "case_position"), on="_cid", how="inner")
        .sort("_case", "case_position", "_start", "_end")
        .with_columns((pl.col("_case") != pl.col("_case").shift(1)).fill_null(True).alias("_new_group"))
    )
    ordered = _covered_days(ordered, ["_case"], flags="_new_group").with_columns(
        (pl.col("_start") < _previous_running_max(pl.col("_start"), pl.col("_new_group")))
        .fill_null(False)
        .alias("_backwards")
    )
    ordered_frame = ordered.collect()
    irregular_cases = ordered_frame.filter(pl.col("_backwards")).get_column("_case").unique()
    is_irregular = pl.col("_case").is_in(irregular_cases.implode())
    added = pl.concat(
        [
            ordered_frame.filter(~is_irregular)
            .group_by("_case", "case_position")
            .agg(pl.col("_days").sum().alias("_added")),
            _added_by_expansion(ordered_frame.filter(is_irregular)),
        ]
    )
    bounds = ordered_frame.group_by("_case").agg(
        pl.col("_start").min().alias("case_start"), pl.col("_end").max().alias("case_end")
    )

    result = (
        certificates.lazy()
        .join(added.lazy(), on=["_case", "case_position"], how="left")
        .join(own_days, on="_cid", how="left")
        .join(bounds.lazy(), on="_case", how="left")
        .sort("_case", "case_position")
        .with_columns(
            (pl.col("case_position") == 1).alias("_new_group"),
            pl.col("_added").fill_null(0),
        )
        .with_columns(
            _group_cum_sum(pl.col("_added"), pl.col("_new_group")).cast(pl.Int32).alias("sjukfall_days"),
            _fill_from_start(pl.col("certificate_days"), pl.col("_new_group")).alias(
                "first_certificate_days"
            ),
        )
        .with_columns(_fill_from_end(pl.col("sjukfall_days"), pl.col("_new_group")).alias("case_days"))
        .select(
            "_cid",
            "_case_cid",
            pl.col("case_position").cast(pl.Int32),
            pl.col("certificate_days").cast(pl.Int32),
            "sjukfall_days",
            pl.col("case_days").cast(pl.Int32),
            pl.col("first_certificate_days").cast(pl.Int32),
            pl.col("case_start").cast(pl.Date),
            pl.col("case_end").cast(pl.Date),
        )
        .collect()
    )
    return result.select(
        ids.gather(result.get_column("_cid")).alias("certificate_id"),
        ids.gather(result.get_column("_case_cid")).alias("case_id"),
        *result.columns[2:],
    )


def _starts_group(keys: list[str]) -> pl.Expr:
    """True on the first row of each run of equal ``keys`` (data sorted by them)."""
    return pl.any_horizontal([pl.col(key) != pl.col(key).shift(1) for key in keys]).fill_null(True)


def _previous_running_max(value: pl.Expr, new_group: pl.Expr) -> pl.Expr:
    """Maximum of ``value`` over the earlier rows of the same group (null on a group's first row)."""
    offset = new_group.cast(pl.Int64).cum_sum() * _GROUP_OFFSET
    running = (value + offset).cum_max().shift(1) - offset
    return pl.when(new_group).then(None).otherwise(running)


def _group_cum_sum(value: pl.Expr, new_group: pl.Expr) -> pl.Expr:
    """Running sum of ``value`` restarting at each group."""
    total = value.cum_sum()
    before = pl.when(new_group).then(total - value).otherwise(None).forward_fill()
    return total - before


def _fill_from_start(value: pl.Expr, new_group: pl.Expr) -> pl.Expr:
    """The group's first ``value`` on every row of the group."""
    return pl.when(new_group).then(value).otherwise(None).forward_fill()


def _fill_from_end(value: pl.Expr, new_group: pl.Expr) -> pl.Expr:
    """The group's last ``value`` on every row of the group."""
    last = new_group.shift(-1).fill_null(True)
    return pl.when(last).then(value).otherwise(None).backward_fill()


def _position(new_group: pl.Expr) -> pl.Expr:
    """1-based row number within the group."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    return index - _fill_from_start(index, new_group) + 1


def _covered_days(sorted_periods: pl.LazyFrame, keys: list[str], flags: str | None = None) -> pl.LazyFrame:
    """Add ``_days``: days each period adds to what earlier periods of its group cover.

    Periods must be sorted by group, then start; exact when starts never go backwards.
    """
    frame = sorted_periods if flags else sorted_periods.with_columns(_starts_group(keys).alias("_flag"))
    flag = pl.col(flags or "_flag")
    reach = _previous_running_max(pl.col("_end"), flag)
    days = (pl.col("_end") - pl.max_horizontal(pl.col("_start"), reach + 1) + 1).clip(lower_bound=0)
    frame = frame.with_columns(
        pl.when(reach.is_null()).then(pl.col("_end") - pl.col("_start") + 1).otherwise(days).alias("_days")
    )
    return frame if flags else frame.drop("_flag")


def _added_by_expansion(periods: pl.DataFrame) -> pl.DataFrame:
    """Days each certificate adds to its case, by listing the days (irregular cases only)."""
    schema = {"_case": pl.Int64, "case_position": pl.Int64, "_added": pl.Int64}
    if periods.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        periods.select("_case", "case_position", pl.int_ranges("_start", pl.col("_end") + 1).alias("_day"))
        .explode("_day")
        .group_by("_case", "_day")
        .agg(pl.col("case_position").min())
        .group_by("_case", "case_position")
        .agg(pl.len().cast(pl.Int64).alias("_added"))
        .cast(schema)  # type: ignore[arg-type]
    )
