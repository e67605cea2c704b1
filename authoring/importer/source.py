"""The source text before its shapes are read: characters YAML refuses, and the Links block.

Two things are settled here, line by line, before the text is cut into paragraphs:

- characters no YAML file may hold (C0 and C1 controls other than tab and newline,
  U+FFFE, U+FFFF, lone surrogates, the line separators YAML reads as line breaks) are
  replaced with U+FFFD, each line with one named in a warning, so the YAML written
  never needs an escape that validation would refuse;
- the ``Links`` block that ends a text rendered with ``text_links: references``
  (``[1] https://...`` lines under a ``=`` rule) is taken off the end, and its URLs are
  returned so that ``text [1]`` in the body reads back as ``text (https://...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from authoring import codes
from authoring.diagnostics import Diagnostic, Severity

REPLACEMENT = "\ufffd"
# What YAML's reader refuses (tab and newline aside), plus C1 controls, noncharacters,
# lone surrogates and the separators YAML would read as line breaks.
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u2028\u2029]")
_RULE = re.compile(r"^={3,}$")
_REFERENCE = re.compile(r"^\[(?P<number>\d{1,4})\]\s+(?P<url>\S+)$")
_CITED = re.compile(r"(?<=\S) \[(?P<number>\d{1,4})\]")


@dataclass
class Source:
    """The text to read, the URLs of its Links block and what was changed."""

    text: str
    links: dict[str, str] = field(default_factory=dict)
    """Reference number → URL, from the Links block (empty for inline links)."""
    warnings: list[Diagnostic] = field(default_factory=list)


def one_line(text: str) -> str:
    """``text`` as one line YAML can hold (a file name for the subject and the top comment): runs of
    whitespace, line breaks among them, one space; characters YAML refuses U+FFFD."""
    return _REFUSED.sub(REPLACEMENT, " ".join(text.split()))


def prepare(text: str, *, source: str) -> Source:
    """``text`` with refused characters replaced and the Links block taken off."""
    prepared = Source(text=text)
    if _REFUSED.search(text):
        prepared.text = _replace_refused(text, source, prepared.warnings)
    prepared.text, prepared.links = _take_links_block(prepared.text)
    return prepared


def _replace_refused(text: str, source: str, warnings: list[Diagnostic]) -> str:
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        found = _REFUSED.findall(line)
        if not found:
            continue
        lines[number - 1] = _REFUSED.sub(REPLACEMENT, line)
        names = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
        warnings.append(Diagnostic(
            code=codes.CONTROL_CHARACTER_REPLACED, severity=Severity.WARNING, file=source, line=number,
            message=f"line {number}: {len(found)} character{'s' if len(found) > 1 else ''} YAML cannot "
                    f"hold ({names}) replaced with U+FFFD",
            hint="delete the \ufffd or put the character it stood for"))
    return "\n".join(lines)


def _take_links_block(text: str) -> tuple[str, dict[str, str]]:
    """The text without a final ``Links`` / ``=====`` / ``[n] url`` block, and its URLs."""
    lines = text.rstrip().split("\n")  # a last line of spaces after the block is no text after it
    end = len(lines)
    links: dict[str, str] = {}
    while end and (match := _REFERENCE.match(lines[end - 1].strip())):
        links[match.group("number")] = match.group("url")
        end -= 1
    if not links or end < 2 or lines[end - 2].strip() != "Links" or not _RULE.match(lines[end - 1].strip()):
        return text, {}
    return "\n".join(lines[:end - 2]).rstrip("\n") + "\n", links


def cite(text: str, links: dict[str, str]) -> str:
    """``text [1]`` → ``text (https://...)``: references read as inline links."""
    if not links or "[" not in text:
        return text
    return _CITED.sub(lambda m: f" ({links[m.group('number')]})" if m.group("number") in links
                      else m.group(0), text)
