"""FMB data as rules see it: typfall from the table, and the decision for one certificate."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FmbMode(StrEnum):
    """How the recommended maximum is chosen among matched typfall."""

    DEFAULT = "default"  # main diagnosis first, typfall chosen by what the certificate states
    WEBCERT = "webcert"  # highest maximum over all typfall of up to three diagnoses (parity)


class ZeroPolicy(StrEnum):
    """What a typfall maximum of 0 days means."""

    WEBCERT = "webcert"  # 0 is a limit of 0 days: any sick leave exceeds it
    SELF_REPORT = "self_report"  # 0 means self-reported absence: up to 7 days


class Typfall(BaseModel):
    """One FMB typfall: a situation and its recommended maximum."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    codes: tuple[str, ...] = Field(description="Diagnosis codes, normalised (no dot, upper case).")
    max_value: int | None = Field(None, description="Maximum as published; None when it has no number.")
    max_unit: str | None = Field(None, description="d, wk or mo.")
    max_days: int | None = Field(None, description="Maximum in days: value × (d 1, wk 7, mo 31).")
    degree: int | None = Field(None, description="Grade (percent) the maximum applies to, if stated.")
    valid_from: date | None = None
    valid_to: date | None = None
    attributes: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Selection attributes as codes: severity, work_load, procedure, course.",
    )
    part_time: bool = Field(False, description="The maximum is for part-time sick leave (FMB 'deltid').")
    open_ended: bool = Field(
        False, description="The maximum is a lower bound ('4 weeks or longer'), derived at import."
    )
    surgical: bool = Field(False, description="The typfall selects on a performed operation.")
    version: str | None = None
    updated: date | None = Field(None, description="When Socialstyrelsen last updated the typfall.")

    @property
    def has_number(self) -> bool:
        """True when the typfall states a maximum in days."""
        return self.max_days is not None


class FmbDecision(BaseModel):
    """The FMB recommendation chosen for a certificate, and why (shown as evidence)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    has_data: bool = Field(description="True when some diagnosis matched FMB data.")
    max_days: int | None = Field(None, description="The recommended maximum, in days, that applies.")
    max_value: int | None = Field(None, description="That maximum in its own unit.")
    max_unit: str | None = None
    code: str | None = Field(None, description="The certificate's diagnosis code the limit came from.")
    matched_code: str | None = Field(None, description="The FMB code it matched after truncation.")
    typfall_id: str | None = None
    mode: FmbMode = FmbMode.DEFAULT
    reason: str = Field("", description="Why this typfall was chosen, for the evidence.")
    unmatched_codes: tuple[str, ...] = Field((), description="Diagnosis codes with no FMB data.")
    table_source: str = ""
    table_date: date | None = Field(None, description="Date of the FMB data the table was made from.")
    open_ended: bool = Field(False, description="The chosen maximum is a lower bound ('or longer').")
    zero_policy: ZeroPolicy = ZeroPolicy.WEBCERT
    zero_adjusted: bool = Field(False, description="A 0-day maximum was read as 7 days of self-report.")
    candidates: tuple[str, ...] = Field((), description="Ids of the typfall considered (all matched).")

    def table_age_years(self, today: date | None = None) -> float | None:
        """Age of the FMB data in years (one decimal), for the evidence of a finding."""
        if self.table_date is None:
            return None
        return round(((today or date.today()) - self.table_date).days / 365.25, 1)
