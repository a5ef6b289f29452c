"""``intygscheck fmb``: import Socialstyrelsen's FMB data, show the active table, look up a code.

* ``fmb import FILE [--out PATH]`` — convert a ``/typfall`` JSON file into intygscheck's table.
  Without ``--out`` it goes to ``$INTYGSCHECK_FMB_TABLE`` or ``~/.local/share/intygscheck/fmb.json``
  (``$XDG_DATA_HOME`` respected), which every FMB check then prefers over the shipped table.
* ``fmb info`` — source, data date and its age, counts.
* ``fmb lookup CODE`` — the truncation steps, the matched typfall and the maximum each mode picks.

Labels are Swedish; ``--lang en`` gives English.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import app, fail

if TYPE_CHECKING:
    from ..terminology.fmb.table import FmbTable

fmb_app = typer.Typer(help="FMB: Socialstyrelsens försäkringsmedicinska beslutsstöd.", no_args_is_help=True)
app.add_typer(fmb_app, name="fmb")


class Lang(StrEnum):
    SV = "sv"
    EN = "en"


_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "written": "Skrev FMB-tabellen",
        "source": "Källa",
        "file": "Fil",
        "url": "Adress",
        "api": "API-version",
        "date": "Datum för uppgifterna",
        "age": "Ålder",
        "years": "år",
        "table": "Tabell",
        "shipped": "medföljer paketet",
        "user": "importerad",
        "typfall": "Typfall",
        "codes": "Diagnoskoder",
        "no_number": "Typfall utan siffra",
        "zero": "Typfall med maximum 0 dagar",
        "open": "Typfall med ”eller längre”",
        "part": "Typfall för deltid",
        "warning": "Varning",
        "code": "Kod",
        "icd": "ICD-10",
        "valid": "giltig enligt",
        "invalid": "ogiltig",
        "chapter": "kapitel",
        "block": "block",
        "tried": "Prövade koder",
        "hit": "träff",
        "none": "ingen FMB-data (kortas aldrig under 3 tecken)",
        "fmb_code": "FMB-kod",
        "full": "heltid",
        "part_time": "deltid",
        "open_ended": "”eller längre”",
        "surgical": "efter operation",
        "selects": "väljer på",
        "decision": "Beslut",
        "max": "maximum",
        "days": "dagar",
        "no_max": "inget maximum i siffror",
    },
    "en": {
        "written": "Wrote the FMB table",
        "source": "Source",
        "file": "File",
        "url": "URL",
        "api": "API version",
        "date": "Date of the data",
        "age": "Age",
        "years": "years",
        "table": "Table",
        "shipped": "shipped with the package",
        "user": "imported",
        "typfall": "Typfall",
        "codes": "Diagnosis codes",
        "no_number": "Typfall without a number",
        "zero": "Typfall with a 0-day maximum",
        "open": "Typfall with 'or longer'",
        "part": "Part-time typfall",
        "warning": "Warning",
        "code": "Code",
        "icd": "ICD-10",
        "valid": "valid according to",
        "invalid": "invalid",
        "chapter": "chapter",
        "block": "block",
        "tried": "Codes tried",
        "hit": "match",
        "none": "no FMB data (never shortened below 3 characters)",
        "fmb_code": "FMB code",
        "full": "full time",
        "part_time": "part time",
        "open_ended": "'or longer'",
        "surgical": "after an operation",
        "selects": "selects on",
        "decision": "Decision",
        "max": "maximum",
        "days": "days",
        "no_max": "no numeric maximum",
    },
}
_ATTRIBUTE_LABELS = {
    "sv": {
        "severity": "svårighetsgrad",
        "course": "förlopp",
        "procedure": "åtgärd",
        "procedure_status": "åtgärdsstatus",
        "work_load": "arbetsbelastning",
        "complicating_factor": "komplicerande faktor",
        "comorbidity": "samsjuklighet",
    },
    "en": {},
}

LangOption = Annotated[Lang, typer.Option("--lang", help="sv (svenska) or en (English).")]
TableOption = Annotated[
    Path | None, typer.Option("--table", help="A table file (default: the imported or the shipped one).")
]


def _table(path: Path | None) -> FmbTable:
    from ..errors import InputError
    from ..terminology.fmb.table import default_table, load_table

    try:
        return load_table(path) if path else default_table()
    except InputError as exc:
        fail(str(exc))


@fmb_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Socialstyrelsen's /typfall JSON.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the table (default: the user table).")
    ] = None,
    lang: LangOption = Lang.SV,
) -> None:
    """Convert an FMB /typfall JSON file into the table the FMB checks use."""
    from ..errors import InputError
    from ..terminology.fmb.importer import import_file, write_table
    from ..terminology.fmb.table import user_table_path

    text = _LABELS[lang]
    try:
        table, warnings = import_file(file)
        target = write_table(table, out or user_table_path())
    except InputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out or user_table_path()}: {exc.strerror or exc}")
    for warning in warnings:
        print(f"{text['warning']}: {warning}")
    print(f"{text['written']}: {target}")
    _print_counts(table, text)


def _print_counts(table: FmbTable, text: dict[str, str]) -> None:
    typfall = table.typfall
    rows = [
        (text["typfall"], len(typfall)),
        (text["codes"], len(table.by_code)),
        (text["no_number"], len(table.without_number)),
        (text["zero"], sum(1 for t in typfall if t.max_days == 0)),
        (text["open"], sum(1 for t in typfall if t.open_ended)),
        (text["part"], sum(1 for t in typfall if t.part_time)),
    ]
    for label, value in rows:
        print(f"{label + ':':<32}{value}")


@fmb_app.command()
def info(table_path: TableOption = None, lang: LangOption = Lang.SV) -> None:
    """Show the active FMB table: its source, the date of its data, its age and counts."""
    from ..terminology.fmb.table import SHIPPED_TABLE

    text = _LABELS[lang]
    table = _table(table_path)
    source = table.source
    where = table.path or SHIPPED_TABLE
    kind = text["shipped"] if where.resolve() == SHIPPED_TABLE.resolve() else text["user"]
    age = source.age_years(date.today())
    rows = [
        (text["table"], f"{where} ({kind})"),
        (text["source"], source.name),
        (text["file"], source.file or "–"),
        (text["url"], source.url or "–"),
        (text["api"], source.api_version or "–"),
        (text["date"], source.data_date.isoformat() if source.data_date else "–"),
        (text["age"], _decimal(age, lang) + f" {text['years']}" if age is not None else "–"),
    ]
    for label, value in rows:
        print(f"{label + ':':<32}{value}")
    _print_counts(table, text)


def _decimal(value: float, lang: Lang) -> str:
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang is Lang.SV else shown


@fmb_app.command()
def lookup(
    code: Annotated[str, typer.Argument(help="A diagnosis code, with or without dot (e.g. F43.8A).")],
    mode: Annotated[str, typer.Option("--mode", help="default or webcert (both when omitted).")] = "",
    zero_policy: Annotated[str, typer.Option("--zero-policy", help="webcert or self_report.")] = "webcert",
    table_path: TableOption = None,
    lang: LangOption = Lang.SV,
) -> None:
    """Show what a code resolves to in FMB, the typfall it matches and the maximum chosen."""
    from ..model import Certificate, Diagnosis
    from ..terminology.fmb import FmbMode, ZeroPolicy, decide, resolve
    from ..terminology.fmb.evidence import SEVERITY_CODES, WORK_LOAD_CODES
    from ..terminology.fmb.lookup import describe_max, dotted
    from ..terminology.icd10 import lookup as icd_lookup

    try:
        modes = [FmbMode(mode)] if mode else list(FmbMode)
        policy = ZeroPolicy(zero_policy)
    except ValueError as exc:
        fail(str(exc))
    text = _LABELS[lang]
    table = _table(table_path)
    info = icd_lookup(code)
    print(f"{text['code']}: {info.display} ({info.code})")
    if info.valid:
        print(
            f"{text['icd']}: {text['valid']} {info.source} — {info.description}; "
            f"{text['chapter']} {info.chapter} ({info.chapter_range}), {text['block']} {info.block or '–'}"
        )
    else:
        print(f"{text['icd']}: {text['invalid']} — {info.reason if lang is Lang.SV else info.reason_en}")
    resolution = resolve(code, table)
    steps = " → ".join(resolution.tried)
    found = f" ({text['hit']})" if resolution.matched else f": {text['none']}"
    print(f"{text['tried']}: {steps}{found}")
    if resolution.matched is None:
        raise typer.Exit(0)
    print(f"{text['fmb_code']}: {dotted(resolution.matched)} — {len(resolution.typfall)} typfall")
    labels = _ATTRIBUTE_LABELS[lang]
    for item in resolution.typfall:
        flags = [text["part_time"] if item.part_time else text["full"]]
        if item.open_ended:
            flags.append(text["open_ended"])
        if item.surgical:
            flags.append(text["surgical"])
        selectors = []
        for key, codes in sorted(item.attributes.items()):
            shown = []
            for value in codes:
                known = WORK_LOAD_CODES.get(value) or "/".join(sorted(SEVERITY_CODES.get(value, ())))
                shown.append(f"{value} ({known})" if known and key in ("work_load", "severity") else value)
            selectors.append(f"{labels.get(key, key)} {', '.join(shown)}")
        maximum = describe_max(item, lang.value) if item.max_value is not None else text["no_max"]
        selects = f"; {text['selects']}: {'; '.join(selectors)}" if selectors else ""
        print(f"  typfall {item.id}: {maximum}, {', '.join(flags)}{selects}")
    probe = Certificate(id="lookup", diagnoses=(Diagnosis(code=resolution.code, text=None),))
    for chosen_mode in modes:
        decision = decide(probe, mode=chosen_mode, zero_policy=policy, table=table)
        maximum = f"{decision.max_days} {text['days']}" if decision.max_days is not None else text["no_max"]
        print(f"{text['decision']} ({chosen_mode.value}): {text['max']} {maximum} — {decision.reason}")
