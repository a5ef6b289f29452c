"""Terminology: ICD-10-SE diagnosis codes and Socialstyrelsen's FMB tables.

``lookup(code)`` validates and describes a code (and says which source accepted it);
``in_range``, ``chapter_of`` and ``block_of`` are the code helpers the rule language uses.
FMB lives in :mod:`intygscheck.terminology.fmb`.
"""

from .icd10 import CodeInfo, block_of, chapter_numeral_of, chapter_of, in_range, lookup, normalize

__all__ = ["CodeInfo", "block_of", "chapter_numeral_of", "chapter_of", "in_range", "lookup", "normalize"]
