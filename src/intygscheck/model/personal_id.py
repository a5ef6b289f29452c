"""Swedish personal identity numbers: validation, derived facts and pseudonyms.

A personnummer is ``YYYYMMDD-NNNC`` (or the 10-digit ``YYMMDD-NNNC`` with ``-``/``+``);
the second-to-last digit is odd for men and even for women, and the last digit is a Luhn
check digit over the 10-digit form. A samordningsnummer adds 60 to the day.

The raw number is personal data. Nothing in this package stores it: readers turn it into a
:class:`ParsedPersonalId` and keep only the derived facts and a keyed pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

PSEUDONYM_SECRET_ENV = "INTYGSCHECK_PSEUDONYM_SECRET"
"""Environment variable holding the secret that keys patient pseudonyms.

Set it per organisation: pseudonyms made with different secrets cannot be linked.
"""

_DEFAULT_SECRET = "intygscheck-default-pseudonym-secret"
_PATTERN = re.compile(r"^(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$")


class Sex(StrEnum):
    """Legal sex as coded in the identity number (K = kvinna, M = man)."""

    FEMALE = "K"
    MALE = "M"


class PersonalIdKind(StrEnum):
    """Which kind of identity number a patient was identified by."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"


class PersonalIdError(ValueError):
    """An identity number that cannot be read. The message never contains the number."""


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn check digit over the first nine digits of the 10-digit form."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


@dataclass(frozen=True, slots=True)
class ParsedPersonalId:
    """The facts derived from an identity number, plus its normalised 12-digit form.

    ``normalised`` is personal data: it is hidden from ``repr`` and only used to make a
    pseudonym.
    """

    normalised: str = field(repr=False)
    kind: PersonalIdKind
    birth_date: date
    sex: Sex
    check_digit_valid: bool

    def pseudonym(self, secret: str | None = None) -> str:
        """A stable keyed pseudonym (HMAC-SHA256, 16 hex characters) for this person."""
        return pseudonymise(self.normalised, secret)


def pseudonymise(value: str, secret: str | None = None) -> str:
    """Key ``value`` with the organisation's secret; the same input gives the same pseudonym."""
    key = (secret or os.environ.get(PSEUDONYM_SECRET_ENV) or _DEFAULT_SECRET).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def pseudonymiser(secret: str | None = None) -> Callable[[str], str]:
    """A function equal to ``pseudonymise(value, secret)`` with the key set up once (for bulk use)."""
    key = (secret or os.environ.get(PSEUDONYM_SECRET_ENV) or _DEFAULT_SECRET).encode()
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def apply(value: str) -> str:
        mac = keyed.copy()
        mac.update(value.encode())
        return mac.hexdigest()[:16]

    return apply


def parse_personal_id(raw: str, *, today: date | None = None) -> ParsedPersonalId:
    """Parse a personnummer or samordningsnummer.

    A wrong check digit does not raise: it is reported through ``check_digit_valid`` so a
    certificate can still be read and a rule can flag it. A number that is not a date, or
    not of the form at all, raises :class:`PersonalIdError`.
    """
    match = _PATTERN.match(raw.strip())
    if match is None:
        raise PersonalIdError("identity number is not of the form YYYYMMDD-NNNC")
    yymmdd = match["date"]
    century = match["century"]
    if century is None:
        century = _infer_century(yymmdd, match["sep"] == "+", today or date.today())
    year, month, day = int(century + yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    kind = PersonalIdKind.PERSONNUMMER
    if day > 60:
        kind, day = PersonalIdKind.SAMORDNINGSNUMMER, day - 60
    try:
        birth_date = date(year, month, day)
    except ValueError as exc:
        raise PersonalIdError("identity number does not contain a valid birth date") from exc
    ten = yymmdd + match["serial"] + match["check"]
    return ParsedPersonalId(
        normalised=century + ten,
        kind=kind,
        birth_date=birth_date,
        sex=Sex.MALE if int(match["serial"][2]) % 2 else Sex.FEMALE,
        check_digit_valid=luhn_check_digit(ten[:9]) == int(match["check"]),
    )


def _infer_century(yymmdd: str, over_hundred: bool, today: date) -> str:
    """Century of a 10-digit number: the latest one that is not in the future (``+``: 100 years older)."""
    yy = int(yymmdd[:2])
    year = today.year - (today.year - yy) % 100
    if over_hundred:
        year -= 100
    return str(year // 100)


def make_personal_id(birth_date: date, serial: int, *, samordning: bool = False) -> str:
    """Build a valid 12-digit identity number (for tests and synthetic data only)."""
    day = birth_date.day + (60 if samordning else 0)
    nine = f"{birth_date:%y%m}{day:02d}{serial:03d}"
    return f"{birth_date.year // 100:02d}{nine}{luhn_check_digit(nine)}"
