"""Enumerate batch inputs into records: files, folders, zip archives, NDJSON and extracts.

Every input unit becomes exactly one record — a certificate payload or an error — so the
batch can account for everything it was given: a missing path, an unreadable file, a corrupt
zip archive or member, an over-long NDJSON line and a rejected extract row each become a
:class:`Rejected` naming the file (and line or row) and the reason. Extracts (CSV, Parquet)
are expanded by the extract reader, which yields certificates and per-row errors.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..ingest.limits import MAX_INPUT_BYTES
from ..model import Certificate
from .safety import describe_exception

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
EXTRACT_SUFFIXES = frozenset({".csv", ".parquet"})
ARCHIVE_SUFFIXES = frozenset({".zip"})

_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Payload:
    """Bytes of one certificate (any format) and where they came from."""

    source: str
    data: bytes
    file: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A certificate that was already built (from an extract)."""

    source: str
    certificate: Certificate


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input unit that could not be turned into a certificate, and why.

    ``source`` is the record's label (``file``, ``file:line``, ``archive!member``); ``file``
    is the path on disk and ``line``/``row`` the NDJSON line or extract data row, when known.
    """

    source: str
    reason: str
    file: str = ""
    line: int | None = None
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``errors.ndjson`` line for this record."""
        out: dict[str, Any] = {"source": self.source, "file": self.file or self.source}
        if self.line is not None:
            out["line"] = self.line
        if self.row is not None:
            out["row"] = self.row
        out["stage"] = "read"
        out["reason"] = self.reason
        return out


Record = Payload | Parsed | Rejected


def iter_files(path: Path, *, exclude: Path | None = None) -> Iterator[Path]:
    """Every non-folder entry under ``path`` (recursively), in a stable order.

    Walks one folder at a time (names sorted), so memory grows with the widest folder, not
    with the whole tree. Symbolic links to folders are not followed; anything under
    ``exclude`` (the batch's own output folder) is skipped.
    """
    skip = os.path.realpath(exclude) if exclude is not None else None
    for folder, folders, names in os.walk(path, followlinks=False):
        if skip is not None and os.path.realpath(folder) == skip:
            folders.clear()
            continue
        folders.sort()
        for name in sorted(names):
            yield Path(folder) / name


def iter_input_files(inputs: Iterable[str | Path], *, exclude: Path | None = None) -> Iterator[Path]:
    """The files the inputs name: each folder expanded, each other path as given."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from iter_files(path, exclude=exclude)
        else:
            yield path


def iter_records(inputs: Iterable[str | Path], *, exclude: Path | None = None) -> Iterator[Record]:
    """All records of all inputs, in a stable order (folders walked with sorted names)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in iter_files(path, exclude=exclude):
                yield from _records_of_file(child)
        elif path.exists():
            yield from _records_of_file(path)
        else:
            yield Rejected(str(path), "filen eller mappen finns inte / no such file or folder", str(path))


def _records_of_file(path: Path) -> Iterator[Record]:
    label = str(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        yield Rejected(label, f"kan inte läsa filen / cannot read file: {exc.strerror or exc}", label)
        return
    if not stat.S_ISREG(mode):
        yield Rejected(label, "inte en vanlig fil / not a regular file", label)
        return
    suffix = path.suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        yield from _records_of_zip(path)
    elif suffix in EXTRACT_SUFFIXES:
        yield from _records_of_extract(path)
    elif suffix in NDJSON_SUFFIXES:
        yield from _records_of_ndjson_file(path)
    else:
        yield _payload_of_file(path)


def _payload_of_file(path: Path) -> Record:
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return Rejected(label, f"file is {size} bytes, over the limit of {MAX_INPUT_BYTES}", label)
        return Payload(label, path.read_bytes(), label)
    except OSError as exc:
        return Rejected(label, f"kan inte läsa filen / cannot read file: {exc.strerror or exc}", label)


def _records_of_ndjson_file(path: Path) -> Iterator[Record]:
    label = str(path)
    number = 0
    try:
        with path.open("rb") as stream:
            for number, line, too_long in _bounded_lines(stream):
                yield from _record_of_line(label, label, number, line, too_long)
    except OSError as exc:
        # Lines already yielded stay accounted for; the rest of the file is one error.
        yield Rejected(
            f"{label}:{number + 1}",
            f"kan inte läsa filen / cannot read file: {exc.strerror or exc}",
            label,
            line=number + 1,
        )


def _bounded_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line, too long) for each line, never holding more than the size limit.

    An over-long line is drained in chunks and reported with an empty body.
    """
    number = 0
    while True:
        line = stream.readline(MAX_INPUT_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(_READ_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, b"", True
        else:
            yield number, line, False


def _record_of_line(label: str, file: str, number: int, line: bytes, too_long: bool) -> Iterator[Record]:
    source = f"{label}:{number}"
    if too_long:
        yield Rejected(source, f"line is over the limit of {MAX_INPUT_BYTES} bytes", file, line=number)
    elif line.strip():
        yield Payload(source, line, file, number)


def _records_of_zip(path: Path) -> Iterator[Record]:
    label = str(path)
    try:
        archive = zipfile.ZipFile(path)
        members = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except Exception as exc:  # BadZipFile, OSError, EOFError, ValueError ... : one error, never a crash
        yield Rejected(
            label,
            f"inte ett läsbart zip-arkiv / not a readable zip archive: {describe_exception(exc)}",
            label,
        )
        return
    with archive:
        for info in members:
            member = f"{path}!{info.filename}"
            if info.file_size > MAX_INPUT_BYTES and Path(info.filename).suffix.lower() not in NDJSON_SUFFIXES:
                yield Rejected(
                    member, f"member is {info.file_size} bytes, over the limit of {MAX_INPUT_BYTES}", label
                )
                continue
            if Path(info.filename).suffix.lower() in NDJSON_SUFFIXES:
                yield from _records_of_zipped_ndjson(archive, info, member, label)
                continue
            try:
                data = archive.read(info)
            except Exception as exc:  # zlib.error, EOFError, CRC mismatch, encrypted, unsupported method
                yield Rejected(
                    member,
                    f"kan inte läsa arkivmedlemmen / cannot read archive member: {describe_exception(exc)}",
                    label,
                )
                continue
            yield Payload(member, data, label)


def _records_of_zipped_ndjson(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, file: str
) -> Iterator[Record]:
    number = 0
    try:
        with archive.open(info) as stream:
            for number, line, too_long in _bounded_lines(stream):
                yield from _record_of_line(member, file, number, line, too_long)
    except Exception as exc:  # a corrupt member: the lines read so far stay, the rest is one error
        yield Rejected(
            f"{member}:{number + 1}",
            f"kan inte läsa arkivmedlemmen / cannot read archive member: {describe_exception(exc)}",
            file,
            line=number + 1,
        )


def _records_of_extract(path: Path) -> Iterator[Record]:
    """Certificates and rejected rows of a CSV/Parquet extract (the whole file is validated first,
    so the rows of a certificate are grouped wherever they are in the file)."""
    from ..errors import InputError
    from ..ingest.extract import read_extract

    label = str(path)
    try:
        extract = read_extract(path)
    except InputError as exc:
        yield Rejected(label, exc.reason, label)
        return
    except Exception as exc:  # a reader bug must not lose the file
        yield Rejected(
            label, f"internt fel vid läsning / internal error while reading: {describe_exception(exc)}", label
        )
        return
    for error in extract.errors:
        yield Rejected(
            f"{label}:rad {error.row}", f"{error.reason} / {error.reason_en}", label, row=error.row
        )
    yield from _certificates_of_extract(label, extract.rows)


def _certificates_of_extract(label: str, rows: Any) -> Iterator[Record]:
    """One record per certificate of the accepted rows; a group that does not build is rejected.

    Streams the sorted rows once (no frame per certificate), so it is linear in the rows.
    """
    from ..ingest.extract import certificate_from_rows

    if rows.height == 0:
        return
    ordered = rows.sort(["certificate_id", "period_start", "period_end"])
    has_motivation = "fmb_motivation" in ordered.columns
    has_text = "diagnosis_text" in ordered.columns
    group: list[dict[str, Any]] = []
    for record in ordered.iter_rows(named=True):
        if group and record["certificate_id"] != group[0]["certificate_id"]:
            yield _certificate_record(label, group, has_motivation, has_text, certificate_from_rows)
            group = []
        group.append(record)
    yield _certificate_record(label, group, has_motivation, has_text, certificate_from_rows)


def _certificate_record(
    label: str, group: list[dict[str, Any]], motivation: bool, text: bool, build: Any
) -> Record:
    certificate_id = group[0]["certificate_id"]
    try:
        return Parsed(f"{label}#{certificate_id}", build(group, has_motivation=motivation, has_text=text))
    except Exception as exc:  # e.g. a model constraint the row checks do not cover
        rows = ", ".join(str(r["_row"]) for r in group)
        return Rejected(
            f"{label}#{certificate_id}",
            f"intyget kan inte byggas av raderna {rows} / the certificate cannot be built: "
            + describe_exception(exc),
            label,
            row=group[0]["_row"],
        )
