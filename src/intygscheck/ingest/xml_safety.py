"""The one safe way intygscheck parses XML: no entities, no DTDs, no network, bounded size.

Every XML reader calls :func:`parse_xml`. A certificate never needs a document type
declaration, so any document that has one (and with it any entity declaration) is
rejected outright: XXE and billion-laughs documents fail with a clear :class:`InputError`
instead of being parsed with their entities left unexpanded.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from ..errors import InputError, Position
from .limits import MAX_INPUT_BYTES

_LOCAL = threading.local()
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
"""Markup that only a DTD brings (XML keywords are case-sensitive; other spellings are syntax errors)."""
_LIBXML_POSITION = re.compile(r",? line \d+, column \d+$")


def _parser() -> etree.XMLParser:
    """The hardened parser (one per thread: lxml parsers must not be shared across threads)."""
    parser: etree.XMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
        )
        _LOCAL.parser = parser
    return parser


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse ``data`` into its root element, or raise :class:`InputError` naming where and why.

    Refuses input over :data:`~intygscheck.ingest.limits.MAX_INPUT_BYTES`, any document
    type declaration or entity declaration, and any XML syntax error (with line and column).
    """
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            source,
            f"XML-dokumentet är {len(data)} byte, över gränsen {MAX_INPUT_BYTES} "
            f"[document is {len(data)} bytes, over the limit of {MAX_INPUT_BYTES}]",
        )
    if data.find(b"!") >= 0:  # both markers contain "!": a one-byte memchr scan rules most documents out
        for marker in _DECLARATIONS:
            offset = data.find(marker)
            if offset >= 0:
                raise _doctype_error(data, offset, source)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise InputError(
            source,
            f"ogiltig XML [invalid XML]: {_LIBXML_POSITION.sub('', exc.msg)}",
            Position(line or None, column or None),
        ) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # Reached only for encodings the byte scan cannot see (e.g. UTF-16).
        raise _doctype_error(data, None, source)
    return root


def line_of(element: etree._Element) -> int | None:
    """The source line of ``element`` (``None`` when lxml does not know it)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _doctype_error(data: bytes, offset: int | None, source: str) -> InputError:
    """The error for a document with a DOCTYPE or entity declaration, at its line if known."""
    line = data.count(b"\n", 0, offset) + 1 if offset is not None else None
    return InputError(
        source,
        "XML med DOCTYPE- eller ENTITY-deklaration tillåts inte (skydd mot XXE och entitetsexpansion) "
        "[XML with a DOCTYPE or ENTITY declaration is refused (XXE and entity-expansion protection)]",
        Position(line),
    )


__all__ = ["line_of", "parse_xml"]
