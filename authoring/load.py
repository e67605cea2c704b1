"""Read a YAML file into plain data, keeping the source position of every node.

Safe loading only: we build plain data from the parser's events ourselves (no node graph,
no recursion: any depth is counted, none can overflow a stack) and accept only the core tags
(str, int, float, bool, null, timestamp, map, seq), so ``!!python/...`` tags never construct
anything. Refused with a clear message: non-UTF-8 bytes,
binary files, tabs used for indentation, duplicate keys, merge keys (``<<``), oversized
files (never read past the limit), anything that is not a regular file (a FIFO or
``/dev/zero`` would block or never end), control characters written as escapes
(``"\\x1b"``), and alias expansions large enough to be a "billion laughs" bomb, counted
in nodes and in bytes. Accepted: a UTF-8 BOM and CRLF line ends.
"""

from __future__ import annotations

import bisect
import gc
import os
import re
import stat
import threading
from collections.abc import Callable, Sequence
from functools import cache, cached_property, lru_cache, wraps
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import ScalarNode

from authoring import codes
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.model import YamlPath
from authoring.scalars import Scalar, source_offsets

MAX_BYTES = 1_000_000
"""An issue is ~20 KB of text; a megabyte is surely a mistake (and keeps parsing fast)."""

MAX_NODES = 100_000
"""Upper bound on nodes after alias expansion: stops alias bombs long before memory runs out."""

MAX_EXPANDED_BYTES = 4 * MAX_BYTES
"""Upper bound on the text of all scalars after alias expansion: a few aliases to one big
scalar are few nodes but gigabytes of text to render."""

MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

_CONTROL_CHARACTER = "[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udfff]|[\ufdd0-\ufdef]|[\ufffe\uffff]"
"""Characters no text field may hold: C0/C1 controls except tab and newline, DEL, lone
surrogates and the Unicode noncharacters of the first plane (the reader refuses them in raw
text; double-quoted escapes such as ``"\\x1b"`` get past it and break rendering). Written as
four classes: one class spanning them all takes twice as long to compile."""


@cache
def _control_character() -> re.Pattern[str]:
    """_CONTROL_CHARACTER compiled when a value is first searched (~0.8 ms): a file without
    double-quoted values never is, and a start that loads none should not pay for it."""
    return re.compile(_CONTROL_CHARACTER)

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_Args = ParamSpec("_Args")
_Result = TypeVar("_Result")


class _CollectorPause:
    """Python's cyclic garbage collector held off, across threads and nested uses: it starts
    again when the last one ends, if it ran before the first began."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.resume = False

    def __enter__(self) -> None:
        with self.lock:
            if not self.users:
                self.resume = gc.isenabled()
                gc.disable()
            self.users += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.users -= 1
            if not self.users and self.resume:
                gc.enable()


_COLLECTOR_PAUSE = _CollectorPause()


def cycles_uncollected(function: Callable[_Args, _Result]) -> Callable[_Args, _Result]:
    """``function`` with Python's cyclic garbage collector held off while it runs.

    A stage that builds a large structure (the document, the model, the HTML) makes objects
    that live on; the collector runs again and again while they pile up, each time through all
    of them, so that 10,000 stories loaded in 1.5x the time per story of 1,000 (validated: 1.3x).
    What it would free, the cycles made meanwhile, it frees once the stage is over."""

    @wraps(function)
    def paused(*args: _Args.args, **kwargs: _Args.kwargs) -> _Result:
        with _COLLECTOR_PAUSE:
            return function(*args, **kwargs)

    return paused


class Position(NamedTuple):
    """A line and column, both 1-based. A named tuple, not a dataclass: made in a third of the
    time at every start (the loader makes few of them, only where a finding is placed)."""

    line: int
    """1-based."""
    column: int
    """1-based."""


class Document:
    """Parsed YAML: the plain data plus where each piece came from.

    A plain class, not a dataclass (~1 ms to make at every start): only the loader makes one,
    and nothing compares two."""

    def __init__(self, file: str, data: object, text: str):
        self.file = file
        self.data = data
        self.text = text
        self.marks: dict[YamlPath, Mark] = {}
        """Where each value starts, as the parser marked it (0-based; see positions). Kept as they
        are: a load would otherwise make a Position for every node, and validation reads a few."""
        self.key_marks: dict[YamlPath, Mark] = {}
        """Where each mapping key starts (path of the value it introduces), as marked."""
        self.raw_scalars: dict[YamlPath, str] = {}
        """The source text of plain scalars that YAML turned into non-strings (``Yes`` → True)."""
        self.block_scalars: set[YamlPath] = set()
        """Values written as literal/folded blocks (``|``/``>``): their text starts on the next line."""
        self.scalars: dict[YamlPath, Scalar] = {}
        """Every scalar value's style and extent, to find a character inside it."""
        self.diagnostics: list[Diagnostic] = []
        """Problems found while loading that did not stop it (duplicate keys)."""

    def __repr__(self) -> str:
        return f"Document(file={self.file!r}, data={self.data!r})"

    @property
    def positions(self) -> dict[YamlPath, Position]:
        """Where each value starts."""
        return {path: _position(mark) for path, mark in self.marks.items()}

    @property
    def key_positions(self) -> dict[YamlPath, Position]:
        """Where each mapping key starts (path of the value it introduces)."""
        return {path: _position(mark) for path, mark in self.key_marks.items()}

    def locate(self, path: YamlPath, *, key: bool = False) -> Position | None:
        """Position of ``path`` (its key if asked and known), else of its nearest ancestor."""
        if key and path in self.key_marks:
            return _position(self.key_marks[path])
        while True:
            if path in self.marks:
                return _position(self.marks[path])
            if not path:
                return None
            path = path[:-1]

    @cached_property
    def lines(self) -> list[str]:
        """The text's lines, split once: a report quotes them, ``check`` looks for a finding's
        text in them (each split the whole text again, quadratic in an issue's findings).
        Shared: read them, never change them."""
        return self.text.splitlines()

    def locate_offset(self, path: YamlPath, offset: int) -> Position | None:
        """Where character ``offset`` of the text at ``path`` was written; None if not exactly known."""
        scalar = self.scalars.get(path)
        if scalar is None or offset < 0:
            return None
        replay = _source_offsets(self.text, scalar)
        if replay is None or offset > len(replay.offsets):
            return None
        offsets = replay.offsets
        if offset < len(offsets):
            index = offsets[offset]
        elif offsets:
            index = offsets[-1] + 1
        else:
            return None
        # the line of the scalar's own mark, counted on by the breaks inside it: no table of
        # the whole text's lines (~80 µs for a seed issue) when only a few findings are located
        mark = self.marks.get(path) or self.marks.get(path[:-1])
        if mark is None or mark.index != scalar.start or not self._breaks_at_newline_alone:
            return self.position(index)
        return replay.position(self.text, scalar, mark, index)

    @cached_property
    def _breaks_at_newline_alone(self) -> bool:
        """Whether YAML breaks the text's lines at \\n alone, so that its marks count lines and
        columns as the line feeds do. Asked once per document, not per finding."""
        return not any(map(self.text.__contains__, "\r" + _OTHER_BREAKS))

    def position(self, index: int) -> Position:
        """Line and column of a character offset in the text."""
        starts = _line_starts(self.text)
        line = bisect.bisect_right(starts, index)
        return Position(line, index - starts[line - 1] + 1)


def _position(mark: Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_NEAR = 2048
"""A finding this few characters past its scalar's mark is placed by counting the line feeds
between them; farther ones bisect the scalar's line feeds, listed once (a field with thousands
of findings would otherwise count through the field for each)."""


class _Replay:
    """A scalar's source_offsets, and where its text breaks lines once a far finding asked.
    A plain class: a dataclass costs 0.7 ms to make at every start, for a record only a
    finding inside a text needs."""

    __slots__ = ("offsets", "breaks")

    def __init__(self, offsets: Sequence[int]):
        self.offsets = offsets
        """The document offset of each character of the value."""
        self.breaks: list[int] | None = None
        """Document offsets of the line feeds from the scalar's start to its end, in order."""

    def position(self, text: str, scalar: Scalar, mark: Mark, index: int) -> Position:
        """The position of document offset ``index`` (in the scalar or just past it), counted on
        from ``mark``, the scalar's start."""
        if index - mark.index <= _NEAR:
            crossed = text.count("\n", mark.index, index)
            line_start = text.rfind("\n", mark.index, index) + 1 if crossed else 0
        else:
            if self.breaks is None:
                starts = _starts_after_newlines(text[scalar.start:scalar.end])
                self.breaks = [scalar.start + start - 1 for start in starts[1:]]
            crossed = bisect.bisect_left(self.breaks, index)
            line_start = self.breaks[crossed - 1] + 1 if crossed else 0
        if not crossed:
            return Position(mark.line + 1, mark.column + index - mark.index + 1)
        return Position(mark.line + crossed + 1, index - line_start + 1)


@lru_cache(maxsize=64)
def _source_offsets(text: str, scalar: Scalar) -> _Replay | None:
    """source_offsets, once per scalar: a field with thousands of findings (a link each) would
    otherwise replay its whole text for every one of them, quadratic in the field's size."""
    offsets = source_offsets(text, scalar)
    return None if offsets is None else _Replay(offsets)


_OTHER_BREAKS = "\x85\u2028\u2029"
"""Where YAML breaks lines besides \\n."""
_YAML_BREAK = f"[\n{_OTHER_BREAKS}]"
"""A pattern compiled on first use (by re's cache), only for texts that hold such breaks."""


@lru_cache(maxsize=8)
def _line_starts(text: str) -> list[int]:
    """Offsets where lines start, breaking lines where YAML does (so its marks agree)."""
    if any(map(text.__contains__, _OTHER_BREAKS)):
        return [0, *(m.end() for m in re.finditer(_YAML_BREAK, text))]
    return _starts_after_newlines(text)


def _starts_after_newlines(text: str) -> list[int]:
    """Offsets where the lines of ``text`` start when it breaks at \\n alone: each one past
    the end of the line before."""
    return list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))[:-1]


class LoadError(AuthoringError):
    """The file cannot be read as YAML: one diagnostic, in a report that can quote its line."""

    def __init__(self, diagnostic: Diagnostic, text: str = ""):
        self.diagnostic = diagnostic
        self.text = text
        """The source as far as it could be decoded, to quote the line."""
        super().__init__(diagnostic.message, [Report(file=diagnostic.file or "<string>",
                                                     diagnostics=[diagnostic],
                                                     source_lines=text.splitlines())])

    @property
    def report(self) -> Report:
        return self.reports[0]


def _error(file: str, code: str, message: str, hint: str | None = None,
           line: int | None = None, column: int | None = None, text: str = "") -> LoadError:
    return LoadError(
        Diagnostic(code=code, severity=Severity.ERROR, message=message, hint=hint,
                   file=file, line=line, column=column),
        text,
    )


def decode(raw: bytes, file: str, size: int | None = None) -> str:
    """Bytes → text: UTF-8 (BOM allowed), LF line ends; refuse binary and other encodings.

    ``size`` is the file's size when only its first bytes were read."""
    return _decode(raw, file, size)[0]


def _decode(raw: bytes, file: str, size: int | None = None) -> tuple[str, bytes]:
    """decode, and the text's UTF-8: most often ``raw`` itself, which spares encoding it again
    for libyaml and lets the byte-wise checks run on it."""
    if len(raw) > MAX_BYTES:
        size = max(size or 0, len(raw))
        raise _error(file, codes.FILE_TOO_LARGE,
                     f"file is {size / 1_000_000:.1f} MB; an issue file may be at most "
                     f"{MAX_BYTES // 1_000_000} MB",
                     "split the content or check that this is the right file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(file, codes.NOT_UTF8, "file is encoded as UTF-16",
                     "save the file as UTF-8 (most editors: 'Save with encoding')", line=1, column=1)
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line = raw.count(b"\n", 0, offset) + 1
        raise _error(file, codes.BINARY_FILE, "file contains NUL bytes: this is a binary file, not YAML",
                     "open the issue's .yaml file instead", line=line)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _error(file, codes.NOT_UTF8,
                     f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                     "save the file as UTF-8 (most editors: 'Save with encoding')",
                     line=line, column=column) from None
    if b"\r" not in raw:  # nearly every file: the two replacements would copy it for nothing
        return text, raw
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, text.encode("utf-8")


def _check_tabs(text: str, file: str) -> None:
    """YAML forbids tabs in indentation; PyYAML's own message for it is cryptic."""
    if "\t" not in text:
        return  # nearly every file: skip the line-by-line walk
    in_block = None  # indentation of an enclosing literal block, where tabs are content
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if in_block is not None:
            if not stripped or indent > in_block:
                continue
            in_block = None
        if stripped.startswith("\t") and stripped.strip():
            raise _error(file, codes.TAB_INDENT, "tab character used for indentation",
                         "YAML indents with spaces only: replace the tab with spaces",
                         line=number, column=indent + 1, text=text)
        # a block scalar opens after a key (``body: |``) or a list's dash (``- |``, ``- - >-``)
        if re.search(r"(?:[:?]|(?:^|\s)-)\s*[|>][-+0-9]*\s*(#.*)?$", line):
            in_block = indent


def load_text(text: str, file: str = "<string>") -> Document:
    """Parse YAML text into a Document (raises LoadError). Line ends as a file's are read: CRLF
    and a lone CR become LF (a browser's form sends CRLF), so every hint quotes its own line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _load(text, text.encode("utf-8"), file)


def _without_boms(text: str, utf8: bytes) -> tuple[str, bytes]:
    """The text and its UTF-8 without the byte order marks they open with: those are no
    characters of the text (decode drops a file's first one), and libyaml does not count them
    in its marks' index, which every offset of ours starts from."""
    if not text.startswith("\ufeff"):
        return text, utf8
    kept = text.lstrip("\ufeff")
    return kept, utf8[3 * (len(text) - len(kept)):]


def _load(text: str, utf8: bytes, file: str) -> Document:
    """load_text, with the text's UTF-8 at hand: libyaml reads it and the checks that scan the
    whole text run on it (a byte search is memchr, a search of text holding a curly quote is
    not)."""
    text, utf8 = _without_boms(text, utf8)
    _check_tabs(text, file)
    try:
        doc = _parse(text, utf8, file)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise _error(file, codes.CONTROL_CHARACTER,
                     f"control character U+{exc.character:04X} is not allowed in YAML",
                     "delete it (it is invisible in most editors; it often comes from copy and paste)",
                     line=line, column=column, text=text) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise _error(file, codes.YAML_SYNTAX, f"YAML error: {exc}", text=text) from None
    if doc is None:
        raise _error(file, codes.EMPTY_FILE, "file is empty",
                     "start from a template: authoring new", text=text)
    return doc


@cycles_uncollected
def _parse(text: str, utf8: bytes, file: str) -> Document | None:
    """The document built from the parser's events: libyaml's when present (20x faster), else
    PyYAML's own; None when the text holds no document.

    libyaml reads ``utf8``, the text's UTF-8 (its marks count characters all the same). On any
    YAML error we parse again with the pure-Python parser, whose messages and marks are the
    ones users see (libyaml's differ), so errors read the same everywhere; so does a libyaml
    that stops at a limit of its own (0.2.6, in PyYAML 6.0.4, refuses flow nesting past 1,000
    levels as it scans ahead, before the event of the first ``[``, with no word of where ours
    was passed).
    """
    may_hold_controls = _may_hold_controls(text, utf8)
    if getattr(yaml, "__with_libyaml__", False):
        doc = Document(file=file, data=None, text=text)
        parser = _fast_loader()(utf8)
        try:
            return doc if _Builder(doc, may_hold_controls).run(parser.get_event) else None
        except yaml.YAMLError:
            pass
        finally:
            parser.dispose()
    doc = Document(file=file, data=None, text=text)
    loader = yaml.SafeLoader(text)
    try:
        return doc if _Builder(doc, may_hold_controls).run(loader.get_event) else None
    finally:
        loader.dispose()


@cache
def _fast_loader() -> type:
    """libyaml's parser, nothing more: we build from its events (CParser; CSafeLoader would set
    up a constructor and resolver tables for every load that composing no longer needs)."""
    from yaml._yaml import CParser

    return CParser


@cache
def _implicit_resolvers() -> tuple[dict[str, tuple[Any, ...]], tuple[Any, ...]]:
    """SafeLoader's implicit resolvers of plain scalars by first character, and those for any
    character: made once, so that a tag is found without joining two lists per scalar."""
    implicit = yaml.SafeLoader.yaml_implicit_resolvers
    wildcards = tuple(implicit.get(None, ()))
    by_first = {first: (*resolvers, *wildcards) for first, resolvers in implicit.items()
                if first is not None}
    return by_first, wildcards


def _scalar_tag(tag: str | None, value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of a scalar as SafeLoader resolves it: the one written (``!!int 3``), else the
    first implicit resolver a plain scalar matches, else text."""
    if tag is not None and tag != "!":
        return tag
    if implicit[0]:
        by_first, wildcards = _implicit_resolvers()
        for resolved, pattern in by_first.get(value[:1], wildcards):
            if pattern.match(value):
                return resolved
    return STR_TAG


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> LoadError:
    """The parser's complaint, placed where the fix goes and with advice that fits it."""
    lines = re.split(_YAML_BREAK, text)  # YAML's lines, as its marks count them (NEL, LS, PS too)
    missing = _missing_colon(exc, lines)
    if missing is not None:
        line, column, key = missing
        written = lines[line].strip()
        fixed = f"{key}:{written[len(key):]}"
        return _error(file, codes.YAML_SYNTAX, f"missing ':' after '{key}'",
                      f"write '{fixed[:60]}{'…' if len(fixed) > 60 else ''}'",
                      line=line + 1, column=column + 1, text=text)
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        message = f"{exc.problem} ({exc.context})"
    if exc.context_mark and "end of stream" in message:
        # an unclosed quote or bracket: its opening is where the fix goes
        mark = exc.context_mark
    hint = _syntax_hint(message)
    misindented = _misindented(exc, lines)
    # a duplicate anchor or a second document is no text left unquoted, whatever its lines hold
    composed = isinstance(exc, yaml.composer.ComposerError) and "undefined alias" not in message
    for m in () if misindented or composed else (exc.problem_mark, exc.context_mark):
        source = lines[m.line] if m and m.line < len(lines) else ""
        if re.search(r"(^|:\s|-\s)[\[{*&!%@`|>]", source) and re.search(r":\s+[\[{*&!%@`]", source):
            hint = ("text that starts with [ { * & ! % @ or ` must be quoted: "
                    "key: \"[link](https://...) and more\"")
            break
    if misindented:
        hint = misindented
    return _error(file, codes.YAML_SYNTAX, f"YAML syntax error: {message}", hint,
                  line=mark.line + 1 if mark else None,
                  column=mark.column + 1 if mark else None, text=text)


def _misindented(exc: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """The hint for a block line indented unlike its siblings (``- We’re thinking:`` one space
    short of the items above it), or None. The parser says "expected <block end>" or "did not
    find expected key" at that line; the quoting hint, which the line above a flow mapping
    such as ``image: {src: ...}`` would call up, does not fit it."""
    mark = exc.problem_mark
    structural = ("expected <block end>", "did not find expected key", "did not find expected '-'",
                  "expected <block mapping start>")
    if mark is None or mark.line >= len(lines) or not any(
            s in (exc.problem or "") for s in structural):
        return None
    line = lines[mark.line]
    indent = len(line) - len(line.lstrip(" "))
    item = line.lstrip(" ").startswith("- ")
    for above in range(mark.line - 1, -1, -1):
        text = lines[above].lstrip(" ")
        if not text or text.startswith("#"):
            continue
        their = len(lines[above]) - len(text)
        if text.startswith("- ") == item and their != indent and abs(their - indent) <= 2:
            what = "the list items" if item else "the keys"
            return (f"this line is indented {indent} space{'s' if indent != 1 else ''}, {what} "
                    f"above it {their}: indent it like them (YAML counts the spaces; no tabs)")
        if their < indent - 2:
            break
    return None


# patterns for syntax errors alone: compiled by re on first use, not on every start
_KEY_ONLY = r"^(?P<indent> *)(?:- )?(?P<key>[^\s:#][^:#]*)$"
_KEY_AND_TEXT = r"^(?P<indent> *)(?:- +)?(?P<key>[\w’'-]+) +\S"


def _missing_colon(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str] | None:
    """(line, column, key), 0-based, of a ``key value`` line that lacks its colon.

    YAML reads such a line as text running on into the next key, and complains there
    ("mapping values are not allowed") or at the end of the mapping ("could not find
    expected ':'"); the colon belongs right after the line's first word.
    """
    problem, context = exc.problem_mark, exc.context_mark
    row: int | None = None
    if exc.problem == "could not find expected ':'" and context is not None:
        row = context.line
    elif exc.problem == "mapping values are not allowed here" and problem is not None \
            and problem.line < len(lines):
        key_line = re.match(_KEY_ONLY, lines[problem.line][:problem.column])
        above = problem.line - 1
        while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
            above -= 1
        if key_line and above >= 0 and not re.search(r":(\s|$)", lines[above]):
            above_indent = len(lines[above]) - len(lines[above].lstrip(" "))
            row = above if above_indent == len(key_line.group("indent")) else None
    if row is None or row >= len(lines):
        return None
    match = re.match(_KEY_AND_TEXT, lines[row])
    if match is None or re.search(r":(\s|$)", lines[row]):
        return None
    return row, match.end("key"), match.group("key")


def _syntax_hint(message: str) -> str:
    if "could not find expected ':'" in message or "mapping values are not allowed" in message:
        return "a text containing ': ' must be quoted (\"...\") or written as a block (key: |)"
    if "found character '\\t'" in message:
        return "YAML indents with spaces only"
    if "found duplicate anchor" in message:
        return "rename one of the two anchors (&name): each name may be defined once in a file"
    if "found another document" in message:
        return "an issue file holds one document: remove the '---' line and what follows it"
    if "found undefined alias" in message:
        return "define the anchor (&name) before using *name, or write the text out"
    if "quoted scalar" in message:
        return "close the quote that starts here, or remove it"
    if "flow" in message:
        return "close the { or [ that starts here, or write the fields on separate lines"
    if "expected <block end>" in message or "indentation" in message:
        return "indent this line like the other keys at its level (spaces only)"
    return "check this line and the one above for indentation, quotes and brackets"


MAX_DEPTH = 200
"""Lists and mappings nested deeper than this are refused (an issue needs about eight levels).
libyaml composes recursively in C, where no RecursionError guards the stack (100,000 ``[``
killed the process): we build from its events instead, which it makes without recursion, and
count the depth as we go."""


class _DepthPassed(LoadError):
    """Nesting past MAX_DEPTH, met while reading: refused at once, nothing after it is read."""


def _too_deep(file: str, text: str, mark: Any = None, *, passed: bool = True) -> LoadError:
    """``mark``: where the level past the limit opens (PyYAML's or libyaml's Mark), if known;
    ``passed``: the limit was passed while reading (not met in a loop of aliases, which the
    composer accepted: that is refused once the rest of the text has parsed)."""
    error = _error(file, codes.TOO_DEEP, "lists or mappings are nested too deeply",
                   "an issue needs only a few levels: check for runaway brackets", text=text,
                   line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)
    return _DepthPassed(error.diagnostic, text) if passed else error


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def load_file(path: str | Path) -> Document:
    """Read and parse a YAML file (raises LoadError)."""
    return load_bytes(read_bounded(path, MAX_BYTES + 1), path)


def load_bytes(raw: bytes, path: str | Path) -> Document:
    """Parse the bytes ``read_bounded(path, MAX_BYTES + 1)`` gave (raises LoadError)."""
    name = str(path)
    try:
        text, utf8 = _decode(raw, name, _size(path) if len(raw) > MAX_BYTES else len(raw))
    except LoadError as exc:  # quote the line as well as the bytes allow
        raise LoadError(exc.diagnostic, raw[:MAX_BYTES].decode("utf-8", errors="replace")) from None
    return _load(text, utf8, name)


def read_bounded(path: str | Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file (raises LoadError).

    Opened non-blocking so that a FIFO cannot stall us at open(); anything but a regular
    file (FIFO, device, socket) is refused before a byte is read.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise _not_a_file(name) from None
    except FileNotFoundError:
        raise _error(name, codes.FILE_NOT_FOUND, "no such file", "check the path") from None
    except OSError as exc:
        raise _error(name, codes.UNREADABLE, f"cannot read file: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _not_a_file(name)
        if not stat.S_ISREG(mode):
            raise _error(name, codes.NOT_A_REGULAR_FILE,
                         f"is a {_file_kind(mode)}, not a regular file: it cannot be read as an issue",
                         "pass the issue's .yaml file")
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(1 << 20, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _error(name, codes.UNREADABLE, f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)


def _size(path: str | Path) -> int | None:
    """The size the file system reports: to say how large a file is without reading it."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _not_a_file(name: str) -> LoadError:
    return _error(name, codes.NOT_A_FILE, "is a folder, not a file",
                  "pass the issue's .yaml file, or a glob such as issues/*.yaml")


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")]
    return next((kind for test, kind in kinds if test(mode)), "special file")


_READ_AS_WRITTEN = "\r\x85" + "".join(map(chr, range(0xFDD0, 0xFDF0)))
"""The characters of _CONTROL_CHARACTER that YAML's reader (libyaml's and PyYAML's alike) does
not refuse written as they are: CR and NEL, which it reads as line breaks, and the
noncharacters U+FDD0–U+FDEF, which pass."""

_READ_AS_WRITTEN_BYTES = b"\r\x85\xb7"
"""A byte that the UTF-8 of each of _READ_AS_WRITTEN holds: CR is 0D, NEL C2 85, the
noncharacters EF B7 90–AF. A text without any of the three holds none of them."""


def _may_hold_controls(text: str, utf8: bytes) -> bool:
    """Whether a value written other than in double quotes may hold a _CONTROL_CHARACTER.

    The reader refuses every other one; quotes, folding and block indentation add only spaces
    and line feeds. So only the escapes of a double-quoted scalar write one, unless the text
    holds one of _READ_AS_WRITTEN. Three searches of ``utf8`` (the text's UTF-8) for one byte,
    each memchr, rule that out for most texts; the 34 searches of the text are made only when
    one of those bytes is there (0x85 and 0xB7 are also in some other characters' UTF-8)."""
    if not any(map(utf8.__contains__, _READ_AS_WRITTEN_BYTES)):
        return False
    return any(map(text.__contains__, _READ_AS_WRITTEN))


_new_tuple = tuple.__new__
"""Makes a Scalar from its fields without the named tuple's own __new__, a Python function:
a third of the time, for the loader's one Scalar per value of every load."""


_EVENT_KINDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.ScalarEvent, yaml.AliasEvent)
"""What _Builder._node tells apart for every event, as its locals."""
_COLLECTION_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_COLLECTION_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Builder:
    """Turns the parser's events into plain data in one pass, recording positions and refusing
    unsafe things.

    No node graph and no recursion: a list of the collections open, so that no depth of
    nesting can overflow a stack, and the depth is counted as the events come (deeper than
    MAX_DEPTH is refused where it is passed). Each value's path is built once, by its parent,
    and its position and extent are read straight off the parser's marks. An alias is built
    again from the events recorded for its anchor, counted like any other value (alias bombs
    stop at MAX_NODES). The composer's own errors (an undefined alias, a duplicate anchor, a
    second document) are raised as PyYAML's composer raises them; our refusals (tags, keys,
    aliases) only once the rest of the text has parsed, so that a YAML error anywhere in the
    file is told first, as when the graph was composed before it was built."""

    def __init__(self, doc: Document, may_hold_controls: bool):
        self.doc = doc
        self.marks = doc.marks
        self.key_marks = doc.key_marks
        self.scalars = doc.scalars
        self.count = 0
        self.expanded_bytes = 0
        self.depth = 0
        """Collections open, aliases' included."""
        self.constructor: SafeConstructor | None = None
        """Made for the first value that is not text: most files have none."""
        self.unquoted_may_hold_controls = may_hold_controls
        """Whether a scalar other than a double-quoted one can hold a _CONTROL_CHARACTER."""
        self.anchors: dict[str, tuple[int, int] | None] = {}
        """Each anchor's events in ``recorded`` (start, end); None while its collection is open."""
        self.open_anchors: dict[str, int] = {}
        """The start in ``recorded`` of each anchored collection still open."""
        self.anchor_marks: dict[str, Mark] = {}
        """Where each anchor was defined, for the composer's message about a duplicate."""
        self.recorded: list[yaml.Event] = []
        """The parser's events from the first anchor on, to build aliases from (most files
        have no anchor and record nothing)."""
        self.root_mark: Mark | None = None

    def run(self, get_event: Callable[[], Any]) -> bool:
        """Build the document of the parser's events into ``doc.data``; False if there is none."""
        get_event()  # stream start
        if isinstance(get_event(), yaml.StreamEndEvent):  # else the document's start
            return False
        first = get_event()
        self.root_mark = first.start_mark
        try:
            self.doc.data = self._node(get_event, first, (), True)
        except LoadError as refusal:
            if not isinstance(refusal, _DepthPassed):
                self._drain(get_event)
            raise
        get_event()  # the document's end
        self._single_document(get_event())
        return True

    def _single_document(self, event: Any) -> None:
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError("expected a single document in the stream",
                                              self.root_mark, "but found another document",
                                              event.start_mark)

    def _drain(self, get_event: Callable[[], Any]) -> None:
        """Read the events left after a refusal, raising the YAML errors they hold and nesting
        too deep: those come first. Anchors are kept by name alone: nothing is built any more."""
        while (event := get_event()) is not None:
            if isinstance(event, _COLLECTION_STARTS):
                self._deeper(event)
            elif isinstance(event, _COLLECTION_ENDS):
                self.depth -= 1
            if isinstance(event, yaml.DocumentStartEvent):
                self._single_document(event)
            elif isinstance(event, yaml.AliasEvent):
                self._known(event)
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                self._define(event)
                self.anchors[event.anchor] = (0, 0)  # named: nothing is built from it any more

    def _node(self, get: Callable[[], Any], event: Any, path: YamlPath, live: bool) -> object:
        """The value of the node that ``event`` starts, at ``path``; its other events from
        ``get``, the parser's (``live``: recorded once an anchor was seen) or an anchor's."""
        stack: list[list[Any]] = []
        """The collections open: [container, path, the pending key's path or None, anchor or None]."""
        recorded = self.recorded
        mapping_end, sequence_end, scalar, alias = _EVENT_KINDS
        while True:
            if live and recorded:
                recorded.append(event)
            kind = event.__class__
            if kind is mapping_end or kind is sequence_end:
                frame = stack.pop()
                self.depth -= 1
                if frame[3] is not None:
                    self._close(frame[3], live)
                if not stack:
                    return frame[0]
                event = get()
                continue
            if not stack:  # the node asked for: a scalar, an alias or the outermost collection
                if kind is scalar:
                    if live and event.anchor is not None:
                        self._anchor(event, single=True)
                    return self._scalar(event, path)
                if kind is alias:
                    return self._alias(event, path)
                self._open(event, path, live, stack)
                event = get()
                continue
            frame = stack[-1]
            container = frame[0]
            pending = frame[2]
            if container.__class__ is dict:
                if pending is None:
                    skip = self._key(frame, event, live)
                    event = get()
                    if skip:
                        event = self._skip(get, event, live)
                    continue
                path = pending  # made once, by the key
                frame[2] = None
            else:
                path = frame[1] + (len(container),)
            if kind is scalar:
                if live and event.anchor is not None:
                    self._anchor(event, single=True)
                value = self._scalar(event, path)
            elif kind is alias:
                value = self._alias(event, path)
            else:
                self._open(event, path, live, stack)  # put in its parent as it opens
                event = get()
                continue
            if pending is None:
                container.append(value)
            else:
                container[path[-1]] = value
            event = get()

    def _open(self, event: Any, path: YamlPath, live: bool, stack: list[list[Any]]) -> object:
        """A collection starts: counted, checked, put in its parent and made the open one."""
        self._deeper(event)
        self._count(event, path)
        tag = event.tag
        mapping = event.__class__ is yaml.MappingStartEvent
        if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
            raise self._unsafe_tag(tag, event.start_mark)
        anchor = None
        if live and event.anchor is not None:
            anchor = event.anchor
            self._anchor(event, single=False)
        container: dict | list = {} if mapping else []
        if stack:
            parent = stack[-1][0]
            if parent.__class__ is dict:
                parent[path[-1]] = container
            else:
                parent.append(container)
        stack.append([container, path, None, anchor])
        return container

    def _key(self, frame: list[Any], event: Any, live: bool) -> bool:
        """Take ``event`` as the next key of the open mapping; True when its value is to be
        skipped (a duplicate key, reported)."""
        kind = event.__class__
        if live and kind is not yaml.AliasEvent and event.anchor is not None:
            self._anchor(event, single=kind is yaml.ScalarEvent)
        key_event: Any = event
        if kind is yaml.AliasEvent:
            if self.anchors.get(event.anchor, _UNDEFINED) is None:  # a collection still open
                raise self._error_at(self.anchor_marks[event.anchor], codes.COMPLEX_KEY,
                                     "mapping keys must be plain text")
            key_event = self.recorded[self._defined(event)[0]]
        if key_event.__class__ is not yaml.ScalarEvent:
            if kind is not yaml.AliasEvent:
                self._deeper(event)  # open, for the rest of the text read after this refusal
            raise self._error_at(key_event.start_mark, codes.COMPLEX_KEY, "mapping keys must be plain text")
        if (key_event.value == "<<" or key_event.tag is not None) and \
                _scalar_tag(key_event.tag, key_event.value, key_event.implicit) == MERGE_TAG:
            # PyYAML lets merged keys win over the ones written here; refuse rather
            # than report the override as a duplicate and keep the wrong value
            raise self._error_at(key_event.start_mark, codes.MERGE_KEY, "merge keys (<<) are not supported",
                                 "write the keys out in this mapping instead of merging an anchor")
        key = key_event.value
        key_path = frame[1] + (key,)
        if key in frame[0]:
            self._duplicate(key_event, key_path)
            return True
        mark: Any = key_event.start_mark  # a Mark: the stubs allow None, which events never hold
        self.key_marks[key_path] = mark
        frame[2] = key_path
        return False

    def _skip(self, get: Callable[[], Any], event: Any, live: bool) -> Any:
        """Read past the node ``event`` starts (the value of a duplicate key: not built, its
        anchors kept, its depth counted); the event after it."""
        anchors: list[str | None] = []
        """Of each collection open in the node, its anchor if any."""
        recorded = self.recorded
        while True:
            if live and recorded:
                recorded.append(event)
            if isinstance(event, _COLLECTION_ENDS):
                self.depth -= 1
                self._close(anchors.pop(), live)
            elif isinstance(event, yaml.AliasEvent):
                self._known(event)  # not built here: inside its own anchor too
            else:
                anchor = None
                if live and event.anchor is not None:
                    anchor = event.anchor
                    self._anchor(event, single=isinstance(event, yaml.ScalarEvent))
                if isinstance(event, _COLLECTION_STARTS):
                    self._deeper(event)
                    anchors.append(anchor)
            event = get()
            if not anchors:
                return event

    def _deeper(self, event: Any) -> None:
        """A collection opens: one level deeper, refused past MAX_DEPTH where it opens (at
        once: the rest of the text is not read)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(self.doc.file, self.doc.text, event.start_mark)

    def _close(self, anchor: str | None, live: bool) -> None:
        """A collection closes: if the parser's and anchored, its recorded events are complete."""
        if anchor is not None and live:
            self.anchors[anchor] = (self.open_anchors.pop(anchor), len(self.recorded))

    def _define(self, event: Any) -> None:
        """The composer's refusal of an anchor defined twice."""
        name = event.anchor
        if name in self.anchors:
            raise yaml.composer.ComposerError(f"found duplicate anchor {name!r}; first occurrence",
                                              self.anchor_marks[name], "second occurrence",
                                              event.start_mark)
        self.anchor_marks[name] = event.start_mark

    def _anchor(self, event: Any, single: bool) -> None:
        """The parser's ``event`` defines an anchor: record from here on."""
        self._define(event)
        recorded = self.recorded
        if not recorded:
            recorded.append(event)  # the first: recording starts with it
        start = len(recorded) - 1
        if single:
            self.anchors[event.anchor] = (start, start + 1)
        else:
            self.anchors[event.anchor] = None
            self.open_anchors[event.anchor] = start

    def _known(self, event: Any) -> None:
        """The composer's refusal of an alias to no anchor defined before it."""
        if event.anchor not in self.anchors:
            self._defined(event)

    def _defined(self, event: Any) -> tuple[int, int]:
        """The recorded events of the anchor an alias names (the composer's refusal if none);
        an alias inside its own anchor's collection would nest it without end."""
        span = self.anchors.get(event.anchor, _UNDEFINED)
        if span is _UNDEFINED:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                              event.start_mark)
        if span is None:  # the composer made a loop of it: refused once the text has parsed
            raise _too_deep(self.doc.file, self.doc.text, event.start_mark, passed=False)
        return span

    def _alias(self, event: Any, path: YamlPath) -> object:
        start, end = self._defined(event)
        replay = map(self.recorded.__getitem__, range(start, end)).__next__
        depth = self.depth
        try:
            return self._node(replay, replay(), path, False)
        except LoadError:
            self.depth = depth  # the parser's collections alone are open when the rest is read
            raise

    def _count(self, event: Any, path: YamlPath) -> None:
        self.count += 1
        self.marks[path] = event.start_mark
        if self.count > MAX_NODES:
            raise self._error_at(event.start_mark, codes.ALIAS_BOMB,
                                 f"document expands to more than {MAX_NODES:,} values through aliases",
                                 "remove the anchors (&) and aliases (*): issues do not need them")

    def _error_at(self, mark: Any, code: str, message: str, hint: str | None = None) -> LoadError:
        position = _position(mark)
        return _error(self.doc.file, code, message, hint, line=position.line,
                      column=position.column, text=self.doc.text)

    def _unsafe_tag(self, tag: str, mark: Mark) -> LoadError:
        return self._error_at(mark, codes.UNSAFE_TAG, f"tag '{_short_tag(tag)}' is not allowed",
                              "remove the tag: issue files hold plain text, numbers, lists and mappings")

    def _scalar(self, event: Any, path: YamlPath) -> object:
        self.count += 1  # _count written out (every value of every load is one); it raises
        self.marks[path] = event.start_mark
        if self.count > MAX_NODES:
            self._count(event, path)  # past the limit: its refusal
        text: str = event.value
        tag = event.tag
        if tag is None and not event.implicit[0]:
            tag = STR_TAG  # quoted or a block, untagged: text without a resolver asked
        else:
            tag = _scalar_tag(tag, text, event.implicit)
            if tag != STR_TAG and tag not in _ALLOWED_TAGS:
                raise self._unsafe_tag(tag, event.start_mark)
        self.expanded_bytes += len(text)
        if self.expanded_bytes > MAX_EXPANDED_BYTES:
            raise self._error_at(event.start_mark, codes.ALIAS_BOMB,
                                 f"document expands to more than {MAX_EXPANDED_BYTES:,} bytes of text "
                                 "through aliases",
                                 "remove the anchors (&) and aliases (*): issues do not need them")
        style = event.style
        if style is None:
            style = ""
        elif style == "|" or style == ">":
            self.doc.block_scalars.add(path)
        # marks count characters of the text, as libyaml and PyYAML's own reader both do
        self.scalars[path] = _new_tuple(Scalar, (style, event.start_mark.index, event.end_mark.index, text))
        checked = style == '"' or self.unquoted_may_hold_controls
        if tag == STR_TAG:
            # most scalars: the constructor would return the text after a dozen calls
            if checked:
                self._check_characters(text, event.start_mark, path)
            return text
        if self.constructor is None:
            self.constructor = SafeConstructor()
        node = ScalarNode(tag, text, event.start_mark, event.end_mark, style=event.style)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            # e.g. a timestamp like 2026-13-45: keep the text, validation reports the field
            value = text
        if not isinstance(value, str) and not style and tag != "tag:yaml.org,2002:null":
            self.doc.raw_scalars[path] = text
        if checked and isinstance(value, str):
            self._check_characters(value, event.start_mark, path)
        return value

    def _check_characters(self, value: str, mark: Mark, path: YamlPath) -> None:
        if value.isprintable():
            return  # every character _CONTROL_CHARACTER names is unprintable (Cc, Cs, Cn): none here
        match = _control_character().search(value)
        if match is None:
            return
        code_point = ord(match.group())
        position = _position(mark)
        self.doc.diagnostics.append(Diagnostic(
            code=codes.CONTROL_CHARACTER, severity=Severity.ERROR,
            message=f"control character U+{code_point:04X} in this text "
                    f"(character {match.start() + 1}) is not allowed",
            hint="delete the escape (\\x.., \\u....) that writes it: it is invisible and "
                 "breaks rendering",
            file=self.doc.file, line=position.line, column=position.column, path=path))

    def _duplicate(self, key_event: Any, key_path: YamlPath) -> None:
        """Reported, not raised: the rest of the file is still checked."""
        first = self.key_marks.get(key_path)
        where = f" (first defined on line {first.line + 1})" if first else ""
        position = _position(key_event.start_mark)
        self.doc.diagnostics.append(Diagnostic(
            code=codes.DUPLICATE_KEY, severity=Severity.ERROR,
            message=f"duplicate key '{key_event.value}'{where}",
            hint="each key may appear once in a mapping: merge the two or rename one",
            file=self.doc.file, line=position.line, column=position.column, path=key_path))


_UNDEFINED = (-1, -1)
"""An anchor not (yet) defined."""
