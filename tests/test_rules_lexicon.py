"""Swedish-aware lexicon matching: case folding, word boundaries, inflected forms, spans."""

from __future__ import annotations

import pytest

from intygscheck.rules.lexicon import Lexicon, stem

LEXICON = Lexicon.compile(
    "test",
    ["smärta", "lyfta", "kan inte arbeta", "orkar inte", "palp*", "ont", "arbetsförmåga"],
)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("Smärtan är svår.", "smärta"),
        ("Smärtor i ländryggen", "smärta"),
        ("SMÄRTORNA har ökat", "smärta"),
        ("Han lyfter inte", "lyfta"),
        ("har inte lyft något", "lyfta"),
        ("lyftande moment", "lyfta"),
        ("Kan inte arbeta alls", "kan inte arbeta"),
        ("kan   inte\narbeta", "kan inte arbeta"),
        ("Orkade inte gå dit", "orkar inte"),
        ("palperas ömt", "palp*"),
        ("vid palpation", "palp*"),
        ("har ont i ryggen", "ont"),
        ("nedsatt arbetsförmågan", "arbetsförmåga"),
    ],
)
def test_entry_matches_its_inflected_forms(text: str, entry: str) -> None:
    found = LEXICON.search(text)
    assert found is not None and found.entry == entry


@pytest.mark.parametrize(
    "text",
    [
        "montör på verkstad",  # 'ont' inside a word
        "smärtfri sedan igår",  # a compound is another word
        "lyftkran",  # likewise
        "osmärtsamt",
        "kan arbeta",  # a phrase needs all its words
        "",
    ],
)
def test_no_match_inside_words_or_partial_phrases(text: str) -> None:
    assert LEXICON.search(text) is None


def test_null_text_never_matches() -> None:
    assert LEXICON.search(None) is None
    assert LEXICON.count(None) == 0


def test_span_is_character_offsets_into_the_original_text() -> None:
    text = "Patienten ÖVER 60 år har smärtorna kvar."
    found = LEXICON.search(text)
    assert found is not None
    assert text[found.start : found.end] == "smärtorna"


def test_count_is_distinct_entries() -> None:
    assert LEXICON.count("Smärta, smärtan och mer smärta; orkar inte lyfta.") == 3


def test_longest_entry_wins_at_a_position() -> None:
    lexicon = Lexicon.compile("x", ["arbeta", "kan inte arbeta"])
    found = lexicon.search("jag kan inte arbeta")
    assert found is not None and found.entry == "kan inte arbeta"


def test_stem_removes_one_known_ending_and_keeps_three_letters() -> None:
    assert stem("smärtorna") == "smärt"
    assert stem("Lyfta") == "lyft"
    assert stem("ont") == "ont"


def test_shared_words_counts_common_stems_of_content_words() -> None:
    from intygscheck.rules.functions import fn_shared_words, fn_similarity

    assert fn_shared_words("Kan inte lyfta patienter", "Undersköterska, lyfter patienter") == 2
    assert fn_shared_words(None, "lyfter patienter") == 0
    assert fn_similarity("Kan inte lyfta patienter", "Undersköterska, lyfter patienter") == 1.0
    assert fn_similarity("Smärta i ryggen", "Kontorsarbete vid dator") == 0.0
    assert fn_similarity("", "lyfter") == 0.0


def test_grouping_by_first_letter_keeps_the_longer_entry_and_every_initial() -> None:
    lexicon = Lexicon.compile("blandat", ["ont", "ont i ryggen", "Ångest", "ångesten", "oro", "3 kg"])
    text = "ÅNGEST ökar, ont i ryggen och ORO; lyfter högst 3 kg. Ångesten"
    found = [(m.entry, text[m.start : m.end]) for m in lexicon.mentions(text)]
    assert found == [
        ("ångesten", "ÅNGEST"),  # the longer entry is tried first, as before the grouping
        ("ont i ryggen", "ont i ryggen"),
        ("oro", "ORO"),
        ("3 kg", "3 kg"),
        ("ångesten", "Ångesten"),
    ]


def test_remembered_results_are_the_same_and_not_shared_lists() -> None:
    lexicon = Lexicon.compile("smarta", ["smärta", "värk"])
    text = "Smärtan och värken."
    first = lexicon.mentions(text)
    first.clear()
    assert [m.entry for m in lexicon.mentions(text)] == ["smärta", "värk"]
    assert lexicon.search(text) == lexicon.search(text) and lexicon.count(text) == 2
