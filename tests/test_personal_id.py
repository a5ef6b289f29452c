"""Properties of personnummer and samordningsnummer handling (``intygscheck.model.personal_id``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intygscheck.model import (
    Certificate,
    Patient,
    PersonalIdError,
    PersonalIdKind,
    Sex,
    make_personal_id,
    parse_personal_id,
)
from intygscheck.model.personal_id import luhn_check_digit
from strategies import personal_id_parts

Parts = tuple[date, int, bool]


def _number(parts: Parts) -> str:
    born, serial, samordning = parts
    return make_personal_id(born, serial, samordning=samordning)


@given(personal_id_parts())
def test_generated_numbers_have_a_valid_luhn_check_digit(parts: Parts) -> None:
    number = _number(parts)
    assert len(number) == 12 and number.isdigit()
    assert luhn_check_digit(number[2:11]) == int(number[11])
    assert parse_personal_id(number).check_digit_valid


@given(personal_id_parts(), st.integers(min_value=2, max_value=11), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_invalidates_check_digit_or_date(
    parts: Parts, position: int, shift: int
) -> None:
    number = _number(parts)
    digit = (int(number[position]) + shift) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    try:
        parsed = parse_personal_id(changed)
    except PersonalIdError:
        return  # the change broke the date: also detected
    assert not parsed.check_digit_valid


@given(personal_id_parts())
def test_sex_comes_from_the_second_to_last_digit(parts: Parts) -> None:
    number = _number(parts)
    expected = Sex.MALE if int(number[-2]) % 2 == 1 else Sex.FEMALE
    assert parse_personal_id(number).sex is expected


@given(personal_id_parts())
def test_birth_date_and_kind_are_derived(parts: Parts) -> None:
    born, _, samordning = parts
    parsed = parse_personal_id(_number(parts))
    assert parsed.birth_date == born
    kind = PersonalIdKind.SAMORDNINGSNUMMER if samordning else PersonalIdKind.PERSONNUMMER
    assert parsed.kind is kind


@given(personal_id_parts())
def test_samordningsnummer_adds_sixty_to_the_day(parts: Parts) -> None:
    born, serial, _ = parts
    number = make_personal_id(born, serial, samordning=True)
    assert int(number[6:8]) == born.day + 60
    assert parse_personal_id(number).birth_date == born


@given(
    personal_id_parts(),
    st.integers(min_value=0, max_value=99),
    st.dates(date(2000, 1, 1), date(2099, 12, 31)),
)
def test_ten_digit_form_with_minus_is_under_hundred_in_the_year(parts: Parts, age: int, today: date) -> None:
    """``-``: the latest year ending in YY that is not after this year (Skatteverket's rule)."""
    born = _with_year(parts[0], today.year - age)
    ten = make_personal_id(born, parts[1], samordning=parts[2])[2:]
    parsed = parse_personal_id(f"{ten[:6]}-{ten[6:]}", today=today)
    assert parsed.birth_date == born
    assert parsed.check_digit_valid


@given(
    personal_id_parts(),
    st.integers(min_value=100, max_value=199),
    st.dates(date(2000, 1, 1), date(2099, 12, 31)),
)
def test_ten_digit_form_with_plus_is_hundred_years_or_older(parts: Parts, age: int, today: date) -> None:
    """``+`` is written from the year a person turns 100: one century earlier than ``-``."""
    born = _with_year(parts[0], today.year - age)
    ten = make_personal_id(born, parts[1], samordning=parts[2])[2:]
    assert parse_personal_id(f"{ten[:6]}+{ten[6:]}", today=today).birth_date == born


@given(personal_id_parts())
def test_raw_number_never_appears_in_repr_or_serialisation(parts: Parts) -> None:
    number = _number(parts)
    forms = (number, number[2:], f"{number[2:8]}-{number[8:]}", f"{number[:8]}-{number[8:]}")
    parsed = parse_personal_id(number)
    patient = Patient.from_personal_id(parsed)
    certificate = Certificate(id="intyg-1", patient=patient)
    outputs = (repr(parsed), str(parsed), repr(patient), repr(certificate), certificate.model_dump_json())
    for output in outputs:
        for form in forms:
            assert form not in output


@given(personal_id_parts())
def test_pseudonym_is_stable_and_keyed(parts: Parts) -> None:
    parsed = parse_personal_id(_number(parts))
    assert parsed.pseudonym("a") == parse_personal_id(_number(parts)).pseudonym("a")
    assert parsed.pseudonym("a") != parsed.pseudonym("b")


_not_a_number = st.one_of(
    st.from_regex(r"[0-9]{5,11}", fullmatch=True).filter(lambda s: len(s) != 10),
    st.from_regex(r"[0-9]{13,16}", fullmatch=True),
    st.from_regex(r"[0-9]{6}[ /*][0-9]{4}", fullmatch=True),
    st.from_regex(r"[0-9]{8}--[0-9]{4}", fullmatch=True),
)


@st.composite
def _impossible_dates(draw: st.DrawFn) -> str:
    """Numbers of the right form whose date cannot exist (month 13–99, day 32–60 or 92–99)."""
    year = draw(st.integers(min_value=1900, max_value=2025))
    month, day = draw(
        st.one_of(
            st.tuples(st.integers(13, 99), st.integers(1, 28)),
            st.tuples(st.integers(1, 12), st.integers(32, 60)),
            st.tuples(st.integers(1, 12), st.integers(92, 99)),
            st.tuples(st.just(0), st.integers(1, 28)),
        )
    )
    nine = f"{year % 100:02d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    return f"{year // 100}{nine}{luhn_check_digit(nine)}"


@given(st.one_of(_not_a_number, _impossible_dates()))
def test_invalid_numbers_raise_an_error_that_does_not_echo_the_input(raw: str) -> None:
    with pytest.raises(PersonalIdError) as caught:
        parse_personal_id(raw)
    message = str(caught.value)
    assert raw not in message
    assert raw.strip()[-4:] not in message


def _with_year(day: date, year: int) -> date:
    """``day`` moved to ``year`` (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
