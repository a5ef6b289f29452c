"""Warm the service up before it listens, so the first request is as fast as the rest.

The first check in a process loads what the engine loads lazily (the FMB table, the ICD-10
layers, the sjukfall code), the first FHIR certificate imports ``fhir.resources``, and the
first ``OperationOutcome`` builds its validators: together several hundred milliseconds,
which a first request would otherwise pay against its time limit. :func:`warm_up` does each
once with a made-up certificate (no real data) and a predecessor of it.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Sequence
from datetime import date, datetime

from ..engine import check
from ..ingest import read_bytes
from ..ingest.fhir_writer import fhir_document
from ..ingest.rivta_writer import write_rivta
from ..model import (
    ActivityLimitation,
    Certificate,
    Diagnosis,
    FunctionalImpairment,
    Grade,
    Issuer,
    SickLeavePeriod,
)
from ..report.operation_outcome import render_operation_outcome
from ..rules import Ruleset

log = logging.getLogger("intygscheck.service")


def _made_up(certificate_id: str, start: date, end: date) -> Certificate:
    """A small invented certificate that exercises diagnoses, periods, texts and the care unit."""
    return Certificate(
        id=certificate_id,
        signed_at=datetime(start.year, start.month, start.day, 9, 0),
        issuer=Issuer(unit_id="SE0000000000-WARM", care_provider_id="SE0000000000-WARMCP"),
        diagnoses=(Diagnosis(code="M545", code_system="1.2.752.116.1.1.1", text="Lumbago"),),
        functional_impairment=FunctionalImpairment(text="Nedsatt rörlighet i ländryggen."),
        activity_limitation=ActivityLimitation(text="Kan inte lyfta tungt."),
        periods=(SickLeavePeriod(grade=Grade.HELT_NEDSATT, start=start, end=end),),
    )


def warm_up(rulesets: Sequence[Ruleset]) -> None:
    """Read, check and render made-up certificates once; a failure is logged, not fatal."""
    earlier = _made_up("warm-up-1", date(2024, 1, 1), date(2024, 1, 14))
    current = _made_up("warm-up-2", date(2024, 1, 15), date(2024, 2, 15))
    try:
        read_bytes(write_rivta(current), "warm-up")
        from_fhir = read_bytes(json.dumps(fhir_document(current)).encode(), "warm-up")
        render_operation_outcome(check(from_fhir, rulesets, [earlier]))
    except Exception as exc:  # warm-up only saves time; the service works without it
        log.error("warm-up failed with %s; the first requests will be slower", type(exc).__name__)


def freeze_startup_objects() -> None:
    """Move everything alive now (compiled rulesets, code tables, the framework) out of the
    garbage collector's reach, in a process that is about to serve.

    Those objects live as long as the process, yet a full collection walks all of them: with
    the default rulesets about 200,000 objects and about 70 ms, a pause that lands on whichever
    requests are in flight. After ``gc.freeze()`` a full collection only walks what requests
    allocate (well under a millisecond). Called by the serving entry points only, not by
    :func:`~intygscheck.service.app.create_app`, so embedding and tests keep normal collection.
    """
    gc.collect()
    gc.freeze()


__all__ = ["freeze_startup_objects", "warm_up"]
