"""The CSS inliner engines: css-inline and premailer give equivalent email HTML, are chosen by
publication.yaml or --inliner, and neither is imported unless it is used."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from typer.testing import CliRunner

from authoring.cli import app
from authoring.render import RenderOptions, render_issue
from authoring.render.inline import DEFAULT_ENGINE, ENGINES, _marked_css, inline
from authoring.validate import load_issue, validate_file
from conftest import ROOT, sample_issues

runner = CliRunner()


# ---------------------------------------------------------------- equivalence


def _number(value: str) -> str:
    """'.08em' → '0.08em', '1.50' → '1.5': the same number written two ways."""
    def canonical(match: re.Match[str]) -> str:
        number = match.group()
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        return "0" + number if number.startswith(".") else number or "0"

    return re.sub(r"(?<![\w.#])\d*\.?\d+", canonical, value)


def declarations(style: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """A style attribute, normalised: numbers as above, spacing collapsed, and the order kept
    only within a property family (``padding`` and ``padding-left`` must stay in order, where
    ``color`` and ``padding`` may come either way)."""
    families: dict[str, list[tuple[str, str]]] = {}
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        value = re.sub(r"\s*!\s*important", " !important", " ".join(value.split()))
        families.setdefault(name.lower().split("-")[0], []).append((name.lower(), _number(value)))
    return sorted((family, tuple(decls)) for family, decls in families.items())


def summary(page: str) -> tuple[list[str], list[tuple[str, list]]]:
    """(the text of every <style> block, every element's tag and normalised inline style)."""
    root = html5lib.parse(page, namespaceHTMLElements=False)
    styles = [style.text or "" for style in root.iter("style")]
    elements = [(el.tag, declarations(el.get("style") or "")) for el in root.iter()
                if isinstance(el.tag, str)]
    return styles, elements


def test_number_normalising():
    assert declarations("letter-spacing:.08em;COLOR: red") == declarations("color:red; letter-spacing:0.08em")
    assert declarations("padding:0;padding-left:4px") != declarations("padding-left:4px;padding:0")
    assert _number("1.50em 0.0px") == "1.5em 0px"


@pytest.mark.parametrize("mode", ["email", "web"])
@pytest.mark.parametrize("path", sample_issues(), ids=lambda p: p.name)
def test_engines_give_the_same_head_css_and_inline_styles(path, mode):
    validated = load_issue(path)
    options = RenderOptions(mode=mode, publication_dir=path.parent)
    pages = {engine: render_issue(validated.issue, validated.publication,
                                  replace(options, inliner=engine)).html for engine in ENGINES}
    (css_styles, css_elements), (pm_styles, pm_elements) = (summary(pages[e]) for e in ENGINES)
    assert css_styles == pm_styles
    assert any("@media" in s for s in css_styles) and any("/*inline*/" in s for s in css_styles)
    assert len(css_elements) == len(pm_elements)
    for (tag, ours), (tag_pm, theirs) in zip(css_elements, pm_elements, strict=True):
        assert (tag, ours) == (tag_pm, theirs)
    assert sum(1 for _, decls in css_elements if decls) > 50, "the inlined rules reached the elements"


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_inlines_only_the_marked_block_and_keeps_the_doctype(engine):
    page = ('<!doctype html><html><head><style type="text/css">/*inline*/\np{margin:0 0 16px}</style>'
            '<style type="text/css">@media (max-width:479px){p{margin:0!important}}</style></head>'
            '<body><p>x</p><!--[if mso]><style type="text/css">.o{width:1px}</style><![endif]--></body>'
            '</html>')
    out = inline(page, engine)
    assert out.startswith("<!doctype html>") and out.count("<!doctype") == 1
    assert re.search(r'<p style="margin: ?0 0 16px;?">x</p>', out)
    assert "@media (max-width:479px){p{margin:0!important}}" in out, "media rules stay in the head"
    assert '<style type="text/css">.o{width:1px}</style>' in out, "Outlook's block untouched"
    assert "data-premailer" not in out


def _page(css: str, body: str = "<p>x</p><p class=\"k\">y</p>") -> str:
    return (f'<!doctype html><html><head><style type="text/css">/*inline*/\n{css}</style></head>'
            f"<body>{body}</body></html>")


def test_premailer_keeps_each_stylesheets_rules_apart_between_runs():
    """premailer's rules are kept per stylesheet text: a later run with another theme gets its
    own rules, and the first theme's output is the same when it comes back."""
    red, blue = _page("p{color:red}"), _page("p{color:blue}.k{margin:0}")
    first = inline(red, "premailer")
    other = inline(blue, "premailer")
    assert 'style="color:red"' in first and "blue" not in first
    assert '<p style="color:blue">x' in other and 'style="color:blue; margin:0"' in other
    assert inline(red, "premailer") == first
    assert inline(blue, "premailer") == other


_PIECES = ['<style type="text/css">/*inline*/', "</style>", '<style type="text/css">', "/*inline*/",
           "p{color:red}", "<p>", "x", "\n", "<", "/"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_the_marked_css_is_every_marked_block_in_order(pieces):
    html = "".join(pieces)
    blocks = re.findall(r'<style type="text/css">/\*inline\*/(.*?)</style>', html, re.S)
    assert _marked_css(html) == "\n".join(blocks)


@pytest.mark.parametrize("text", ["a < b", "a > b", "<script>", "plain", "x &amp;lt; y"])
def test_css_inline_keeps_angle_brackets_in_attributes_escaped(text):
    """html5ever would write a decoded < or > back raw in an attribute value: whichever of the two
    a page holds stays an entity there, and a page with neither comes through as it went in."""
    attribute, content = escape(text), escape(text)
    out = inline(_page("p{color:red}", f'<p title="{attribute}">{content}</p>'), "css-inline")
    assert f'<p title="{attribute}" style="color: red;">{content}</p>' in out


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="css-inline, premailer"):
        inline("<p>x</p>", "juice")


# ---------------------------------------------------------------- choosing the engine


def _publication(tmp_path, inliner: str | None):
    (tmp_path / "publication.yaml").write_text(
        "name: P\nsender: {name: P, email: p@example.com}\n"
        + (f"inliner: {inliner}\n" if inliner else ""))
    (tmp_path / "i.yaml").write_text("issue:\n  subject: Hello\nstories:\n  - text: Just text.\n")
    return tmp_path / "i.yaml"


def test_publication_chooses_the_engine_and_the_command_line_wins(tmp_path):
    issue = _publication(tmp_path, "premailer")
    assert validate_file(issue).publication.inliner == "premailer"
    probe = ("import sys; from authoring.cli import main; sys.argv = ['authoring'] + sys.argv[1:]\n"
             "try: main()\nexcept SystemExit: pass\n"
             "print(sorted(m for m in ('premailer', 'css_inline') if m in sys.modules))")
    for extra, expected in [([], "['premailer']"), (["--inliner", "css-inline"], "['css_inline']")]:
        out = subprocess.run([sys.executable, "-c", probe, "render", str(issue), "-o",
                              str(tmp_path / "out"), *extra],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        assert out.stdout.strip().splitlines()[-1] == expected, out.stderr


def test_the_default_engine_is_css_inline(tmp_path):
    assert DEFAULT_ENGINE == "css-inline"
    assert validate_file(_publication(tmp_path, None)).publication.inliner == DEFAULT_ENGINE


def test_an_unknown_engine_in_publication_yaml_is_an_error(tmp_path):
    issue = _publication(tmp_path, "juice")
    report = validate_file(issue).report
    (diagnostic,) = [d for d in report.diagnostics if d.code == "unknown-inliner"]
    assert diagnostic.is_error and diagnostic.line == 3 and "css-inline, premailer" in str(diagnostic)
    result = runner.invoke(app, ["render", str(issue), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_an_unknown_engine_on_the_command_line_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["render", str(_publication(tmp_path, None)), "--inliner", "juice"])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["render", "export", "preview"])
def test_commands_that_render_take_inliner(command):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert "--inliner" in result.output


# ---------------------------------------------------------------- imports


def _imported(code: str) -> list[str]:
    probe = (f"import sys; {code}; print(sorted(m for m in ('premailer', 'cssutils', 'requests', "
             "'css_inline', 'mjml', 'markdown_it', 'uvicorn', 'starlette', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    return eval(out.stdout.strip())  # a list literal printed by the probe


def test_css_inline_render_imports_neither_premailer_nor_requests():
    imported = _imported("from authoring.render import render_file; render_file('issues/0321.yaml')")
    assert "css_inline" in imported and "mjml" in imported
    assert not {"premailer", "cssutils", "requests"} & set(imported)


def test_premailer_is_imported_when_chosen():
    imported = _imported("from authoring.render import render_file, RenderOptions; "
                         "render_file('issues/0321.yaml', options=RenderOptions(inliner='premailer'))")
    assert {"premailer", "cssutils"} <= set(imported) and "css_inline" not in imported


def test_the_command_line_imports_no_renderer_inliner_or_server():
    imported = _imported("import authoring.cli")
    assert imported == []
