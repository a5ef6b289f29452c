"""Run blocking work (reading and checking) off the event loop, within a time limit.

Each request's reading and checking runs as one job in a bounded thread pool, so the
event loop stays free to accept and answer other requests. A job that has not *started*
within the limit is withdrawn and answered 503 (the service is saturated); one that has
started but not finished is answered 504 (a thread cannot be killed: it runs to its end,
but its answer is dropped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from .errors import ServiceError

T = TypeVar("T")


class Runner:
    """A thread pool with a per-job time limit."""

    def __init__(self, threads: int, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="intygscheck-check")

    async def run(self, job: Callable[[], T]) -> T:
        """The value of ``job()``, or its exception; 503/504 past the time limit."""
        future: Future[T] = self._pool.submit(job)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_seconds)
        except TimeoutError:
            if future.cancel():
                raise ServiceError(
                    503,
                    "busy",
                    "Tjänsten är överbelastad; försök igen.",
                    "The service is saturated; try again.",
                    headers={"Retry-After": "1"},
                ) from None
            if future.done() and not future.cancelled() and future.exception() is None:
                return future.result()
            limit = round(self.timeout_seconds * 1000)
            raise ServiceError(
                504,
                "timeout",
                f"Kontrollen tog längre tid än gränsen {limit} ms.",
                f"The check took longer than the limit of {limit} ms.",
            ) from None

    def shutdown(self) -> None:
        """Stop accepting jobs; running ones finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)


__all__ = ["Runner"]
