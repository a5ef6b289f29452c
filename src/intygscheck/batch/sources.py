"""Enumerate batch inputs into records: files, folders, zip archives, NDJSON and extracts.

Every input unit becomes exactly one record — a certificate payload or an error — so the
batch can account for everything it was given. Extracts (CSV, Parquet) are expanded by the
extract reader, which yields certificates and per-row errors.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..ingest.limits import MAX_INPUT_BYTES
from ..model import Certificate

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
EXTRACT_SUFFIXES = frozenset({".csv", ".parquet"})
ARCHIVE_SUFFIXES = frozenset({".zip"})


@dataclass(frozen=True, slots=True)
class Payload:
    """Bytes of one certificate (any format) and where they came from."""

    source: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Parsed:
    """A certificate that was already built (from an extract)."""

    source: str
    certificate: Certificate


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input unit that could not be turned into a certificate, and why."""

    source: str
    reason: str


Record = Payload | Parsed | Rejected


def iter_records(inputs: Iterable[str | Path]) -> Iterator[Record]:
    """All records of all inputs, in a stable order (folders sorted by path)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _records_of_file(child)
        elif path.is_file():
            yield from _records_of_file(path)
        else:
            yield Rejected(str(path), "no such file or folder")


def _records_of_file(path: Path) -> Iterator[Record]:
    suffix = path.suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        yield from _records_of_zip(path)
    elif suffix in EXTRACT_SUFFIXES:
        yield from _records_of_extract(path)
    elif suffix in NDJSON_SUFFIXES:
        try:
            with path.open("rb") as stream:
                yield from _records_of_ndjson(str(path), stream)
        except OSError as exc:
            yield Rejected(str(path), f"cannot read file: {exc.strerror or exc}")
    else:
        yield _payload_of_file(path)


def _payload_of_file(path: Path) -> Record:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return Rejected(str(path), f"file is {size} bytes, over the limit of {MAX_INPUT_BYTES}")
        return Payload(str(path), path.read_bytes())
    except OSError as exc:
        return Rejected(str(path), f"cannot read file: {exc.strerror or exc}")


def _records_of_ndjson(label: str, lines: Iterable[bytes]) -> Iterator[Record]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        source = f"{label}:{number}"
        if len(line) > MAX_INPUT_BYTES:
            yield Rejected(source, f"line is {len(line)} bytes, over the limit of {MAX_INPUT_BYTES}")
        else:
            yield Payload(source, line)


def _records_of_zip(path: Path) -> Iterator[Record]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield Rejected(str(path), f"not a readable zip archive: {exc}")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            label = f"{path}!{info.filename}"
            if info.file_size > MAX_INPUT_BYTES:
                yield Rejected(label, f"member is {info.file_size} bytes, over the limit of {MAX_INPUT_BYTES}")
                continue
            try:
                data = archive.read(info)
            except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
                yield Rejected(label, f"cannot read archive member: {exc}")
                continue
            if Path(info.filename).suffix.lower() in NDJSON_SUFFIXES:
                yield from _records_of_ndjson(label, data.splitlines())
            else:
                yield Payload(label, data)


def _records_of_extract(path: Path) -> Iterator[Record]:
    """Certificates and rejected rows of a CSV/Parquet extract (the whole file is validated first,
    so the rows of a certificate are grouped wherever they are in the file)."""
    from ..errors import InputError
    from ..ingest.extract import iter_certificates, read_extract

    try:
        extract = read_extract(path)
    except InputError as exc:
        yield Rejected(str(path), exc.reason)
        return
    for error in extract.errors:
        yield Rejected(f"{path}:rad {error.row}", error.reason)
    for certificate in iter_certificates(extract):
        yield Parsed(f"{path}#{certificate.id}", certificate)
