"""The synthetic population generator: seeded, valid identity numbers, sjukfall that chain as generated."""

from __future__ import annotations

import polars as pl

from intygscheck.model import Sex, parse_personal_id
from intygscheck.stats.sjukfall_columnar import chain_sjukfall
from intygscheck.stats.synthetic import generate_population


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    first = generate_population(300, seed=5).rows
    assert first.equals(generate_population(300, seed=5).rows)
    assert not first.equals(generate_population(300, seed=6).rows)


def test_identity_numbers_are_valid_and_agree_with_sex_and_birth_year() -> None:
    rows = generate_population(300, seed=1).rows.unique("patient_id")
    for patient_id, sex, birth_year in rows.select("patient_id", "sex", "birth_year").iter_rows():
        parsed = parse_personal_id(patient_id)
        assert parsed.check_digit_valid
        assert parsed.sex is Sex(sex) and parsed.birth_date.year == birth_year


def test_chaining_the_rows_finds_exactly_the_generated_sjukfall() -> None:
    population = generate_population(2_000, seed=3)
    chained = chain_sjukfall(population.rows.rename({"patient_id": "patient_key"}))
    assert chained.get_column("case_id").n_unique() == population.sjukfall
    assert chained.get_column("case_position").max() > 3  # multi-certificate sjukfall occur


def test_lengths_are_right_skewed_and_grades_valid() -> None:
    rows = generate_population(2_000, seed=4).rows
    assert set(rows.get_column("grade").unique()) <= {25, 50, 75, 100}
    chained = chain_sjukfall(rows.rename({"patient_id": "patient_key"}))
    days = chained.filter(pl.col("case_position") == 1).get_column("case_days")
    assert days.mean() > 1.3 * days.median()  # type: ignore[operator]
