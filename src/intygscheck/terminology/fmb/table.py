"""The FMB table: typfall indexed by diagnosis code, its source and data date, and its file format.

The table file is intygscheck's own compact JSON (``format: intygscheck-fmb-table``, version 1):
a header with the source and the date of the data, then one typfall per line holding only
numbers, codes, units, dates, ids and attribute codes — no prose from Socialstyrelsen.

Where ``decide`` finds its table (first hit wins):

1. the path in ``$INTYGSCHECK_FMB_TABLE``;
2. the user's imported table, ``$XDG_DATA_HOME/intygscheck/fmb.json``
   (``~/.local/share/intygscheck/fmb.json``), written by ``intygscheck fmb import``;
3. the default table shipped in the package (``data/fmb-2020.json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...errors import InputError, Position
from .models import Typfall

FORMAT = "intygscheck-fmb-table"
FORMAT_VERSION = 1
ENV_VAR = "INTYGSCHECK_FMB_TABLE"
SHIPPED_TABLE = Path(__file__).resolve().parent / "data" / "fmb-2020.json"


@dataclass(frozen=True, slots=True)
class TableSource:
    """Where a table's data came from, and how old the data is."""

    name: str
    data_date: date | None
    file: str | None = None
    url: str | None = None
    api_version: str | None = None
    sha256: str | None = None

    def age_years(self, today: date | None = None) -> float | None:
        """Age of the data in years (one decimal)."""
        if self.data_date is None:
            return None
        return round(((today or date.today()) - self.data_date).days / 365.25, 1)


@dataclass(frozen=True)
class FmbTable:
    """All typfall of one FMB data set, indexed by normalised diagnosis code."""

    source: TableSource
    typfall: tuple[Typfall, ...]
    path: Path | None = None
    by_code: Mapping[str, tuple[Typfall, ...]] = field(init=False, repr=False)
    resolutions: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)
    """Lookups already answered against this table, by code (see ``lookup.resolve``)."""

    def __post_init__(self) -> None:
        index: dict[str, list[Typfall]] = {}
        for item in self.typfall:
            for code in item.codes:
                index.setdefault(code, []).append(item)
        object.__setattr__(self, "by_code", {code: tuple(items) for code, items in index.items()})

    def __getitem__(self, code: str) -> tuple[Typfall, ...]:
        return self.by_code.get(code, ())

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    @property
    def codes(self) -> tuple[str, ...]:
        """Every diagnosis code with FMB data, sorted."""
        return tuple(sorted(self.by_code))

    @property
    def without_number(self) -> tuple[Typfall, ...]:
        """Typfall kept although they state no numeric maximum."""
        return tuple(t for t in self.typfall if t.max_days is None)

    def to_json(self) -> str:
        """The table file: header fields, then one typfall per line (stable, diff-friendly)."""
        header: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "source": {
                "name": self.source.name,
                "file": self.source.file,
                "url": self.source.url,
                "api_version": self.source.api_version,
                "sha256": self.source.sha256,
            },
            "data_date": self.source.data_date.isoformat() if self.source.data_date else None,
            "counts": {
                "typfall": len(self.typfall),
                "codes": len(self.by_code),
                "without_number": len(self.without_number),
            },
        }
        lines = [
            json.dumps(t.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True)
            for t in self.typfall
        ]
        head = json.dumps(header, ensure_ascii=False, indent=1)[:-2]
        return head + ',\n "typfall": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "<fmb-table>", path: Path | None = None) -> FmbTable:
        """Read a table file; bad content raises :class:`InputError` naming the position."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(source, f"not JSON: {exc.msg}", Position(exc.lineno, exc.colno)) from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError(source, f"not an intygscheck FMB table (expected format {FORMAT!r})")
        if doc.get("format_version") != FORMAT_VERSION:
            raise InputError(source, f"unsupported table version {doc.get('format_version')!r}")
        items = doc.get("typfall")
        if not isinstance(items, list):
            raise InputError(source, "missing list 'typfall'", Position(path="typfall"))
        typfall: list[Typfall] = []
        for index, item in enumerate(items):
            try:
                typfall.append(Typfall.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise InputError(
                    source, f"bad typfall: {first['msg']}", Position(path=f"typfall[{index}].{where}")
                ) from exc
        meta = doc.get("source") or {}
        raw_date = doc.get("data_date")
        try:
            data_date = date.fromisoformat(raw_date) if raw_date else None
        except ValueError as exc:
            raise InputError(source, f"bad data_date {raw_date!r}", Position(path="data_date")) from exc
        return cls(
            source=TableSource(
                name=str(meta.get("name") or "okänd källa"),
                data_date=data_date,
                file=meta.get("file"),
                url=meta.get("url"),
                api_version=meta.get("api_version"),
                sha256=meta.get("sha256"),
            ),
            typfall=tuple(typfall),
            path=path,
        )


def load_table(path: str | os.PathLike[str]) -> FmbTable:
    """Read a table file from disk."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(str(file), f"cannot read FMB table: {exc.strerror or exc}") from exc
    return FmbTable.from_json(data, source=str(file), path=file)


def user_table_path() -> Path:
    """Where ``intygscheck fmb import`` writes by default: ``$INTYGSCHECK_FMB_TABLE`` or the data dir."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "intygscheck" / "fmb.json"


def active_table_path() -> Path:
    """The table ``decide`` uses without an explicit one: the user's import, else the shipped one."""
    user = user_table_path()
    return user if user.is_file() else SHIPPED_TABLE


@cache
def _default_for(configured: str | None, data_home: str | None, home: str | None) -> FmbTable:
    return load_table(active_table_path())


def default_table() -> FmbTable:
    """The active table, loaded once and cached (per ``$INTYGSCHECK_FMB_TABLE`` / data dir).

    Call :func:`reload_default_table` after replacing the file in a running process
    (:func:`~intygscheck.terminology.fmb.importer.write_table` does so itself).
    """
    environ = os.environ  # the cache key: the variables user_table_path() depends on (cheap per check)
    return _default_for(environ.get(ENV_VAR), environ.get("XDG_DATA_HOME"), environ.get("HOME"))


def reload_default_table() -> None:
    """Forget the cached default table, so the next :func:`default_table` reads it again."""
    _default_for.cache_clear()
