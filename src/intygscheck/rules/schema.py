"""The schema rules are checked against, derived from the pydantic models by introspection.

A record type's readable members are its fields and its properties that have a return
annotation (``certificate.days_covered``, ``p.is_part_time``, ``d.normalized_code``).
Nothing else of a model is reachable from a ruleset. Date-time members are read as dates.
"""

from __future__ import annotations

import types as pytypes
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache, cached_property
from typing import Any

from pydantic import BaseModel

from . import types as t


@dataclass(frozen=True)
class Member:
    """One readable member of a record: its name, type and the FK question it answers."""

    name: str
    type: t.Type
    question: str | None
    is_datetime: bool = False
    nullable: bool = True


def members(model: Any) -> dict[str, Member]:
    """The readable members of ``model`` by name: fields first, then annotated properties."""
    return _members(model)


@cache
def _members(model: Any) -> dict[str, Member]:
    out: dict[str, Member] = {}
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return out
    for name, info in model.model_fields.items():
        mapped = _map(info.annotation)
        if mapped is None:
            continue
        extra = info.json_schema_extra
        question = extra.get("fk_question") if isinstance(extra, dict) else None
        nullable = _is_optional(info.annotation)
        out[name] = Member(name, mapped[0], str(question) if question else None, mapped[1], nullable)
    for klass in reversed(model.__mro__):
        for name, attribute in vars(klass).items():
            if name.startswith("_") or name in out:
                continue
            function = None
            if isinstance(attribute, property):
                function = attribute.fget
            elif isinstance(attribute, cached_property):
                function = attribute.func
            if function is None:
                continue
            try:
                hints = typing.get_type_hints(function)
            except (NameError, TypeError):
                continue
            mapped = _map(hints.get("return"))
            if mapped is not None:
                out[name] = Member(name, mapped[0], None, mapped[1], _is_optional(hints.get("return")))
    return out


def _is_optional(annotation: Any) -> bool:
    """Whether ``annotation`` admits None (then paths through it must test for null)."""
    if typing.get_origin(annotation) in (typing.Union, pytypes.UnionType):
        return type(None) in typing.get_args(annotation)
    return annotation is None or annotation is Any


def _map(annotation: Any) -> tuple[t.Type, bool] | None:
    """The rule type of a Python annotation and whether it is a date-time; None if unreadable."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, pytypes.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _map(options[0]) if len(options) == 1 else None
    if origin in (tuple, list):
        args = [arg for arg in typing.get_args(annotation) if arg is not Ellipsis]
        if len(args) != 1:
            return None
        inner = _map(args[0])
        return (t.list_of(inner[0]), False) if inner else None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, Enum):
        return t.enum_type(annotation), False
    if annotation is bool:
        return t.BOOL, False
    if annotation in (int, float):
        return t.NUMBER, False
    if annotation is str:
        return t.STRING, False
    if issubclass(annotation, datetime):
        return t.DATE, True
    if issubclass(annotation, date):
        return t.DATE, False
    if issubclass(annotation, BaseModel):
        return t.model_type(annotation), False
    return None


@cache
def roots() -> dict[str, t.Type]:
    """The roots a path may start at: ``certificate`` (the default), ``case`` and ``fmb``."""
    from ..cases import Case
    from ..model import Certificate
    from ..terminology.fmb import FmbDecision

    return {
        "certificate": t.model_type(Certificate),
        "case": t.model_type(Case),
        "fmb": t.model_type(FmbDecision),
    }


def question_matches(field_question: str | None, questions: tuple[str, ...]) -> bool:
    """Whether a field answering ``field_question`` (``"17.1"``) concerns one of ``questions``."""
    if not field_question:
        return False
    head = field_question.split(".")[0]
    return any(q in (field_question, head) or q.split(".")[0] == head for q in questions)
