"""Every error the service answers with, as one JSON shape: ``{"error": {code, message, position}}``.

Bad input is the client's to fix, so it always gets a 4xx with a reason it can act on; a
5xx is only for the service's own faults. Messages are Swedish unless the client prefers
English (``Accept-Language: en``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, Position

log = logging.getLogger("intygscheck.service")


class ServiceError(Exception):
    """An error answered with ``status`` and a JSON body; messages in Swedish and English."""

    def __init__(
        self,
        status: int,
        code: str,
        sv: str,
        en: str,
        position: Position | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.sv = sv
        self.en = en
        self.position = position
        self.headers = headers
        super().__init__(f"{status} {code}: {en}")

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``"sv"`` or ``"en"``)."""
        return self.en if lang == "en" else self.sv


class BodyTooLarge(ServiceError):
    """The request body is over the configured limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "payload_too_large",
            f"Begäran är större än gränsen {limit} byte.",
            f"The request body is larger than the limit of {limit} bytes.",
        )


def input_error(exc: InputError, status: int = 400) -> ServiceError:
    """A reader's typed error as a 400 naming its position and reason."""
    return ServiceError(status, "invalid_input", exc.reason, exc.reason, exc.position)


def preferred_language(request: Request) -> str:
    """``"en"`` when ``Accept-Language`` prefers English over Swedish, else ``"sv"``."""
    header = request.headers.get("accept-language", "")
    best, best_q = "sv", 0.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        if lang not in ("sv", "en"):
            continue
        q = quality(params)
        if q > best_q:
            best, best_q = lang, q
    return best


def quality(params: str) -> float:
    """The ``q`` parameter of one header element (1.0 when absent; 0 when unreadable or out of range)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def error_body(code: str, message: str, position: Position | None = None) -> dict[str, Any]:
    """The JSON body of every error answer."""
    where = None
    if position is not None and (position.line, position.column, position.path) != (None, None, None):
        where = {"line": position.line, "column": position.column, "path": position.path}
    return {"error": {"code": code, "message": message, "position": where}}


def error_response(request: Request, error: ServiceError) -> JSONResponse:
    """The response for ``error`` in the client's language."""
    body = error_body(error.code, error.message(preferred_language(request)), error.position)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def unexpected_error_response(request: Request, exc: Exception) -> JSONResponse:
    """The 500 for a fault of the service's own; only the exception's type is logged (its
    message may quote the input)."""
    log.error("internal error %s on %s %s", type(exc).__name__, request.method, request.url.path)
    error = ServiceError(500, "internal_error", "Internt fel i tjänsten.", "Internal service error.")
    return error_response(request, error)


_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    404: ("not_found", "Adressen finns inte.", "No such resource."),
    405: ("method_not_allowed", "Metoden är inte tillåten här.", "Method not allowed here."),
}


def install_error_handlers(app: FastAPI) -> None:
    """Answer service errors, framework errors and unexpected faults with the one JSON shape."""

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return error_response(request, exc)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code, sv, en = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request, ServiceError(exc.status_code, code, sv, en, headers=headers))

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        path = ".".join(str(part) for part in first.get("loc", ()))
        reason = str(first.get("msg", "invalid request"))
        error = ServiceError(
            422,
            "invalid_request",
            f"Ogiltig begäran: {reason}",
            f"Invalid request: {reason}",
            Position(path=path),
        )
        return error_response(request, error)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_error_response(request, exc)

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


__all__ = [
    "BodyTooLarge",
    "ServiceError",
    "error_body",
    "error_response",
    "input_error",
    "install_error_handlers",
    "preferred_language",
    "quality",
    "unexpected_error_response",
]
