"""Helpers for the batch tests: a corpus of good and corrupt inputs, identity numbers, outputs.

The corpus mixes every kind of input the batch runner reads with every kind of damage it
must account for; :class:`Corpus` says how many results and errors each part must give,
counted here from what was written, independently of the runner.
"""

from __future__ import annotations

import io
import json
import os
import tomllib
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import intygscheck
from intygscheck.ingest.extract import REQUIRED_COLUMNS
from intygscheck.ingest.rivta_writer import write_rivta
from intygscheck.model import Certificate, Patient
from intygscheck.model.personal_id import make_personal_id, parse_personal_id, pseudonymise

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_XML = ROOT / "fixtures" / "certificates" / "xml"
FIXTURE_FHIR = ROOT / "fixtures" / "certificates" / "fhir"
KOMPLETTERING = ROOT / "fixtures" / "komplettering"
FIXTURE_SOURCES = ROOT / "fixtures" / "src"

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE intyg [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<intyg>&xxe;</intyg>
"""


def fixture(name: str) -> Certificate:
    """A fixture certificate read from its RIVTA XML."""
    return intygscheck.read(FIXTURE_XML / f"{name}.xml")


def synthetic_personal_id(index: int) -> str:
    """A made-up identity number (valid check digit) for synthetic certificate ``index``."""
    return make_personal_id(date(1950 + index % 50, 1 + index % 12, 1 + index % 28), 100 + index % 800)


def renamed(template: Certificate, index: int, namespace: str = "batch-test") -> tuple[Certificate, str]:
    """``template`` as a new certificate: a new id and a new (made-up) patient; and its identity number."""
    personal_id = synthetic_personal_id(index)
    parsed = parse_personal_id(personal_id)
    patient = Patient(
        key=pseudonymise(parsed.normalised),
        id_kind=parsed.kind,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
    )
    certificate_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{index}"))
    return template.model_copy(update={"id": certificate_id, "patient": patient}), personal_id


def fixture_identity_numbers() -> set[str]:
    """Every identity number used to build the fixtures (12 digits), from the TOML sources."""
    numbers: set[str] = set()
    for source in sorted(FIXTURE_SOURCES.rglob("*.toml")):
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        patient = data.get("patient")
        if isinstance(patient, dict) and "serial" in patient:
            numbers.add(
                make_personal_id(
                    patient["birth_date"], int(patient["serial"]), samordning=bool(patient.get("samordning"))
                )
            )
    return numbers


def identity_patterns(numbers: set[str]) -> set[str]:
    """Each number as it could be written: 12 and 10 digits, with and without a hyphen."""
    patterns: set[str] = set()
    for twelve in numbers:
        ten = twelve[2:]
        patterns |= {twelve, ten, f"{twelve[:8]}-{twelve[8:]}", f"{ten[:6]}-{ten[6:]}"}
    return patterns


def files_containing(folder: Path, patterns: set[str]) -> list[str]:
    """Files under ``folder`` (recursively, hidden ones too) whose bytes contain any pattern."""
    found = []
    encoded = [p.encode() for p in patterns]
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found.extend(f"{path.relative_to(folder)}" for p in encoded if p in data)
    return found


def ndjson(path: Path) -> list[dict[str, Any]]:
    """The records of an NDJSON file (each line must be whole JSON)."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), f"{path.name} ends in half a line"
    return [json.loads(line) for line in text.splitlines()]


def summary(out: Path) -> dict[str, Any]:
    """``summary.json`` of a batch output folder."""
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def comparable(summary_data: dict[str, Any]) -> dict[str, Any]:
    """A summary without what may differ between equivalent runs (time, engine)."""
    return {
        key: value
        for key, value in summary_data.items()
        if key not in ("finished_at", "options", "aggregates")
    }


def assert_consistent(out: Path) -> dict[str, Any]:
    """The outputs agree with their summary line for line; returns the summary."""
    data = summary(out)
    results = ndjson(out / "results.ndjson")
    errors = ndjson(out / "errors.ndjson")
    assert len(results) == data["results"]
    assert len(errors) == data["errors"]
    if data["complete"]:
        assert data["inputs_read"] == data["results"] + data["errors"]
        assert data["pending"] == 0
    return data


@dataclass
class Corpus:
    """Inputs written into a folder, and what each must give."""

    inputs: list[Path]
    good: dict[str, int] = field(default_factory=dict)  # part → results expected
    bad: dict[str, int] = field(default_factory=dict)  # part → errors expected
    error_sources: set[str] = field(default_factory=set)  # every error record's source
    identity_numbers: set[str] = field(default_factory=set)

    @property
    def results(self) -> int:
        return sum(self.good.values())

    @property
    def errors(self) -> int:
        return sum(self.bad.values())


EXTRACT_HEADER = ",".join(REQUIRED_COLUMNS)


def build_corpus(root: Path) -> Corpus:
    """Write the mixed corpus under ``root``: fixtures, damaged files, archives, NDJSON, extract."""
    folder = root / "inputs"
    corpus = Corpus(inputs=[folder, root / "missing.xml"])
    corpus.bad["missing path"] = 1
    corpus.error_sources.add(str(root / "missing.xml"))

    # Valid certificates: every fixture XML, copied.
    for name, source in (("xml", FIXTURE_XML), ("komplettering", KOMPLETTERING)):
        target = folder / name
        target.mkdir(parents=True)
        files = sorted(source.glob("*.xml"))
        for file in files:
            (target / file.name).write_bytes(file.read_bytes())
        corpus.good[name] = len(files)

    # Damaged single files.
    bad = folder / "bad"
    bad.mkdir()
    whole = (FIXTURE_XML / "ryggvark-1.xml").read_bytes()
    damaged = {
        "truncated.xml": whole[: len(whole) // 2],
        "xxe.xml": XXE,
        "not-a-certificate.json": b'{"hello": "world"}',
        "empty.xml": b"",
    }
    for name, data in damaged.items():
        (bad / name).write_bytes(data)
    os.mkfifo(bad / "pipe.xml")  # not a regular file: must not be opened (it would block)
    (bad / "dangling.xml").symlink_to(bad / "nowhere.xml")
    corpus.bad["damaged files"] = len(damaged) + 2
    corpus.error_sources |= {str(bad / name) for name in [*damaged, "pipe.xml", "dangling.xml"]}

    template = fixture("angest")
    made: list[tuple[Certificate, str]] = [renamed(template, index) for index in range(7)]
    corpus.identity_numbers |= {pid for _, pid in made}

    # A zip with good and bad members, and two corrupt zips.
    archive = folder / "archive.zip"
    crc_marker = b"<!-- crc-marker -->"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/", b"")
        zf.writestr("a/one.xml", write_rivta(made[0][0], personal_id=made[0][1]))
        zf.writestr("a/two.xml", write_rivta(made[1][0], personal_id=made[1][1]))
        zf.writestr("b/truncated.xml", whole[:200])
        zf.writestr("notes.txt", b"not a certificate")
        lines = [made[2][0].model_dump_json(), "{broken", "", made[3][0].model_dump_json()]
        zf.writestr("lines.ndjson", "\n".join(lines) + "\n")
        zf.writestr("crc.xml", whole + crc_marker, compress_type=zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    at = data.index(crc_marker)
    data[at + 5] ^= 0x20  # the stored member's bytes no longer match its CRC
    archive.write_bytes(bytes(data))
    corpus.good["zip members"] = 4
    corpus.bad["zip members"] = 4
    corpus.error_sources |= {f"{archive}!{m}" for m in ("b/truncated.xml", "notes.txt", "crc.xml")}
    corpus.error_sources.add(f"{archive}!lines.ndjson:2")

    valid = io.BytesIO()
    with zipfile.ZipFile(valid, "w") as zf:
        zf.writestr("one.xml", whole)
    (folder / "truncated.zip").write_bytes(valid.getvalue()[: len(valid.getvalue()) // 2])
    (folder / "noise.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    corpus.bad["corrupt zips"] = 2
    corpus.error_sources |= {str(folder / "truncated.zip"), str(folder / "noise.zip")}

    # NDJSON: good native lines, bad lines, a blank line (not a record).
    lines = [made[4][0].model_dump_json(), "not json", '{"id": "x", "periods": 7}', ""]
    lines += [made[5][0].model_dump_json()]
    lines += ["[1, 2]", made[6][0].model_dump_json()]
    (folder / "certs.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus.good["ndjson lines"] = 3
    corpus.bad["ndjson lines"] = 3
    corpus.error_sources |= {f"{folder / 'certs.ndjson'}:{n}" for n in (2, 3, 6)}

    # Extract: three good certificates (one of two rows) and three bad rows.
    extract_ids = [synthetic_personal_id(100 + i) for i in range(6)]
    corpus.identity_numbers |= set(extract_ids)
    rows = [
        f"E1,{extract_ids[0]},K,1980,U1,VG1,F32.1,2024-01-01,2024-01-14,100,2024-01-01",
        f"E1,{extract_ids[0]},K,1980,U1,VG1,F32.1,2024-01-15,2024-01-28,50,2024-01-01",
        f"E2,{extract_ids[1]},M,1975,U1,VG1,M54.5,2024-02-01,2024-02-10,100,2024-02-01",
        f"E3,{extract_ids[2]},K,1990,U2,VG1,J06.9,2024-03-01,2024-03-07,100,2024-03-01",
        f"E4,{extract_ids[3]},K,1990,U2,VG1,J06.9,2024-02-30,2024-03-07,100,2024-03-01",  # bad date
        f"E5,{extract_ids[4]},X,1990,U2,VG1,J06.9,2024-03-01,2024-03-07,100,2024-03-01",  # bad sex
        f"E6,{extract_ids[5]},M,1990,U2,VG1,J06.9,2024-03-01,2024-03-07,60,2024-03-01",  # bad grade
    ]
    extract = folder / "extract.csv"
    extract.write_text("\n".join([EXTRACT_HEADER, *rows]) + "\n", encoding="utf-8")
    corpus.good["extract certificates"] = 3
    corpus.bad["extract rows"] = 3
    corpus.error_sources |= {f"{extract}:rad {row}" for row in (5, 6, 7)}
    return corpus
