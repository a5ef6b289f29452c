"""``intygscheck parse FILE...``: show what intygscheck read from each certificate."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._app import app


class ParseFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Certificate files (RIVTA XML, FHIR or native JSON).")],
    output_format: Annotated[ParseFormat, typer.Option("--format", help="text or json (the model).")] = (
        ParseFormat.TEXT
    ),
) -> None:
    """Print each certificate's D, F, A, periods and basis (or the whole model as JSON)."""
    from ..errors import InputError
    from ..ingest import read
    from ..report.summary import describe_certificate

    failed = False
    for path in files:
        try:
            certificate = read(path)
        except InputError as exc:
            print(f"intygscheck: {exc}", file=sys.stderr)
            failed = True
            continue
        if output_format is ParseFormat.JSON:
            print(certificate.model_dump_json())
        else:
            print(describe_certificate(certificate, source=str(path)))
    if failed:
        raise typer.Exit(2)
