"""The compiler's one-closure shapes give what the general closures give.

``not <let>``, ``count(<path or let>) <op> literal``, ``<path> == null``, ``f(<path>, lexicon)``,
``map`` over a lambda, ``and``/``or`` of three or four operands and ``fmb.<member>`` /
``case.<member>`` each compile to a single closure. Every fused condition below is paired with
a formulation of the same meaning that the compiler cannot fuse (an extra ``+ 0``, a comparison
with ``true``, a nested ``and``); on generated certificates both must fire alike.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

import intygscheck
from intygscheck.engine import CheckContext
from intygscheck.model import Certificate
from intygscheck.rules import Ruleset, load_ruleset
from rules_support import rule, write_ruleset
from strategies import certificates

LETS = """
let smitta = smittbararpenning == true
let deltid = any(periods, p -> p.grade < 100)
let koder = map(filter(diagnoses, d -> length(d.normalized_code) > 3), d -> d.code)
let kort = words(activity_limitation.text) < 5
"""

PAIRS: dict[str, tuple[str, str]] = {
    "not-let": ("not smitta", "not (smitta == true)"),
    "not-let-null": ("not kort", "not (kort == true)"),
    "count-let": ("count(koder) > 0", "count(koder) + 0 > 0"),
    "count-let-eq": ("count(koder) == 1", "count(koder) + 0 == 1"),
    "count-path": ("count(periods) >= 2", "count(periods) + 0 >= 2"),
    "null-path": ("fmb_motivation == null", "not (fmb_motivation != null)"),
    "not-null-variable": (
        "any(diagnoses, d -> d.code_system != null)",
        "any(diagnoses, d -> not (d.code_system == null))",
    ),
    "path-with-constant": (
        'matches(work_tasks, "lyft")',
        'matches(concat(work_tasks), "lyft") and work_tasks != null',
    ),
    "map": ("count(map(periods, p -> p.grade)) > 1", "count(periods) > 1"),
    "map-values": (
        "map(periods, p -> p.grade) contains 100",
        "any(periods, p -> p.grade == 100)",
    ),
    "and-3": (
        "not smitta and deltid and count(periods) > 1",
        "(not smitta and deltid) and count(periods) > 1",
    ),
    "and-4": (
        "not smitta and deltid and count(periods) > 1 and not kort",
        "((not smitta and deltid) and count(periods) > 1) and not kort",
    ),
    "or-3": ("smitta or deltid or kort", "(smitta or deltid) or kort"),
    "fmb-member": (
        "fmb.has_data and fmb.max_days != null",
        "fmb.has_data == true and not (fmb.max_days == null)",
    ),
    "case-member": ("case.total_days > 10", "case.total_days + 0 > 10"),
}


def _ruleset(directory: Path) -> Ruleset:
    body = 'ruleset "fused"\n' + LETS
    for name, (fused, general) in PAIRS.items():
        body += rule(f"F-{name}", fused) + rule(f"G-{name}", general)
    return load_ruleset(write_ruleset(directory, "fused", body))


def test_fused_conditions_fire_exactly_when_their_general_forms_do(tmp_path: Path) -> None:
    ruleset = _ruleset(tmp_path)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(certificate=certificates())
    def agree(certificate: Certificate) -> None:
        fired = {finding.rule for finding in intygscheck.check(certificate, ruleset, CheckContext()).findings}
        for name in PAIRS:
            assert (f"F-{name}" in fired) == (f"G-{name}" in fired), name

    agree()


def test_each_pair_fires_on_some_certificate_and_not_on_another(tmp_path: Path) -> None:
    """The pairs are not vacuous: over varied certificates each fused rule both fires and not."""
    ruleset = _ruleset(tmp_path)
    seen: dict[str, set[bool]] = {name: set() for name in PAIRS}

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(certificate=certificates())
    def collect(certificate: Certificate) -> None:
        fired = {finding.rule for finding in intygscheck.check(certificate, ruleset).findings}
        for name in PAIRS:
            seen[name].add(f"F-{name}" in fired)

    collect()
    assert {name for name, outcomes in seen.items() if outcomes != {True, False}} == set()
