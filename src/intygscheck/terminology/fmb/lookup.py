"""Which FMB maximum applies to a certificate, and why (DOMAIN.md §5).

Codes are matched as Webcert matches them: remove the dot, upper-case, then drop characters
from the end — never below 3 — until a code with FMB data is found (F43.8A → F438; M54.3 finds
nothing, since FMB has M544 and M545 but no M543 or M54). Up to three diagnoses are used.

Modes (:class:`FmbMode`):

``webcert``
    Exact parity with Webcert: the highest maximum over every typfall of every matched
    diagnosis, whatever the certificate says about severity, work or operation.
``default``
    The main diagnosis first (the next one only when it has no FMB data). Among its typfall,
    those contradicted by what the certificate states are set aside — the grade (all periods
    100 % vs a part-time typfall), an operation (free text says operated or not), heavy or light
    work (question 29) and severity (F32/F33 code or the diagnosis text). The typfall matching
    most stated facts wins; among equals the most generous maximum, as Webcert would choose.
    ``reason`` says, in Swedish, which facts chose it.

Zero maxima (:class:`ZeroPolicy`): FMB gives 0 days for typfall with "no sick leave beyond the
patient's own report of sickness (up to one week)". ``webcert`` keeps 0, so any sick leave
exceeds (O26.7, O47, G43, K40 ...); ``self_report`` reads 0 as 7 days of self-reported absence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...model import Certificate, Diagnosis
from ...model.codes import CodeSystem
from ..icd10 import normalize
from . import evidence
from .models import FmbDecision, FmbMode, Typfall, ZeroPolicy
from .table import FmbTable, default_table

SELF_REPORT_DAYS = 7
"""Days of self-reported sickness a 0-day maximum allows under ``ZeroPolicy.SELF_REPORT``."""
MAX_DIAGNOSES = 3
_UNITS = {
    "sv": {"d": ("dag", "dagar"), "wk": ("vecka", "veckor"), "mo": ("månad", "månader")},
    "en": {"d": ("day", "days"), "wk": ("week", "weeks"), "mo": ("month", "months")},
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """How one diagnosis code was matched: the codes tried, in order, and the hit (if any)."""

    code: str
    tried: tuple[str, ...]
    matched: str | None
    typfall: tuple[Typfall, ...]


_RESOLVED_LIMIT = 4096
"""Codes whose resolution a table remembers (distinct codes are few; input may hold any)."""


def resolve(code: str, table: FmbTable | None = None) -> Resolution:
    """Truncate ``code`` from the end (never below 3 characters) until FMB has data for it.

    A table remembers the (immutable) resolution of each code it was asked about.
    """
    table = table or default_table()
    remembered = table.resolutions
    found: Resolution | None = remembered.get(code)
    if found is None:
        if len(remembered) >= _RESOLVED_LIMIT:
            remembered.clear()
        found = remembered[code] = _resolve(code, table)
    return found


def _resolve(code: str, table: FmbTable) -> Resolution:
    normal = normalize(code)
    tried: list[str] = []
    for length in range(len(normal), 2, -1):
        candidate = normal[:length]
        tried.append(candidate)
        if candidate in table:
            return Resolution(normal, tuple(tried), candidate, table[candidate])
    return Resolution(normal, tuple(tried) or (normal,), None, ())


def dotted(code: str) -> str:
    """``F438A`` → ``F43.8A`` (codes are shown with their dot)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def days_of(typfall: Typfall, zero_policy: ZeroPolicy) -> int | None:
    """A typfall's maximum in days under the zero policy (None when it has no number)."""
    if typfall.max_days == 0 and zero_policy is ZeroPolicy.SELF_REPORT:
        return SELF_REPORT_DAYS
    return typfall.max_days


def describe_max(typfall: Typfall, lang: str = "sv") -> str:
    """``4 veckor (28 dagar)`` — the maximum in its own unit and in days (``lang`` sv or en)."""
    units = _UNITS["en" if lang == "en" else "sv"]
    if typfall.max_value is None or typfall.max_unit is None:
        return "no number" if lang == "en" else "ingen siffra"
    one, many = units.get(typfall.max_unit, (typfall.max_unit, typfall.max_unit))
    own = f"{typfall.max_value} {one if typfall.max_value == 1 else many}"
    return own if typfall.max_unit == "d" else f"{own} ({typfall.max_days} {units['d'][1]})"


def _icd_diagnoses(certificate: Certificate) -> tuple[list[Diagnosis], list[str]]:
    usable: list[Diagnosis] = []
    other: list[str] = []
    for diagnosis in certificate.diagnoses[:MAX_DIAGNOSES]:
        if not diagnosis.normalized_code:
            continue
        if diagnosis.code_system == CodeSystem.KSH97P.value:
            other.append(diagnosis.normalized_code)
        else:
            usable.append(diagnosis)
    return usable, other


def decide(
    certificate: Certificate,
    *,
    mode: FmbMode = FmbMode.DEFAULT,
    zero_policy: ZeroPolicy = ZeroPolicy.WEBCERT,
    table: FmbTable | None = None,
) -> FmbDecision:
    """The FMB maximum that applies to ``certificate`` (None table → the active default table)."""
    table = table or default_table()
    diagnoses, unmatched = _icd_diagnoses(certificate)
    resolved: list[tuple[Diagnosis, Resolution]] = []
    for diagnosis in diagnoses:
        resolution = resolve(diagnosis.code, table)
        if resolution.matched is None:
            unmatched.append(resolution.code)
        else:
            resolved.append((diagnosis, resolution))
    base: dict[str, Any] = {
        "mode": mode,
        "zero_policy": zero_policy,
        "unmatched_codes": tuple(unmatched),
        "table_source": table.source.name,
        "table_date": table.source.data_date,
    }
    if not resolved:
        return FmbDecision(has_data=False, reason="Ingen diagnos har FMB-data.", **base)
    if mode is FmbMode.WEBCERT:
        return _webcert(resolved, zero_policy, base)
    return _default(certificate, resolved, zero_policy, base)


def _decision(
    resolution: Resolution,
    chosen: Typfall,
    zero_policy: ZeroPolicy,
    reason: str,
    candidates: Sequence[Typfall],
    base: Mapping[str, Any],
) -> FmbDecision:
    days = days_of(chosen, zero_policy)
    adjusted = chosen.max_days == 0 and days != 0
    if adjusted:
        reason += f" Maximum 0 dagar tolkas som egen sjukanmälan upp till {SELF_REPORT_DAYS} dagar."
    if chosen.open_ended:
        reason += " Typfallet anger maximum som en nedre gräns (”eller längre”)."
    return FmbDecision(
        has_data=True,
        max_days=days,
        max_value=chosen.max_value,
        max_unit=chosen.max_unit,
        code=resolution.code,
        matched_code=resolution.matched,
        typfall_id=chosen.id,
        reason=reason,
        open_ended=chosen.open_ended,
        zero_adjusted=adjusted,
        candidates=tuple(t.id for t in candidates),
        **base,
    )


def _no_number(resolved: Sequence[tuple[Diagnosis, Resolution]], base: Mapping[str, Any]) -> FmbDecision:
    first = resolved[0][1]
    ids = tuple(t.id for _, r in resolved for t in r.typfall)
    return FmbDecision(
        has_data=True,
        code=first.code,
        matched_code=first.matched,
        reason="Diagnosen har FMB-data men inget typfall anger en maximal sjukskrivningstid i siffror.",
        candidates=ids,
        **base,
    )


def _webcert(
    resolved: Sequence[tuple[Diagnosis, Resolution]], zero_policy: ZeroPolicy, base: Mapping[str, Any]
) -> FmbDecision:
    best: tuple[int, Diagnosis, Resolution, Typfall] | None = None
    everything: list[Typfall] = []
    for diagnosis, resolution in resolved:
        for item in resolution.typfall:
            everything.append(item)
            days = days_of(item, zero_policy)
            if days is not None and (best is None or days > best[0]):
                best = (days, diagnosis, resolution, item)
    if best is None:
        return _no_number(resolved, base)
    _, _, resolution, chosen = best
    reason = (
        f"Webcert-läge: högsta maximum bland {len(everything)} typfall för "
        f"{', '.join(dotted(r.code) for _, r in resolved)} — typfall {chosen.id} för "
        f"{dotted(resolution.matched or '')}, "
        f"{describe_max(chosen)}."
    )
    return _decision(resolution, chosen, zero_policy, reason, everything, base)


_SEVERITY_SV = {"mild": "lindrig", "moderate": "måttlig", "severe": "svår"}
_LOAD_SV = {"light": "lätt arbete", "moderate": "måttlig belastning", "heavy": "tungt arbete"}


def _judge(item: Typfall, facts: dict[str, evidence.Statement]) -> tuple[int, bool, list[str]]:
    """Score a typfall against the stated facts: (score, contradicted, what matched).

    Each stated fact the typfall selects on and agrees with scores 2 (1 for a severity range
    that includes the stated severity); a typfall that selects on a fact the certificate states
    otherwise is contradicted.
    """
    matches = 0
    contradicted = False
    matched: list[str] = []
    stated_part_time = facts.get("part_time")
    if stated_part_time is not None:
        if item.part_time and stated_part_time.value:
            matches += 2
            matched.append("deltid")
        elif item.part_time and not stated_part_time.value:
            contradicted = True
    operated = facts.get("operation")
    if operated is not None and item.surgical:
        if operated.value is True:
            matches += 2
            matched.append("operation")
        else:
            contradicted = True
    load = facts.get("work_load")
    classes = (
        {
            evidence.WORK_LOAD_CODES[c]
            for c in item.attributes.get("work_load", ())
            if c in evidence.WORK_LOAD_CODES
        }
        if load is not None
        else None  # the typfall's selectors matter only against a stated fact
    )
    if load is not None and classes:
        if load.value in classes:
            matches += 2
            matched.append(_LOAD_SV[str(load.value)])
        else:
            contradicted = True
    stated_severity = facts.get("severity")
    levels: set[str] = set()
    if stated_severity is not None:
        for code in item.attributes.get("severity", ()):
            levels |= evidence.SEVERITY_CODES.get(code, frozenset())
    if stated_severity is not None and levels:
        if stated_severity.value in levels:
            # An exact severity beats a range that merely includes it ("måttlig till uttalad").
            matches += 2 if levels == {stated_severity.value} else 1
            matched.append(f"{_SEVERITY_SV[str(stated_severity.value)]} svårighetsgrad")
        else:
            contradicted = True
    return matches, contradicted, matched


def _default(
    certificate: Certificate,
    resolved: Sequence[tuple[Diagnosis, Resolution]],
    zero_policy: ZeroPolicy,
    base: Mapping[str, Any],
) -> FmbDecision:
    numbered = [(d, r) for d, r in resolved if any(t.max_days is not None for t in r.typfall)]
    if not numbered:
        return _no_number(resolved, base)
    diagnosis, resolution = numbered[0]
    main = certificate.diagnoses[0].normalized_code if certificate.diagnoses else None
    which = "huvuddiagnosen" if resolution.code == main else "första diagnosen med FMB-siffror"
    facts: dict[str, evidence.Statement] = {}
    for key, statement in (
        ("part_time", evidence.part_time(certificate)),
        ("operation", evidence.operation(certificate)),
        ("work_load", evidence.work_load(certificate)),
        ("severity", evidence.severity(certificate, diagnosis.normalized_code)),
    ):
        if statement is not None:
            facts[key] = statement
    candidates = [t for t in resolution.typfall if t.max_days is not None]
    judged = [(t, *_judge(t, facts)) for t in candidates]
    fitting = [j for j in judged if not j[2]]
    note = ""
    if not fitting:
        fitting = judged
        note = " Inget typfall stämmer med allt intyget anger; alla typfall prövas."
    best_score = max(j[1] for j in fitting)
    top = [j for j in fitting if j[1] == best_score]
    chosen, _, _, matched = max(top, key=lambda j: days_of(j[0], zero_policy) or 0)
    stated = "; ".join(s.basis for s in facts.values()) or "inget som typfallen väljer på"
    if matched:
        why = f"typfall {chosen.id} stämmer med {', '.join(matched)}"
    else:
        why = f"intyget skiljer inte typfallen åt, typfall {chosen.id} har högst maximum"
    if len(top) > 1 and matched:
        why += f" (högst maximum av {len(top)} lika väl stämmande)"
    reason = (
        f"{which.capitalize()} {dotted(resolution.code)} matchar FMB-koden "
        f"{dotted(resolution.matched or '')} "
        f"({len(candidates)} typfall med siffra). Intyget anger: {stated}. "
        f"Valt: {why} — {describe_max(chosen)}.{note}"
    )
    return _decision(resolution, chosen, zero_policy, reason, candidates, base)
