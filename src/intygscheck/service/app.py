"""The HTTP service: a thin FastAPI layer over :func:`intygscheck.check`.

``create_app(settings)`` compiles the rulesets once, then every request is admitted (or
answered 503 when the worker is saturated), reads its body (within the size limit), runs
reader + check + renderer inline on the event loop (within the time limit, see
:mod:`.limits`), and answers with the JSON result, a FHIR ``OperationOutcome`` or CDS Hooks
cards. Errors always have the body ``{"error": {code, message, position}}``.

Endpoints: ``POST /check``, ``POST /check/batch``, ``GET /rulesets``, ``GET /health``,
``GET /cds-services``, ``POST /cds-services/{id}``, ``GET /openapi.json`` (and ``/docs``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.types import Receive, Scope, Send

from .. import __version__
from ..engine import CheckTimeout, Result, RuleEvaluationError, check
from ..report.operation_outcome import render_operation_outcome
from . import cds_hooks
from .body import read_body
from .catalogue import Catalogue
from .errors import (
    ServiceError,
    error_body,
    error_response,
    install_error_handlers,
    preferred_language,
    unexpected_error_response,
)
from .inputs import (
    CheckRequest,
    parse_json,
    read_batch,
    read_certificate,
    read_envelope,
    read_item,
    ruleset_names,
)
from .limits import Limits
from .log_redaction import install_log_redaction
from .media import ENVELOPE_TYPE, FHIR_JSON, JSON, BodyKind, body_kind, negotiate
from .rulesets import RulesetRegistry
from .settings import ServiceSettings
from .warmup import freeze_startup_objects, warm_up

log = logging.getLogger("intygscheck.service")

SETTINGS_ENV = "INTYGSCHECK_SERVICE_SETTINGS"
"""Environment variable carrying the settings (JSON) to worker processes started by uvicorn."""

_CERTIFICATE_BODY: dict[str, Any] = {
    "required": True,
    "description": (
        "One certificate: RIVTA RegisterCertificate XML, FHIR R4 JSON (QuestionnaireResponse or Bundle) "
        f"or native JSON; or, as `{ENVELOPE_TYPE}`, an envelope "
        '`{"certificate": ..., "context": [earlier certificates], "rulesets": [names]}` whose certificates '
        "are JSON objects (native or FHIR) or RIVTA XML strings."
    ),
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "text/xml": {"schema": {"type": "string"}},
        FHIR_JSON: {"schema": {"type": "object", "required": ["resourceType"]}},
        JSON: {"schema": {"$ref": "#/components/schemas/Certificate"}},
        ENVELOPE_TYPE: {"schema": {"$ref": "#/components/schemas/CheckEnvelope"}},
    },
}

_BATCH_BODY: dict[str, Any] = {
    "required": True,
    "description": (
        '`{"items": [...], "rulesets": [names]}` or a bare list; each item is a certificate (native or FHIR '
        'object, or RIVTA XML string) or an envelope `{"certificate": ..., "context": [...]}`.'
    ),
    "content": {JSON: {"schema": {"$ref": "#/components/schemas/CheckBatch"}}},
}

_RULESETS_PARAMETER: dict[str, Any] = {
    "name": "rulesets",
    "in": "query",
    "required": False,
    "description": "Ruleset names (repeat or comma-separate); default: the service's rulesets.",
    "schema": {"type": "array", "items": {"type": "string"}},
    "style": "form",
    "explode": True,
}

_NO_STORE = {"Cache-Control": "no-store"}
"""Answers about a patient's certificate must not be kept by caches on the way."""

_ERROR = {"model": None, "content": {JSON: {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, **_ERROR}
    for status, text in {
        400: "Unreadable input (malformed XML or JSON, XXE, not a certificate)",
        403: "A ruleset path was named but paths are not allowed",
        406: "No acceptable response type",
        408: "The body did not arrive in time",
        413: "Body or list over the limit",
        415: "Unsupported content type",
        503: "Saturated: too many requests in flight on this worker (Retry-After)",
        504: "The check did not finish within the time limit",
    }.items()
}


class _Service(FastAPI):
    """FastAPI, with ``POST /check`` — the call a journal makes while the doctor types — sent
    straight to its endpoint.

    The route stays registered with FastAPI (it is what ``/openapi.json`` describes); only the
    dispatch skips the framework's middleware, routing and dependency layers, which cost about
    a tenth of a whole request. Errors are answered by the same functions the exception
    handlers use, so a client sees the same answers either way.
    """

    check_endpoint: Callable[[Request], Awaitable[Response]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.check_endpoint
        if (
            endpoint is None
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != "/check"
        ):
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive)
        response: Response
        try:
            response = await endpoint(request)
        except ServiceError as exc:
            response = error_response(request, exc)
        except Exception as exc:  # the service's own fault: a 500 in the JSON shape, never a traceback
            response = unexpected_error_response(request, exc)
        await response(scope, receive, send)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The service for ``settings``; compiles every ruleset it may use before returning."""
    settings = settings or ServiceSettings()
    install_log_redaction()
    registry = RulesetRegistry(settings.rulesets, allow_paths=settings.allow_ruleset_paths)
    warm_up(registry.default)
    limits = Limits(settings.timeout_seconds, settings.max_in_flight)
    catalogue_json = registry.catalogue.model_dump_json().encode()
    discovery_json = json.dumps(cds_hooks.discovery(settings.cds_service_id, settings.cds_hook)).encode()

    app = _Service(
        title="intygscheck",
        version=__version__,
        description=(
            "Kontroll av läkarintyg för sjukpenning (FK 7804) — checks FK 7804 certificates: "
            "completion-request predictions, FMB, structure. CDS Hooks 2.0 at /cds-services."
        ),
        separate_input_output_schemas=False,
    )
    install_error_handlers(app)
    app.state.settings = settings
    app.state.registry = registry
    app.state.limits = limits

    async def body_of(request: Request, deadline: float) -> bytes:
        return await read_body(request, settings.max_body_bytes, max(0.0, deadline - time.monotonic()))

    def checked(request: CheckRequest, names: tuple[str, ...] | None, lang: str, deadline: float) -> Result:
        """The library's check within the deadline: the request's own ruleset names win."""
        limits.ensure_before(deadline)  # reading may have used up the time
        try:
            return _check(registry, request, names, lang, deadline)
        except CheckTimeout:
            raise limits.timed_out() from None

    @app.post(
        "/check",
        summary="Check one certificate",
        response_class=Response,
        openapi_extra={"requestBody": _CERTIFICATE_BODY, "parameters": [_RULESETS_PARAMETER]},
        responses={
            200: {
                "description": "The result (JSON), or an OperationOutcome for Accept: application/fhir+json",
                "content": {
                    JSON: {"schema": {"$ref": "#/components/schemas/Result"}},
                    FHIR_JSON: {"schema": {"type": "object"}},
                },
            },
            **_ERRORS,
        },
    )
    async def check_one(request: Request) -> Response:
        with limits.admit() as deadline:
            kind = body_kind(request.headers.get("content-type"))
            answer_type = negotiate(request.headers.get("accept"))
            lang = preferred_language(request)
            query_names = _query_names(request)
            registry.validate(query_names)
            data = await body_of(request, deadline)
            if kind is BodyKind.ENVELOPE:
                parsed = read_envelope(data, settings.max_context_items)
            else:
                parsed = CheckRequest(read_certificate(data, kind))
            result = checked(parsed, query_names, lang, deadline)
            if answer_type == FHIR_JSON:
                answer = render_operation_outcome(result, lang=lang).encode()
            else:
                answer = result.model_dump_json().encode()
        return Response(answer, media_type=answer_type, headers=_NO_STORE)

    app.check_endpoint = check_one

    @app.post(
        "/check/batch",
        summary="Check many certificates",
        response_class=Response,
        openapi_extra={
            "requestBody": _BATCH_BODY,
            "parameters": [{**_RULESETS_PARAMETER, "description": "Ruleset names for every item."}],
        },
        responses={
            200: {
                "description": "One entry per item, in order: its result, or its error",
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/BatchResults"}}},
            },
            **_ERRORS,
        },
    )
    async def check_batch(request: Request) -> Response:
        with limits.admit() as deadline:
            body_kind(request.headers.get("content-type"), {JSON: BodyKind.JSON})
            negotiate(request.headers.get("accept"), (JSON,))
            lang = preferred_language(request)
            query_names = _query_names(request)
            registry.validate(query_names)
            data = await body_of(request, deadline)
            entries, body_names = read_batch(data, settings.max_batch_items, settings.max_context_items)
            default_names = query_names or ruleset_names(body_names, "body")
            parts: list[bytes] = []
            for index, entry in enumerate(entries):
                await asyncio.sleep(0)  # let other requests on this worker run between items
                if isinstance(entry, ServiceError):
                    parts.append(_batch_error(index, entry, lang))
                    continue
                try:
                    result = checked(entry, default_names, lang, deadline)
                except ServiceError as exc:
                    if exc.status == 504:
                        raise
                    parts.append(_batch_error(index, exc, lang))
                    continue
                parts.append(b'{"index":%d,"result":%s}' % (index, result.model_dump_json().encode()))
        return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type=JSON, headers=_NO_STORE)

    @app.get("/rulesets", summary="Rulesets and their rule catalogue", response_model=Catalogue)
    async def list_rulesets() -> Response:
        return Response(catalogue_json, media_type=JSON)

    @app.get("/health", summary="Liveness and what is loaded")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "rulesets": [f"{r.name} {r.version}" for r in registry.catalogue.rulesets if r.default],
            "unavailable": sorted(registry.unavailable),
            "worker": {"pid": os.getpid(), "in_flight": limits.in_flight},
        }

    @app.get("/cds-services", summary="CDS Hooks discovery")
    async def cds_discovery() -> Response:
        return Response(discovery_json, media_type=JSON)

    @app.post(
        "/cds-services/{service_id}",
        summary="CDS Hooks service: cards for a draft FK 7804",
        response_class=Response,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/CdsHookRequest"}}},
            }
        },
        responses={
            200: {"description": "CDS Hooks cards", "content": {JSON: {"schema": {"type": "object"}}}},
            404: {"description": "No CDS service with this id", **_ERROR},
            412: {"description": "No draft certificate in context or prefetch", **_ERROR},
            **_ERRORS,
        },
    )
    async def cds_service(request: Request, service_id: str) -> Response:
        if service_id != settings.cds_service_id:
            raise ServiceError(
                404, "not_found", f"Ingen CDS-tjänst {service_id!r}.", f"No CDS service {service_id!r}."
            )
        with limits.admit() as deadline:
            body_kind(request.headers.get("content-type"), {JSON: BodyKind.JSON})
            data = await body_of(request, deadline)
            hook = cds_hooks.read_hook_request(parse_json(data), settings.max_context_items)
            parsed = CheckRequest(
                read_item(hook.draft, hook.draft_label),
                tuple(cds_hooks.read_context(hook.previous)),
            )
            result = checked(parsed, None, "sv", deadline)
            cards = {"cards": cds_hooks.cards(result, hook.hook_instance)}
        return Response(json.dumps(cards, ensure_ascii=False).encode(), media_type=JSON, headers=_NO_STORE)

    _add_schemas(app, None if settings.allow_ruleset_paths else registry.names())
    return app


def create_app_from_env() -> FastAPI:
    """The app for settings in :data:`SETTINGS_ENV` (how ``serve --workers N`` starts each worker)."""
    raw = os.environ.get(SETTINGS_ENV)
    app = create_app(ServiceSettings.model_validate_json(raw) if raw else None)
    freeze_startup_objects()
    return app


def _check(
    registry: RulesetRegistry,
    request: CheckRequest,
    names: tuple[str, ...] | None,
    lang: str,
    deadline: float | None = None,
) -> Result:
    """Run the library's check: the request's own ruleset names win over the query's."""
    rulesets = registry.resolve(request.rulesets or names)
    try:
        return check(request.certificate, rulesets, request.context, lang=lang, deadline=deadline)
    except RuleEvaluationError as exc:
        # A rule that cannot evaluate a certificate is a ruleset bug, not the client's: 500,
        # naming the rule (the error text may quote certificate values, so it is not logged).
        log.error("rule %s failed with %s", exc.rule.id, type(exc.__cause__).__name__)
        raise ServiceError(
            500,
            "rule_failed",
            f"Regeln {exc.rule.id} kunde inte utvärderas.",
            f"Rule {exc.rule.id} could not be evaluated.",
        ) from None


def _query_names(request: Request) -> tuple[str, ...] | None:
    """The ``rulesets`` query values, repeated or comma-separated, as one tuple (``None`` when absent).

    Read from the query string directly rather than by a FastAPI parameter: the parameter's
    validation machinery costs more per request than this whole function.
    """
    values = request.query_params.getlist("rulesets")
    names = tuple(name.strip() for value in values for name in value.split(",") if name.strip())
    return names or None


def _batch_error(index: int, error: ServiceError, lang: str) -> bytes:
    """One failed batch entry."""
    body = error_body(error.code, error.message(lang), error.position)
    return json.dumps({"index": index, **body}, ensure_ascii=False).encode()


def _add_schemas(app: FastAPI, ruleset_names: list[str] | None) -> None:
    """Complete the OpenAPI document: the body schemas the raw-body endpoints refer to, and
    (when paths are not allowed) the ruleset names a request may use, as an enum."""
    from .schemas import component_schemas

    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            schema.setdefault("components", {}).setdefault("schemas", {}).update(component_schemas())
            if ruleset_names is not None:
                names_schema = {"type": "array", "items": {"enum": ruleset_names}}
                for operation in (op for path in schema["paths"].values() for op in path.values()):
                    operation["parameters"] = [
                        {**p, "schema": names_schema} if p["name"] == "rulesets" else p
                        for p in operation.get("parameters", ())
                    ]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["SETTINGS_ENV", "create_app", "create_app_from_env"]
