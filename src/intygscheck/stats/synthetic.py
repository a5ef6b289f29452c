"""Synthetic populations of extract rows with known, injected differences between the sexes.

For testing and benchmarking the statistics: every number is drawn from a seeded generator,
no row describes a real person (identity numbers are made up with valid check digits).

The model, per sjukfall:

* patients: 60 % women; ages 20–66; a home care unit (units ``U1..Un``, three units per care
  provider ``VG1..``); 1 + Poisson(0.4) sjukfall each, months apart, all in 2023–2024;
* diagnosis: drawn from :data:`DIAGNOSES` with a typical length per code;
* grade of the first certificate: 100 % (60 %), 50 % (25 %), 75 % (8 %), 25 % (7 %); women
  get part-time grades more often than men (a confounder the analysis must adjust for);
* length in days: lognormal around the diagnosis's typical length, longer with age and
  much longer for part-time grades (× ``part_time_factor``), log-sd 0.8, 1–730 days;
* an :class:`Injection` multiplies women's lengths in one unit × diagnosis block;
* the first certificate covers 25–60 % of the case; the rest is split into certificates of
  2–6 weeks, back to back or with a gap of at most 3 days, so they chain into one sjukfall;
  a certificate of two weeks or more steps down to a lower grade half way in 30 % of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from ..model.personal_id import make_personal_id
from ..terminology.icd10 import block_of, chapter_numeral_of

DIAGNOSES: tuple[tuple[str, float, float], ...] = (
    # code, share of sjukfall, typical (median) length in days
    ("F32.1", 0.10, 70),
    ("F33.1", 0.05, 80),
    ("F41.1", 0.08, 60),
    ("F43.8A", 0.12, 90),
    ("F43.2", 0.07, 45),
    ("M54.5", 0.10, 30),
    ("M75.1", 0.06, 45),
    ("M17.1", 0.04, 60),
    ("S82.5", 0.05, 50),
    ("S52.5", 0.04, 40),
    ("J06.9", 0.08, 8),
    ("C50.9", 0.03, 150),
    ("I21.9", 0.03, 60),
    ("G43.9", 0.05, 10),
    ("K35.8", 0.05, 21),
    ("R53.9", 0.05, 25),
)
"""The diagnoses drawn: code, share of sjukfall, typical (median) length."""


@dataclass(frozen=True)
class Injection:
    """Women's sjukfall lengths × ``factor`` in ``unit_id`` for diagnoses in ``block``
    (a label as :func:`intygscheck.terminology.icd10.block_of` gives it, e.g. ``F30–F39``)."""

    unit_id: str
    block: str
    factor: float

    def matches(self, unit_id: str | None, block: str | None, chapter: str | None) -> bool:
        """True when a cell with these keys (``None`` = all) contains injected sjukfall."""
        unit_ok = unit_id is None or unit_id == self.unit_id
        block_ok = (block is None or block == self.block) and (
            chapter is None or chapter == chapter_numeral_of(self.block[:3])
        )
        return unit_ok and block_ok


DEFAULT_INJECTIONS: tuple[Injection, ...] = (
    Injection("U3", "F30–F39", 1.6),
    Injection("U5", "M50–M54", 0.6),
)
"""The differences a default population carries."""


@dataclass(frozen=True)
class Population:
    """Synthetic extract rows and the differences injected into them."""

    rows: pl.DataFrame
    injections: tuple[Injection, ...] = field(default_factory=tuple)
    seed: int = 0
    sjukfall: int = 0
    """How many sjukfall were generated (chaining the rows must find exactly these)."""

    def write(self, path: str | Path) -> Path:
        """Write the rows as CSV, or Parquet when ``path`` ends in ``.parquet``."""
        target = Path(path)
        if target.suffix == ".parquet":
            self.rows.write_parquet(target)
        else:
            self.rows.write_csv(target)
        return target

    def injected(self, unit_id: str | None, block: str | None, chapter: str | None) -> bool:
        """True when the cell with these keys contains sjukfall with an injected difference."""
        return any(injection.matches(unit_id, block, chapter) for injection in self.injections)


def generate_population(
    patients: int,
    *,
    seed: int = 0,
    units: int = 8,
    injections: tuple[Injection, ...] = DEFAULT_INJECTIONS,
    part_time_factor: float = 2.0,
) -> Population:
    """A seeded synthetic population of ``patients`` patients (about 3 extract rows each)."""
    rng = np.random.default_rng(seed)
    # patients
    female = rng.random(patients) < 0.6
    age = rng.integers(20, 67, patients)
    birth_year = 2024 - age
    home_unit = rng.integers(1, units + 1, patients)
    case_count = 1 + rng.poisson(0.4, patients)

    # sjukfall
    patient_of_case = np.repeat(np.arange(patients), case_count)
    n_cases = patient_of_case.size
    case_female = female[patient_of_case]
    case_age = age[patient_of_case]
    other_unit = rng.integers(1, units + 1, n_cases)
    unit = np.where(rng.random(n_cases) < 0.85, home_unit[patient_of_case], other_unit)
    weights = np.array([entry[1] for entry in DIAGNOSES])
    diagnosis = rng.choice(len(DIAGNOSES), size=n_cases, p=weights / weights.sum())
    typical = np.array([entry[2] for entry in DIAGNOSES])[diagnosis]
    part_time_share = np.where(case_female, 0.5, 0.15)
    part_time = rng.random(n_cases) < part_time_share
    grade = np.where(part_time, rng.choice([25, 50, 75], size=n_cases, p=[0.25, 0.5, 0.25]), 100)
    log_length = (
        np.log(typical)
        + 0.01 * (case_age - 45)
        + np.where(part_time, np.log(part_time_factor), 0.0)
        + rng.normal(0.0, 0.8, n_cases)
    )
    block_names = np.array([block_of(entry[0]) for entry in DIAGNOSES])[diagnosis]
    unit_names = np.char.add("U", unit.astype(str))
    for injection in injections:
        hit = case_female & (unit_names == injection.unit_id) & (block_names == injection.block)
        log_length = log_length + np.where(hit, np.log(injection.factor), 0.0)
    length = np.clip(np.rint(np.exp(log_length)), 1, 730).astype(np.int64)
    first_length = np.clip(np.ceil(length * rng.uniform(0.25, 0.6, n_cases)), 1, None).astype(np.int64)
    first_length = np.minimum(first_length, length)

    # case start dates: each patient's cases follow each other with 30–200 days between them
    pause = rng.integers(30, 200, n_cases)
    offset = np.zeros(n_cases, dtype=np.int64)
    first_of_patient = np.r_[True, patient_of_case[1:] != patient_of_case[:-1]]
    step = np.where(first_of_patient, rng.integers(0, 300, n_cases), 0) + np.r_[0, (length + pause)[:-1]] * (
        ~first_of_patient
    )
    group_start = np.maximum.accumulate(np.where(first_of_patient, np.arange(n_cases), 0))
    cumulative = np.cumsum(step)
    offset = cumulative - cumulative[group_start] + step[group_start]
    case_start = np.datetime64("2023-01-01") + offset.astype("timedelta64[D]")

    # certificates: the first, then chunks of 14–45 days covering the rest
    rest = length - first_length
    chunk = rng.integers(14, 46, n_cases)
    followers = np.where(rest > 0, np.ceil(rest / chunk), 0).astype(np.int64)
    per_case = 1 + followers
    case_of_cert = np.repeat(np.arange(n_cases), per_case)
    position = np.arange(case_of_cert.size) - np.repeat(np.cumsum(per_case) - per_case, per_case)
    follower_base = np.where(followers > 0, rest // np.maximum(followers, 1), 0)
    follower_extra = np.where(followers > 0, rest % np.maximum(followers, 1), 0)
    cert_length = np.where(
        position == 0,
        first_length[case_of_cert],
        follower_base[case_of_cert] + ((position - 1) < follower_extra[case_of_cert]),
    ).astype(np.int64)
    gap = np.where(
        (position > 0) & (rng.random(case_of_cert.size) < 0.2), rng.integers(1, 4, case_of_cert.size), 0
    )
    within = np.cumsum(cert_length + gap) - cert_length - gap
    within = within - within[np.repeat(np.cumsum(per_case) - per_case, per_case)] + gap
    within = np.where(position == 0, 0, within)
    cert_start = case_start[case_of_cert] + within.astype("timedelta64[D]")
    cert_grade = grade[case_of_cert]

    # periods: a certificate of 14+ days steps down a grade half way in 30 % of cases
    split = (cert_length >= 14) & (cert_grade > 25) & (rng.random(case_of_cert.size) < 0.3)
    periods_per_cert = 1 + split.astype(np.int64)
    cert_of_period = np.repeat(np.arange(case_of_cert.size), periods_per_cert)
    second = np.r_[False, cert_of_period[1:] == cert_of_period[:-1]]
    half = cert_length // 2
    own_length = cert_length[cert_of_period]
    own_half = half[cert_of_period]
    is_split = split[cert_of_period]
    period_offset = np.where(second, own_half, 0)
    period_days = np.where(is_split, np.where(second, own_length - own_half, own_half), own_length)
    period_start = cert_start[cert_of_period] + period_offset.astype("timedelta64[D]")
    period_end = period_start + (period_days - 1).astype("timedelta64[D]")
    period_grade = np.where(second, cert_grade[cert_of_period] - 25, cert_grade[cert_of_period])
    signed = cert_start + rng.integers(0, 3, case_of_cert.size).astype("timedelta64[D]")

    patient_ids = np.array(
        [
            make_personal_id(date(int(birth_year[i]), 1 + i % 12, 1 + i % 28), _serial(i, bool(female[i])))
            for i in range(patients)
        ]
    )
    case_patient = patient_of_case[case_of_cert][cert_of_period]
    case_index = case_of_cert[cert_of_period]
    unit_of_period = unit[case_index]
    rows = pl.DataFrame(
        {
            "certificate_id": np.char.add("SYN-", cert_of_period.astype(str)),
            "patient_id": patient_ids[case_patient],
            "sex": np.where(female[case_patient], "K", "M"),
            "birth_year": birth_year[case_patient].astype(np.int32),
            "unit_id": np.char.add("U", unit_of_period.astype(str)),
            "care_provider_id": np.char.add("VG", ((unit_of_period - 1) // 3 + 1).astype(str)),
            "diagnosis_code": np.array([entry[0] for entry in DIAGNOSES])[diagnosis[case_index]],
            "period_start": period_start,
            "period_end": period_end,
            "grade": period_grade.astype(np.int16),
            "signed_date": signed[cert_of_period],
        }
    ).with_columns(pl.col("period_start", "period_end", "signed_date").cast(pl.Date))
    return Population(rows=rows, injections=tuple(injections), seed=seed, sjukfall=n_cases)


def _serial(index: int, female: bool) -> int:
    """A three-digit serial whose last digit is even for women and odd for men."""
    return (index * 37) % 500 * 2 + (0 if female else 1)
