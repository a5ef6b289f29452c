"""intygscheck — checks Swedish sick-leave certificates (FK 7804).

The public API is small::

    import intygscheck
    certificate = intygscheck.read("intyg.xml")
    result = intygscheck.check(certificate)          # default rulesets
    for finding in result.findings:
        print(finding.questions, finding.message)

Everything not listed in ``__all__`` is private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InputError, IntygscheckError
from .model import (
    ActivityLimitation,
    Basis,
    Certificate,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    Issuer,
    Patient,
    Prognosis,
    SickLeavePeriod,
)

if TYPE_CHECKING:
    from .engine import Finding, Result, check
    from .ingest import read
    from .rules import Ruleset, load_ruleset

__version__ = "0.1.0"

_LAZY = {
    "check": ("engine", "check"),
    "Finding": ("engine", "Finding"),
    "Result": ("engine", "Result"),
    "read": ("ingest", "read"),
    "load_ruleset": ("rules", "load_ruleset"),
    "Ruleset": ("rules", "Ruleset"),
}


def __getattr__(name: str) -> Any:
    """Import the heavier parts of the API on first use, so ``import intygscheck`` is cheap."""
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'intygscheck' has no attribute {name!r}")


__all__ = [
    "ActivityLimitation",
    "Basis",
    "Certificate",
    "Diagnosis",
    "Finding",
    "FunctionalImpairment",
    "Grade",
    "InputError",
    "IntygscheckError",
    "Issuer",
    "Patient",
    "Prognosis",
    "Result",
    "Ruleset",
    "SickLeavePeriod",
    "__version__",
    "check",
    "load_ruleset",
    "read",
]
