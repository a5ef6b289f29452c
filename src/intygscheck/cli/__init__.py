"""The ``intygscheck`` command line: a thin layer over the library.

Each command group lives in its own module and registers itself on :data:`app`.
Exit codes: 0 success, 1 findings at or above ``--fail-on``, 2 usage or input errors.
"""

from __future__ import annotations

import sys
from importlib import import_module

from ._app import app, fail

_COMMAND_MODULES = ("parse_cmd", "schema_cmd", "serve_cmd", "fmb_cmd", "batch_cmd", "check_cmd", "rules_cmd")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    for module in _COMMAND_MODULES:
        import_module(f".{module}", __name__)
    from ..errors import IntygscheckError

    try:
        app(args=argv, prog_name="intygscheck", standalone_mode=True)
    except IntygscheckError as exc:  # typed input errors: one line, exit 2
        fail(str(exc))
    except BrokenPipeError:
        sys.exit(0)


__all__ = ["app", "main"]
