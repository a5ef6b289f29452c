"""Ingest throughput: certificates per second for each reader, beside a bare lxml parse.

Run: ``python benchmarks/bench_ingest.py [--rounds N] [--repeat R]``. Prints one table row per
(name, callable, inputs) row, with the ratio of its time per certificate to the baseline row
(a bare ``lxml.etree.fromstring`` of the same RIVTA bytes), measured in the same process.

Inputs are Inera's real LISJP v1 transport files (and the v2 prefill document) from
``../shared/external/inera-fk7804`` beside the checkout, repeated. Each format contributes its
rows through a function in :data:`ROW_BUILDERS`; add a builder there for another format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from intygscheck.errors import InputError
from intygscheck.ingest.rivta import read_rivta

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
INERA = SHARED / "external" / "inera-fk7804"


@dataclass(frozen=True)
class Row:
    """One benchmark row: ``func`` is called once per item of ``inputs``."""

    name: str
    func: Callable[[Any], object]
    inputs: Sequence[Any]
    baseline: bool = False


def rivta_documents() -> list[bytes]:
    """The bytes of every Inera RIVTA file that reads into the model (rejected ones left out)."""
    paths = [*sorted((INERA / "v1-transport").glob("*.xml")), INERA / "v2" / "FK7804_V2_prefill.xml"]
    documents: list[bytes] = []
    for path in paths:
        data = path.read_bytes()
        try:
            read_rivta(data, path.name)
        except InputError:
            continue
        documents.append(data)
    return documents


def rivta_rows() -> list[Row]:
    """RIVTA XML → model, and the bare lxml parse of the same bytes as the baseline."""
    documents = rivta_documents()
    return [
        Row("lxml.etree.fromstring (baseline)", etree.fromstring, documents, baseline=True),
        Row("RIVTA XML → model", lambda data: read_rivta(data, "bench.xml"), documents),
    ]


def fhir_rows() -> list[Row]:
    """FHIR R4 JSON → model over the same certificates written as Bundles, and its validation step."""
    from fhir.resources.R4B.bundle import Bundle

    from intygscheck.ingest.fhir import read_fhir
    from intygscheck.ingest.fhir_writer import write_fhir

    documents = [write_fhir(read_rivta(data, "bench.xml")).encode() for data in rivta_documents()]
    return [
        Row("FHIR JSON → model", lambda data: read_fhir(data, "bench.json"), documents),
        Row("  of which fhir.resources validation", Bundle.model_validate_json, documents),
    ]


ROW_BUILDERS: list[Callable[[], list[Row]]] = [rivta_rows, fhir_rows]
"""One builder per format; each returns its rows."""


def measure(row: Row, *, repeat: int, rounds: int) -> float:
    """Best-of-``rounds`` seconds per certificate; a round calls ``func`` on the inputs ``repeat`` times."""
    inputs = list(row.inputs) * repeat
    func = row.func
    for item in row.inputs:  # warm up (imports, caches)
        func(item)
    timings: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in inputs:
            func(item)
        timings.append((time.perf_counter() - start) / len(inputs))
    return min(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20, help="times each input list is repeated per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is reported")
    args = parser.parse_args(argv)

    rows = [row for build in ROW_BUILDERS for row in build()]
    results = [(row, measure(row, repeat=args.repeat, rounds=args.rounds)) for row in rows]
    baseline = next((seconds for row, seconds in results if row.baseline), None)

    print(f"each row: its inputs × {args.repeat}, best of {args.rounds} rounds")
    print(f"{'row':<36} {'inputs':>6} {'median B':>9} {'certs/s':>10} {'µs/cert':>9} {'× baseline':>11}")
    for row, seconds in results:
        ratio = f"{seconds / baseline:.1f}" if baseline else "–"
        sizes = [len(item) for item in row.inputs if isinstance(item, bytes | str)]
        size = statistics.median(sizes) if sizes else 0
        speed = f"{1 / seconds:>10,.0f} {seconds * 1e6:>9.1f}"
        print(f"{row.name:<36} {len(row.inputs):>6} {size:>9.0f} {speed} {ratio:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
