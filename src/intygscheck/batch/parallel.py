"""Run a function over a stream in worker processes without reading the stream into memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bounded_map(
    executor: Executor | None,
    function: Callable[[list[T]], list[R]],
    items: Iterable[T],
    *,
    chunk_size: int = 128,
    window: int = 8,
) -> Iterator[R]:
    """``function`` over chunks of ``items``, in order, with at most ``window`` chunks in flight.

    ``Executor.map`` submits the whole input at once; this keeps memory flat for a stream of
    any length. With no executor the chunks run in this process.
    """
    chunks = chunked(items, chunk_size)
    if executor is None:
        for chunk in chunks:
            yield from function(chunk)
        return
    pending: deque[Future[list[R]]] = deque()
    for chunk in chunks:
        pending.append(executor.submit(function, chunk))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()
