"""Ruleset load time: a generated 200-rule ruleset, cold and warm, against parsing alone.

Run: ``python benchmarks/bench_rules_load.py``. Prints, in one process: building the Lark
parser (once per process), parsing the file only (the baseline), and the whole load — parse,
type check, compile, examples — of a generated ruleset with 200 rules, 20 lets and a lexicon.
Times are CPU seconds of this process (``time.process_time``), so other load on the machine
does not inflate them; wall time is printed beside them.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from intygscheck.rules import clear_cache, load_ruleset
from intygscheck.rules.parser import _parser, parse_ruleset

CONDITIONS = (
    "mentions(activity_limitation.text, fraser) and words(activity_limitation.text) < {n}",
    "any(periods, p -> p.grade < 100 and p.days > {n}) and working_time.requested == null",
    'count(diagnoses, d -> code_in(d.code, "F00-F99")) > 0 and length(functional_impairment.text) < {n}',
    'prognosis.code == "PROGNOS_OKLAR" and blank(other_information) and days_covered > {n}',
    "case.total_days > {n} and blank(fmb_motivation)",
    'matches(work_tasks, "lyft|tung") and not mentions(activity_limitation.text, fraser) and let{m}',
)


def generate(rules: int = 200, lets: int = 20) -> str:
    """A ruleset text with ``rules`` rules (mixed condition shapes), ``lets`` lets and a lexicon."""
    lines = ['ruleset "bench" version "1.0.0"', 'description "Genererad för mätning."']
    lines.append(
        'lexicon fraser = ["orkar inte", "kan inte arbeta", "smärta", "värk", "trött*", "klarar inte"]'
    )
    for index in range(lets):
        lines.append(f"let let{index} = any(diagnoses, d -> length(d.normalized_code) > {index % 5})")
    for index in range(rules):
        condition = CONDITIONS[index % len(CONDITIONS)].format(n=10 + index % 40, m=index % lets)
        lines += [
            f'rule "B-{index}" {{',
            f'  title "Regel {index}"',
            "  severity warning",
            "  category komplettering",
            '  questions ["17"]',
            f"  when {condition}",
            f'  message sv "Regel {index} slog till."',
            f'  message en "Rule {index} fired."',
            '  example passes "tom" { "work_tasks": null }',
            "}",
        ]
    return "\n".join(lines) + "\n"


def best_of(function: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """The best CPU time and the best wall time of ``repeat`` runs."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        function()
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started_wall)
    return cpu, wall


def main() -> None:
    text = generate()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rules"
        path.write_text(text, encoding="utf-8")

        grammar = best_of(_parser, repeat=1)

        def full_load() -> None:
            clear_cache()
            load_ruleset(path)

        first = best_of(full_load, repeat=1)

        parse_only = best_of(lambda: parse_ruleset(text, "bench.rules"))
        warm = best_of(full_load)
        cached = best_of(lambda: load_ruleset(path), repeat=50)

    rows = [
        ("build Lark LALR parser (once per process)", grammar),
        ("parse 200-rule file only (baseline)", parse_only),
        ("first load (parse+check+compile+examples)", first),
        ("load, parser built (best of 5)", warm),
        ("load again, cached (mtime check)", cached),
    ]
    print(f"{'step':<46} {'CPU s':>9} {'wall s':>9} {'× parse':>9}")
    for name, (cpu, wall) in rows:
        print(f"{name:<46} {cpu:>9.4f} {wall:>9.4f} {cpu / parse_only[0]:>9.2f}")


if __name__ == "__main__":
    main()
