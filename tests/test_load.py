"""The loader: positions for every node, safe tags only, encodings, limits."""

from __future__ import annotations

import pytest

from authoring.load import LoadError, Position, decode, load_text


def test_positions_of_values_and_keys():
    doc = load_text("issue:\n  subject: Hello\nstories:\n  - header: News\n  - news:\n      headline: Hi\n")
    assert doc.positions[("issue", "subject")] == Position(2, 12)
    assert doc.key_positions[("issue", "subject")] == Position(2, 3)
    assert doc.positions[("stories", 1, "news", "headline")] == Position(6, 17)
    # unknown paths fall back to the nearest known ancestor
    assert doc.locate(("stories", 1, "news", "nope")) == Position(6, 7)  # where the mapping starts


def test_bom_and_crlf_are_accepted():
    text = decode(b"\xef\xbb\xbfissue:\r\n  subject: Hi\r\n", "f.yaml")
    assert text == "issue:\n  subject: Hi\n"
    assert load_text(text).data == {"issue": {"subject": "Hi"}}


@pytest.mark.parametrize("raw, code", [
    (b"issue: caf\xe9\n", "not-utf8"),
    (b"\xff\xfei\x00s\x00", "not-utf8"),
    (b"\x00\x01\x02", "binary-file"),
    (b"x" * 1_000_001, "file-too-large"),
])
def test_decode_refuses(raw, code):
    with pytest.raises(LoadError) as info:
        decode(raw, "f.yaml")
    assert info.value.diagnostic.code == code


def test_yes_no_keep_their_source_text():
    doc = load_text("signoff: Yes\nnumber: 7\nquoted: 'No'\n")
    assert doc.data == {"signoff": True, "number": 7, "quoted": "No"}
    assert doc.raw_scalars[("signoff",)] == "Yes"
    assert ("quoted",) not in doc.raw_scalars


def test_duplicate_keys_are_collected_not_fatal():
    doc = load_text("a: 1\na: 2\nb: 3\nb: 4\n")
    assert [d.code for d in doc.diagnostics] == ["duplicate-key", "duplicate-key"]
    assert doc.diagnostics[1].line == 4
    assert doc.data == {"a": 1, "b": 3}


def test_python_tags_never_construct():
    with pytest.raises(LoadError) as info:
        load_text("a: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    assert info.value.diagnostic.code == "unsafe-tag"


def test_tabs_inside_block_text_are_content():
    doc = load_text("body: |\n  col1\tcol2\n  \tindented with tab after spaces\n")
    assert "\t" in doc.data["body"]


def test_tab_indentation_is_refused_with_position():
    with pytest.raises(LoadError) as info:
        load_text("issue:\n\tsubject: x\n")
    assert (info.value.diagnostic.line, info.value.diagnostic.column) == (2, 1)


def test_block_scalars_are_marked():
    doc = load_text("body: |\n  text\nplain: x\n")
    assert ("body",) in doc.block_scalars and ("plain",) not in doc.block_scalars


def test_invalid_timestamp_stays_text():
    assert load_text("date: 2026-13-45\n").data == {"date": "2026-13-45"}


@pytest.mark.parametrize("text, line, column", [
    ("issue:\n  headline Labeling errors\n  dek: x\n", 2, 11),  # YAML complains at the next key
    ("issue:\n  subject: x\n  preheader Labeling errors\n", 3, 12),  # or at the end of the mapping
    ("- news:\n    headline Labeling errors\n    dek: >-\n      text\n", 2, 13),
])
def test_a_missing_colon_is_reported_where_it_is(text, line, column):
    with pytest.raises(LoadError) as info:
        load_text(text)
    diag = info.value.diagnostic
    assert (diag.line, diag.column) == (line, column)
    assert "missing ':'" in diag.message and "Labeling errors'" in diag.hint


def test_an_unquoted_colon_still_gets_the_quoting_advice():
    with pytest.raises(LoadError) as info:
        load_text("issue:\n  subject: Labeling: errors\n")
    assert "quoted" in info.value.diagnostic.hint and info.value.diagnostic.line == 2
