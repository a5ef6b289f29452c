"""HTTP service latency and throughput on loopback, beside the in-process check it wraps.

Run: ``python benchmarks/bench_service.py [--seconds 10] [--clients 8] [--workers 1 2]``.

Starts ``intygscheck serve`` on 127.0.0.1 (a free port) in a subprocess, with the default
rulesets, and drives ``POST /check`` with a typical certificate (a project fixture in RIVTA
XML) from a bounded number of concurrent clients (one keep-alive connection each, driven
from one asyncio event loop in this process) for a bounded time; then stops the server.
Prints requests/s and p50/p90/p99 latency per configuration, and the in-process baseline —
``read_bytes`` + ``intygscheck.check`` of the same bytes, measured in this process — with
the ratio of each p50/p99 to the baseline's.

Only loopback traffic; every loop ends by itself (time-bounded), and the server is always
terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "fixtures" / "certificates" / "xml" / "ryggvark-2.xml"
FALLBACK = REPO.parent / "shared" / "external" / "inera-fk7804" / "v1-transport" / "lisjp.xml"
HOST = "127.0.0.1"
WARMUP_SECONDS = 2.0
"""Unmeasured requests first (every worker warm: imports done, caches filled)."""


@dataclass(frozen=True)
class Measurement:
    """Latencies (seconds) of the successful requests, failures, and the wall time they took."""

    name: str
    latencies: list[float]
    failures: int
    wall: float

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.wall


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    """``intygscheck serve`` in a subprocess, access log off, ready when ``/health`` answers."""
    command = [
        sys.executable,
        "-c",
        "from intygscheck.cli import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("server did not become ready within 90 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Terminate the server (and wait for it)."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def drive(name: str, port: int, body: bytes, clients: int, seconds: float) -> Measurement:
    """``clients`` connections posting ``body`` back to back for ``seconds`` (after a short warm-up).

    The load comes from one process running an asyncio event loop (uvloop when installed) with
    one keep-alive connection per client, each sending a prepared request and reading the
    answer by its ``Content-Length``: a light client, so that on a 2-core machine most of the
    CPU goes to the server being measured rather than to the load generator.
    """
    request = (
        f"POST /check HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/xml\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    failures = 0

    async def client() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(HOST, port)
        clock = time.perf_counter
        warmup_end = clock() + WARMUP_SECONDS
        end = warmup_end + seconds
        try:
            while (started := clock()) < end:
                writer.write(request)
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name_, _, value = line.partition(b":")
                    if name_.lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                finished = clock()
                if started < warmup_end:
                    continue
                if status == 200:
                    latencies.append(finished - started)
                else:
                    failures += 1
        finally:
            writer.close()

    async def all_clients() -> None:
        await asyncio.gather(*(client() for _ in range(clients)))

    run_loop(all_clients())
    return Measurement(name, latencies, failures, seconds)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop when it is installed (the ``serve`` extra), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def in_process(body: bytes, seconds: float, *, read_each_time: bool) -> Measurement:
    """The baseline: (read and) check the same bytes with the default rulesets, one at a time."""
    import intygscheck
    from intygscheck.engine import load_all
    from intygscheck.ingest import read_bytes

    rulesets = load_all(None)  # compiled once, outside the timing, as the service does
    certificate = read_bytes(body, "bench")
    intygscheck.check(certificate, rulesets)
    latencies: list[float] = []
    start = time.perf_counter()
    end = start + seconds
    while (now := time.perf_counter()) < end:
        intygscheck.check(read_bytes(body, "bench") if read_each_time else certificate, rulesets)
        latencies.append(time.perf_counter() - now)
    name = "in-process read_bytes + check (baseline)" if read_each_time else "in-process check only"
    return Measurement(name, latencies, 0, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per configuration")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="server worker processes to try"
    )
    parser.add_argument("--fixture", type=Path, default=FIXTURE if FIXTURE.exists() else FALLBACK)
    args = parser.parse_args(argv)
    body = args.fixture.read_bytes()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"certificate: {args.fixture.name} ({len(body)} bytes); default rulesets; {args.seconds:g} s per row"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average before the run {load} (other processes share the CPUs)"
    )

    baseline = in_process(body, min(args.seconds, 5.0), read_each_time=True)
    rows = [baseline, in_process(body, min(args.seconds, 5.0), read_each_time=False)]
    for workers in args.workers:
        port = free_port()
        server = start_server(port, workers)
        try:
            for clients in (1, args.clients):
                rows.append(
                    drive(
                        f"HTTP, {workers} worker(s), {clients} client(s)", port, body, clients, args.seconds
                    )
                )
        finally:
            stop_server(server)

    base_p50, base_p99 = baseline.percentile(50), baseline.percentile(99)
    columns = ("req/s", "p50 ms", "p90 ms", "p99 ms", "x p50", "x p99", "fail")
    print(f"{'configuration':<44} " + " ".join(f"{c:>8}" for c in columns))
    for row in rows:
        p50, p90, p99 = row.percentile(50), row.percentile(90), row.percentile(99)
        print(
            f"{row.name:<44} {row.rate:>8.0f} {p50:>8.2f} {p90:>8.2f} {p99:>8.2f} "
            f"{p50 / base_p50:>8.2f} {p99 / base_p99:>8.2f} {row.failures:>8}"
        )
    print(f"mean in-process time per certificate: {statistics.fmean(baseline.latencies) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
