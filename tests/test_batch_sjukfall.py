"""Sjukfall chain across inputs of different kinds, whatever partition and process they land in."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from batch_support import FIXTURE_FHIR, FIXTURE_XML, assert_consistent, fixture, ndjson
from intygscheck.batch.runner import BatchOptions, run_batch


@pytest.mark.parametrize("jobs", [1, 2])
def test_certificates_of_one_patient_chain_across_files_archives_and_ndjson(
    tmp_path: Path, jobs: int
) -> None:
    # ryggvark 1..3: one patient, one unit, periods 2025-03-10..03-23, 03-24..04-06, 04-07..04-20
    # (14 days each, back to back); hjartinfarkt 1..2: 09-02..09-28 (27 days), 09-29..10-26 (28).
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ryggvark-1.xml").write_bytes((FIXTURE_XML / "ryggvark-1.xml").read_bytes())
    (folder / "more.ndjson").write_text(fixture("ryggvark-2").model_dump_json() + "\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "third.zip", "w") as archive:
        archive.writestr("deep/ryggvark-3.xml", (FIXTURE_XML / "ryggvark-3.xml").read_bytes())
    (folder / "hjartinfarkt-1.json").write_bytes((FIXTURE_FHIR / "hjartinfarkt-1.json").read_bytes())
    (folder / "hjartinfarkt-2.xml").write_bytes((FIXTURE_XML / "hjartinfarkt-2.xml").read_bytes())
    (folder / "angest.xml").write_bytes((FIXTURE_XML / "angest.xml").read_bytes())
    out = tmp_path / "out"
    data = run_batch(
        [tmp_path / "third.zip", folder], out, BatchOptions(jobs=jobs, partitions=16, reports=False)
    )
    assert_consistent(out)
    assert (data["complete"], data["results"], data["errors"]) == (True, 6, 0)
    rows = {
        Path(row["source"].split("!")[-1].split(":")[0]).stem: row for row in ndjson(out / "results.ndjson")
    }
    rows["ryggvark-2"] = next(r for r in rows.values() if r["certificate_id"] == fixture("ryggvark-2").id)
    first = fixture("ryggvark-1").id
    assert [rows[f"ryggvark-{n}"]["sjukfall_days"] for n in (1, 2, 3)] == [14, 28, 42]
    assert [rows[f"ryggvark-{n}"]["case_position"] for n in (1, 2, 3)] == [1, 2, 3]
    assert {rows[f"ryggvark-{n}"]["case_id"] for n in (1, 2, 3)} == {first}
    assert [rows[f"ryggvark-{n}"]["first_certificate_days"] for n in (1, 2, 3)] == [14, 14, 14]
    assert [rows[f"hjartinfarkt-{n}"]["sjukfall_days"] for n in (1, 2)] == [27, 55]
    assert rows["angest"]["case_position"] == 1
    assert rows["angest"]["sjukfall_days"] == rows["angest"]["certificate_days"]
    assert len({r["patient_key"] for r in rows.values()}) == 3


@pytest.mark.parametrize(("scope", "expected"), [("unit", [14, 14, 14]), ("care_provider", [14, 28, 42])])
def test_case_scope_decides_whether_another_unit_of_the_provider_chains(
    tmp_path: Path, scope: str, expected: list[int]
) -> None:
    # ryggvark-2 moved to another unit of the same care provider: per unit it breaks the chain
    # (ryggvark-3 starts 14 days after ryggvark-1 ends), per care provider all three chain.
    from intygscheck.cases import CaseScope

    for name in ("ryggvark-1", "ryggvark-3"):
        (tmp_path / f"{name}.xml").write_bytes((FIXTURE_XML / f"{name}.xml").read_bytes())
    second = fixture("ryggvark-2")
    assert second.issuer is not None
    moved = second.model_copy(
        update={"issuer": second.issuer.model_copy(update={"unit_id": "SE2321000016-OTHER"})}
    )
    (tmp_path / "moved.ndjson").write_text(moved.model_dump_json() + "\n", encoding="utf-8")
    options = BatchOptions(jobs=1, partitions=3, case_scope=CaseScope(scope), reports=False)
    data = run_batch([tmp_path], tmp_path / "out", options)
    assert data["options"]["case_scope"] == scope
    rows = ndjson(tmp_path / "out" / "results.ndjson")
    by_id = {row["certificate_id"]: row["sjukfall_days"] for row in rows}
    order = [fixture(f"ryggvark-{n}").id for n in (1, 2, 3)]
    assert [by_id[cid] for cid in order] == expected


def test_a_chaining_failure_falls_back_to_each_patients_own_certificates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If chaining a whole partition fails, every certificate is still checked, with the sjukfall
    built from its own patient's certificates: no record is lost and the chain is the same."""
    from intygscheck.batch import evaluate

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("chaining bug")

    monkeypatch.setattr(evaluate, "cases_by_id", broken)
    for name in ("ryggvark-1", "ryggvark-2", "ryggvark-3", "angest"):
        (tmp_path / f"{name}.xml").write_bytes((FIXTURE_XML / f"{name}.xml").read_bytes())
    out = tmp_path / "out"
    data = run_batch([tmp_path], out, BatchOptions(jobs=1, partitions=4, reports=False))
    assert_consistent(out)
    assert (data["results"], data["errors"]) == (4, 0)
    days = {Path(row["source"]).stem: row["sjukfall_days"] for row in ndjson(out / "results.ndjson")}
    assert [days[f"ryggvark-{n}"] for n in (1, 2, 3)] == [14, 28, 42]
