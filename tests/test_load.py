"""The loader: positions for every node, safe tags only, encodings, limits."""

from __future__ import annotations

import pytest

from authoring.diagnostics import Severity
from authoring.load import LoadError, Position, decode, load_file, load_text


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


@pytest.mark.parametrize("raw", [
    b"issue:\n  subject: Hi\n  body: |\n    one\n    two \xe2\x80\x99x\xe2\x80\x99\nq: 'r'\n",
    b"\xef\xbb\xbfissue:\r\n  subject: Hi\r\n  body: |\r\n    one\r\n"
    b"    two \xe2\x80\x99x\xe2\x80\x99\r\nq: 'r'\r\n",
    b"issue:\r  subject: Hi\r  body: |\r    one\r    two x\rq: 'r'\r",
])
def test_a_file_loads_as_its_decoded_text_does(tmp_path, raw):
    """load_file hands libyaml the file's own bytes when decoding changed nothing: with CRLF
    line ends it must hand it the decoded text's instead, or every extent after the first
    line would be off from the text's by the CRs before it."""
    path = tmp_path / "issue.yaml"
    path.write_bytes(raw)
    from_file, from_text = load_file(path), load_text(decode(raw, str(path)), str(path))
    assert from_file.data == from_text.data
    assert from_file.scalars == from_text.scalars
    assert from_file.positions == from_text.positions
    assert from_file.scalars[("q",)].start == from_file.text.index("'r'")


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


SECTIONS_WITH_A_FLOW_IMAGE = """\
stories:
  - news:
      image: {src: "", alt: "Describe the picture"}
      headline: Robots
      sections:
        - What’s new: Robots learn.
%s- We’re thinking: What we think.
"""


@pytest.mark.parametrize(("indent", "hint"), [
    (7, "this line is indented 7 spaces, the list items above it 8: indent it like them"),
    (9, "this line is indented 9 spaces, the list items above it 8: indent it like them"),
])
def test_a_list_item_one_space_off_gets_the_indentation_hint_not_the_quoting_one(indent, hint):
    with pytest.raises(LoadError) as info:
        load_text(SECTIONS_WITH_A_FLOW_IMAGE % (" " * indent))
    diag = info.value.diagnostic
    assert "must be quoted" not in diag.hint
    assert hint in diag.hint and diag.line == 7


def test_a_key_one_space_short_gets_the_indentation_hint():
    text = "stories:\n  - news:\n      image: {src: a.png, alt: x}\n      headline: Robots\n     dek: short\n"
    with pytest.raises(LoadError) as info:
        load_text(text)
    diag = info.value.diagnostic
    assert (diag.line, diag.column) == (5, 6)
    assert diag.hint.startswith("this line is indented 5 spaces, the keys above it 6: indent it like them")


def test_flow_text_still_gets_the_quoting_hint():
    with pytest.raises(LoadError) as info:
        load_text("stories:\n  - news:\n      headline: [New] model ships\n")
    assert "must be quoted" in info.value.diagnostic.hint


# ---------------------------------------------------------------- hostile input (issue 10)

import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import yaml  # noqa: E402

from authoring import load  # noqa: E402
from conftest import DATA, ROOT  # noqa: E402

HOSTILE = DATA / "hostile"
sys.path.insert(0, str(HOSTILE))
import make  # noqa: E402


def test_a_huge_file_is_refused_after_reading_at_most_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: 3 GB on paper, nothing on disk
        handle.truncate(3_000_000_000)
    read: list[int] = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert info.value.diagnostic.code == "file-too-large"
    assert sum(read) <= load.MAX_BYTES + 1


def test_dev_zero_is_refused_not_read_forever():
    with pytest.raises(LoadError) as info:
        load_file("/dev/zero")
    assert info.value.diagnostic.code == "not-a-regular-file"
    assert "/dev/zero" in info.value.diagnostic.file


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "issue.yaml"
    os.mkfifo(fifo)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(_load_or_error(fifo)), daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the stuck open() so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO blocked")
    assert outcome == ["not-a-regular-file"]


def _load_or_error(path):
    try:
        load_file(path)
    except LoadError as exc:
        return exc.diagnostic.code
    return "loaded"


def test_alias_amplification_is_refused_by_expanded_bytes():
    text = make.alias_amplification(aliases=1_000, scalar_bytes=100_000)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(LoadError) as info:
        load_text(text, "bomb.yaml")
    assert time.perf_counter() - start < 5  # generous: the point is "not 21 s"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "alias-bomb" and "bytes" in diagnostic.message
    assert diagnostic.line is not None and diagnostic.line > 1


def test_a_few_small_aliases_still_load():
    doc = load_text("a: &x hello\nb: *x\nc: *x\n")
    assert doc.data == {"a": "hello", "b": "hello", "c": "hello"}


_DEEP = {
    "brackets": "stories: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "unclosed brackets": "stories: " + "[" * 450_000 + "\n",
    "chained dashes": "stories:\n  " + "- " * 400_000 + "x\n",
    "chained question marks": "stories:\n  " + "? " * 400_000 + "x\n",
    "mappings in lists": "stories: " + "[{a: " * 100_000 + "\n",
}


@pytest.mark.parametrize("shape", _DEEP)
def test_deep_nesting_is_refused_before_libyaml_can_overflow_the_stack(shape):
    """libyaml composes recursively in C: these killed the process (SIGSEGV). In a child
    process, so that a regression fails this test instead of ending the run."""
    probe = ("import sys; from authoring.load import LoadError, load_text\n"
             "try:\n    load_text(sys.stdin.read())\nexcept LoadError as e:\n"
             "    d = e.diagnostic; print(d.code, d.line, d.column)\n")
    done = subprocess.run([sys.executable, "-c", probe], input=make.HEAD + _DEEP[shape],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    code, line, column = done.stdout.split()
    assert code == "too-deep" and int(line) >= 2 and int(column) > load.MAX_DEPTH


def test_many_shallow_openers_still_load():
    """Past the count of openers that triggers the depth walk, a long but flat file loads."""
    items = "".join(f"  - text: \"[link {n}](https://x.org/{n}) - {{x}}\"\n" for n in range(3_000))
    doc = load_text(make.HEAD + "stories:\n" + items)
    assert len(doc.data["stories"]) == 3_000


def test_nesting_up_to_the_limit_loads_and_one_more_level_is_refused():
    flat = make.HEAD + "filler: \"" + "[" * 2_500 + "\"\n"  # openers in a text: no depth
    deepest = load.MAX_DEPTH - 1  # inside the document's own mapping
    assert load_text(flat + "x: " + "[" * deepest + "]" * deepest + "\n")
    with pytest.raises(LoadError) as info:
        load_text(flat + "x: " + "[" * (deepest + 1) + "]" * (deepest + 1) + "\n")
    assert info.value.diagnostic.code == "too-deep" and info.value.diagnostic.line == 3


class _LibyamlAtItsOwnLimit:
    """A libyaml that refuses the text before its first event, as 0.2.6 (PyYAML 6.0.4) does past
    1,000 flow levels: the refusal must still be located where our limit is passed."""

    def __init__(self, utf8: bytes) -> None:
        self.closed = False

    def get_event(self):
        raise yaml.scanner.ScannerError("while increasing flow level", None,
                                        "exceeded maximum nesting depth", None)

    def dispose(self) -> None:
        self.closed = True


@pytest.mark.parametrize("libyaml", ["stops at its own limit", "absent"])
def test_too_deep_is_located_whatever_libyaml_does(monkeypatch, libyaml):
    if libyaml == "absent":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    else:
        monkeypatch.setattr(yaml, "CSafeLoader", _LibyamlAtItsOwnLimit)
    opening = "x: " + "[" * 5_000  # level 1 is the document's mapping: the 200th [ opens level 201
    with pytest.raises(LoadError) as info:
        load_text(make.HEAD + opening + "\n")
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "too-deep"
    assert (diagnostic.line, diagnostic.column) == (2, len("x: ") + load.MAX_DEPTH)


def test_a_syntax_error_past_many_openers_is_left_to_the_parse_proper(monkeypatch):
    monkeypatch.setattr(yaml, "CSafeLoader", _LibyamlAtItsOwnLimit)
    text = make.HEAD + "x:\n" + "  - [a, [b]]\n" * 1_100 + "z: ]\n"
    with pytest.raises(LoadError) as info:
        load_text(text)
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "yaml-syntax" and diagnostic.line == text.count("\n")



@pytest.mark.parametrize("escape, shown", [
    ("\\x1b", "U+001B"), ("\\x01", "U+0001"), ("\\x0c", "U+000C"), ("\\ufffe", "U+FFFE"),
    ("\\ud800", "U+D800"), ("\\x7f", "U+007F"), ("\\x85", "U+0085"),
])
def test_control_characters_written_as_escapes_are_refused_with_their_place(escape, shown):
    text = f'issue:\n  subject: "Robots {escape} learn"\n'
    doc = load_text(text, "f.yaml")  # reported, not fatal: the rest of the file is checked too
    [diagnostic] = doc.diagnostics
    assert diagnostic.code == "control-character" and diagnostic.is_error
    assert shown in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == (2, 12)
    assert diagnostic.path == ("issue", "subject")


def test_the_hostile_control_escapes_file_is_refused():
    doc = load_file(HOSTILE / "control-escapes.yaml")
    assert [(d.code, d.line) for d in doc.diagnostics] == [("control-character", 1),
                                                           ("control-character", 3)]


def test_tabs_and_newlines_in_quoted_text_are_fine():
    assert load_text('a: "one\\ttwo\\nthree"\n').data == {"a": "one\ttwo\nthree"}


def test_merge_keys_are_refused_clearly():
    with pytest.raises(LoadError) as info:
        load_file(HOSTILE / "merge-key.yaml")
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "merge-key"
    assert (diagnostic.line, diagnostic.column) == (3, 3)
    assert "<<" in diagnostic.message


def test_control_characters_are_exactly_the_documented_ones():
    refused = {code for code in range(0x110000) if load._control_character().fullmatch(chr(code))}
    expected = {*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000),
                *range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF}
    assert refused == expected


# ---------------------------------------------------------------- speed without a change (issue 15)

from hypothesis import assume, example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from yaml.nodes import MappingNode, SequenceNode  # noqa: E402

_TEXT = st.text(alphabet="aZ9 é😀’\t\n\x85\u2028\u2029#:'\"-\\|>[]{}&*!", max_size=30)
_STYLES = st.sampled_from([None, "'", '"', "|", ">"])


def _nodes(node):
    yield node
    if isinstance(node, SequenceNode):
        for item in node.value:
            yield from _nodes(item)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)


@given(st.dictionaries(st.text(alphabet="abc_", min_size=1, max_size=4), _TEXT | st.lists(_TEXT, max_size=3),
                       min_size=1, max_size=4), _STYLES, st.integers(min_value=10, max_value=60))
def test_scalar_extents_are_the_offsets_of_their_lines_and_columns(data, style, width):
    """The loader takes a scalar's extent from its marks' character index: the same offset as
    its line and column in the text, in every style and with every kind of line break."""
    text = yaml.dump(data, default_style=style, allow_unicode=True, width=width)
    try:
        doc = load_text(text)
    except LoadError:
        assume(False)
    starts = load._line_starts(text)
    for node in _nodes(load._compose(text)):
        for mark in (node.start_mark, node.end_mark):
            expected = starts[mark.line] + mark.column if mark.line < len(starts) else len(text)
            assert mark.index == expected, (text, mark)
    for scalar in doc.scalars.values():
        assert text[scalar.start:scalar.end].startswith(scalar.style)


@given(st.dictionaries(st.text(alphabet="abc_", min_size=1, max_size=4), _TEXT | st.lists(_TEXT, max_size=3),
                       min_size=1, max_size=4), _STYLES, st.integers(min_value=10, max_value=60),
       st.sampled_from(["", "\ufeff", "\r\n", "\r"]))
@example(data={"_": ["'"]}, style=None, width=10, variant="\ufeff")  # libyaml counts no BOM in an index
def test_an_offset_is_located_from_its_scalars_mark_as_from_the_lines_of_the_whole_text(data, style, width,
                                                                                      variant):
    """locate_offset counts lines on from the scalar's own mark: every character of every value
    (and the one past its end) lands where the line starts of the whole text put it."""
    text = yaml.dump(data, default_style=style, allow_unicode=True, width=width)
    text = variant + text if variant == "\ufeff" else text.replace("\n", variant or "\n")
    try:
        doc = load_text(text)
    except LoadError:
        assume(False)
    text = doc.text  # without a BOM: one marks the encoding, it is no character of the text
    near = load._NEAR
    try:
        for load._NEAR in (near, 0):  # counted from the mark, and bisected in the scalar's line feeds
            load._source_offsets.cache_clear()
            for path, scalar in doc.scalars.items():
                offsets = load.source_offsets(text, scalar)
                if offsets is None:
                    continue
                ends = [*offsets, offsets[-1] + 1] if offsets else []
                for offset, index in enumerate(ends):
                    assert doc.locate_offset(path, offset) == doc.position(index), (text, path, offset)
    finally:
        load._NEAR = near


@given(st.text(alphabet="0123456789+-._:eExXoObB~nNyYtTfFlLuUaAsSrR<=!&* ", max_size=12)
       | st.sampled_from(["yes", "No", "TRUE", "off", "null", "~", "", "0x1F", "0o17", "-.inf", ".NaN",
                          "1_000", "2026-11-27", "2026-11-27 10:00:00", "12:30:00", "<<", "=", "+1", "1e3"]))
def test_the_fast_loader_resolves_every_plain_scalar_as_safe_loading_does(value):
    text = f"- {value}\n- [{value}]\n- {{k: {value}}}\n- '{value}'\n"

    def tags(loader: type) -> object:
        try:
            return [(type(n).__name__, n.tag) for n in _nodes(yaml.compose(text, Loader=loader))]
        except yaml.YAMLError as exc:
            return type(exc).__name__

    assert tags(load._fast_loader()) == tags(yaml.CSafeLoader)


_RAW = st.text(alphabet="ab é’\t\r\x85\u2028\ufdd0\ufdef\ufdf0\x1b\ufffe", max_size=12)
_ESCAPES = st.lists(st.sampled_from(["x", " ", "\\x1b", "\\x85", "\\ufdd0", "\\t", "\\n", "\\x41", "\\u00e9",
                                     "\\ud800", "\\x7f", "\\\\", "é", "\ufdd0", "\x85"]),
                    max_size=6).map("".join)


def _scalar(style: str, raw: str, escaped: str) -> str:
    if style == '"':
        return f'"{escaped}"'
    if style == "'":
        return "'" + raw.replace("'", "''") + "'"
    if style == "|":
        return "|\n" + "".join(f"  {line}\n" for line in raw.split("\n"))
    return raw


@given(st.lists(st.tuples(st.sampled_from(['"', "'", "|", ""]), _RAW, _ESCAPES), min_size=1, max_size=5))
def test_control_characters_are_found_in_every_value_that_holds_one(values):
    """Only double-quoted values are searched unless the text holds what YAML's reader lets
    through (CR, NEL, U+FDD0–U+FDEF): the same values are reported as when all were searched."""
    text = "".join(f"k{i}: {_scalar(*value)}\n" for i, value in enumerate(values))
    try:
        doc = load_text(text)
    except LoadError:
        assume(False)
    holding = [path for path in doc.scalars
               if isinstance(doc.data[path[0]], str) and load._control_character().search(doc.data[path[0]])]
    assert [d.path for d in doc.diagnostics if d.code == "control-character"] == holding


@given(st.text(alphabet="a é😀\n\x85\u2028\u2029", max_size=40))
def test_line_starts_break_where_yaml_does(text):
    import re

    load._line_starts.cache_clear()
    assert load._line_starts(text) == [0, *(m.end() for m in re.finditer("[\n\x85\u2028\u2029]", text))]


@pytest.mark.parametrize("boms", [1, 2])
def test_a_text_or_file_opening_with_byte_order_marks_is_located_without_them(tmp_path, boms):
    """A BOM marks the encoding; it is no character: each finding's column is where an editor
    shows it, in a text as in a file, after one BOM or two."""
    source = "issue: {subject: x}\nstories:\n  - text: 'It''s \\x01 here'\n"
    (tmp_path / "a.yaml").write_bytes(b"\xef\xbb\xbf" * boms + source.encode())
    for doc in (load_text("\ufeff" * boms + source), load_file(tmp_path / "a.yaml")):
        assert doc.text == source
        scalar = doc.scalars[("stories", 0, "text")]
        assert doc.locate_offset(("stories", 0, "text"), 3) == load.Position(3, 16)  # the s of It's
        assert source[scalar.start] == "'"


@pytest.mark.parametrize("text", [
    "- |\n  a\n  \tb\n",  # a literal block in a list: the tab after its indentation is content
    "a:\n  - >-\n    x\n    \ty\n",
    "- - |\n    x\n    \ty\n",
    "- k: |\n    x\n    \ty\n",
    "? |\n  key\n  \tx\n: v\n",
    "a: |1\n  \tb\n",
    "a: |\n  t\n\n  \tafter an empty line\n",
])
def test_tabs_inside_every_kind_of_block_scalar_are_content(text):
    import yaml

    assert load_text(text).data == yaml.safe_load(text) and "\\t" in repr(yaml.safe_load(text))


@pytest.mark.parametrize(("text", "line"), [
    ("a: |\n  t\n\tb: 2\n", 3),  # right after the block, at its key's indentation
    ("a: |\n  t\nb: 1\n\tc: 2\n", 4),  # a line at the key's indentation closes the block
    ("x:\n  a: |\n    t\n  b: 1\n  \tc: 2\n", 5),
    ("- |\n  t\n\t- b\n", 3),
    ("a: b | c\n\tc: 2\n", 2),  # a bar inside a plain value opens no block
])
def test_a_tab_indenting_a_line_after_a_literal_block_is_refused_there(text, line):
    with pytest.raises(LoadError) as info:
        load_text(text)
    diagnostic = info.value.diagnostic
    assert (diagnostic.code, diagnostic.line) == ("tab-indent", line)
    written = text.split("\n")[line - 1]
    assert diagnostic.column == len(written) - len(written.lstrip(" ")) + 1
    assert diagnostic.message == "tab character used for indentation"


def test_a_duplicate_key_says_where_it_was_first_defined_and_how_to_fix_it():
    doc = load_text("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n", "issues/0321.yaml")
    assert {d.file for d in doc.diagnostics} == {"issues/0321.yaml"}
    assert [(d.message, d.line, d.column, d.path) for d in doc.diagnostics] == [
        ("duplicate key 'c' (first defined on line 3)", 4, 3, ("b", "c")),
        ("duplicate key 'a' (first defined on line 1)", 5, 1, ("a",))]
    assert {d.hint for d in doc.diagnostics} == {
        "each key may appear once in a mapping: merge the two or rename one"}
    assert {d.severity for d in doc.diagnostics} == {Severity.ERROR}


@pytest.mark.parametrize("target", ["folder", "folder/"])
def test_a_folder_given_as_the_issue_is_refused_with_what_to_pass(tmp_path, target):
    (tmp_path / "folder").mkdir()
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / target)
    diagnostic = info.value.diagnostic
    assert (diagnostic.code, diagnostic.message, diagnostic.hint) == (
        "not-a-file", "is a folder, not a file",
        "pass the issue's .yaml file, or a glob such as issues/*.yaml")
    assert diagnostic.file == str(tmp_path / target)


def _refusal(source: str) -> tuple:
    with pytest.raises(LoadError) as info:
        load_text(source, "issues/f.yaml")
    d = info.value.diagnostic
    assert info.value.text == source  # the report can quote the line
    return d.code, d.message, d.hint, d.file, d.line, d.column


@pytest.mark.parametrize(("source", "expected"), [
    ("a: 1\nb: !!python/object/apply:os.system [x]\n",
     ("unsafe-tag", "tag '!!python/object/apply:os.system' is not allowed",
      "remove the tag: issue files hold plain text, numbers, lists and mappings", "issues/f.yaml", 2, 4)),
    ("a: !custom x\n", ("unsafe-tag", "tag '!custom' is not allowed",
                        "remove the tag: issue files hold plain text, numbers, lists and mappings",
                        "issues/f.yaml", 1, 4)),
    ("b: 1\n<<: {a: 1}\n", ("merge-key", "merge keys (<<) are not supported",
                           "write the keys out in this mapping instead of merging an anchor",
                           "issues/f.yaml", 2, 1)),
    ("b: 1\n? [a]\n: 1\n", ("complex-key", "mapping keys must be plain text", None, "issues/f.yaml", 2, 3)),
])
def test_what_an_issue_may_not_hold_is_refused_where_it_is_with_how_to_fix_it(source, expected):
    assert _refusal(source) == expected


def test_text_grown_past_4_mb_through_aliases_is_refused():
    chunk = "x" * 100_000
    source = f"a: &a {chunk}\nb: [{', '.join(['*a'] * 40)}]\n"  # 4.1 MB of text once expanded
    assert _refusal(source) == (
        "alias-bomb", "document expands to more than 4,000,000 bytes of text through aliases",
        "remove the anchors (&) and aliases (*): issues do not need them", "issues/f.yaml", 1, 4)
    load_text(f"a: &a {chunk}\nb: [{', '.join(['*a'] * 38)}]\n")  # 3.9 MB: fine


@pytest.mark.parametrize(("raw", "expected"), [
    (b"a: 1\nissue: caf\xe9\n", ("not-utf8", "byte 0xe9 is not valid UTF-8",
                                  "save the file as UTF-8 (most editors: 'Save with encoding')", 2, 11)),
    (b"\xff\xfei\x00s\x00", ("not-utf8", "file is encoded as UTF-16",
                             "save the file as UTF-8 (most editors: 'Save with encoding')", 1, 1)),
    (b"\xfe\xff\x00i\x00s", ("not-utf8", "file is encoded as UTF-16",
                             "save the file as UTF-8 (most editors: 'Save with encoding')", 1, 1)),
    (b"a: 1\nb: 2\x00\x01", ("binary-file", "file contains NUL bytes: this is a binary file, not YAML",
                             "open the issue's .yaml file instead", 2, None)),
    (b"x" * 1_000_001, ("file-too-large", "file is 1.0 MB; an issue file may be at most 1 MB",
                        "split the content or check that this is the right file", None, None)),
])
def test_bytes_that_are_no_issue_are_refused_with_where_and_how_to_fix_it(raw, expected):
    with pytest.raises(LoadError) as info:
        decode(raw, "issues/f.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.line, d.column) == expected and d.file == "issues/f.yaml"


def test_a_file_read_in_part_is_refused_with_its_whole_size():
    with pytest.raises(LoadError) as info:
        decode(b"x" * 1_000_001, "f.yaml", size=3_000_000_000)
    assert info.value.diagnostic.message == "file is 3000.0 MB; an issue file may be at most 1 MB"
    assert decode(b"a: " + b"x" * (1_000_000 - 3), "f.yaml").startswith("a: xx")  # at the limit: read


def test_line_ends_of_every_kind_become_line_feeds():
    assert decode(b"a: 1\r\nb: 2\rc: 3\n", "f.yaml") == "a: 1\nb: 2\nc: 3\n"
    assert decode(b"\xef\xbb\xbfa: 1\r\n", "f.yaml") == "a: 1\n"


@pytest.mark.parametrize(("make_it", "kind"), [
    (lambda path: os.mkfifo(path), "named pipe (FIFO)"),
])
def test_a_special_file_is_named_by_its_kind(tmp_path, make_it, kind):
    make_it(tmp_path / "issue.yaml")
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / "issue.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint) == (
        "not-a-regular-file", f"is a {kind}, not a regular file: it cannot be read as an issue",
        "pass the issue's .yaml file")
    with pytest.raises(LoadError) as info:
        load_file("/dev/zero")
    assert info.value.diagnostic.message.startswith("is a character device, not a regular file")
