"""The gender-equality analysis finds injected differences, rarely flags others, suppresses small cells."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from intygscheck.errors import InputError
from intygscheck.stats import compare_sexes, load_equality_config
from intygscheck.stats.equality import OUTPUT_COLUMNS, EqualityConfig, write_equality
from intygscheck.stats.regression import ols_hc3, t_inference
from intygscheck.stats.synthetic import DEFAULT_INJECTIONS, generate_population


def _rows(patients: int, seed: int) -> tuple[pl.DataFrame, object]:
    population = generate_population(patients, seed=seed)
    return population.rows.rename({"patient_id": "patient_key"}), population


def test_the_shipped_configuration_is_the_documented_default() -> None:
    assert load_equality_config() == EqualityConfig()


def test_a_bad_configuration_file_names_the_file_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text("[thresholds]\nratio_low = 2.0\nratio_high = 1.0\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_equality_config(path)
    assert caught.value.source == str(path) and "ratio_low" in caught.value.reason


def test_grouped_ols_hc3_equals_statsmodels_on_the_raw_rows() -> None:
    rng = np.random.default_rng(7)
    n = 400
    female = rng.integers(0, 2, n).astype(float)
    band = rng.integers(0, 3, n)
    design = np.column_stack([np.ones(n), female, band == 1, band == 2]).astype(float)
    y = design @ np.array([3.0, 0.3, 0.2, -0.1]) + rng.normal(0, 0.5 + 0.5 * female, n)
    reference = sm.OLS(y, design).fit(cov_type="HC3", use_t=True)
    patterns, inverse = np.unique(design, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    count = np.bincount(inverse).astype(float)
    s1 = np.bincount(inverse, weights=y)
    s2 = np.bincount(inverse, weights=y**2)
    fit = ols_hc3(patterns, count, s1, s2, column=1)
    assert fit is not None
    assert fit.estimate == pytest.approx(reference.params[1], rel=1e-9)
    assert fit.std_error == pytest.approx(reference.bse[1], rel=1e-9)
    inference = t_inference(
        np.array([fit.estimate]), np.array([fit.std_error]), np.array([fit.df_resid]), confidence=0.95
    )
    assert inference.p_value[0] == pytest.approx(reference.pvalues[1], rel=1e-7)
    interval = (inference.ci_low[0], inference.ci_high[0])
    assert interval == pytest.approx(tuple(reference.conf_int(alpha=0.05)[1]), rel=1e-9)


def test_the_injected_cells_are_found_in_the_right_direction() -> None:
    rows, _ = _rows(20_000, seed=11)
    result = compare_sexes(rows)
    block_unit = result.flagged.filter(pl.col("level") == "block_unit")
    found = {(r["unit_id"], r["block"], r["ratio"] > 1) for r in block_unit.iter_rows(named=True)}
    expected = {(i.unit_id, i.block, i.factor > 1) for i in DEFAULT_INJECTIONS}
    assert expected <= found
    assert result.table.columns == list(OUTPUT_COLUMNS)


@pytest.mark.slow
def test_cells_without_an_injected_difference_are_rarely_flagged_across_seeds() -> None:
    flagged = compared = 0
    for seed in range(40):
        rows, population = _rows(1_500, seed=1000 + seed)
        table = compare_sexes(rows).table.filter(~pl.col("suppressed") & pl.col("ratio").is_not_null())
        for row in table.iter_rows(named=True):
            if population.injected(row["unit_id"], row["block"], row["chapter"]):  # type: ignore[attr-defined]
                continue
            compared += 1
            flagged += row["flagged"]
    assert compared > 2000
    # Benjamini-Hochberg at 0.05 bounds the expected share of false discoveries among the
    # flagged cells, and the ratio band removes small significant differences, so among
    # cells with nothing injected the share flagged should stay under the nominal 5 %; 0.08
    # leaves room for seed-to-seed variation. (Measured: 1 of about 9,500 cells.) That the
    # adjustment matters is the next test.
    assert flagged / compared <= 0.08


def test_adjusting_for_grade_removes_a_difference_that_only_the_grade_explains() -> None:
    # Women get part-time grades more often and part-time sick leave lasts 3 times longer;
    # nothing else differs between the sexes.
    population = generate_population(6_000, seed=77, injections=(), part_time_factor=3.0)
    rows = population.rows.rename({"patient_id": "patient_key"})
    overall = (pl.col("level") == "overall") & (pl.col("outcome") == "sjukfall_days")
    adjusted = compare_sexes(rows).table.filter(overall).row(0, named=True)
    crude = compare_sexes(rows, EqualityConfig(adjust_for=())).table.filter(overall).row(0, named=True)
    assert crude["flagged"] and crude["ratio"] > 1.25
    assert not adjusted["flagged"] and adjusted["ci_low"] < 1 < adjusted["ci_high"]


def test_small_cells_are_suppressed_without_numbers() -> None:
    rows, _ = _rows(400, seed=3)
    table = compare_sexes(rows).table
    suppressed = table.filter(pl.col("suppressed"))
    assert suppressed.height > 0
    numbers = [
        "n_women",
        "n_men",
        "median_women",
        "median_men",
        "ratio",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
    ]
    assert suppressed.select(numbers).null_count().row(0) == (suppressed.height,) * len(numbers)
    shown = table.filter(~pl.col("suppressed"))
    assert shown.select((pl.min_horizontal("n_women", "n_men") >= 5).all()).item()


def test_thresholds_come_from_the_configuration(tmp_path: Path) -> None:
    rows, _ = _rows(3_000, seed=5)
    strict = EqualityConfig(min_per_sex=50, ratio_low=0.01, ratio_high=100.0)
    table = compare_sexes(rows, strict).table
    assert not table.get_column("flagged").any()
    assert (
        table.filter(~pl.col("suppressed")).select((pl.min_horizontal("n_women", "n_men") >= 50).all()).item()
    )


def test_results_are_written_as_csv_and_json(tmp_path: Path) -> None:
    rows, _ = _rows(2_000, seed=8)
    result = compare_sexes(rows)
    csv_path, json_path = write_equality(result, tmp_path)
    assert pl.read_csv(csv_path).height == result.table.height
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(document["cells"]) == result.table.height
    assert document["config"]["ratio_high"] == 1.25


def test_an_extract_path_is_analysed_like_its_rows(tmp_path: Path) -> None:
    population = generate_population(1_000, seed=9)
    from_path = compare_sexes(population.write(tmp_path / "e.parquet")).table
    assert from_path.height > 0 and from_path.filter(~pl.col("suppressed")).height > 0
