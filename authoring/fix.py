"""``authoring fix``: rewrite what a check flags and a machine can mend, in place.

Today one fix: the straight quotes that the ``quotes`` check (``straight-quotes``) flags become
the house's curly ones: ’ for an apostrophe, ‘…’ around a single-quoted phrase, “…” around a
double-quoted one. Code spans and URLs are left alone (the check blanks them), and so is every
other byte of the file: comments, key order, quoting style and line endings. Each quote is
rewritten where YAML says it was written (``authoring.scalars``): ``\\"`` in a double-quoted
value and ``''`` in a single-quoted one become one curly character.

The file is replaced atomically (a temporary file beside it, then a rename), keeping its
permissions, and only when it is a regular file of ours that nothing changed meanwhile: a
symbolic link, another user's file or one with other hard links is refused (see
docs/security.md, "Writing and deleting").
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from authoring import checks, scalars
from authoring.diagnostics import AuthoringError
from authoring.load import MAX_BYTES, LoadError, load_text, read_bounded

_WORD = re.compile(r"\w")


@dataclass
class Edit:
    """One quote to replace: the characters [start, end) of the file's text become ``new``."""

    start: int
    end: int
    new: str


@dataclass
class Fixed:
    """What ``fix_text`` made of a file."""

    old: str
    new: str
    edits: list[Edit]

    def diff(self, name: str) -> str:
        return "".join(difflib.unified_diff(self.old.splitlines(keepends=True),
                                            self.new.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def curly(prose: str, offsets: list[int]) -> dict[int, str]:
    """The curly quote for each flagged straight quote of ``prose`` (offsets from
    ``checks.straight_quotes``), plus the closing partner of each opening single quote."""
    out: dict[int, str] = {}
    for offset in offsets:
        if prose[offset] == '"':
            opening = offset + 1 < len(prose) and _WORD.match(prose[offset + 1]) is not None and not (
                offset > 0 and _WORD.match(prose[offset - 1]))
            out[offset] = "“" if opening else "”"
            continue
        if offset > 0 and _WORD.match(prose[offset - 1]):
            out[offset] = "’"  # it's, rock'n'roll
            continue
        closing = _closing_single(prose, offset)
        if closing is None:
            out[offset] = "’"  # 'tis, '90s: an elision
        else:
            out[offset], out[closing] = "‘", "’"
    return out


def _closing_single(prose: str, opening: int) -> int | None:
    """The ``'`` that closes a single-quoted phrase opened at ``opening``, on the same line: one
    after a word or a stop and before no letter."""
    end = prose.find("\n", opening)
    for match in re.finditer(r"(?<=[\w.,!?])'(?!\w)", prose[opening + 1:end if end >= 0 else None]):
        return opening + 1 + match.start()
    return None


def fix_text(text: str, file: str = "<string>") -> Fixed:
    """The text of an issue file with its straight quotes made curly; AuthoringError when the
    file is not an issue that can be read (fix it with ``authoring validate`` first)."""
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        # CRLF throughout (a Windows editor): fixed as LF, written back as CRLF, byte for byte;
        # YAML's own reading of a block scalar's lines is replayed on LF alone
        fixed = _fix_text(text.replace("\r\n", "\n"), file)
        return Fixed(old=text, new=fixed.new.replace("\n", "\r\n"), edits=fixed.edits)
    return _fix_text(text, file)


def _fix_text(text: str, file: str) -> Fixed:
    from authoring.structure import build_issue
    from authoring.validate import validate_document

    try:
        doc = load_text(text, file)
    except LoadError as exc:
        raise AuthoringError(f"{file}: cannot be read as YAML; nothing fixed", [exc.report]) from None
    issue, _problems, _filled = build_issue(doc)
    if issue is None:
        report = validate_document(doc).report
        raise AuthoringError(f"{file}: not an issue that can be read; nothing fixed", [report])
    edits: list[Edit] = []
    for path, value, _is_markdown in checks.text_fields(issue):
        if "'" not in value and '"' not in value:
            continue
        prose = checks.blank_code_and_urls(value)
        found = checks.straight_quotes(prose)
        scalar = doc.scalars.get(path)
        if not found or scalar is None:
            continue
        # the model's text is the value as YAML read it, or that value stripped
        if scalar.value == value:
            shift = 0
        elif scalar.value.strip() == value:
            shift = len(scalar.value) - len(scalar.value.lstrip())
        else:
            continue
        offsets = scalars.source_offsets(doc.text, scalar)
        if offsets is None:
            continue  # the loader could not replay this value exactly: leave it as written
        for offset, new in curly(prose, found).items():
            edit = _edit(doc.text, scalar.style, offsets[shift + offset], value[offset], new)
            if edit is not None:
                edits.append(edit)
    # one edit per place: a value reached twice (through an alias) is written once
    edits = list({edit.start: edit for edit in edits}.values())
    new_text = doc.text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        new_text = new_text[:edit.start] + edit.new + new_text[edit.end:]
    prefix = text[:len(text) - len(doc.text)] if text.endswith(doc.text) else None
    if prefix is None:
        raise AuthoringError(f"{file}: its text could not be matched to the file's; nothing fixed")
    return Fixed(old=text, new=prefix + new_text, edits=sorted(edits, key=lambda e: e.start))


def _edit(text: str, style: str, at: int, quote: str, new: str) -> Edit | None:
    """Replace the quote written at ``at`` in a value of ``style``; None when the source does not
    hold it as expected (never guess)."""
    written = {scalars.DOUBLE: "\\" + quote if quote == '"' else quote,
               scalars.SINGLE: "''" if quote == "'" else quote}.get(style, quote)
    if text.startswith(written, at):
        return Edit(at, at + len(written), new)
    if text.startswith(quote, at):  # a quote that needs no escape in this style
        return Edit(at, at + 1, new)
    return None


def fix_file(path: str | Path, *, write: bool = True) -> Fixed:
    """Fix the file's quotes and, with ``write``, replace it atomically when anything changed."""
    path = Path(path)
    before = _own_regular_file(path)
    try:
        data = read_bounded(path, MAX_BYTES)
    except LoadError as exc:
        raise AuthoringError(str(exc), [exc.report]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuthoringError(f"{path}: not UTF-8 text (byte {exc.start}); nothing fixed") from None
    fixed = fix_text(text, str(path))
    if write and fixed.edits:
        _replace(path, fixed.new.encode("utf-8"), before)
    return fixed


def _own_regular_file(path: Path) -> os.stat_result:
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise AuthoringError(f"{path}: no such file") from None
    except OSError as exc:
        raise AuthoringError(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise AuthoringError(f"{path} is a symbolic link: fix rewrites only a file itself; "
                             f"run it on the file the link points to")
    if not stat.S_ISREG(info.st_mode):
        raise AuthoringError(f"{path} is not a regular file; nothing fixed")
    if info.st_uid != os.getuid():
        raise AuthoringError(f"{path} belongs to another user (uid {info.st_uid}); nothing fixed")
    if info.st_nlink > 1:
        raise AuthoringError(f"{path} has {info.st_nlink - 1} other hard link(s): replacing it "
                             "would leave them with the old text; nothing fixed")
    return info


def _replace(path: Path, data: bytes, before: os.stat_result) -> None:
    from authoring.files import write_temp

    temp = write_temp(path.parent, path.name, data)
    try:
        os.chmod(temp, stat.S_IMODE(before.st_mode))
        now = path.lstat()
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (before.st_ino, before.st_size,
                                                          before.st_mtime_ns):
            raise AuthoringError(f"{path} changed while it was being fixed; nothing written "
                                 "(run fix again)")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
