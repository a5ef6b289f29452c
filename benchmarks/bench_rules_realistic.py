"""Per-certificate evaluation of 50 realistic rules: the compiled DSL against alternatives.

Run: ``python benchmarks/bench_rules_realistic.py [--rounds N]``. The 50 rules of
``benchmarks/rules/bench50.rules`` (blanks, counts, period comparisons, date arithmetic,
lexicon mentions, code ranges) are evaluated on the fixture certificates
``fixtures/certificates/xml/*.xml`` (read with :func:`intygscheck.read`) by

- the same 50 checks hand-written as plain Python functions over the model (the baseline;
  lexicon mentions call the same lexicon matcher the DSL uses),
- the compiled DSL: the rules' condition closures, one evaluation environment per certificate,
- ``intygscheck.check``: the conditions plus findings with messages, evidence and location,
- the ``rule-engine`` package and ``cel-python``, over the certificate as plain data prepared
  beforehand (texts null → "", derived values such as ``days_covered`` precomputed; the
  preparation is timed on its own row). Conditions a package cannot express are left out of
  its row; conditions it can only approximate (a lexicon as a regular expression, a calendar
  month as 31 days) are kept and counted in the "agree" column.

Every ratio is measured in this process against the hand-written functions for the same rules.
"""

from __future__ import annotations

import argparse
import calendar
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import intygscheck
from intygscheck.engine import check
from intygscheck.model import Certificate
from intygscheck.rules import load_ruleset
from intygscheck.rules.compiler import Env
from intygscheck.rules.lexicon import Lexicon

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "benchmarks" / "rules" / "bench50.rules"
FIXTURES = ROOT / "fixtures" / "certificates" / "xml"

# ---- the 50 checks, hand-written ---------------------------------------------------------


def blank(text: str | None) -> bool:
    return text is None or not text.strip()


def words(text: str | None) -> int:
    return 0 if text is None else len(text.split())


def minus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def in_codes(certificate: Certificate, low: str, high: str) -> bool:
    return any(low <= d.normalized_code[:3] <= high for d in certificate.diagnoses)


def hand_written(lexicons: dict[str, Lexicon]) -> dict[str, Callable[[Certificate], bool]]:
    """The 50 checks as plain functions, keyed by rule id."""
    generiska, fynd, arbete = lexicons["generiska"], lexicons["fynd"], lexicons["arbete"]
    psykstatus, floskler = lexicons["psykstatus"], lexicons["floskler"]

    def not_smitt(c: Certificate) -> bool:
        return c.smittbararpenning is not True

    def works(c: Certificate) -> bool:
        return "NUVARANDE_ARBETE" in c.occupations

    def early(c: Certificate) -> bool:
        signed = c.signed_date
        return signed is not None and any(p.start < signed - timedelta(7) for p in c.periods)

    def before_basis(c: Certificate) -> bool:
        starts = [p.start for p in c.periods]
        dates = [b.date for b in c.basis if b.date is not None]
        return bool(starts and dates) and min(starts) < max(dates)

    def overlap(c: Certificate) -> bool:
        return any(p != q and p.start <= q.end and q.start <= p.end for p in c.periods for q in c.periods)

    def old_basis(c: Certificate) -> bool:
        signed = c.signed_date
        if signed is None:
            return False
        limit = minus_months(signed, 1)
        return any(b.date is not None and b.date < limit for b in c.basis)

    def far_end(c: Certificate) -> bool:
        signed, last = c.signed_date, c.last_day
        return signed is not None and last is not None and last > minus_months(signed, -6)

    def gap(c: Certificate) -> bool:
        first, last = c.first_day, c.last_day
        return first is not None and last is not None and (last - first).days + 1 > c.days_covered

    def age(c: Certificate) -> bool:
        years = c.age_at_signing
        return years is not None and (years < 18 or years > 67)

    return {
        "B-35-TOM": lambda c: not_smitt(c) and blank(c.functional_impairment.text),
        "B-17-TOM": lambda c: not_smitt(c) and blank(c.activity_limitation.text),
        "B-29-TOM": lambda c: works(c) and blank(c.work_tasks),
        "B-29-OVANTAD": lambda c: not works(c) and not blank(c.work_tasks),
        "B-1-ANNAT-UTAN-TEXT": lambda c: any(b.kind == "ANNAT" and blank(b.text) for b in c.basis),
        "B-1-TEXT-UTAN-ANNAT": lambda c: any(b.kind != "ANNAT" and not blank(b.text) for b in c.basis),
        "B-6-TEXT-TOM": lambda c: any(blank(d.text) for d in c.diagnoses),
        "B-33-MOTIVERING": lambda c: c.working_time.requested is True and blank(c.working_time.motivation),
        "B-26-ANLEDNING": lambda c: c.contact.wanted is True and blank(c.contact.reason),
        "B-39-TOM": lambda c: c.prognosis.code is None and not_smitt(c),
        "C-1-INGET": lambda c: len(c.basis) == 0,
        "C-1-FOR-MANGA": lambda c: len(c.basis) > 4,
        "C-6-INGEN": lambda c: len(c.diagnoses) == 0 and not_smitt(c),
        "C-6-FOR-MANGA": lambda c: len(c.diagnoses) > 3,
        "C-32-INGEN": lambda c: len(c.periods) == 0 and not_smitt(c),
        "C-32-FOR-MANGA": lambda c: len(c.periods) > 4,
        "C-28-INGEN": lambda c: len(c.occupations) == 0 and not_smitt(c),
        "C-28-DUBBEL": lambda c: len(c.occupations) != len(set(c.occupations)),
        "C-40-EJ-AKTUELLT": lambda c: len(c.measures.codes) > 1 and "EJ_AKTUELLT" in c.measures.codes,
        "C-32-GRAD-DUBBEL": lambda c: len(c.periods) != len({p.grade for p in c.periods}),
        "P-32-BAKVAND": lambda c: any(p.end < p.start for p in c.periods),
        "P-32-LANG": lambda c: any(p.days > 90 for p in c.periods),
        "P-32-TOTAL": lambda c: c.days_covered > 180,
        "P-33-SAKNAS": lambda c: any(p.grade < 100 for p in c.periods) and c.working_time.requested is None,
        "P-33-HELTID": lambda c: any(p.grade == 100 for p in c.periods) and c.working_time.requested is True,
        "P-32-OVERLAPP": overlap,
        "P-32-LANG-FJARDEDEL": lambda c: any(p.grade == 25 and p.days > 60 for p in c.periods),
        "P-32-OKANDE-GRAD": lambda c: len(c.periods) > 1 and c.periods[0].grade < c.periods[-1].grade,
        "P-32-VAGDA-DAGAR": lambda c: sum(p.days * p.grade / 100 for p in c.periods) > 60,
        "P-32-FORE-UNDERLAG": before_basis,
        "D-32-TIDIG-START": early,
        "D-25-TIDIG-UTAN-SKAL": lambda c: early(c) and blank(c.other_information),
        "D-1-GAMMALT-UNDERLAG": old_basis,
        "D-1-FRAMTIDA-UNDERLAG": lambda c: (
            c.signed_date is not None and any(b.date is not None and b.date > c.signed_date for b in c.basis)
        ),
        "D-32-LANGT-FRAM": far_end,
        "D-ALDER": age,
        "D-32-LUCKA": gap,
        "D-39-DAGAR-SAKNAS": lambda c: c.prognosis.code == "ATER_X_ANTAL_DGR" and c.prognosis.days is None,
        "D-32-SIGNERAT-EFTER": lambda c: (
            c.signed_date is not None and c.last_day is not None and c.signed_date > c.last_day
        ),
        "D-39-MANADER-V1": lambda c: c.version == "1" and c.prognosis.months is not None,
        "L-17-GENERISK": lambda c: (
            generiska.search(c.activity_limitation.text) is not None
            and words(c.activity_limitation.text) < 25
        ),
        "L-35-INGA-FYND": lambda c: (
            not_smitt(c)
            and fynd.search(c.functional_impairment.text) is None
            and words(c.functional_impairment.text) < 40
        ),
        "L-17-EJ-ARBETE": lambda c: works(c) and arbete.search(c.activity_limitation.text) is None,
        "L-35-PSYKSTATUS": lambda c: (
            in_codes(c, "F00", "F99") and psykstatus.search(c.functional_impairment.text) is None
        ),
        "L-37-FLOSKEL": lambda c: floskler.search(c.fmb_motivation) is not None,
        "K-39-DEPRESSION-LANG": lambda c: (
            in_codes(c, "F32", "F33") and c.prognosis.code == "STOR_SANNOLIKHET" and c.days_covered > 90
        ),
        "K-6-KORT-F-KOD": lambda c: any(
            "F00" <= d.normalized_code[:3] <= "F99" and len(d.normalized_code) < 4 for d in c.diagnoses
        ),
        "K-32-RYGG-HELTID": lambda c: (
            in_codes(c, "M40", "M54") and all(p.grade == 100 for p in c.periods) and c.days_covered > 60
        ),
        "K-6-Z73": lambda c: in_codes(c, "Z73", "Z73"),
        "K-39-TUMOR-OKLAR": lambda c: (
            in_codes(c, "C00", "D48") and c.prognosis.code == "PROGNOS_OKLAR" and blank(c.prognosis.text)
        ),
    }


# ---- the same checks for rule-engine and CEL (None: not expressible) --------------------------

BLANK_RE = "$split({0}).length == 0"
FILLED_RE = "$split({0}).length > 0"
BLANK_CEL = '!{0}.matches("\\\\S")'
FILLED_CEL = '{0}.matches("\\\\S")'
LEX_GENERISKA = "(?i)\\\\b(kan inte arbeta|orkar inte|klarar inte sitt arbete|arbetsoförmögen|helt oförmögen)"
LEX_FYND = "(?i)\\\\b(palp|rörlighet|undersökning|status|test|flexion|nedsatt kraft|ömhet|reflexer)"
LEX_ARBETE = "(?i)\\\\b(arbet|jobb|lyft|patient|kund|skift|dator)"
LEX_PSYK = "(?i)\\\\b(psykiskt status|kontaktbar|affekt|orienterad|suicid|stämningsläge)"
LEX_FLOSKLER = "(?i)\\\\b(se ovan|enligt ovan|se journal|som ovan)\\\\b"
OVERLAP = (
    "(q.start != p.start {o} q.end != p.end {o} q.grade != p.grade) {a} p.start <= q.end {a} q.start <= p.end"
)

RULE_ENGINE: dict[str, str | None] = {
    "B-35-TOM": "smittbararpenning != true and " + BLANK_RE.format("functional_impairment.text"),
    "B-17-TOM": "smittbararpenning != true and " + BLANK_RE.format("activity_limitation.text"),
    "B-29-TOM": '"NUVARANDE_ARBETE" in occupations and ' + BLANK_RE.format("work_tasks"),
    "B-29-OVANTAD": 'not ("NUVARANDE_ARBETE" in occupations) and ' + FILLED_RE.format("work_tasks"),
    "B-1-ANNAT-UTAN-TEXT": '[b for b in basis if b.kind == "ANNAT" and '
    f"{BLANK_RE.format('b.text')}].length > 0",
    "B-1-TEXT-UTAN-ANNAT": '[b for b in basis if b.kind != "ANNAT" and '
    f"{FILLED_RE.format('b.text')}].length > 0",
    "B-6-TEXT-TOM": f"[d for d in diagnoses if {BLANK_RE.format('d.text')}].length > 0",
    "B-33-MOTIVERING": "working_time.requested == true and " + BLANK_RE.format("working_time.motivation"),
    "B-26-ANLEDNING": "contact.wanted == true and " + BLANK_RE.format("contact.reason"),
    "B-39-TOM": "prognosis.code == null and smittbararpenning != true",
    "C-1-INGET": "basis.length == 0",
    "C-1-FOR-MANGA": "basis.length > 4",
    "C-6-INGEN": "diagnoses.length == 0 and smittbararpenning != true",
    "C-6-FOR-MANGA": "diagnoses.length > 3",
    "C-32-INGEN": "periods.length == 0 and smittbararpenning != true",
    "C-32-FOR-MANGA": "periods.length > 4",
    "C-28-INGEN": "occupations.length == 0 and smittbararpenning != true",
    "C-28-DUBBEL": "occupations.length != occupations.to_set.length",
    "C-40-EJ-AKTUELLT": 'measures.codes.length > 1 and "EJ_AKTUELLT" in measures.codes',
    "C-32-GRAD-DUBBEL": "periods.length != [p.grade for p in periods].to_set.length",
    "P-32-BAKVAND": "[p for p in periods if p.end < p.start].length > 0",
    "P-32-LANG": "[p for p in periods if p.days > 90].length > 0",
    "P-32-TOTAL": "days_covered > 180",
    "P-33-SAKNAS": "[p for p in periods if p.grade < 100].length > 0 and working_time.requested == null",
    "P-33-HELTID": "[p for p in periods if p.grade == 100].length > 0 and working_time.requested == true",
    "P-32-OVERLAPP": "[p for p in periods if [q for q in periods if "
    + OVERLAP.format(o="or", a="and")
    + "].length > 0].length > 0",
    "P-32-LANG-FJARDEDEL": "[p for p in periods if p.grade == 25 and p.days > 60].length > 0",
    "P-32-OKANDE-GRAD": "periods.length > 1 and periods[0].grade < periods[-1].grade",
    "P-32-VAGDA-DAGAR": "$sum([p.days * p.grade / 100 for p in periods]) > 60",
    "P-32-FORE-UNDERLAG": "[p for p in periods if [b for b in basis if b.date != null and p.start < b.date]"
    ".length > 0].length > 0",
    "D-32-TIDIG-START": "signed_date != null and "
    '[p for p in periods if p.start < signed_date - t"P7D"].length > 0',
    "D-25-TIDIG-UTAN-SKAL": 'signed_date != null and [p for p in periods if p.start < signed_date - t"P7D"]'
    ".length > 0 and " + BLANK_RE.format("other_information"),
    "D-1-GAMMALT-UNDERLAG": "signed_date != null and [b for b in basis if b.date != null and b.date < "
    'signed_date - t"P31D"].length > 0',
    "D-1-FRAMTIDA-UNDERLAG": "signed_date != null and [b for b in basis if b.date != null and b.date > "
    "signed_date].length > 0",
    "D-32-LANGT-FRAM": 'signed_date != null and last_day != null and last_day > signed_date + t"P186D"',
    "D-ALDER": "age_at_signing != null and (age_at_signing < 18 or age_at_signing > 67)",
    "D-32-LUCKA": "last_day != null and (last_day - first_day).days + 1 > days_covered",
    "D-39-DAGAR-SAKNAS": 'prognosis.code == "ATER_X_ANTAL_DGR" and prognosis.days == null',
    "D-32-SIGNERAT-EFTER": "signed_date != null and last_day != null and signed_date > last_day",
    "D-39-MANADER-V1": 'version == "1" and prognosis.months != null',
    "L-17-GENERISK": f'activity_limitation.text =~~ "{LEX_GENERISKA}" and '
    "$split(activity_limitation.text).length < 25",
    "L-35-INGA-FYND": f'smittbararpenning != true and not functional_impairment.text =~~ "{LEX_FYND}" '
    "and $split(functional_impairment.text).length < 40",
    "L-17-EJ-ARBETE": '"NUVARANDE_ARBETE" in occupations and '
    f'not activity_limitation.text =~~ "{LEX_ARBETE}"',
    "L-35-PSYKSTATUS": '[d for d in diagnoses if d.normalized_code =~ "F[0-9][0-9]"].length > 0 and '
    f'not functional_impairment.text =~~ "{LEX_PSYK}"',
    "L-37-FLOSKEL": f'fmb_motivation =~~ "{LEX_FLOSKLER}"',
    "K-39-DEPRESSION-LANG": '[d for d in diagnoses if d.normalized_code =~ "F3[23]"].length > 0 and '
    'prognosis.code == "STOR_SANNOLIKHET" and days_covered > 90',
    "K-6-KORT-F-KOD": '[d for d in diagnoses if d.normalized_code =~ "F[0-9][0-9]" and '
    "d.normalized_code.length < 4].length > 0",
    "K-32-RYGG-HELTID": '[d for d in diagnoses if d.normalized_code =~ "M(4[0-9]|5[0-4])"].length > 0 and '
    "[p for p in periods if p.grade != 100].length == 0 and days_covered > 60",
    "K-6-Z73": '[d for d in diagnoses if d.normalized_code =~ "Z73"].length > 0',
    "K-39-TUMOR-OKLAR": '[d for d in diagnoses if d.normalized_code =~ "(C[0-9][0-9]|D[0-3][0-9]|D4[0-8])"]'
    '.length > 0 and prognosis.code == "PROGNOS_OKLAR" and ' + BLANK_RE.format("prognosis.text"),
}

CEL: dict[str, str | None] = {
    "B-35-TOM": "smittbararpenning != true && " + BLANK_CEL.format("functional_impairment.text"),
    "B-17-TOM": "smittbararpenning != true && " + BLANK_CEL.format("activity_limitation.text"),
    "B-29-TOM": '"NUVARANDE_ARBETE" in occupations && ' + BLANK_CEL.format("work_tasks"),
    "B-29-OVANTAD": '!("NUVARANDE_ARBETE" in occupations) && ' + FILLED_CEL.format("work_tasks"),
    "B-1-ANNAT-UTAN-TEXT": f'basis.exists(b, b.kind == "ANNAT" && {BLANK_CEL.format("b.text")})',
    "B-1-TEXT-UTAN-ANNAT": f'basis.exists(b, b.kind != "ANNAT" && {FILLED_CEL.format("b.text")})',
    "B-6-TEXT-TOM": f"diagnoses.exists(d, {BLANK_CEL.format('d.text')})",
    "B-33-MOTIVERING": "working_time.requested == true && " + BLANK_CEL.format("working_time.motivation"),
    "B-26-ANLEDNING": "contact.wanted == true && " + BLANK_CEL.format("contact.reason"),
    "B-39-TOM": "type(prognosis.code) == null_type && smittbararpenning != true",
    "C-1-INGET": "size(basis) == 0",
    "C-1-FOR-MANGA": "size(basis) > 4",
    "C-6-INGEN": "size(diagnoses) == 0 && smittbararpenning != true",
    "C-6-FOR-MANGA": "size(diagnoses) > 3",
    "C-32-INGEN": "size(periods) == 0 && smittbararpenning != true",
    "C-32-FOR-MANGA": "size(periods) > 4",
    "C-28-INGEN": "size(occupations) == 0 && smittbararpenning != true",
    "C-28-DUBBEL": "occupations.exists(o, occupations.filter(x, x == o).size() > 1)",
    "C-40-EJ-AKTUELLT": 'size(measures.codes) > 1 && "EJ_AKTUELLT" in measures.codes',
    "C-32-GRAD-DUBBEL": "periods.exists(p, periods.filter(q, q.grade == p.grade).size() > 1)",
    "P-32-BAKVAND": "periods.exists(p, p.end < p.start)",
    "P-32-LANG": "periods.exists(p, p.days > 90)",
    "P-32-TOTAL": "days_covered > 180",
    "P-33-SAKNAS": "periods.exists(p, p.grade < 100) && type(working_time.requested) == null_type",
    "P-33-HELTID": "periods.exists(p, p.grade == 100) && working_time.requested == true",
    "P-32-OVERLAPP": "periods.exists(p, periods.exists(q, " + OVERLAP.format(o="||", a="&&") + "))",
    "P-32-LANG-FJARDEDEL": "periods.exists(p, p.grade == 25 && p.days > 60)",
    "P-32-OKANDE-GRAD": "size(periods) > 1 && periods[0].grade < periods[size(periods) - 1].grade",
    "P-32-VAGDA-DAGAR": None,  # no sum over a list in CEL
    "P-32-FORE-UNDERLAG": "periods.exists(p, basis.exists(b, type(b.date) != null_type && p.start < b.date))",
    "D-32-TIDIG-START": "type(signed_date) != null_type && "
    'periods.exists(p, p.start < signed_date - duration("168h"))',
    "D-25-TIDIG-UTAN-SKAL": "type(signed_date) != null_type && "
    'periods.exists(p, p.start < signed_date - duration("168h")) '
    "&& " + BLANK_CEL.format("other_information"),
    "D-1-GAMMALT-UNDERLAG": "type(signed_date) != null_type && basis.exists(b, type(b.date) != null_type && "
    'b.date < signed_date - duration("744h"))',
    "D-1-FRAMTIDA-UNDERLAG": "type(signed_date) != null_type && "
    "basis.exists(b, type(b.date) != null_type && b.date > signed_date)",
    "D-32-LANGT-FRAM": "type(signed_date) != null_type && "
    'type(last_day) != null_type && last_day > signed_date + duration("4464h")',
    "D-ALDER": "type(age_at_signing) != null_type && (age_at_signing < 18 || age_at_signing > 67)",
    "D-32-LUCKA": "type(last_day) != null_type && "
    'last_day - first_day >= duration(string(days_covered * 24) + "h")',
    "D-39-DAGAR-SAKNAS": 'prognosis.code == "ATER_X_ANTAL_DGR" && type(prognosis.days) == null_type',
    "D-32-SIGNERAT-EFTER": "type(signed_date) != null_type && "
    "type(last_day) != null_type && signed_date > last_day",
    "D-39-MANADER-V1": 'version == "1" && type(prognosis.months) != null_type',
    "L-17-GENERISK": None,  # no word count in CEL
    "L-35-INGA-FYND": None,  # no word count in CEL
    "L-17-EJ-ARBETE": '"NUVARANDE_ARBETE" in occupations && '
    f'!activity_limitation.text.matches("{LEX_ARBETE}")',
    "L-35-PSYKSTATUS": 'diagnoses.exists(d, d.normalized_code.matches("^F[0-9][0-9]")) && '
    f'!functional_impairment.text.matches("{LEX_PSYK}")',
    "L-37-FLOSKEL": f'fmb_motivation.matches("{LEX_FLOSKLER}")',
    "K-39-DEPRESSION-LANG": 'diagnoses.exists(d, d.normalized_code.matches("^F3[23]")) && '
    'prognosis.code == "STOR_SANNOLIKHET" && days_covered > 90',
    "K-6-KORT-F-KOD": 'diagnoses.exists(d, d.normalized_code.matches("^F[0-9][0-9]") && '
    "size(d.normalized_code) < 4)",
    "K-32-RYGG-HELTID": 'diagnoses.exists(d, d.normalized_code.matches("^M(4[0-9]|5[0-4])")) && '
    "periods.all(p, p.grade == 100) && days_covered > 60",
    "K-6-Z73": 'diagnoses.exists(d, d.normalized_code.matches("^Z73"))',
    "K-39-TUMOR-OKLAR": "diagnoses.exists(d, "
    'd.normalized_code.matches("^(C[0-9][0-9]|D[0-3][0-9]|D4[0-8])")) '
    '&& prognosis.code == "PROGNOS_OKLAR" && ' + BLANK_CEL.format("prognosis.text"),
}


# ---- plain data for the other engines -------------------------------------------------------


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _text(value: str | None) -> str:
    return value or ""


def as_data(c: Certificate) -> dict[str, Any]:
    """The certificate as plain data: codes as strings, dates as UTC midnights, null text as ""."""
    return {
        "smittbararpenning": c.smittbararpenning,
        "version": c.version,
        "signed_date": _moment(c.signed_date),
        "first_day": _moment(c.first_day),
        "last_day": _moment(c.last_day),
        "days_covered": c.days_covered,
        "age_at_signing": c.age_at_signing,
        "occupations": [o.value for o in c.occupations],
        "work_tasks": _text(c.work_tasks),
        "basis": [{"kind": b.kind.value, "date": _moment(b.date), "text": _text(b.text)} for b in c.basis],
        "diagnoses": [
            {"code": d.code, "normalized_code": d.normalized_code, "text": _text(d.text)} for d in c.diagnoses
        ],
        "functional_impairment": {"text": _text(c.functional_impairment.text)},
        "activity_limitation": {"text": _text(c.activity_limitation.text)},
        "periods": [
            {"grade": int(p.grade), "start": _moment(p.start), "end": _moment(p.end), "days": p.days}
            for p in c.periods
        ],
        "working_time": {
            "requested": c.working_time.requested,
            "motivation": _text(c.working_time.motivation),
        },
        "contact": {"wanted": c.contact.wanted, "reason": _text(c.contact.reason)},
        "prognosis": {
            "code": None if c.prognosis.code is None else c.prognosis.code.value,
            "text": _text(c.prognosis.text),
            "days": c.prognosis.days,
            "months": c.prognosis.months,
        },
        "measures": {"codes": [m.value for m in c.measures.codes]},
        "other_information": _text(c.other_information),
        "fmb_motivation": _text(c.fmb_motivation),
    }


def to_cel(value: Any) -> Any:
    """Plain data as CEL values (timestamps for datetimes)."""
    import celpy
    from celpy import celtypes

    if isinstance(value, datetime):
        return celtypes.TimestampType(value)
    if isinstance(value, dict):
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, list):
        return celtypes.ListType([to_cel(v) for v in value])
    return celpy.json_to_cel(value)


# ---- measuring --------------------------------------------------------------------------


def best_per_certificate(run: Callable[[], object], certificates: int, rounds: int, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``rounds`` runs, in microseconds per certificate."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(rounds):
            run()
        best = min(best, time.perf_counter() - started)
    return best / (rounds * certificates) * 1e6


def agreement(
    results: Sequence[Sequence[bool]], expected: Sequence[Sequence[bool]], rule_ids: Sequence[str]
) -> tuple[str, list[str]]:
    """``agreeing/total`` over rule × certificate, and the rules that disagree somewhere."""
    total = sum(len(row) for row in expected)
    same = sum(
        a == b for row, ref in zip(results, expected, strict=True) for a, b in zip(row, ref, strict=True)
    )
    differing = [
        rule_id
        for index, rule_id in enumerate(rule_ids)
        if any(row[index] != ref[index] for row, ref in zip(results, expected, strict=True))
    ]
    return f"{same}/{total}", differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="runs over all certificates per timing")
    args = parser.parse_args()

    certificates = [intygscheck.read(path) for path in sorted(FIXTURES.glob("*.xml"))]
    count = len(certificates)
    ruleset = load_ruleset(RULESET)
    ids = [rule.id for rule in ruleset.rules]
    python = hand_written(dict(ruleset.lexicons))
    if sorted(python) != sorted(ids) or sorted(RULE_ENGINE) != sorted(ids) or sorted(CEL) != sorted(ids):
        raise SystemExit("the benchmark's tables do not cover the ruleset's 50 rules")
    conditions = [rule.condition for rule in ruleset.rules]
    functions = [python[rule_id] for rule_id in ids]

    def run_python(chosen: Sequence[Callable[[Certificate], bool]] = functions) -> list[list[bool]]:
        return [[bool(f(c)) for f in chosen] for c in certificates]

    def run_dsl() -> list[list[bool]]:
        return [[f(env) is True for f in conditions] for env in (Env(c) for c in certificates)]

    def subset_baseline(subset: Sequence[Callable[[Certificate], bool]]) -> float:
        """The hand-written functions' time for just the rules another engine expresses."""
        if len(subset) == len(functions):
            return baseline
        return best_per_certificate(lambda: run_python(subset), count, args.rounds, repeat=7)

    expected = run_python()
    if run_dsl() != expected:
        wrong = [
            ids[i]
            for i in range(len(ids))
            if any(r[i] != e[i] for r, e in zip(run_dsl(), expected, strict=True))
        ]
        raise SystemExit(f"the DSL and the hand-written functions disagree on {wrong}")
    fired = sum(map(sum, expected))
    baseline = best_per_certificate(run_python, count, args.rounds, repeat=7)
    rows: list[tuple[str, int, float, float, str]] = [
        ("hand-written Python (baseline)", len(ids), baseline, 1.0, "–"),
    ]
    dsl = best_per_certificate(run_dsl, count, args.rounds, repeat=7)
    rows.append(("compiled DSL, conditions", len(ids), dsl, dsl / baseline, f"{fired} fired, all agree"))
    full = best_per_certificate(
        lambda: [check(c, [ruleset]) for c in certificates], count, max(args.rounds // 4, 1)
    )
    rows.append(("intygscheck.check (with findings)", len(ids), full, full / baseline, "same rules"))
    notes: list[str] = []
    data = [as_data(c) for c in certificates]
    prepare = best_per_certificate(lambda: [as_data(c) for c in certificates], count, args.rounds)
    notes.append(
        f"preparing plain data for rule-engine/CEL: {prepare:.1f} µs/certificate (not in their rows)"
    )

    try:
        import rule_engine
    except ImportError:
        notes.append("rule-engine is not installed (pip install 'intygscheck[test]')")
    else:
        chosen = [i for i, rule_id in enumerate(ids) if RULE_ENGINE[rule_id] is not None]
        rules = [rule_engine.Rule(RULE_ENGINE[ids[i]]) for i in chosen]

        def run_rule_engine() -> list[list[bool]]:
            return [[bool(r.matches(d)) for r in rules] for d in data]

        subset = [functions[i] for i in chosen]
        reference = [[row[i] for i in chosen] for row in expected]
        micros = best_per_certificate(run_rule_engine, count, max(args.rounds // 10, 1), repeat=3)
        python_subset = subset_baseline(subset)
        agree, differing = agreement(run_rule_engine(), reference, [ids[i] for i in chosen])
        rows.append(("rule-engine", len(chosen), micros, micros / python_subset, agree))
        notes.append("rule-engine: lexicons as regular expressions (=~~), a calendar month as 31 days")
        notes.append(f"rule-engine disagrees with the DSL on: {', '.join(differing) or 'nothing'}")

    try:
        import celpy
    except ImportError:
        notes.append("cel-python is not installed (pip install 'intygscheck[test]')")
    else:
        environment = celpy.Environment()
        chosen = [i for i, rule_id in enumerate(ids) if CEL[rule_id] is not None]
        programs = [environment.program(environment.compile(CEL[ids[i]])) for i in chosen]
        activations = [{key: to_cel(value) for key, value in d.items()} for d in data]

        def run_cel() -> list[list[bool]]:
            return [[bool(p.evaluate(a)) for p in programs] for a in activations]

        subset = [functions[i] for i in chosen]
        reference = [[row[i] for i in chosen] for row in expected]
        micros = best_per_certificate(run_cel, count, 1, repeat=2)
        python_subset = subset_baseline(subset)
        agree, differing = agreement(run_cel(), reference, [ids[i] for i in chosen])
        rows.append(("cel-python", len(chosen), micros, micros / python_subset, agree))
        notes.append(f"cel-python disagrees with the DSL on: {', '.join(differing) or 'nothing'}")
        left_out = ", ".join(rule_id for rule_id in ids if CEL[rule_id] is None)
        notes.append(f"cel-python: left out (no sum, no word count): {left_out}")
        notes.append(
            "cel-python: lexicons and blank() as regular expressions, a month as 744 h, 6 months as 4464 h"
        )

    print(
        f"{len(ids)} rules (benchmarks/rules/bench50.rules), {count} fixture certificates, "
        f"{args.rounds} rounds"
    )
    print(
        f"{'evaluator':<36} {'rules':>5} {'µs/certificate':>15} {'× hand-written':>15}  "
        "agree (rule×certificate)"
    )
    for name, n_rules, micros, ratio, agree in rows:
        print(f"{name:<36} {n_rules:>5} {micros:>15.1f} {ratio:>15.2f}  {agree}")
    print("ratios of rule-engine and cel-python are against the hand-written functions for the same rules")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
