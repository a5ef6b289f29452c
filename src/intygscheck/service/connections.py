"""Recycle keep-alive connections so that they spread evenly over the worker processes.

uvicorn's workers share one listening socket, and a connection stays with the worker that
accepted it. Connections a journal opens together, while every worker is idle, are often
accepted by one worker in a burst (seen: seven of eight on one worker): that worker's core is
saturated while the other idles, and its requests wait several times longer. After
``max_requests`` requests on one connection the answer carries ``Connection: close`` (as
nginx's ``keepalive_requests``); the client opens a new connection, and a new connection is
accepted by whichever worker is free to call ``accept()`` — under load, the less busy one —
so the connections drift towards an even spread. HTTP clients reconnect on their own.
"""

from __future__ import annotations

from starlette.types import Message, Scope, Send

_TRACKED_LIMIT = 4096
"""Connections counted at once; past it the counts start over (connections that closed on
their own are never reported, so stale entries are dropped this way)."""

_CLOSE = (b"connection", b"close")


class ConnectionRecycler:
    """Counts requests per client connection (``scope["client"]``) in one worker process."""

    def __init__(self, max_requests: int) -> None:
        self.max_requests = max_requests
        self._counts: dict[tuple[str, int], int] = {}

    def wrap(self, scope: Scope, send: Send) -> Send:
        """``send``, or one that adds ``Connection: close`` to the answer when this request is
        the connection's ``max_requests``-th (0: never)."""
        client = scope.get("client")
        if not client or self.max_requests <= 0:
            return send
        key = (client[0], client[1])
        count = self._counts.get(key, 0) + 1
        if count < self.max_requests:
            if len(self._counts) >= _TRACKED_LIMIT:
                self._counts.clear()
            self._counts[key] = count
            return send
        self._counts.pop(key, None)

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), _CLOSE]}
            await send(message)

        return send_closing


__all__ = ["ConnectionRecycler"]
