"""The preview in a real headless Chromium: live updates, broken drafts, switches, the folder index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from authoring.files import write_atomic
from authoring.preview.server import running

pytestmark = pytest.mark.browser

HEADLINE = "Robots Learn Chores From Video"
TIMEOUT = 10_000  # ms: generous for a loaded CI machine; the benchmark measures the real latency



@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def frame_text(page) -> str:
    return page.evaluate("() => document.getElementById('email').contentDocument.body.innerText")


def wait_frame_contains(page, text: str) -> None:
    page.wait_for_function(
        "(t) => { const f = document.getElementById('email');"
        " return f && f.contentDocument && f.contentDocument.body"
        " && f.contentDocument.body.innerText.includes(t); }", arg=text, timeout=TIMEOUT)


BODY_BACKGROUND = "getComputedStyle(document.getElementById('email').contentDocument.body).backgroundColor"


def luminance(css_rgb: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_rgb)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_edits_broken_drafts_and_fixes_show_without_reloading(page, issue_copy: Path):
    source = issue_copy.read_text(encoding="utf-8")
    with running(issue_copy) as server:
        page.goto(server.url)
        wait_frame_contains(page, HEADLINE)
        assert page.locator("#status").inner_text() in ("valid", "1 warning") or "warning" in \
            page.locator("#status").inner_text()
        # relative images come from the issue's folder
        loaded = page.evaluate("""() => [...document.getElementById('email').contentDocument.images]
            .filter(i => i.getAttribute('src').includes('robot-arm')).map(i => i.naturalWidth)""")
        assert loaded and all(width > 0 for width in loaded)

        page.evaluate("window.notReloaded = true")
        page.evaluate("document.getElementById('email').contentWindow.scrollTo(0, 700)")
        scrolled = page.evaluate("document.getElementById('email').contentWindow.scrollY")
        assert scrolled > 600

        # 1. an edit on disk appears by itself, at the same scroll position
        edited = source.replace(HEADLINE, "Robots Learn Chores From Watching People")
        write_atomic(issue_copy, edited.encode())
        wait_frame_contains(page, "Robots Learn Chores From Watching People")
        assert page.evaluate("window.notReloaded") is True
        assert abs(page.evaluate("document.getElementById('email').contentWindow.scrollY") - scrolled) < 2

        # 2. a misspelled key: the error with its line; the last good render stays
        misspelled = edited.replace("headline: Data Centers Go Nuclear", "headlin: Data Centers Go Nuclear")
        bad_line = line_of(misspelled, "headlin:")
        write_atomic(issue_copy, misspelled.encode())
        page.wait_for_function(
            "(l) => document.getElementById('diagnostics').innerText.includes('0321.yaml:' + l + ':')",
            arg=bad_line, timeout=TIMEOUT)
        assert "headlin" in page.locator("#diagnostics").inner_text()
        assert "last good render" in page.locator("#banner").inner_text()
        assert "Robots Learn Chores From Watching People" in frame_text(page)
        assert page.locator("#status").inner_text().endswith("error") or "error" in \
            page.locator("#status").inner_text()

        # 3. invalid YAML: line and column of the syntax error
        broken = edited.replace('subject: "Robots', 'subject: "Robots: [')
        broken = broken.replace("a new course\"", "a new course")
        write_atomic(issue_copy, broken.encode())
        page.wait_for_function(
            "() => /0321\\.yaml:\\d+:\\d+/.test(document.getElementById('diagnostics').innerText)"
            " && !document.getElementById('diagnostics').innerText.includes('headlin')",
            timeout=TIMEOUT)
        shown = page.locator("#diagnostics").inner_text()
        assert re.search(r"0321\.yaml:\d+:\d+", shown)
        assert "Robots Learn Chores From Watching People" in frame_text(page)

        # 4. the file disappears, then comes back fixed: the errors go away by themselves
        issue_copy.unlink()
        page.wait_for_function(
            "() => document.getElementById('diagnostics').innerText.includes('no such file')",
            timeout=TIMEOUT)
        fixed = edited.replace("Data Centers Go Nuclear", "Data Centers Go Fission")
        write_atomic(issue_copy, fixed.encode())
        wait_frame_contains(page, "Data Centers Go Fission")
        page.wait_for_function("() => document.getElementById('problems').hidden "
                               "|| !document.getElementById('diagnostics').innerText.includes('error')",
                               timeout=TIMEOUT)
        assert "error" not in page.locator("#status").inner_text()
        assert page.evaluate("window.notReloaded") is True


def test_switches_width_dark_mode_and_plain_text(page, issue_copy: Path):
    with running(issue_copy) as server:
        page.goto(server.url)
        wait_frame_contains(page, HEADLINE)
        frame_width = "document.getElementById('email').contentWindow.innerWidth"
        assert page.evaluate(frame_width) == 600

        page.get_by_role("button", name="Phone 375").click()
        assert page.evaluate(frame_width) == 375
        # the email's own media queries see a phone: its content fits the 375 px frame
        assert page.evaluate("document.getElementById('email').contentDocument"
                             ".documentElement.scrollWidth") <= 375

        light_background = page.evaluate(BODY_BACKGROUND)
        page.get_by_role("button", name="Dark").click()
        # the email's own (prefers-color-scheme: dark) rules now apply inside the frame
        dark_background = page.evaluate(BODY_BACKGROUND)
        assert dark_background != light_background
        assert luminance(dark_background) < 0.2 < luminance(light_background)
        page.get_by_role("button", name="Light").click()
        assert page.evaluate(BODY_BACKGROUND) == light_background
        page.get_by_role("button", name="Dark").click()

        page.get_by_role("button", name="Plain text").click()
        assert page.locator("#text").is_visible()
        assert HEADLINE in page.locator("#text").inner_text()
        assert not page.locator("#email").is_visible()

        # the choices survive a reload
        page.reload()
        wait_frame_contains(page, HEADLINE)
        assert page.locator("#text").is_visible()
        assert page.evaluate(BODY_BACKGROUND) == dark_background


def test_folder_index_lists_each_issue_with_its_status(page, issue_copy: Path):
    folder = issue_copy.parent
    text = issue_copy.read_text(encoding="utf-8")
    write_atomic(folder / "0322.yaml", text.replace("number: 321", "number: 322")
                 .replace("headline: Data Centers", "headlin: Data Centers").encode())
    with running(folder) as server:
        page.goto(server.url)
        rows = page.locator("#issues tr")
        assert rows.count() == 2
        assert "publication.yaml" not in page.locator("#issues").inner_text()
        assert page.locator("#issues tr", has_text="0322.yaml").locator(".badge").inner_text() == "errors"
        assert page.locator("#issues tr", has_text="0321.yaml").locator(".badge").inner_text() in (
            "valid", "warnings")
        # a new file shows up in the open index by itself
        write_atomic(folder / "0323.yaml", text.encode())
        page.wait_for_function("() => document.querySelectorAll('#issues tr').length === 3",
                               timeout=TIMEOUT)
        page.get_by_role("link", name="0321.yaml").click()
        wait_frame_contains(page, HEADLINE)
        assert page.url.endswith(f"/issue/0321.yaml/?token={server.site.access_token}")


def test_check_panel_is_collapsed_updates_on_save_and_links_to_the_yaml(page, issue_copy: Path):
    with running(issue_copy) as server:
        page.goto(server.url)
        wait_frame_contains(page, HEADLINE)
        panel = page.locator("#check")
        page.wait_for_function("() => !document.getElementById('check').hidden", timeout=TIMEOUT)
        assert panel.get_attribute("open") is None  # collapsed by default
        assert "Where the bytes go" not in page.evaluate("document.getElementById('check').innerText")
        page.locator("#check summary").click()
        assert page.locator("#check section[data-part='size']").is_visible()

        source = issue_copy.read_text(encoding="utf-8")
        edited = source.replace('alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
        write_atomic(issue_copy, edited.encode())
        page.wait_for_function(
            "() => document.querySelector(\"#check section[data-part='images']\").innerText"
            ".includes('alt-file-name')", timeout=TIMEOUT)
        assert panel.get_attribute("open") is not None  # an update keeps it open
        link = page.locator("#check section[data-part='images'] a.where").first
        line = line_of(edited, "The Batch (1)-1")
        assert link.get_attribute("href").startswith(f"vscode://file{issue_copy.resolve()}:{line}:")


def test_a_missing_image_shows_as_a_marked_box(page, issue_copy: Path):
    text = issue_copy.read_text(encoding="utf-8")
    issue_copy.write_text(text.replace("src: images/robot-arm.png", "src: images/open-weights.png"),
                          encoding="utf-8")
    with running(issue_copy) as server:
        page.goto(server.url)
        wait_frame_contains(page, "Image missing:")
        frame = "document.getElementById('email').contentDocument"
        box = page.evaluate(f"""() => {{
            const box = [...{frame}.querySelectorAll('span.ph')]
                .find(s => s.innerText.includes('A robot arm stacking'));
            const style = getComputedStyle(box);
            return {{border: style.borderTopStyle, width: box.getBoundingClientRect().width}};
        }}""")
        assert box["border"] == "dashed" and box["width"] > 200
        # every <img> left in the email loaded: no broken-image icon
        broken = page.evaluate(f"() => [...{frame}.images].filter(i => !i.complete || !i.naturalWidth)"
                               ".map(i => i.src)")
        assert broken == []


@pytest.mark.parametrize("width", ["Desktop 600", "Phone 375"])
def test_the_plain_text_pane_shows_the_text_line_for_line(page, issue_copy: Path, width):
    """The text is wrapped at 78 columns by the renderer; the pane must not wrap it again."""
    with running(issue_copy) as server:
        page.goto(server.url)
        wait_frame_contains(page, HEADLINE)
        page.get_by_role("button", name=width).click()
        page.get_by_role("button", name="Plain text").click()
        text = page.locator("#text")
        assert HEADLINE in text.inner_text()
        lines = text.inner_text().rstrip("\n").count("\n") + 1
        assert max(len(line) for line in text.inner_text().splitlines()) > 60  # long lines to wrap
        shown = page.evaluate("""() => {
            const el = document.getElementById('text'), style = getComputedStyle(el);
            const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
            const scrollbar = el.offsetHeight - el.clientHeight;
            return Math.round((el.offsetHeight - padding - scrollbar) / parseFloat(style.lineHeight));
        }""")
        assert shown == lines
