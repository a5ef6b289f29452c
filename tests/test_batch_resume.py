"""An interrupted batch leaves valid partial outputs, and a rerun finishes with the same outputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batch_support import (
    FIXTURE_XML,
    KOMPLETTERING,
    assert_consistent,
    comparable,
    fixture,
    renamed,
    summary,
)
from intygscheck.batch.runner import CHECKING, READING, BatchOptions, run_batch

PARTITIONS = 8


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Fixture XML, the komplettering XML, 150 NDJSON certificates and one broken file."""
    root = tmp_path_factory.mktemp("resume-inputs")
    template = fixture("depression")
    lines = [renamed(template, index, "resume")[0].model_dump_json() for index in range(150)]
    (root / "many.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "broken.xml").write_bytes(b"<intyg>")
    return [FIXTURE_XML, KOMPLETTERING, root]


@pytest.fixture(scope="module")
def reference(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run_batch(inputs, out, BatchOptions(jobs=1, partitions=PARTITIONS, reports=False))
    return out


def assert_same_outputs(out: Path, reference: Path) -> None:
    for name in ("results.ndjson", "errors.ndjson"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert comparable(summary(out)) == comparable(summary(reference))


class Interrupt:
    """A progress callback that raises KeyboardInterrupt (or sends a signal) at a point."""

    def __init__(self, phase: str, after: int, signal_number: int | None = None) -> None:
        self.phase, self.after, self.signal_number = phase, after, signal_number
        self.fired = False

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase == self.phase and done >= self.after and not self.fired:
            self.fired = True
            if self.signal_number is None:
                raise KeyboardInterrupt
            os.kill(os.getpid(), self.signal_number)


def test_reference_run_is_complete(reference: Path) -> None:
    data = assert_consistent(reference)
    assert data["complete"] and data["results"] == 17 + 76 + 150 and data["errors"] == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_while_checking_leaves_partial_outputs_and_rerun_completes(
    inputs: list[Path], reference: Path, tmp_path: Path, jobs: int
) -> None:
    options = BatchOptions(jobs=jobs, partitions=PARTITIONS, reports=False)
    with pytest.raises(KeyboardInterrupt):
        run_batch(inputs, tmp_path, options, progress=Interrupt(CHECKING, 1))
    partial = assert_consistent(tmp_path)
    assert partial["complete"] is False
    assert 0 < partial["partitions"]["done"] < PARTITIONS
    assert partial["pending"] > 0
    assert partial["results"] + partial["errors"] + partial["pending"] == partial["inputs_read"]
    assert not list((tmp_path / ".work" / "results").glob("*.tmp"))
    done_before = partial["partitions"]["done"]
    resumed: list[tuple[str, int, int | None]] = []
    run_batch(inputs, tmp_path, options, progress=lambda *call: resumed.append(call))
    assert not any(phase == READING for phase, _, _ in resumed)  # reading is not redone
    assert resumed[0][0] == CHECKING and resumed[0][1] > 0 and done_before > 0
    assert_same_outputs(tmp_path, reference)


def test_interrupt_while_reading_leaves_an_empty_incomplete_run(
    inputs: list[Path], reference: Path, tmp_path: Path
) -> None:
    options = BatchOptions(jobs=2, partitions=PARTITIONS, reports=False)
    with pytest.raises(KeyboardInterrupt):
        run_batch(inputs, tmp_path, options, progress=Interrupt(READING, 50))
    partial = assert_consistent(tmp_path)
    assert (partial["complete"], partial["inputs_read"], partial["results"], partial["errors"]) == (
        False,
        0,
        0,
        0,
    )
    run_batch(inputs, tmp_path, options)
    assert_same_outputs(tmp_path, reference)


def test_sigterm_is_an_interrupt_with_partial_outputs(
    inputs: list[Path], reference: Path, tmp_path: Path
) -> None:
    options = BatchOptions(jobs=1, partitions=PARTITIONS, reports=False)
    with pytest.raises(KeyboardInterrupt):
        run_batch(inputs, tmp_path, options, progress=Interrupt(CHECKING, 1, signal.SIGTERM))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is restored
    assert assert_consistent(tmp_path)["complete"] is False
    run_batch(inputs, tmp_path, options)
    assert_same_outputs(tmp_path, reference)


@pytest.mark.slow
def test_ctrl_c_on_the_command_line_exits_1_and_the_same_command_finishes(
    inputs: list[Path], reference: Path, tmp_path: Path
) -> None:
    command = [
        sys.executable,
        "-c",
        "from intygscheck.cli import main; main()",
        "batch",
        *map(str, inputs),
        "--out",
        str(tmp_path),
        "--partitions",
        str(PARTITIONS),
        "-j",
        "2",
        "--no-reports",
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    marker = tmp_path / ".work" / "spill.json"
    deadline = time.monotonic() + 60
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1, err.decode()
    assert "avbruten" in err.decode() and "Traceback" not in err.decode()
    assert assert_consistent(tmp_path)["complete"] is False
    finished = subprocess.run(command, capture_output=True, timeout=120, env=os.environ.copy())
    assert finished.returncode == 0, finished.stderr.decode()
    assert_same_outputs(tmp_path, reference)
