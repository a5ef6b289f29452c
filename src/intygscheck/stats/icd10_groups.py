"""Diagnosis chapter and block columns for statistics, vectorised over a whole table.

The equality analysis and the indicators group certificates by ICD-10 chapter (``V``) and
block (``F30–F39``). The classification itself lives in :mod:`intygscheck.terminology.icd10`
(WHO ranges, which ICD-10-SE shares); this module only applies it to a column: each
*distinct* code is looked up once and the result joined back, so a million rows with a few
thousand distinct codes cost a few thousand lookups. A code outside every chapter or block
gets null there; such rows fall out of the diagnosis-grouped cells but still count overall.
"""

from __future__ import annotations

import polars as pl

from ..terminology.icd10 import block_of, chapter_numeral_of


def with_diagnosis_groups(frame: pl.LazyFrame, code_column: str = "diagnosis_code") -> pl.LazyFrame:
    """Add ``chapter`` (roman numeral) and ``block`` (``F30–F39``) columns, null when unknown."""
    codes = frame.select(pl.col(code_column).unique()).collect().get_column(code_column).to_list()
    lookup = pl.DataFrame(
        {
            code_column: codes,
            "chapter": [chapter_numeral_of(code) if code else None for code in codes],
            "block": [block_of(code) if code else None for code in codes],
        },
        schema={code_column: pl.String, "chapter": pl.String, "block": pl.String},
    )
    return frame.join(lookup.lazy(), on=code_column, how="left", nulls_equal=True, maintain_order="left")
