"""The sjukfall (sick-leave case) as rules see it: ``case.total_days``, ``case.start``, ..."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..model import Certificate


class CaseScope(StrEnum):
    """Where certificates must come from to chain into one case."""

    UNIT = "unit"  # same care unit (Webcert)
    CARE_PROVIDER = "care_provider"  # same care provider (Intygsstatistik)


class Case(BaseModel):
    """The sjukfall a certificate belongs to, as seen from that certificate.

    ``certificates`` runs in chain order up to and including the certificate being checked;
    ``total_days`` counts the calendar days their periods cover (inclusive, overlaps once,
    not weighted by grade), so each certificate sees the length of the case so far.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    certificates: tuple[Certificate, ...] = Field(description="Chain order, ending with the current one.")
    start: date = Field(description="First day of the case.")
    end: date = Field(description="Last day covered so far (the current certificate's last day).")
    total_days: int = Field(description="Calendar days covered by the case up to the current certificate.")
    gap_days: int = Field(5, description="Largest gap (days) that still chains two certificates.")
    scope: CaseScope = CaseScope.UNIT

    @property
    def previous(self) -> tuple[Certificate, ...]:
        """The certificates of the case before the current one."""
        return self.certificates[:-1]

    @property
    def current(self) -> Certificate:
        """The certificate the case is seen from."""
        return self.certificates[-1]

    @property
    def count(self) -> int:
        """How many certificates the case has so far."""
        return len(self.certificates)

    @property
    def is_continuation(self) -> bool:
        """True when an earlier certificate belongs to the same case."""
        return len(self.certificates) > 1
