"""Import Socialstyrelsen's FMB ``/typfall`` JSON into intygscheck's own table.

Per typfall the importer keeps its id and version, the diagnosis codes (normalised: no dot,
upper case), the maximum (value and unit, and days with d = 1, wk = 7, mo = 31 as Webcert
counts), whether the maximum is for full- or part-time sick leave, the validity dates, the date
of the last update, and the selection attributes as codes:

========================  ===============================================  =================
attribute                 FMB field                                        code system
========================  ===============================================  =================
``severity``              ``urvalsvarighetsgrad``                          SNOMED CT
``course``                ``urvalsjukdomsforlopp``                         SNOMED CT
``procedure``             ``urvalatgard.kod``                              SNOMED CT
``procedure_status``      ``urvalatgard.status`` (performed / ongoing)     SNOMED CT
``work_load``             ``urvalarbetsbelastning``                        BELASTNING_n
``complicating_factor``   ``urvalkomplicerandefaktor``                     SNOMED CT
``comorbidity``           ``urvalsamsjuklighet`` diagnosis codes           ICD-10
========================  ===============================================  =================

Two flags are derived from the typfall's wording without copying it: ``open_ended`` (the
maximum is stated as "X or longer" / "longer than X", e.g. F41.1's "longer than 4 weeks" stored
as 4 weeks) and ``surgical`` (the typfall selects on an operation that has been performed). A
typfall without a numeric maximum is kept with ``max_value=None``.

The shipped default table was generated with::

    intygscheck fmb import ../shared/external/fmb/typfall-2020.json \\
        --out src/intygscheck/terminology/fmb/data/fmb-2020.json
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...errors import InputError, Position
from ..icd10 import normalize
from .models import Typfall
from .table import FmbTable, TableSource, reload_default_table

UNIT_DAYS: dict[str, int] = {"d": 1, "wk": 7, "mo": 31}
"""Days per FMB unit, as Webcert counts them (a month is 31 days)."""

SOURCE_NAME = "Socialstyrelsen FMB /typfall"
PERFORMED = "398166005"  # SNOMED CT: performed (utförd)
_PART_TIME_CODE = "2"  # Sjukskrivningsgrad 1.2.752.116.3.1.14: 1 heltid, 2 deltid
try:
    _STOCKHOLM: tzinfo = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # no tz database (e.g. Windows without tzdata): CET is close enough
    _STOCKHOLM = timezone(timedelta(hours=1))
_OPEN_ENDED = re.compile(r"eller\s+(?:längre|mer)\b|längre\s+än\b", re.IGNORECASE)
_SURGICAL = re.compile(
    r"operation|operativ|ektomi|kirurgi|plastik|artroskopi|laparoskop|excision|frigöring|artrodes"
    r"|transplantation|resektion|implantation|rekonstruktion|delning av|bypass|avlägsnande av",
    re.IGNORECASE,
)
_ATTRIBUTE_FIELDS = (
    ("severity", "urvalsvarighetsgrad", "svarighetsgrad"),
    ("course", "urvalsjukdomsforlopp", "sjukdomsforlopp"),
    ("work_load", "urvalarbetsbelastning", "arbetsbelastning"),
    ("complicating_factor", "urvalkomplicerandefaktor", "komplicerandefaktor"),
)


class _Reader:
    """Walks one /typfall document, raising InputError with the JSON path of any defect."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []

    def fail(self, path: str, reason: str) -> InputError:
        return InputError(self.source, reason, Position(path=path))

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, found {type(value).__name__}")
        return value

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, found {type(value).__name__}")
        return value

    def code(self, value: Any, path: str) -> str:
        kod = self.obj(value, path).get("kod")
        if not isinstance(kod, str) or not kod.strip():
            raise self.fail(f"{path}.kod", "missing code")
        return kod.strip()

    def day(self, value: Any, path: str) -> date | None:
        if value in (None, ""):
            return None
        try:
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
            moment = datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError as exc:
            raise self.fail(path, f"not a date: {value!r}") from exc
        return moment.astimezone(_STOCKHOLM).date()

    def typfall(self, raw: Any, path: str) -> Typfall:
        item = self.obj(raw, path)
        attrs = self.obj(item.get("attributes"), f"{path}.attributes")
        ident = str(attrs.get("id") or item.get("id") or "").strip()
        if not ident:
            raise self.fail(f"{path}.id", "typfall without id")
        state_path = f"{path}.attributes.fmbtillstand"
        state = self.obj(attrs.get("fmbtillstand"), state_path)
        codes: list[str] = []
        for n, diag in enumerate(self.items(state.get("diagnoskod"), f"{state_path}.diagnoskod")):
            code = normalize(self.code(diag, f"{state_path}.diagnoskod[{n}]"))
            if code not in codes:
                codes.append(code)
        if not codes:
            self.warnings.append(f"typfall {ident}: inga diagnoskoder")
        rec_path = f"{path}.attributes.rekommenderadsjukskrivning"
        rec = self.obj(attrs.get("rekommenderadsjukskrivning") or {}, rec_path)
        value, unit = self.maximum(rec, rec_path, ident)
        degree = rec.get("maximalsjukskrivningsgrad")
        part_time = bool(degree) and self.code(degree, f"{rec_path}.maximalsjukskrivningsgrad") == (
            _PART_TIME_CODE
        )
        wording = str(rec.get("typfalletsrekommenderadesjukskrivning") or "")
        attributes, surgical = self.attributes(state, state_path)
        validity = attrs.get("giltighetsperiod") or {}
        return Typfall(
            id=ident,
            version=str(attrs["version"]) if attrs.get("version") is not None else None,
            codes=tuple(codes),
            max_value=value,
            max_unit=unit,
            max_days=None if value is None or unit is None else value * UNIT_DAYS[unit],
            degree=None if part_time else 100,
            part_time=part_time,
            valid_from=self.day(validity.get("start"), f"{path}.attributes.giltighetsperiod.start"),
            valid_to=self.day(validity.get("slut"), f"{path}.attributes.giltighetsperiod.slut"),
            updated=self.day(attrs.get("senastuppdaterad"), f"{path}.attributes.senastuppdaterad"),
            attributes=attributes,
            open_ended=value is not None and bool(_OPEN_ENDED.search(wording)),
            surgical=surgical,
        )

    def maximum(self, rec: dict[str, Any], path: str, ident: str) -> tuple[int | None, str | None]:
        raw_value = rec.get("maximalsjukskrivningstid")
        raw_unit = rec.get("maximalsjukskrivningsenhet")
        if raw_value in (None, ""):
            return None, None
        try:
            value = int(str(raw_value).strip())
        except ValueError:
            self.warnings.append(
                f"typfall {ident}: maximum {raw_value!r} är inget heltal, sparas utan siffra"
            )
            return None, None
        unit = str(raw_unit or "").strip()
        if unit not in UNIT_DAYS:
            raise self.fail(f"{path}.maximalsjukskrivningsenhet", f"unknown unit {raw_unit!r} (d, wk, mo)")
        if value < 0:
            raise self.fail(f"{path}.maximalsjukskrivningstid", f"negative maximum {value}")
        return value, unit

    def attributes(self, state: dict[str, Any], path: str) -> tuple[dict[str, tuple[str, ...]], bool]:
        out: dict[str, list[str]] = {}
        for key, field, inner in _ATTRIBUTE_FIELDS:
            for n, group in enumerate(self.items(state.get(field), f"{path}.{field}")):
                group_path = f"{path}.{field}[{n}]"
                for m, code in enumerate(self.items(self.obj(group, group_path).get(inner), group_path)):
                    out.setdefault(key, []).append(self.code(code, f"{group_path}.{inner}[{m}]"))
        surgical = False
        for n, group in enumerate(self.items(state.get("urvalatgard"), f"{path}.urvalatgard")):
            group_path = f"{path}.urvalatgard[{n}]"
            entry = self.obj(group, group_path)
            codes = self.items(entry.get("kod"), f"{group_path}.kod")
            for m, code in enumerate(codes):
                out.setdefault("procedure", []).append(self.code(code, f"{group_path}.kod[{m}]"))
            status = self.code(entry["status"], f"{group_path}.status") if entry.get("status") else None
            if status:
                out.setdefault("procedure_status", []).append(status)
            words = " ".join(str(c.get("beskrivning") or "") for c in codes if isinstance(c, dict))
            if status == PERFORMED and _SURGICAL.search(words):
                surgical = True
        for n, group in enumerate(self.items(state.get("urvalsamsjuklighet"), f"{path}.urvalsamsjuklighet")):
            # Each comorbidity is a list of headings, each with diagnosis codes.
            headings = group if isinstance(group, list) else [group]
            for m, heading in enumerate(headings):
                heading_path = f"{path}.urvalsamsjuklighet[{n}][{m}]"
                for k, diag in enumerate(
                    self.items(self.obj(heading, heading_path).get("diagnoskod"), heading_path)
                ):
                    code = normalize(self.code(diag, f"{heading_path}.diagnoskod[{k}]"))
                    out.setdefault("comorbidity", []).append(code)
        return {key: tuple(dict.fromkeys(values)) for key, values in out.items()}, surgical


def convert(
    document: Any, source: str, *, file_name: str | None = None, sha256: str | None = None
) -> tuple[FmbTable, list[str]]:
    """Turn a parsed /typfall document into a table; returns it with import warnings."""
    reader = _Reader(source)
    doc = reader.obj(document, "$")
    data = reader.items(doc.get("data"), "data")
    if not data:
        raise reader.fail("data", "no typfall in the file (expected a non-empty list 'data')")
    typfall = [reader.typfall(item, f"data[{n}]") for n, item in enumerate(data)]
    seen: set[str] = set()
    for item in typfall:
        if item.id in seen:
            raise reader.fail("data", f"typfall id {item.id} occurs twice")
        seen.add(item.id)
    dates = [d for t in typfall for d in (t.updated, t.valid_from) if d is not None]
    meta_raw, links_raw = doc.get("meta"), doc.get("links")
    meta: dict[str, Any] = meta_raw if isinstance(meta_raw, dict) else {}
    links: dict[str, Any] = links_raw if isinstance(links_raw, dict) else {}
    table = FmbTable(
        source=TableSource(
            name=SOURCE_NAME,
            data_date=max(dates, default=None),
            file=file_name,
            url=links.get("self"),
            api_version=meta.get("version"),
            sha256=sha256,
        ),
        typfall=tuple(sorted(typfall, key=_id_order)),
    )
    return table, reader.warnings


def _id_order(item: Typfall) -> tuple[int, str]:
    return (int(item.id), item.id) if item.id.isdigit() else (1 << 62, item.id)


def import_file(path: str | Path) -> tuple[FmbTable, list[str]]:
    """Read a /typfall JSON file and convert it (see :func:`convert`)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(str(file), f"cannot read: {exc.strerror or exc}") from exc
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise InputError(str(file), f"not JSON: {exc.msg}", Position(exc.lineno, exc.colno)) from exc
        raise InputError(str(file), "not UTF-8 text") from exc
    return convert(document, str(file), file_name=file.name, sha256=hashlib.sha256(raw).hexdigest())


def write_table(table: FmbTable, path: str | Path) -> Path:
    """Write the table file (creating folders), atomically replacing an older one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(table.to_json(), encoding="utf-8")
    temporary.replace(target)
    reload_default_table()
    return target
