"""``intygscheck rules ...``: test, lint, list and document rulesets.

- ``rules test [PATH_OR_NAME...]`` runs the in-file examples with coverage (exit 1 when an
  example fails or coverage is below ``--min-coverage``; 2 when a ruleset does not load);
- ``rules check FILE...`` loads and lints (exit 2 for load errors; ``--strict``: 1 for warnings);
- ``rules list [NAME...]`` prints a table of the rules;
- ``rules doc [NAME...] [--out FILE]`` writes a Markdown catalogue.

Without names, every shipped ruleset is used. Rendering lives in ``intygscheck.report``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import app

if TYPE_CHECKING:
    from ..rules.ruleset import Ruleset

rules_app = typer.Typer(help="Test, lint, list and document rulesets.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class Lang(StrEnum):
    SV = "sv"
    EN = "en"


LangOption = Annotated[Lang, typer.Option("--lang", help="Language of headings and warnings.")]
NamesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH_OR_NAME",
        help="Shipped ruleset names or .rules paths; default: every shipped ruleset.",
        show_default=False,
    ),
]


def _references(names: list[str] | None) -> list[str]:
    from ..rules import shipped_names

    return list(names) if names else shipped_names()


def _load_or_exit(names: list[str] | None) -> list[Ruleset]:
    """The rulesets, or every load error printed to stderr and exit 2."""
    from ..rules import RulesetError, load_ruleset

    loaded: list[Ruleset] = []
    failed = False
    for reference in _references(names):
        try:
            loaded.append(load_ruleset(reference))
        except RulesetError as exc:
            print(str(exc), file=sys.stderr)
            failed = True
    if failed:
        raise typer.Exit(2)
    return loaded


@rules_app.command("test")
def test(
    names: NamesArgument = None,
    min_coverage: Annotated[
        float | None,
        typer.Option(
            "--min-coverage",
            min=0.0,
            max=100.0,
            help="Lowest acceptable coverage in percent (rules with examples; conditions made true).",
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.TEXT,
    lang: LangOption = Lang.SV,
) -> None:
    """Run the rulesets' examples; report each rule's result and the coverage."""
    from ..report.rules_test import LoadFailure, render_json, render_text, summarise
    from ..rules import RulesetError, load_ruleset
    from ..rules.examples import ExamplesReport, run_examples

    reports: list[ExamplesReport] = []
    failures: list[LoadFailure] = []
    rule_files: dict[tuple[str, str], str] = {}
    for reference in _references(names):
        try:
            ruleset = load_ruleset(reference)
            reports.append(run_examples(ruleset))
        except RulesetError as exc:
            failures.append(LoadFailure(reference, str(exc)))
            continue
        rule_files.update({(ruleset.name, rule.id): rule.file for rule in ruleset.rules})
    summary = summarise(reports, failures, rule_files, min_coverage)
    if output_format is ReportFormat.JSON:
        print(render_json(summary, lang.value))
    else:
        print(render_text(summary, lang.value))
    if summary.load_failures:
        raise typer.Exit(2)
    if not summary.passed:
        raise typer.Exit(1)


@rules_app.command("check")
def check(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Ruleset files (or shipped names) to load and lint."),
    ],
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there are warnings.")] = False,
    lang: LangOption = Lang.SV,
) -> None:
    """Load rulesets and lint them: compiler-style errors (exit 2), then warnings."""
    from ..rules import RulesetError, load_ruleset
    from ._rules_lint import lint

    errors = 0
    warnings = 0
    for reference in files:
        try:
            ruleset = load_ruleset(reference)
        except RulesetError as exc:
            print(str(exc))
            errors += max(len(exc.diagnostics), 1)
            continue
        found = lint(ruleset)
        warnings += len(found)
        for warning in found:
            print(warning.render(lang.value))
    summary = {"sv": f"{errors} fel, {warnings} varningar", "en": f"{errors} errors, {warnings} warnings"}
    print(summary[lang.value], file=sys.stderr)
    if errors:
        raise typer.Exit(2)
    if strict and warnings:
        raise typer.Exit(1)


@rules_app.command("list")
def list_rules(names: NamesArgument = None, lang: LangOption = Lang.SV) -> None:
    """A table of the rules: id, severity, category, questions, title."""
    from ..report.rules_doc import render_rule_table

    print("\n\n".join(render_rule_table(ruleset, lang.value) for ruleset in _load_or_exit(names)))


@rules_app.command("doc")
def doc(
    names: NamesArgument = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the Markdown here instead of stdout.")
    ] = None,
    lang: LangOption = Lang.SV,
) -> None:
    """A Markdown catalogue of the rules, per ruleset."""
    from ..report.rules_doc import render_catalogue

    text = render_catalogue(_load_or_exit(names), lang.value)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"intygscheck: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        raise typer.Exit(2) from None
