"""Per-certificate evaluation of a 50-rule ruleset: compiled DSL against alternatives, in one process.

Run: ``python benchmarks/bench_rules_eval.py``. The same 50 conditions (10 shapes × 5 thresholds)
are evaluated on the same synthetic certificates by:

- hand-written Python functions over the model (the baseline),
- the compiled DSL (conditions only, one evaluation environment per certificate),
- ``intygscheck.check`` (conditions plus findings with evidence, messages and location),
- the ``rule-engine`` package and ``cel-python``, over the certificate as JSON data prepared
  beforehand (their conversion cost is not counted).

Prints CPU microseconds per certificate and the ratio to the hand-written baseline.
"""

from __future__ import annotations

import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from intygscheck.engine import check
from intygscheck.model import Certificate
from intygscheck.rules import load_ruleset
from intygscheck.rules.compiler import Env

WORDS = ("lyft", "tung", "natt", "skift", "stå")


def shapes(k: int) -> list[tuple[str, Callable[[Certificate], bool], str, str]]:
    """The k-th threshold of each of the 10 condition shapes: (DSL, Python, rule-engine, CEL)."""
    n = 20 + 15 * k
    word = WORDS[k]
    pattern = re.compile(word, re.IGNORECASE)
    return [
        (
            f"length(activity_limitation.text) < {n}",
            lambda c: len((c.activity_limitation.text or "").strip()) < n,
            f"activity_limitation.text.length < {n}",
            f"size(activity_limitation.text) < {n}",
        ),
        (
            f"any(periods, p -> p.grade < 100 and p.days > {k * 5})",
            lambda c: any(p.grade < 100 and p.days > k * 5 for p in c.periods),
            f"[p for p in periods if p.grade < 100 and p.days > {k * 5}].length > 0",
            f"periods.exists(p, p.grade < 100 && p.days > {k * 5})",
        ),
        (
            f'matches(work_tasks, "{word}")',
            lambda c: c.work_tasks is not None and pattern.search(c.work_tasks) is not None,
            f'work_tasks =~~ "(?i){word}"',
            f'work_tasks.matches("(?i){word}")',
        ),
        (
            f'prognosis.code == "PROGNOS_OKLAR" and days_covered > {k * 7}',
            lambda c: c.prognosis.code == "PROGNOS_OKLAR" and c.days_covered > k * 7,
            f'prognosis.code == "PROGNOS_OKLAR" and days_covered > {k * 7}',
            f'prognosis.code == "PROGNOS_OKLAR" && days_covered > {k * 7}',
        ),
        (
            f"count(diagnoses) > {k % 3}",
            lambda c: len(c.diagnoses) > k % 3,
            f"diagnoses.length > {k % 3}",
            f"size(diagnoses) > {k % 3}",
        ),
        (
            f'occupations contains "NUVARANDE_ARBETE" and length(work_tasks) < {n * 2}',
            lambda c: "NUVARANDE_ARBETE" in c.occupations and len((c.work_tasks or "").strip()) < n * 2,
            f'"NUVARANDE_ARBETE" in occupations and work_tasks.length < {n * 2}',
            f'"NUVARANDE_ARBETE" in occupations && size(work_tasks) < {n * 2}',
        ),
        (
            f'any(basis, b -> b.kind == "TELEFONKONTAKT") or count(basis) > {k}',
            lambda c: any(b.kind == "TELEFONKONTAKT" for b in c.basis) or len(c.basis) > k,
            f'[b for b in basis if b.kind == "TELEFONKONTAKT"].length > 0 or basis.length > {k}',
            f'basis.exists(b, b.kind == "TELEFONKONTAKT") || size(basis) > {k}',
        ),
        (
            f'any(diagnoses, d -> d.code >= "F00" and d.code < "G00") '
            f"and length(functional_impairment.text) < {n * 3}",
            lambda c: (
                any("F00" <= d.code < "G00" for d in c.diagnoses)
                and len((c.functional_impairment.text or "").strip()) < n * 3
            ),
            f'[d for d in diagnoses if d.code >= "F00" and d.code < "G00"].length > 0 '
            f"and functional_impairment.text.length < {n * 3}",
            f'diagnoses.exists(d, d.code >= "F00" && d.code < "G00") '
            f"&& size(functional_impairment.text) < {n * 3}",
        ),
        (
            f"working_time.requested == null and any(periods, p -> p.grade <= {25 * (k % 4 + 1)})",
            lambda c: (
                c.working_time.requested is None and any(p.grade <= 25 * (k % 4 + 1) for p in c.periods)
            ),
            f"working_time.requested == null "
            f"and [p for p in periods if p.grade <= {25 * (k % 4 + 1)}].length > 0",
            f"working_time.requested == null && periods.exists(p, p.grade <= {25 * (k % 4 + 1)})",
        ),
        (
            f"days_covered > {k * 10} and count(periods) > 1",
            lambda c: c.days_covered > k * 10 and len(c.periods) > 1,
            f"days_covered > {k * 10} and periods.length > 1",
            f"days_covered > {k * 10} && size(periods) > 1",
        ),
    ]


CONDITIONS = [shape for k in range(5) for shape in shapes(k)]


def ruleset_text() -> str:
    lines = ['ruleset "bench-eval" version "1"']
    for index, (dsl, *_) in enumerate(CONDITIONS):
        lines.append(
            f'rule "E-{index}" {{ severity warning category komplettering questions ["17"] when {dsl}\n'
            f'  message sv "Regel {index}." message en "Rule {index}." }}'
        )
    return "\n".join(lines) + "\n"


def certificates(count: int = 200, seed: int = 3) -> list[Certificate]:
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


def as_data(certificate: Certificate) -> dict[str, Any]:
    """The certificate as plain JSON data, with the derived values the conditions use."""
    data: dict[str, Any] = json.loads(certificate.model_dump_json())
    data["days_covered"] = certificate.days_covered
    for period, model in zip(data["periods"], certificate.periods, strict=True):
        period["days"] = model.days
    return data


def per_certificate(function: Callable[[], object], count: int, repeat: int = 7) -> float:
    """Best CPU time of ``repeat`` runs, in microseconds per certificate (CPU time, so that other
    load on the machine does not distort the ratios)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best / count * 1e6


def main() -> None:
    certs = certificates()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rules"
        path.write_text(ruleset_text(), encoding="utf-8")
        ruleset = load_ruleset(path)
    python_functions = [python for _, python, _, _ in CONDITIONS]
    conditions = [rule.condition for rule in ruleset.rules]

    def hand_written() -> list[list[bool]]:
        return [[f(c) for f in python_functions] for c in certs]

    def compiled() -> list[list[bool]]:
        return [[f(env) is True for f in conditions] for env in (Env(c) for c in certs)]

    expected = hand_written()
    assert compiled() == expected, "the DSL and the hand-written functions disagree"
    rows: list[tuple[str, float]] = [
        ("hand-written Python (baseline)", per_certificate(hand_written, len(certs))),
        ("compiled DSL, conditions", per_certificate(compiled, len(certs))),
        (
            "intygscheck.check (with findings)",
            per_certificate(lambda: [check(c, [ruleset]) for c in certs], len(certs)),
        ),
    ]
    data = [as_data(c) for c in certs]
    try:
        import rule_engine

        rules = [rule_engine.Rule(text) for _, _, text, _ in CONDITIONS]
        assert [[r.matches(d) for r in rules] for d in data] == expected, "rule-engine disagrees"
        rows.append(
            (
                "rule-engine",
                per_certificate(lambda: [[r.matches(d) for r in rules] for d in data], len(certs)),
            )
        )
    except ImportError:
        print("rule-engine is not installed (pip install 'intygscheck[test]')", file=sys.stderr)
    try:
        import celpy

        environment = celpy.Environment()
        programs = [environment.program(environment.compile(text)) for _, _, _, text in CONDITIONS]
        activations = [celpy.json_to_cel(d) for d in data]

        def cel() -> list[list[bool]]:
            return [[bool(p.evaluate(a)) for p in programs] for a in activations]

        assert cel() == expected, "cel-python disagrees"
        rows.append(("cel-python", per_certificate(cel, len(certs), repeat=2)))
    except ImportError:
        print("cel-python is not installed (pip install 'intygscheck[test]')", file=sys.stderr)

    baseline = rows[0][1]
    print(f"{len(CONDITIONS)} rules, {len(certs)} certificates")
    print(f"{'evaluator':<36} {'µs/certificate':>15} {'× hand-written':>15}")
    for name, micros in rows:
        print(f"{name:<36} {micros:>15.1f} {micros / baseline:>15.2f}")


if __name__ == "__main__":
    main()
