"""Diagnostics: what validation found, where, and how to fix it."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import asdict, field
from functools import lru_cache
from typing import overload

from authoring.model import YamlPath
from authoring.records import dataclass
from authoring.terminal import shown


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest known word, for 'did you mean ...?' hints."""
    return closest_word(word, tuple(choices))


@lru_cache(maxsize=512)
def closest_word(word: str, choices: tuple[str, ...]) -> str | None:
    """suggest, remembered: difflib takes 30-90 µs a word, and every validation of an issue asks
    again for each of its one-off section labels (``What it says``) and mistyped keys."""
    lowered = {c.lower(): c for c in choices}
    key = word.lower()
    if key in lowered:  # only the case differs ("Key Insight"): the closest there is, at once
        return lowered[key]
    match = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Level(str, enum.Enum):
    """How finished a draft must be."""

    DRAFT = "draft"
    """Image sources and link URLs may be missing (warnings): drafts must be previewable."""
    EXPORT = "export"
    """Everything needed to send is required (errors)."""


def format_path(path: YamlPath) -> str:
    """('stories', 3, 'news') → 'stories[3].news'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Diagnostic:
    """One problem found in a file."""

    code: str
    """Stable identifier, e.g. ``unknown-key``; scripts and ``--format json`` rely on it."""
    severity: Severity
    message: str
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    """1-based line, or None when the problem is about the file as a whole."""
    column: int | None = None
    """1-based column."""
    path: YamlPath = field(default_factory=tuple)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        parts = [shown(self.file) if self.file else "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = format_path(self.path)
        text = f"{self.location()}: {self.severity.value}: "
        if where:
            text += f"{where}: "
        text += self.message
        if self.hint:
            text += f" — {self.hint}"
        return f"{text} [{self.code}]"

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["path"] = format_path(self.path)
        return data


class SourceLines(Sequence[str]):
    """A text's lines (``str.splitlines``), split when first read: a report quotes them only
    when it is printed, and a render never prints it (~35 µs a seed issue)."""

    __slots__ = ("_text", "_lines")

    def __init__(self, text: str):
        self._text = text
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._split()[index]

    def __len__(self) -> int:
        return len(self._split())

    def __eq__(self, other: object) -> bool:
        return self._split() == (other._split() if isinstance(other, SourceLines) else other)

    __hash__ = None  # type: ignore[assignment]  # mutable in effect, like the list it stands for

    def __repr__(self) -> str:
        return repr(self._split())


@dataclass
class Report:
    """All diagnostics for one file, plus the source lines to quote them."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source_lines: Sequence[str] = field(default_factory=list, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def sorted(self) -> list[Diagnostic]:
        return sorted(
            self.diagnostics,
            key=lambda d: (d.line or 0, d.column or 0, d.severity is not Severity.ERROR),
        )

    def format_text(self, *, context: bool = True) -> str:
        """Each diagnostic on its line, with the offending source line and a caret under it."""
        lines = []
        for diag in self.sorted():
            lines.append(str(diag))
            same_file = diag.file in (None, self.file)  # publication errors ride along
            if context and same_file and diag.line and 0 < diag.line <= len(self.source_lines):
                source = self.source_lines[diag.line - 1].rstrip("\n")
                if len(source) > 160:
                    source = source[:157] + "..."
                lines.append(f"    {source}")
                if diag.column and diag.column <= len(source) + 1:
                    lines.append("    " + " " * (diag.column - 1) + "^")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok(),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "diagnostics": [d.to_json() for d in self.sorted()],
        }


def dumps_json(reports: list[Report]) -> str:
    import json

    return json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2)


class AuthoringError(Exception):
    """A problem with the user's input that stops a command; carries the diagnostics."""

    def __init__(self, message: str, reports: list[Report] | None = None):
        super().__init__(message)
        self.reports = reports or []
