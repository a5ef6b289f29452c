"""``intygscheck serve``: run the HTTP service (FastAPI on uvicorn) for journal systems."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

from ._app import app, fail, require_extra


class LogLevel(StrEnum):
    """Log levels the service accepts."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    ruleset: Annotated[
        list[str] | None,
        typer.Option("--ruleset", help="Ruleset name or file checked by default (repeatable)."),
    ] = None,
    max_body_bytes: Annotated[int, typer.Option(help="Largest request body accepted (413 above).")] = 256
    * 1024,
    timeout_ms: Annotated[int, typer.Option(help="Per-request time limit (408/504 above).")] = 2000,
    allow_ruleset_paths: Annotated[
        bool, typer.Option(help="Let requests name ruleset files by path (off: shipped rulesets only).")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (connections are spread evenly over them).")
    ] = 1,
    max_in_flight: Annotated[
        int, typer.Option(min=1, help="Most requests a worker handles at once (503 above).")
    ] = 100,
    log_level: Annotated[LogLevel, typer.Option(help="How much the service logs.")] = LogLevel.INFO,
    access_log: Annotated[
        bool, typer.Option(help="Log one line per request (personnummer redacted).")
    ] = True,
) -> None:
    """Serve POST /check, /check/batch, GET /rulesets, /health, /openapi.json and CDS Hooks."""
    require_extra("serve", ("fastapi", "uvicorn"))
    import uvicorn
    from pydantic import ValidationError

    from ..errors import IntygscheckError
    from ..service.app import SETTINGS_ENV, create_app
    from ..service.fair_order import FairHttpProtocol
    from ..service.log_redaction import uvicorn_log_config
    from ..service.settings import ServiceSettings
    from ..service.warmup import freeze_startup_objects
    from ..service.workers import run_workers

    try:
        settings = ServiceSettings(
            host=host,
            port=port,
            rulesets=tuple(ruleset or ()),
            max_body_bytes=max_body_bytes,
            timeout_ms=timeout_ms,
            allow_ruleset_paths=allow_ruleset_paths,
            max_in_flight=max_in_flight,
        )
    except ValidationError as exc:
        fail(f"invalid option: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    try:
        service = create_app(settings)  # compiles the rulesets: fail here, before listening
    except IntygscheckError as exc:
        fail(str(exc))
    log_config = uvicorn_log_config(log_level.value)
    if workers == 1:
        freeze_startup_objects()
        uvicorn.run(
            service,
            host=host,
            port=port,
            log_config=log_config,
            access_log=access_log,
            http=FairHttpProtocol,
        )
        return
    os.environ[SETTINGS_ENV] = settings.model_dump_json()  # each worker builds its app from it
    config = uvicorn.Config(
        "intygscheck.service.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config,
        access_log=access_log,
        http=FairHttpProtocol,
    )
    if not run_workers(config):
        fail("a worker process failed to start; see the log above")
