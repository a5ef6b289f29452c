"""Requests waiting on several keep-alive connections are served first come, first served."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from serve_support import free_port, start_serve, waits_per_request
from service_support import fixture_xml


def test_each_request_waits_for_every_other_waiting_request_once(tmp_path: Path) -> None:
    # Four clients posting back to back to one worker: served in turn, each request waits for
    # the three others. Served in the event loop's own order (uvloop's), requests waited for
    # 2 or 5 others: two connections went twice for every once of the other two.
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = start_serve(port, ["--no-access-log"], log, log_path)
        try:
            waits = Counter(waits_per_request(port, fixture_xml("ryggvark-2"), clients=4, seconds=3.0))
        finally:
            server.terminate()
            server.wait(timeout=30)
    total = sum(waits.values())
    assert total > 200, waits
    assert waits[3] / total >= 0.8, waits
