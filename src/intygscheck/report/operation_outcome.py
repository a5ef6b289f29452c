"""Findings as a FHIR R4 ``OperationOutcome`` (built and validated with ``fhir.resources``).

Each finding is one issue: severity error/warning/information, a code (``invariant`` for
structural rules, ``business-rule`` for content rules, ``informational`` for info findings),
the message as ``details.text`` with the rule id as a coding, and FHIRPath expressions that
point at the questionnaire items of the finding's FK questions.
"""

from __future__ import annotations

from fhir.resources.R4B.operationoutcome import OperationOutcome

from ..engine import Finding, Result

RULE_SYSTEM = "urn:intygscheck:rule"
_SEVERITY = {"error": "error", "warning": "warning", "info": "information"}


def _code(finding: Finding) -> str:
    if finding.severity.value == "info":
        return "informational"
    return "invariant" if finding.category.value == "struktur" else "business-rule"


def item_expression(question: str) -> str:
    """FHIRPath to the item of FK question ``question`` (``"17"``, or ``"33.2"`` as a nested item)."""
    head, _, sub = question.partition(".")
    path = f"QuestionnaireResponse.item.where(linkId='{head}')"
    return f"{path}.item.where(linkId='{question}')" if sub else path


def operation_outcome(result: Result, lang: str = "sv") -> OperationOutcome:
    """The ``OperationOutcome`` for one result (an informational issue when nothing was found)."""
    issues = [
        {
            "severity": _SEVERITY[finding.severity.value],
            "code": _code(finding),
            "details": {
                "coding": [{"system": RULE_SYSTEM, "code": finding.rule, "display": finding.title}],
                "text": finding.message(lang),
            },
            "expression": [item_expression(question) for question in finding.questions],
        }
        for finding in result.findings
    ]
    if not issues:
        text = "Inga fynd." if lang == "sv" else "No findings."
        issues.append({"severity": "information", "code": "informational", "details": {"text": text}})
    return OperationOutcome(id=_fhir_id(result.certificate_id), issue=issues)


def _fhir_id(certificate_id: str) -> str | None:
    cleaned = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in certificate_id)[:64]
    return cleaned or None


def render_operation_outcome(result: Result, lang: str = "sv") -> str:
    """The ``OperationOutcome`` as one line of JSON."""
    return operation_outcome(result, lang).model_dump_json(exclude_none=True)
