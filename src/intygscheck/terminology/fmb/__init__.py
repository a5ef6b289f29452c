"""FMB — Socialstyrelsen's försäkringsmedicinska beslutsstöd: tables, import and lookup."""

from .models import FmbDecision, FmbMode, Typfall, ZeroPolicy

__all__ = ["FmbDecision", "FmbMode", "Typfall", "ZeroPolicy"]
