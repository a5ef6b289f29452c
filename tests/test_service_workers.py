"""``serve --workers N``: connections spread evenly over the workers, dead workers replaced,
a clean stop — and the turn-taking rule that spreads them."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import psutil
import uvicorn

from intygscheck.service.balance import ConnectionBalance
from intygscheck.service.balanced_server import PATIENCE_SECONDS, BalancedServer
from intygscheck.service.workers import run_workers
from serve_support import free_port, request, start_serve, worker_spread
from service_support import SERVICE_RULES, XML, fixture_xml


def test_a_worker_takes_a_connection_only_when_no_serving_worker_holds_fewer() -> None:
    balance = ConnectionBalance(3)
    assert balance.counts() == (None, None, None)  # nobody serves before saying so
    balance.publish(0, 2)
    balance.publish(1, 2)
    assert balance.may_accept(0) and balance.may_accept(1)  # equal: either may take it
    balance.publish(1, 1)
    assert not balance.may_accept(0) and balance.may_accept(1)
    balance.publish(2, 0)
    assert not balance.may_accept(1) and balance.may_accept(2)
    balance.retire(2)  # stopping or dead: never waited for
    assert balance.may_accept(1) and not balance.serving(2)
    assert balance.counts() == (2, 1, None)


def test_a_worker_out_of_turn_waits_only_so_long_for_the_one_in_turn() -> None:
    balance = ConnectionBalance(2)
    balance.publish(0, 3)
    balance.publish(1, 0)  # in turn, but (say) busy with a long request
    server = BalancedServer(uvicorn.Config("unused:app"), balance, slot=0)
    started = time.monotonic()
    asyncio.run(server._wait_for_turn())
    waited = time.monotonic() - started
    assert PATIENCE_SECONDS <= waited < PATIENCE_SECONDS + 0.5
    balance.publish(0, 0)
    started = time.monotonic()
    asyncio.run(server._wait_for_turn())
    assert time.monotonic() - started < PATIENCE_SECONDS  # in turn: no waiting


def test_connections_opened_together_are_spread_evenly_and_a_dead_worker_is_replaced(
    tmp_path: Path,
) -> None:
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        args = ["--workers", "2", "--ruleset", str(SERVICE_RULES)]
        server = start_serve(port, args, log, log_path, workers=2)
        try:
            workers = worker_spread(port)
            assert sorted(workers.values()) == [4, 4], workers  # uvicorn's own workers: often 7/1
            status, _ = request(port, "POST", "/check", fixture_xml("ryggvark-1"), **XML)
            assert status == 200

            victim = next(iter(workers))
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 90
            while True:
                spread = worker_spread(port)
                if victim not in spread and len(spread) == 2:
                    break
                assert time.monotonic() < deadline, f"no replacement worker: {spread}"
                time.sleep(0.5)
            assert sorted(spread.values()) == [4, 4], spread
            children = psutil.Process(server.pid).children()
        finally:
            server.terminate()
            assert server.wait(timeout=30) == 0
    # No process is left behind (multiprocessing's resource tracker leaves a moment after).
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, alive
    logged = log_path.read_text(encoding="utf-8")
    assert f"Worker [{victim}] died" in logged
    assert "Traceback" not in logged


def test_workers_that_cannot_start_stop_the_service_instead_of_restarting_forever() -> None:
    config = uvicorn.Config("intygscheck_no_such_module:app", host="127.0.0.1", port=free_port(), workers=2)
    started = time.monotonic()
    assert run_workers(config) is False
    assert time.monotonic() - started < 60
