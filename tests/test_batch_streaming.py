"""Phase 1 streams: a bounded window of work in flight, lines read with a size cap, safe messages."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from intygscheck.batch.parallel import bounded_map, chunked
from intygscheck.batch.safety import describe_exception, mask_identity_numbers
from intygscheck.batch.sources import _bounded_lines
from intygscheck.ingest.limits import MAX_INPUT_BYTES
from intygscheck.model import Certificate


class Meter:
    """An endless-looking stream that counts how far ahead of the consumer it was pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pulled = 0
        self.consumed = 0
        self.most_ahead = 0
        self.lock = threading.Lock()

    def __iter__(self) -> Iterator[int]:
        for item in range(self.size):
            with self.lock:
                self.pulled += 1
                self.most_ahead = max(self.most_ahead, self.pulled - self.consumed)
            yield item


def double(chunk: list[int]) -> list[int]:
    return [2 * item for item in chunk]


@pytest.mark.parametrize("use_pool", [False, True])
def test_bounded_map_keeps_order_and_at_most_window_chunks_in_flight(use_pool: bool) -> None:
    meter = Meter(10_000)
    pool = ThreadPoolExecutor(max_workers=2) if use_pool else None
    try:
        out = []
        for value in bounded_map(pool, double, meter, chunk_size=16, window=4):
            out.append(value)
            meter.consumed += 1
    finally:
        if pool is not None:
            pool.shutdown()
    assert out == [2 * i for i in range(10_000)]
    assert meter.most_ahead <= 16 * (4 + 1)


def test_chunks_close_on_count_or_on_weight() -> None:
    sizes = [
        [len(c) for c in chunked(range(10), 4)],
        [len(c) for c in chunked([5] * 10, 100, weight=int, max_weight=12)],
    ]
    assert sizes == [[4, 4, 2], [3, 3, 3, 1]]


def test_an_abandoned_stream_cancels_queued_work() -> None:
    started: list[int] = []
    gate = threading.Event()

    def slow(chunk: list[int]) -> list[int]:
        started.append(chunk[0])
        gate.wait(5)
        return chunk

    with ThreadPoolExecutor(max_workers=1) as pool:
        stream = bounded_map(pool, slow, range(100), chunk_size=1, window=8)
        gate.set()
        assert next(stream) == 0
        stream.close()
    assert len(started) < 100


def test_lines_are_read_with_a_cap_and_an_over_long_line_is_skipped_whole() -> None:
    long = b"x" * (MAX_INPUT_BYTES + 10)
    stream = io.BytesIO(b"first\n" + long + b"\nthird\nlast-without-newline")
    assert list(_bounded_lines(stream)) == [
        (1, b"first\n", False),
        (2, b"", True),
        (3, b"third\n", False),
        (4, b"last-without-newline", False),
    ]


def test_identity_numbers_are_masked_in_every_written_form() -> None:
    text = "a 198106142139, b 19810614-2139, c 8106142139, d 810614-2139, e 810614+2139; 2025-03-10 and 12345"
    masked = mask_identity_numbers(text)
    assert masked == "a ***, b ***, c ***, d ***, e ***; 2025-03-10 and 12345"


def test_exception_descriptions_carry_no_input_values() -> None:
    with pytest.raises(ValidationError) as caught:
        Certificate.model_validate({"id": 198106142139, "periods": "19810614-2139"})
    described = describe_exception(caught.value)
    assert described.startswith("ValidationError: ")
    assert "2135" not in described and "id" in described
    assert describe_exception(KeyError("198106142139")) == "KeyError: '***'"
    assert describe_exception(RuntimeError("x" * 1000)).endswith("…")
    assert len(describe_exception(RuntimeError("x" * 1000))) < 330
