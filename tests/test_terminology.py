"""ICD-10-SE lookup: which source accepts a code, chapters and blocks, code ranges for rules."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intygscheck.terminology.fmb.table import SHIPPED_TABLE, load_table
from intygscheck.terminology.icd10 import (
    block_of,
    chapter_numeral_of,
    chapter_of,
    in_range,
    lookup,
    normalize,
)
from intygscheck.terminology.icd10se import BLOCKS, CHAPTERS, SE_CODES


@pytest.mark.parametrize(
    ("code", "source", "chapter", "block"),
    [
        ("F43.8A", "icd10-se", "V", "F40–F48"),
        ("F32.1", "icd10-cm", "V", "F30–F39"),
        ("M54.5", "icd10-cm", "XIII", "M50–M54"),
        ("S52.5", "icd10-cm", "XIX", "S50–S59"),
        ("J06.9", "icd10-cm", "X", "J00–J06"),
        ("K40.9", "icd10-cm", "XI", "K40–K46"),
        ("U07.1", "icd10-se", "XXII", "U00–U49"),
        ("F41.2", "icd10-se", "V", "F40–F48"),
        ("I64", "icd10-se", "IX", "I60–I69"),
    ],
)
def test_valid_codes_name_the_source_that_accepted_them(
    code: str, source: str, chapter: str, block: str
) -> None:
    info = lookup(code)
    assert info.valid, info.reason
    assert info.source == source
    assert info.chapter == chapter
    assert info.block == block
    assert info.description


def test_swedish_addition_has_its_swedish_title() -> None:
    info = lookup("f438a")
    assert info.code == "F438A"
    assert info.display == "F43.8A"
    assert info.description == "Utmattningssyndrom"
    assert info.description_language == "sv"
    assert info.chapter_range == "F00–F99"


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        ("X99.9Q", "underkoden 9Q"),
        ("F43.8Q", "underkoden 8Q"),
        ("ABC", "fel form"),
        ("Q99.9X", "underkoden 9X"),
        ("S52500A", "3–5 tecken"),
        ("E08", "bara i ICD-10-CM"),
        ("P97", "utanför ICD-10:s kapitel"),
        ("", "tom kod"),
    ],
)
def test_made_up_codes_are_rejected_with_a_reason(code: str, reason_part: str) -> None:
    info = lookup(code)
    assert not info.valid
    assert info.source is None
    assert info.reason is not None and reason_part in info.reason
    assert info.reason_en


def test_q999_is_a_real_who_code_not_a_made_up_one() -> None:
    info = lookup("Q999")
    assert info.valid
    assert info.chapter == "XVII"
    assert info.block == "Q90–Q99"


def test_normalisation_ignores_dot_case_and_spaces() -> None:
    assert normalize(" f43.8a ") == "F438A"
    lower, upper = lookup("m54.5"), lookup("M545")
    assert (lower.code, lower.valid, lower.source, lower.block) == (
        upper.code,
        upper.valid,
        upper.source,
        upper.block,
    )
    assert lower.input == "m54.5"


def test_chapter_and_block_helpers_accept_dotted_and_undotted_codes() -> None:
    assert chapter_of("F43.8A") == "F00–F99"
    assert chapter_numeral_of("F438A") == "V"
    assert block_of("F43.8A") == "F40–F48"
    assert chapter_of("T14.1") == "S00–T98"
    assert block_of("A00") == "A00–A09"
    assert chapter_of("P97") is None
    assert block_of("U50") is None


@pytest.mark.parametrize(
    ("code", "spec", "expected"),
    [
        ("F32.1", "F32-F33", True),
        ("F33.9", "F32–F33", True),
        ("F34.1", "F32-F33", False),
        ("F31.9", "F32-F33", False),
        ("F43.8A", "F43", True),
        ("F43.8A", "F43.8A", True),
        ("F43.2", "F43.8A", False),
        ("M54.5", "M54.4-M54.5", True),
        ("M54.3", "M54.4-M54.5", False),
        ("J06.9", "F32-F33, J00–J06", True),
    ],
)
def test_in_range_accepts_hyphen_en_dash_subcodes_and_lists(code: str, spec: str, expected: bool) -> None:
    assert in_range(code, spec) is expected


@pytest.mark.parametrize("spec", ["", "F33-F32", "F32-", "32-33", "F32-F33-F34"])
def test_in_range_rejects_malformed_ranges(spec: str) -> None:
    with pytest.raises(ValueError):
        in_range("F32.1", spec)


def test_blocks_are_ordered_disjoint_and_inside_one_chapter() -> None:
    assert len(CHAPTERS) == 22
    assert len(BLOCKS) >= 250
    for (_, previous_last), (first, _) in itertools.pairwise(BLOCKS):
        assert previous_last < first
    for first, last in BLOCKS:
        assert first <= last
        assert chapter_of(first) == chapter_of(last) is not None


def test_every_chapter_has_blocks() -> None:
    for chapter in CHAPTERS:
        assert any(chapter.first <= first <= chapter.last for first, _ in BLOCKS), chapter.numeral


def test_every_code_of_the_icd10se_layer_has_a_chapter_and_block() -> None:
    for code in SE_CODES:
        info = lookup(code)
        assert info.valid and info.source == "icd10-se", code
        assert info.chapter and info.block, code


def test_every_fmb_code_is_a_valid_diagnosis_code() -> None:
    table = load_table(SHIPPED_TABLE)
    rejected = [code for code in table.codes if not lookup(code).valid]
    assert rejected == []


@given(st.text(max_size=12))
def test_lookup_never_raises_and_explains_every_rejection(text: str) -> None:
    info = lookup(text)
    assert info.valid or info.reason


@given(st.sampled_from([*sorted(SE_CODES), "F321", "M545", "S525", "J069"]), st.booleans())
def test_dot_and_case_do_not_change_the_answer(code: str, lower: bool) -> None:
    written = f"{code[:3]}.{code[3:]}" if len(code) > 3 else code
    written = written.lower() if lower else written
    a, b = lookup(code), lookup(written)
    assert (a.valid, a.source, a.code, a.block, a.description) == (
        b.valid,
        b.source,
        b.code,
        b.block,
        b.description,
    )
