"""HTTP service latency and throughput on loopback, beside the in-process check it wraps.

Run: ``python benchmarks/bench_service.py [--seconds 10] [--clients 8] [--workers 1 2]
[--repeat 3] [--connect together|staggered|both] [--access-log]``.

Starts ``intygscheck serve`` on 127.0.0.1 (a free port) in a subprocess, with the default
rulesets, waits until every worker answers, and drives ``POST /check`` with a typical
certificate (a project fixture in RIVTA XML) from 1 and from ``--clients`` concurrent clients
(one keep-alive connection each, driven from one asyncio event loop in this process) for a
bounded time; then stops the server. Prints requests/s, p50/p90/p99 latency and the server's
CPU time per request for each configuration, and the in-process baseline — ``read_bytes`` +
``intygscheck.check`` of the same bytes, measured in this process — with the ratio of each
p50/p99 to the baseline's. The last line compares the p99 with ``--clients`` clients on the
most workers against the service's target (10 ms).

The load clients run on the same machine as the server and take part of its CPU; the CPU
column counts the server's processes only. Only loopback traffic; every loop ends by itself
(time-bounded), and the server is always terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import psutil

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "fixtures" / "certificates" / "xml" / "ryggvark-2.xml"
FALLBACK = REPO.parent / "shared" / "external" / "inera-fk7804" / "v1-transport" / "lisjp.xml"
HOST = "127.0.0.1"
WARMUP_SECONDS = 2.0
"""Unmeasured requests first (every worker warm: imports done, caches filled)."""
CONNECT_NOTE = (
    "a worker keeps the connections it accepted; serve's workers take turns by their connection "
    "counts so that connections opened together still split evenly (uvicorn's own workers, "
    "accepting freely, split them up to 7/1 here)"
)
STAGGER_SECONDS = 0.05
"""Between openings in the staggered rows: long enough for the workers to be busy."""
TARGET_P99_MS = 10.0
"""The service's latency target: p99 under 10 ms with 8 concurrent clients on 2 cores."""


@dataclass(frozen=True)
class Measurement:
    """Latencies (seconds) of the successful requests, failures, the measured wall time, and
    the CPU time (ms) the measured side spent per request (``None`` when not measured)."""

    name: str
    latencies: list[float]
    failures: int
    wall: float
    cpu_ms: float | None = None
    client_cpu_ms: float | None = None
    split: str = ""

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.wall


@dataclass
class Server:
    """A running ``intygscheck serve`` and where its log goes."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and all its worker processes so far."""
        root = psutil.Process(self.process.pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def connection_split(self, port: int) -> str:
        """How many established client connections each worker holds, e.g. ``5/3``."""
        root = psutil.Process(self.process.pid)
        counts = [n for n in (_held(worker, port) for worker in root.children(recursive=True)) if n]
        if not counts:  # one worker: the server process itself holds them
            counts = [_held(root, port)]
        return "/".join(str(n) for n in sorted(counts, reverse=True))


def _held(process: psutil.Process, port: int) -> int:
    """Established TCP connections of ``process`` on local ``port`` (0 when it has gone)."""
    try:
        connections = process.net_connections(kind="tcp")
    except psutil.NoSuchProcess:
        return 0
    return sum(1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int, workers: int, *, access_log: bool) -> Server:
    """``intygscheck serve`` in a subprocess, ready when each of its workers has answered ``/health``."""
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
        "--access-log" if access_log else "--no-access-log",
        "--log-level",
        "warning",
    ]
    # A file, not a pipe: an unread pipe would block a chatty server. Closed by stop_server.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    server = Server(subprocess.Popen(command, stdout=log, stderr=log), log)
    answered: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/health")
            response = connection.getresponse()
            if response.status == 200:
                answered.add(json.loads(response.read())["worker"]["pid"])
            connection.close()
            if len(answered) >= workers:
                return server
        except OSError:
            pass
        time.sleep(0.05)
    stop_server(server)
    raise RuntimeError(f"{len(answered)} of {workers} workers ready after 120 s")


def stop_server(server: Server) -> None:
    """Terminate the server (and wait for it)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.log.close()


class _Client(asyncio.Protocol):
    """One keep-alive connection that sends ``request`` again as soon as an answer is complete.

    Written against the transport's callbacks rather than streams: the next request goes out
    from the callback that completed the answer, with no task switch, so the load generator
    takes as little as it can of the CPU it shares with the server.
    """

    def __init__(self, request: bytes, end: float, record: Callable[[float, float, int], None]) -> None:
        self.request = request
        self.end = end
        self.record = record
        self.buffer = bytearray()
        self.expected: int | None = None
        self.status = 0
        self.started = 0.0
        self.transport: asyncio.Transport | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.started = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.expected is None:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            lines = bytes(self.buffer[:head_end]).split(b"\r\n")
            self.status = int(lines[0].split()[1])
            pairs = (line.partition(b":") for line in lines[1:])
            fields = {name.strip().lower(): value.strip() for name, _, value in pairs}
            if fields.get(b"connection", b"").lower() == b"close":
                self._fail(RuntimeError("the server closed a keep-alive connection"))
                return
            self.expected = head_end + 4 + int(fields.get(b"content-length", b"0"))
        if len(self.buffer) < self.expected:
            return
        finished = time.perf_counter()
        self.record(self.started, finished, self.status)
        del self.buffer[: self.expected]
        self.expected = None
        if finished < self.end:
            self._send()
        else:
            assert self.transport is not None
            self.transport.close()
            if not self.done.done():
                self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self._fail(exc or RuntimeError("the server closed the connection"))

    def _fail(self, exc: Exception) -> None:
        if not self.done.done():
            self.done.set_exception(exc)
        if self.transport is not None:
            self.transport.close()


def drive(
    name: str, server: Server, port: int, body: bytes, clients: int, seconds: float, stagger: float = 0.0
) -> Measurement:
    """``clients`` connections posting ``body`` back to back for ``seconds`` (after a short warm-up).

    The connections open together (``stagger`` 0: the hard case for spreading them over the
    workers, see :data:`CONNECT_NOTE`) or one every ``stagger`` seconds while the earlier ones
    are already sending, as a journal's connection pool grows under load.

    The load comes from this process: one event loop (uvloop when installed) with one
    keep-alive connection per client (:class:`_Client`). The server's CPU time and the split of
    connections over its workers are sampled beside it, the split in a thread so that the
    clients do not stop for it.
    """
    request = (
        f"POST /check HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/xml\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    failures = 0
    cpu: dict[str, float] = {}
    split: list[str] = []
    warmup_end = end = 0.0

    def record(started: float, finished: float, status: int) -> None:
        nonlocal failures
        if started < warmup_end:
            return
        if status == 200:
            latencies.append(finished - started)
        else:
            failures += 1

    async def all_clients() -> None:
        nonlocal warmup_end, end
        loop = asyncio.get_running_loop()
        warmup_end = time.perf_counter() + WARMUP_SECONDS
        end = warmup_end + seconds
        opened: list[_Client] = []
        for _ in range(clients):
            _, protocol = await loop.create_connection(lambda: _Client(request, end, record), HOST, port)
            opened.append(protocol)
            if stagger:
                await asyncio.sleep(stagger)
        await asyncio.sleep(max(0.0, warmup_end - time.perf_counter()))
        cpu["server"], cpu["client"] = server.cpu_seconds(), time.process_time()
        await asyncio.sleep(seconds / 2)
        split.append(await asyncio.to_thread(server.connection_split, port))
        await asyncio.gather(*(client.done for client in opened))

    run_loop(all_clients())
    cpu_ms = client_cpu_ms = None
    if latencies:
        requests = len(latencies) + failures
        client_cpu_ms = (time.process_time() - cpu["client"]) * 1000 / requests
        cpu_ms = (server.cpu_seconds() - cpu["server"]) * 1000 / requests
    return Measurement(name, latencies, failures, seconds, cpu_ms, client_cpu_ms, "".join(split))


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
    for _ in range(200):  # warm: lazily loaded tables (FMB, ICD-10) are in place before timing
        intygscheck.check(read_bytes(body, "bench"), rulesets)
    latencies: list[float] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    end = start + seconds
    while (now := time.perf_counter()) < end:
        intygscheck.check(read_bytes(body, "bench") if read_each_time else certificate, rulesets)
        latencies.append(time.perf_counter() - now)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / len(latencies)
    name = "in-process read_bytes + check (baseline)" if read_each_time else "in-process check only"
    return Measurement(name, latencies, 0, time.perf_counter() - start, cpu_ms)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per configuration")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="server worker processes to try"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each many-client row")
    parser.add_argument("--access-log", action="store_true", help="serve with the access log on")
    parser.add_argument(
        "--connect",
        choices=("together", "staggered", "both"),
        default="both",
        help="how the many clients open their connections (rows for each with 'both')",
    )
    parser.add_argument("--fixture", type=Path, default=FIXTURE if FIXTURE.exists() else FALLBACK)
    args = parser.parse_args(argv)
    body = args.fixture.read_bytes()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"certificate: {args.fixture.name} ({len(body)} bytes); default rulesets; "
        f"{args.seconds:g} s per row; access log {'on' if args.access_log else 'off'}"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average before the run {load} (other processes share the CPUs)"
    )

    baseline = in_process(body, min(args.seconds, 5.0), read_each_time=True)
    rows = [baseline, in_process(body, min(args.seconds, 5.0), read_each_time=False)]
    loaded: list[Measurement] = []  # the many-client rows on the most workers
    for workers in args.workers:
        port = free_port()
        server = start_server(port, workers, access_log=args.access_log)
        try:
            rows.append(drive(f"HTTP, {workers} worker(s), 1 client", server, port, body, 1, args.seconds))
            patterns = ("together", "staggered") if args.connect == "both" else (args.connect,)
            for pattern in patterns:
                stagger = STAGGER_SECONDS if pattern == "staggered" else 0.0
                for run in range(args.repeat):
                    name = f"HTTP, {workers} worker(s), {args.clients} clients, {pattern}" + (
                        f" #{run + 1}" if args.repeat > 1 else ""
                    )
                    rows.append(drive(name, server, port, body, args.clients, args.seconds, stagger))
                    if workers == max(args.workers):
                        loaded.append(rows[-1])
        finally:
            stop_server(server)

    base_p50, base_p99 = baseline.percentile(50), baseline.percentile(99)
    columns = ("req/s", "p50 ms", "p90 ms", "p99 ms", "x p50", "x p99", "CPU ms", "fail", "split")
    print(f"{'configuration':<56} " + " ".join(f"{c:>8}" for c in columns))
    for row in rows:
        p50, p90, p99 = row.percentile(50), row.percentile(90), row.percentile(99)
        cpu = f"{row.cpu_ms:>8.2f}" if row.cpu_ms is not None else f"{'-':>8}"
        print(
            f"{row.name:<56} {row.rate:>8.0f} {p50:>8.2f} {p90:>8.2f} {p99:>8.2f} "
            f"{p50 / base_p50:>8.2f} {p99 / base_p99:>8.2f} {cpu} {row.failures:>8} {row.split:>8}"
        )
    print("CPU ms: the server's CPU time per request (all its processes); in-process rows: this process's")
    print("split: the client connections each worker held halfway through the run")
    clients_cpu = [row.client_cpu_ms for row in rows if row.client_cpu_ms is not None]
    if clients_cpu:
        print(
            f"the load clients took {min(clients_cpu):.2f}-{max(clients_cpu):.2f} ms of CPU per request "
            "on the same cores"
        )
    print(f"connections opened together: {CONNECT_NOTE}")
    for pattern in ("together", "staggered"):
        p99s = [row.percentile(99) for row in loaded if f", {pattern}" in row.name]
        if not p99s:
            continue
        median = statistics.median(p99s)
        runs = ", ".join(f"{p:.2f}" for p in p99s)
        print(
            f"target p99 < {TARGET_P99_MS:g} ms, {args.clients} clients ({pattern}), {max(args.workers)} "
            f"worker(s): {'met' if median < TARGET_P99_MS else 'NOT met'} "
            f"(p99 of each run: {runs} ms; median {median:.2f})"
        )


if __name__ == "__main__":
    main()
