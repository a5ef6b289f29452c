"""The tabular extract: streaming validation, exact error accounting, certificates and the columnar table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from intygscheck.errors import InputError
from intygscheck.ingest.extract import (
    REQUIRED_COLUMNS,
    iter_certificates,
    iter_extract_batches,
    read_extract,
)
from intygscheck.model import Grade, Sex, pseudonymise
from intygscheck.stats.extract_table import certificate_table
from intygscheck.stats.schema import CERTIFICATE_TABLE_SCHEMA
from intygscheck.stats.synthetic import generate_population

HEADER = ",".join(REQUIRED_COLUMNS)
GOOD = "C1,198001012387,K,1980,U1,VG1,F32.1,2024-01-01,2024-01-14,100,2024-01-01"


def _write(tmp_path: Path, lines: list[str], name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_corrupt_rows_become_errors_with_their_row_and_counts_reconcile(tmp_path: Path) -> None:
    lines = [
        GOOD,
        "C2,198001012387,X,1980,U1,VG1,F32.1,2024-01-01,2024-01-14,100,2024-01-01",  # bad sex
        "C3,198001012387,K,1980,U1,VG1,F32.1,2024-13-01,2024-01-14,100,2024-01-01",  # bad date
        "C4,198001012387,K,1980,U1,VG1,F32.1,2024-01-01,2024-01-14,60,2024-01-01",  # bad grade
        "C5,198001012387,K,1980,U1,VG1,F32.1,2024-02-01,2024-01-14,100,2024-01-01",  # end before start
        "C6,,K,1980,U1,VG1,F32.1,2024-01-01,2024-01-14,100,2024-01-01",  # missing patient
        "C7,198001012387,M,19x0,U1,VG1,F32.1,2024-01-01,2024-01-14,50,2024-01-01",  # bad birth year
        "C8,198001012387,m,1980,U1,VG1,M54.5,2024-01-01,2024-01-14,50.0,2024-01-01",  # fine: m, 50.0
    ]
    batch = read_extract(_write(tmp_path, lines))
    assert batch.rows_read == 8 == batch.rows.height + len(batch.errors)
    assert {(e.row, e.code) for e in batch.errors} == {
        (2, "bad_sex"),
        (3, "bad_period_start"),
        (4, "bad_grade"),
        (5, "end_before_start"),
        (6, "missing_patient_id"),
        (7, "bad_birth_year"),
    }
    assert all(e.source.endswith("extract.csv") and e.reason and e.reason_en for e in batch.errors)
    assert sorted(batch.rows.get_column("certificate_id").to_list()) == ["C1", "C8"]
    assert "patient_id" not in batch.rows.columns


def test_rows_of_one_certificate_that_disagree_are_all_rejected(tmp_path: Path) -> None:
    lines = [
        "C1,198001012387,K,1980,U1,VG1,F32.1,2024-01-01,2024-01-07,100,2024-01-01",
        "C1,198001012387,K,1980,U2,VG1,F32.1,2024-01-08,2024-01-14,50,2024-01-01",
        GOOD.replace("C1", "C2"),
    ]
    batch = read_extract(_write(tmp_path, lines))
    assert [(e.row, e.code) for e in sorted(batch.errors, key=lambda e: e.row)] == [
        (1, "inconsistent_certificate"),
        (2, "inconsistent_certificate"),
    ]
    assert batch.rows_read == 3


def test_a_certificate_with_one_rejected_row_is_rejected_whole(tmp_path: Path) -> None:
    lines = [
        GOOD,
        "C1,198001012387,K,1980,U1,VG1,F32.1,2024-01-15,2024-01-3x,50,2024-01-01",  # bad end date
        "C2,198001012387,K,1980,U1,VG1,F32.1,2024-02-01,2024-02-14,100,2024-02-01",
    ]
    batch = read_extract(_write(tmp_path, lines))
    assert batch.rows_read == 3 == batch.rows.height + len(batch.errors)
    assert {(e.row, e.code) for e in batch.errors} == {(1, "sibling_row_rejected"), (2, "bad_period_end")}
    assert [c.id for c in iter_certificates(batch)] == ["C2"]


def test_a_missing_column_is_a_file_level_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("certificate_id,patient_id,sex\nC1,1,K\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_extract(path)
    assert "birth_year" in str(caught.value) and caught.value.source == str(path)


def test_a_byte_order_mark_and_blanks_around_column_names_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    header = ", ".join(REQUIRED_COLUMNS)
    path.write_bytes(("\ufeff" + header + "\n" + GOOD + "\n").encode("utf-8"))
    batch = read_extract(path)
    assert batch.rows.height == 1 and not batch.errors


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_extract(tmp_path / "nope.csv")


def test_semicolon_csv_and_parquet_read_like_csv(tmp_path: Path) -> None:
    population = generate_population(60, seed=2)
    csv_path = population.write(tmp_path / "pop.csv")
    parquet_path = population.write(tmp_path / "pop.parquet")
    semicolon = tmp_path / "pop_sc.csv"
    population.rows.write_csv(semicolon, separator=";")
    frames = [
        read_extract(p).rows.drop("_row").sort("certificate_id", "period_start")
        for p in (csv_path, parquet_path, semicolon)
    ]
    assert frames[0].height == population.rows.height
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])


def test_batches_stream_the_file_and_add_up(tmp_path: Path) -> None:
    population = generate_population(200, seed=4)
    lines = population.rows.write_csv().splitlines()[1:]
    lines.insert(100, lines[100].replace(",K,", ",Q,").replace(",M,", ",Q,"))
    path = _write(tmp_path, lines)
    batches = list(iter_extract_batches(path, batch_rows=300))
    assert len(batches) > 1
    assert sum(b.rows_read for b in batches) == len(lines)
    assert [(e.row, e.code) for b in batches for e in b.errors] == [(101, "bad_sex")]
    rows = sorted(r for b in batches for r in b.rows.get_column("_row").to_list())
    assert rows == [n for n in range(1, len(lines) + 1) if n != 101]


def test_rows_group_into_certificates_with_pseudonymous_patients(tmp_path: Path) -> None:
    lines = [
        "C1,19800101-2387,K,1980,U1,VG1,F32.1,2024-01-15,2024-01-28,50,2024-01-01",
        GOOD,
        "C2,197502022390,M,1975,U2,VG2,M54.5,2024-03-01,2024-03-10,100,2024-03-01",
    ]
    batch = read_extract(_write(tmp_path, lines))
    certificates = {c.id: c for c in iter_certificates(batch)}
    first = certificates["C1"]
    assert [(p.grade, p.start.day) for p in first.periods] == [(Grade.HELT_NEDSATT, 1), (Grade.HALFTEN, 15)]
    assert first.patient is not None and first.patient.sex is Sex.FEMALE
    assert first.patient.birth_date is not None and (
        first.patient.birth_date.month,
        first.patient.birth_date.day,
    ) == (1, 1)
    assert first.patient.key == pseudonymise("198001012387")  # the key an XML certificate would get
    assert "198001012387" not in first.patient.key
    assert first.issuer is not None and first.issuer.unit_id == "U1"
    assert certificates["C2"].patient.key != first.patient.key  # type: ignore[union-attr]


def test_the_columnar_table_has_the_documented_schema(tmp_path: Path) -> None:
    batch = read_extract(generate_population(100, seed=5).write(tmp_path / "p.csv"))
    table = certificate_table(batch.rows)
    assert table.schema == pl.Schema(CERTIFICATE_TABLE_SCHEMA)
    assert table.get_column("certificate_id").n_unique() == table.height
    assert table.get_column("completion_questions").null_count() == table.height
    assert set(table.get_column("chapter").drop_nulls().unique()) <= {
        "V",
        "XIII",
        "XIX",
        "X",
        "II",
        "IX",
        "VI",
        "XI",
        "XVIII",
    }
