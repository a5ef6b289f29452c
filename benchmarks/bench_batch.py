"""End-to-end batch throughput and peak memory, against ``intygscheck.check`` in-process.

Writes a folder of RIVTA XML certificates (fixture certificates with new ids and made-up
patients, via ``write_rivta``) and a synthetic CSV extract (``intygscheck.stats.synthetic``),
then runs ``run_batch`` on each with ``-j 1`` and ``-j 2``, each run in a fresh process so its
peak memory (``ru_maxrss`` of the run's process and, separately, of its worker processes) is
its own. The baseline is ``intygscheck.check`` on already-read certificates in this process;
the ratio says how much of that the whole batch (reading, partitioning, chaining, checking,
writing) keeps.

    /work/venv/bin/python benchmarks/bench_batch.py                 # 5,000 files, 50,000 rows
    /work/venv/bin/python benchmarks/bench_batch.py --xml 2000 --rows 20000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, resource, sys, time
from intygscheck.batch.runner import BatchOptions, run_batch
inputs, out, jobs = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
summary = run_batch(inputs, out, BatchOptions(jobs=jobs, reports=False))
seconds = time.perf_counter() - start
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": seconds,
    "cpu": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
    "inputs": summary["inputs_read"],
    "results": summary["results"],
    "errors": summary["errors"],
    "complete": summary["complete"],
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the parent's size
    "self_mb": next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM")),
    "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def write_xml_corpus(folder: Path, count: int) -> float:
    """``count`` RIVTA files, 500 per subfolder; returns seconds taken."""
    import intygscheck
    from intygscheck.ingest.rivta_writer import write_rivta
    from intygscheck.model.personal_id import make_personal_id

    templates = [
        intygscheck.read(path)
        for path in sorted((ROOT / "fixtures" / "certificates" / "xml").glob("*.xml"))
        + sorted((ROOT / "fixtures" / "komplettering").glob("*.xml"))
    ]
    start = time.perf_counter()
    for index in range(count):
        template = templates[index % len(templates)]
        certificate = template.model_copy(
            update={"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{index}"))}
        )
        # two certificates per patient on average, so sjukfall chaining has work to do
        patient = index // 2
        personal_id = make_personal_id(
            date(1950 + patient % 50, 1 + patient % 12, 1 + patient % 28), 100 + patient % 800
        )
        target = folder / f"{index // 500:04d}" / f"c{index:06d}.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(write_rivta(certificate, personal_id=personal_id))
    return time.perf_counter() - start


def write_extract(path: Path, rows: int) -> tuple[int, int]:
    """A synthetic extract of about ``rows`` rows; returns (rows, certificates)."""
    from intygscheck.stats.synthetic import generate_population

    population = generate_population(max(rows // 3, 1), seed=7)
    frame = population.rows.head(rows)
    frame.write_csv(path)
    return frame.height, frame.get_column("certificate_id").n_unique()


def baseline_rate(sample: int) -> tuple[float, float]:
    """Certificates per second (wall clock, CPU time) of ``intygscheck.check`` on already-read
    certificates, each fixture certificate in turn."""
    import intygscheck
    from intygscheck.engine import load_all

    paths = sorted((ROOT / "fixtures" / "komplettering").glob("*.xml")) + sorted(
        (ROOT / "fixtures" / "certificates" / "xml").glob("*.xml")
    )
    certificates = [intygscheck.read(path) for path in paths]
    rulesets = load_all(None)
    for certificate in certificates:  # warm up: lazy tables, regexes
        intygscheck.check(certificate, rulesets)
    start, cpu = time.perf_counter(), time.process_time()
    for index in range(sample):
        intygscheck.check(certificates[index % len(certificates)], rulesets)
    return sample / (time.perf_counter() - start), sample / (time.process_time() - cpu)


def run(inputs: list[Path], out: Path, jobs: int) -> dict[str, float]:
    """One batch in a fresh process; its timing, counts and peak memory."""
    argv = [sys.executable, "-c", _CHILD, json.dumps([str(p) for p in inputs]), str(out), str(jobs)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xml", type=int, default=5_000, help="RIVTA XML files to generate")
    parser.add_argument("--rows", type=int, default=50_000, help="CSV extract rows to generate")
    parser.add_argument("--baseline", type=int, default=3_000, help="in-process checks for the baseline")
    args = parser.parse_args()
    os.environ.setdefault(
        "INTYGSCHECK_FMB_TABLE", str(Path(tempfile.gettempdir()) / "no-user-fmb-table.json")
    )

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    base, base_cpu = baseline_rate(args.baseline)
    print(
        f"baseline: intygscheck.check in-process, {args.baseline:,} checks: {base:,.0f} certificates/s"
        f" ({base_cpu:,.0f} per CPU-second)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as temporary:
        root = Path(temporary)
        seconds = write_xml_corpus(root / "xml", args.xml)
        print(f"wrote {args.xml:,} RIVTA files in {seconds:.1f} s")
        rows, certificates = write_extract(root / "extract.csv", args.rows)
        print(f"wrote an extract of {rows:,} rows ({certificates:,} certificates)")
        print()
        header = (
            f"{'input':<26} {'-j':>2} {'records':>8} {'seconds':>8} {'records/s':>10} {'vs check':>9} "
            f"{'CPU s':>7} {'rec/CPU-s':>9} {'vs check':>9} {'main MB':>8} {'worker MB':>9}"
        )
        print(header)
        print("-" * len(header))
        quarter = sorted((root / "xml").iterdir())[: max(len(list((root / "xml").iterdir())) // 4, 1)]
        quarter_files = sum(len(list(folder.iterdir())) for folder in quarter)
        cases = [
            (f"RIVTA XML ({quarter_files:,} files)", quarter),
            (f"RIVTA XML ({args.xml:,} files)", [root / "xml"]),
            (f"CSV extract ({rows:,} rows)", [root / "extract.csv"]),
        ]
        for label, inputs in cases:
            for jobs in (1, 2):
                result = run(inputs, root / f"out-{len(label)}-{jobs}", jobs)
                assert result["complete"], result
                rate = result["inputs"] / result["seconds"]
                cpu_rate = result["inputs"] / result["cpu"]
                print(
                    f"{label:<26} {jobs:>2} {result['inputs']:>8,.0f} {result['seconds']:>8.1f} "
                    f"{rate:>10,.0f} {rate / base:>8.2f}x {result['cpu']:>7.1f} {cpu_rate:>9,.0f} "
                    f"{cpu_rate / base_cpu:>8.2f}x {result['self_mb']:>8.0f} {result['workers_mb']:>9.0f}"
                )
    print()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("records = certificates + rejected inputs; 'vs check' = the rate over the baseline's rate;")
    print("CPU s = user + system time of the run's process and its workers (the whole batch,")
    print("including start-up and compiling the rulesets, about 3 s);")
    print("main MB = peak resident set (VmHWM) of the run's main process; worker MB = ru_maxrss of its")
    print("largest worker (forked from the main process, so pages shared with it count in both).")


if __name__ == "__main__":
    main()
