"""Reading a request body within the size and time limits."""

from __future__ import annotations

import asyncio

from fastapi import Request
from starlette.requests import ClientDisconnect

from .errors import BodyTooLarge, ServiceError


async def read_body(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The whole body, refusing more than ``limit`` bytes (413) or a body slower than the limit (408).

    A declared ``Content-Length`` over the limit is refused before anything is read; a body
    without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
    The ASGI messages are read directly (not through ``Request.stream()``, an async generator
    that costs more than the rest of this function), and a body that arrives in one message
    is returned without a copy.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ServiceError(
                400, "invalid_request", "Ogiltig Content-Length.", "Invalid Content-Length."
            ) from None
        if size > limit:
            raise BodyTooLarge(limit)
    received = bytearray()
    receive = request.receive
    try:
        async with asyncio.timeout(timeout_seconds):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect()
                body: bytes | bytearray = message.get("body", b"")
                more = message.get("more_body", False)
                if received or more:  # a body in several messages is gathered
                    received += body
                    body = received
                if len(body) > limit:
                    raise BodyTooLarge(limit)
                if not more:
                    return bytes(body)  # no copy when the body came in one message (the usual case)
    except TimeoutError:
        raise ServiceError(
            408,
            "request_timeout",
            "Begäran kom inte fram inom tidsgränsen.",
            "The request body did not arrive within the time limit.",
        ) from None


__all__ = ["read_body"]
