"""Reading a request body within the size and time limits."""

from __future__ import annotations

import asyncio

from fastapi import Request

from .errors import BodyTooLarge, ServiceError


async def read_body(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The whole body, refusing more than ``limit`` bytes (413) or a body slower than the limit (408).

    A declared ``Content-Length`` over the limit is refused before anything is read; a body
    without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
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
    try:
        async with asyncio.timeout(timeout_seconds):
            async for chunk in request.stream():
                received += chunk
                if len(received) > limit:
                    raise BodyTooLarge(limit)
    except TimeoutError:
        raise ServiceError(
            408,
            "request_timeout",
            "Begäran kom inte fram inom tidsgränsen.",
            "The request body did not arrive within the time limit.",
        ) from None
    return bytes(received)


__all__ = ["read_body"]
