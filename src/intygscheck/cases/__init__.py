"""Sjukfall: chaining one patient's certificates into sick-leave cases."""

from .chaining import build_cases, case_for, cases_by_id, chains, group_key, order_key
from .models import Case, CaseScope

__all__ = [
    "Case",
    "CaseScope",
    "build_cases",
    "case_for",
    "cases_by_id",
    "chains",
    "group_key",
    "order_key",
]
