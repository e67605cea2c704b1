"""Every sample issue in a real headless Chromium, on a desktop and a phone, light and dark:
no horizontal scroll, images inside the screen, headlines visible, readable contrast,
large enough text and tap targets, and no serious accessibility problem found by axe-core.
Screenshots go to tests/artifacts/ for a human to look at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from authoring.render import RenderOptions, render_file
from conftest import ARTIFACTS, sample_issues

pytestmark = pytest.mark.browser

SAMPLES = sample_issues()
VIEWPORTS = {"desktop": (600, 900), "phone": (375, 800)}
AXE_FOLDER = ARTIFACTS / "axe"
AXE_VERSION = "4.10"


@pytest.fixture(scope="session")
def axe_script(artifacts) -> Path:
    """axe-core from npm, installed once into tests/artifacts/axe (CI has node and npm)."""
    script = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install axe-core for the accessibility check: apt-get install -y npm")
    AXE_FOLDER.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(AXE_FOLDER), "--no-audit", "--no-fund", "--silent",
         f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=180)
    if result.returncode != 0 or not script.is_file():
        pytest.fail(f"npm install axe-core failed: {result.stderr.strip()[-500:]}")
    return script


def _file_urls(issue: Path, publication_dir: Path | None):
    """Relative image paths as file:// URLs: next to the issue, or next to the publication file."""
    folders = [issue.resolve().parent] + ([publication_dir] if publication_dir else [])

    def image_url(src: str) -> str:
        if "://" in src:
            return src
        for folder in folders:
            if (folder / src).is_file():
                return (folder / src).as_uri()
        return (folders[0] / src).as_uri()

    return image_url


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.stem for p in SAMPLES])
def sample_page(request, artifacts) -> Path:
    """The sample rendered as an email with its images reachable, written next to the screenshots."""
    issue = request.param
    validated, _ = render_file(issue)
    pub_dir = validated.publication_file.resolve().parent if validated.publication_file else None
    _, rendered = render_file(issue, options=RenderOptions(image_url=_file_urls(issue, pub_dir)))
    page = artifacts / f"render-{issue.stem}.html"
    page.write_text(rendered.html, encoding="utf-8")
    return page


# Runs in the page: every element that shows text, its color and the background behind it.
CONTRAST_JS = """
() => {
  const rgba = s => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) return bg;
    }
    return [255, 255, 255, 1];
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const fg = rgba(style.color), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({text: el.textContent.trim().slice(0, 40), tag: el.tagName, ratio: (a + 0.05) / (b + 0.05),
              size: parseFloat(style.fontSize), color: style.color, background: bg.join(',')});
  }
  return out;
}
"""

LAYOUT_JS = """
() => {
  const width = window.innerWidth;
  const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right,
    width: r.width, height: r.height}; };
  return {
    width, scrollWidth: document.scrollingElement.scrollWidth,
    images: [...document.images].filter(i => i.getClientRects().length)
      .map(i => ({src: i.getAttribute('src').slice(-40), ...box(i)})),
    headings: [...document.querySelectorAll('h1, h2')].map(h => ({text: h.textContent.trim(), ...box(h),
      visibility: getComputedStyle(h).visibility})),
    targets: [...document.querySelectorAll('a.fl, .btn a')]
      .map(a => ({text: a.textContent.trim(), ...box(a)})),
    body: [...document.querySelectorAll('.s p:not(.k), .s li')]
      .map(p => ({text: p.textContent.trim().slice(0, 30), size: parseFloat(getComputedStyle(p).fontSize)})),
  };
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", VIEWPORTS)
def test_sample_in_the_browser(browser, sample_page, axe_script, artifacts, device, scheme):
    width, height = VIEWPORTS[device]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.emulate_media(color_scheme=scheme)
        page.goto(sample_page.as_uri(), wait_until="load")
        page.screenshot(path=str(artifacts / f"{sample_page.stem}-{width}-{scheme}.png"), full_page=True)
        layout = page.evaluate(LAYOUT_JS)

        assert layout["scrollWidth"] <= layout["width"], "horizontal scroll"
        assert layout["images"], "no image rendered"
        for img in layout["images"]:
            assert img["left"] >= 0 and img["right"] <= width + 0.5, f"image outside the screen: {img}"
        assert layout["headings"]
        for h in layout["headings"]:
            assert h["width"] > 0 and h["height"] > 0 and h["visibility"] == "visible", h
            assert h["left"] >= 0 and h["right"] <= width + 0.5, h
        for target in layout["targets"]:
            assert target["height"] >= 44 and target["width"] >= 44, f"tap target too small: {target}"
        small = [p for p in layout["body"] if p["size"] < 16]
        assert not small, f"body text under 16 px: {small[:3]}"

        faint = [t for t in page.evaluate(CONTRAST_JS) if t["ratio"] < 4.5]
        assert not faint, f"contrast under 4.5:1 in {scheme} mode: {faint[:3]}"

        page.add_script_tag(path=str(axe_script))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 2).map(n => n.html.slice(0, 120))}))")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, serious
    finally:
        page.close()
