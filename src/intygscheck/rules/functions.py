"""The built-in functions of the rule language, with the null semantics of docs/rule-language.md.

Each function is a plain Python function over already-evaluated values; arguments written as
lambdas (``p -> p.grade < 100``) arrive as one-argument callables. Collection functions treat
a null collection as empty (``any`` false, ``all`` true, ``count`` 0); text functions treat
null text as empty (``length`` 0, ``blank`` true, ``mentions`` false).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from ..terminology import icd10
from .lexicon import FUNCTION_WORDS, Lexicon, stem
from .regex import Regex

Fn = Callable[[Any], Any]


@dataclass(frozen=True)
class FunctionSpec:
    """A built-in: its arity, which argument positions are lambdas, and what it does."""

    name: str
    min_args: int
    max_args: int
    lambdas: frozenset[int]
    impl: Callable[..., Any]
    summary: str


def _items(xs: Iterable[Any] | None) -> Iterable[Any]:
    return () if xs is None else xs


def fn_any(xs: Iterable[Any] | None, pred: Fn) -> bool:
    """True when ``pred`` is true for some element."""
    return any(pred(x) is True for x in _items(xs))


def fn_all(xs: Iterable[Any] | None, pred: Fn) -> bool:
    """True when ``pred`` is true for every element (true for an empty or null list)."""
    return all(pred(x) is True for x in _items(xs))


def fn_count(xs: Any, pred: Fn | None = None) -> int:
    """The number of elements (for which ``pred`` is true)."""
    if xs is None:
        return 0
    if pred is None:
        return len(xs) if hasattr(xs, "__len__") else sum(1 for _ in xs)
    return sum(1 for x in xs if pred(x) is True)


def _values(xs: Iterable[Any] | None, fn: Fn | None) -> list[Any]:
    values = _items(xs) if fn is None else (fn(x) for x in _items(xs))
    return [v for v in values if v is not None]


def fn_sum(xs: Iterable[Any] | None, fn: Fn | None = None) -> Any:
    """The sum of the (mapped) non-null elements; 0 for none."""
    return sum(_values(xs, fn))


def fn_min(xs: Iterable[Any] | None, fn: Fn | None = None) -> Any:
    """The smallest (mapped) non-null element; null for none."""
    return min(_values(xs, fn), default=None)


def fn_max(xs: Iterable[Any] | None, fn: Fn | None = None) -> Any:
    """The largest (mapped) non-null element; null for none."""
    return max(_values(xs, fn), default=None)


def fn_filter(xs: Iterable[Any] | None, pred: Fn) -> tuple[Any, ...]:
    """The elements for which ``pred`` is true."""
    return tuple(x for x in _items(xs) if pred(x) is True)


def fn_map(xs: Iterable[Any] | None, fn: Fn) -> tuple[Any, ...]:
    """``fn`` applied to each element."""
    return tuple(fn(x) for x in _items(xs))


def fn_distinct(xs: Iterable[Any] | None) -> tuple[Any, ...]:
    """The elements without repeats, first occurrence kept."""
    out: list[Any] = []
    for x in _items(xs):
        if x not in out:
            out.append(x)
    return tuple(out)


def fn_first(xs: Any) -> Any:
    """The first element; null for an empty or null list."""
    return xs[0] if xs else None


def fn_last(xs: Any) -> Any:
    """The last element; null for an empty or null list."""
    return xs[-1] if xs else None


def fn_exists(x: Any) -> bool:
    """True for a value that is not null (and, for a list, not empty)."""
    if x is None:
        return False
    return len(x) > 0 if isinstance(x, tuple | list) else True


def fn_length(text: str | None) -> int:
    """Characters after trimming; 0 for null."""
    return 0 if text is None else len(text.strip())


def fn_words(text: str | None) -> int:
    """Whitespace-separated words; 0 for null."""
    return 0 if text is None else len(text.split())


def fn_blank(text: str | None) -> bool:
    """True for null, empty or whitespace-only text."""
    return text is None or not text.strip()


def fn_lower(text: str | None) -> str | None:
    """Lower case; null stays null."""
    return None if text is None else text.lower()


def fn_mentions(text: str | None, lexicon: Lexicon) -> bool:
    """True when some entry of ``lexicon`` occurs in ``text`` (inflection-aware)."""
    return lexicon.search(text) is not None


def fn_mentions_count(text: str | None, lexicon: Lexicon) -> int:
    """How many distinct entries of ``lexicon`` occur in ``text``."""
    return lexicon.count(text)


def fn_matches(text: str | None, regex: Regex) -> bool:
    """True when the RE2 pattern matches somewhere in ``text`` (case-insensitive)."""
    return regex.test(text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fn_concat(*values: Any) -> str:
    """The values as text, joined; null counts as empty."""
    return "".join(_text(v) for v in values)


def fn_code_in(code: str | None, spec: str) -> bool:
    """True when ``code`` lies in ``spec`` (``F32-F33``, ``F43``, ``F43.8A``, comma lists)."""
    return False if not code else _in_range(code, spec)


_in_range = lru_cache(maxsize=8192)(icd10.in_range)
"""``icd10.in_range`` remembered: a pure function of two strings, asked per diagnosis per rule."""


def _hyphen(text: str | None) -> str | None:
    return None if text is None else text.replace("–", "-")


def fn_chapter(code: str | None) -> str | None:
    """The ICD-10 chapter range of ``code``, e.g. ``F00-F99``."""
    return None if not code else _hyphen(icd10.chapter_of(code))


def fn_block(code: str | None) -> str | None:
    """The ICD-10 block of ``code``, e.g. ``F30-F39``."""
    return None if not code else _hyphen(icd10.block_of(code))


def fn_known_code(code: str | None) -> bool:
    """True when ICD-10-SE (or ICD-10-CM, inside WHO's blocks) accepts ``code``."""
    return False if not code else icd10.lookup(code).valid


def fn_code_system_family(diagnosis: Any) -> str | None:
    """``ICD-10-SE`` or ``KSH97-P`` for a diagnosis row (null when unknown)."""
    return None if diagnosis is None else diagnosis.code_system_family


_WORD = re.compile(r"\w+")
_MIN_SHARED_WORD = 4


def _stems(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    return _text_stems(text)


@lru_cache(maxsize=2048)
def _text_stems(text: str) -> frozenset[str]:
    """The content-word stems of ``text`` (remembered: several rules compare the same texts)."""
    words = (word.casefold() for word in _WORD.findall(text))
    return frozenset(
        stem(word) for word in words if len(word) >= _MIN_SHARED_WORD and word not in FUNCTION_WORDS
    )


def fn_shared_words(first: str | None, second: str | None) -> int:
    """How many distinct word stems (4+ letters, not function words) both texts use."""
    return len(_stems(first) & _stems(second))


def fn_similarity(first: str | None, second: str | None) -> float:
    """Shared stems divided by the smaller text's number of stems (0 to 1; 0 when one is empty)."""
    a, b = _stems(first), _stems(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def fn_abs(x: int | float | None) -> int | float | None:
    """The absolute value; null stays null."""
    return None if x is None else abs(x)


def fn_round(x: int | float | None) -> int | None:
    """Rounded to the nearest whole number; null stays null."""
    return None if x is None else round(x)


def _spec(
    name: str, min_args: int, max_args: int, impl: Callable[..., Any], lambdas: tuple[int, ...] = ()
) -> FunctionSpec:
    summary = (impl.__doc__ or "").strip().splitlines()[0]
    return FunctionSpec(name, min_args, max_args, frozenset(lambdas), impl, summary)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        _spec("any", 2, 2, fn_any, (1,)),
        _spec("all", 2, 2, fn_all, (1,)),
        _spec("count", 1, 2, fn_count, (1,)),
        _spec("sum", 1, 2, fn_sum, (1,)),
        _spec("min", 1, 2, fn_min, (1,)),
        _spec("max", 1, 2, fn_max, (1,)),
        _spec("filter", 2, 2, fn_filter, (1,)),
        _spec("map", 2, 2, fn_map, (1,)),
        _spec("distinct", 1, 1, fn_distinct),
        _spec("first", 1, 1, fn_first),
        _spec("last", 1, 1, fn_last),
        _spec("exists", 1, 1, fn_exists),
        _spec("length", 1, 1, fn_length),
        _spec("words", 1, 1, fn_words),
        _spec("blank", 1, 1, fn_blank),
        _spec("lower", 1, 1, fn_lower),
        _spec("mentions", 2, 2, fn_mentions),
        _spec("mentions_count", 2, 2, fn_mentions_count),
        _spec("matches", 2, 2, fn_matches),
        _spec("concat", 1, 64, fn_concat),
        _spec("code_in", 2, 2, fn_code_in),
        _spec("chapter", 1, 1, fn_chapter),
        _spec("block", 1, 1, fn_block),
        _spec("known_code", 1, 1, fn_known_code),
        _spec("code_system_family", 1, 1, fn_code_system_family),
        _spec("shared_words", 2, 2, fn_shared_words),
        _spec("similarity", 2, 2, fn_similarity),
        _spec("abs", 1, 1, fn_abs),
        _spec("round", 1, 1, fn_round),
    )
}
"""Every built-in by name."""
