"""Precision and recall of the completion-request predictions, per FK question id.

Runs the default rulesets on every certificate of the labeled corpus
(``fixtures/komplettering/*.xml`` with ``labels.csv``) and compares the predicted question ids —
the union of the ``questions`` of every finding in category ``komplettering``, plus question
37 from findings in category ``fmb`` — with the ids a careful case officer would ask about.
Each corpus certificate is checked on its own (every corpus patient is distinct).

    /work/venv/bin/python benchmarks/komplettering_quality.py [CORPUS_DIR] [--fmb-mode webcert]

Prints a table with TP/FP/FN, precision and recall per question id, and the files behind every
false positive and false negative. :func:`evaluate` is reused by
``tests/test_ruleset_komplettering.py``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import intygscheck
from intygscheck.engine import CheckContext, Result

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "komplettering"
FMB_QUESTIONS = frozenset({"37"})


@dataclass
class Counts:
    """Confusion counts for one question id, with the files behind each error."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None when nothing was labelled."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def predicted_questions(result: Result) -> frozenset[str]:
    """Question ids a completion request is predicted for, from one check result."""
    predicted: set[str] = set()
    for finding in result.findings:
        if finding.category == "komplettering":
            predicted.update(finding.questions)
        elif finding.category == "fmb":
            predicted.update(q for q in finding.questions if q in FMB_QUESTIONS)
    return frozenset(predicted)


def read_labels(corpus: Path) -> dict[str, frozenset[str]]:
    """File name → labelled question ids (``;``-separated in ``labels.csv``)."""
    with (corpus / "labels.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["file"]: frozenset(q.strip() for q in row["questions"].split(";") if q.strip())
            for row in csv.DictReader(handle)
        }


def predictions(corpus: Path = CORPUS, fmb_mode: str | None = None) -> dict[str, frozenset[str]]:
    """File name → predicted question ids, checking each labelled certificate on its own."""
    context = CheckContext(fmb_mode=fmb_mode)
    return {
        name: predicted_questions(intygscheck.check(intygscheck.read(corpus / name), None, context))
        for name in read_labels(corpus)
    }


def evaluate(corpus: Path = CORPUS, fmb_mode: str | None = None) -> dict[str, Counts]:
    """Per question id, the confusion counts of the predictions against the labels.

    ``fmb_mode`` chooses the FMB lookup (None: the default mode; ``"webcert"``: Webcert's
    most generous typfall, the rule the corpus labels for 37 were made with).
    """
    labels = read_labels(corpus)
    predicted = predictions(corpus, fmb_mode)
    table: dict[str, Counts] = {}
    for name, truth in labels.items():
        guess = predicted[name]
        for question in truth | guess:
            counts = table.setdefault(question, Counts())
            if question in truth and question in guess:
                counts.tp += 1
            elif question in guess:
                counts.fp += 1
                counts.false_positives.append(name)
            else:
                counts.fn += 1
                counts.false_negatives.append(name)
    return dict(sorted(table.items(), key=lambda item: _question_key(item[0])))


def _question_key(question: str) -> tuple[int, str]:
    return (int(question), question) if question.isdigit() else (10**6, question)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def format_table(table: dict[str, Counts]) -> Iterable[str]:
    """The table as text lines: one row per question id, then the errors by file."""
    yield f"{'question':>8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}"
    for question, counts in table.items():
        yield (
            f"{question:>8} {counts.tp:>4} {counts.fp:>4} {counts.fn:>4} "
            f"{_ratio(counts.precision):>10} {_ratio(counts.recall):>8}"
        )
    for question, counts in table.items():
        if counts.false_positives:
            yield f"FP {question}: {', '.join(counts.false_positives)}"
        if counts.false_negatives:
            yield f"FN {question}: {', '.join(counts.false_negatives)}"


def main(argv: list[str]) -> int:
    """Print the table for the corpus folder given (default: the shipped corpus)."""
    args = argv[1:]
    fmb_mode = None
    if "--fmb-mode" in args:
        at = args.index("--fmb-mode")
        fmb_mode = args[at + 1] if at + 1 < len(args) else None
        del args[at : at + 2]
    corpus = Path(args[0]) if args else CORPUS
    print(f"corpus: {corpus}; FMB mode: {fmb_mode or 'default'}")
    for line in format_table(evaluate(corpus, fmb_mode)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
