"""The check report: one section per part, each with its figures and its findings.

Findings are ``Diagnostic``s (the same shape ``validate`` prints), so every one carries a
severity, a stable code, where it comes from (``file:line:col`` in the issue or the
publication, or ``templates/...:line``), what is wrong and how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from authoring.diagnostics import Diagnostic, Severity


@dataclass
class PartResult:
    """What one part of the check measured and found."""

    name: str
    """Stable identifier of the part (``size``, ``clients``...)."""
    title: str
    """Heading in the text report."""
    figures: list[str] = field(default_factory=list)
    """Measurements shown under the heading, one line each (sizes, scores)."""
    data: dict = field(default_factory=dict)
    """The same measurements for ``--format json``."""
    findings: list[Diagnostic] = field(default_factory=list)
    skipped: str | None = None
    """Why the part did not run (e.g. SpamAssassin not installed), in one line: the verdict says
    it was not checked, and ``--strict`` fails on it."""
    details: list[str] = field(default_factory=list)
    """Lines shown only with ``--verbose`` (each client's partial and unsupported features)."""

    def add(self, finding: Diagnostic) -> None:
        self.findings.append(finding)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "skipped": self.skipped,
            "summary": self.figures,
            "details": self.details,
            "figures": self.data,
            "findings": [_finding_json(f) for f in self.findings],
        }


def _finding_json(finding: Diagnostic) -> dict:
    data = finding.to_json()
    data["location"] = finding.location()
    return data


@dataclass
class CheckReport:
    """Every part's result for one issue."""

    file: str
    parts: list[PartResult] = field(default_factory=list)
    strict: bool = False
    """Warnings count as errors."""

    @property
    def findings(self) -> list[Diagnostic]:
        return [f for part in self.parts for f in part.findings]

    @property
    def errors(self) -> list[Diagnostic]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [f for f in self.findings if not f.is_error]

    def part(self, name: str) -> PartResult | None:
        return next((p for p in self.parts if p.name == name), None)

    @property
    def not_checked(self) -> list[PartResult]:
        """The parts that did not run (SpamAssassin missing, failing or timed out...)."""
        return [p for p in self.parts if p.skipped]

    def ok(self, strict: bool | None = None) -> bool:
        strict = self.strict if strict is None else strict
        return not self.errors and not (strict and (self.warnings or self.not_checked))

    def exit_code(self) -> int:
        """0 ok, 1 when an error (or, with --strict, a warning or a part that did not run) was found."""
        return 0 if self.ok() else 1

    def first(self) -> list[Diagnostic]:
        """The few findings that matter most: every error, then warnings by how much they
        change what readers get (spam, size, inbox before client details), at most ``FIRST``."""
        ranked = sorted(((PART_RANK.get(p.name, len(PART_RANK)), f) for p in self.parts
                         for f in p.findings), key=lambda pair: pair[0])
        errors = [f for _, f in ranked if f.is_error]
        warnings = [f for _, f in ranked if not f.is_error]
        return errors + warnings[:max(0, FIRST - len(errors))]

    def format_text(self, *, verbose: bool = False) -> str:
        """The verdict's findings first, each printed once; then each part's figures and the
        rest of its findings (``verbose``: every client's features too)."""
        lines: list[str] = []
        first = self.first()
        shown = {id(f) for f in first}
        if first or self.not_checked:
            lines.append(f"== First ({_counts(first) or 'parts not checked'}"
                         f"{'' if len(first) == len(self.findings) else f' of {len(self.findings)}'})")
            lines.extend(f"  {_severity(f, self.strict)}{_finding_line(f)}" for f in first)
            lines.extend(f"  not checked: {p.title}: {p.skipped}" for p in self.not_checked)
            lines.append("")
        for part in self.parts:
            rest = [f for f in part.findings if id(f) not in shown]
            counts = _counts(part.findings)
            above = len(part.findings) - len(rest)
            lines.append(f"== {part.title}" + (f" ({counts}" + (f"; {above} above" if above else "")
                                               + ")" if counts else ""))
            if part.skipped:
                lines.append(f"  not checked: {part.skipped}")
            lines.extend(f"  {figure}" for figure in part.figures)
            if verbose:
                lines.extend(f"  {line}" for line in part.details)
            elif part.details:
                lines.append("  (--verbose shows each client's partial and unsupported features)")
            for finding in _ordered(rest):
                lines.append(f"  {_severity(finding, self.strict)}{_finding_line(finding)}")
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        missing = [p.title.split(" (")[0].lower() for p in self.not_checked]
        if not self.ok():
            verdict = "not ready"
        elif missing:
            verdict = "ready to send as far as checked"
        else:
            verdict = "ready to send"
        return (f"{self.file}: {errors} error{'s' if errors != 1 else ''}, "
                f"{warnings} warning{'s' if warnings != 1 else ''}"
                + (" (strict: warnings fail)" if self.strict and warnings else "")
                + (f"; not checked: {', '.join(missing)}" if missing else "")
                + (" (strict: fails)" if self.strict and missing else "")
                + f": {verdict}")

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok(),
            "strict": self.strict,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "not_checked": [{"name": p.name, "title": p.title, "reason": p.skipped}
                            for p in self.not_checked],
            "parts": [part.to_json() for part in self.parts],
        }

    def dumps_json(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


FIRST = 5
"""How many findings the report puts first (every error, and warnings up to this many)."""
PART_RANK = {name: i for i, name in enumerate(
    ["validation", "spam", "size", "inbox", "images", "contrast", "access", "history", "clients"])}
"""Which part's warnings go first: what changes delivery and the inbox before client details."""


def _counts(findings: list[Diagnostic]) -> str:
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def _ordered(findings: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.file or "",
                                           f.line or 0, f.column or 0))


def _severity(finding: Diagnostic, strict: bool) -> str:
    return "" if not strict or finding.is_error else "(strict) "


def _finding_line(finding: Diagnostic) -> str:
    return str(finding)
