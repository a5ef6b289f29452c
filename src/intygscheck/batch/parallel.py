"""Run a function over a stream in worker processes without reading the stream into memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunked(
    items: Iterable[T], size: int, *, weight: Callable[[T], int] | None = None, max_weight: int | None = None
) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (and, with ``weight``, about ``max_weight``).

    A chunk closes when it holds ``size`` items or when its items' total weight reaches
    ``max_weight`` — so a stream of large payloads (bytes) is cut into smaller chunks.
    """
    chunk: list[T] = []
    total = 0
    for item in items:
        chunk.append(item)
        if weight is not None:
            total += weight(item)
        if len(chunk) >= size or (max_weight is not None and total >= max_weight):
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


def bounded_map(
    executor: Executor | None,
    function: Callable[[list[T]], list[R]],
    items: Iterable[T],
    *,
    chunk_size: int = 128,
    window: int = 8,
    weight: Callable[[T], int] | None = None,
    max_chunk_weight: int | None = None,
) -> Iterator[R]:
    """``function`` over chunks of ``items``, in order, with at most ``window`` chunks in flight.

    ``Executor.map`` submits the whole input at once; this keeps memory flat for a stream of
    any length: at most ``window`` chunks (each at most ``chunk_size`` items and about
    ``max_chunk_weight``) exist at a time. With no executor the chunks run in this process.
    """
    chunks = chunked(items, chunk_size, weight=weight, max_weight=max_chunk_weight)
    if executor is None:
        for chunk in chunks:
            yield from function(chunk)
        return
    pending: deque[Future[list[R]]] = deque()
    try:
        for chunk in chunks:
            pending.append(executor.submit(function, chunk))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:  # interrupted: do not start what is still queued
            future.cancel()
