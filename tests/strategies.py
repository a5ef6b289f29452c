"""Hypothesis strategies for valid :class:`~intygscheck.model.Certificate` objects.

Every field of the model is covered, with made-up data only: personnummer are built with
:func:`~intygscheck.model.make_personal_id`, HSA ids and names are invented. Texts mix
realistic Swedish clinical phrases, arbitrary Unicode (å, ä, ö included) and the awkward
cases readers and writers must keep exactly: empty strings, whitespace only (ASCII and
non-breaking spaces), leading and trailing whitespace.

Use from a test module in ``tests/``::

    from strategies import certificates

    @given(certificates())
    def test_something(certificate): ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import strategies as st

from intygscheck.model import (
    PROGNOSIS_DAYS,
    ActivityLimitation,
    Basis,
    BasisKind,
    Certificate,
    CodeSystem,
    ContactWish,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    Issuer,
    MeasureCode,
    Measures,
    Occupation,
    Patient,
    PersonalIdKind,
    Prognosis,
    PrognosisCode,
    Relation,
    RelationKind,
    Sex,
    SickLeavePeriod,
    Treatment,
    WorkingTime,
    make_personal_id,
    parse_personal_id,
)

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2035, 12, 31)

SWEDISH_PHRASES = (
    "Nedstämd, trött och orkeslös sedan tre månader.",
    "Kan inte lyfta mer än 5 kg; arbetar som undersköterska på äldreboende.",
    "Klarar inte att sitta vid skärm mer än 20 minuter åt gången.",
    "Smärta i ländryggen med utstrålning i vänster ben.",
    "Sömnstörning, koncentrationssvårigheter, minnesstörning.",
    "Åter i arbete efter operation i höger axel.",
    "Övrigt: patienten önskar kontakt med Försäkringskassan.",
)
AWKWARD_TEXTS = ("", " ", "   ", "\n", "\t \r\n", "\u00a0", "\u2003 ", " å ", "ÅÄÖ åäö", "a\u00a0")

texts: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(SWEDISH_PHRASES),
    st.sampled_from(AWKWARD_TEXTS),
    st.text(st.sampled_from(" \t\r\n\u00a0\u2003"), max_size=4),
    st.text(max_size=40),
    st.text(st.sampled_from("abcåäöÅÄÖ .,-\n"), min_size=1, max_size=40),
)
"""Free text as a doctor may write it, including every blank form FHIR strings cannot hold."""

optional_texts = st.none() | texts
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
optional_days = st.none() | days

_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
signing_times: st.SearchStrategy[datetime] = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.none() | st.just(UTC) | _offsets,
)
"""Signing times: naive (as in RIVTA transport) or with a time-zone offset FHIR can express."""


@st.composite
def personal_id_parts(draw: st.DrawFn) -> tuple[date, int, bool]:
    """``(birth date, serial 0–999, samordningsnummer?)`` for :func:`make_personal_id`."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    return born, draw(st.integers(min_value=0, max_value=999)), draw(st.booleans())


personal_ids: st.SearchStrategy[str] = personal_id_parts().map(
    lambda parts: make_personal_id(parts[0], parts[1], samordning=parts[2])
)
"""Valid 12-digit personnummer and samordningsnummer (made up, correct check digit)."""

patients: st.SearchStrategy[Patient] = st.one_of(
    personal_ids.map(lambda number: Patient.from_personal_id(parse_personal_id(number))),
    st.builds(
        Patient,
        key=st.from_regex(r"[0-9a-f]{16}", fullmatch=True) | texts,
        id_kind=st.none() | st.sampled_from(PersonalIdKind),
        id_check_digit_valid=st.booleans(),
        sex=st.none() | st.sampled_from(Sex),
        birth_date=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    ),
)
"""Pseudonymous patients: derived from a made-up personnummer, or with any field values."""

hsa_ids = st.from_regex(r"SE[0-9]{10}-[0-9A-Z]{4,6}", fullmatch=True)
issuers: st.SearchStrategy[Issuer] = st.builds(
    Issuer,
    person_id=st.none() | hsa_ids | texts,
    person_name=st.none() | st.sampled_from(("Åsa Öberg", "Per Ärlig", "Dr. Lindqvist")) | texts,
    unit_id=st.none() | hsa_ids,
    unit_name=st.none() | st.sampled_from(("Vårdcentralen Åkersberga", "Psykiatri Öst")) | texts,
    care_provider_id=st.none() | hsa_ids,
    care_provider_name=st.none() | st.just("Region Västmanland") | texts,
)

diagnosis_codes = st.one_of(
    st.sampled_from(("F438A", "F32.1", "M545", "S525", "J069", "K409", "S47", "Z730")),
    st.from_regex(r"[A-Za-z][0-9]{2}\.?[0-9A-Za-z]{0,2}", fullmatch=True),
    texts,
)
"""Codes as written: without and with a dot, lower case, and arbitrary (even blank) text."""

diagnoses: st.SearchStrategy[Diagnosis] = st.builds(
    Diagnosis,
    code=diagnosis_codes,
    code_system=st.none() | st.sampled_from([c.value for c in CodeSystem]) | st.just("urn:oid:1.2.3") | texts,
    text=optional_texts,
)


@st.composite
def periods(draw: st.DrawFn) -> SickLeavePeriod:
    """A period of 1 day to over a year; now and then reversed, which the model allows."""
    start = draw(days)
    length = draw(st.integers(min_value=-5, max_value=400))
    return SickLeavePeriod(grade=draw(st.sampled_from(Grade)), start=start, end=start + timedelta(length))


prognoses: st.SearchStrategy[Prognosis] = st.builds(
    Prognosis,
    code=st.none() | st.sampled_from(PrognosisCode),
    text=optional_texts,
    days=st.none() | st.sampled_from(sorted(PROGNOSIS_DAYS.values())) | st.integers(-(2**40), 2**40),
    months=st.none() | st.integers(min_value=1, max_value=99) | st.integers(-(2**40), 2**40),
)

relations: st.SearchStrategy[Relation] = st.builds(
    Relation, kind=st.sampled_from(RelationKind), certificate_id=st.uuids().map(str) | texts
)

certificate_ids = st.uuids().map(str) | texts.filter(lambda text: bool(text.strip()))


@st.composite
def certificates(draw: st.DrawFn) -> Certificate:
    """A valid certificate with every field drawn (each optional field sometimes absent)."""
    return Certificate(
        id=draw(certificate_ids),
        type=draw(st.sampled_from(("FK7804", "LISJP")) | texts),
        version=draw(st.sampled_from(("1", "2", "1.0")) | texts),
        signed_at=draw(st.none() | signing_times),
        patient=draw(st.none() | patients),
        issuer=draw(st.none() | issuers),
        smittbararpenning=draw(st.none() | st.booleans()),
        basis=tuple(
            draw(
                st.lists(
                    st.builds(
                        Basis, kind=st.sampled_from(BasisKind), date=optional_days, text=optional_texts
                    ),
                    max_size=5,
                )
            )
        ),
        occupations=tuple(draw(st.lists(st.sampled_from(Occupation), max_size=4))),
        work_tasks=draw(optional_texts),
        diagnoses=tuple(draw(st.lists(diagnoses, max_size=3))),
        functional_impairment=FunctionalImpairment(text=draw(optional_texts)),
        activity_limitation=ActivityLimitation(text=draw(optional_texts)),
        treatment=Treatment(ongoing=draw(optional_texts), planned=draw(optional_texts)),
        periods=tuple(draw(st.lists(periods(), max_size=4))),
        working_time=WorkingTime(requested=draw(st.none() | st.booleans()), motivation=draw(optional_texts)),
        travel=draw(st.none() | st.booleans()),
        fmb_motivation=draw(optional_texts),
        prognosis=draw(prognoses),
        measures=Measures(
            codes=tuple(draw(st.lists(st.sampled_from(MeasureCode), max_size=10))), text=draw(optional_texts)
        ),
        other_information=draw(optional_texts),
        contact=ContactWish(wanted=draw(st.none() | st.booleans()), reason=draw(optional_texts)),
        relations=tuple(draw(st.lists(relations, max_size=2))),
        withdrawn_answers=tuple(draw(st.lists(st.just("30"), max_size=1))),
    )
