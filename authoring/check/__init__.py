"""``authoring check``: measure whether an issue is ready to send, located in the YAML.

The issue is built exactly as ``export`` builds it (in memory), then each registered part
looks at it and returns its figures and findings. Parts register with ``@part(name, ...)``
in their own module; ``fast`` parts (everything but the spam score and the browser audit)
are the ones ``export`` runs before writing anything.

    from authoring.check import check_file
    report = check_file("issues/0321.yaml")
    print(report.format_text())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from authoring.check.build import Built, NotCheckable, build, from_export, from_validated
from authoring.check.report import CheckReport, PartResult
from authoring.diagnostics import Diagnostic
from authoring.load import cycles_uncollected

if TYPE_CHECKING:
    from authoring.links import LinkCheck
    from authoring.outgoing import Export

__all__ = ["Built", "CheckOptions", "CheckReport", "NotCheckable", "PartResult", "PARTS",
           "check_built", "check_file", "from_validated", "part", "send_ready"]


@dataclass
class CheckOptions:
    against: Path | None = None
    """Folder of earlier issues to compare with (default: the issue's own folder)."""
    parts: set[str] | None = None
    """Only these parts (default: all but the opt-in ones)."""
    browser: bool = False
    """Run the opt-in accessibility audit in headless Chromium."""
    spam: bool = True
    """Run SpamAssassin (about 2 s)."""
    figures: bool = True
    """Measure what is only shown, not judged (export's gate needs the findings alone)."""


@dataclass
class Part:
    name: str
    title: str
    run: Callable[[Built, CheckOptions], PartResult]
    fast: bool = True
    """Cheap enough for every export (no external process, no browser)."""
    opt_in: bool = False
    needs_html: bool = True
    """Reads the rendered email (not run, and said, when a broken draft has none)."""


PARTS: dict[str, Part] = {}
"""The registered parts, in report order."""

_MODULES = ["validation", "clients", "spam", "size", "images", "inbox", "spoofing", "contrast",
            "history", "access"]
"""Modules under authoring.check holding parts, in report order."""


def part(name: str, title: str, *, fast: bool = True, opt_in: bool = False, needs_html: bool = True
         ) -> Callable[[Callable[[Built, CheckOptions], PartResult]],
                       Callable[[Built, CheckOptions], PartResult]]:
    def register(func: Callable[[Built, CheckOptions], PartResult]
                 ) -> Callable[[Built, CheckOptions], PartResult]:
        PARTS[name] = Part(name=name, title=title, run=func, fast=fast, opt_in=opt_in,
                           needs_html=needs_html)
        return func
    return register


def _load_parts() -> None:
    for module in _MODULES:
        importlib.import_module(f"authoring.check.{module}")


def _in_order() -> list[Part]:
    _load_parts()
    order = {f"authoring.check.{module}": i for i, module in enumerate(_MODULES)}
    return sorted(PARTS.values(), key=lambda entry: order.get(entry.run.__module__, len(order)))


def selected(options: CheckOptions) -> list[Part]:
    chosen = []
    for entry in _in_order():
        name = entry.name
        if options.parts is not None:
            if name in options.parts:
                chosen.append(entry)
            continue
        if entry.opt_in and not options.browser:
            continue
        if name == "spam" and not options.spam:
            continue
        chosen.append(entry)
    return chosen


@cycles_uncollected  # its parts build many small records: see load.cycles_uncollected
def check_built(built: Built, options: CheckOptions | None = None, *,
                strict: bool = False) -> CheckReport:
    options = options or CheckOptions()
    report = CheckReport(file=str(built.path), strict=strict)
    seen: set[tuple] = set()
    for entry in selected(options):
        if entry.needs_html and built.unrendered:
            result = PartResult(name=entry.name, title=entry.title, skipped=built.unrendered)
        else:
            result = entry.run(built, options)
        result.name, result.title = entry.name, entry.title
        result.findings = [f for f in result.findings if _once(f, seen)]
        report.parts.append(result)
    return report


def _once(finding: Diagnostic, seen: set[tuple]) -> bool:
    """Whether ``finding`` is new to the report: two parts saying the same thing at the same
    place print it once."""
    key = (finding.code, finding.file, finding.line, finding.column, finding.message)
    if key in seen:
        return False
    seen.add(key)
    return True


def check_file(path: str | Path, options: CheckOptions | None = None, *, strict: bool = False,
               publication_file: Path | None = None) -> CheckReport:
    """Build the issue as export does and run the parts; raises NotCheckable (an AuthoringError)
    when the file cannot be built at all."""
    return check_built(build(path, publication_file=publication_file), options, strict=strict)


def fast_parts() -> set[str]:
    """The parts export runs: everything cheap (no SpamAssassin, no browser)."""
    _load_parts()
    return {name for name, entry in PARTS.items() if entry.fast and not entry.opt_in}


def send_ready(path: str | Path, *, strict: bool = False, check_links: bool = False,
               publication_file: Path | None = None,
               link_check: Callable[[list[str]], LinkCheck] | None = None,
               inliner: str | None = None) -> Export:
    """The issue as it will go out, checked before it is sent (export and send call this once):
    the pre-send rules, then the fast parts on what they built. One AuthoringError lists every
    error found (and warnings too, ``strict``); the check's warnings stay with ``authoring check``."""
    from authoring import links
    from authoring.check.presend import build_export
    from authoring.diagnostics import Report
    from authoring.outgoing import merge_reports, raise_unless_ok

    export = build_export(path, strict=strict, check_links=check_links, publication_file=publication_file,
                          link_check=link_check or links.check_links, inliner=inliner, refuse=False)
    report = check_built(from_export(export, publication_file, inliner),
                         CheckOptions(parts=fast_parts(), figures=False))
    by_file: dict[str, Report] = {}
    for finding in report.errors:
        file = finding.file or str(export.source)
        by_file.setdefault(file, Report(file=file, source_lines=_lines(file))).diagnostics.append(finding)
    merge_reports(export.reports, list(by_file.values()))  # one refusal lists them all
    raise_unless_ok(export.source, export.reports, strict, gate_errors=len(report.errors))
    return export


def _lines(file: str) -> list[str]:
    try:
        return Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return []
