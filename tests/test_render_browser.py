"""Every sample issue in a real headless Chromium, on a desktop and a phone, light and dark:
no horizontal scroll, images inside the screen, headlines visible, readable contrast,
large enough text and tap targets, and no serious accessibility problem found by axe-core.
Screenshots go to tests/artifacts/ for a human to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from authoring import model
from authoring.check.access import axe_script as axe_script_of_the_package
from authoring.render import RenderOptions, render_file, render_issue
from authoring.theme import palette
from conftest import ISSUES, sample_issues, serious_axe_violations

pytestmark = pytest.mark.browser

SAMPLES = sample_issues()
VIEWPORTS = {"desktop": (600, 900), "phone": (375, 800)}


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core as the package ships it (authoring/data/axe.min.js): no npm, no network."""
    script = axe_script_of_the_package()
    assert isinstance(script, Path), script
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
    headings: [...document.querySelectorAll('h1, h2, h3')].map(h => ({text: h.textContent.trim(), ...box(h),
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

        serious = serious_axe_violations(page, axe_script)
        assert not serious, serious
    finally:
        page.close()


# ---------------------------------------------------------------- issue 13: phones, images off, dark mode

COMPUTED_JS = """
(selector) => [...document.querySelectorAll(selector)].map(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {size: parseFloat(s.fontSize), family: s.fontFamily, color: s.color, weight: s.fontWeight,
          background: s.backgroundColor, radius: s.borderTopLeftRadius, padding: s.paddingTop,
          display: s.display, width: r.width, height: r.height, src: e.getAttribute('src'),
          text: e.textContent.trim()};
})
"""


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _open(browser, html: Path, width: int, *, scheme: str = "light", images: bool = True):
    page = browser.new_page(viewport={"width": width, "height": 800})
    if not images:  # what Outlook for Windows shows by default
        page.route("**/*", lambda route: route.abort() if route.request.resource_type == "image"
                   else route.continue_())
    page.emulate_media(color_scheme=scheme)
    page.goto(html.as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module")
def page_0321(artifacts) -> tuple[Path, object]:
    issue = ISSUES / "0321.yaml"
    validated, rendered = render_file(issue, options=RenderOptions(image_url=_file_urls(issue, ISSUES)))
    page = artifacts / "issue13-0321.html"
    page.write_text(rendered.html, encoding="utf-8")
    return page, validated.publication


def test_section_labels_keep_their_size_on_phones_and_headlines_shrink(browser, page_0321):
    html, _ = page_0321
    sizes = {}
    for width in (600, 375):
        page = _open(browser, html, width)
        try:
            sizes[width] = {tag: {e["size"] for e in page.evaluate(COMPUTED_JS, tag)}
                            for tag in ("h1", "h2", "h3")}
        finally:
            page.close()
    assert sizes[600]["h2"] == sizes[375]["h2"] == {16}, "labels keep their size"
    assert sizes[600]["h3"] == {26} and sizes[375]["h3"] == {23}
    assert max(sizes[375]["h2"]) < min(sizes[375]["h3"]), "labels and headlines stay distinct"


def test_images_off_the_masthead_reads_as_the_name_and_alt_text_as_captions(browser, page_0321):
    html, publication = page_0321
    page = _open(browser, html, 375, images=False)
    try:
        (masthead,) = page.evaluate(COMPUTED_JS, "h1 img")
        images = page.evaluate(COMPUTED_JS, "img")
        page.screenshot(path=str(html.with_name("issue13-0321-375-images-off.png")))
    finally:
        page.close()
    first_font = publication.theme.font.split(",")[0].strip()
    assert masthead["size"] == 28 and masthead["weight"] == "700"
    assert masthead["family"].startswith(first_font) and masthead["color"] == _rgb(publication.theme.accent)
    assert masthead["height"] >= 28, "the alt text has room to show"
    for image in images:
        assert image["family"].startswith(first_font), image
        assert image["size"] >= 14 and image["color"] != "rgb(0, 0, 0)", image


@pytest.fixture
def logo_pages(tmp_path) -> dict[str, Path]:
    """The same issue with a logo that has a dark variant, and with one that has none."""
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    pages = {}
    for name, dark in (("dark", "images/logo-dark.png"), ("plain", None)):
        shutil.copy(ISSUES / "images" / "logo.png", tmp_path / "images" / "logo-dark.png")
        publication = model.Publication(
            name="The Example", sender=model.Sender(name="E", email="e@news.example.org"),
            logo=model.Logo(alt="The Example", src="images/logo.png", dark_src=dark, width=240))
        issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])
        rendered = render_issue(issue, publication, RenderOptions(
            image_url=lambda src: (tmp_path / src).as_uri()))
        pages[name] = tmp_path / f"{name}.html"
        pages[name].write_text(rendered.html, encoding="utf-8")
    return pages


def test_dark_mode_swaps_in_the_dark_logo_or_gives_the_logo_a_rounded_backing(browser, logo_pages):
    page = _open(browser, logo_pages["dark"], 375, scheme="dark")
    try:
        shown = [i for i in page.evaluate(COMPUTED_JS, "h1 img") if i["display"] != "none"]
    finally:
        page.close()
    assert [i["src"].rsplit("/", 1)[-1] for i in shown] == ["logo-dark.png"]
    for scheme, expected in (("light", "0px"), ("dark", "8px")):
        page = _open(browser, logo_pages["plain"], 375, scheme=scheme)
        try:
            (logo,) = page.evaluate(COMPUTED_JS, "h1 img")
        finally:
            page.close()
        assert logo["radius"] == expected and logo["padding"] == expected, (scheme, logo)
    assert logo["background"] == _rgb(model.Theme().surface)
    assert logo["color"] == _rgb(model.Theme().accent), "its alt text stays readable on the backing"


def test_outlook_com_dark_mode_markers_bring_our_dark_palette(browser, page_0321):
    html, publication = page_0321
    colors = palette(publication.theme)
    page = _open(browser, html, 600)
    try:
        # Outlook.com marks what it recolored with data-ogsc / data-ogsb; our rules then win.
        page.evaluate("() => { for (const a of ['data-ogsc', 'data-ogsb'])"
                      " document.documentElement.setAttribute(a, ''); }")
        headline = page.evaluate(COMPUTED_JS, "h3")[0]
        label = page.evaluate(COMPUTED_JS, "h2")[0]
        column = page.evaluate(COMPUTED_JS, "div.s")[0]
    finally:
        page.close()
    assert headline["color"] == _rgb(colors.dark_text)
    assert label["color"] == _rgb(colors.dark_accent)
    assert column["background"] == _rgb(colors.dark_surface)
