"""Embedding: ``intygscheck.check`` is safe to call from many threads at once (as a journal system may)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import intygscheck
from intygscheck.engine import load_all
from intygscheck.ingest import read_bytes
from service_support import FIXTURES, SERVICE_RULES


def test_concurrent_checks_give_the_sequential_results() -> None:
    certificates = [
        read_bytes(path.read_bytes(), path.name) for path in sorted((FIXTURES / "xml").glob("*.xml"))
    ]
    rulesets = [*load_all(None), intygscheck.load_ruleset(SERVICE_RULES)]
    by_id = {c.id: c for c in certificates}
    context = [c for c in certificates if c.patient == certificates[0].patient]
    expected = {c.id: intygscheck.check(c, rulesets, context) for c in certificates}
    assert any(result.findings for result in expected.values())

    def check_all(round_number: int) -> list[intygscheck.Result]:
        order = (
            certificates[round_number % len(certificates) :]
            + certificates[: round_number % len(certificates)]
        )
        return [intygscheck.check(c, rulesets, context) for c in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        rounds = list(pool.map(check_all, range(24)))
    for results in rounds:
        for result in results:
            assert result == expected[result.certificate_id], by_id[result.certificate_id].id
