"""The aggregate outputs of a complete batch: indicators, equality analysis and the report.

All three read the per-certificate table (:mod:`intygscheck.stats.schema`), projected from
``results.ndjson`` — the findings are not loaded, so memory is that of a few columns per
certificate. Every aggregate suppresses small cells (see the stats modules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def certificate_table_from_results(results: Path) -> Any:
    """The per-certificate table (a polars DataFrame) from a batch's ``results.ndjson``."""
    import polars as pl

    from ..stats.schema import CERTIFICATE_TABLE_SCHEMA, conform, empty_table

    if not results.exists() or results.stat().st_size == 0:
        return empty_table()
    frame = pl.scan_ndjson(results, infer_schema_length=10_000).select(list(CERTIFICATE_TABLE_SCHEMA))
    return conform(frame).collect()


AGGREGATE_FILES = ("indicators.csv", "equality.csv", "equality.json", "report.html")
"""The files :func:`write_aggregates` writes; only a complete run has them."""


def remove_aggregates(out: Path) -> None:
    """Delete aggregate files left in ``out`` by an earlier run."""
    for name in AGGREGATE_FILES:
        (out / name).unlink(missing_ok=True)


def write_aggregates(out: Path, summary: dict[str, Any]) -> dict[str, str]:
    """Write ``indicators.csv``, ``equality.csv``/``.json`` and ``report.html``; return their names."""
    from ..report.html import write_report
    from ..stats.equality import compare_sexes
    from ..stats.indicators import write_indicators

    table = certificate_table_from_results(out / "results.ndjson")
    written = {"indicators": write_indicators(table, out).name}
    equality = compare_sexes(table) if table.height else None
    if equality is not None:
        csv_path, json_path = equality.write(out)
        written["equality"] = csv_path.name
        written["equality_json"] = json_path.name
    report = write_report(
        out,
        certificates=table,
        equality=equality,
        rule_hits=summary.get("hits_by_rule", {}),
        summary={
            "inputs_read": summary["inputs_read"],
            "results": summary["results"],
            "errors": summary["errors"],
        },
    )
    written["report"] = report.name
    return written
