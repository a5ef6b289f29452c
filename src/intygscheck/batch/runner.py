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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cases import CaseScope
from .evaluate import PartitionJob, PartitionOutcome, evaluate_partition
from .outputs import assemble_outputs
from .sources import iter_records
from .spill import open_partitions, partition_path, spill

WORK_FOLDER = ".work"


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs. Everything that changes results is part of the resume fingerprint."""

    rulesets: tuple[str, ...] | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    partitions: int = 32
    gap_days: int = 5
    case_scope: CaseScope = CaseScope.UNIT
    engine: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # Dask scheduler address; None → a LocalCluster
    reports: bool = True  # indicators, equality analysis and report.html


Progress = Callable[[str, int, int | None], None]
"""A progress callback: (phase, done, total or None)."""


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    options: BatchOptions | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run a whole batch; returns the summary that is also written to ``summary.json``."""
    options = options or BatchOptions()
    out = Path(out_dir)
    work = out / WORK_FOLDER
    fingerprint = _fingerprint(inputs, options)
    _reset_if_changed(work, fingerprint)
    report = progress or (lambda phase, done, total: None)
    try:
        _spill_phase(inputs, work, options, report)
        _check_phase(work, options, report)
    finally:
        summary = assemble_outputs(out, work, options=options)
    return summary


def _fingerprint(inputs: Sequence[str | Path], options: BatchOptions) -> str:
    """A hash of the inputs (paths, sizes, mtimes) and of every option that changes results."""
    digest = hashlib.sha256()
    for item in inputs:
        path = Path(item)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            stat = file.stat() if file.exists() else None
            digest.update(f"{file}|{stat.st_size if stat else -1}|{stat.st_mtime_ns if stat else -1}\n".encode())
    digest.update(
        repr((options.rulesets, options.partitions, options.gap_days, options.case_scope.value)).encode()
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
    inputs: Sequence[str | Path], work: Path, options: BatchOptions, report: Progress
) -> dict[str, int]:
    done_marker = work / "spill.json"
    if done_marker.exists():
        return _read_json(done_marker)
    total = count_inputs(inputs)
    counts = {"records": 0, "certificates": 0, "rejected": 0}
    part_files = open_partitions(work / "parts", options.partitions)
    executor = _process_pool(options.jobs)
    try:
        with (work / "spill-errors.ndjson").open("w", encoding="utf-8") as errors:
            for item in spill(iter_records(inputs), part_files, errors, executor=executor, window=4 * options.jobs):
                counts["records"] += 1
                counts["certificates" if item.line is not None else "rejected"] += 1
                if counts["records"] % 50 == 0:
                    report("läser", counts["records"], total)
        report("läser", counts["records"], counts["records"])
    finally:
        for handle in part_files:
            handle.close()
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    done_marker.write_text(json.dumps(counts))
    return counts


def _check_phase(work: Path, options: BatchOptions, report: Progress) -> None:
    jobs = [
        PartitionJob(
            index=index,
            source=partition_path(work / "parts", index),
            results=work / "results" / f"results-{index:04d}.ndjson",
            errors=work / "results" / f"errors-{index:04d}.ndjson",
            outcome=work / "results" / f"outcome-{index:04d}.json",
            rulesets=options.rulesets,
            gap_days=options.gap_days,
            scope=options.case_scope,
        )
        for index in range(options.partitions)
    ]
    pending = [job for job in jobs if not job.results.exists()]
    report("kontrollerar", len(jobs) - len(pending), len(jobs))
    if options.engine == "dask":
        from .dask_engine import run_on_dask

        run_on_dask(pending, options.scheduler, lambda done: report("kontrollerar", len(jobs) - len(pending) + done, len(jobs)))
    else:
        executor = _process_pool(options.jobs)
        try:
            for done, _ in enumerate(_map(executor, evaluate_partition, pending), start=1):
                report("kontrollerar", len(jobs) - len(pending) + done, len(jobs))
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)


def _map(executor: Executor | None, function: Callable[[PartitionJob], PartitionOutcome], jobs: Iterable[PartitionJob]):  # type: ignore[no-untyped-def]
    if executor is None:
        yield from map(function, jobs)
    else:
        yield from executor.map(function, jobs)


def _process_pool(jobs: int) -> ProcessPoolExecutor | None:
    return ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None


def count_inputs(inputs: Sequence[str | Path]) -> int | None:
    """How many records the inputs hold, for the progress bar's time-left estimate.

    Counts files, archive members and NDJSON lines; returns None when an extract is among
    the inputs (its certificate count is only known after reading it).
    """
    import zipfile

    from .sources import ARCHIVE_SUFFIXES, EXTRACT_SUFFIXES, NDJSON_SUFFIXES

    total = 0
    for item in inputs:
        path = Path(item)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix in EXTRACT_SUFFIXES:
                return None
            if suffix in NDJSON_SUFFIXES:
                with file.open("rb") as stream:
                    total += sum(1 for line in stream if line.strip())
            elif suffix in ARCHIVE_SUFFIXES and zipfile.is_zipfile(file):
                with zipfile.ZipFile(file) as archive:
                    total += sum(1 for info in archive.infolist() if not info.is_dir())
            else:
                total += 1
    return total


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}
