"""Damaged FHIR never crashes the reader: it gives a certificate or a one-line InputError."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intygscheck.errors import InputError
from intygscheck.ingest.fhir import read_fhir
from intygscheck.ingest.fhir_writer import fhir_document
from intygscheck.model import Certificate
from strategies import certificates

Path = tuple[str | int, ...]

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=4,
)
_suspicious = st.sampled_from(["", "2026", "2026-13-01", "Patient/x", "#x", "urn:oid:1", 2**40, -1, "32.9"])


def _paths(node: Any, prefix: Path = ()) -> Iterator[Path]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(certificates(), st.booleans(), st.data())
def test_any_single_damage_gives_a_certificate_or_a_one_line_input_error(
    certificate: Certificate, bundle: bool, data: st.DataObject
) -> None:
    document = fhir_document(certificate, bundle=bundle)
    path = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(_json_values | _suspicious)
    try:
        assert isinstance(read_fhir(json.dumps(document).encode(), "skadad.json"), Certificate)
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("skadad.json")
