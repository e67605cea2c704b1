"""Where each character of a YAML text value was written: offsets in the value → offsets in the file.

A check that finds a problem inside a text reports its offset in the value; the value is not
the source, though: quotes and escapes are gone, folded and plain lines are joined with a
space, block scalars lose their indentation. ``source_offsets`` replays YAML's rules for the
scalar's style (plain, '...', "...", | and >, with chomping and indentation indicators) and
returns, for every character of the value, its offset in the document; it checks the replay
against the value the parser produced and gives up (None) rather than guess.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import NamedTuple, overload

PLAIN, SINGLE, DOUBLE, LITERAL, FOLDED = "", "'", '"', "|", ">"

_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "/": "/", "N": "\x85",
            "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class Scalar(NamedTuple):
    """A text value as the loader found it: its style, where it is and what it says.

    A named tuple: immutable and hashable like a frozen dataclass, and made three times as
    fast, which counts as the loader makes one for every value of every load."""

    style: str
    """PLAIN, SINGLE, DOUBLE, LITERAL or FOLDED."""
    start: int
    """Offset in the document of its first character (the quote or the | > indicator)."""
    end: int
    """Offset just past it."""
    value: str
    """The text YAML made of it (before any type conversion)."""


class Piece(Sequence[int]):
    """Characters of the value as replayed, and the document offset each came from, as the
    sequence of those offsets. Kept as runs: text copied as written (offsets counting on from
    its first character's) and text standing for one place (an escape, a line break), so that
    a line costs one run, not a Python int per character (~45 µs for a letter of 3,000)."""

    __slots__ = ("parts", "starts", "sources", "steps", "length")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        """Where each run starts in the value."""
        self.sources: list[int] = []
        """The document offset of each run's first character."""
        self.steps: list[int] = []
        """1 for a run copied as written, 0 for one whose characters all stand for one place."""
        self.length = 0

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        """The document offset of character ``index`` of the value."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(index)
        run = bisect.bisect_right(self.starts, index) - 1
        return self.sources[run] + (index - self.starts[run]) * self.steps[run]

    def copy(self, written: str, start: int) -> None:
        """Characters written as they are, the first at document offset ``start``."""
        if written:
            self._run(written, start, 1)

    def put(self, chars: str, at: int) -> None:
        """Characters (an escape's, a line break's) that all stand for document offset ``at``."""
        if chars:
            self._run(chars, at, 0)

    def _run(self, chars: str, source: int, step: int) -> None:
        self.parts.append(chars)
        self.starts.append(self.length)
        self.sources.append(source)
        self.steps.append(step)
        self.length += len(chars)

    def extend(self, other: Piece) -> None:
        self.parts += other.parts
        self.starts += [start + self.length for start in other.starts]
        self.sources += other.sources
        self.steps += other.steps
        self.length += other.length

    def value(self) -> str:
        return "".join(self.parts)


def source_offsets(text: str, scalar: Scalar) -> Sequence[int] | None:
    """The document offset of each character of ``scalar.value``, or None if it cannot be exact."""
    return _block(text, scalar) if scalar.style in (LITERAL, FOLDED) else _flow(text, scalar)


# ---------------------------------------------------------------- plain and quoted: flow folding


def _flow(text: str, scalar: Scalar) -> Piece | None:
    inner = 1 if scalar.style in (SINGLE, DOUBLE) else 0
    start, end = scalar.start + inner, scalar.end - inner
    lines = _lines(text, start, end)
    decoded: list[tuple[Piece, bool]] = []  # per line: its characters, whether it ends in an escaped break
    for number, (offset, line) in enumerate(lines):
        first, last = number == 0, number == len(lines) - 1
        if not first:
            stripped = line.lstrip(" \t")
            offset, line = offset + len(line) - len(stripped), stripped
        escaped_break = scalar.style == DOUBLE and not last and _ends_in_escape(line)
        if escaped_break:
            line = line[:-1]
        elif not last:
            line = line.rstrip(" \t")
        piece = _unescape(line, offset, scalar.style)
        if piece is None:
            return None
        decoded.append((piece, escaped_break))
    out = _fold_flow(decoded, lines)
    return out if out.value() == scalar.value else None


def _fold_flow(decoded: list[tuple[Piece, bool]], lines: list[tuple[int, str]]) -> Piece:
    """Join lines: one break → a space, n empty lines → n breaks, an escaped break → nothing."""
    out = decoded[0][0]
    k = 1
    while k < len(decoded):
        break_at = lines[k - 1][0] + len(lines[k - 1][1])
        empties = 0
        while k < len(decoded) - 1 and not decoded[k][0] and not decoded[k][1]:
            empties, k = empties + 1, k + 1
        escaped = decoded[k - 1 - empties][1]
        out.put("\n" * empties if escaped or empties else " ", break_at)
        out.extend(decoded[k][0])
        k += 1
    return out


def _ends_in_escape(line: str) -> bool:
    backslashes = len(line) - len(line.rstrip("\\"))
    return backslashes % 2 == 1


def _unescape(line: str, offset: int, style: str) -> Piece | None:
    if style == DOUBLE:
        return _unescape_double(line, offset)
    out = Piece()
    if style == SINGLE:  # '' stands for one quote, the first of the two
        i = 0
        while (quotes := line.find("''", i)) >= 0:
            out.copy(line[i:quotes + 1], offset + i)
            i = quotes + 2
        out.copy(line[i:], offset + i)
        return out
    out.copy(line, offset)
    return out


def _unescape_double(line: str, offset: int) -> Piece | None:
    out = Piece()
    i = 0
    while (escape := line.find("\\", i)) >= 0:
        out.copy(line[i:escape], offset + i)
        code = line[escape + 1:escape + 2]
        if code in _ESCAPES:
            out.put(_ESCAPES[code], offset + escape)
            i = escape + 2
        elif code in _HEX_ESCAPES:
            digits = line[escape + 2:escape + 2 + _HEX_ESCAPES[code]]
            try:
                out.put(chr(int(digits, 16)), offset + escape)
            except ValueError:
                return None
            i = escape + 2 + len(digits)
        else:
            return None
    out.copy(line[i:], offset + i)
    return out


# ---------------------------------------------------------------- | and >: block scalars


def _block(text: str, scalar: Scalar) -> Piece | None:
    header_end = text.find("\n", scalar.start, scalar.end)
    if header_end < 0:
        return None
    lines = _lines(text, header_end + 1, scalar.end)
    if lines and not lines[-1][1]:
        lines.pop()  # the end mark sits at the start of the next line
    for indent in _indent_candidates(lines):
        pieces = _block_lines(lines, indent, folded=scalar.style == FOLDED)
        if pieces is not None and pieces.value().rstrip("\n") == scalar.value.rstrip("\n"):
            return pieces
    return None


def _indent_candidates(lines: list[tuple[int, str]]) -> list[int]:
    """YAML's auto-detected indentation first; an explicit indicator is one of the smaller ones."""
    auto = 1
    for _, line in lines:
        if line.strip(" "):
            auto = max(auto, len(line) - len(line.lstrip(" ")))
            break
        auto = max(auto, len(line))
    return [auto, *range(auto - 1, 0, -1)]


def _block_lines(lines: list[tuple[int, str]], indent: int, *, folded: bool) -> Piece | None:
    """The value of a block scalar's lines under ``indent``, None if a line is less indented.

    Called for the block scalar of each finding: the breaks of empty lines wait in a list of
    their offsets, not in a Piece made for every line."""
    out = Piece()
    empties: list[int] = []  # offsets of empty lines: their breaks come before the next content line
    previous_end = -1  # just past the content line before, where its break is; -1 before the first
    previous_indented = False  # whether that line is more indented (a folded block keeps its break)
    for offset, line in lines:
        if len(line) <= indent and not line.strip(" "):
            empties.append(offset)
            continue
        if line[:indent].strip(" "):
            return None  # less indented: not part of this scalar under this indentation
        indented = line.startswith((" ", "\t"), indent)
        if previous_end >= 0:
            if not folded or previous_indented or indented:
                out.put("\n", previous_end)
            elif not empties:
                out.put(" ", previous_end)
        for empty in empties:
            out.put("\n", empty)
        empties.clear()
        out.copy(line[indent:], offset + indent)
        previous_end = offset + len(line)
        previous_indented = indented
    return out


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """The lines of text[start:end], each with the document offset it starts at."""
    out = []
    offset = start
    for line in text[start:end].split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out
