"""authoring.load's control-character check skips the pattern for a printable value: that must
never let through a character the pattern names."""

from __future__ import annotations

import re

from authoring import load
from authoring.validate import validate_text

HEAD = "issue:\n  subject: S\nstories:\n  - text:\n      body: "


def test_no_printable_character_is_one_the_check_refuses():
    pattern = re.compile(load._CONTROL_CHARACTER)
    refused = [code for code in range(0x110000) if pattern.fullmatch(chr(code))]
    # C0 but tab and line feed, DEL and C1, the surrogates, U+FDD0-FDEF and U+FFFE-FFFF
    assert len(refused) == 30 + 33 + 2048 + 32 + 2
    assert not [code for code in refused if chr(code).isprintable()]


def test_an_escaped_control_character_is_still_found_among_printable_text():
    report = validate_text(HEAD + '"clean text then \\x1b and more"\n').report
    assert [d.code for d in report.errors] == ["control-character"]
    assert "U+001B" in report.errors[0].message and "(character 17)" in report.errors[0].message
    assert validate_text(HEAD + '"clean printable text, é and ü"\n').report.errors == []
