"""Findings as JSON: one object per certificate (one line each in ``--format json``)."""

from __future__ import annotations

import json
from typing import Any

from ..engine import Result


def result_dict(result: Result, lang: str = "sv") -> dict[str, Any]:
    """``{source, certificate_id, rulesets, findings}``; each finding with its message in ``lang``."""
    return {
        "source": result.source,
        "certificate_id": result.certificate_id,
        "rulesets": [{"name": r.name, "version": r.version} for r in result.rulesets],
        "findings": [
            {
                "rule": finding.rule,
                "severity": finding.severity.value,
                "category": finding.category.value,
                "questions": list(finding.questions),
                "message": finding.message(lang),
                "evidence": finding.evidence,
                "location": {
                    "path": finding.location.path,
                    "span": list(finding.location.span) if finding.location.span else None,
                },
            }
            for finding in result.findings
        ],
    }


def render_json_line(result: Result, lang: str = "sv") -> str:
    """The result as one line of JSON (UTF-8 text, not ASCII-escaped)."""
    return json.dumps(result_dict(result, lang), ensure_ascii=False, separators=(",", ":"))
