"""A short human-readable view of a certificate: its D, F, A, periods and basis."""

from __future__ import annotations

import textwrap

from ..model import Certificate


def describe_certificate(certificate: Certificate, *, source: str | None = None) -> str:
    """Plain text for a terminal. Prints no identity number (the patient is a pseudonym)."""
    lines = [
        f"== {source or certificate.id}  (intyg {certificate.id}, {certificate.type} v{certificate.version})"
    ]
    if certificate.patient is not None:
        patient = certificate.patient
        sex = patient.sex.value if patient.sex else "?"
        age = certificate.age_at_signing
        lines.append(f"   patient   {patient.key}  kön {sex}  ålder {age if age is not None else '?'}")
    if certificate.issuer is not None and certificate.issuer.unit_name:
        lines.append(f"   enhet     {certificate.issuer.unit_name} ({certificate.issuer.unit_id})")
    lines.append("D  diagnos (6)")
    for diagnosis in certificate.diagnoses:
        lines.append(f"     {diagnosis.code:<7} {diagnosis.text or ''}")
    if not certificate.diagnoses:
        lines.append("     —")
    lines.append("F  funktionsnedsättning (35)")
    lines.append(_indented(certificate.functional_impairment.text))
    lines.append("A  aktivitetsbegränsning (17)")
    lines.append(_indented(certificate.activity_limitation.text))
    lines.append("   sjukskrivning (32)")
    for period in certificate.periods:
        lines.append(f"     {period.grade.value:>3} %  {period.start} – {period.end}  ({period.days} dagar)")
    if not certificate.periods:
        lines.append("     —")
    lines.append("   baserat på (1)")
    for basis in certificate.basis:
        extra = f"  {basis.text}" if basis.text else ""
        lines.append(f"     {basis.kind.value:<20} {basis.date or ''}{extra}")
    if not certificate.basis:
        lines.append("     —")
    return "\n".join(lines)


def _indented(text: str | None) -> str:
    if text is None or not text.strip():
        return "     —"
    return textwrap.fill(text.strip(), width=96, initial_indent="     ", subsequent_indent="     ")
