"""The rule catalogue the service publishes at ``GET /rulesets`` and uses to explain findings.

Built once at start-up from the compiled rulesets; answering ``/rulesets`` or making a
CDS Hooks card then only reads these frozen records.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RuleInfo(BaseModel):
    """One rule as a client sees it: what it is about, how severe, which FK questions."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    severity: str
    category: str
    questions: tuple[str, ...]
    references: tuple[str, ...] = ()
    ruleset: str = Field(description="Name of the ruleset that defines the rule (may be a parent).")
    version: str = Field(description="Version of the ruleset listing it.")


class RulesetInfo(BaseModel):
    """One ruleset: its name, version, description and rules."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    description: str | None = None
    default: bool = Field(description="True when /check uses it when a request names no rulesets.")
    rules: tuple[RuleInfo, ...]


class Catalogue(BaseModel):
    """Every ruleset the service has compiled (``GET /rulesets``)."""

    model_config = ConfigDict(frozen=True)

    rulesets: tuple[RulesetInfo, ...]


__all__ = ["Catalogue", "RuleInfo", "RulesetInfo"]
