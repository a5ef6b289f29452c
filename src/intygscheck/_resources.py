"""Locate the data the package needs at run time: grammars, rulesets and tables.

In a wheel they live under ``intygscheck/_data``; in a source checkout (editable install)
they are the top-level ``grammars/`` and ``rulesets/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder ``name`` (``grammars`` or ``rulesets``) wherever this install keeps it."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"intygscheck data folder {name!r} is missing from this installation")


def package_data(relative: str) -> Path:
    """A file shipped inside the package itself (e.g. ``terminology/data/fmb.json``)."""
    return _PACKAGE_DIR / relative
