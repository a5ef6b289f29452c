"""The types of the rule language: what an expression may hold, as the checker sees it.

Every type admits ``null`` (the null semantics are the same for all), so nullability is not
tracked. Enum-typed values compare with string literals (a literal that is not a member is a
load-time error); an integer enum such as ``Grade`` is a number as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum
from typing import Any


class Kind(StrEnum):
    """The kind of a type."""

    NUMBER = "number"
    STRING = "string"
    BOOL = "boolean"
    DATE = "date"
    DURATION = "duration"
    NULL = "null"
    ANY = "any"
    LIST = "list"
    MODEL = "record"
    ENUM = "enum"
    LEXICON = "lexicon"


@dataclass(frozen=True)
class Type:
    """A type: a kind, plus the element type of a list, the model class or the enum class."""

    kind: Kind
    elem: Type | None = None
    model: type[Any] | None = None
    enum: type[Enum] | None = None

    def __str__(self) -> str:
        if self.kind is Kind.LIST:
            return f"list of {self.elem}" if self.elem and self.elem.kind is not Kind.ANY else "list"
        if self.kind is Kind.MODEL and self.model is not None:
            return self.model.__name__
        if self.kind is Kind.ENUM and self.enum is not None:
            return f"{self.enum.__name__} (code)"
        return self.kind.value

    @property
    def is_number(self) -> bool:
        """Numbers, integer enums (grades) and ``any``."""
        return self.kind in (Kind.NUMBER, Kind.ANY) or self.is_int_enum

    @property
    def is_int_enum(self) -> bool:
        """An integer enum such as ``Grade`` (compares as a number)."""
        return self.kind is Kind.ENUM and self.enum is not None and issubclass(self.enum, IntEnum)

    @property
    def is_text(self) -> bool:
        """Strings, string enums and ``any``."""
        return self.kind in (Kind.STRING, Kind.ANY) or (self.kind is Kind.ENUM and not self.is_int_enum)


NUMBER = Type(Kind.NUMBER)
STRING = Type(Kind.STRING)
BOOL = Type(Kind.BOOL)
DATE = Type(Kind.DATE)
DURATION = Type(Kind.DURATION)
NULL = Type(Kind.NULL)
ANY = Type(Kind.ANY)
LEXICON = Type(Kind.LEXICON)


def list_of(elem: Type) -> Type:
    """The type ``list of elem``."""
    return Type(Kind.LIST, elem=elem)


def model_type(model: type[Any]) -> Type:
    """The record type of a pydantic model class."""
    return Type(Kind.MODEL, model=model)


def enum_type(enum: type[Enum]) -> Type:
    """The type of an enum-valued field."""
    return Type(Kind.ENUM, enum=enum)


def comparable(left: Type, right: Type) -> bool:
    """Whether ``left`` and ``right`` may be compared with ``==`` / ``<`` and the like."""
    kinds = {left.kind, right.kind}
    if Kind.ANY in kinds or Kind.NULL in kinds:
        return True
    if left.is_number and right.is_number:
        return True
    if left.is_text and right.is_text:
        return True
    if kinds <= {Kind.NUMBER, Kind.DURATION} or (left.is_number and right.kind is Kind.DURATION):
        return True
    if right.is_number and left.kind is Kind.DURATION:
        return True
    if left.kind is right.kind and left.kind in (Kind.DATE, Kind.BOOL, Kind.DURATION):
        return True
    if left.kind is Kind.LIST and right.kind is Kind.LIST:
        return comparable(left.elem or ANY, right.elem or ANY)
    return left.kind is Kind.MODEL and right.kind is Kind.MODEL and left.model is right.model


def unify(left: Type, right: Type) -> Type:
    """The common type of two branches (``??``, list items); ``any`` when they differ."""
    if left.kind is Kind.NULL:
        return right
    if right.kind is Kind.NULL or left == right:
        return left
    if left.is_number and right.is_number:
        return NUMBER
    if left.is_text and right.is_text:
        return left if left.kind is Kind.ENUM and right.kind is not Kind.STRING else STRING
    return ANY
