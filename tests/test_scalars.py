"""Offsets inside a YAML text value → the exact line and column it was written at, in every style."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authoring import codes
from authoring.load import load_text
from authoring.scalars import source_offsets
from authoring.validate import validate_text

MARK = "<b>"
"""A formatting tag: the raw-html check reports it, with its offset in the text."""


def _where(source: str, needle: str) -> tuple[int, int]:
    index = source.index(needle)
    assert source.count(needle) == 1
    return source.count("\n", 0, index) + 1, index - (source.rfind("\n", 0, index) + 1) + 1


def _locate(source: str, path: tuple, needle: str) -> tuple[int, int]:
    doc = load_text(source)
    value = doc.data
    for part in path:
        value = value[part]
    pos = doc.locate_offset(path, value.index(needle))
    assert pos is not None, (source, value)
    return pos.line, pos.column


@pytest.mark.parametrize("source", [
    "a: one two X three\n",
    "a: 'it''s X'\n",
    "a: '''it''''s'' X'\n",
    'a: "\\x41\\u00e9\\\\\\t X"\n',
    'a: "tab\\there \\u00e9\\"q\\" X"\n',
    "a: one\n  two\n\n  three X\n",
    "a: 'one\n  two X'\n",
    'a: "one \\\n  two X"\n',
    "a: |\n  one\n  two X\n",
    "a: |-\n  one\n\n  two X\n",
    "a: >\n  one\n  two\n\n  three X\n",
    "a: >-\n  one\n    more indented\n  X\n",
    "a: |2\n    indented one\n  X\n",
    "a: >+2\n   one\n  two X\n\n\n",
    "- |-\n  one X\n",
    "a: {b: 'in flow X'}\n",
    "é: 'ü X'\n",
])
def test_offset_in_each_style_points_at_the_character(source):
    path = ("a", "b") if "{b" in source else (0,) if source.startswith("-") else \
        ("é",) if source.startswith("é") else ("a",)
    assert _locate(source, path, "X") == _where(source, "X")


def test_a_replay_that_disagrees_with_the_parser_gives_up_rather_than_guess():
    doc = load_text("a: 'x'\n")
    doc.scalars[("a",)] = doc.scalars[("a",)]._replace(value="not what the source says")
    assert doc.locate_offset(("a",), 0) is None


def test_a_replay_reads_as_the_list_of_the_offsets_of_its_characters():
    """A replay is kept as runs (copied text, and breaks or escapes standing for one place):
    read by index, from the end, in slices and to its end, it is the list of one offset each."""
    text = 'b: |\n  one\n\n  two\nq: "a\\tb"\n'
    doc = load_text(text)
    one, two, quoted = text.index("one"), text.index("two"), text.index('"a')
    expected = {("b",): [one, one + 1, one + 2, one + 3, one + 4, two, two + 1, two + 2],
                ("q",): [quoted + 1, quoted + 2, quoted + 4]}  # the break after one, the empty line; \t
    for path, offsets in expected.items():
        replay = source_offsets(text, doc.scalars[path])
        assert replay is not None and list(replay) == offsets and len(replay) == len(offsets)
        assert [replay[i] for i in range(-len(offsets), 0)] == offsets
        assert replay[1:-1] == offsets[1:-1]
        with pytest.raises(IndexError):
            replay[len(offsets)]


def test_the_text_shorthand_points_at_the_text_not_the_marker():
    source = "issue: {subject: S}\nstories:\n  - text: |-\n      First line.\n      Then <b> here.\n"
    (found,) = [d for d in validate_text(source).report.diagnostics if d.code == codes.RAW_HTML]
    assert (found.line, found.column) == _where(source, MARK) == (5, 12)


# ---------------------------------------------------------------- the property: a problem planted anywhere

_FIELDS = {
    # name: (YAML path of the text, source before the value, indentation of the key's mapping)
    "subject": ("issue:\n  subject: ", 2),
    "preheader": ("issue:\n  subject: S\n  preheader: ", 2),
    "letter": ("issue: {subject: S}\nletter:\n  body: ", 2),
    "headline": ("issue: {subject: S}\nstories:\n  - news:\n      headline: ", 6),
    "dek": ("issue: {subject: S}\nstories:\n  - news:\n      headline: H\n      dek: ", 6),
    "section": ("issue: {subject: S}\nstories:\n  - news:\n      headline: H\n      sections:\n"
                "        - What’s new: ", 10),
    "promo": ("issue: {subject: S}\nstories:\n  - promo:\n      body: ", 6),
    "text": ("issue: {subject: S}\nstories:\n  - text: ", 4),
    "feature": ("issue: {subject: S}\nstories:\n  - feature:\n      title: T\n      body: ", 6),
}
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAZéü’.,;()0123456789", min_size=1, max_size=8)
_QUOTABLE = st.text(alphabet="abcxyzé’.,:#'\"\\\t", min_size=1, max_size=6)


@st.composite
def _planted(draw):
    """(YAML source, where the mark is) for a random field, style, layout and spot."""
    field = draw(st.sampled_from(sorted(_FIELDS)))
    before, indent = _FIELDS[field]
    style = draw(st.sampled_from(["plain", "single", "double", "literal", "folded"]))
    words_of = _WORD if style == "plain" else st.one_of(_WORD, _QUOTABLE)
    lines = draw(st.lists(st.lists(words_of, min_size=1, max_size=6), min_size=1, max_size=5))
    for words in lines:  # a tab first on a line is refused as indentation (tab-indent), rightly so
        words[0] = "x" + words[0] if words[0].startswith("\t") else words[0]
    if lines[0][0].startswith(","):  # YAML: a plain text cannot start with ','
        lines[0][0] = "x" + lines[0][0]
    row = draw(st.integers(0, len(lines) - 1))
    lines[row].insert(draw(st.integers(0, len(lines[row]))), MARK)
    gaps = draw(st.lists(st.integers(0, 2), min_size=len(lines), max_size=len(lines)))
    if style in ("literal", "folded"):
        body = _block(draw, style, lines, gaps, indent)
    else:
        body = _flow(draw, style, lines, gaps, indent)
    source = before + body + "\n"
    return source, _where(source, MARK)


def _flow(draw, style, lines, gaps, indent):
    pad = " " * (indent + draw(st.integers(1, 3)))
    out = []
    for words, gap in zip(lines, gaps, strict=True):
        if style == "single":
            words = [w.replace("'", "''") for w in words]
        elif style == "double":
            words = [w.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
                     .replace("é", draw(st.sampled_from(["é", "\\u00e9", "\\xe9"]))) for w in words]
        out.append(" ".join(words))
        out += [""] * gap
    if style == "double" and len(out) > 1 and out[0] and draw(st.booleans()):
        out[0] += "\\"  # an escaped line break: the lines join without a space
    text = ("\n" + pad).join(out).replace("\n" + pad + "\n", "\n\n").replace(pad + "\n", "\n")
    quote = {"plain": "", "single": "'", "double": '"'}[style]
    return quote + text + quote


def _block(draw, style, lines, gaps, indent):
    chomp = draw(st.sampled_from(["", "-", "+"]))
    explicit = draw(st.sampled_from([None, 1, 2, 3]))
    step = explicit or draw(st.integers(1, 3))
    header = {"literal": "|", "folded": ">"}[style]
    header += chomp + str(explicit) if explicit and draw(st.booleans()) else \
        (str(explicit) + chomp if explicit else chomp)
    pad = " " * (indent + step)
    out = []
    for i, (words, gap) in enumerate(zip(lines, gaps, strict=True)):
        extra = " " * draw(st.integers(0, 2)) if (explicit and i > 0) else ""
        out.append(pad + extra + " ".join(words))
        out += [""] * gap
    return header + "\n" + "\n".join(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_planted())
def test_a_problem_planted_anywhere_is_reported_where_it_is(planted):
    source, (line, column) = planted
    found = [d for d in validate_text(source).report.diagnostics if d.code == codes.RAW_HTML]
    assert len(found) == 1, (source, validate_text(source).report.format_text())
    assert (found[0].line, found[0].column) == (line, column), source


@pytest.mark.parametrize("source", [
    "a: |1\n  X\n",  # |1: one column of indentation, the other space is content
    "a: >1\n  one\n   X\n",
    "- |1\n   X\n",
    "a: |1-\n    X\n",
    "a: |1\n\n  X\n",
    "a: >2-\n    more\n  X\n",
])
def test_an_indentation_indicator_smaller_than_the_text_s_indentation(source):
    path = (0,) if source.startswith("-") else ("a",)
    assert _locate(source, path, "X") == _where(source, "X")


def test_a_character_written_as_a_hex_escape_is_located_at_its_backslash():
    source = 'a: "one \\x58 two"\n'  # \x58 is X
    assert load_text(source).data == {"a": "one X two"}
    assert _locate(source, ("a",), "X") == _where(source, "\\x58")
    source = 'a: "é \\u0058"\n'
    assert _locate(source, ("a",), "X") == _where(source, "\\u0058")


def test_a_line_ending_in_an_even_run_of_backslashes_is_folded_not_joined():
    source = 'a: "x\\\\\\\\\n  X"\n'  # four backslashes: two escaped backslashes, then a line break
    assert load_text(source).data == {"a": "x\\\\ X"}
    assert _locate(source, ("a",), "X") == _where(source, "X")


@pytest.mark.parametrize("source", [
    "a: 'X and two spaces  '\n",
    'a: "one\n  X and a tab\t"\n',
])
def test_spaces_before_the_closing_quote_are_part_of_the_text(source):
    """Only the breaks inside a quoted text fold away their spaces: the last line keeps them."""
    assert load_text(source).data["a"].endswith((" ", "\t"))
    assert _locate(source, ("a",), "X") == _where(source, "X")


@pytest.mark.parametrize("source", [
    "a: 'one\n  \u00a0X'\n",  # a no-break space first on a folded line is text, not indentation
    "a: one\n  \u3000X\n",
    'a: "one\n  \u2003X"\n',
])
def test_a_line_starting_with_a_space_other_than_space_or_tab_keeps_it(source):
    assert load_text(source).data["a"][3:5] == " " + source[source.index("X") - 1]
    assert _locate(source, ("a",), "X") == _where(source, "X")


@pytest.mark.parametrize("source", [
    "a: 'one\u00a0\n  Z'\n",  # a no-break space last on a line is text: only spaces and tabs fold
    "a: 'oneX\n  Z'\n",
    'a: "one\u2003\n  Z"\n',
])
def test_a_line_ending_in_a_space_other_than_space_or_tab_keeps_it(source):
    assert load_text(source).data["a"][3] == source[source.index("\n") - 1]
    assert _locate(source, ("a",), "Z") == _where(source, "Z")


@pytest.mark.parametrize(("source", "index", "where"), [
    ("a: 'one\n  two'\n", 3, (1, 8)),
    ("a: 'one  \n\n  two'\n", 3, (1, 10)),  # after the spaces the break folds away
    ("a: one\n  two\n", 3, (1, 7)),
    ("a: one\n  three\n  two\n", 9, (2, 8)),
    ("a: 'one\n\n\n  two'\n", 4, (1, 8)),  # the breaks of empty lines all stand at the first one
])
def test_a_line_break_folded_into_the_text_is_located_at_the_end_of_its_line(source, index, where):
    """A problem found at the space or break a line break became (a double space, say)
    is reported where that break is: the end of the line it ends."""
    doc = load_text(source)
    assert doc.data["a"][index] in " \n"
    position = doc.locate_offset(("a",), index)
    assert position is not None and (position.line, position.column) == where


@pytest.mark.parametrize("source", [
    "a: |\n  X",  # the file's last line, with no line break after it
    "a: >\n  one\n  X",
    "- |-\n  one\n  X",
])
def test_a_block_text_ending_the_file_without_a_line_break(source):
    path = (0,) if source.startswith("-") else ("a",)
    assert _locate(source, path, "X") == _where(source, "X")


def test_a_folded_line_starting_with_a_tab_keeps_its_breaks():
    source = "a: >\n  one\n  \ttwo\n  X\n"
    assert load_text(source).data == {"a": "one\n\ttwo\nX\n"}
    assert _locate(source, ("a",), "X") == _where(source, "X")


@pytest.mark.parametrize(("source", "index", "where"), [
    ("a: |\n  one\n  \n  two\n", 4, (3, 1)),  # an empty line's break: where that line starts
    ("a: |\n  one\n     \n  two\n", 5, (3, 4)),  # spaces past the indentation are text
    ("a: >\n  one\n  two\n", 3, (2, 6)),  # the space a folded break became: that line's end
])
def test_a_block_texts_breaks_and_blank_lines_are_located_where_written(source, index, where):
    doc = load_text(source)
    position = doc.locate_offset(("a",), index)
    assert position is not None and (position.line, position.column) == where, doc.data
