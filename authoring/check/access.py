"""Accessibility (opt-in, ``--browser``): axe-core in headless Chromium at 600 and 375 px, light
and dark, on the email with a marker before each block, so each problem names its block.

Needs Debian's chromium and Playwright (``pip install 'authoring[browser]'``); axe-core ships with
the package (``authoring/data/axe.min.js``, MPL-2.0, refreshed by ``scripts/refresh_axe.py``), so
no network is needed (set ``AUTHORING_AXE`` to another ``axe.min.js`` to use that one). Whatever
is missing is said in one line and the part is skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Literal

from authoring import codes
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.check.size import block_path, label
from authoring.diagnostics import Severity

SHIPPED_AXE = Path(__file__).resolve().parent.parent / "data" / "axe.min.js"
CHROMIUM = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
VIEWPORTS = {"600": (600, 900), "375": (375, 800)}
SCHEMES: tuple[Literal["light"], Literal["dark"]] = ("light", "dark")

AUDIT_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], rules: PAGE_ONLY_RULES});
  const comments = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_COMMENT);
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue;
    if (text.startsWith('@block ')) comments.push([walker.currentNode, text.slice(7)]);
  }
  const blockOf = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return 'email';
    let block = 'email';
    for (const [comment, name] of comments) {
      if (comment.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING) block = name;
    }
    return block;
  };
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({block: blockOf(String(n.target[0])), html: n.html.slice(0, 160)}))}));
}"""


PAGE_ONLY_RULES = {rule: {"enabled": False} for rule in
                   ("landmark-one-main", "page-has-heading-one", "region", "bypass")}
"""Rules about a web page's structure: an email is shown inside the mail client's page, as one
article (MJML gives it role=article), so they do not apply."""


@part("access", "Accessibility (axe-core in Chromium)", fast=False, opt_in=True)
def accessibility(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="access", title="")
    missing = _missing_tools()
    if missing:
        result.skipped = missing
        return result
    axe = axe_script()
    if isinstance(axe, str):
        result.skipped = axe
        return result
    try:
        runs = _audit(built, axe)
    except Exception as exc:  # a browser that fails to start is a skip, never a crash
        result.skipped = f"the browser audit failed: {str(exc).splitlines()[0][:200]}"
        return result
    _report(built, runs, result, axe_version(axe))
    return result


def _missing_tools() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if _chromium() is None:
        return "chromium is not installed (apt-get install -y chromium)"
    return None


def _chromium() -> str | None:
    return next((c for c in CHROMIUM if os.path.exists(c)), shutil.which("chromium"))


def axe_script() -> Path | str:
    """axe.min.js: the shipped copy, or ``$AUTHORING_AXE``; a one-line reason when it is missing."""
    configured = os.environ.get("AUTHORING_AXE")
    if configured:
        return Path(configured) if Path(configured).is_file() else f"AUTHORING_AXE={configured}: no such file"
    if not SHIPPED_AXE.is_file():
        return f"axe-core is missing from the installed package ({SHIPPED_AXE}): reinstall authoring"
    return SHIPPED_AXE


def axe_version(script: Path) -> str:
    """The version axe-core writes in its first line (``/*! axe v4.10.3``), or "(unknown version)"."""
    with script.open(encoding="utf-8", errors="replace") as file:
        match = re.match(r"/\*! axe v(\S+)", file.read(40))
    return match.group(1) if match else "(unknown version)"


def _audit(built: Built, axe: Path) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    html = built.marked_html
    runs: dict[str, list[dict]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(),
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking", "--disable-sync"])
        try:
            for width_name, (width, height) in VIEWPORTS.items():
                for scheme in SCHEMES:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    try:
                        page.route("**/*", lambda route: route.abort())  # offline: images need not load
                        page.emulate_media(color_scheme=scheme)
                        page.set_content(html, wait_until="domcontentloaded")
                        page.add_script_tag(path=str(axe))
                        runs[f"{width_name} px {scheme}"] = page.evaluate(
                            AUDIT_JS.replace("PAGE_ONLY_RULES", json.dumps(PAGE_ONLY_RULES)))
                    finally:
                        page.close()
        finally:
            browser.close()
    return runs


_SEVERITY = {"critical": Severity.ERROR, "serious": Severity.ERROR}


def _report(built: Built, runs: dict[str, list[dict]], result: PartResult, version: str) -> None:
    """One finding per rule and block, naming the views (width, light/dark) it shows in."""
    grouped: dict[tuple[str, str], dict] = {}
    for view, violations in runs.items():
        for violation in violations:
            for node in violation["nodes"]:
                key = (violation["id"], node["block"])
                entry = grouped.setdefault(key, {"violation": violation, "views": [], "html": node["html"]})
                if view not in entry["views"]:
                    entry["views"].append(view)
    result.figures.append(f"axe-core {version} at {', '.join(runs)}: "
                          f"{len(grouped)} problem{'s' if len(grouped) != 1 else ''}")
    result.data = {"views": list(runs), "problems": [
        {"rule": rule, "block": block, "impact": e["violation"]["impact"], "views": e["views"],
         "help": e["violation"]["help"], "html": e["html"]} for (rule, block), e in grouped.items()]}
    for (rule, block), entry in grouped.items():
        violation = entry["violation"]
        severity = _SEVERITY.get(violation["impact"], Severity.WARNING)
        message = (f"{violation['help']} ({rule}, {violation['impact']}) in {label(built.issue, block)}, "
                   f"at {', '.join(entry['views'])}: {entry['html']}")
        hint = f"see {violation['url']}"
        path = block_path(block)
        code = codes.A11Y_SERIOUS if severity is Severity.ERROR else codes.A11Y
        result.add(built.at(path, code, severity, message, hint, key=True) if path
                   else built.whole(code, severity, message, hint))
