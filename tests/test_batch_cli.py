"""``intygscheck batch``: exit codes (0 complete, 1 incomplete, 2 usage) and progress counts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import intygscheck.batch.runner as runner
from batch_support import FIXTURE_XML, assert_consistent
from cli_support import run
from intygscheck.batch.evaluate import PartitionJob, PartitionOutcome
from intygscheck.batch.runner import CHECKING, READING, BatchOptions, run_batch


def test_complete_run_exits_0_and_prints_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--out", str(tmp_path / "o"), "-j", "1", "--partitions", "4", "--no-reports", "--quiet"]
    code, out, _ = run(["batch", str(FIXTURE_XML), str(tmp_path / "gone.xml"), *options], capsys)
    assert code == 0
    assert out.startswith("18 indata lästa: 17 resultat, 1 fel")
    assert assert_consistent(tmp_path / "o")["complete"] is True


def test_interrupted_run_exits_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = runner.evaluate_partition

    def interrupted(job: PartitionJob) -> PartitionOutcome:
        if job.index == 2:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(runner, "evaluate_partition", interrupted)
    argv = ["batch", str(FIXTURE_XML), "--out", str(tmp_path), "-j", "1", "--partitions", "4"]
    code, _, err = run([*argv, "--no-reports", "--quiet"], capsys)
    assert code == 1
    assert "avbruten" in err and "interrupted" in err
    partial = assert_consistent(tmp_path)
    assert partial["complete"] is False and partial["partitions"]["done"] == 2
    monkeypatch.setattr(runner, "evaluate_partition", real)
    code, out, _ = run([*argv, "--no-reports", "--quiet"], capsys)
    assert code == 0 and "17 resultat" in out


def _die(job: PartitionJob) -> PartitionOutcome:
    """A partition task whose worker process dies (as when the system kills it)."""
    os._exit(3)


def test_a_dead_worker_process_exits_1_with_partial_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "evaluate_partition", _die)
    argv = ["batch", str(FIXTURE_XML), "--out", str(tmp_path), "-j", "2", "--partitions", "4"]
    code, _, err = run([*argv, "--no-reports", "--quiet"], capsys)
    assert code == 1
    assert "worker process died" in err and "Traceback" not in err
    assert assert_consistent(tmp_path)["complete"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "spark"], "--engine"),
        (["--partitions", "0"], "--partitions"),
        (["--jobs", "-2"], "--jobs"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),
        (["--ruleset", "no-such-ruleset"], "no-such-ruleset"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, _, err = run(["batch", str(FIXTURE_XML), "--out", str(tmp_path / "o"), "--quiet", *extra], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o" / "results.ndjson").exists()


def test_out_that_is_a_file_and_missing_out_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    assert run(["batch", str(FIXTURE_XML), "--out", str(file), "--quiet"], capsys)[0] == 2
    assert run(["batch", str(FIXTURE_XML)], capsys)[0] == 2


def test_progress_reports_rate_able_counts_per_phase(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps({"id": f"P{i}"}) for i in range(120)]  # minimal native certificates
    (folder / "many.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = run_batch(
        [FIXTURE_XML, folder],
        tmp_path / "out",
        BatchOptions(jobs=2, partitions=4, reports=False),
        progress=lambda *call: calls.append(call),
    )
    assert data["complete"] and data["inputs_read"] == 137
    reading = [(done, total) for phase, done, total in calls if phase == READING]
    checking = [(done, total) for phase, done, total in calls if phase == CHECKING]
    assert reading[0] == (0, 137) and reading[-1] == (137, 137)
    assert len(reading) >= 4  # often enough for a rate: every 50 records
    assert [done for done, _ in reading] == sorted(done for done, _ in reading)
    assert {total for _, total in checking} == {137}
    assert checking[0][0] == 0 and checking[-1][0] == 137
    assert [done for done, _ in checking] == sorted(done for done, _ in checking)
    assert len(checking) == 1 + 4  # the start and once per partition
