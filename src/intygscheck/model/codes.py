"""FK code lists (kodverk) used by FK 7804, as enums.

Values are the transport codes. Codes that older certificate versions used are kept, so a
certificate that uses one can be read and a structural rule can flag it.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class BasisKind(StrEnum):
    """KV_FKMU_0001 — what the certificate is based on (question 1)."""

    UNDERSOKNING = "UNDERSOKNING"  # v1: own examination
    FYSISKUNDERSOKNING = "FYSISKUNDERSOKNING"  # v2: examination at a physical visit
    DIGITALUNDERSOKNING = "DIGITALUNDERSOKNING"  # v2: examination at a digital visit
    TELEFONKONTAKT = "TELEFONKONTAKT"
    JOURNALUPPGIFTER = "JOURNALUPPGIFTER"
    ANNAT = "ANNAT"


class Occupation(StrEnum):
    """KV_FKMU_0002 — the patient's occupation (question 28)."""

    NUVARANDE_ARBETE = "NUVARANDE_ARBETE"
    ARBETSSOKANDE = "ARBETSSOKANDE"
    FORALDRALEDIG = "FORALDRALEDIG"
    STUDIER = "STUDIER"
    ARBETSMARKNADSPOLITISKT_PROGRAM = "ARBETSMARKNADSPOLITISKT_PROGRAM"  # withdrawn from the list


class Grade(IntEnum):
    """KV_FKMU_0003 — how much the work capacity is reduced, in percent (question 32.1)."""

    EN_FJARDEDEL = 25
    HALFTEN = 50
    TRE_FJARDEDEL = 75
    HELT_NEDSATT = 100

    @property
    def code(self) -> str:
        """The transport code, e.g. ``HALFTEN``."""
        return self.name

    @classmethod
    def from_code(cls, code: str) -> Grade:
        """The grade for a transport code; raises ``KeyError`` for an unknown code."""
        return cls[code.strip()]


class MeasureCode(StrEnum):
    """KV_FKMU_0004 — work-oriented measures (question 40, v1)."""

    EJ_AKTUELLT = "EJ_AKTUELLT"
    ARBETSTRANING = "ARBETSTRANING"
    ARBETSANPASSNING = "ARBETSANPASSNING"
    SOKA_NYTT_ARBETE = "SOKA_NYTT_ARBETE"
    BESOK_ARBETSPLATS = "BESOK_ARBETSPLATS"
    ERGONOMISK = "ERGONOMISK"
    HJALPMEDEL = "HJALPMEDEL"
    KONFLIKTHANTERING = "KONFLIKTHANTERING"
    KONTAKT_FHV = "KONTAKT_FHV"
    OMFORDELNING = "OMFORDELNING"
    OVRIGA_ATGARDER = "OVRIGA_ATGARDER"


class PrognosisCode(StrEnum):
    """KV_FKMU_0006 — prognosis for return to work (question 39.1)."""

    STOR_SANNOLIKHET = "STOR_SANNOLIKHET"
    ATER_X_ANTAL_DGR = "ATER_X_ANTAL_DGR"  # v1, with 39.3 in days
    ATER_X_ANTAL_MANADER = "ATER_X_ANTAL_MANADER"  # v2, with 39.4 in months
    SANNOLIKT_INTE = "SANNOLIKT_INTE"
    PROGNOS_OKLAR = "PROGNOS_OKLAR"


PROGNOSIS_DAYS: dict[str, int] = {
    "TRETTIO_DGR": 30,
    "SEXTIO_DGR": 60,
    "NITTIO_DGR": 90,
    "HUNDRAATTIO_DAGAR": 180,
    "TRESEXTIOFEM_DAGAR": 365,
}
"""KV_FKMU_0007 — the day counts of question 39.3 (v1)."""


class RelationKind(StrEnum):
    """How a certificate relates to an earlier one."""

    REPLACES = "replaces"  # ersätter
    COMPLETES = "completes"  # kompletterar


class CodeSystem(StrEnum):
    """Diagnosis code systems, by the OIDs used in transport."""

    ICD10SE = "1.2.752.116.1.1.1"
    ICD10SE_OLD_3 = "1.2.752.116.1.1.1.1.3"
    ICD10SE_OLD_8 = "1.2.752.116.1.1.1.1.8"
    KSH97P = "1.2.752.116.1.3.1.4.1"

    @property
    def family(self) -> str:
        """``ICD-10-SE`` or ``KSH97-P``: the system a code belongs to, whatever its edition."""
        return "KSH97-P" if self is CodeSystem.KSH97P else "ICD-10-SE"
