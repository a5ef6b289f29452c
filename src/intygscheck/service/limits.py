"""Per-worker admission and the per-request time limit.

Checks run inline on the event loop: a check takes about a millisecond of CPU, and handing
it to a thread costs more than that (a thread switch and a cold cache per request, and the
GIL gives no parallelism in return). Two limits keep a worker answering under load:

* **admission** — at most ``max_in_flight`` requests are handled at once per worker; one
  more is answered ``503`` with ``Retry-After`` at once, so a saturated service fails fast
  instead of letting every caller wait;
* **time limit** — each request has a deadline ``timeout`` after it was admitted: a body
  still arriving then is ``408``, and a check still running then stops between two rules
  (:class:`intygscheck.engine.CheckTimeout`) and is answered ``504``. The deadline is
  cooperative, so nothing keeps running after the answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ServiceError


class Limits:
    """One worker's in-flight count and the time limit every request gets."""

    def __init__(self, timeout_seconds: float, max_in_flight: int) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    @contextmanager
    def admit(self) -> Iterator[float]:
        """Admit one request for the ``with`` block and give its deadline (a monotonic time);
        ``503 busy`` when ``max_in_flight`` requests are already being handled."""
        if self.in_flight >= self.max_in_flight:
            raise ServiceError(
                503,
                "busy",
                "Tjänsten är överbelastad; försök igen.",
                "The service is saturated; try again.",
                headers={"Retry-After": "1"},
            )
        self.in_flight += 1
        try:
            yield time.monotonic() + self.timeout_seconds
        finally:
            self.in_flight -= 1

    def ensure_before(self, deadline: float) -> None:
        """``504 timeout`` when ``deadline`` has passed (checked between steps of a request)."""
        if time.monotonic() > deadline:
            raise self.timed_out()

    def timed_out(self) -> ServiceError:
        """The ``504`` for a request whose check did not finish within the time limit."""
        limit = round(self.timeout_seconds * 1000)
        return ServiceError(
            504,
            "timeout",
            f"Kontrollen tog längre tid än gränsen {limit} ms.",
            f"The check took longer than the limit of {limit} ms.",
        )


__all__ = ["Limits"]
