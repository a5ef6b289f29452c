"""Benchmark: the equality analysis and the indicators on about 1,000,000 synthetic extract rows.

Prints one table: wall time per stage, its ratio to the baseline (reading and validating the
CSV extract, measured in the same process) and the process's peak resident memory after the
stage (``resource.getrusage`` maxrss, which includes polars' native allocations that
``tracemalloc`` cannot see). Targets (issue 6): the analysis under 30 s and under 2 GB.

    /work/venv/bin/python benchmarks/bench_equality.py [--rows 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from intygscheck.ingest.extract import read_extract
from intygscheck.stats import certificate_table, compare_sexes, indicators, load_equality_config
from intygscheck.stats.synthetic import generate_population

T = TypeVar("T")


def peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, results: list[tuple[str, float, float, float]], work: Callable[[], T]) -> T:
    start, cpu = time.perf_counter(), cpu_seconds()
    value = work()
    results.append((label, time.perf_counter() - start, cpu_seconds() - cpu, peak_mib()))
    return value


def _make_extract(path: Path, patients: int, seed: int) -> int:
    """Write a synthetic extract; returns its number of rows (the frame is freed on return)."""
    population = generate_population(patients, seed=seed)
    population.write(path)
    return population.rows.height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="extract rows to generate (about)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rows_per_patient = generate_population(2000, seed=args.seed).rows.height / 2000
    patients = max(1, round(1.05 * args.rows / rows_per_patient))  # the pilot ratio varies: aim above
    config = load_equality_config()
    load = os.getloadavg()[0]
    results: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "extract.csv"
        n_rows = timed("generate + write CSV", results, lambda: _make_extract(csv_path, patients, args.seed))
        batch = timed("read + validate CSV (baseline)", results, lambda: read_extract(csv_path))
        table = timed(
            "certificate table (chaining)",
            results,
            lambda: certificate_table(batch.rows, scope=config.scope, gap_days=config.gap_days),
        )
        result = timed("equality analysis", results, lambda: compare_sexes(table, config))
        indicator_table = timed("indicators", results, lambda: indicators(table))

    baseline = results[1][1]
    analysis = sum(row[1] for row in results[1:])
    analysis_cpu = sum(row[2] for row in results[1:])
    print(f"extract rows: {n_rows:,}  certificates: {table.height:,}  sjukfall: {result.cases:,}")
    print(
        f"equality rows: {result.table.height:,} (suppressed {result.table['suppressed'].sum():,}, "
        f"flagged {result.flagged.height:,})  indicator rows: {indicator_table.height:,}"
    )
    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores (other work slows wall time)")
    print(f"{'stage':<34}{'wall s':>10}{'× baseline':>12}{'CPU s':>10}{'peak RSS MiB':>14}")
    for label, seconds, cpu, peak in results:
        print(f"{label:<34}{seconds:>10.2f}{seconds / baseline:>12.2f}{cpu:>10.2f}{peak:>14.0f}")
    total = "read → equality + indicators"
    print(f"{total:<34}{analysis:>10.2f}{analysis / baseline:>12.2f}{analysis_cpu:>10.2f}{peak_mib():>14.0f}")
    within = analysis < 30 and peak_mib() < 2048
    print(f"target (< 30 s, < 2048 MiB): {'met' if within else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
