"""The rule language: ruleset files parsed, type-checked against the model and compiled.

Public API: :func:`load_ruleset`, :class:`Ruleset`, :class:`Rule`, :class:`RulesetError`.
See ``docs/rule-language.md``.
"""

from .errors import Diagnostic, RulesetError
from .loader import clear_cache, load_ruleset, shipped_names
from .ruleset import Category, Rule, RuleExample, Ruleset, Severity

__all__ = [
    "Category",
    "Diagnostic",
    "Rule",
    "RuleExample",
    "Ruleset",
    "RulesetError",
    "Severity",
    "clear_cache",
    "load_ruleset",
    "shipped_names",
]
