"""Phase one of a batch: read every record and spill certificates into patient partitions.

Certificates are parsed in worker processes and written, as native JSON lines, into one of
N partition files chosen by the patient's pseudonym — so every certificate of a patient lands
in the same partition and sjukfall chaining stays correct when partitions are checked
independently. Rejected records go straight to the error file. Memory stays flat: records
stream through a bounded window of worker tasks. Certificates an extract already built are
serialised here rather than sent to a worker (a pickled pydantic model costs about 25 times
its JSON line).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..model import Certificate
from .parallel import bounded_map
from .safety import describe_exception, mask_identity_numbers
from .sources import Parsed, Payload, Record, Rejected

CHUNK_BYTES = 4 * 1024 * 1024
"""About how many payload bytes one worker task carries (with at most 64 records)."""


@dataclass(frozen=True, slots=True)
class Spilled:
    """One record after parsing: its partition and native JSON line, or its error line."""

    source: str
    partition: int
    line: str | None
    error: str | None  # the whole ``errors.ndjson`` line


def partition_of(certificate: Certificate, partitions: int) -> int:
    """The partition of a certificate: by patient pseudonym (by id when there is no patient)."""
    key = certificate.patient.key if certificate.patient else f"certificate:{certificate.id}"
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % partitions


def spill_line(source: str, certificate: Certificate, *, from_extract: bool = False) -> str:
    """The partition-file line for a certificate: its source, whether it was built from a tabular
    extract (it is then checked with the extract rulesets only) and its native JSON."""
    label = json.dumps(source, ensure_ascii=False)
    flag = "true" if from_extract else "false"
    return f'{{"source":{label},"extract":{flag},"certificate":{certificate.model_dump_json()}}}'


@dataclass(frozen=True, slots=True)
class Prepared:
    """A certificate already turned into its partition line (strings only: cheap to send to a
    worker, where pickling the certificate model itself would cost far more than the line)."""

    source: str
    partition: int
    line: str


Item = Record | Prepared


def prepare(record: Item, partitions: int) -> Item:
    """A built certificate (from an extract) as its partition line; other records unchanged."""
    if not isinstance(record, Parsed):
        return record
    try:
        certificate = record.certificate
        return Prepared(
            record.source,
            partition_of(certificate, partitions),
            spill_line(record.source, certificate, from_extract=True),
        )
    except Exception as exc:  # a model that does not serialise must not lose the record
        reason = f"internt fel vid läsning / internal error while reading: {describe_exception(exc)}"
        return Rejected(record.source, reason, record.source)


def parse_records(records: list[Item], partitions: int) -> list[Spilled]:
    """Parse a chunk of records (runs in a worker process); every record gives one outcome."""
    return [_parse_one(record, partitions) for record in records]


def _parse_one(record: Item, partitions: int) -> Spilled:
    from ..ingest import read_bytes

    if isinstance(record, Prepared):
        return Spilled(record.source, record.partition, record.line, None)
    if isinstance(record, Rejected):
        return Spilled(record.source, -1, None, error_line(record))
    try:
        if isinstance(record, Parsed):
            certificate = record.certificate
        else:
            certificate = read_bytes(record.data, record.source)
        line = spill_line(record.source, certificate, from_extract=isinstance(record, Parsed))
        return Spilled(record.source, partition_of(certificate, partitions), line, None)
    except InputError as exc:
        reason = _reason(exc)
    except Exception as exc:  # a reader bug must not lose the record
        reason = f"internt fel vid läsning / internal error while reading: {describe_exception(exc)}"
    file, row = (record.file, record.line) if isinstance(record, Payload) else (record.source, None)
    return Spilled(record.source, -1, None, error_line(Rejected(record.source, reason, file, line=row)))


def error_line(record: Rejected) -> str:
    """The ``errors.ndjson`` line of a rejected record (identity numbers masked in the reason)."""
    return json.dumps(
        {**record.to_dict(), "reason": mask_identity_numbers(record.reason)}, ensure_ascii=False
    )


def _reason(error: InputError) -> str:
    where = str(error.position)
    return f"{where}: {error.reason}" if where else error.reason


class _Chunker:
    """Picklable partial of :func:`parse_records` for a fixed partition count."""

    def __init__(self, partitions: int) -> None:
        self.partitions = partitions

    def __call__(self, records: list[Item]) -> list[Spilled]:
        return parse_records(records, self.partitions)


def spill(
    records: Iterable[Record],
    part_files: list[IO[str]],
    errors: IO[str],
    *,
    executor: Executor | None,
    window: int,
) -> Iterator[Spilled]:
    """Parse ``records`` and write each to its partition file or to ``errors``; yield each outcome."""
    partitions = len(part_files)
    chunks = bounded_map(
        executor,
        _Chunker(partitions),
        (prepare(record, partitions) for record in records),
        chunk_size=64,
        window=window,
        weight=_weight,
        max_chunk_weight=CHUNK_BYTES,
    )
    for item in chunks:
        if item.line is None:
            errors.write(f"{item.error}\n")
        else:
            part_files[item.partition].write(item.line + "\n")
        yield item


def _weight(record: Item) -> int:
    if isinstance(record, Payload):
        return len(record.data)
    return len(record.line) if isinstance(record, Prepared) else 512


def open_partitions(folder: Path, count: int) -> list[IO[str]]:
    """Open (truncate) the ``count`` partition files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [partition_path(folder, index).open("w", encoding="utf-8") for index in range(count)]


def partition_path(folder: Path, index: int) -> Path:
    """The file of partition ``index``."""
    return folder / f"part-{index:04d}.ndjson"
