"""Typed values of one RIVTA ``svar``: text, boolean, code, date, period and integer delsvar.

Each accessor raises :class:`InputError` with the delsvar's line and a path such as
``svar[@id=32]/delsvar[@id=32.2]`` when a value is missing or malformed. Texts are kept
exactly as written (a whitespace-only answer stays whitespace-only, an empty element is
``""``) so structural rules can see them; codes are stripped of surrounding whitespace.

Children are read as ``element[:]``, a list lxml builds in C: cheaper than ``iterchildren(tag)``
or ``find()`` (a certificate has a few hundred elements, and reading them is most of a read).
lxml-stubs do not type slicing an element, hence the ``type: ignore`` comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import TypeVar

from lxml import etree

from ..errors import InputError, Position
from .rivta_names import core, types
from .xml_safety import line_of

T = TypeVar("T")

_DELSVAR = core("delsvar")
_CV = types("cv")
_CODE = types("code")
_CODE_SYSTEM = types("codeSystem")
_DATE_PERIOD = types("datePeriod")
_START = types("start")
_END = types("end")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class Svar:
    """One ``svar`` element: its question id and its delsvar by id."""

    __slots__ = ("element", "parts", "qid", "source")

    def __init__(self, element: etree._Element, source: str, allowed: Collection[str]) -> None:
        self.element = element
        self.source = source
        self.qid = (element.get("id") or "").strip()
        self.parts: dict[str, etree._Element] = {}
        for child in element[:]:  # type: ignore[index]
            if child.tag != _DELSVAR:
                continue
            part_id = (child.get("id") or "").strip()
            if part_id not in allowed:
                raise self.error(
                    f"delsvar {part_id or '(utan id)'} hör inte till fråga {self.qid} "
                    f"[delsvar {part_id or '(no id)'} does not belong to question {self.qid}]",
                    child,
                    part_id,
                )
            if part_id in self.parts:
                raise self.error(
                    f"delsvar {part_id} förekommer mer än en gång [delsvar {part_id} occurs more than once]",
                    child,
                    part_id,
                )
            self.parts[part_id] = child

    def path(self, part_id: str | None = None) -> str:
        """``svar[@id=Q]`` or ``svar[@id=Q]/delsvar[@id=D]``."""
        base = f"svar[@id={self.qid}]"
        return f"{base}/delsvar[@id={part_id}]" if part_id else base

    def error(
        self, reason: str, element: etree._Element | None = None, part_id: str | None = None
    ) -> InputError:
        """An :class:`InputError` at ``element`` (default: the svar) with this svar's path."""
        where = self.element if element is None else element
        return InputError(self.source, reason, Position(line_of(where), None, self.path(part_id)))

    def has(self, part_id: str) -> bool:
        """Whether delsvar ``part_id`` is present."""
        return part_id in self.parts

    def required(self, part_id: str) -> etree._Element:
        """The delsvar element, or an error saying it is missing."""
        element = self.parts.get(part_id)
        if element is None:
            raise self.error(f"delsvar {part_id} saknas [delsvar {part_id} is missing]", part_id=part_id)
        return element

    def text(self, part_id: str) -> str | None:
        """The delsvar's text exactly as written (``""`` for an empty element), or ``None``."""
        element = self.parts.get(part_id)
        if element is None:
            return None
        if len(element):
            raise self.error(
                f"delsvar {part_id} ska vara text [delsvar {part_id} must be text]", element, part_id
            )
        return element.text or ""

    def boolean(self, part_id: str) -> bool | None:
        """An ``xs:boolean`` delsvar, or ``None`` when absent."""
        raw = self.text(part_id)
        if raw is None:
            return None
        value = raw.strip()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(
            f"delsvar {part_id} ska vara true eller false, inte '{value}' "
            f"[delsvar {part_id} must be true or false, not '{value}']",
            self.parts[part_id],
            part_id,
        )

    def integer(self, part_id: str) -> int | None:
        """A whole-number delsvar, or ``None`` when absent."""
        raw = self.text(part_id)
        if raw is None:
            return None
        value = raw.strip()
        if not value.isdecimal():
            raise self.error(
                f"delsvar {part_id} ska vara ett heltal, inte '{value}' "
                f"[delsvar {part_id} must be a whole number, not '{value}']",
                self.parts[part_id],
                part_id,
            )
        return int(value)

    def cv(self, part_id: str) -> tuple[str, str | None]:
        """The (code, codeSystem) of a required coded delsvar, whitespace around them stripped."""
        element = self.required(part_id)
        code = system = None
        cv = next((child for child in element[:] if child.tag == _CV), None)  # type: ignore[index]
        if cv is not None:
            for child in cv[:]:  # type: ignore[index]
                tag = child.tag
                if tag == _CODE:
                    code = (child.text or "").strip()
                elif tag == _CODE_SYSTEM:
                    system = (child.text or "").strip()
        if not code:
            raise self.error(
                f"delsvar {part_id} saknar kod (cv/code) [delsvar {part_id} has no code (cv/code)]",
                element,
                part_id,
            )
        return code, system or None

    def enum(self, part_id: str, decode: Callable[[str], T], code_list: str) -> T:
        """A required coded delsvar decoded by ``decode``; an unknown code is an error naming it."""
        code, _ = self.cv(part_id)
        try:
            return decode(code)
        except (KeyError, ValueError):
            raise self.error(
                f"okänd kod '{code}' i delsvar {part_id} ({code_list}) "
                f"[unknown code '{code}' in delsvar {part_id} ({code_list})]",
                self.parts[part_id],
                part_id,
            ) from None

    def date(self, part_id: str) -> dt.date | None:
        """An ISO date delsvar (``YYYY-MM-DD``), or ``None`` when absent."""
        raw = self.text(part_id)
        if raw is None:
            return None
        return self._parse_date(raw, self.parts[part_id], part_id)

    def period(self, part_id: str) -> tuple[dt.date, dt.date]:
        """The start and end of a required ``datePeriod`` delsvar; both must be present."""
        element = self.required(part_id)
        period = next((child for child in element[:] if child.tag == _DATE_PERIOD), None)  # type: ignore[index]
        if period is None:
            raise self.error(
                f"delsvar {part_id} saknar datePeriod [delsvar {part_id} has no datePeriod]", element, part_id
            )
        texts = {child.tag: child.text or "" for child in period[:]}  # type: ignore[index]
        bounds: list[dt.date] = []
        for tag, name in ((_START, "start"), (_END, "end")):
            raw = texts.get(tag)
            if raw is None:
                raise self.error(
                    f"delsvar {part_id} saknar {name}datum [delsvar {part_id} has no {name} date]",
                    period,
                    part_id,
                )
            bounds.append(self._parse_date(raw, period, part_id))
        return bounds[0], bounds[1]

    def _parse_date(self, raw: str, element: etree._Element, part_id: str) -> dt.date:
        value = raw.strip()
        try:
            if len(value) != 10:
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(
                f"ogiltigt datum '{value}' i delsvar {part_id} (ska vara ÅÅÅÅ-MM-DD) "
                f"[invalid date '{value}' in delsvar {part_id} (must be YYYY-MM-DD)]",
                element,
                part_id,
            ) from None


__all__ = ["Svar"]
