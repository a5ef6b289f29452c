"""JSON Schemas for the OpenAPI document of the raw-body endpoints.

The endpoints read their bodies themselves (to pick a reader by content type and to keep
the size limit), so FastAPI cannot derive these schemas; the models here describe the
bodies for ``/openapi.json`` and are exported from the same pydantic models the library
uses (``Certificate``, ``Result``), so the documentation cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from ..engine import Result
from ..model import Certificate
from .cds_hooks import CdsHookRequest

CertificateItem = dict[str, Any] | str
"""A certificate inside a JSON body: a native or FHIR object, or RIVTA XML as a string."""


class CheckEnvelope(BaseModel):
    """``POST /check`` with ``application/vnd.intygscheck.check+json``: a certificate and its sjukfall."""

    model_config = ConfigDict(extra="forbid")

    certificate: CertificateItem = Field(description="The certificate to check.")
    context: list[CertificateItem] = Field(
        default_factory=list, description="Earlier certificates of the same patient (any order)."
    )
    rulesets: list[str] | None = Field(
        None, min_length=1, description="Ruleset names; default: the service's rulesets."
    )


class BatchItem(BaseModel):
    """A batch item with its own sjukfall context."""

    model_config = ConfigDict(extra="forbid")

    certificate: CertificateItem
    context: list[CertificateItem] = Field(default_factory=list)
    rulesets: list[str] | None = Field(None, min_length=1, description="Ruleset names for this item only.")


class CheckBatch(BaseModel):
    """``POST /check/batch``: the certificates (a bare list is accepted too)."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem | CertificateItem]
    rulesets: list[str] | None = Field(None, min_length=1)


class ErrorPosition(BaseModel):
    """Where in the input the problem is."""

    line: int | None = None
    column: int | None = None
    path: str | None = None


class ErrorDetail(BaseModel):
    """A machine-readable code, a message for a person (Swedish unless Accept-Language: en), a position."""

    code: str
    message: str
    position: ErrorPosition | None = None


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorDetail


class BatchEntry(BaseModel):
    """One batch item's outcome: its result or its error."""

    index: int
    result: Result | None = None
    error: ErrorDetail | None = None


class BatchResults(BaseModel):
    """``POST /check/batch`` answer, in item order."""

    results: list[BatchEntry]


def component_schemas() -> dict[str, Any]:
    """The schemas, keyed by name, with references into ``#/components/schemas``."""
    models: list[type[BaseModel]] = [
        Certificate,
        Result,
        CheckEnvelope,
        CheckBatch,
        ErrorBody,
        BatchResults,
        CdsHookRequest,
    ]
    _, top = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = top.get("$defs", {})
    return schemas


__all__ = ["BatchResults", "CheckBatch", "CheckEnvelope", "ErrorBody", "component_schemas"]
