"""What every part of the FHIR reader needs: the source, the resources, errors, exact text.

Kept apart so the question reader (:mod:`.fhir`) and the patient/issuer reader
(:mod:`.fhir_parties`) share one way of failing, resolving references and reading values that
travel in the exact-text extension.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..errors import InputError, Position
from .fhir_mapping import EXT_EXACT_TEXT

Located = tuple[Any, str]
"""A validated ``fhir.resources`` resource and its FHIR path, for error messages."""


class FhirContext:
    """The source name and the resources a ``QuestionnaireResponse`` may refer to."""

    def __init__(self, source: str, resources: dict[str, Located]) -> None:
        self.source = source
        self.resources = dict(resources)

    def fail(self, reason: str, path: str) -> InputError:
        """An InputError for this source at ``path`` (raise it)."""
        return InputError(self.source, reason, Position(path=path))

    def text(self, value: str | None, extension: Any, path: str) -> str | None:
        """A string, or the exact text its ``_``-element's exact-text extension holds."""
        if value is not None:
            return value
        return self.exact(extension.extension if extension is not None else None, path)

    def exact(self, extensions: Any, path: str) -> str | None:
        """The text of an exact-text extension among ``extensions`` (a JSON string literal)."""
        for extension in extensions or []:
            if extension.url == EXT_EXACT_TEXT:
                try:
                    text = json.loads(extension.valueString or "")
                except json.JSONDecodeError:
                    text = None
                if not isinstance(text, str):
                    raise self.fail(
                        "exact-text ska vara en JSON-sträng [exact-text must hold a JSON string literal]",
                        path,
                    )
                return text
        return None

    def date(self, value: Any, path: str) -> date | None:
        """A full date; fhir.resources leaves partial dates (``2026-03``) as strings: refused."""
        if value is None or isinstance(value, date):
            return value
        raise self.fail(f"datum {value!r} är inte fullständigt [is not a full date] (YYYY-MM-DD)", path)

    def resolve(self, reference: Any, types: tuple[str, ...], path: str) -> Located | None:
        """The resource a literal reference points to (``None`` without ``reference``)."""
        if reference is None or reference.reference is None:
            return None
        found = self.resources.get(reference.reference)
        if found is None:
            raise self.fail(
                f"referensen {reference.reference!r} finns inte [reference not found]",
                path,
            )
        if found[0].get_resource_type() not in types:
            raise self.fail(f"referensen ska peka på [reference must point to] {' | '.join(types)}", path)
        return found
