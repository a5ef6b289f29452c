"""Serve the requests that are ready in the order their connections were last served.

When several keep-alive connections have a request waiting, the event loop hands them to the
HTTP protocol in the order the operating system reports them ready, which is not the order
the requests arrived. Measured with uvloop and 4 clients posting back to back to one worker:
two connections were served twice for every once of the other two, so each request waited
for either 2 or 5 others (never the fair 3), and a third of the requests took twice as long
as they had to. That third is the p90/p99 of a loaded service.

:class:`FairHttpProtocol` holds back the data that arrives during one pass of the event loop
and hands it on at the start of the next, least recently served connection first: round
robin, so each request waits for every other waiting one once. It costs one more pass of the
loop per batch (a few microseconds). Measured on 2 cores, interleaved runs with and without:
an app that busies itself 1 ms per request, 4 clients, p99 7.0–8.0 ms against 8.3–9.7 ms;
the service, 2 workers and 8 clients, p99 10.9–12.8 ms against 12.0–14.3 ms (a slow hour of
the machine).
"""

from __future__ import annotations

import asyncio
from operator import itemgetter
from typing import Any, ClassVar

from uvicorn.protocols.http.auto import AutoHTTPProtocol

_Waiting = tuple[int, int, "FairHttpProtocol", bytes]
"""(the connection's last turn, arrival in this batch, the connection, its data)."""


class FairHttpProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, with incoming data handed on in turn (see the module docstring).

    The waiting data and the turn counter are shared by the connections of one process (a
    server process runs one event loop).
    """

    _waiting: ClassVar[list[_Waiting]] = []
    _scheduled: ClassVar[bool] = False
    _turns: ClassVar[int] = 0
    _last_turn: int = 0
    """This connection's turn when its data was last handed on (0: never)."""

    def data_received(self, data: bytes) -> None:
        waiting = FairHttpProtocol._waiting
        waiting.append((self._last_turn, len(waiting), self, data))
        if not FairHttpProtocol._scheduled:
            FairHttpProtocol._scheduled = True
            asyncio.get_running_loop().call_soon(_hand_on)

    def connection_lost(self, exc: Exception | None) -> None:
        _hand_on()  # what arrived before the connection closed is read first, as without waiting
        super().connection_lost(exc)


def _hand_on() -> None:
    """Hand the waiting data to the protocol, least recently served connection first (a
    connection's own pieces keep their order: same turn, earlier arrival first)."""
    waiting = FairHttpProtocol._waiting
    FairHttpProtocol._waiting = []
    FairHttpProtocol._scheduled = False
    waiting.sort(key=itemgetter(0, 1))
    for _, _, protocol, data in waiting:
        FairHttpProtocol._turns += 1
        protocol._last_turn = FairHttpProtocol._turns
        try:
            AutoHTTPProtocol.data_received(protocol, data)
        except Exception as exc:  # as the event loop would: report it, drop that connection only
            _report(protocol, exc)


def _report(protocol: Any, exc: Exception) -> None:
    asyncio.get_running_loop().call_exception_handler(
        {"message": "HTTP protocol failed on received data", "exception": exc, "protocol": protocol}
    )
    transport = getattr(protocol, "transport", None)
    if transport is not None:
        transport.close()


__all__ = ["FairHttpProtocol"]
