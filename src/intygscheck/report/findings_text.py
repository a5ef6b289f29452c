"""Findings as compact, readable text for a terminal, in Swedish or English."""

from __future__ import annotations

from ..engine import Finding, Result

_SEVERITY = {
    "sv": {"error": "FEL", "warning": "VARNING", "info": "INFO"},
    "en": {"error": "ERROR", "warning": "WARNING", "info": "INFO"},
}
_WORDS = {
    "sv": {"certificate": "intyg", "none": "inga fynd", "findings": "fynd", "question": "fråga"},
    "en": {
        "certificate": "certificate",
        "none": "no findings",
        "findings": "findings",
        "question": "question",
    },
}
_SNIPPET = 40


def render_text(result: Result, lang: str = "sv") -> str:
    """One header line per certificate, then one line per finding (and the matched text)."""
    words = _WORDS.get(lang, _WORDS["sv"])
    rulesets = ", ".join(f"{r.name} {r.version}" for r in result.rulesets)
    name = result.source or result.certificate_id
    lines = [f"== {name}  ({words['certificate']} {result.certificate_id}; {rulesets})"]
    if not result.findings:
        lines.append(f"   {words['none']}")
        return "\n".join(lines)
    for finding in result.findings:
        lines.append(_finding_line(finding, lang))
        where = _where(finding)
        if where:
            lines.append(f"{' ' * 13}{where}")
    counts = {severity: 0 for severity in ("error", "warning", "info")}
    for finding in result.findings:
        counts[finding.severity.value] += 1
    labels = _SEVERITY.get(lang, _SEVERITY["sv"])
    summary = ", ".join(f"{count} {labels[sev].lower()}" for sev, count in counts.items() if count)
    lines.append(f"   {len(result.findings)} {words['findings']}: {summary}")
    return "\n".join(lines)


def _finding_line(finding: Finding, lang: str) -> str:
    label = _SEVERITY.get(lang, _SEVERITY["sv"])[finding.severity.value]
    questions = ",".join(finding.questions) or "–"
    return f"   {label:<8} [{questions}] {finding.rule}: {finding.message(lang)}"


def _where(finding: Finding) -> str:
    location = finding.location
    if location.path is None:
        return ""
    if location.span is None:
        return f"@ {location.path}"
    start, end = location.span
    text = finding.evidence.get(location.path)
    if not isinstance(text, str):
        return f"@ {location.path}[{start}:{end}]"
    snippet = text[start:end]
    if len(snippet) > _SNIPPET:
        snippet = snippet[: _SNIPPET - 1] + "…"
    return f'@ {location.path}[{start}:{end}] "{snippet}"'
