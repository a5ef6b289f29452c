"""The per-certificate result row of a batch: findings plus the statistics columns.

A row is what ``results.ndjson`` holds, and the same row (without ``source`` and
``findings``) is the per-certificate table the indicators and the equality analysis read
(:data:`intygscheck.stats.schema.CERTIFICATE_TABLE_SCHEMA`). Nothing in a row identifies a
person: the patient is the keyed pseudonym.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..cases import Case
from ..engine import Result
from ..model import Certificate, Grade
from ..stats.schema import AGE_BANDS, age_band_labels
from ..terminology.icd10 import block_of, chapter_numeral_of

FMB_EXCEEDED_TAG = "fmb-overskriden"
"""Rules that report an FMB exceedance carry this tag; a motivated one has severity info."""


def age_band(age: int | None, edges: tuple[int, ...] = AGE_BANDS) -> str | None:
    """The age band label of an age in whole years: the statistics' own bands and labels."""
    if age is None:
        return None
    return age_band_labels(edges)[bisect_right(edges, age)]


def result_row(
    source: str,
    certificate: Certificate,
    case: Case | None,
    result: Result,
    *,
    completion_checked: bool = True,
) -> dict[str, Any]:
    """The ``results.ndjson`` row for one checked certificate.

    ``completion_checked`` is False for certificates built from a tabular extract, which were
    not checked for completion requests: their ``completion_questions`` is null, not empty.
    """
    main = certificate.main_diagnosis
    code = main.normalized_code if main else None
    patient = certificate.patient
    signed = certificate.signed_date
    exceeded = [f for f in result.findings if FMB_EXCEEDED_TAG in f.tags]
    completion = sorted({q for f in result.findings if f.category == "komplettering" for q in f.questions})
    return {
        "source": source,
        "certificate_id": certificate.id,
        "patient_key": patient.key if patient else None,
        "unit_id": certificate.issuer.unit_id if certificate.issuer else None,
        "care_provider_id": certificate.issuer.care_provider_id if certificate.issuer else None,
        "diagnosis_code": code,
        "chapter": chapter_numeral_of(code) if code else None,
        "block": block_of(code) if code else None,
        "sex": patient.sex.value if patient and patient.sex else None,
        "age_band": age_band(certificate.age_at_signing),
        "month": f"{signed:%Y-%m}" if signed else None,
        "grade": max((int(g) for g in certificate.grades), default=None),
        "part_time": any(g is not Grade.HELT_NEDSATT for g in certificate.grades),
        "certificate_days": certificate.days_covered,
        "case_id": case.certificates[0].id if case else None,
        "case_position": case.count if case else None,
        "sjukfall_days": case.total_days if case else None,
        "first_certificate_days": case.certificates[0].days_covered if case else None,
        "completion_questions": completion if completion_checked else None,
        "fmb_exceeded": bool(exceeded),
        "fmb_motivated": bool(exceeded) and all(f.severity.value == "info" for f in exceeded),
        "rulesets": [{"name": ref.name, "version": ref.version} for ref in result.rulesets],
        "findings": [
            {
                "rule": f.rule,
                "ruleset": f.ruleset,
                "severity": f.severity.value,
                "category": f.category.value,
                "questions": list(f.questions),
            }
            for f in result.findings
        ],
    }
