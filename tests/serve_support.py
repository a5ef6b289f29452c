"""Helpers for tests that run ``intygscheck serve`` as a real process on loopback."""

from __future__ import annotations

import bisect
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO

SERVE = [sys.executable, "-c", "from intygscheck.cli import main; main()", "serve"]
START_SECONDS = 90.0
"""How long a server may take to answer (each worker imports and compiles the rulesets)."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request(
    port: int, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, bytes]:
    """One request on a connection of its own: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_serve(
    port: int, args: list[str], log: IO[bytes], log_path: Path, *, workers: int = 1
) -> subprocess.Popen[bytes]:
    """``serve --port port *args`` logging to ``log``, returned once ``workers`` workers answer."""
    server = subprocess.Popen([*SERVE, "--port", str(port), *args], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_SECONDS
    while True:
        assert server.poll() is None, log_path.read_text()
        try:
            if len(worker_spread(port)) >= workers:
                return server
        except OSError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)


def worker_spread(port: int, connections: int = 8) -> Counter[int]:
    """Open ``connections`` keep-alive connections at once: how many each worker (by pid) holds."""
    opened = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(connections)]
    try:
        pids: Counter[int] = Counter()
        for connection in opened:
            worker = health_on(connection)["worker"]
            assert isinstance(worker, dict)
            pids[int(worker["pid"])] += 1
        return pids
    finally:
        for connection in opened:
            connection.close()
        time.sleep(0.5)  # let the workers see them close: their counts steer the next connections


def health_on(connection: socket.socket) -> dict[str, object]:
    """``GET /health`` on an open keep-alive ``connection``: the parsed answer."""
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int({name.lower(): value for name, value in fields.items()}[b"content-length"])
    while len(body) < length:
        body += connection.recv(65536)
    answer: dict[str, object] = json.loads(body)
    return answer


def waits_per_request(port: int, body: bytes, clients: int, seconds: float) -> list[int]:
    """Post ``body`` back to back from ``clients`` keep-alive connections for ``seconds``; for
    each request, how many other requests were answered while it waited (fair, first come
    first served: ``clients - 1`` each)."""
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                connection.request("POST", "/check", body=body, headers={"content-type": "application/xml"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200
                with lock:
                    spans.append((started, time.perf_counter()))
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    spans = spans[len(spans) // 4 :]  # past the start, when every client is sending
    finished = sorted(end for _, end in spans)
    return [bisect.bisect_left(finished, end) - bisect.bisect_right(finished, start) for start, end in spans]
