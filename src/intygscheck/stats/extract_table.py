"""The per-certificate table (:mod:`.schema`) built straight from validated extract rows.

This is the fast columnar path: a million extract rows become the table in a few seconds
without creating a :class:`~intygscheck.model.Certificate` per row. Rule findings are not
available here, so ``completion_questions`` and ``fmb_exceeded`` are null; ``fmb_motivated``
is filled when the extract has an ``fmb_motivation`` column.

Conventions: a certificate's grade is its highest period grade; age is the signing year minus
the birth year (the extract's birth date is January 1); the month is the signing month.
"""

from __future__ import annotations

import polars as pl

from .icd10_groups import with_diagnosis_groups
from .schema import AGE_BANDS, age_band, conform
from .sjukfall_columnar import Scope, chain_sjukfall


def certificate_table(
    rows: pl.DataFrame,
    *,
    scope: Scope | str = "unit",
    gap_days: int = 5,
    age_edges: tuple[int, ...] = AGE_BANDS,
) -> pl.DataFrame:
    """One row per certificate in the :data:`~.schema.CERTIFICATE_TABLE_SCHEMA` shape, the
    certificates of each sjukfall together and in chain order.

    ``rows`` are accepted extract rows (``ExtractBatch.rows`` from
    :func:`intygscheck.ingest.extract.read_extract`), all rows of each patient included.
    """
    has_motivation = "fmb_motivation" in rows.columns
    certificates = (
        rows.lazy()
        .group_by("certificate_id")
        .agg(
            pl.col("patient_key").first(),
            pl.col("unit_id").first(),
            pl.col("care_provider_id").first(),
            pl.col("diagnosis_code").first(),
            pl.col("sex").first(),
            pl.col("birth_year").first(),
            pl.col("signed_date").first(),
            pl.col("grade").max().cast(pl.Int16),
            (pl.col("grade") < 100).any().alias("part_time"),
            (
                pl.col("fmb_motivation").is_not_null().any() if has_motivation else pl.lit(None, pl.Boolean)
            ).alias("fmb_motivated"),
        )
        .collect()  # once: the diagnosis lookup below reads it too
    )
    chained = chain_sjukfall(rows, scope=scope, gap_days=gap_days).lazy()  # in case, then chain order
    table = chained.join(
        with_diagnosis_groups(certificates.lazy()), on="certificate_id", how="inner", maintain_order="left"
    ).with_columns(
        age_band(pl.col("signed_date").dt.year() - pl.col("birth_year"), age_edges).alias("age_band"),
        pl.col("signed_date").dt.strftime("%Y-%m").alias("month"),
    )
    return conform(table).collect()


def case_table(certificates: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per sjukfall from a per-certificate table.

    The case's length is the last certificate's ``sjukfall_days``; its diagnosis (code, chapter,
    block) and unit are the last certificate's (Intygsstatistik's convention); its age band,
    grade and month are the first certificate's (the situation when the case began, not shaped
    by how long it lasted). Cases whose first certificate is not in the table (a window that
    starts mid-case) take those from their earliest certificate present.
    """
    lazy = certificates.lazy().sort(["case_id", "case_position"])
    return lazy.group_by("case_id", maintain_order=True).agg(
        pl.col("patient_key").first(),
        pl.col("sex").first(),
        pl.col("age_band").first(),
        pl.col("grade").first(),
        pl.col("month").first(),
        pl.col("first_certificate_days").first(),
        pl.col("unit_id").last(),
        pl.col("care_provider_id").last(),
        pl.col("diagnosis_code").last(),
        pl.col("chapter").last(),
        pl.col("block").last(),
        pl.col("sjukfall_days").max(),
        pl.len().alias("certificates"),
    )
