"""What a certificate states about the things FMB typfall select on.

The default FMB mode chooses a typfall by facts the certificate itself states: the grade of the
sick leave (question 32), whether the patient has been operated (any free text), how physically
demanding the work is (question 29) and how severe the illness is (the ICD code's own severity
axis for F32/F33, or a severity word in the diagnosis text). Each function returns ``None``
when the certificate says nothing, so an unstated fact never excludes a typfall.

It also classifies FMB's own codes for those facts: SNOMED CT severity codes and the
``BELASTNING_n`` work-load codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ...model import Certificate

Severity = Literal["mild", "moderate", "severe"]
WorkLoad = Literal["light", "moderate", "heavy"]

SEVERITY_CODES: dict[str, frozenset[Severity]] = {
    "255604002": frozenset({"mild"}),  # lindrig
    "6736007": frozenset({"moderate"}),  # måttlig
    "24484000": frozenset({"severe"}),  # uttalad
    "371923003": frozenset({"mild", "moderate"}),  # lindrig till måttlig
    "371924009": frozenset({"moderate", "severe"}),  # måttlig till uttalad
}
"""FMB severity selectors (SNOMED CT) and the severities they cover."""

_LIGHT = (1, 6, 9, 17, 18, 21, 24, 32)
_HEAVY = (3, 7, 8, 10, 12, 15, 16, 19, 20, 22, 23)
WORK_LOAD_CODES: dict[str, WorkLoad] = {
    **{f"BELASTNING_{n}": "light" for n in _LIGHT},
    "BELASTNING_2": "moderate",
    **{f"BELASTNING_{n}": "heavy" for n in _HEAVY},
}
"""FMB work-load selectors (code system 1.2.752.116.3.1.13) as light, moderate or heavy.

Light: light load, physically light or less demanding work, sedentary or office work, work
without knee load. Heavy: heavy load, physically heavy or demanding work, much standing and
walking, knee load, demands on mobility and load, manual work with the arms, overhead work,
joint-loading work, dirty manual work, work that loads the abdominal muscles. Other codes
(voice, vision, communication, skin, driving) are not about physical load and stay neutral.
"""

_SEVERITY_BY_CODE: dict[str, Severity] = {
    "F320": "mild",
    "F330": "mild",
    "F321": "moderate",
    "F331": "moderate",
    "F322": "severe",
    "F323": "severe",
    "F332": "severe",
    "F333": "severe",
}
_SEVERITY_WORDS: tuple[tuple[re.Pattern[str], Severity], ...] = (
    (re.compile(r"\bmedelsvår\w*|\bmåttlig\w*", re.IGNORECASE), "moderate"),
    (re.compile(r"\blindrig\w*|\blätt(?:a|gradig\w*)?\b", re.IGNORECASE), "mild"),
    (re.compile(r"\bsvår(?:t|a)?\b|\buttalad\w*|\bgrav(?:t|a)?\b", re.IGNORECASE), "severe"),
)
_HEAVY_WORDS = re.compile(
    r"\b(?:tung\w*|lyft\w*|\bbär(?:a|er)?\b|fysiskt\s+(?:krävande|ansträngande|tungt)|byggnads\w*"
    r"|snickare|murare|lager\w*|montör\w*|montering\w*|undersköterska|vårdbiträde|hemtjänst"
    r"|städ\w*|lokalvård\w*|industri\w*|mekaniker|svetsare|rörmokare|elektriker|målare"
    r"|stående|gående|knästående|ovanför\s+axelhöjd|manuell\w*|skogs\w*|jordbruk\w*|plåtslagare"
    r"|anläggnings\w*|golvläggare|takläggare|flyttarbet\w*|bagare|kock)",
    re.IGNORECASE,
)
_LIGHT_WORDS = re.compile(
    r"\b(?:kontor\w*|stillasittande|sittande|administrat\w*|handläggare|ekonom\w*|redovisning\w*"
    r"|programmer\w*|systemutvecklare|utvecklare|sekreterare|receptionist|datorarbete|skrivbord\w*"
    r"|kundtjänst|telefonist|it[- ]\w*|jurist|advokat|bibliotek\w*|växeltelefonist)",
    re.IGNORECASE,
)
_OPERATION = re.compile(
    r"\bopererad\w*|\bopererat\w*|\bopererades\b|\boperation\w*|\bpostop\w*|\bop\.|\bop-\w*"
    r"|\b\w+ektomi\b|\bartroskop\w*|\blaparoskop\w*|\bingrepp\w*|\bprotesoperer\w*",
    re.IGNORECASE,
)
_OPERATION_STEMS = ("oper", "postop", "op.", "op-", "ektomi", "skop", "ingrepp")
"""A literal every :data:`_OPERATION` match contains: a text with none of them is skipped
without running the pattern (ten times faster; most texts mention no operation)."""
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+")
_NOT_BEFORE = re.compile(
    r"\b(?:ej|inte|ingen|icke|utan|aldrig|väntar\s+på|inför|planerad|planerat|remitterad\w*\s+(?:till|för)"
    r"|remiss\w*\s+(?:till|för)|bedöm\w*\s+för|aktuell\s+för)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_NOT_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,2}(?:planeras|planerad|planerat|ej\s+aktuell|inte\s+aktuell|ej\s+gjord"
    r"|inte\s+gjord|kommer|ska|skall)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Statement:
    """A fact the certificate states, and the words it rests on (for the evidence)."""

    value: str | bool
    basis: str


def part_time(certificate: Certificate) -> Statement | None:
    """Part-time (some period 25–75 %) or full time (all periods 100 %); None without periods."""
    if not certificate.periods:
        return None
    grades = sorted({int(p.grade) for p in certificate.periods})
    shown = ", ".join(f"{g} %" for g in grades)
    return Statement(any(p.is_part_time for p in certificate.periods), f"sjukskrivningsgrad {shown}")


def work_load(certificate: Certificate) -> Statement | None:
    """Heavy or light work, from question 29 (None when it is missing or ambiguous)."""
    text = certificate.work_tasks or ""
    heavy = _HEAVY_WORDS.search(text)
    light = _LIGHT_WORDS.search(text)
    if heavy and not light:
        return Statement("heavy", f"arbetsuppgifter: ”{heavy.group(0)}”")
    if light and not heavy:
        return Statement("light", f"arbetsuppgifter: ”{light.group(0)}”")
    return None


def _texts(certificate: Certificate) -> list[str]:
    texts = [d.text for d in certificate.diagnoses]
    texts += [
        certificate.functional_impairment.text,
        certificate.activity_limitation.text,
        certificate.treatment.ongoing,
        certificate.treatment.planned,
        certificate.other_information,
        certificate.fmb_motivation,
    ]
    return [t for t in texts if t]


def operation(certificate: Certificate) -> Statement | None:
    """True when a text says the patient has been operated, False when it says not; else None.

    A mention in the same sentence as a negation or a plan ("ej opererad", "väntar på
    operation", "inför operation") counts as "not operated".
    """
    performed: str | None = None
    not_performed: str | None = None
    for text in _texts(certificate):
        folded = text.casefold()
        if not any(stem in folded for stem in _OPERATION_STEMS) or _OPERATION.search(text) is None:
            continue  # most texts mention no operation: skip the sentence split
        for sentence in _SENTENCE_BREAK.split(text):
            for match in _OPERATION.finditer(sentence):
                before = sentence[max(0, match.start() - 40) : match.start()]
                after = sentence[match.end() : match.end() + 30]
                if _NOT_BEFORE.search(before) or _NOT_AFTER.search(after):
                    not_performed = not_performed or match.group(0)
                else:
                    performed = performed or match.group(0)
    if performed:
        return Statement(True, f"text nämner operation: ”{performed}”")
    if not_performed:
        return Statement(False, f"text anger att operation inte är gjord: ”{not_performed}”")
    return None


def severity(certificate: Certificate, code: str | None = None) -> Statement | None:
    """Mild, moderate or severe, from the ICD code (F32/F33) or the diagnosis text."""
    diagnoses = certificate.diagnoses
    chosen = next((d for d in diagnoses if d.normalized_code == code), None) if code else None
    for diagnosis in [chosen] if chosen else list(diagnoses[:1]):
        normal = diagnosis.normalized_code
        if normal[:4] in _SEVERITY_BY_CODE:
            level = _SEVERITY_BY_CODE[normal[:4]]
            return Statement(level, f"diagnoskoden {diagnosis.code} anger svårighetsgrad")
        for pattern, level in _SEVERITY_WORDS:
            found = pattern.search(diagnosis.text or "")
            if found:
                return Statement(level, f"diagnostexten: ”{found.group(0)}”")
    return None
