"""Assemble a batch's outputs from its completed partitions.

``results.ndjson`` and ``errors.ndjson`` are concatenations of the partition files (in
partition order, so local and Dask runs give identical files); ``summary.json`` reconciles
the counts: every input record is a result or an error, and a partial run says how many
certificates are still pending.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .evaluate import PartitionOutcome

if TYPE_CHECKING:
    from .runner import BatchOptions


def assemble_outputs(out: Path, work: Path, *, options: BatchOptions, final: bool = True) -> dict[str, Any]:
    """Write results, errors, summary (and, for a complete run, the aggregates); return the summary.

    ``final=False`` writes an intermediate state, always marked incomplete, and no aggregates.
    """
    spill_counts = _read_json(work / "spill.json")
    outcomes = _completed(work, options.partitions)
    _concatenate(
        out / "results.ndjson", [work / "results" / f"results-{o.index:04d}.ndjson" for o in outcomes]
    )
    _concatenate(
        out / "errors.ndjson",
        # The reading errors count only once reading is complete (a partial spill is redone).
        [
            *([work / "spill-errors.ndjson"] if spill_counts else []),
            *(work / "results" / f"errors-{o.index:04d}.ndjson" for o in outcomes),
        ],
    )
    results = sum(o.results for o in outcomes)
    check_errors = sum(o.errors for o in outcomes)
    rejected = spill_counts.get("rejected", 0)
    certificates = spill_counts.get("certificates", 0)
    complete = final and bool(spill_counts) and len(outcomes) == options.partitions
    hits: Counter[str] = Counter()
    hits_by_ruleset: Counter[str] = Counter()
    versions: dict[str, str] = {}
    for outcome in outcomes:
        hits.update(outcome.hits)
        hits_by_ruleset.update(outcome.hits_by_ruleset)
        versions.update(outcome.rulesets)
    summary: dict[str, Any] = {
        "complete": complete,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs_read": spill_counts.get("records", 0),
        "results": results,
        "errors": rejected + check_errors,
        "errors_reading": rejected,
        "errors_checking": check_errors,
        "pending": max(certificates - results - check_errors, 0),
        "partitions": {"done": len(outcomes), "total": options.partitions},
        "rulesets": [{"name": name, "version": version} for name, version in sorted(versions.items())],
        "fmb_table": _fmb_table_info(),
        "hits_by_ruleset": dict(sorted(hits_by_ruleset.items())),
        "hits_by_rule": dict(hits.most_common()),
        "options": {
            "gap_days": options.gap_days,
            "case_scope": options.case_scope.value,
            "engine": options.engine,
        },
    }
    _write_summary(out, summary)  # before the aggregates: results and counts stand on their own
    if not complete:
        from .aggregates import remove_aggregates

        remove_aggregates(out)  # an earlier run's aggregates must not pass for this run's
    elif options.reports:
        from .aggregates import write_aggregates

        summary["aggregates"] = write_aggregates(out, summary)
        _write_summary(out, summary)
    return summary


def _write_summary(out: Path, summary: dict[str, Any]) -> None:
    temporary = out / "summary.json.tmp"
    temporary.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(out / "summary.json")


def _completed(work: Path, partitions: int) -> list[PartitionOutcome]:
    outcomes = []
    for index in range(partitions):
        results = work / "results" / f"results-{index:04d}.ndjson"
        outcome = work / "results" / f"outcome-{index:04d}.json"
        if results.exists() and outcome.exists():
            outcomes.append(PartitionOutcome.from_dict(json.loads(outcome.read_text())))
    return outcomes


def _concatenate(target: Path, parts: list[Path]) -> None:
    temporary = target.with_suffix(target.suffix + ".tmp")
    with temporary.open("wb") as sink:
        for part in parts:
            if part.exists():
                with part.open("rb") as source:
                    shutil.copyfileobj(source, sink)
    temporary.replace(target)


def _fmb_table_info() -> dict[str, Any]:
    from ..terminology.fmb.table import default_table

    source = default_table().source
    return {"source": source.name, "date": str(source.data_date) if source.data_date else None}


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}
