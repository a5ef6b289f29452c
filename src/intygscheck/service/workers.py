"""``serve --workers N``: worker processes that share one socket and take connections in turn.

The supervisor binds the listening socket, spawns one :class:`~.balanced_server.BalancedServer`
per worker (a clean interpreter each, as uvicorn's own workers), replaces a worker that dies,
and on SIGINT or SIGTERM stops them all gracefully. It replaces uvicorn's ``Multiprocess``
supervisor because that one gives the socket to every worker to accept from freely, which
spreads connections opened together unevenly (see :mod:`.balance`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

import uvicorn

from .balance import ConnectionBalance
from .balanced_server import BalancedServer

logger = logging.getLogger("uvicorn.error")

_POLL_SECONDS = 0.1
"""How often the supervisor looks at its workers."""
_KILL_AFTER_SECONDS = 30.0
"""How long a stopping worker may take to finish its open requests before it is killed."""


def run_workers(config: uvicorn.Config) -> bool:
    """Serve ``config`` in ``config.workers`` processes until SIGINT or SIGTERM.

    Returns ``False`` when a worker failed before it started serving (a broken application
    would fail the same way in every replacement, so all stop), ``True`` otherwise.
    """
    listener = config.bind_socket()  # logs where it listens
    listener.listen(config.backlog)  # before any worker starts: connections queue from now on
    try:
        return _Supervisor(config, listener).run()
    finally:
        listener.close()


class _Supervisor:
    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        self.config = config
        self.listener = listener
        self.balance = ConnectionBalance(config.workers)
        self.context: Any = multiprocessing.get_context("spawn")
        self.stop = threading.Event()
        self.processes: list[Any] = []
        self.served: list[bool] = []

    def run(self) -> bool:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        logger.info("Started parent process [%d]", os.getpid())
        try:
            self.processes = [self._spawn(slot) for slot in range(self.config.workers)]
            self.served = [False] * len(self.processes)
            healthy = True
            while healthy and not self.stop.wait(_POLL_SECONDS):
                healthy = self._look_after_workers()
            return healthy
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            logger.info("Stopping parent process [%d]", os.getpid())

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def _spawn(self, slot: int) -> Any:
        self.balance.retire(slot)  # not ready until the new worker says so
        process = self.context.Process(
            target=_serve_worker,
            args=(self.config, self.listener, self.balance, slot),
            name=f"intygscheck-worker-{slot}",
        )
        process.start()
        return process

    def _look_after_workers(self) -> bool:
        """Note which workers serve and replace dead ones; ``False`` on a start-up failure."""
        for slot, process in enumerate(self.processes):
            if self.balance.serving(slot):
                self.served[slot] = True
            if process.is_alive() or self.stop.is_set():
                continue
            process.join()
            self.balance.retire(slot)
            if not self.served[slot]:
                logger.error(
                    "Worker [%s] stopped before it served (exit code %s); stopping the service",
                    process.pid,
                    process.exitcode,
                )
                return False
            logger.warning("Worker [%s] died (exit code %s); starting another", process.pid, process.exitcode)
            self.processes[slot] = self._spawn(slot)
            self.served[slot] = False
        return True

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
        for process in self.processes:
            process.join(_KILL_AFTER_SECONDS)
            if process.is_alive():
                logger.error("Worker [%s] did not stop in time; killing it", process.pid)
                process.kill()
                process.join()


def _serve_worker(
    config: uvicorn.Config, listener: socket.socket, balance: ConnectionBalance, slot: int
) -> None:
    """A worker process's main: uvicorn's logging, then the balanced server on ``listener``."""
    config.configure_logging()
    BalancedServer(config, balance, slot).run(sockets=[listener])


__all__ = ["run_workers"]
