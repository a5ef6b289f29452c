"""``run_batch``: check many certificates, chain sjukfall, and write every batch output.

The run has three phases, each restartable:

1. *spill* — read every input record (files, folders, zip archives, NDJSON, CSV/Parquet
   extracts) in worker processes; certificates go to patient partitions, rejects to errors;
2. *check* — each partition is checked independently (all its patients' certificates are in
   it, so sjukfall chaining is exact), locally in processes or on a Dask cluster;
3. *aggregate* — results, errors, summary, indicators, equality analysis and the report.

Outputs are assembled from completed partitions whatever happens, so an interrupted run
leaves valid (partial, marked ``"complete": false``) outputs; rerunning with the same inputs
and options skips the work already done.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..cases import CaseScope
from .evaluate import PartitionJob, PartitionOutcome, evaluate_partition
from .outputs import assemble_outputs
from .sources import ARCHIVE_SUFFIXES, EXTRACT_SUFFIXES, NDJSON_SUFFIXES, iter_input_files, iter_records
from .spill import open_partitions, partition_path, spill

WORK_FOLDER = ".work"
READING = "läser"
CHECKING = "kontrollerar"
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs. Everything that changes results is part of the resume fingerprint."""

    rulesets: tuple[str, ...] | None = None
    extract_rulesets: tuple[str, ...] = ("fmb",)
    """Rulesets for certificates built from a tabular extract, which holds no free text or
    most answers: only rules that need diagnoses, periods and question 37 make sense there."""
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    partitions: int = 32
    gap_days: int = 5
    case_scope: CaseScope = CaseScope.UNIT
    engine: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # Dask scheduler address; None → a LocalCluster
    reports: bool = True  # indicators, equality analysis and report.html


Progress = Callable[[str, int, int | None], None]
"""A progress callback: (phase, done, total or None), counting records while reading and
certificates while checking, so a caller can show a rate and the time left."""


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    options: BatchOptions | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run a whole batch; returns the summary that is also written to ``summary.json``.

    Raises :class:`~intygscheck.rules.errors.RulesetError` before reading anything when a
    ruleset does not load. Interrupted (``KeyboardInterrupt``, a worker failure), it still
    writes the partial outputs and then re-raises.
    """
    from ..engine import load_all

    options = options or BatchOptions()
    # Compiled and loaded once here (a ruleset error stops the run before anything is
    # written), and forked worker processes inherit them.
    loaded = load_all(options.rulesets)
    loaded_for_extracts = load_all(options.extract_rulesets)
    _warm_up()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    work = out / WORK_FOLDER
    fingerprint = _fingerprint(
        inputs, options, out, [(r.name, r.version) for r in (*loaded, *loaded_for_extracts)]
    )
    _reset_if_changed(work, fingerprint)
    report = progress or (lambda phase, done, total: None)
    # Outputs describe this run from the start (incomplete until the end), so a process that
    # is killed outright never leaves an earlier run's outputs looking like this run's.
    assemble_outputs(out, work, options=options, final=False)
    with _terminate_as_interrupt():
        try:
            _spill_phase(inputs, work, options, report, exclude=out)
            assemble_outputs(out, work, options=options, final=False)
            _check_phase(work, options, report)
        finally:
            summary = assemble_outputs(out, work, options=options)
    return summary


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while the batch runs, so partial outputs are written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _warm_up() -> None:
    """Load the lazily loaded reference data (ICD-10, the FMB table) before worker processes
    fork, so each worker does not load them again (about a second each)."""
    from ..terminology.fmb.table import default_table
    from ..terminology.icd10 import lookup

    lookup("M545")
    default_table()


def _fingerprint(
    inputs: Sequence[str | Path], options: BatchOptions, out: Path, rulesets: list[tuple[str, str]]
) -> str:
    """A hash of the inputs (paths, sizes, mtimes) and of everything that changes results:
    the options, the rulesets' names and versions, the package version and the pseudonym key
    (as a keyed hash of a constant, so the key itself is never stored)."""
    from .. import __version__
    from ..model.personal_id import pseudonymiser

    digest = hashlib.sha256()
    for file in iter_input_files(inputs, exclude=out):
        try:
            stat = file.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size = mtime = -1
        digest.update(f"{file}|{size}|{mtime}\n".encode())
    digest.update(
        repr(
            (
                options.rulesets,
                options.extract_rulesets,
                options.partitions,
                options.gap_days,
                options.case_scope.value,
                rulesets,
                __version__,
                pseudonymiser()("intygscheck-batch-fingerprint"),
            )
        ).encode()
    )
    return digest.hexdigest()


def _reset_if_changed(work: Path, fingerprint: str) -> None:
    marker = work / "fingerprint"
    if marker.exists() and marker.read_text() == fingerprint:
        return
    if work.exists():
        shutil.rmtree(work)
    (work / "parts").mkdir(parents=True)
    (work / "results").mkdir()
    marker.write_text(fingerprint)


def _spill_phase(
    inputs: Sequence[str | Path], work: Path, options: BatchOptions, report: Progress, *, exclude: Path
) -> dict[str, int]:
    done_marker = work / "spill.json"
    if done_marker.exists():
        return _read_json(done_marker)
    total = count_inputs(inputs, exclude=exclude)
    counts = {"records": 0, "certificates": 0, "rejected": 0}
    report(READING, 0, total)
    part_files = open_partitions(work / "parts", options.partitions)
    try:
        with (
            _process_pool(options.jobs) as executor,
            (work / "spill-errors.ndjson").open("w", encoding="utf-8") as errors,
        ):
            records = iter_records(inputs, exclude=exclude)
            for item in spill(records, part_files, errors, executor=executor, window=4 * options.jobs):
                counts["records"] += 1
                counts["certificates" if item.line is not None else "rejected"] += 1
                if counts["records"] % PROGRESS_EVERY == 0:
                    report(READING, counts["records"], total)
        report(READING, counts["records"], counts["records"])
    finally:
        for handle in part_files:
            handle.close()
    done_marker.write_text(json.dumps(counts))
    return counts


def _check_phase(work: Path, options: BatchOptions, report: Progress) -> None:
    """Check every partition not yet done; progress counts certificates, not partitions."""
    jobs = [
        PartitionJob(
            index=index,
            source=partition_path(work / "parts", index),
            results=work / "results" / f"results-{index:04d}.ndjson",
            errors=work / "results" / f"errors-{index:04d}.ndjson",
            outcome=work / "results" / f"outcome-{index:04d}.json",
            rulesets=options.rulesets,
            extract_rulesets=options.extract_rulesets,
            gap_days=options.gap_days,
            scope=options.case_scope,
        )
        for index in range(options.partitions)
    ]
    pending = [job for job in jobs if not (job.results.exists() and job.outcome.exists())]
    total = _read_json(work / "spill.json").get("certificates", 0)
    done = sum(_checked(job) for job in jobs if job not in pending)
    report(CHECKING, done, total)

    def finished(outcome: PartitionOutcome) -> None:
        nonlocal done
        done += outcome.results + outcome.errors
        report(CHECKING, done, total)

    if options.engine == "dask":
        from .dask_engine import run_on_dask

        run_on_dask(pending, options.scheduler, finished, workers=max(options.jobs, 1))
    else:
        with _process_pool(options.jobs) as executor:
            for outcome in _map(executor, evaluate_partition, pending):
                finished(outcome)


def _checked(job: PartitionJob) -> int:
    data = _read_json(job.outcome)
    return int(data.get("results", 0)) + int(data.get("errors", 0))


def _map(
    executor: Executor | None,
    function: Callable[[PartitionJob], PartitionOutcome],
    jobs: Iterable[PartitionJob],
) -> Iterator[PartitionOutcome]:
    if executor is None:
        yield from map(function, jobs)
    else:
        yield from executor.map(function, jobs)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _process_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``jobs`` worker processes (None for one job), shut down on leaving the block.

    The workers are started at once with Ctrl-C and SIGTERM deferred: an interrupt raised
    while the pool is half started (workers forked, its manager thread not yet running) or
    inside the fork hooks (which swallow it) would leave workers that nothing shuts down.
    Deferred, it is raised once the pool is whole, and shutting down then works. Workers
    ignore Ctrl-C: the main process stops the run and writes the partial outputs. Shutting
    down waits for the partitions being checked and cancels the queued ones.
    """
    if jobs <= 1:
        yield None
        return
    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_signals)
    try:
        with _interrupts_deferred():
            executor.submit(int).result()  # forks every worker now (fork start method)
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM during the block are remembered and raised as KeyboardInterrupt after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {number: signal.signal(number, remember) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise KeyboardInterrupt


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the main process's business; SIGTERM ends the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def count_inputs(inputs: Sequence[str | Path], *, exclude: Path | None = None) -> int | None:
    """How many records the inputs hold, for the progress bar's time-left estimate.

    Counts files, archive members and NDJSON lines (also inside archives); returns None when
    an extract is among the inputs (its certificate count is only known after reading it).
    Never raises: whatever cannot be counted counts as one record (it will be one error).
    """
    total = 0
    for file in iter_input_files(inputs, exclude=exclude):
        suffix = file.suffix.lower()
        if suffix in EXTRACT_SUFFIXES:
            return None
        try:
            if suffix in NDJSON_SUFFIXES:
                with file.open("rb") as stream:
                    total += _count_lines(stream)
            elif suffix in ARCHIVE_SUFFIXES:
                total += _count_members(file)
            else:
                total += 1
        except Exception:  # unreadable or corrupt: reading it will report one error
            total += 1
    return total


def _count_lines(stream: IO[bytes]) -> int:
    return sum(1 for line in stream if line.strip())


def _count_members(file: Path) -> int:
    count = 0
    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if Path(info.filename).suffix.lower() in NDJSON_SUFFIXES:
                try:
                    with archive.open(info) as stream:
                        count += _count_lines(stream)
                except Exception:
                    count += 1
            else:
                count += 1
    return count


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}
