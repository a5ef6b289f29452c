"""The per-certificate table: the one shape every population statistic is computed from.

The batch runner fills it from checked certificates (findings included); the extract reader
fills it straight from a tabular extract (no findings: the completion and FMB columns are
null). Indicators and the equality analysis read only this table, so both paths give the
same statistics. One row per certificate.

=========================  ===============  ====================================================
column                     type             meaning
=========================  ===============  ====================================================
certificate_id             String           the certificate's id
patient_key                String           keyed pseudonym of the identity number
unit_id                    String           issuing care unit (HSA id)
care_provider_id           String           issuing care provider (HSA id)
diagnosis_code             String           main diagnosis, ICD-10-SE, as written
chapter                    String           ICD-10 chapter of the main diagnosis (``V``), or null
block                      String           ICD-10 block (``F30–F39``), or null
sex                        String           ``K`` (kvinna) or ``M`` (man)
age_band                   String           age at signing in :data:`AGE_BANDS` bands
month                      String           signing month, ``YYYY-MM``
grade                      Int16            highest grade on the certificate (25, 50, 75, 100)
part_time                  Boolean          some period is 25, 50 or 75 %
certificate_days           Int32            calendar days the certificate's periods cover
case_id                    String           id of the first certificate of its sjukfall
case_position              Int32            1-based place of the certificate in its sjukfall
sjukfall_days              Int32            days covered by the sjukfall up to this certificate
first_certificate_days     Int32            days covered by the sjukfall's first certificate
completion_questions       List(String)     FK question ids of komplettering findings; null
                                            when the certificate was not rule-checked
fmb_exceeded               Boolean          the sjukfall exceeds the FMB maximum; null if unknown
fmb_motivated              Boolean          question 37 is answered; null if unknown
=========================  ===============  ====================================================
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import polars as pl

CERTIFICATE_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "certificate_id": pl.String(),
    "patient_key": pl.String(),
    "unit_id": pl.String(),
    "care_provider_id": pl.String(),
    "diagnosis_code": pl.String(),
    "chapter": pl.String(),
    "block": pl.String(),
    "sex": pl.String(),
    "age_band": pl.String(),
    "month": pl.String(),
    "grade": pl.Int16(),
    "part_time": pl.Boolean(),
    "certificate_days": pl.Int32(),
    "case_id": pl.String(),
    "case_position": pl.Int32(),
    "sjukfall_days": pl.Int32(),
    "first_certificate_days": pl.Int32(),
    "completion_questions": pl.List(pl.String()),
    "fmb_exceeded": pl.Boolean(),
    "fmb_motivated": pl.Boolean(),
}
"""Column names and types of the per-certificate table, in order."""

AGE_BANDS: tuple[int, ...] = (25, 35, 45, 55, 65)
"""Lower edges of the age bands after the first: ``<25``, ``25-34``, ..., ``55-64``, ``65+``."""


def age_band_labels(edges: tuple[int, ...] = AGE_BANDS) -> list[str]:
    """The band labels for ``edges``: ``["<25", "25-34", ..., "65+"]``."""
    labels = [f"<{edges[0]}"]
    labels += [f"{low}-{high - 1}" for low, high in pairwise(edges)]
    labels.append(f"{edges[-1]}+")
    return labels


def age_band(age: pl.Expr, edges: tuple[int, ...] = AGE_BANDS) -> pl.Expr:
    """The age band label of an integer age expression (null age → null band)."""
    labels = age_band_labels(edges)
    expression: Any = pl.when(age < edges[0]).then(pl.lit(labels[0]))
    for index, high in enumerate(edges[1:], start=1):
        expression = expression.when(age < high).then(pl.lit(labels[index]))
    band: pl.Expr = expression.when(age.is_not_null()).then(pl.lit(labels[-1])).otherwise(None)
    return band


def conform(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The table with exactly the schema's columns, in order and type; missing columns are null.

    Raises ``ValueError`` naming the columns that cannot be derived when an essential one is
    missing (``certificate_id``, ``sex``, ``unit_id``).
    """
    lazy = frame.lazy()
    present = set(lazy.collect_schema().names())
    essential = {"certificate_id", "sex", "unit_id"}
    missing = sorted(essential - present)
    if missing:
        raise ValueError(f"per-certificate table lacks column(s): {', '.join(missing)}")
    return lazy.select(
        [
            (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in CERTIFICATE_TABLE_SCHEMA.items()
        ]
    )


def empty_table() -> pl.DataFrame:
    """A per-certificate table with no rows."""
    return pl.DataFrame(schema=CERTIFICATE_TABLE_SCHEMA)
