"""Rulesets described for people: a plain-text table of rules and a Markdown catalogue.

``intygscheck rules list`` prints :func:`render_rule_table`; ``intygscheck rules doc`` writes
:func:`render_catalogue`. Both read only the metadata of loaded rulesets (id, title,
severity, category, questions, messages, references, validity, tags), never evaluate a rule,
and label their headings in Swedish or English.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..rules.loader import display_path
from ..rules.ruleset import Rule, Ruleset

NONE = "–"

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "id": "id",
        "severity": "allvarlighet",
        "category": "kategori",
        "questions": "frågor",
        "title": "titel",
        "rules": "regler",
        "catalogue": "Regelkatalog",
        "version": "version",
        "file": "fil",
        "overview": "Översikt",
        "message_sv": "Meddelande (sv)",
        "message_en": "Meddelande (en)",
        "references": "Källor",
        "validity": "Giltighet",
        "tags": "Taggar",
        "examples": "Exempel",
        "defined_in": "Definierad i",
        "always": "alltid",
        "from": "från",
        "to": "till",
        "no_rules": "Inga regler (regeluppsättningen ger definitioner och lexikon).",
        "fires": "slår till",
        "passes": "slår inte till",
    },
    "en": {
        "id": "id",
        "severity": "severity",
        "category": "category",
        "questions": "questions",
        "title": "title",
        "rules": "rules",
        "catalogue": "Rule catalogue",
        "version": "version",
        "file": "file",
        "overview": "Overview",
        "message_sv": "Message (sv)",
        "message_en": "Message (en)",
        "references": "References",
        "validity": "Validity",
        "tags": "Tags",
        "examples": "Examples",
        "defined_in": "Defined in",
        "always": "always",
        "from": "from",
        "to": "to",
        "no_rules": "No rules (the ruleset provides definitions and lexicons).",
        "fires": "fires",
        "passes": "passes",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The heading words for ``lang`` (Swedish for an unknown language)."""
    return LABELS.get(lang, LABELS["sv"])


def questions_text(rule: Rule) -> str:
    """``17, 35`` — or ``–`` for a rule about the certificate header (``questions []``)."""
    return ", ".join(rule.questions) or NONE


def validity_text(rule: Rule, lang: str = "sv") -> str:
    """``från 2016-01-01 till 2030-12-31``, one side only, or ``alltid``."""
    words = labels(lang)
    parts = []
    if rule.valid_from is not None:
        parts.append(f"{words['from']} {rule.valid_from.isoformat()}")
    if rule.valid_to is not None:
        parts.append(f"{words['to']} {rule.valid_to.isoformat()}")
    return " ".join(parts) or words["always"]


# ---- the plain-text table ------------------------------------------------------------------


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, a dashed line under the header."""
    widths = [len(cell) for cell in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)])


def render_rule_table(ruleset: Ruleset, lang: str = "sv") -> str:
    """One ruleset as a heading line and a table: id, severity, category, questions, title."""
    words = labels(lang)
    heading = f"{ruleset.name} {ruleset.version}  ({len(ruleset.rules)} {words['rules']}; {_path(ruleset)})"
    if not ruleset.rules:
        return f"{heading}\n  {words['no_rules']}"
    header = [words["id"], words["severity"], words["category"], words["questions"], words["title"]]
    rows = [
        [rule.id, rule.severity.value, rule.category.value, questions_text(rule), rule.title]
        for rule in ruleset.rules
    ]
    return f"{heading}\n{render_table(header, rows)}"


# ---- the Markdown catalogue ---------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text safe inside a Markdown paragraph or table cell (pipes, emphasis, backslashes)."""
    out = text.replace("\\", "\\\\")
    for char in "|*_`<>[]":
        out = out.replace(char, "\\" + char)
    return " ".join(out.split())


def md_code(text: str) -> str:
    """An inline code span that survives backticks in ``text``."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def anchor(rule_id: str) -> str:
    """The anchor of a rule's section: lower case, letters, digits and hyphens."""
    return "".join(char if char.isalnum() or char == "-" else "-" for char in rule_id.lower())


def render_catalogue(rulesets: Sequence[Ruleset], lang: str = "sv") -> str:
    """A Markdown document: per ruleset an overview table, then one section per rule."""
    words = labels(lang)
    parts = [f"# {words['catalogue']}", ""]
    for ruleset in rulesets:
        parts.extend(_ruleset_section(ruleset, lang))
    return "\n".join(parts).rstrip() + "\n"


def _ruleset_section(ruleset: Ruleset, lang: str) -> list[str]:
    words = labels(lang)
    out = [f"## {md_escape(ruleset.name)} {md_escape(ruleset.version)}", ""]
    if ruleset.description:
        out.extend([md_escape(ruleset.description), ""])
    out.extend([f"{words['file']}: {md_code(_path(ruleset))}", ""])
    if not ruleset.rules:
        out.extend([words["no_rules"], ""])
        return out
    out.extend([f"### {words['overview']}", ""])
    header = [words["id"], words["severity"], words["category"], words["questions"], words["title"]]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "|".join("---" for _ in header) + "|")
    for rule in ruleset.rules:
        link = f"[{md_escape(rule.id)}](#{anchor(rule.id)})"
        cells = [link, rule.severity.value, rule.category.value, questions_text(rule), md_escape(rule.title)]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for rule in ruleset.rules:
        out.extend(_rule_section(rule, lang))
    return out


def _rule_section(rule: Rule, lang: str) -> list[str]:
    words = labels(lang)
    out = [f'<a id="{anchor(rule.id)}"></a>', "", f"### {md_escape(rule.id)} — {md_escape(rule.title)}", ""]
    fields = [
        (words["questions"].capitalize(), questions_text(rule)),
        (words["severity"].capitalize(), rule.severity.value),
        (words["category"].capitalize(), rule.category.value),
    ]
    for lang_code in ("sv", "en"):
        template = rule.messages.get(lang_code)
        if template is not None:
            fields.append((words[f"message_{lang_code}"], md_escape(template.source)))
    fields.append((words["validity"], validity_text(rule, lang)))
    fields.append((words["tags"], ", ".join(md_code(tag) for tag in rule.tags) or NONE))
    fires = sum(example.must_fire for example in rule.examples)
    passes = len(rule.examples) - fires
    fields.append((words["examples"], f"{fires} {words['fires']}, {passes} {words['passes']}"))
    fields.append((words["defined_in"], md_code(f"{rule.file}:{rule.line}")))
    out.extend(f"- **{name}:** {value}" for name, value in fields)
    if rule.references:
        out.append(f"- **{words['references']}:**")
        out.extend(f"  - {md_escape(reference)}" for reference in rule.references)
    else:
        out.append(f"- **{words['references']}:** {NONE}")
    fence = "~~~~" if "```" in rule.condition_text else "```"
    out.extend(["", fence, rule.condition_text, fence, ""])
    return out


def _path(ruleset: Ruleset) -> str:
    return display_path(Path(ruleset.path)) if ruleset.path else NONE
