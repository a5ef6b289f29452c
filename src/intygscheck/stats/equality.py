"""Gender-equality analysis: do women and men with the same diagnosis get different sick-leave lengths?

Per cell (diagnosis chapter or block × care unit, and wider levels, as configured in
``rulesets/jamstalldhet.toml``) and per outcome (sjukfall length, first-certificate length),
an ordinary least-squares regression of ``log(days)`` on an indicator for women plus
categorical adjustment covariates (age band, grade), with HC3 heteroskedasticity-robust
standard errors and t-based intervals (statsmodels). The effect is ``exp(coefficient)``: the
adjusted ratio of women's to men's geometric-mean length. p-values are adjusted with
Benjamini–Hochberg over every comparison made; a cell is flagged when the adjusted p is below
``alpha`` and the ratio lies outside the band. Cells with fewer than ``min_per_sex`` sjukfall
for either sex are suppressed: reported, without numbers. Method and assumptions:
``docs/equality.md``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._resources import data_dir
from ..errors import InputError
from .extract_table import case_table, certificate_table
from .regression import ols_hc3, t_inference

KEY_COLUMNS: tuple[str, ...] = ("chapter", "block", "unit_id", "care_provider_id")
"""Columns a level may group by; every output row has all of them (null when not grouped)."""

OUTCOMES: tuple[str, ...] = ("sjukfall_days", "first_certificate_days")
"""Outcomes the analysis can compare."""

ADJUSTMENTS: tuple[str, ...] = ("age_band", "grade", "month", "care_provider_id", "unit_id")
"""Columns of the case table usable as categorical adjustment covariates."""

OUTPUT_COLUMNS: tuple[str, ...] = (
    "level",
    *KEY_COLUMNS,
    "outcome",
    "suppressed",
    "n_women",
    "n_men",
    "median_women",
    "median_men",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "flagged",
    "adjusted_for",
)
"""Columns of ``equality.csv``, in order."""


class Level(BaseModel):
    """One grouping level: a name and the key columns (empty = the whole population)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    keys: tuple[str, ...] = ()

    @field_validator("keys")
    @classmethod
    def _known_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [key for key in keys if key not in KEY_COLUMNS]
        if unknown:
            raise ValueError(f"unknown grouping key(s) {unknown}; allowed: {list(KEY_COLUMNS)}")
        return keys


class EqualityConfig(BaseModel):
    """The analysis settings; defaults mirror ``rulesets/jamstalldhet.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcomes: tuple[str, ...] = OUTCOMES
    adjust_for: tuple[str, ...] = ("age_band", "grade")
    scope: Literal["unit", "care_provider"] = "unit"
    gap_days: int = Field(5, ge=0)
    levels: tuple[Level, ...] = (
        Level(name="chapter_unit", keys=("chapter", "unit_id")),
        Level(name="block_unit", keys=("block", "unit_id")),
        Level(name="chapter", keys=("chapter",)),
        Level(name="block", keys=("block",)),
        Level(name="overall", keys=()),
    )
    alpha: float = Field(0.05, gt=0, lt=1)
    ratio_low: float = Field(0.8, gt=0)
    ratio_high: float = Field(1.25, gt=0)
    confidence: float = Field(0.95, gt=0, lt=1)
    min_per_sex: int = Field(5, ge=2)

    @model_validator(mode="after")
    def _consistent(self) -> EqualityConfig:
        if self.ratio_low >= self.ratio_high:
            raise ValueError("ratio_low must be below ratio_high")
        bad_outcomes = [name for name in self.outcomes if name not in OUTCOMES]
        if bad_outcomes or not self.outcomes:
            raise ValueError(f"outcomes must be some of {list(OUTCOMES)}, got {list(self.outcomes)}")
        bad_adjustments = [name for name in self.adjust_for if name not in ADJUSTMENTS]
        if bad_adjustments:
            raise ValueError(f"adjust_for must be some of {list(ADJUSTMENTS)}, got {bad_adjustments}")
        return self


def default_config_path() -> Path:
    """``rulesets/jamstalldhet.toml`` of this installation."""
    return data_dir("rulesets") / "jamstalldhet.toml"


def load_equality_config(path: str | Path | None = None) -> EqualityConfig:
    """Read the analysis settings from a TOML file (default: the shipped ``jamstalldhet.toml``).

    Raises :class:`InputError` naming the file and the problem.
    """
    file = Path(path) if path is not None else default_config_path()
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            str(file), f"kan inte läsa filen / cannot read file: {exc.strerror or exc}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(file), f"ogiltig TOML / invalid TOML: {exc}") from None
    settings: dict[str, Any] = {}
    settings.update(document.get("analysis", {}))
    settings.update(document.get("chaining", {}))
    settings.update(document.get("thresholds", {}))
    if "levels" in document:
        settings["levels"] = document["levels"]
    try:
        return EqualityConfig.model_validate(settings)
    except ValueError as exc:
        raise InputError(str(file), f"ogiltig konfiguration / invalid configuration: {exc}") from None


@dataclass(frozen=True)
class EqualityResult:
    """The comparison: one row per cell and outcome (:data:`OUTPUT_COLUMNS`), and its settings."""

    table: pl.DataFrame
    config: EqualityConfig
    cases: int

    @property
    def flagged(self) -> pl.DataFrame:
        """Only the flagged rows."""
        return self.table.filter(pl.col("flagged"))

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write ``equality.csv`` and ``equality.json`` into ``out_dir``."""
        return write_equality(self, out_dir)


def compare_sexes(
    source: str | Path | pl.DataFrame | pl.LazyFrame,
    config: EqualityConfig | str | Path | None = None,
) -> EqualityResult:
    """Compare women's and men's sick-leave lengths cell by cell.

    ``source`` is a path to an extract (CSV or Parquet), accepted extract rows (with
    ``period_start``), or a per-certificate table (:mod:`.schema`, with ``case_id``).
    ``config`` is an :class:`EqualityConfig`, a TOML path, or ``None`` for the shipped file.
    """
    settings = config if isinstance(config, EqualityConfig) else load_equality_config(config)
    cases = case_table(_certificates(source, settings)).collect()
    return EqualityResult(table=compare_cases(cases, settings), config=settings, cases=cases.height)


def _certificates(source: str | Path | pl.DataFrame | pl.LazyFrame, config: EqualityConfig) -> pl.DataFrame:
    if isinstance(source, str | Path):
        from ..ingest.extract import read_extract

        return certificate_table(read_extract(source).rows, scope=config.scope, gap_days=config.gap_days)
    frame = source.collect() if isinstance(source, pl.LazyFrame) else source
    if "case_id" in frame.columns:
        return frame
    if "period_start" in frame.columns:
        return certificate_table(frame, scope=config.scope, gap_days=config.gap_days)
    raise ValueError("expected extract rows (period_start, ...) or a per-certificate table (case_id, ...)")


def compare_cases(cases: pl.DataFrame, config: EqualityConfig) -> pl.DataFrame:
    """The comparison over a case table (one row per sjukfall, see ``case_table``)."""
    covariates = [f"_cov_{name}" for name in config.adjust_for]
    frame = cases.filter(pl.col("sex").is_in(["K", "M"])).with_columns(
        (pl.col("sex") == "K").cast(pl.Int8).alias("_female"),
        *(  # categorical covariates as integer codes 0..L-1 (null is a level of its own)
            (pl.col(name).cast(pl.String).fill_null("").rank("dense").cast(pl.Int64) - 1).alias(column)
            for name, column in zip(config.adjust_for, covariates, strict=True)
        ),
    )
    chapter_of_block = dict(frame.select("block", "chapter").drop_nulls().unique().iter_rows())
    rows: list[dict[str, Any]] = []
    for level in config.levels:
        keys = list(level.keys)
        data = frame.drop_nulls(keys) if keys else frame
        for outcome in config.outcomes:
            usable = data.filter(pl.col(outcome) > 0).with_columns(
                pl.col(outcome).cast(pl.Float64).log().alias("_y")
            )
            patterns = (
                usable.group_by([*keys, "_female", *covariates])
                .agg(
                    pl.len().alias("_n"),
                    pl.col("_y").sum().alias("_s1"),
                    (pl.col("_y") ** 2).sum().alias("_s2"),
                )
                .sort(keys or ["_female"])
            )
            medians = {
                (*cell[:-2], cell[-2]): cell[-1]
                for cell in usable.group_by([*keys, "_female"]).agg(pl.col(outcome).median()).iter_rows()
            }
            female = patterns.get_column("_female").to_numpy().astype(np.float64)
            sums = [patterns.get_column(name).to_numpy().astype(np.float64) for name in ("_n", "_s1", "_s2")]
            codes = [patterns.get_column(name).to_numpy() for name in covariates]
            if keys:
                starts = np.flatnonzero(
                    patterns.select(
                        pl.any_horizontal([pl.col(k) != pl.col(k).shift(1) for k in keys]).fill_null(True)
                    )
                    .to_series()
                    .to_numpy()
                )
                cell_keys = patterns.select(keys)[starts].rows()
            else:
                starts, cell_keys = np.array([0]), [()]
            bounds = [*starts.tolist(), patterns.height]
            for index, cell_key in enumerate(cell_keys):
                part = slice(bounds[index], bounds[index + 1])
                values = dict(zip(keys, cell_key, strict=True))
                if "block" in values and "chapter" not in values:
                    values["chapter"] = chapter_of_block.get(values["block"])
                row = _compare_cell(
                    level.name,
                    values,
                    outcome,
                    female[part],
                    [column[part] for column in sums],
                    [column[part] for column in codes],
                    config,
                )
                if not row["suppressed"]:
                    row["median_women"] = medians[(*cell_key, 1)]
                    row["median_men"] = medians[(*cell_key, 0)]
                rows.append(row)
    table = pl.DataFrame(rows, schema=_WORK_SCHEMA) if rows else pl.DataFrame(schema=_WORK_SCHEMA)
    return _adjust(_infer(table, config), config)


_OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "chapter": pl.String(),
    "block": pl.String(),
    "unit_id": pl.String(),
    "care_provider_id": pl.String(),
    "outcome": pl.String(),
    "suppressed": pl.Boolean(),
    "n_women": pl.Int64(),
    "n_men": pl.Int64(),
    "median_women": pl.Float64(),
    "median_men": pl.Float64(),
    "ratio": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "p_value": pl.Float64(),
    "p_adjusted": pl.Float64(),
    "flagged": pl.Boolean(),
    "adjusted_for": pl.String(),
}


_WORK_SCHEMA: dict[str, pl.DataType] = {
    **_OUTPUT_SCHEMA,
    "_estimate": pl.Float64(),
    "_std_error": pl.Float64(),
    "_df": pl.Int64(),
}


def _infer(table: pl.DataFrame, config: EqualityConfig) -> pl.DataFrame:
    """Ratio, interval and p for every estimated row, from the log-scale coefficient (vectorised)."""
    estimated = table.get_column("_estimate").is_not_null().to_numpy()
    ratio = np.full(table.height, np.nan)
    low, high, p_value = ratio.copy(), ratio.copy(), ratio.copy()
    if estimated.any():
        estimate = table.get_column("_estimate").to_numpy()[estimated]
        inference = t_inference(
            estimate,
            table.get_column("_std_error").to_numpy()[estimated],
            table.get_column("_df").to_numpy()[estimated],
            confidence=config.confidence,
        )
        ratio[estimated] = np.exp(estimate)
        low[estimated] = np.exp(inference.ci_low)
        high[estimated] = np.exp(inference.ci_high)
        p_value[estimated] = inference.p_value
    return table.with_columns(
        pl.Series("ratio", ratio).fill_nan(None),
        pl.Series("ci_low", low).fill_nan(None),
        pl.Series("ci_high", high).fill_nan(None),
        pl.Series("p_value", p_value).fill_nan(None),
    ).drop("_estimate", "_std_error", "_df")


def _compare_cell(
    level: str,
    keys: dict[str, Any],
    outcome: str,
    female: np.ndarray,
    sums: list[np.ndarray],
    codes: list[np.ndarray],
    config: EqualityConfig,
) -> dict[str, Any]:
    """One output row from the cell's per-pattern sums: suppressed, or the log-scale estimate."""
    n, s1, s2 = sums
    n_women = int(n[female == 1].sum())
    n_men = int(n[female == 0].sum())
    row: dict[str, Any] = dict.fromkeys(_WORK_SCHEMA)
    row.update(level=level, outcome=outcome, **keys)
    if n_women < config.min_per_sex or n_men < config.min_per_sex:
        row.update(suppressed=True, flagged=False)
        return row
    row.update(suppressed=False, flagged=False, n_women=n_women, n_men=n_men)
    blocks = {
        name: _indicators(level_codes, n) for name, level_codes in zip(config.adjust_for, codes, strict=True)
    }
    used = [name for name, block in blocks.items() if block.shape[1] > 0]
    base = np.column_stack([np.ones_like(n), female])
    while True:
        design = np.column_stack([base, *(blocks[name] for name in used)])
        fit = ols_hc3(design, n, s1, s2, column=1)
        if fit is not None or not used:
            break
        used.pop()
    if fit is not None:
        row.update(
            _estimate=fit.estimate, _std_error=fit.std_error, _df=fit.df_resid, adjusted_for=",".join(used)
        )
    return row


def _indicators(level_codes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Indicator columns for a categorical covariate (integer codes), per pattern.

    The reference is the level with the most observations in the cell; levels with fewer than
    two observations are pooled into it (keeps every leverage below one, so HC3 is defined).
    """
    weight = np.bincount(level_codes, weights=n)
    present = np.flatnonzero(weight > 0)
    if present.size < 2:
        return np.empty((n.size, 0))
    reference = int(np.argmax(weight))
    kept = [int(code) for code in present if code != reference and weight[code] >= 2]
    if not kept:
        return np.empty((n.size, 0))
    indicators: np.ndarray = (level_codes[:, None] == np.asarray(kept)[None, :]).astype(np.float64)
    return indicators


def _adjust(table: pl.DataFrame, config: EqualityConfig) -> pl.DataFrame:
    """Benjamini–Hochberg over every estimated comparison, then the flag."""
    from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]

    tested = table.get_column("p_value").is_not_null().to_numpy()
    adjusted = np.full(table.height, np.nan)
    if tested.any():
        p_values = table.get_column("p_value").to_numpy()[tested]
        adjusted[tested] = multipletests(p_values, alpha=config.alpha, method="fdr_bh")[1]
    table = table.with_columns(pl.Series("p_adjusted", adjusted).fill_nan(None))
    outside = (pl.col("ratio") < config.ratio_low) | (pl.col("ratio") > config.ratio_high)
    return table.with_columns(
        (pl.col("p_adjusted").is_not_null() & (pl.col("p_adjusted") < config.alpha) & outside)
        .fill_null(False)
        .alias("flagged")
    ).select(OUTPUT_COLUMNS)


def write_equality(result: EqualityResult | pl.DataFrame, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``equality.csv`` (one row per cell and outcome) and ``equality.json`` (the same rows
    plus the settings and a method note) into ``out_dir``; returns both paths."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    table = result.table if isinstance(result, EqualityResult) else result
    csv_path = directory / "equality.csv"
    json_path = directory / "equality.json"
    table.write_csv(csv_path)
    document: dict[str, Any] = {
        "method": (
            "OLS of log(days) on sex + adjustment covariates, HC3 robust errors; ratio = exp(coef) "
            "women/men; Benjamini-Hochberg adjusted p; see docs/equality.md"
        ),
        "cells": table.to_dicts(),
    }
    if isinstance(result, EqualityResult):
        document["config"] = result.config.model_dump(mode="json")
        document["cases"] = result.cases
    json_path.write_text(
        json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"
    )
    return csv_path, json_path
