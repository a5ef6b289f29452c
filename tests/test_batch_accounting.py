"""The batch runner loses nothing: every input unit is one result or one error naming its source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import intygscheck.engine
import intygscheck.ingest
from batch_support import (
    Corpus,
    assert_consistent,
    build_corpus,
    files_containing,
    fixture_identity_numbers,
    identity_patterns,
    ndjson,
)
from intygscheck.batch.runner import BatchOptions, count_inputs, run_batch


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def mixed_run(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("out")
    return out, run_batch(corpus.inputs, out, BatchOptions(jobs=2, partitions=8, reports=False))


def test_mixed_corrupt_inputs_reconcile_exactly(
    corpus: Corpus, mixed_run: tuple[Path, dict[str, Any]]
) -> None:
    out, result = mixed_run
    data = assert_consistent(out)
    assert data == result
    assert data["complete"] is True
    assert (data["results"], data["errors"]) == (corpus.results, corpus.errors) == (103, 19)
    assert data["inputs_read"] == corpus.results + corpus.errors
    assert data["errors_checking"] == 0 and data["errors_reading"] == corpus.errors
    assert data["partitions"] == {"done": 8, "total": 8}


def test_every_error_names_its_file_position_and_reason(
    corpus: Corpus, mixed_run: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = mixed_run
    errors = ndjson(out / "errors.ndjson")
    assert {e["source"] for e in errors} == corpus.error_sources
    assert all(e["reason"] and e["stage"] == "read" and e["file"] for e in errors)
    by_source = {e["source"]: e for e in errors}
    ndjson_file = str(corpus.inputs[0] / "certs.ndjson")
    assert [by_source[f"{ndjson_file}:{n}"]["line"] for n in (2, 3, 6)] == [2, 3, 6]
    assert all(by_source[f"{ndjson_file}:{n}"]["file"] == ndjson_file for n in (2, 3, 6))
    extract = str(corpus.inputs[0] / "extract.csv")
    rows = {
        by_source[f"{extract}:rad {n}"]["row"]: by_source[f"{extract}:rad {n}"]["reason"] for n in (5, 6, 7)
    }
    assert "period_start" in rows[5] and "K eller M" in rows[6] and "25, 50, 75" in rows[7]
    assert "CRC" in by_source[f"{corpus.inputs[0] / 'archive.zip'}!crc.xml"]["reason"]
    assert "zip" in by_source[str(corpus.inputs[0] / "noise.zip")]["reason"]
    assert "finns inte" in by_source[str(corpus.inputs[1])]["reason"]
    assert "regular file" in by_source[str(corpus.inputs[0] / "bad" / "pipe.xml")]["reason"]


def test_each_certificate_has_exactly_one_result_row(
    corpus: Corpus, mixed_run: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = mixed_run
    results = ndjson(out / "results.ndjson")
    ids = [row["certificate_id"] for row in results]
    assert len(ids) == len(set(ids)) == corpus.results
    sources = {row["source"] for row in results}
    assert f"{corpus.inputs[0] / 'archive.zip'}!a/one.xml" in sources
    assert f"{corpus.inputs[0] / 'archive.zip'}!lines.ndjson:4" in sources
    assert f"{corpus.inputs[0] / 'extract.csv'}#E1" in sources
    e1 = next(row for row in results if row["certificate_id"] == "E1")
    assert (e1["certificate_days"], e1["grade"], e1["part_time"]) == (28, 100, True)


def test_no_identity_number_in_any_output_file(
    corpus: Corpus, mixed_run: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = mixed_run
    numbers = fixture_identity_numbers() | corpus.identity_numbers
    assert len(numbers) > 80
    assert files_containing(out, identity_patterns(numbers)) == []


def test_reader_and_rule_crashes_become_errors_without_identity_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["angest", "axel", "ryggvark-1", "ryggvark-2"]
    for name in names:
        (folder / f"{name}.xml").write_bytes(
            (Path(__file__).parents[1] / f"fixtures/certificates/xml/{name}.xml").read_bytes()
        )
    real_read, real_check = intygscheck.ingest.read_bytes, intygscheck.engine.check

    def crashing_read(data: bytes, label: str) -> Any:
        if label.endswith("axel.xml"):
            raise RuntimeError("reader bug near 19810614-2139 and 198106142139")
        return real_read(data, label)

    def crashing_check(certificate: Any, *args: Any, **kwargs: Any) -> Any:
        if certificate.periods[0].start.isoformat() == "2025-03-24":  # ryggvark-2
            raise KeyError("8106142139")
        return real_check(certificate, *args, **kwargs)

    monkeypatch.setattr(intygscheck.ingest, "read_bytes", crashing_read)
    monkeypatch.setattr(intygscheck.engine, "check", crashing_check)
    out = tmp_path / "out"
    data = run_batch([folder], out, BatchOptions(jobs=1, partitions=4, reports=False))
    assert_consistent(out)
    assert (data["complete"], data["results"], data["errors"]) == (True, 2, 2)
    assert (data["errors_reading"], data["errors_checking"]) == (1, 1)
    errors = {e["source"]: e for e in ndjson(out / "errors.ndjson")}
    assert errors[str(folder / "axel.xml")]["reason"].count("RuntimeError") == 1
    assert "KeyError" in errors[str(folder / "ryggvark-2.xml")]["reason"]
    assert errors[str(folder / "ryggvark-2.xml")]["stage"] == "check"
    text = (out / "errors.ndjson").read_text()
    assert "8106142139" not in text and "***" in text


def test_output_folder_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "fixtures" / "certificates" / "xml"
    for name in ("angest.xml", "axel.xml"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    first = run_batch([tmp_path], tmp_path / "out", BatchOptions(jobs=1, partitions=2, reports=False))
    second = run_batch([tmp_path], tmp_path / "out", BatchOptions(jobs=1, partitions=2, reports=False))
    assert first["inputs_read"] == second["inputs_read"] == 2
    assert second["complete"] and second["errors"] == 0


def test_counting_inputs_never_fails_on_damaged_files(corpus: Corpus, tmp_path: Path) -> None:
    broken = tmp_path / "gone.ndjson"
    broken.symlink_to(tmp_path / "nowhere")
    total = count_inputs(
        [corpus.inputs[0] / "bad", corpus.inputs[0] / "noise.zip", broken, tmp_path / "x.xml"]
    )
    assert total == 6 + 1 + 1 + 1
    assert count_inputs([corpus.inputs[0] / "archive.zip"]) == 8  # zipped NDJSON counts its lines
    assert count_inputs([corpus.inputs[0] / "extract.csv"]) is None


def test_changed_inputs_start_a_fresh_run(tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "fixtures" / "certificates" / "xml"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "angest.xml").write_bytes((source / "angest.xml").read_bytes())
    options = BatchOptions(jobs=1, partitions=2, reports=False)
    assert run_batch([folder], tmp_path / "out", options)["results"] == 1
    (folder / "axel.xml").write_bytes((source / "axel.xml").read_bytes())
    again = run_batch([folder], tmp_path / "out", options)
    assert (again["complete"], again["results"]) == (True, 2)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["results"] == 2
