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
