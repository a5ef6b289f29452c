"""Property: any certificate the RIVTA transport can carry survives write_rivta → read_rivta.

Certificates come from the shared strategies (``tests/strategies.py``), narrowed to what the
transport format can hold: XML 1.0 characters only in texts (texts otherwise exactly as drawn,
blank and whitespace-only ones included), identifiers and codes as transport tokens, prognosis
days from KV_FKMU_0007 and months as a whole number.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from intygscheck.ingest.rivta import read_rivta
from intygscheck.ingest.rivta_writer import write_rivta
from intygscheck.model import PROGNOSIS_DAYS, Certificate, CodeSystem, Issuer, Patient, parse_personal_id
from strategies import certificates, hsa_ids, personal_ids

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (control characters, surrogates, U+FFFE/FFFF)."""

names = st.sampled_from(("Åsa Öberg", "Per Ärlig", "Vårdcentralen Åkersberga", "Region Västmanland"))
codes = st.sampled_from(("F438A", "F32.1", "M545", "S47", "A00-", "S4", "s47abc")) | st.from_regex(
    r"[A-Z][0-9]{2}[0-9A-Z]{0,2}", fullmatch=True
)


def _xml_texts(value: Any) -> Any:
    """``value`` with every string stripped of characters XML cannot carry (enums untouched)."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: _xml_texts(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_xml_texts(item) for item in value]
    return value


@st.composite
def transportable(draw: st.DrawFn) -> Certificate:
    """A drawn certificate with the fields RIVTA holds as tokens replaced by transport tokens."""
    fields = _xml_texts(draw(certificates()).model_dump())
    fields["id"] = draw(st.uuids().map(str))  # a token in transport (and it must not become blank)
    drawn = Certificate.model_validate(fields)
    issuer = draw(
        st.none()
        | st.builds(
            Issuer,
            person_id=st.none() | hsa_ids,
            person_name=st.none() | names,
            unit_id=st.none() | hsa_ids,
            unit_name=st.none() | names,
            care_provider_id=st.none() | hsa_ids,
            care_provider_name=st.none() | names,
        )
    )
    systems = st.none() | st.sampled_from([system.value for system in CodeSystem])
    diagnoses = tuple(
        diagnosis.model_copy(update={"code": draw(codes), "code_system": draw(systems)})
        for diagnosis in drawn.diagnoses
    )
    prognosis = drawn.prognosis.model_copy(
        update={
            "days": draw(st.none() | st.sampled_from(sorted(PROGNOSIS_DAYS.values()))),
            "months": draw(st.none() | st.integers(min_value=0, max_value=99)),
        }
    )
    relations = tuple(
        relation.model_copy(update={"certificate_id": draw(st.uuids().map(str))})
        for relation in drawn.relations
    )
    return drawn.model_copy(
        update={
            "type": draw(st.sampled_from(("LISJP", "FK7804"))),
            "version": draw(st.sampled_from(("1", "2"))),
            "patient": None,
            "issuer": issuer,
            "diagnoses": diagnoses,
            "prognosis": prognosis,
            "relations": relations,
        }
    )


@settings(max_examples=80, deadline=None)
@given(transportable(), personal_ids)
def test_write_then_read_gives_the_certificate_back(certificate: Certificate, personal_id: str) -> None:
    again = read_rivta(write_rivta(certificate, personal_id=personal_id), "written.xml")
    assert again.patient == Patient.from_personal_id(parse_personal_id(personal_id))
    assert again.model_copy(update={"patient": None}) == certificate


@settings(max_examples=30, deadline=None)
@given(transportable())
def test_without_a_personal_id_the_patient_is_left_out(certificate: Certificate) -> None:
    assert read_rivta(write_rivta(certificate), "written.xml") == certificate
