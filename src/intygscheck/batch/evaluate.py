"""Phase two of a batch: check one patient partition and write its results.

A partition holds every certificate of its patients, so sjukfall are complete inside it.
Each partition's results and errors are written to their own files, atomically (write to a
temporary name, then rename): a partition either has complete output or none, which is what
makes an interrupted run resumable.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cases import CaseScope, cases_by_id
from ..model import Certificate
from .rows import result_row


@dataclass(frozen=True)
class PartitionJob:
    """What a worker needs to check one partition (picklable: names, not compiled rulesets)."""

    index: int
    source: Path
    results: Path
    errors: Path
    outcome: Path
    rulesets: tuple[str, ...] | None
    gap_days: int
    scope: CaseScope


@dataclass
class PartitionOutcome:
    """Counts from one checked partition, merged into the batch summary."""

    index: int
    results: int = 0
    errors: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    hits_by_ruleset: Counter[str] = field(default_factory=Counter)
    rulesets: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (written beside the partition's results)."""
        return {
            "index": self.index,
            "results": self.results,
            "errors": self.errors,
            "hits": dict(self.hits),
            "hits_by_ruleset": dict(self.hits_by_ruleset),
            "rulesets": self.rulesets,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartitionOutcome:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            index=data["index"],
            results=data["results"],
            errors=data["errors"],
            hits=Counter(data["hits"]),
            hits_by_ruleset=Counter(data["hits_by_ruleset"]),
            rulesets=dict(data["rulesets"]),
        )


def evaluate_partition(job: PartitionJob) -> PartitionOutcome:
    """Check every certificate of a partition, each with its sjukfall; write results atomically."""
    from ..engine import CheckContext, check
    from ..rules import load_ruleset

    rulesets = [load_ruleset(name) for name in job.rulesets] if job.rulesets is not None else None
    outcome = PartitionOutcome(job.index)
    entries: list[tuple[str, Certificate]] = []
    error_lines: list[str] = []
    if job.source.exists():
        with job.source.open(encoding="utf-8") as stream:
            for line in stream:
                record = json.loads(line)
                entries.append((record["source"], Certificate.model_validate(record["certificate"])))
    entries.sort(key=lambda entry: (entry[1].id, entry[0]))
    cases = cases_by_id((c for _, c in entries), gap_days=job.gap_days, scope=job.scope)
    result_lines: list[str] = []
    for source, certificate in entries:
        case = cases.get(certificate.id)
        try:
            result = check(
                certificate,
                rulesets=rulesets,
                context=CheckContext(case=case, gap_days=job.gap_days, case_scope=job.scope),
            )
        except Exception as exc:  # a rule or engine bug must not lose the certificate
            error_lines.append(json.dumps({"source": source, "reason": f"internal error while checking: {exc!r}"}))
            continue
        row = result_row(source, certificate, case, result)
        result_lines.append(json.dumps(row, ensure_ascii=False, default=str))
        for ref in result.rulesets:
            outcome.rulesets[ref.name] = ref.version
        for finding in result.findings:
            outcome.hits[finding.rule] += 1
            outcome.hits_by_ruleset[finding.ruleset] += 1
    outcome.results, outcome.errors = len(result_lines), len(error_lines)
    _write_atomically(job.errors, error_lines)
    _write_atomically(job.outcome, [json.dumps(outcome.to_dict())])
    _write_atomically(job.results, result_lines)  # last: its presence marks the partition done
    return outcome


def _write_atomically(path: Path, lines: list[str]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.writelines(line + "\n" for line in lines)
    os.replace(temporary, path)
