r"""Swedish-aware word lists: case-folded, word-bounded, inflection-tolerant matching.

Each entry becomes a pattern: every content word is reduced to a stem by removing one known
Swedish ending, and then matches the stem followed by any known ending (``smärta`` → ``smärt``
matches ``smärtan``, ``smärtor``, ``smärtorna``; ``lyfta`` matches ``lyfter``, ``lyft``,
``lyftande``). A trailing ``*`` makes a prefix entry (``palp*``). Words of a phrase are
separated by any whitespace. A lexicon compiles to ONE regular expression of literal
alternations followed by ``\w*`` — no nested quantifiers, so matching is linear — and the
captured endings are then checked against the known endings.
Python's ``re`` is used (not RE2) because its word boundaries understand å, ä and ö.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# Swedish inflectional and derivational endings (nouns, verbs, adjectives, participles).
SUFFIXES: tuple[str, ...] = (
    "arnas", "ernas", "ornas", "andes", "endes",
    "arna", "erna", "orna", "ande", "ende", "ades", "ning", "ningen", "ningar",
    "ade", "ad", "at", "ats", "and", "ens", "ets", "nas", "ers", "ars", "ors", "are", "ast",
    "en", "et", "na", "er", "ar", "or", "an", "de", "te", "da", "dd", "tt", "ts", "ns", "as",
    "es", "os", "a", "e", "t", "s", "n", "d", "r",
)  # fmt: skip
"""Endings a stem may carry. Longer endings are tried first when stemming an entry."""

_STRIP_ORDER = tuple(sorted(set(SUFFIXES), key=len, reverse=True))
_MIN_STEM = 3
_INFLECT_MIN_LENGTH = 4
FUNCTION_WORDS = frozenset(
    {
        "inte",
        "kan",
        "ska",
        "har",
        "hade",
        "och",
        "att",
        "som",
        "med",
        "för",
        "till",
        "utan",
        "mer",
        "alls",
        "eller",
        "men",
        "den",
        "det",
        "han",
        "hon",
        "sig",
        "sin",
        "sitt",
        "sina",
        "från",
        "över",
        "under",
        "efter",
        "vid",
        "på",
        "av",
        "om",
        "ej",
        "icke",
        "ingen",
        "inget",
        "inga",
    }
)
"""Short Swedish words that are not inflected in lexicon entries and not counted as content words."""
_SUFFIX_SET = frozenset(SUFFIXES) | {""}


_CACHE_SIZE = 2048
"""Texts remembered per lexicon (and words for :func:`stem`): a vendor re-checks the same
certificate while the doctor types, and most of its texts have not changed since the last check."""


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """``word`` without one known ending, keeping at least three letters (``smärtorna`` → ``smärt``)."""
    folded = word.casefold()
    for ending in _STRIP_ORDER:
        if folded.endswith(ending) and len(folded) - len(ending) >= _MIN_STEM:
            return folded[: -len(ending)]
    return folded


def _inflected(word: str) -> bool:
    folded = word.casefold()
    return len(folded) >= _INFLECT_MIN_LENGTH and folded not in FUNCTION_WORDS and folded.isalpha()


def _word_pattern(word: str, group: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1].casefold()) + r"\w*"
    if not _inflected(word):
        return re.escape(word.casefold())
    # the stem, then the rest of the word, captured so it can be checked against SUFFIXES
    return re.escape(stem(word)) + rf"(?P<{group}>\w*)"


def entry_pattern(entry: str, prefix: str = "s") -> str:
    """The regular expression (without word boundaries) one lexicon entry compiles to.

    Each inflected word captures its ending in group ``<prefix>_<n>``; a match counts only when
    every captured ending is a known Swedish ending (see :data:`SUFFIXES`).
    """
    return r"\s+".join(_word_pattern(word, f"{prefix}_{n}") for n, word in enumerate(entry.split()))


@dataclass(frozen=True)
class Mention:
    """One match of a lexicon entry: which entry and the ``[start, end)`` span in the text."""

    entry: str
    start: int
    end: int


@dataclass(frozen=True)
class _Entry:
    text: str
    suffix_groups: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """A compiled word list: ``search`` finds the first mention, ``count`` the distinct entries.

    Matching is two-step and linear: one regular expression of literal stems finds candidate
    words (``arbet\\w*``), then the captured endings are checked against the known endings, so
    ``arbetet`` matches the entry ``arbete`` but ``arbetslös`` does not.
    """

    name: str
    entries: tuple[str, ...]
    _regex: re.Pattern[str] = field(repr=False, compare=False)
    _by_group: dict[str, _Entry] = field(repr=False, compare=False)
    _first: Callable[[str], Mention | None] = field(init=False, repr=False, compare=False)
    _all: Callable[[str], tuple[Mention, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Results are a pure function of the text: remember them per lexicon (thread-safe LRU).
        object.__setattr__(self, "_first", lru_cache(maxsize=_CACHE_SIZE)(self._search_uncached))
        object.__setattr__(
            self, "_all", lru_cache(maxsize=_CACHE_SIZE)(lambda text: tuple(self._matches(text)))
        )

    @classmethod
    def compile(cls, name: str, entries: Sequence[str]) -> Lexicon:
        """Compile ``entries`` into one regular expression (longer entries are tried first).

        The alternatives are grouped by their first letter (each group in the longer-first
        order), so at a word start the engine tries only the entries that can begin there
        instead of every entry: the same leftmost-first match, several times faster.
        """
        by_group: dict[str, _Entry] = {}
        by_initial: dict[str, list[str]] = {}
        ordered = sorted(enumerate(entries), key=lambda pair: (-len(pair[1]), pair[0]))
        for index, entry in ordered:
            group = f"e{index}"
            words = entry.split()
            suffixes = tuple(
                f"s{index}_{n}" for n, word in enumerate(words) if not word.endswith("*") and _inflected(word)
            )
            by_group[group] = _Entry(entry, suffixes)
            initial = entry[0].casefold()[0] if entry[0].isalpha() else ""
            by_initial.setdefault(initial, []).append(f"(?P<{group}>{entry_pattern(entry, f's{index}')})")
        branches = [
            f"(?={re.escape(initial)})(?:{'|'.join(alternatives)})" if initial else "|".join(alternatives)
            for initial, alternatives in by_initial.items()
        ]
        body = "|".join(branches) if branches else "(?!)"
        regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
        return cls(name, tuple(entries), regex, by_group)

    def _matches(self, text: str) -> Iterator[Mention]:
        position = 0
        search = self._regex.search
        while (match := search(text, position)) is not None:
            entry = self._by_group[match.lastgroup or ""]
            if all(match.group(g).casefold() in _SUFFIX_SET for g in entry.suffix_groups):
                yield Mention(entry.text, match.start(), match.end())
                position = match.end()
            else:
                position = match.start() + 1

    def _search_uncached(self, text: str) -> Mention | None:
        return next(self._matches(text), None)

    def search(self, text: str | None) -> Mention | None:
        """The first mention in ``text`` (None for null text or no mention)."""
        if not text:
            return None
        return self._first(text)

    def mentions(self, text: str | None) -> list[Mention]:
        """All non-overlapping mentions, in text order."""
        return list(self._all(text)) if text else []

    def count(self, text: str | None) -> int:
        """How many distinct entries occur in ``text``."""
        return len({mention.entry for mention in self._all(text)}) if text else 0
