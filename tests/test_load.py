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

import gc  # noqa: E402
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
    """Openers are counted as levels only where they open one: a long but flat file loads."""
    items = "".join(f"  - text: \"[link {n}](https://x.org/{n}) - {{x}}\"\n" for n in range(3_000))
    doc = load_text(make.HEAD + "stories:\n" + items)
    assert len(doc.data["stories"]) == 3_000


@pytest.mark.parametrize("filler", ["", "filler: \"" + "[" * 2_500 + "\"\n"])  # openers in a text: no depth
def test_nesting_up_to_the_limit_loads_and_one_more_level_is_refused(filler):
    flat = make.HEAD + filler
    deepest = load.MAX_DEPTH - 1  # inside the document's own mapping
    assert load_text(flat + "x: " + "[" * deepest + "]" * deepest + "\n")
    with pytest.raises(LoadError) as info:
        load_text(flat + "x: " + "[" * (deepest + 1) + "]" * (deepest + 1) + "\n")
    diagnostic = info.value.diagnostic
    where = (flat.count("\n") + 1, len("x: ") + deepest + 1)
    assert (diagnostic.code, (diagnostic.line, diagnostic.column)) == ("too-deep", where)


def test_nesting_by_indentation_alone_is_refused_where_it_passes_the_limit():
    """No bracket, no dash: a mapping in a mapping, 201 times, one line each."""
    text = "".join(" " * level + "a:\n" for level in range(load.MAX_DEPTH)) + " " * load.MAX_DEPTH + "b: 1\n"
    with pytest.raises(LoadError) as info:
        load_text(text)
    diagnostic = info.value.diagnostic
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("too-deep", load.MAX_DEPTH + 1,
                                                                     load.MAX_DEPTH + 1)
    assert load_text(text.replace(" " * load.MAX_DEPTH + "b: 1\n", ""))  # one level less loads


@pytest.mark.parametrize("text, line, column", [
    ("a: &x [*x]\n", 1, 8),
    ("a: &x {b: *x}\n", 1, 11),
    ("a: &x\n  - [1, 2]\n  - *x\n", 3, 5),
])
def test_an_alias_inside_its_own_anchor_is_refused_where_it_is(text, line, column):
    """It would nest the collection in itself without end."""
    with pytest.raises(LoadError) as info:
        load_text(text)
    diagnostic = info.value.diagnostic
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("too-deep", line, column)


def test_an_alias_is_built_again_where_it_is_used_with_its_anchors_positions():
    text = "a: &k\n  - 1\n  - {b: &s two}\nc: *k\nd: [*s, *k]\n"
    doc = load_text(text)
    assert doc.data == {"a": [1, {"b": "two"}], "c": [1, {"b": "two"}], "d": ["two", [1, {"b": "two"}]]}
    assert doc.data["c"] is not doc.data["a"] and doc.data["d"][1] is not doc.data["a"]
    assert doc.positions[("c", 1, "b")] == doc.positions[("a", 1, "b")] == load.Position(3, 9)  # at its &
    assert doc.positions[("d", 0)] == load.Position(3, 9)
    assert doc.key_positions[("d", 1, 1, "b")] == load.Position(3, 6)
    assert doc.scalars[("d", 1, 0)] == doc.scalars[("a", 0)]


def test_an_alias_inside_its_own_anchor_in_a_duplicate_keys_value_is_never_built():
    doc = load_text("a: 1\na: &A [x, *A]\nb: 2\n")
    assert doc.data == {"a": 1, "b": 2} and [d.code for d in doc.diagnostics] == ["duplicate-key"]


@pytest.mark.parametrize("text, first, line", [
    ("a: &A [*A]\nb: &B 1\nc: &B 2\n", "yaml-syntax", 3),  # the composer's error, later in the text
    ("a: &A [*A]\nb: [\n", "yaml-syntax", 3),
    ("a: &A [*A]\nb: " + "[" * 300 + "\n", "too-deep", 2),
    ("a: &A [*A]\nb: 1\n", "too-deep", 1),
])
def test_an_alias_inside_its_own_anchor_is_told_after_the_errors_of_the_whole_text(text, first, line):
    """The composer made a loop of it without complaint: refused once the text has parsed."""
    with pytest.raises(LoadError) as info:
        load_text(text)
    assert (info.value.diagnostic.code, info.value.diagnostic.line) == (first, line)


def test_an_anchor_in_a_duplicate_keys_value_can_still_be_used():
    """The value of a duplicate key is not built, but what it defines is."""
    doc = load_text("a: 1\na: [&z 3, {q: &w [x]}]\nb: *z\nc: *w\n")
    assert doc.data == {"a": 1, "b": 3, "c": ["x"]}
    assert [d.code for d in doc.diagnostics] == ["duplicate-key"]
    assert ("a", 0) not in doc.marks


def test_alias_expansions_are_counted_as_values():
    """Each use of an anchor counts its values again: the document, two lists of 49,998 are
    99,999 values, a third list passes the limit."""
    items = ", ".join(["x"] * 49_998)
    with pytest.raises(LoadError) as info:
        load_text(f"a: &k [{items}]\nb: *k\nc: *k\n")
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "alias-bomb" and diagnostic.line == 1
    assert load_text(f"a: &k [{items}]\nb: *k\n")


@pytest.mark.parametrize("text, first", [
    ("a: !!python/object x\nb: [\n", "yaml-syntax"),  # the YAML error below comes first
    ("<<: {a: 1}\nb: {\n", "yaml-syntax"),
    ("? [a]\n: 1\nb: ]\n", "yaml-syntax"),
    ("a: !!python/object x\nb: " + "[" * 300 + "\n", "too-deep"),  # and nesting too deep
    ("? [a]\n: " + "[" * 300 + "\n", "too-deep"),
    ("a: !!python/object x\nb: *nowhere\n", "yaml-syntax"),  # and the composer's own errors
    ("a: !!python/object x\nb: &n 1\nc: &n 2\n", "yaml-syntax"),
    ("a: !!python/object x\n--- b\n", "yaml-syntax"),
    ("a: !!python/object x\nb: &n 1\nc: *n\n", "unsafe-tag"),
])
def test_a_refusal_is_told_after_the_yaml_errors_of_the_whole_text(text, first):
    """As when the whole node graph was composed before it was built."""
    with pytest.raises(LoadError) as info:
        load_text(text)
    assert info.value.diagnostic.code == first


@pytest.mark.parametrize("text", ["a: *nowhere\n", "a: &n 1\nb: &n 2\n", "--- a\n--- b\n",
                                  "a: 1\n--- b\n", "a: [&n 1, [x, &n 2]]\n"])
def test_the_composers_errors_read_as_pyyamls(text):
    with pytest.raises(yaml.YAMLError) as pyyaml:
        yaml.compose(text, Loader=yaml.SafeLoader)
    with pytest.raises(LoadError) as info:
        load_text(text)
    diagnostic = info.value.diagnostic
    mark = pyyaml.value.problem_mark  # type: ignore[attr-defined]
    assert diagnostic.code == "yaml-syntax"
    assert (diagnostic.line, diagnostic.column) == (mark.line + 1, mark.column + 1)
    assert pyyaml.value.problem in diagnostic.message  # type: ignore[attr-defined]


class _LibyamlAtItsOwnLimit:
    """A libyaml that refuses the text before its first event, as 0.2.6 (PyYAML 6.0.4) does past
    1,000 flow levels: the refusal must still be located where our limit is passed."""

    made: list[_LibyamlAtItsOwnLimit] = []

    def __init__(self, utf8: bytes) -> None:
        self.closed = False
        self.made.append(self)

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
        monkeypatch.setattr(load, "_fast_loader", lambda: _LibyamlAtItsOwnLimit)
    _LibyamlAtItsOwnLimit.made.clear()
    opening = "x: " + "[" * 5_000  # level 1 is the document's mapping: the 200th [ opens level 201
    with pytest.raises(LoadError) as info:
        load_text(make.HEAD + opening + "\n")
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "too-deep"
    assert (diagnostic.line, diagnostic.column) == (2, len("x: ") + load.MAX_DEPTH)
    # the fake was asked, and let go, or nothing at all when there is no libyaml
    assert [fake.closed for fake in _LibyamlAtItsOwnLimit.made] == ([True] if libyaml != "absent" else [])


def test_a_syntax_error_past_many_openers_is_left_to_the_parse_proper(monkeypatch):
    monkeypatch.setattr(load, "_fast_loader", lambda: _LibyamlAtItsOwnLimit)
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
from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # noqa: E402

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
    for node in _nodes(yaml.compose(text, Loader=yaml.CSafeLoader)):
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
def test_the_loader_resolves_every_plain_scalar_as_safe_loading_does(value):
    """The loader resolves each scalar's tag from the parser's events itself (no composer):
    the same tag as SafeLoader's, in block, flow and quoted places alike."""
    text = f"- {value}\n- [{value}]\n- {{k: {value}}}\n- '{value}'\n"
    try:
        nodes = [n for n in _nodes(yaml.compose(text, Loader=yaml.SafeLoader)) if isinstance(n, ScalarNode)]
    except yaml.YAMLError:
        assume(False)
    events = [e for e in yaml.parse(text, Loader=yaml.CSafeLoader) if isinstance(e, yaml.ScalarEvent)]
    assert [load._scalar_tag(e.tag, e.value, e.implicit) for e in events] == [n.tag for n in nodes]


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


# ---------------------------------------------------------------- the collector held off


def test_the_collector_is_held_off_while_a_stage_runs_and_runs_again_after():
    seen = []
    stage = load.cycles_uncollected(lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    stage()
    assert seen == [False] and gc.isenabled()


def test_nested_stages_resume_it_once_the_outermost_ends_even_when_one_fails():
    seen = []

    def inner():
        seen.append(gc.isenabled())
        raise ValueError("inner")

    @load.cycles_uncollected
    def outer():
        with pytest.raises(ValueError):
            load.cycles_uncollected(inner)()
        seen.append(gc.isenabled())

    outer()
    assert seen == [False, False] and gc.isenabled()


def test_a_collector_the_caller_held_off_stays_off():
    gc.disable()
    try:
        load.cycles_uncollected(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_two_threads_the_collector_runs_again_when_the_last_is_done():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    @load.cycles_uncollected
    def first():
        first_in.set()
        second_in.wait(10)

    @load.cycles_uncollected
    def second():
        second_in.set()
        first_out.wait(10)
        seen["after the first left"] = gc.isenabled()

    one = threading.Thread(target=first)
    two = threading.Thread(target=lambda: (first_in.wait(10), second()))
    one.start()
    two.start()
    one.join(10)
    first_out.set()
    two.join(10)
    assert seen == {"after the first left": False} and gc.isenabled()


def test_loading_validating_and_rendering_hold_the_collector_off(monkeypatch):
    from authoring import render, validate
    from authoring.render import html

    seen = {}
    for module, name in [(load._Builder, "run"), (validate, "build_issue"), (html, "render_parts")]:
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen[_name] = gc.isenabled()
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    validated = validate.validate_text(make.HEAD + "stories:\n  - text: {body: Hello}\n")
    render.render_issue(validated.built_issue, validated.publication)
    assert seen == {"run": False, "build_issue": False, "render_parts": False}
    assert gc.isenabled()


def test_a_documents_lines_are_split_once():
    """check looks for each finding's text in them: splitting the whole text for each finding
    was quadratic in an issue's findings."""
    doc = load_text("a: 1\r\nb: |\n  two\n  three\n")
    assert doc.lines == ["a: 1", "b: |", "  two", "  three"]
    assert doc.lines is doc.lines


def test_checking_holds_the_collector_off(monkeypatch):
    from authoring import check
    from authoring.validate import validate_text

    seen = []
    real = check.selected
    monkeypatch.setattr(check, "selected", lambda options: seen.append(gc.isenabled()) or real(options))
    validated = validate_text(make.HEAD + "stories:\n  - text: {body: Hello}\n")
    report = check.check_built(check.from_validated(validated), check.CheckOptions(parts=("size",)))
    assert seen == [False] and gc.isenabled() and [part.name for part in report.parts] == ["size"]


# ---------------------------------------------------------------- mutation survivors (issue 22)

import errno  # noqa: E402
import stat  # noqa: E402


def _refused(source: str, file: str = "issues/f.yaml") -> tuple:
    with pytest.raises(LoadError) as info:
        load_text(source, file)
    d = info.value.diagnostic
    return d.code, d.message, d.hint, d.line, d.column


def test_a_missing_file_is_refused_by_its_name_with_nothing_to_quote(tmp_path):
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / "0321.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.file) == ("file-not-found", "no such file", "check the path",
                                                   str(tmp_path / "0321.yaml"))
    assert str(info.value) == "no such file"
    assert info.value.report.source_lines == [] and info.value.report.file == str(tmp_path / "0321.yaml")


def test_a_file_that_cannot_be_opened_says_why(tmp_path):
    loop = tmp_path / "issue.yaml"
    loop.symlink_to(loop)  # open() fails with ELOOP: no missing file, no folder
    with pytest.raises(LoadError) as info:
        load_file(loop)
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.file) == (
        "unreadable", f"cannot read file: {os.strerror(errno.ELOOP)}", None, str(loop))


def test_a_read_that_fails_midway_says_why(tmp_path, monkeypatch):
    path = tmp_path / "issue.yaml"
    path.write_text("a: 1\n")

    def failing_read(fd, n):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "read", failing_read)
    with pytest.raises(LoadError) as info:
        load_file(path)
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.file) == (
        "unreadable", f"cannot read file: {os.strerror(errno.EIO)}", None, str(path))


def test_a_folder_refused_by_open_itself_is_named_a_folder(tmp_path, monkeypatch):
    """Where opening a folder fails (not Linux, where it opens and fstat tells)."""
    def refusing_open(path, flags, *args):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(LoadError) as info:
        load_file(tmp_path)
    d = info.value.diagnostic
    assert (d.code, d.message, d.file) == ("not-a-file", "is a folder, not a file", str(tmp_path))


@pytest.mark.parametrize("limit_past_a_chunk", [0, 5, (1 << 20) - 1])
def test_read_bounded_reads_exactly_the_limit_across_chunks(tmp_path, limit_past_a_chunk):
    """Reads go by chunks of 1 MiB: a limit past the first chunk is met exactly, in order."""
    content = bytes(range(256)) * (3 * (1 << 20) // 256)  # 3 MiB, no two chunks alike
    path = tmp_path / "big.yaml"
    path.write_bytes(content)
    limit = (1 << 20) + limit_past_a_chunk
    assert load.read_bounded(path, limit) == content[:limit]
    assert load.read_bounded(path, len(content)) == content
    assert load.read_bounded(path, len(content) + 1) == content


@pytest.mark.parametrize(("mode", "kind"), [
    (stat.S_IFBLK, "block device"), (stat.S_IFSOCK, "socket"), (stat.S_IFCHR, "character device"),
    (stat.S_IFIFO, "named pipe (FIFO)"), (0, "special file")])
def test_every_kind_of_special_file_has_its_name(mode, kind):
    """A FIFO and /dev/zero are opened and named (above); a socket cannot even be opened."""
    assert load._file_kind(mode | 0o644) == kind


@pytest.mark.parametrize(("raw", "line", "column"), [
    (b"\nissue: caf\xe9\n", 2, 11),  # a blank first line
    (b"a: 1\nb: 2\nissue: caf\xe9\n", 3, 11),  # counted from the last line feed before it
    (b"issue: caf\xe9\nb: 2\n", 1, 11),
])
def test_a_byte_that_is_not_utf8_is_placed_exactly(raw, line, column):
    with pytest.raises(LoadError) as info:
        decode(raw, "f.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.line, d.column) == ("not-utf8", "byte 0xe9 is not valid UTF-8", line, column)


@pytest.mark.parametrize(("raw", "line"), [
    (b"\na: 1\x00\nb: 2\x00\n", 2),  # the first NUL, lines counted from the start
    (b"a: 1\nb: 2\nc: \x00\n", 3),
])
def test_nul_bytes_are_placed_at_the_first(raw, line):
    with pytest.raises(LoadError) as info:
        decode(raw, "f.yaml")
    assert (info.value.diagnostic.code, info.value.diagnostic.line) == ("binary-file", line)


def test_the_size_of_a_large_file_is_told_in_megabytes_rounded():
    with pytest.raises(LoadError) as info:
        decode(b"x" * 1_000_001, "f.yaml", size=1_050_000)
    assert info.value.diagnostic.message == "file is 1.1 MB; an issue file may be at most 1 MB"


def test_a_raw_control_character_is_placed_and_explained():
    assert _refused("\na: b\x07c\n") == (
        "control-character", "control character U+0007 is not allowed in YAML",
        "delete it (it is invisible in most editors; it often comes from copy and paste)", 2, 5)


def test_any_other_yaml_error_is_a_located_refusal_never_a_traceback(monkeypatch):
    def failing_parse(text, utf8, file):
        raise yaml.YAMLError("the parser gave up")

    monkeypatch.setattr(load, "_parse", failing_parse)
    with pytest.raises(LoadError) as info:
        load_text("a: 1\n", "issues/f.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.file) == ("yaml-syntax", "YAML error: the parser gave up", "issues/f.yaml")
    assert info.value.text == "a: 1\n"


def test_a_file_with_no_document_is_refused_as_empty():
    with pytest.raises(LoadError) as info:
        load_text("# only a comment\n", "issues/f.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.file) == ("empty-file", "file is empty",
                                                   "start from a template: authoring new", "issues/f.yaml")
    assert info.value.text == "# only a comment\n" and info.value.report.source_lines == ["# only a comment"]


def test_text_without_a_file_name_is_reported_as_string():
    with pytest.raises(LoadError) as info:
        load_text("a: [\n")
    assert info.value.diagnostic.file == "<string>" and info.value.report.file == "<string>"
    with pytest.raises(LoadError) as info:
        load_text("a: [\n", "")
    assert info.value.report.file == "<string>"


def test_a_value_is_located_at_itself_unless_its_key_is_asked_for():
    doc = load_text("issue:\n  subject: Hello\n")
    assert doc.locate(("issue", "subject")) == Position(2, 12)
    assert doc.locate(("issue", "subject"), key=True) == Position(2, 3)
    assert doc.locate_offset(("issue", "subject"), -1) is None
    assert doc.locate_offset(("issue", "subject"), 0) == Position(2, 12)


def _values(count: int) -> str:
    """A document of exactly ``count`` values: the mapping, two lists of 49,998 (one an alias),
    then single values."""
    items = ", ".join(["x"] * 49_998)
    return f"a: &k [{items}]\nb: *k\n" + "".join(f"v{n}: x\n" for n in range(count - 99_999))


def test_exactly_max_nodes_values_load_and_one_more_is_refused():
    assert load_text(_values(load.MAX_NODES))
    assert _refused(_values(load.MAX_NODES + 1)) == (
        "alias-bomb", "document expands to more than 100,000 values through aliases",
        "remove the anchors (&) and aliases (*): issues do not need them", 4, 5)


def test_exactly_max_expanded_bytes_of_text_load_and_one_more_is_refused():
    chunk = "x" * 100_000
    exact = f"a: &a {chunk}\nb: [{', '.join(['*a'] * 39)}]\n"  # 40 x 100,000 bytes
    assert load_text(exact)
    assert _refused(exact + "c: y\n")[0::3] == ("alias-bomb", 3)


def test_the_composers_refusals_say_what_to_do():
    assert _refused("a: [1]\n--- b\n") == (
        "yaml-syntax",
        "YAML syntax error: but found another document (expected a single document in the stream)",
        "an issue file holds one document: remove the '---' line and what follows it", 2, 1)
    assert _refused("a: &n [1]\nb: &n 2\n") == (
        "yaml-syntax", "YAML syntax error: second occurrence (found duplicate anchor 'n'; first occurrence)",
        "rename one of the two anchors (&name): each name may be defined once in a file", 2, 4)
    assert _refused("*a\n") == (
        "yaml-syntax", "YAML syntax error: found undefined alias 'a'",
        "define the anchor (&name) before using *name, or write the text out", 1, 1)
    assert _refused("*nowhere : 1\n")[1:] == (
        "YAML syntax error: found undefined alias 'nowhere'",
        "define the anchor (&name) before using *name, or write the text out", 1, 1)


@pytest.mark.parametrize(("text", "data"), [
    ("&a hello\n", "hello"),  # the document itself anchored
    ("&k a: 1\nb: *k\n", {"a": 1, "b": "a"}),  # an anchored key used as a value
    ("a: &k name\n*k : 1\n", {"a": "name", "name": 1}),  # an alias as a key
    ("'<<': 1\n", {"<<": 1}),  # a quoted << is text, no merge
    ("a: ! [1, 2]\nb: ! 12\n", {"a": [1, 2], "b": 12}),  # the non-specific tag, as safe_load reads it
    ("\ufeffXa: 1\n", {"Xa": 1}),
    ('a: "b\n  X\tc"\n', {"a": "b X\tc"}),  # a tab inside a line of text indents nothing
])
def test_anchors_aliases_and_tags_load_as_safe_load_reads_them(text, data):
    assert load_text(text).data == data == yaml.safe_load(text.lstrip("\ufeff"))


def test_the_document_anchored_and_used_inside_itself_is_refused():
    assert _refused("&r [a, *r]\n")[0::3] == ("too-deep", 1)


def test_an_alias_key_to_a_mapping_still_open_is_refused_where_its_anchor_is():
    assert _refused("&m\na: 1\n*m : 2\n") == ("complex-key", "mapping keys must be plain text", None, 1, 1)


def test_a_merge_key_written_as_a_tag_is_refused():
    assert _refused("a: 1\n!!merge k: {b: 1}\n")[0::3] == ("merge-key", 2)


def test_a_complex_key_is_one_level_deeper_for_the_nesting_after_it():
    """The refused key's collection is open while the rest of the text is read for its errors."""
    after = "? [a]\n: 1\nb: "
    assert _refused(after + "[" * 199 + "]" * 199 + "\n")[0] == "complex-key"
    assert _refused(after + "[" * 200 + "]" * 200 + "\n")[0::3] == ("too-deep", 3)


def test_a_complex_key_past_the_depth_limit_is_refused_where_it_opens():
    text = "x: " + "[" * 198 + "{[a]: 1}" + "]" * 198 + "\n"
    assert _refused(text)[0::3] == ("too-deep", 1) and _refused(text)[4] == len("x: ") + 198 + 2


@pytest.mark.parametrize("before", [
    "x:\n  y:\n    a: [1]\n",  # a list closed beside it
    "x:\n  y:\n    a: 1\n    a: [1]\n",  # the skipped value of a duplicate key
])
def test_depth_is_counted_from_where_a_value_is_after_collections_closed_beside_it(before):
    deepest = load.MAX_DEPTH - 3  # the document's mapping, x's and y's
    assert load_text(before + "    b: " + "[" * deepest + "]" * deepest + "\n")
    too_deep = _refused(before + "    b: " + "[" * (deepest + 1) + "\n")
    assert too_deep[0::3] == ("too-deep", before.count("\n") + 1)


def test_depth_is_counted_after_a_refusal_as_before_it():
    before = "x:\n  y:\n    a: !custom 1\n    c: [1]\n    b: "
    deepest = load.MAX_DEPTH - 3
    assert _refused(before + "[" * deepest + "]" * deepest + "\n")[0] == "unsafe-tag"
    assert _refused(before + "[" * (deepest + 1) + "]" * (deepest + 1) + "\n")[0::3] == ("too-deep", 5)


def test_nesting_too_deep_inside_a_duplicate_keys_value_is_refused_where_it_passes():
    text = "a: 1\na: " + "[" * load.MAX_DEPTH + "\n"
    assert _refused(text)[0::3] == ("too-deep", 2) and _refused(text)[4] == len("a: ") + load.MAX_DEPTH


@pytest.mark.parametrize("text", ["a: " + "[" * load.MAX_DEPTH + "\n", "a: &x [*x]\n"])
def test_nesting_too_deep_is_refused_whole(text):
    with pytest.raises(LoadError) as info:
        load_text(text, "issues/f.yaml")
    d = info.value.diagnostic
    assert (d.code, d.message, d.hint, d.file) == (
        "too-deep", "lists or mappings are nested too deeply",
        "an issue needs only a few levels: check for runaway brackets", "issues/f.yaml")
    assert info.value.text == text and info.value.report.source_lines == [text.rstrip("\n")]


def test_a_control_character_is_told_by_its_place_in_the_text():
    doc = load_text('a: "ok\\x1b"\nb: !!int "\\x1b"\n', "issues/f.yaml")
    assert [(d.message, d.hint, d.file, d.line, d.column, d.path) for d in doc.diagnostics] == [
        (f"control character U+001B in this text (character {n}) is not allowed",
         "delete the escape (\\x.., \\u....) that writes it: it is invisible and breaks rendering",
         "issues/f.yaml", line, 4, (key,)) for n, line, key in [(3, 1, "a"), (1, 2, "b")]]


@pytest.mark.parametrize("libyaml", [True, False])
def test_styles_and_source_texts_are_the_same_with_or_without_libyaml(monkeypatch, libyaml):
    monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
    doc = load_text("a: Yes\nb: x\nc: >\n  folded\nd: |\n  literal\ne: ~\nf: null\ng: 2026-13-45\n")
    assert [doc.scalars[(key,)].style for key in "abcdefg"] == ["", "", ">", "|", "", "", ""]
    assert doc.block_scalars == {("c",), ("d",)}
    assert doc.raw_scalars == {("a",): "Yes"}  # not the nulls, nor the timestamp that stayed text
    assert doc.data["g"] == "2026-13-45"


def test_a_fresh_collector_pause_holds_the_collector_off_and_lets_it_run_again():
    pause = load._CollectorPause()
    assert gc.isenabled()
    with pause:
        with pause:
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_tab_indentation_says_how_to_fix_it():
    assert _refused("issue:\n\tsubject: x\n") == (
        "tab-indent", "tab character used for indentation",
        "YAML indents with spaces only: replace the tab with spaces", 2, 1)


_QUOTE_IT = 'text that starts with [ { * & ! % @ or ` must be quoted: key: "[link](https://...) and more"'


@pytest.mark.parametrize(("text", "message", "hint", "line", "column"), [
    ("a: b\nc\n", "could not find expected ':' (while scanning a simple key)",
     "a text containing ': ' must be quoted (\"...\") or written as a block (key: |)", 3, 1),
    ("key: a\tb: c\n",
     "found character '\\t' that cannot start any token (while scanning for the next token)",
     "YAML indents with spaces only", 1, 7),
    ('a: "abc\n', "found unexpected end of stream (while scanning a quoted scalar)",
     "close the quote that starts here, or remove it", 1, 4),
    ("a:\n  [1, 2\n", "expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)",
     "close the { or [ that starts here, or write the fields on separate lines", 3, 1),
    ("a: 'x' y\n", "expected <block end>, but found '<scalar>' (while parsing a block mapping)",
     "indent this line like the other keys at its level (spaces only)", 1, 8),
    ("a: |0\n  x\n",
     "expected indentation indicator in the range 1-9, but found 0 (while scanning a block scalar)",
     "indent this line like the other keys at its level (spaces only)", 1, 5),
    ("a: }\n", "expected the node content, but found '}' (while parsing a block node)",
     "check this line and the one above for indentation, quotes and brackets", 1, 4),
    ("a: [1, 2\n", "expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)",
     _QUOTE_IT, 2, 1),
    ("a: *nowhere\n", "found undefined alias 'nowhere'", _QUOTE_IT, 1, 4),  # maybe text: *emphasis*
])
def test_each_kind_of_syntax_error_gets_its_advice(text, message, hint, line, column):
    assert _refused(text) == ("yaml-syntax", f"YAML syntax error: {message}", hint, line, column)


def _indent_hint(indent: int, their: int, what: str = "the keys") -> str:
    return (f"this line is indented {indent} space{'s' if indent != 1 else ''}, {what} above it {their}: "
            "indent it like them (YAML counts the spaces; no tabs)")


@pytest.mark.parametrize(("text", "line", "hint"), [
    ("a:\n  b: 1\n c: 2\n", 3, _indent_hint(1, 2)),  # its sibling on the first lines
    ("a:\n    b: 1\n  c: 2\n", 3, _indent_hint(2, 4)),  # two spaces off: still a sibling
    ("a:\n    b: 1\n c: 2\n", 3, _indent_hint(1, 0)),  # three off: no sibling, the key above is
    ("a:\n  b: 1\n c: 2\n   d: 3\n", 3, _indent_hint(1, 2)),  # lines below it are not looked at
    ("a:\n  b: 1\n  # note\n c: 2\n", 4, _indent_hint(1, 2)),  # comments are skipped
    ("a:\n  b: 1\n# note\n c: 2\n", 4, _indent_hint(1, 2)),
    ("a:\n  b: 1\n\n c: 2\n", 4, _indent_hint(1, 2)),  # so are blank lines
    ("a:\n  Xb: 1\n c: 2\n", 3, _indent_hint(1, 2)),
    ("a: 1\n- b\n  - c", 2, "indent this line like the other keys at its level (spaces only)"),
    ("a:\n  - b\n X- c\n", 3, _indent_hint(1, 0)),  # a key, though a dash follows its X
    ("a:\n  - x\n b: 1\n", 3, _indent_hint(1, 0)),  # past a list item to the key above
    ("k:\n  b:\n  - 'x'\n    c: 2\n", 4, _indent_hint(4, 2)),  # past an item two spaces left of it
    ("a:\n  b: 1\nc: [1]\n   d: 3\n", 4, "indent this line like the other keys at its level (spaces only)"),
    ("a:\n  b: 1\u2028 c: 2\n", 3, _indent_hint(1, 2)),  # YAML's other line breaks count as lines
])
def test_a_misindented_line_is_compared_with_its_siblings_above(text, line, hint):
    code, _, told, at, _ = _refused(text)
    assert (code, told, at) == ("yaml-syntax", hint, line)


_QUOTE_OR_BLOCK = "a text containing ': ' must be quoted (\"...\") or written as a block (key: |)"


@pytest.mark.parametrize(("text", "expected"), [
    ("b c\nd: e\n", ("missing ':' after 'b'", "write 'b: c'", 1, 2)),  # on the first line
    ("a:\n  x: 1\n  b c\n\n  d: e\n", ("missing ':' after 'b'", "write 'b: c'", 3, 4)),  # a blank between
    ("a:\n  b c\n\n\n  d: e\n", ("missing ':' after 'b'", "write 'b: c'", 2, 4)),
    ("x:\n  a b\n  more text\n\n  c d: e\n", ("missing ':' after 'more'", "write 'more: text'", 3, 7)),
    ("a:\n  b c\n   d: e\n", ("YAML syntax error: mapping values are not allowed here",
                             _QUOTE_OR_BLOCK, 3, 5)),  # the key below is indented otherwise: no missing colon
    ("a:\n  b c\n  d#x: f\n", ("YAML syntax error: mapping values are not allowed here",
                              _QUOTE_OR_BLOCK, 3, 6)),  # no key before the colon
])
def test_a_missing_colon_is_found_only_where_it_is_missing(text, expected):
    assert _refused(text)[1:] == expected


@pytest.mark.parametrize("written", ["k" + " x" * 29, "k" + " x" * 29 + "y"])
def test_the_fixed_line_is_shown_whole_up_to_60_characters(written):
    fixed = "k:" + written[1:]
    hint = _refused(f"a:\n  {written}\n  d: e\n")[2]
    assert hint == (f"write '{fixed}'" if len(fixed) <= 60 else f"write '{fixed[:60]}…'")
    assert len(fixed) in (60, 61)


@pytest.mark.parametrize("written", ["a:\n  b: 1\n c: 2", "b c\nd: e"])
def test_text_given_as_text_reads_a_lone_cr_and_crlf_as_a_file_does(written):
    """YAML ends a line at a lone CR; a browser's form sends CRLF. Files are decoded to line
    feeds first, and so is text handed to load_text: the hints quote the line they are about
    (with the CR kept, the indentation hint read the wrong line)."""
    expected = _refused(written)
    assert _refused(written.replace("\n", "\r")) == expected
    assert _refused(written.replace("\n", "\r\n")) == expected
    assert expected[2] in ("this line is indented 1 space, the keys above it 2: indent it like them "
                           "(YAML counts the spaces; no tabs)", "write 'b: c'")
