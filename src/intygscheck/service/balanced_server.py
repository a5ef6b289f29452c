"""One worker's uvicorn server that takes connections only in its turn (see :mod:`.balance`).

uvicorn's own server hands its listening socket to the event loop, which accepts every
waiting connection at once. This server keeps the socket and accepts one connection at a
time, and only when no other ready worker holds fewer connections; a connection is then
served by uvicorn's HTTP protocol exactly as uvicorn would serve it. If the worker whose turn
it is does not take a waiting connection within :data:`PATIENCE_SECONDS` (it is busy with one
long request), this one takes it, so no connection waits longer than that for a busy worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import Any

import uvicorn

from .balance import ConnectionBalance

logger = logging.getLogger("uvicorn.error")

DEFER_SECONDS = 0.001
"""How long a worker that is not in turn waits before it looks at the counts again."""
PATIENCE_SECONDS = 0.025
"""How long a waiting connection is left for the worker in turn before another takes it."""
_RETRY_SECONDS = 0.1
"""The pause after ``accept()`` failed on the process's resources (e.g. out of descriptors)."""


class BalancedServer(uvicorn.Server):
    """A uvicorn server for worker ``slot`` of those sharing ``balance``."""

    def __init__(self, config: uvicorn.Config, balance: ConnectionBalance, slot: int) -> None:
        super().__init__(config)
        self.balance = balance
        self.slot = slot
        self._accepting: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start the application; then accept from the one shared socket in ``sockets``."""
        if not sockets or len(sockets) != 1:
            raise ValueError("a balanced worker serves exactly one shared listening socket")
        await super().startup(sockets=[])  # the lifespan, without a listener of uvicorn's own
        if not self.started:
            return
        self._accepting = asyncio.get_running_loop().create_task(self._accept_forever(sockets[0]))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop taking connections first (the others stop waiting for this worker), then
        let uvicorn finish the open ones."""
        self.balance.retire(self.slot)
        if self._accepting is not None:
            self._accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accepting
        await super().shutdown(sockets)

    def _protocol_factory(self) -> Any:
        """uvicorn's HTTP protocol, publishing this worker's count as connections come and go."""
        config, state, app_state = self.config, self.server_state, self.lifespan.state
        balance, slot, connections = self.balance, self.slot, self.server_state.connections

        class CountedProtocol(config.http_protocol_class):  # type: ignore[misc, name-defined]
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                super().connection_made(transport)
                balance.publish(slot, len(connections))

            def connection_lost(self, exc: Exception | None) -> None:
                super().connection_lost(exc)
                balance.publish(slot, len(connections))

        return lambda: CountedProtocol(config=config, server_state=state, app_state=app_state)

    async def _accept_forever(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        factory = self._protocol_factory()
        listener.setblocking(False)
        tcp = listener.family in (socket.AF_INET, socket.AF_INET6)
        self.balance.publish(self.slot, len(self.server_state.connections))  # serving from now
        while True:
            await _readable(loop, listener)
            await self._wait_for_turn()
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                continue  # another worker took it
            except OSError as exc:
                logger.error("accept() failed: %s", exc)
                await asyncio.sleep(_RETRY_SECONDS)
                continue
            connection.setblocking(False)
            if tcp:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                await loop.connect_accepted_socket(factory, connection, ssl=self.config.ssl)
            except OSError as exc:  # the client went away during the hand-over
                logger.debug("connection dropped while it was being set up: %s", exc)
                connection.close()

    async def _wait_for_turn(self) -> None:
        """Return when this worker may accept, or when the worker in turn has let a waiting
        connection wait :data:`PATIENCE_SECONDS`."""
        balance, slot = self.balance, self.slot
        give_up = time.monotonic() + PATIENCE_SECONDS
        while not balance.may_accept(slot) and time.monotonic() < give_up:
            await asyncio.sleep(DEFER_SECONDS)


async def _readable(loop: asyncio.AbstractEventLoop, listener: socket.socket) -> None:
    """Wait until a connection waits on ``listener``."""
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    fd = listener.fileno()
    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


__all__ = ["DEFER_SECONDS", "PATIENCE_SECONDS", "BalancedServer"]
