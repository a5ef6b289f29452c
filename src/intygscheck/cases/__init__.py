"""Sjukfall: chaining one patient's certificates into sick-leave cases."""

from .models import Case, CaseScope

__all__ = ["Case", "CaseScope"]
