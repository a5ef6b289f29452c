"""The quality report: ONE self-contained HTML page (``report.html``) that opens offline.

Everything is inline: the CSS, and the plots as SVG drawn by matplotlib (Agg backend, text
converted to paths, so no fonts or scripts are fetched). Sections: a summary, the top rules
by hits, the forest plot of the adjusted women/men ratios (flagged cells marked), sick-leave
length distributions by sex per diagnosis chapter, the flagged cells, and indicator tables per
care unit. Every aggregate respects the small-cell rule: groups with fewer than
``min_count`` (default 5) sjukfall or certificates are not shown.

Text is Swedish by default; ``language="en"`` gives English.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..stats.equality import EqualityResult
from ..stats.extract_table import case_table
from ..stats.indicators import MIN_COUNT, indicators

_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "title": "intygscheck — kvalitetsrapport",
        "summary": "Sammanfattning",
        "inputs_read": "Lästa indata",
        "results": "Kontrollerade intyg",
        "errors": "Fel",
        "cases": "Sjukfall",
        "rules": "Regler med flest träffar",
        "rule": "Regel",
        "hits": "Träffar",
        "no_rules": "Inga regelträffar.",
        "forest": "Justerad kvot kvinnor/män (95 % KI)",
        "forest_note": "Kvoten av geometriska medellängder, justerad för {adjust}. Röd = flaggad "
        "(justerat p < {alpha} och kvot utanför {low}–{high}, det grå bandet).",
        "distribution": "Sjukfallslängd per kön och diagnoskapitel",
        "distribution_note": "Dagar per sjukfall (logaritmisk skala). Grupper med färre än {min} sjukfall "
        "per kön visas inte.",
        "flagged": "Flaggade celler",
        "no_flagged": "Inga celler flaggade.",
        "indicators": "Indikatorer per vårdenhet",
        "indicator_note": "Alla månader sammantagna. Celler med färre än {min} intyg är undertryckta (–).",
        "unit": "Vårdenhet",
        "women": "Kvinnor",
        "men": "Män",
        "suppressed": "–",
        "level": "Nivå",
        "chapter": "Kapitel",
        "block": "Avsnitt",
        "outcome": "Utfall",
        "ratio": "Kvot",
        "interval": "95 % KI",
        "p_adjusted": "Justerat p",
        "sex": "Kön",
        "certificates": "Intyg",
        "completion_share": "Andel trolig komplettering",
        "fmb_motivated": "Över FMB, motiverat",
        "fmb_unmotivated": "Över FMB, ej motiverat",
        "median": "Median dagar",
        "p90": "90:e percentil dagar",
        "part_time": "Andel deltid",
        "sjukfall_days": "sjukfallslängd",
        "first_certificate_days": "första intygets längd",
        "no_data": "Inga data.",
        "axis_ratio": "{outcome}: kvinnor/män (logaritmisk skala)",
        "axis_days": "dagar",
    },
    "en": {
        "title": "intygscheck — quality report",
        "summary": "Summary",
        "inputs_read": "Inputs read",
        "results": "Certificates checked",
        "errors": "Errors",
        "cases": "Sick-leave cases",
        "rules": "Top rules by hits",
        "rule": "Rule",
        "hits": "Hits",
        "no_rules": "No rule hits.",
        "forest": "Adjusted ratio women/men (95 % CI)",
        "forest_note": "Ratio of geometric-mean lengths, adjusted for {adjust}. Red = flagged "
        "(adjusted p < {alpha} and ratio outside {low}–{high}, the grey band).",
        "distribution": "Sick-leave length by sex and diagnosis chapter",
        "distribution_note": "Days per sjukfall (log scale). Groups with fewer than {min} sjukfall per sex "
        "are not shown.",
        "flagged": "Flagged cells",
        "no_flagged": "No cells flagged.",
        "indicators": "Indicators per care unit",
        "indicator_note": "All months together. Cells with fewer than {min} certificates are suppressed (–).",
        "unit": "Care unit",
        "women": "Women",
        "men": "Men",
        "suppressed": "–",
        "level": "Level",
        "chapter": "Chapter",
        "block": "Block",
        "outcome": "Outcome",
        "ratio": "Ratio",
        "interval": "95 % CI",
        "p_adjusted": "Adjusted p",
        "sex": "Sex",
        "certificates": "Certificates",
        "completion_share": "Share likely completion",
        "fmb_motivated": "Over FMB, motivated",
        "fmb_unmotivated": "Over FMB, not motivated",
        "median": "Median days",
        "p90": "90th percentile days",
        "part_time": "Share part-time",
        "sjukfall_days": "sjukfall length",
        "first_certificate_days": "first-certificate length",
        "no_data": "No data.",
        "axis_ratio": "{outcome}: women/men (log scale)",
        "axis_days": "days",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f6f7f9;color:#1d2733}
header{background:#1f4e79;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:24px}
main{padding:8px 32px 40px;max-width:1200px}
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:18px 0;padding:14px 20px}
h2{font-size:19px;margin:4px 0 10px;color:#1f4e79}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #d4d9df;padding:3px 8px;text-align:right}
th{background:#eef2f6}
td.k,th.k{text-align:left}
tr.flag td{background:#fde8e8}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #dde2e8;border-radius:6px;padding:8px 14px;min-width:130px;background:#fafbfc}
.card b{display:block;font-size:20px;color:#1f4e79}
.note{color:#5a6672;font-size:13px}
svg{max-width:100%;height:auto}
"""


def write_report(
    out_dir: str | Path,
    *,
    certificates: pl.DataFrame | None = None,
    equality: EqualityResult | None = None,
    rule_hits: Mapping[str, int] | None = None,
    summary: Mapping[str, Any] | None = None,
    language: str = "sv",
    min_count: int = MIN_COUNT,
) -> Path:
    """Write ``report.html`` into ``out_dir`` and return its path.

    ``certificates`` is the per-certificate table (:mod:`intygscheck.stats.schema`),
    ``equality`` the result of :func:`intygscheck.stats.compare_sexes`, ``rule_hits`` rule id →
    number of hits, ``summary`` any figures to show first (keys such as ``inputs_read``,
    ``results`` and ``errors`` are shown by their translated labels).
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "report.html"
    path.write_text(
        render_report(
            certificates=certificates,
            equality=equality,
            rule_hits=rule_hits,
            summary=summary,
            language=language,
            min_count=min_count,
        ),
        encoding="utf-8",
    )
    return path


def render_report(
    *,
    certificates: pl.DataFrame | None = None,
    equality: EqualityResult | None = None,
    rule_hits: Mapping[str, int] | None = None,
    summary: Mapping[str, Any] | None = None,
    language: str = "sv",
    min_count: int = MIN_COUNT,
) -> str:
    """The report page as a string (see :func:`write_report`)."""
    text = _TEXT[language]
    cases = case_table(certificates).collect() if certificates is not None and certificates.height else None
    sections = [
        _summary_section(text, summary, certificates, cases, equality),
        _rules_section(text, rule_hits),
        _forest_section(text, equality),
        _distribution_section(text, cases, min_count),
        _flagged_section(text, equality),
        _indicator_section(text, certificates, min_count),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(text['title'])}</title><style>{_CSS}</style></head>"
        f"<body><header><h1>{_e(text['title'])}</h1></header><main>{''.join(sections)}</main></body></html>\n"
    )


def _summary_section(
    text: dict[str, str],
    summary: Mapping[str, Any] | None,
    certificates: pl.DataFrame | None,
    cases: pl.DataFrame | None,
    equality: EqualityResult | None,
) -> str:
    figures: dict[str, Any] = {text.get(key, key): value for key, value in (summary or {}).items()}
    if certificates is not None:
        figures.setdefault(text["certificates"], certificates.height)
        figures.setdefault(f"{text['women']} / {text['men']}", _sex_counts(certificates))
    if cases is not None:
        figures.setdefault(text["cases"], cases.height)
    if equality is not None:
        compared = equality.table.filter(~pl.col("suppressed")).height
        figures.setdefault(text["flagged"], f"{equality.flagged.height} / {compared}")
    cards = "".join(
        f'<div class="card">{_e(str(key))}<b>{_e(_format(value))}</b></div>' for key, value in figures.items()
    )
    return f'<section id="summary"><h2>{_e(text["summary"])}</h2><div class="cards">{cards}</div></section>'


def _sex_counts(certificates: pl.DataFrame) -> str:
    counts = dict(certificates.group_by("sex").len().iter_rows())
    return f"{counts.get('K', 0)} / {counts.get('M', 0)}"


def _rules_section(text: dict[str, str], rule_hits: Mapping[str, int] | None) -> str:
    top = sorted((rule_hits or {}).items(), key=lambda item: (-item[1], item[0]))[:20]
    if not top:
        note = f'<p class="note">{_e(text["no_rules"])}</p>'
        return f'<section id="rules"><h2>{_e(text["rules"])}</h2>{note}</section>'
    rows = "".join(f'<tr><td class="k">{_e(rule)}</td><td>{hits}</td></tr>' for rule, hits in top)
    table = f'<table><tr><th class="k">{_e(text["rule"])}</th><th>{_e(text["hits"])}</th></tr>{rows}</table>'
    return f'<section id="rules"><h2>{_e(text["rules"])}</h2>{table}</section>'


def _cell_label(row: Mapping[str, Any]) -> str:
    parts = [
        row.get("block") or (f"kap. {row['chapter']}" if row.get("chapter") else ""),
        row.get("unit_id") or row.get("care_provider_id") or "",
    ]
    label = " · ".join(part for part in parts if part)
    return label or "alla / all"


def _forest_section(text: dict[str, str], equality: EqualityResult | None) -> str:
    title = f"<h2>{_e(text['forest'])}</h2>"
    if equality is None:
        return f'<section id="forest">{title}<p class="note">{_e(text["no_data"])}</p></section>'
    config = equality.config
    outcome = config.outcomes[0]
    estimated = equality.table.filter(
        (pl.col("outcome") == outcome) & pl.col("ratio").is_not_null() & ~pl.col("suppressed")
    )
    # the diagnosis-group levels without units, the overall cell, and every flagged cell
    shown = estimated.filter(pl.col("unit_id").is_null() | pl.col("flagged")).head(60)
    if shown.is_empty():
        return f'<section id="forest">{title}<p class="note">{_e(text["no_data"])}</p></section>'
    note = text["forest_note"].format(
        adjust=", ".join(config.adjust_for) or "—",
        alpha=config.alpha,
        low=config.ratio_low,
        high=config.ratio_high,
    )
    svg = _forest_svg(
        shown.to_dicts(),
        config.ratio_low,
        config.ratio_high,
        text["axis_ratio"].format(outcome=text[outcome]),
    )
    return f'<section id="forest">{title}<p class="note">{_e(note)}</p>{svg}</section>'


def _forest_svg(rows: list[dict[str, Any]], low: float, high: float, axis_label: str) -> str:
    plt = _pyplot()
    height = 1.2 + 0.28 * len(rows)
    figure, axis = plt.subplots(figsize=(9, height))
    positions = list(range(len(rows)))[::-1]
    axis.axvspan(low, high, color="#e3e6ea", zorder=0)
    axis.axvline(1.0, color="#7a8591", linewidth=1, zorder=1)
    for y, row in zip(positions, rows, strict=True):
        colour = "#c0392b" if row["flagged"] else "#1f4e79"
        axis.plot([row["ci_low"], row["ci_high"]], [y, y], color=colour, linewidth=1.6, zorder=2)
        axis.plot(
            [row["ratio"]], [y], marker="D" if row["flagged"] else "o", color=colour, markersize=5, zorder=3
        )
    axis.set_yticks(positions)
    axis.set_yticklabels(
        [f"{_cell_label(row)}  ({row['n_women']}/{row['n_men']})" for row in rows], fontsize=8
    )
    axis.set_xscale("log")
    lows = [row["ci_low"] for row in rows] + [low]
    highs = [row["ci_high"] for row in rows] + [high]
    left, right = min(lows) / 1.1, max(highs) * 1.1
    axis.set_xlim(left, right)
    ticks = [t for t in (0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0) if left <= t <= right]
    axis.set_xticks(ticks, [f"{t:g}" for t in ticks])
    axis.xaxis.set_minor_formatter(plt.NullFormatter())
    axis.set_xlabel(axis_label)
    axis.grid(axis="x", color="#eceff2", linewidth=0.6)
    figure.tight_layout()
    return _svg(figure)


def _distribution_section(text: dict[str, str], cases: pl.DataFrame | None, min_count: int) -> str:
    title = f"<h2>{_e(text['distribution'])}</h2>"
    if cases is None or cases.is_empty():
        return f'<section id="distribution">{title}<p class="note">{_e(text["no_data"])}</p></section>'
    counts = cases.drop_nulls("chapter").group_by("chapter", "sex").len()
    enough = (
        counts.group_by("chapter")
        .agg(((pl.col("sex").n_unique() == 2) & (pl.col("len").min() >= min_count)).alias("_ok"))
        .filter(pl.col("_ok"))
        .get_column("chapter")
        .to_list()
    )
    if not enough:
        return f'<section id="distribution">{title}<p class="note">{_e(text["no_data"])}</p></section>'
    chapters = sorted(enough, key=_roman)
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(max(6.0, 1.1 * len(chapters) + 2), 4.2))
    data, positions, colours = [], [], []
    for index, chapter in enumerate(chapters):
        for offset, (sex, colour) in enumerate((("K", "#b5477a"), ("M", "#2e75b6"))):
            values = cases.filter((pl.col("chapter") == chapter) & (pl.col("sex") == sex)).get_column(
                "sjukfall_days"
            )
            data.append(values.drop_nulls().to_numpy())
            positions.append(index * 3 + offset)
            colours.append(colour)
    boxes = axis.boxplot(data, positions=positions, widths=0.8, patch_artist=True, showfliers=False)
    for patch, colour in zip(boxes["boxes"], colours, strict=True):
        patch.set_facecolor(colour)
        patch.set_alpha(0.75)
    for median in boxes["medians"]:
        median.set_color("#111")
    axis.set_yscale("log")
    axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_xticks([index * 3 + 0.5 for index in range(len(chapters))])
    axis.set_xticklabels(chapters)
    axis.set_ylabel(text["axis_days"])
    axis.legend(
        [boxes["boxes"][0], boxes["boxes"][1]], [text["women"], text["men"]], loc="upper right", fontsize=8
    )
    axis.grid(axis="y", color="#eceff2", linewidth=0.6)
    figure.tight_layout()
    note = text["distribution_note"].format(min=min_count)
    return f'<section id="distribution">{title}<p class="note">{_e(note)}</p>{_svg(figure)}</section>'


_KEY_HEADERS = ("level", "chapter", "block", "unit", "outcome")


def _flagged_section(text: dict[str, str], equality: EqualityResult | None) -> str:
    title = f"<h2>{_e(text['flagged'])}</h2>"
    if equality is None or equality.flagged.is_empty():
        return f'<section id="flagged">{title}<p class="note">{_e(text["no_flagged"])}</p></section>'
    header = "".join(
        f"<th{' class=k' if key in _KEY_HEADERS else ''}>{_e(text[key])}</th>"
        for key in (
            "level",
            "chapter",
            "block",
            "unit",
            "outcome",
            "women",
            "men",
            "ratio",
            "interval",
            "p_adjusted",
        )
    )
    rows = []
    for row in equality.flagged.iter_rows(named=True):
        cells = [
            f'<td class="k">{_e(row["level"])}</td>',
            f'<td class="k">{_e(row["chapter"] or "")}</td>',
            f'<td class="k">{_e(row["block"] or "")}</td>',
            f'<td class="k">{_e(row["unit_id"] or row["care_provider_id"] or "")}</td>',
            f'<td class="k">{_e(text.get(row["outcome"], row["outcome"]))}</td>',
            f"<td>{row['n_women']}</td><td>{row['n_men']}</td>",
            f"<td>{row['ratio']:.2f}</td><td>{row['ci_low']:.2f}–{row['ci_high']:.2f}</td>",
            f"<td>{row['p_adjusted']:.2g}</td>",
        ]
        rows.append(f'<tr class="flag">{"".join(cells)}</tr>')
    return f'<section id="flagged">{title}<table><tr>{header}</tr>{"".join(rows)}</table></section>'


def _indicator_section(text: dict[str, str], certificates: pl.DataFrame | None, min_count: int) -> str:
    title = f"<h2>{_e(text['indicators'])}</h2>"
    if certificates is None or certificates.is_empty():
        return f'<section id="indicators">{title}<p class="note">{_e(text["no_data"])}</p></section>'
    table = indicators(certificates, keys=("unit_id", "chapter", "sex"), min_count=min_count)
    columns = [
        ("certificates", "certificates", "{:d}"),
        ("completion_share", "completion_share", "{:.0%}"),
        ("fmb_exceeded_motivated_share", "fmb_motivated", "{:.0%}"),
        ("fmb_exceeded_unmotivated_share", "fmb_unmotivated", "{:.0%}"),
        ("sjukfall_days_median", "median", "{:.0f}"),
        ("sjukfall_days_p90", "p90", "{:.0f}"),
        ("part_time_share", "part_time", "{:.0%}"),
    ]
    header = (
        f'<tr><th class="k">{_e(text["chapter"])}</th><th class="k">{_e(text["sex"])}</th>'
        + "".join(f"<th>{_e(text[label])}</th>" for _, label, _ in columns)
        + "</tr>"
    )
    parts = [f'<p class="note">{_e(text["indicator_note"].format(min=min_count))}</p>']
    for unit_key, unit_rows in sorted(
        table.partition_by("unit_id", as_dict=True).items(), key=lambda item: str(item[0])
    ):
        body = []
        ordered = sorted(
            unit_rows.iter_rows(named=True), key=lambda r: (_roman(r["chapter"] or ""), r["sex"] or "")
        )
        for row in ordered:
            cells = [
                f'<td class="k">{_e(row["chapter"] or "?")}</td>',
                f'<td class="k">{_e(row["sex"] or "?")}</td>',
            ]
            for name, _, pattern in columns:
                value = row[name]
                cells.append(f"<td>{text['suppressed'] if value is None else _e(pattern.format(value))}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        unit = unit_key[0] if unit_key[0] is not None else "?"
        parts.append(
            f"<h3>{_e(text['unit'])} {_e(str(unit))}</h3>"
            f'<table class="indicators">{header}{"".join(body)}</table>'
        )
    return f'<section id="indicators">{title}{"".join(parts)}</section>'


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, with text drawn as paths in SVG output."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    matplotlib.rcParams["svg.fonttype"] = "path"
    import matplotlib.pyplot as plt

    return plt


def _svg(figure: Any) -> str:
    """The figure as an inline ``<svg>`` element (XML prolog and DOCTYPE removed)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    _pyplot().close(figure)
    document = buffer.getvalue()
    return document[document.index("<svg") :]


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(numeral: str) -> int:
    """``XIII`` → 13, for ordering chapters."""
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN.get(char, 0)
        following = _ROMAN.get(numeral[index + 1], 0) if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ") if math.isfinite(value) else "–"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)
