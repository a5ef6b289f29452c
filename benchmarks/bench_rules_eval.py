"""Per-certificate rule evaluation: the compiled DSL against hand-written Python and other engines.

Run: ``python benchmarks/bench_rules_eval.py [--rounds N]``. Three tables, every ratio measured in
this process:

1. **Realistic rules.** The 50 rules of ``benchmarks/rules/bench50.rules`` (blanks, counts, period
   comparisons, date arithmetic, lexicon mentions, code ranges) on the fixture certificates
   ``fixtures/certificates/xml/*.xml`` (read with :func:`intygscheck.read`), evaluated by

   - the same 50 checks hand-written as plain Python functions over the model (the baseline;
     lexicon mentions call the same lexicon matcher the DSL uses),
   - the compiled DSL: the rules' condition closures, one evaluation environment per certificate,
   - ``intygscheck.check``: the conditions plus findings with messages, evidence and location,
   - the ``rule-engine`` package and ``cel-python``, over the certificate as plain data prepared
     beforehand (texts null → "", derived values such as ``days_covered`` precomputed; the
     preparation is timed on its own line). Conditions a package cannot express are left out of
     its row; conditions it can only approximate (a lexicon as a regular expression, a calendar
     month as 31 days) are kept and counted in the "agree" column.

2. **Generated rules.** 50 conditions (10 tight shapes × 5 thresholds) on 200 varied, made-up
   certificates: hand-written Python, the compiled DSL and ``check`` — the closure overhead per
   node, with little work inside each node.

3. **The hot path of ``check``.** The shipped default rulesets on the fixture certificates:
   ``check(certificate)`` (rulesets by name, resolved at most once a second) against
   ``check(certificate, loaded)`` with :class:`Ruleset` objects.
"""

from __future__ import annotations

import argparse
import calendar
import random
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import intygscheck
from intygscheck.engine import check, load_all
from intygscheck.model import Certificate
from intygscheck.rules import Ruleset, load_ruleset
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


class Row(NamedTuple):
    """One line of a table: who evaluated how many rules, how fast, and against what."""

    evaluator: str
    rules: int
    micros: float
    ratio: float
    note: str


def best_per_certificate(run: Callable[[], object], certificates: int, rounds: int, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``rounds`` runs, in CPU microseconds per certificate
    (CPU time, so that other load on the machine distorts the ratios less)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(rounds):
            run()
        best = min(best, time.process_time() - started)
    return best / (rounds * certificates) * 1e6


def evaluate_python(
    functions: Sequence[Callable[[Certificate], bool]], certificates: Sequence[Certificate]
) -> list[list[bool]]:
    """Every hand-written check on every certificate."""
    return [[bool(f(c)) for f in functions] for c in certificates]


def evaluate_dsl(ruleset: Ruleset, certificates: Sequence[Certificate]) -> list[list[bool]]:
    """Every compiled condition on every certificate, one evaluation environment per certificate."""
    conditions = [rule.condition for rule in ruleset.rules]
    return [[f(env) is True for f in conditions] for env in (Env(c) for c in certificates)]


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


def print_table(title: str, rows: Sequence[Row], baseline: str = "× baseline") -> None:
    """One table: evaluator, rules, µs per certificate, ratio to the first row, note."""
    print(title)
    print(f"{'evaluator':<40} {'rules':>5} {'µs/certificate':>15} {baseline:>15}  note")
    for row in rows:
        print(f"{row.evaluator:<40} {row.rules:>5} {row.micros:>15.1f} {row.ratio:>15.2f}  {row.note}")
    print()


# ---- table 1: realistic rules -----------------------------------------------------------


def realistic_table(certificates: Sequence[Certificate], rounds: int) -> tuple[list[Row], list[str]]:
    """The 50 realistic rules: hand-written, DSL, ``check``, rule-engine, cel-python; and notes."""
    count = len(certificates)
    ruleset = load_ruleset(RULESET)
    ids = [rule.id for rule in ruleset.rules]
    python = hand_written(dict(ruleset.lexicons))
    if sorted(python) != sorted(ids) or sorted(RULE_ENGINE) != sorted(ids) or sorted(CEL) != sorted(ids):
        raise SystemExit("the benchmark's tables do not cover the ruleset's 50 rules")
    functions = [python[rule_id] for rule_id in ids]
    expected = evaluate_python(functions, certificates)
    dsl_results = evaluate_dsl(ruleset, certificates)
    if dsl_results != expected:
        _, wrong = agreement(dsl_results, expected, ids)
        raise SystemExit(f"the DSL and the hand-written functions disagree on {wrong}")

    def subset_baseline(chosen: Sequence[int]) -> float:
        """The hand-written functions' time for just the rules another engine expresses."""
        if len(chosen) == len(functions):
            return baseline
        subset = [functions[i] for i in chosen]
        return best_per_certificate(lambda: evaluate_python(subset, certificates), count, rounds, repeat=7)

    baseline = best_per_certificate(lambda: evaluate_python(functions, certificates), count, rounds, repeat=7)
    dsl = best_per_certificate(lambda: evaluate_dsl(ruleset, certificates), count, rounds, repeat=7)
    full = best_per_certificate(
        lambda: [check(c, [ruleset]) for c in certificates], count, max(rounds // 4, 1)
    )
    fired = sum(map(sum, expected))
    rows = [
        Row("hand-written Python (baseline)", len(ids), baseline, 1.0, "–"),
        Row("compiled DSL, conditions", len(ids), dsl, dsl / baseline, f"{fired} fired, all agree"),
        Row("intygscheck.check (with findings)", len(ids), full, full / baseline, "same rules"),
    ]
    data = [as_data(c) for c in certificates]
    prepare = best_per_certificate(lambda: [as_data(c) for c in certificates], count, rounds)
    notes = [f"preparing plain data for rule-engine/CEL: {prepare:.1f} µs/certificate (not in their rows)"]

    try:
        import rule_engine
    except ImportError:
        notes.append("rule-engine is not installed (pip install 'intygscheck[test]')")
    else:
        chosen = [i for i, rule_id in enumerate(ids) if RULE_ENGINE[rule_id] is not None]
        rules = [rule_engine.Rule(RULE_ENGINE[ids[i]]) for i in chosen]

        def run_rule_engine() -> list[list[bool]]:
            return [[bool(r.matches(d)) for r in rules] for d in data]

        reference = [[row[i] for i in chosen] for row in expected]
        micros = best_per_certificate(run_rule_engine, count, max(rounds // 10, 1), repeat=3)
        agree, differing = agreement(run_rule_engine(), reference, [ids[i] for i in chosen])
        rows.append(
            Row("rule-engine", len(chosen), micros, micros / subset_baseline(chosen), f"agree {agree}")
        )
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

        reference = [[row[i] for i in chosen] for row in expected]
        micros = best_per_certificate(run_cel, count, 1, repeat=2)
        agree, differing = agreement(run_cel(), reference, [ids[i] for i in chosen])
        rows.append(
            Row("cel-python", len(chosen), micros, micros / subset_baseline(chosen), f"agree {agree}")
        )
        notes.append(f"cel-python disagrees with the DSL on: {', '.join(differing) or 'nothing'}")
        left_out = ", ".join(rule_id for rule_id in ids if CEL[rule_id] is None)
        notes.append(f"cel-python: left out (no sum, no word count): {left_out}")
        notes.append(
            "cel-python: lexicons and blank() as regular expressions, a month as 744 h, 6 months as 4464 h"
        )
    notes.append(
        "ratios of rule-engine and cel-python are against the hand-written functions for the same rules"
    )
    return rows, notes


# ---- table 2: generated rules -----------------------------------------------------------

WORDS = ("lyft", "tung", "natt", "skift", "stå")


def shapes(k: int) -> list[tuple[str, Callable[[Certificate], bool]]]:
    """The k-th threshold of each of the 10 condition shapes: (DSL, hand-written Python)."""
    n = 20 + 15 * k
    word = WORDS[k]
    pattern = re.compile(word, re.IGNORECASE)
    return [
        (
            f"length(activity_limitation.text) < {n}",
            lambda c: len((c.activity_limitation.text or "").strip()) < n,
        ),
        (
            f"any(periods, p -> p.grade < 100 and p.days > {k * 5})",
            lambda c: any(p.grade < 100 and p.days > k * 5 for p in c.periods),
        ),
        (
            f'matches(work_tasks, "{word}")',
            lambda c: c.work_tasks is not None and pattern.search(c.work_tasks) is not None,
        ),
        (
            f'prognosis.code == "PROGNOS_OKLAR" and days_covered > {k * 7}',
            lambda c: c.prognosis.code == "PROGNOS_OKLAR" and c.days_covered > k * 7,
        ),
        (f"count(diagnoses) > {k % 3}", lambda c: len(c.diagnoses) > k % 3),
        (
            f'occupations contains "NUVARANDE_ARBETE" and length(work_tasks) < {n * 2}',
            lambda c: "NUVARANDE_ARBETE" in c.occupations and len((c.work_tasks or "").strip()) < n * 2,
        ),
        (
            f'any(basis, b -> b.kind == "TELEFONKONTAKT") or count(basis) > {k}',
            lambda c: any(b.kind == "TELEFONKONTAKT" for b in c.basis) or len(c.basis) > k,
        ),
        (
            f'any(diagnoses, d -> d.code >= "F00" and d.code < "G00") '
            f"and length(functional_impairment.text) < {n * 3}",
            lambda c: (
                any("F00" <= d.code < "G00" for d in c.diagnoses)
                and len((c.functional_impairment.text or "").strip()) < n * 3
            ),
        ),
        (
            f"working_time.requested == null and any(periods, p -> p.grade <= {25 * (k % 4 + 1)})",
            lambda c: (
                c.working_time.requested is None and any(p.grade <= 25 * (k % 4 + 1) for p in c.periods)
            ),
        ),
        (
            f"days_covered > {k * 10} and count(periods) > 1",
            lambda c: c.days_covered > k * 10 and len(c.periods) > 1,
        ),
    ]


GENERATED = [shape for k in range(5) for shape in shapes(k)]


def generated_ruleset_text() -> str:
    """The generated conditions as one ruleset file."""
    lines = ['ruleset "bench-eval" version "1"']
    for index, (dsl, _) in enumerate(GENERATED):
        lines.append(
            f'rule "E-{index}" {{ severity warning category komplettering questions ["17"] when {dsl}\n'
            f'  message sv "Regel {index}." message en "Rule {index}." }}'
        )
    return "\n".join(lines) + "\n"


def generated_certificates(count: int = 200, seed: int = 3) -> list[Certificate]:
    """Varied, made-up certificates built from the shipped example base certificate."""
    from intygscheck.rules.examples import base_data, build_certificate

    base = base_data(Path(tempfile.gettempdir()))
    rng = random.Random(seed)
    texts = ["Orkar inte.", "Kan inte lyfta mer än 5 kg eller stå längre än tio minuter i taget.", "x" * 90]
    tasks = ["Lagerarbete med tunga lyft.", "Kontorsarbete.", "Nattskift inom vården, står mycket."]
    out = []
    for index in range(count):
        start = date(2024, 1, 1) + timedelta(rng.randrange(200))
        periods = [
            {
                "grade": rng.choice([25, 50, 75, 100]),
                "start": str(start),
                "end": str(start + timedelta(rng.randrange(30))),
            }
            for _ in range(rng.randrange(1, 3))
        ]
        fragment: dict[str, Any] = {
            "activity_limitation": {"text": rng.choice(texts)},
            "work_tasks": rng.choice(tasks),
            "periods": periods,
            "prognosis": {"code": rng.choice(["PROGNOS_OKLAR", "STOR_SANNOLIKHET"])},
            "diagnoses": [{"code": rng.choice(["F438", "M545", "F321"]), "text": "x"}] * rng.randrange(1, 3),
            "working_time": {"requested": rng.choice([None, True])},
        }
        out.append(build_certificate(base, fragment, f"bench-{index}"))
    return out


def generated_table(rounds: int) -> list[Row]:
    """Hand-written Python, the compiled DSL and ``check`` on the generated rules."""
    certificates = generated_certificates()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rules"
        path.write_text(generated_ruleset_text(), encoding="utf-8")
        ruleset = load_ruleset(path)
    functions = [python for _, python in GENERATED]
    expected = evaluate_python(functions, certificates)
    if evaluate_dsl(ruleset, certificates) != expected:
        raise SystemExit("the generated rules: the DSL and the hand-written functions disagree")
    count = len(certificates)
    rounds = max(rounds // 10, 1)
    baseline = best_per_certificate(lambda: evaluate_python(functions, certificates), count, rounds, repeat=7)
    dsl = best_per_certificate(lambda: evaluate_dsl(ruleset, certificates), count, rounds, repeat=7)
    full = best_per_certificate(lambda: [check(c, [ruleset]) for c in certificates], count, rounds)
    fired = sum(map(sum, expected))
    return [
        Row("hand-written Python (baseline)", len(functions), baseline, 1.0, "–"),
        Row("compiled DSL, conditions", len(functions), dsl, dsl / baseline, f"{fired} fired, all agree"),
        Row("intygscheck.check (with findings)", len(functions), full, full / baseline, "same rules"),
    ]


# ---- table 3: the hot path of check with the default rulesets ------------------------------


def hot_path_table(certificates: Sequence[Certificate], rounds: int) -> list[Row]:
    """``check(c)`` (defaults by name) against ``check(c, loaded)`` (Ruleset objects)."""
    loaded = load_all(None)
    count = len(certificates)
    by_object = by_name = float("inf")
    for _ in range(3):  # alternate, so that a change of machine load hits both alike
        by_object = min(
            by_object,
            best_per_certificate(lambda: [check(c, loaded) for c in certificates], count, rounds, 2),
        )
        by_name = min(
            by_name, best_per_certificate(lambda: [check(c) for c in certificates], count, rounds, 2)
        )
    names = ", ".join(r.name for r in loaded)
    return [
        Row("check(c, loaded Ruleset objects)", sum(len(r.rules) for r in loaded), by_object, 1.0, names),
        Row(
            "check(c): default rulesets by name",
            sum(len(r.rules) for r in loaded),
            by_name,
            by_name / by_object,
            "",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="runs over all certificates per timing")
    args = parser.parse_args()

    certificates = [intygscheck.read(path) for path in sorted(FIXTURES.glob("*.xml"))]
    rows, notes = realistic_table(certificates, args.rounds)
    print_table(
        f"1. realistic rules (benchmarks/rules/bench50.rules), {len(certificates)} fixture certificates, "
        f"{args.rounds} rounds",
        rows,
        "× hand-written",
    )
    for note in notes:
        print(f"- {note}")
    print()
    print_table(
        f"2. generated rules: {len(GENERATED)} conditions (10 shapes × 5 thresholds), "
        "200 made-up certificates",
        generated_table(args.rounds),
        "× hand-written",
    )
    print_table(
        f"3. check() hot path: the shipped default rulesets, {len(certificates)} fixture certificates",
        hot_path_table(certificates, args.rounds),
        "× loaded",
    )


if __name__ == "__main__":
    main()
