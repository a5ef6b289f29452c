"""The shared Typer application and the helpers every command uses."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

app = typer.Typer(
    name="intygscheck",
    help="Checks Swedish sick-leave certificates (FK 7804).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit (2 = usage or input error)."""
    print(f"intygscheck: {message}", file=sys.stderr)
    raise SystemExit(code)


def require_extra(extra: str, modules: tuple[str, ...]) -> None:
    """Exit 2 with an install hint when an optional extra's packages are missing."""
    from importlib.util import find_spec

    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        absent = ", ".join(missing)
        fail(
            f"kräver tillägget '{extra}' / needs the '{extra}' extra (saknas / missing: {absent}): "
            f"pip install 'intygscheck[{extra}]'"
        )
