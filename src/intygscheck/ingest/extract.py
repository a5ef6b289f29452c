"""The tabular extract (CSV or Parquet): one row per sick-leave period, for statistics.

Columns are documented in ``docs/extract.md``. Every row is validated with vectorised polars
expressions; a row that fails becomes a :class:`RowError` naming the file, the 1-based data row
and the reason — rows are never dropped silently, so ``rows_read == accepted + rejected``.
A file that cannot be read at all (missing, not CSV/Parquet, a required column absent) raises
:class:`~intygscheck.errors.InputError`.

Two ways out of a validated extract:

* the columnar path (:func:`read_extract`, :func:`iter_extract_batches`): typed polars frames,
  no per-certificate Python objects — what the statistics use, fast for millions of rows;
* the object path (:func:`iter_certificates`): rows grouped into
  :class:`~intygscheck.model.Certificate` objects for the rule engine.

A patient's ``birth_year`` becomes ``birth_date = January 1`` of that year, so ages are whole
years counted from New Year (an extract holds no birth day). ``patient_id`` is never kept:
it is pseudonymised with the organisation's secret (the 12-digit form when it is a
personnummer written with a hyphen, so keys match those of certificates read from XML).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputError
from ..model import Certificate, CodeSystem, Diagnosis, Grade, Issuer, Patient, SickLeavePeriod
from ..model.personal_id import Sex, pseudonymiser

REQUIRED_COLUMNS: tuple[str, ...] = (
    "certificate_id",
    "patient_id",
    "sex",
    "birth_year",
    "unit_id",
    "care_provider_id",
    "diagnosis_code",
    "period_start",
    "period_end",
    "grade",
    "signed_date",
)
"""Columns every extract must have (any order; more columns are allowed)."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("fmb_motivation", "region", "diagnosis_text")
"""Columns read when present: question 37 text, the region code, the diagnosis text."""

CERTIFICATE_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "sex",
    "birth_year",
    "unit_id",
    "care_provider_id",
    "diagnosis_code",
    "signed_date",
)
"""Columns that describe the certificate, so all its rows must agree on them."""

_ID_COLUMNS = ("certificate_id", "patient_id", "unit_id", "care_provider_id", "diagnosis_code")
_DATE_COLUMNS = ("period_start", "period_end", "signed_date")
_GRADES = tuple(int(grade) for grade in Grade)
_ROW = "_row"
_REASON = "_reason"
_MIN_BIRTH_YEAR = 1890

# reason code → (Swedish, English); the Swedish text is what a person reads by default.
REASONS: dict[str, tuple[str, str]] = {
    **{f"missing_{name}": (f"{name} saknas", f"{name} is missing") for name in _ID_COLUMNS},
    "bad_sex": ("kön måste vara K eller M", "sex must be K or M"),
    "bad_birth_year": (
        "födelseår är inte ett årtal (ÅÅÅÅ) som har varit",
        "birth_year is not a past four-digit year",
    ),
    **{
        f"bad_{name}": (f"{name} är inget datum ÅÅÅÅ-MM-DD", f"{name} is not a date YYYY-MM-DD")
        for name in _DATE_COLUMNS
    },
    "bad_grade": ("grad måste vara 25, 50, 75 eller 100", "grade must be 25, 50, 75 or 100"),
    "end_before_start": ("period_end ligger före period_start", "period_end is before period_start"),
    "inconsistent_certificate": (
        "intygets rader har olika värden i patient-, enhets-, diagnos- eller datumkolumner",
        "the certificate's rows disagree on patient, unit, diagnosis or date columns",
    ),
    "sibling_row_rejected": (
        "en annan rad i samma intyg avvisades, så intyget kan inte räknas",
        "another row of the same certificate was rejected, so the certificate cannot be counted",
    ),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected extract row: the file, the 1-based data row (the header is not counted;
    in a CSV without quoted line breaks the line number is ``row + 1``) and the reason."""

    source: str
    row: int
    code: str
    reason: str
    reason_en: str

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready dict (what ``errors.ndjson`` holds)."""
        return {
            "source": self.source,
            "row": self.row,
            "code": self.code,
            "reason": self.reason,
            "reason_en": self.reason_en,
        }


@dataclass(frozen=True)
class ExtractBatch:
    """Validated rows of (part of) an extract: accepted rows, typed, and the rejected ones."""

    source: str
    rows: pl.DataFrame
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Data rows read: always ``len(rows) + len(errors)``."""
        return self.rows.height + len(self.errors)


def scan_extract(path: str | Path) -> pl.LazyFrame:
    """The raw extract as a lazy frame with a 1-based ``_row`` column; checks the header.

    CSV is read as text (``,`` or ``;`` separated, UTF-8, header on the first line; trailing
    fields beyond the header are ignored); Parquet keeps its column types. Raises
    :class:`InputError` when the file is unreadable or a required column is missing.
    """
    source = str(path)
    file = Path(path)
    if not file.is_file():
        raise InputError(source, "filen finns inte / file not found")
    kind = _kind(file)
    try:
        if kind == "parquet":
            lazy = pl.scan_parquet(file).with_row_index(_ROW, offset=1)
        else:
            lazy = pl.scan_csv(
                file,
                separator=_separator(file),
                infer_schema=False,
                row_index_name=_ROW,
                row_index_offset=1,
                truncate_ragged_lines=True,
                raise_if_empty=True,
            )
        names = lazy.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputError(
            source, f"kan inte läsa tabellfilen / cannot read the table: {_first_line(exc)}"
        ) from None
    clean = {name: name.lstrip("\ufeff").strip() for name in names}  # a BOM (Excel) or blanks around a name
    present = set(clean.values())
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing:
        raise InputError(
            source,
            f"kolumn(er) saknas / missing column(s): {', '.join(missing)}",
        )
    renames = {name: cleaned for name, cleaned in clean.items() if name != cleaned}
    keep = [_ROW, *REQUIRED_COLUMNS, *(name for name in OPTIONAL_COLUMNS if name in present)]
    return lazy.rename(renames).select(keep)


def validate_rows(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Typed columns plus ``_reason`` (null for a good row, else a :data:`REASONS` code).

    Only the first failing check of a row is reported, in the order of :data:`REASONS`.
    """
    schema = raw.collect_schema()
    text = {name: _clean_text(pl.col(name), schema[name]) for name in _ID_COLUMNS}
    patient = text["patient_id"]  # a 12-digit personnummer with separator loses it: one person, one key
    text["patient_id"] = (
        pl.when(patient.str.contains(r"^\d{8}[-+]\d{4}$"))
        .then(patient.str.replace(r"[-+]", ""))
        .otherwise(patient)
    )
    sex = _clean_text(pl.col("sex"), schema["sex"]).str.to_uppercase()
    birth_year = _integer(pl.col("birth_year"), schema["birth_year"])
    grade = _integer(pl.col("grade"), schema["grade"])
    dates = {name: _date(pl.col(name), schema[name]) for name in _DATE_COLUMNS}
    this_year = date.today().year

    reason: Any = pl.when(text["certificate_id"].is_null()).then(pl.lit("missing_certificate_id"))
    for name in _ID_COLUMNS[1:]:
        reason = reason.when(text[name].is_null()).then(pl.lit(f"missing_{name}"))
    reason = reason.when(sex.is_null() | ~sex.is_in([s.value for s in Sex])).then(pl.lit("bad_sex"))
    reason = reason.when(
        birth_year.is_null() | (birth_year < _MIN_BIRTH_YEAR) | (birth_year > this_year)
    ).then(pl.lit("bad_birth_year"))
    for name in _DATE_COLUMNS:
        reason = reason.when(dates[name].is_null()).then(pl.lit(f"bad_{name}"))
    reason = reason.when(grade.is_null() | ~grade.is_in(_GRADES)).then(pl.lit("bad_grade"))
    reason = reason.when(dates["period_end"] < dates["period_start"]).then(pl.lit("end_before_start"))

    optional = [
        _clean_text(pl.col(name), schema[name]).alias(name) for name in OPTIONAL_COLUMNS if name in schema
    ]
    return raw.select(
        pl.col(_ROW).cast(pl.Int64),
        *(expr.alias(name) for name, expr in text.items()),
        sex.alias("sex"),
        birth_year.cast(pl.Int32).alias("birth_year"),
        grade.cast(pl.Int16).alias("grade"),
        *(expr.alias(name) for name, expr in dates.items()),
        *optional,
        reason.otherwise(None).alias(_REASON),
    )


def check_certificates(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Reject every row of a certificate whose rows disagree on a certificate-level column, and
    every other row of a certificate that has a rejected row (a certificate with a missing
    period would give a wrong sjukfall length, so it is not counted at all).

    Needs all rows of each certificate in ``rows`` (a whole file, not a batch).
    """
    schema = rows.collect_schema()
    columns = [name for name in (*CERTIFICATE_COLUMNS, "fmb_motivation") if name in schema]
    good = rows.filter(pl.col(_REASON).is_null())
    multi = good.group_by("certificate_id").agg(pl.len().alias("_n")).filter(pl.col("_n") > 1)
    inconsistent = (
        good.join(multi, on="certificate_id", how="semi")
        .group_by("certificate_id")
        .agg(pl.any_horizontal([pl.col(name).n_unique() > 1 for name in columns]).alias("_bad"))
        .filter(pl.col("_bad"))
        .select("certificate_id", pl.lit(True).alias("_inconsistent"))
    )
    damaged = (
        rows.filter(pl.col(_REASON).is_not_null() & pl.col("certificate_id").is_not_null())
        .select("certificate_id", pl.lit(True).alias("_damaged"))
        .unique()
    )
    return (
        rows.join(inconsistent, on="certificate_id", how="left", maintain_order="left")
        .join(damaged, on="certificate_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col(_REASON).is_not_null())
            .then(pl.col(_REASON))
            .when(pl.col("_inconsistent").fill_null(False))
            .then(pl.lit("inconsistent_certificate"))
            .when(pl.col("_damaged").fill_null(False))
            .then(pl.lit("sibling_row_rejected"))
            .otherwise(None)
            .alias(_REASON)
        )
        .drop("_inconsistent", "_damaged")
    )


def split(source: str, checked: pl.DataFrame) -> ExtractBatch:
    """Separate validated rows into accepted rows (without helper columns) and errors."""
    bad = checked.filter(pl.col(_REASON).is_not_null())
    errors = [
        RowError(source, int(row), code, *REASONS[code])
        for row, code in zip(bad.get_column(_ROW).to_list(), bad.get_column(_REASON).to_list(), strict=True)
    ]
    accepted = checked.filter(pl.col(_REASON).is_null()).drop(_REASON)
    accepted = accepted.with_columns(patient_key=_patient_keys(accepted.get_column("patient_id"))).drop(
        "patient_id"
    )
    return ExtractBatch(source=source, rows=accepted, errors=errors)


def read_extract(path: str | Path) -> ExtractBatch:
    """Read and validate a whole extract (row and certificate checks), columnar.

    The accepted rows keep ``_row`` (the data row) and carry ``patient_key`` instead of
    ``patient_id``. Memory is that of the typed columns (about 100 bytes a row).
    """
    source = str(path)
    validated = _collect(validate_rows(scan_extract(path)), source)  # once; the check reads it twice
    return split(source, check_certificates(validated.lazy()).collect())


def iter_extract_batches(path: str | Path, *, batch_rows: int = 200_000) -> Iterator[ExtractBatch]:
    """Read an extract in batches of about ``batch_rows`` rows, validating each row.

    For streaming over files larger than memory. Row checks only: that a certificate's rows
    agree is checked by :func:`read_extract`, which sees the whole file.
    """
    source = str(path)
    lazy = validate_rows(scan_extract(path))
    try:
        for chunk in lazy.collect_batches(chunk_size=batch_rows):
            yield split(source, chunk)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            source, f"kan inte läsa tabellfilen / cannot read the table: {_first_line(exc)}"
        ) from None


def iter_certificates(batch: ExtractBatch) -> Iterator[Certificate]:
    """Group accepted rows into certificates (periods sorted by start), in certificate-id order.

    Rows of one certificate need not be adjacent in the file. Streams the sorted rows once,
    so the cost is linear in the rows and only one certificate's rows are held as dicts.
    """
    rows = batch.rows.sort(["certificate_id", "period_start", "period_end"])
    has_motivation = "fmb_motivation" in rows.columns
    has_text = "diagnosis_text" in rows.columns
    group: list[dict[str, Any]] = []
    for record in rows.iter_rows(named=True):
        if group and record["certificate_id"] != group[0]["certificate_id"]:
            yield certificate_from_rows(group, has_motivation=has_motivation, has_text=has_text)
            group = []
        group.append(record)
    if group:
        yield certificate_from_rows(group, has_motivation=has_motivation, has_text=has_text)


def certificate_from_rows(
    records: list[dict[str, Any]], *, has_motivation: bool = False, has_text: bool = False
) -> Certificate:
    """One certificate from its accepted rows (dicts as ``ExtractBatch.rows`` holds them).

    Certificate-level values come from the first row; each row gives one period, in order.
    """
    first = records[0]
    signed: date = first["signed_date"]
    return Certificate(
        id=first["certificate_id"],
        signed_at=datetime(signed.year, signed.month, signed.day),
        patient=Patient(
            key=first["patient_key"],
            sex=Sex(first["sex"]),
            birth_date=date(first["birth_year"], 1, 1),
        ),
        issuer=Issuer(unit_id=first["unit_id"], care_provider_id=first["care_provider_id"]),
        diagnoses=(
            Diagnosis(
                code=first["diagnosis_code"],
                code_system=CodeSystem.ICD10SE.value,
                text=first["diagnosis_text"] if has_text else None,
            ),
        ),
        periods=tuple(
            SickLeavePeriod(
                grade=Grade(record["grade"]), start=record["period_start"], end=record["period_end"]
            )
            for record in records
        ),
        fmb_motivation=first["fmb_motivation"] if has_motivation else None,
    )


def _collect(lazy: pl.LazyFrame, source: str) -> pl.DataFrame:
    try:
        return lazy.collect()
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            source, f"kan inte läsa tabellfilen / cannot read the table: {_first_line(exc)}"
        ) from None


def _patient_keys(patient_ids: pl.Series) -> pl.Series:
    """Pseudonymise each distinct (already normalised) id once."""
    keyed = pseudonymiser()
    keys = {value: keyed(value) for value in patient_ids.unique().to_list()}
    return patient_ids.replace_strict(keys, return_dtype=pl.String).alias("patient_key")


def _clean_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Text with surrounding blanks removed; blank → null."""
    text = column if dtype == pl.String else column.cast(pl.String)
    text = text.str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


def _integer(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A whole number from text (``"50"``, ``"50.0"``) or a numeric column; anything else null."""
    if dtype.is_integer():
        return column.cast(pl.Int64)
    number = (column.str.strip_chars() if dtype == pl.String else column).cast(pl.Float64, strict=False)
    return pl.when(number == number.round(0)).then(number.cast(pl.Int64, strict=False)).otherwise(None)


def _date(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A date from ``YYYY-MM-DD`` text or a date column; anything else null."""
    if dtype == pl.Date:
        return column
    if isinstance(dtype, pl.Datetime):
        return column.dt.date()
    text = column if dtype == pl.String else column.cast(pl.String)
    return text.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)


def _kind(file: Path) -> str:
    """``parquet`` when the file starts with Parquet's magic bytes, else ``csv``."""
    with file.open("rb") as handle:
        return "parquet" if handle.read(4) == b"PAR1" else "csv"


def _separator(file: Path) -> str:
    """``;`` when the header line uses semicolons and no commas, else ``,``."""
    with file.open("rb") as handle:
        header = handle.readline()
    return ";" if b";" in header and b"," not in header else ","


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = [
    "CERTIFICATE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REASONS",
    "REQUIRED_COLUMNS",
    "ExtractBatch",
    "RowError",
    "certificate_from_rows",
    "check_certificates",
    "iter_certificates",
    "iter_extract_batches",
    "read_extract",
    "scan_extract",
    "split",
    "validate_rows",
]
