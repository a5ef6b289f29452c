"""``intygscheck batch INPUT... --out DIR``: check many certificates and write the quality outputs."""

from __future__ import annotations

import os
import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Annotated

import typer

from ._app import app, fail, require_extra


@app.command()
def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Files, folders, zip archives, NDJSON files and CSV/Parquet extracts."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    extract_ruleset: Annotated[
        list[str] | None,
        typer.Option(
            "--extract-ruleset",
            help="Ruleset for certificates from a CSV/Parquet extract (repeatable; default: fmb).",
        ),
    ] = None,
    ruleset: Annotated[
        list[str] | None, typer.Option("--ruleset", "-r", help="Ruleset name or path (repeatable).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = 0,
    partitions: Annotated[int, typer.Option(help="Patient partitions (more = less memory per task).")] = 32,
    gap_days: Annotated[int, typer.Option(help="Largest gap in days that still chains a sjukfall.")] = 5,
    care_provider: Annotated[
        bool, typer.Option("--care-provider", help="Chain sjukfall per care provider (Intygsstatistik).")
    ] = False,
    engine: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    no_reports: Annotated[
        bool, typer.Option("--no-reports", help="Skip indicators, equality and HTML.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check every certificate in INPUT..., chain sjukfall, and write results, errors, summary,
    indicators, the gender-equality analysis and report.html to --out.

    Exit code 0 when every input is accounted for, 1 when the run is incomplete (interrupted:
    rerun the same command to continue), 2 for usage errors and rulesets that do not load.
    """
    require_extra("stats", ("polars", "numpy", "scipy", "statsmodels", "matplotlib"))
    if engine == "dask":
        require_extra("dask", ("distributed",))
    from ..batch.runner import BatchOptions, run_batch
    from ..cases import CaseScope

    if engine not in ("local", "dask"):
        fail(f"--engine måste vara local eller dask, inte {engine!r} / --engine must be local or dask")
    if partitions < 1:
        fail("--partitions måste vara minst 1 / --partitions must be at least 1")
    if jobs < 0:
        fail("--jobs får inte vara negativt / --jobs must not be negative")
    if scheduler is not None and engine != "dask":
        fail("--scheduler kräver --engine dask / --scheduler needs --engine dask")
    if out.exists() and not out.is_dir():
        fail(f"{out} finns och är ingen mapp / exists and is not a folder")
    options = BatchOptions(
        rulesets=tuple(ruleset) if ruleset else None,
        extract_rulesets=tuple(extract_ruleset) if extract_ruleset else ("fmb",),
        jobs=jobs or os.cpu_count() or 1,
        partitions=partitions,
        gap_days=gap_days,
        case_scope=CaseScope.CARE_PROVIDER if care_provider else CaseScope.UNIT,
        engine=engine,
        scheduler=scheduler,
        reports=not no_reports,
    )
    try:
        if quiet:
            summary = run_batch(inputs, out, options)
        else:
            from ._progress import phase_progress

            with phase_progress() as report:
                summary = run_batch(inputs, out, options, progress=report)
    except KeyboardInterrupt:
        print(
            f"avbruten: delresultat i {out} (kör samma kommando igen för att fortsätta)"
            " / interrupted: partial outputs written, rerun to continue",
            file=sys.stderr,
        )
        raise typer.Exit(1) from None
    except BrokenExecutor as exc:  # a worker process died (out of memory, killed)
        print(
            f"en arbetsprocess avbröts ({exc}): delresultat i {out}, kör samma kommando igen"
            " / a worker process died: partial outputs written, rerun to continue",
            file=sys.stderr,
        )
        raise typer.Exit(1) from None
    except OSError as exc:
        fail(f"{exc.filename or out}: {exc.strerror or exc}")
    print(
        f"{summary['inputs_read']} indata lästa: {summary['results']} resultat, {summary['errors']} fel"
        + ("" if summary["complete"] else f", {summary['pending']} ej klara (kör igen för att fortsätta)")
        + f" → {out}"
    )
    if not summary["complete"]:
        raise typer.Exit(1)
