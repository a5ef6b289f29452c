"""How many connections each worker process holds, shared between them, and whose turn it is.

A keep-alive connection stays with the worker that accepted it, so the spread of connections
is the spread of load. When worker processes share a listening socket and each accepts
whatever it can, connections opened together while the workers are idle go mostly to one of
them (seen with uvicorn's own workers: seven of eight); that worker's core is saturated while
the other idles. Here each worker publishes how many connections it holds, and a worker takes
a waiting connection only when no other ready worker holds fewer — so eight connections land
four and four, however they are opened.

The counts live in shared memory (one slot per worker, each written only by its own worker,
so no lock is needed). A slot reads :data:`NOT_SERVING` while its worker is starting, stopping
or dead: such a worker is never waited for.
"""

from __future__ import annotations

from multiprocessing.sharedctypes import RawArray
from typing import Any

NOT_SERVING = 2**31 - 1
"""A slot's value while its worker does not accept connections (larger than any real count)."""


class ConnectionBalance:
    """The open-connection count of each of ``workers`` worker processes, in shared memory.

    Made in the supervising process and handed to each worker when it is spawned (a
    ``multiprocessing`` shared array travels only that way); a worker knows its ``slot``.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._counts: Any = RawArray("i", [NOT_SERVING] * workers)

    def publish(self, slot: int, connections: int) -> None:
        """Record that the worker in ``slot`` now holds ``connections`` connections."""
        self._counts[slot] = connections

    def retire(self, slot: int) -> None:
        """Mark ``slot`` as not serving (its worker stops, died, or is not ready yet)."""
        self._counts[slot] = NOT_SERVING

    def serving(self, slot: int) -> bool:
        """Whether the worker in ``slot`` has said it accepts connections (and not retired since)."""
        return bool(self._counts[slot] != NOT_SERVING)

    def counts(self) -> tuple[int | None, ...]:
        """Each slot's connection count, ``None`` for a slot not serving."""
        return tuple(None if count == NOT_SERVING else count for count in self._counts[:])

    def may_accept(self, slot: int) -> bool:
        """Whether the worker in ``slot`` should take the next waiting connection: no serving
        worker holds fewer. Workers with equal counts may both try; the kernel gives the
        connection to one, and the other finds nothing waiting."""
        counts = self._counts
        mine = counts[slot]
        return all(mine <= other for other in counts[:])


__all__ = ["NOT_SERVING", "ConnectionBalance"]
