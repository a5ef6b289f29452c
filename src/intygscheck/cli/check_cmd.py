"""``intygscheck check PATH...``: run rulesets on certificates and report the findings.

Several files form one context: each certificate is checked with the others as its
patient's other certificates, so the sjukfall spans them (file order does not matter).
Exit codes: 0 nothing at or above ``--fail-on``, 1 something is, 2 usage or input errors.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import app

if TYPE_CHECKING:
    from ..engine import Result
    from ..rules.ruleset import Rule, Ruleset

CERTIFICATE_SUFFIXES = (".xml", ".json")


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    FHIR = "fhir"


class Lang(StrEnum):
    SV = "sv"
    EN = "en"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def expand(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Files to read (directories expanded recursively to .xml/.json files) and missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in CERTIFICATE_SUFFIXES and not p.name.startswith(".")
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or directory")
    return files, missing


@app.command()
def check(
    paths: Annotated[
        list[Path], typer.Argument(help="Certificate files or folders (RIVTA XML, FHIR, native JSON).")
    ],
    ruleset: Annotated[
        list[str] | None,
        typer.Option(
            "--ruleset", "-r", help="Ruleset name or .rules path (repeatable); default: the shipped set."
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text, json or fhir.")
    ] = OutputFormat.TEXT,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the messages.")] = Lang.SV,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1.")
    ] = (FailOn.ERROR),
    explain: Annotated[
        str | None, typer.Option("--explain", help="Print the evaluation of this rule, step by step.")
    ] = None,
) -> None:
    """Check certificates against rulesets; print findings as text, JSON lines or FHIR."""
    from ..engine import CheckContext, load_all
    from ..engine import check as run_check
    from ..errors import InputError
    from ..ingest import read
    from ..rules.errors import RulesetError
    from ..rules.ruleset import Severity

    try:
        rulesets = load_all(ruleset or None)
    except RulesetError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(2) from None
    explained = _find_rule(rulesets, explain) if explain else None

    files, problems = expand(paths)
    certificates = []
    for path in files:
        try:
            certificates.append((str(path), read(path)))
        except InputError as exc:
            problems.append(str(exc))
    for problem in problems:
        print(f"intygscheck: {problem}", file=sys.stderr)

    threshold = Severity(fail_on.value).rank
    reached = False
    everything = [certificate for _, certificate in certificates]
    for index, (source, certificate) in enumerate(certificates):
        others = tuple(c for i, c in enumerate(everything) if i != index)
        context = CheckContext(others=others)
        result = run_check(certificate, rulesets, context, lang=lang.value, source=source)
        reached = reached or any(f.severity.rank >= threshold for f in result.findings)
        print(_render(result, output_format, lang.value))
        if explained is not None:
            from ..rules.explain import explain_rule

            # machine formats keep stdout one document per line: the explanation goes to stderr
            stream = sys.stdout if output_format is OutputFormat.TEXT else sys.stderr
            print(explain_rule(explained, certificate, context, lang=lang.value), file=stream)
    if problems:
        raise typer.Exit(2)
    if reached:
        raise typer.Exit(1)


def _find_rule(rulesets: tuple[Ruleset, ...], rule_id: str) -> Rule:
    from ..rules.errors import did_you_mean

    ids: list[str] = []
    found = None
    for ruleset in rulesets:
        for rule in ruleset.rules:
            ids.append(rule.id)
            if rule.id == rule_id:
                found = rule
    if found is None:
        print(
            f"intygscheck: no rule '{rule_id}' in the rulesets{did_you_mean(rule_id, ids)}", file=sys.stderr
        )
        raise typer.Exit(2)
    return found


def _render(result: Result, output_format: OutputFormat, lang: str) -> str:
    if output_format is OutputFormat.JSON:
        from ..report.findings_json import render_json_line

        return render_json_line(result, lang)
    if output_format is OutputFormat.FHIR:
        from ..report.operation_outcome import render_operation_outcome

        return render_operation_outcome(result, lang)
    from ..report.findings_text import render_text

    return render_text(result, lang)
