"""Certificates from a tabular extract are checked only with the rules an extract can answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from intygscheck.batch.runner import BatchOptions, run_batch
from intygscheck.ingest.extract import REQUIRED_COLUMNS

ROWS = [
    # M54.5 for 30 days at 100 %: over FMB's 14 days, no motivation column → unmotivated
    "E1,198001012387,K,1980,U1,VG1,M54.5,2024-01-01,2024-01-30,100,2024-01-01",
    "E2,197502022382,K,1975,U1,VG1,J06.9,2024-01-01,2024-01-05,100,2024-01-01",
]


def test_extract_certificates_get_the_fmb_rules_and_no_completion_verdict(tmp_path: Path) -> None:
    extract = tmp_path / "extract.csv"
    extract.write_text("\n".join([",".join(REQUIRED_COLUMNS), *ROWS]) + "\n", encoding="utf-8")
    summary = run_batch([extract], tmp_path / "out", BatchOptions(jobs=1, partitions=2, reports=False))
    assert (summary["inputs_read"], summary["results"], summary["errors"]) == (2, 2, 0)
    rows = {
        row["certificate_id"]: row
        for row in map(json.loads, (tmp_path / "out" / "results.ndjson").read_text().splitlines())
    }
    # no structural or completion rules: an extract has no free text, so they would all fire
    assert {f["ruleset"] for row in rows.values() for f in row["findings"]} <= {"fmb"}
    assert all(row["completion_questions"] is None for row in rows.values())
    assert rows["E1"]["fmb_exceeded"] is True and rows["E1"]["sjukfall_days"] == 30
    assert rows["E2"]["fmb_exceeded"] is False


def test_an_incomplete_rerun_removes_the_earlier_runs_aggregates(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("ryggvark-1.xml", "ryggvark-2.xml"):
        shutil.copy(Path(__file__).resolve().parents[1] / "fixtures/certificates/xml" / name, inputs)
    out = tmp_path / "out"
    run_batch([inputs], out, BatchOptions(jobs=1, partitions=2))
    assert (out / "report.html").exists() and (out / "indicators.csv").exists()

    shutil.copy(inputs / "ryggvark-1.xml", inputs / "kopia.xml")  # new inputs: a fresh run

    def interrupt(phase: str, done: int, total: int | None) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([inputs], out, BatchOptions(jobs=1, partitions=2), progress=interrupt)
    assert json.loads((out / "summary.json").read_text())["complete"] is False
    assert not (out / "report.html").exists() and not (out / "indicators.csv").exists()
