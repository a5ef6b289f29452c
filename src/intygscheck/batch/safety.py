"""Describe an unexpected exception for ``errors.ndjson`` without leaking personal data.

A reader or rule bug must become an error record, not a crash — but an exception's text can
carry the input that caused it (pydantic puts ``input_value`` in its message, a ``KeyError``
shows its key). So the description keeps the exception type and a short message with
anything that looks like an identity number masked, and pydantic errors are described by
their locations and messages only.
"""

from __future__ import annotations

import re

_MAX_CHARS = 300
_IDENTITY_LIKE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
"""Personnummer or samordningsnummer, 10 or 12 digits, with or without a separator."""


def mask_identity_numbers(text: str) -> str:
    """``text`` with every 10- or 12-digit identity-number-like run replaced by ``***``."""
    return _IDENTITY_LIKE.sub("***", text)


def describe_exception(exc: BaseException) -> str:
    """One line: the exception type and its message, identity numbers masked, length capped."""
    message = _pydantic_message(exc)
    if message is None:
        text = str(exc).strip()
        message = text.splitlines()[0] if text else ""
    message = mask_identity_numbers(message)
    if len(message) > _MAX_CHARS:
        message = message[: _MAX_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _pydantic_message(exc: BaseException) -> str | None:
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return None
    parts = [
        f"{'.'.join(str(part) for part in error['loc']) or '<root>'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    ]
    return "; ".join(parts)
