"""Sjukfall chaining throughput: interval merging vs a per-day-set baseline, in one process.

Run: ``python benchmarks/bench_cases.py``. Prints certificates per second for
``intygscheck.cases.build_cases`` and for a naive baseline that chains the same certificates
but counts days with Python sets of dates, for short and long periods.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from intygscheck.cases import build_cases
from intygscheck.cases.chaining import chains
from intygscheck.model import Certificate, Grade, Issuer, Patient, SickLeavePeriod


def make(patients: int, per_patient: int, length: int, seed: int = 7) -> list[Certificate]:
    """Synthetic certificates: each patient has a run of certificates with small random gaps."""
    rng = random.Random(seed)
    out: list[Certificate] = []
    for p in range(patients):
        day = date(2023, 1, 1) + timedelta(rng.randrange(300))
        for n in range(per_patient):
            end = day + timedelta(length - 1)
            out.append(
                Certificate(
                    id=f"p{p}-c{n}",
                    patient=Patient(key=f"patient-{p}"),
                    issuer=Issuer(unit_id=f"unit-{p % 50}"),
                    periods=(SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=day, end=end),),
                )
            )
            day = end + timedelta(1 + rng.randrange(8))
    rng.shuffle(out)
    return out


def baseline(certificates: list[Certificate]) -> dict[str, int]:
    """The same chains, with totals counted as sets of days (what we avoid)."""
    totals: dict[str, int] = {}
    for chain in chains(certificates):
        days: set[date] = set()
        for certificate in chain:
            for period in certificate.periods:
                days.update(period.start + timedelta(n) for n in range(period.days))
            totals[certificate.id] = len(days)
    return totals


def ours(certificates: list[Certificate]) -> dict[str, int]:
    return {case.current.id: case.total_days for case in build_cases(certificates)}


def rate(function: Callable[[list[Certificate]], dict[str, int]], data: list[Certificate]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        function(data)
        best = min(best, time.perf_counter() - started)
    return len(data) / best


def main() -> None:
    print(f"{'scenario':<34}{'certs':>8}{'ours/s':>12}{'baseline/s':>12}{'ratio':>8}")
    for label, patients, per_patient, length in (
        ("short periods (14 d)", 2000, 5, 14),
        ("long periods (180 d)", 2000, 5, 180),
        ("very long chains (20 × 90 d)", 200, 20, 90),
    ):
        data = make(patients, per_patient, length)
        assert ours(data) == baseline(data)
        mine, base = rate(ours, data), rate(baseline, data)
        print(f"{label:<34}{len(data):>8}{mine:>12.0f}{base:>12.0f}{mine / base:>8.2f}")


if __name__ == "__main__":
    main()
