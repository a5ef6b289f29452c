"""Settings of the HTTP service: limits, rulesets and what requests may ask for.

One frozen object built by the ``serve`` command (or by a test) and handed to
:func:`intygscheck.service.app.create_app`; nothing is read from the environment here,
so the same settings always give the same service.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_BODY_BYTES = 256 * 1024
"""A certificate is a few kilobytes; 256 KiB leaves room for a batch or a sjukfall context."""

DEFAULT_TIMEOUT_MS = 2000
"""Per-request limit on reading and checking; a check normally takes well under a millisecond."""

DEFAULT_CDS_HOOK = "se.intygscheck.fk7804-sign"
"""The CDS Hooks hook the service listens to.

No standard hook fits a certificate being signed: ``order-sign`` carries ``draftOrders``
(orders such as MedicationRequest), and a certificate is a QuestionnaireResponse, not an
order. CDS Hooks requires an organisation-specific hook to be named in reverse domain
notation, so the default is ``se.intygscheck.fk7804-sign``; a vendor may configure its own.
"""


class ServiceSettings(BaseModel):
    """What the service loads at start-up and what it allows per request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    rulesets: tuple[str, ...] = Field(
        (), description="Rulesets checked by default (names or paths); empty = the library's default."
    )
    max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, gt=0)
    timeout_ms: int = Field(DEFAULT_TIMEOUT_MS, gt=0)
    allow_ruleset_paths: bool = Field(
        False, description="Let a request name a ruleset file path (off: only shipped rulesets by name)."
    )
    max_batch_items: int = Field(200, gt=0, description="Most certificates in one /check/batch request.")
    max_context_items: int = Field(50, ge=0, description="Most earlier certificates in a sjukfall context.")
    max_in_flight: int = Field(
        100, gt=0, description="Most requests one worker handles at once; one more is answered 503."
    )
    cds_hook: str = DEFAULT_CDS_HOOK
    cds_service_id: str = "intygscheck-fk7804"

    @property
    def timeout_seconds(self) -> float:
        """The per-request time limit in seconds."""
        return self.timeout_ms / 1000


__all__ = ["DEFAULT_CDS_HOOK", "DEFAULT_MAX_BODY_BYTES", "DEFAULT_TIMEOUT_MS", "ServiceSettings"]
