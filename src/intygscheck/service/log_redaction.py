"""Keep personal identity numbers out of the service's logs.

The service never logs request bodies, but a URL, a client's header or an exception
message can still carry a personnummer. :class:`PersonalIdRedactor` rewrites every log
record that passes it, replacing anything shaped like a personnummer or samordningsnummer
(``YYMMDD-NNNN``, ``YYYYMMDDNNNN``, with or without ``-``/``+``) by ``[personnummer]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[personnummer]"
_PERSONAL_ID = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")

SERVICE_LOGGERS = ("intygscheck", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "starlette")
"""Loggers whose own records are redacted even when no handler of ours is installed."""


def redact(text: str) -> str:
    """``text`` with every personnummer-shaped digit run replaced."""
    return _PERSONAL_ID.sub(REDACTED, text)


def _redact_arg(value: Any) -> Any:
    """One ``%``-format argument, redacted; numbers stay numbers so ``%d`` still works."""
    if value is None or isinstance(value, (int, float)):
        return value
    return redact(value if isinstance(value, str) else str(value))


class PersonalIdRedactor(logging.Filter):
    """A filter that redacts personnummer from a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        else:
            record.msg = redact(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_arg(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(logger_names: Iterable[str] = SERVICE_LOGGERS) -> None:
    """Attach one redactor to each named logger (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, PersonalIdRedactor) for existing in logger.filters):
            logger.addFilter(PersonalIdRedactor())


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config`` dict for uvicorn whose handlers redact every record they emit."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": PersonalIdRedactor}},
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(asctime)s %(levelname)s access: %(client_addr)s "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["access"], "level": level.upper(), "propagate": False},
            "intygscheck": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }


__all__ = [
    "REDACTED",
    "SERVICE_LOGGERS",
    "PersonalIdRedactor",
    "install_log_redaction",
    "redact",
    "uvicorn_log_config",
]
