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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cases import Case, CaseScope, case_for, cases_by_id
from ..model import Certificate
from .rows import result_row
from .safety import describe_exception


@dataclass(frozen=True)
class PartitionJob:
    """What a worker needs to check one partition (picklable: names, not compiled rulesets)."""

    index: int
    source: Path
    results: Path
    errors: Path
    outcome: Path
    rulesets: tuple[str, ...] | None
    extract_rulesets: tuple[str, ...]
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
    """Check every certificate of a partition, each with its sjukfall; write results atomically.

    Every line of the partition becomes one result or one error: a line that does not read
    back, a chaining failure and a rule crash are errors naming the certificate's source.
    """
    from ..engine import CheckContext, check, load_all

    rulesets = load_all(job.rulesets)  # once per partition, not once per certificate
    extract_rulesets = load_all(job.extract_rulesets)
    outcome = PartitionOutcome(job.index)
    entries: list[tuple[str, Certificate, bool]] = []
    errors = _TemporaryLines(job.errors)
    results = _TemporaryLines(job.results)
    try:
        if job.source.exists():
            with job.source.open(encoding="utf-8") as stream:
                for number, line in enumerate(stream, start=1):
                    entry = _entry(line)
                    if isinstance(entry, tuple):
                        entries.append(entry)
                    else:
                        errors.write(_error(_source_of(line, job.source, number), "reading back", entry))
        entries.sort(key=lambda entry: (entry[1].id, entry[0]))
        cases: Mapping[str, Case | BaseException | None]
        try:
            cases = cases_by_id((c for _, c, _ in entries), gap_days=job.gap_days, scope=job.scope)
        except Exception as exc:  # a chaining bug: check each certificate on its own case
            cases = _cases_one_by_one(entries, job, exc)
        for source, certificate, from_extract in entries:
            case = cases.get(certificate.id)
            if isinstance(case, BaseException):
                errors.write(_error(source, "chaining", case))
                continue
            try:
                result = check(
                    certificate,
                    rulesets=extract_rulesets if from_extract else rulesets,
                    context=CheckContext(case=case, gap_days=job.gap_days, case_scope=job.scope),
                )
                row = json.dumps(
                    result_row(source, certificate, case, result, completion_checked=not from_extract),
                    ensure_ascii=False,
                    default=str,
                )
            except Exception as exc:  # a rule or engine bug must not lose the certificate
                errors.write(_error(source, "checking", exc))
                continue
            results.write(row)
            for ref in result.rulesets:
                outcome.rulesets[ref.name] = ref.version
            for finding in result.findings:
                outcome.hits[finding.rule] += 1
                outcome.hits_by_ruleset[finding.ruleset] += 1
        outcome.results, outcome.errors = results.count, errors.count
        errors.commit()
        _write_atomically(job.outcome, [json.dumps(outcome.to_dict())])
        results.commit()  # last: its presence marks the partition done
    finally:
        errors.discard()
        results.discard()
    return outcome


def _entry(line: str) -> tuple[str, Certificate, bool] | Exception:
    try:
        record = json.loads(line)
        certificate = Certificate.model_validate(record["certificate"])
        return record["source"], certificate, bool(record.get("extract"))
    except Exception as exc:
        return exc


def _source_of(line: str, partition: Path, number: int) -> str:
    try:
        return str(json.loads(line)["source"])
    except Exception:
        return f"{partition}:{number}"


def _cases_one_by_one(
    entries: list[tuple[str, Certificate, bool]], job: PartitionJob, failure: Exception
) -> dict[str, Case | BaseException | None]:
    """Each certificate's case built from its patient's certificates alone (after a chaining bug)."""
    by_patient: dict[str | None, list[Certificate]] = {}
    for _, certificate, _ in entries:
        by_patient.setdefault(certificate.patient.key if certificate.patient else None, []).append(
            certificate
        )
    cases: dict[str, Case | BaseException | None] = {}
    for _, certificate, _ in entries:
        key = certificate.patient.key if certificate.patient else None
        others = by_patient[key] if key is not None else [certificate]
        try:
            cases[certificate.id] = case_for(certificate, others, gap_days=job.gap_days, scope=job.scope)
        except Exception as exc:
            cases[certificate.id] = exc
    return cases


def _error(source: str, stage: str, exc: BaseException) -> str:
    reason = f"internt fel / internal error ({stage}): {describe_exception(exc)}"
    return json.dumps({"source": source, "stage": "check", "reason": reason}, ensure_ascii=False)


class _TemporaryLines:
    """Lines written to ``path.tmp`` and renamed to ``path`` on :meth:`commit` (never half a file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temporary = path.with_suffix(path.suffix + ".tmp")
        self.stream = self.temporary.open("w", encoding="utf-8")
        self.count = 0

    def write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.count += 1

    def commit(self) -> None:
        self.stream.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.stream.close()
        self.temporary.unlink(missing_ok=True)


def _write_atomically(path: Path, lines: list[str]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.writelines(line + "\n" for line in lines)
    os.replace(temporary, path)
