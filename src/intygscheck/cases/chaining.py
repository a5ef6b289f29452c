"""Chain one patient's certificates into sjukfall (sick-leave cases), as Webcert counts them.

Rules (DOMAIN.md §5 and §7):

* Certificates chain when they belong to the same patient (``patient.key``) and the same care
  unit (``issuer.unit_id``; with ``CaseScope.CARE_PROVIDER`` the same care provider, as
  Intygsstatistik counts) and the next certificate starts at most ``gap_days`` free days after
  the case so far ends: with the default 5, a certificate ending on the 7th chains with one
  starting on the 13th (5 free days between) but not with one starting on the 14th.
* The length is the number of calendar days covered by the periods, inclusive, overlaps once,
  not weighted by grade. Each certificate sees the case up to and including itself.
* A certificate that replaces or completes an earlier one (``certificate.relations``) takes its
  place: the earlier one is left out of the case.
* Order of input never matters: certificates are ordered by first day, then signing time,
  then id. A certificate without patient, unit (or provider) or periods chains with nothing.

Day counting merges intervals, so a year-long period costs the same as a one-day one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, date, datetime

from ..model import Certificate, count_days, day_intervals, merge_day_intervals
from .models import Case, CaseScope

_EARLIEST = datetime.min


def _scope_id(certificate: Certificate, scope: CaseScope) -> str | None:
    issuer = certificate.issuer
    if issuer is None:
        return None
    return issuer.unit_id if scope is CaseScope.UNIT else issuer.care_provider_id


def group_key(certificate: Certificate, scope: CaseScope = CaseScope.UNIT) -> Hashable:
    """Certificates with equal keys may chain: same patient and same unit (or care provider)."""
    patient = certificate.patient.key if certificate.patient else None
    place = _scope_id(certificate, scope)
    if patient is None or place is None:
        return ("alone", certificate.id)
    return (patient, place)


def order_key(certificate: Certificate) -> tuple[date, datetime, str]:
    """Chain order: first day, then signing time (aware times compared in UTC), then id."""
    signed = certificate.signed_at
    if signed is not None and signed.tzinfo is not None:
        signed = signed.astimezone(UTC).replace(tzinfo=None)
    return (certificate.first_day or date.min, signed or _EARLIEST, certificate.id)


def _has_days(certificate: Certificate) -> bool:
    """True when some period covers a day (a reversed period covers none)."""
    return any(p.end >= p.start for p in certificate.periods)


def _effective(certificates: Sequence[Certificate], keep: str | None = None) -> list[Certificate]:
    """Drop certificates that another one replaces or completes.

    The certificate with id ``keep`` (the one a case is seen from) is never dropped; newer
    versions of it are dropped instead, since they stand for the same certificate.
    """
    by_id: dict[str, Certificate] = {}
    for certificate in certificates:
        by_id.setdefault(certificate.id, certificate)
    superseded = {
        relation.certificate_id
        for certificate in by_id.values()
        for relation in certificate.relations
        if relation.certificate_id != certificate.id
    }
    newer: set[str] = set()
    if keep is not None:
        newer = {cid for cid in by_id if cid != keep and keep in _ancestors(cid, by_id)}
    return [c for cid, c in by_id.items() if cid == keep or (cid not in superseded and cid not in newer)]


def _ancestors(certificate_id: str, by_id: dict[str, Certificate]) -> set[str]:
    """Ids this certificate replaces or completes, directly or through earlier versions."""
    seen: set[str] = set()
    stack = [certificate_id]
    while stack:
        current = by_id.get(stack.pop())
        if current is None:
            continue
        for relation in current.relations:
            if relation.certificate_id not in seen and relation.certificate_id != certificate_id:
                seen.add(relation.certificate_id)
                stack.append(relation.certificate_id)
    return seen


def chains(
    certificates: Iterable[Certificate],
    *,
    gap_days: int = 5,
    scope: CaseScope = CaseScope.UNIT,
) -> list[tuple[Certificate, ...]]:
    """Whole sjukfall, each a tuple of certificates in chain order (those without days left out)."""
    groups: dict[Hashable, list[Certificate]] = {}
    for certificate in certificates:
        if _has_days(certificate):
            groups.setdefault(group_key(certificate, scope), []).append(certificate)
    result: list[tuple[Certificate, ...]] = []
    for members in groups.values():
        result.extend(_split(sorted(_effective(members), key=order_key), gap_days))
    result.sort(key=lambda chain: order_key(chain[0]))
    return result


def _split(ordered: Sequence[Certificate], gap_days: int) -> list[tuple[Certificate, ...]]:
    out: list[tuple[Certificate, ...]] = []
    current: list[Certificate] = []
    end = 0
    for certificate in ordered:
        intervals = day_intervals(certificate.periods)
        if not intervals:
            continue
        first = min(s for s, _ in intervals)
        last = max(e for _, e in intervals)
        if current and first - end - 1 > gap_days:
            out.append(tuple(current))
            current = []
        if not current:
            end = last
        current.append(certificate)
        end = max(end, last)
    if current:
        out.append(tuple(current))
    return out


def _cases_of_chain(chain: Sequence[Certificate], gap_days: int, scope: CaseScope) -> list[Case]:
    cases: list[Case] = []
    intervals: list[tuple[int, int]] = []
    for index, certificate in enumerate(chain):
        intervals = merge_day_intervals([*intervals, *day_intervals(certificate.periods)])
        # Built from already-validated certificates: construct without re-validation.
        cases.append(
            Case.model_construct(
                certificates=tuple(chain[: index + 1]),
                start=date.fromordinal(intervals[0][0]),
                end=certificate.last_day or date.fromordinal(intervals[-1][1]),
                total_days=count_days(intervals),
                gap_days=gap_days,
                scope=scope,
            )
        )
    return cases


def build_cases(
    certificates: Iterable[Certificate],
    *,
    gap_days: int = 5,
    scope: CaseScope = CaseScope.UNIT,
) -> list[Case]:
    """Every certificate's case (as seen from it), sjukfall by sjukfall in chain order.

    A certificate that a later one replaces or completes is not part of anyone else's case;
    its own case (seen from it, as :func:`case_for` builds it) comes after the chained ones.
    """
    pool = [c for c in certificates if _has_days(c)]
    cases = [
        case
        for chain in chains(pool, gap_days=gap_days, scope=scope)
        for case in _cases_of_chain(chain, gap_days, scope)
    ]
    placed = {case.current.id for case in cases}
    groups: dict[Hashable, list[Certificate]] = {}
    for certificate in pool:
        groups.setdefault(group_key(certificate, scope), []).append(certificate)
    for certificate in pool:
        if certificate.id not in placed:
            placed.add(certificate.id)
            own = case_for(certificate, groups[group_key(certificate, scope)], gap_days=gap_days, scope=scope)
            if own is not None:
                cases.append(own)
    return cases


def cases_by_id(
    certificates: Iterable[Certificate],
    *,
    gap_days: int = 5,
    scope: CaseScope = CaseScope.UNIT,
) -> dict[str, Case]:
    """Each certificate's case keyed by certificate id (for batch runs and ``check`` on many files)."""
    return {case.current.id: case for case in build_cases(certificates, gap_days=gap_days, scope=scope)}


def case_for(
    certificate: Certificate,
    others: Iterable[Certificate],
    *,
    gap_days: int = 5,
    scope: CaseScope = CaseScope.UNIT,
) -> Case | None:
    """The sjukfall seen from ``certificate``, built from it and the patient's ``others``.

    Certificates of other patients or other units (providers) in ``others`` are ignored.
    Returns None when ``certificate`` has no periods (or only periods that end before they start).
    """
    if not _has_days(certificate):
        return None
    key = group_key(certificate, scope)
    related = [certificate] + [
        c for c in others if c.id != certificate.id and _has_days(c) and group_key(c, scope) == key
    ]
    members = sorted(_effective(related, keep=certificate.id), key=order_key)
    position = next(i for i, c in enumerate(members) if c.id == certificate.id)
    # The certificate ends the sorted prefix, so it ends the prefix's last chain.
    chain = _split(members[: position + 1], gap_days)[-1]
    return _cases_of_chain(chain, gap_days, scope)[-1]
