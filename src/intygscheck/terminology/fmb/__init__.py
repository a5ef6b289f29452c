"""FMB — Socialstyrelsen's försäkringsmedicinska beslutsstöd: tables, import and lookup."""

from .lookup import Resolution, decide, resolve
from .models import FmbDecision, FmbMode, Typfall, ZeroPolicy
from .table import FmbTable, TableSource, default_table, load_table, reload_default_table

__all__ = [
    "FmbDecision",
    "FmbMode",
    "FmbTable",
    "Resolution",
    "TableSource",
    "Typfall",
    "ZeroPolicy",
    "decide",
    "default_table",
    "load_table",
    "reload_default_table",
    "resolve",
]
