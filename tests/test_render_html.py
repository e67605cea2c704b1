"""The email HTML: every word arrives in order, text is escaped, unsafe URLs never reach the output,
merge tags survive, and the markup is what mail clients need."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape
from word_compare import compare, words

from authoring import model
from authoring.diagnostics import AuthoringError
from authoring.markdown import parser, plain_blocks
from authoring.render import RenderOptions, check_size, render_file, render_html, render_issue
from authoring.render.markup import (
    Links,
    _escape_text,
    _plain_blocks_html,
    _plain_html,
    html_markup,
    template_escape,
)
from authoring.theme import palette
from authoring.validate import DEFAULT_PUBLICATION, load_issue
from conftest import sample_issues

SAMPLES = sample_issues()
MAX_SAMPLE_SIZE = 75 * 1024


# ---------------------------------------------------------------- helpers


def parse_html(html: str):
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    return parser.parse(html), parser.errors


def _hidden(element) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style


def visible_text(html: str) -> str:
    """What a reader sees (and a screen reader reads): body text and image alt text, no hidden preheader."""
    root, _ = parse_html(html)
    out: list[str] = []

    def walk(element):
        if not isinstance(element.tag, str) or element.tag in ("head", "style", "script", "title"):
            return  # comments (Outlook's conditional markup) and non-content
        if _hidden(element):
            return
        if element.tag == "img":
            out.append(f" {element.get('alt') or ''} ")
        if element.text:
            out.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if element.tag in ("p", "li", "h1", "h2", "h3", "div", "td", "br"):
            out.append(" ")

    walk(root.find("body"))
    return " ".join("".join(out).split())


def markdown_words(text: str | None) -> list[str]:
    """The words a reader sees of a Markdown text: link text but not link targets, image alt text."""
    parts: list[str] = []
    for block in parser().parse(text or ""):  # markdown-it itself, not the code under test
        for tok in block.children or []:
            if tok.type in ("text", "code_inline"):
                parts.append(tok.content)
            elif tok.type == "image":
                parts.append(f" {tok.content} ")
            elif tok.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        parts.append(" ")
    return words("".join(parts))


def expected_words(issue: model.Issue, publication: model.Publication, *, email: bool = True) -> list[str]:
    """Every word of the issue's text, in reading order (a story's picture comes before its title)."""
    out: list[str] = []
    plain = lambda text: out.extend(words(text or ""))  # noqa: E731
    md = lambda text: out.extend(markdown_words(text))  # noqa: E731
    if publication.logo:
        plain(publication.logo.alt)
    if issue.letter:
        letter = issue.letter
        plain(letter.salutation)
        md(letter.body)
        plain(letter.signoff)
        plain(letter.signature)
        if letter.ps:
            plain("P.S.")
            md(letter.ps)
    for story in issue.stories:
        image = getattr(story, "image", None)
        if isinstance(story, model.Header):
            plain(story.title)
        elif isinstance(story, model.News):
            if image:
                plain(image.alt)
            plain(story.headline)
            md(story.dek)
            for section in story.sections:
                plain(section.label)
                md(section.body)
        elif isinstance(story, model.Promo):
            plain(story.kicker)
            if image:
                plain(image.alt)
            md(story.body)
            if story.cta:
                plain(story.cta.text)
        elif isinstance(story, model.Feature):
            if image:
                plain(image.alt)
            plain(story.title)
            plain(story.byline)
            md(story.body)
        elif isinstance(story, model.Text):
            md(story.body)
    md(issue.footer if issue.footer is not None else publication.footer)
    plain(publication.postal_address)
    return out


def render(issue: model.Issue, publication: model.Publication = DEFAULT_PUBLICATION, **options) -> str:
    html, _ = render_html(issue, publication, RenderOptions(**options))
    return html


def hrefs(html: str) -> list[str]:
    root, _ = parse_html(html)
    return [a.get("href") for a in root.iter("a")]


def srcs(html: str) -> list[str]:
    root, _ = parse_html(html)
    return [img.get("src") for img in root.iter("img")]


def news_issue(**news) -> model.Issue:
    defaults = {"headline": "Headline", "dek": "Dek.", "sections": []}
    return model.Issue(issue=model.IssueInfo(subject="Subject", preheader="Preheader text"),
                       stories=[model.News(**{**defaults, **news})])


# ---------------------------------------------------------------- samples


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.stem for p in SAMPLES])
def sample(request):
    validated = load_issue(request.param)
    html, mjml = render_html(validated.issue, validated.publication, RenderOptions())
    return validated, html, mjml


def test_samples_exist():
    assert SAMPLES, "issues/ holds no sample issue"


def test_every_word_of_the_issue_is_visible_in_order(sample):
    validated, html, _ = sample
    expected = expected_words(validated.issue, validated.publication)
    result = compare(expected, words(visible_text(html)))
    assert result.complete, f"missing from the HTML, in order: {result.missing[:20]}"


def test_sample_is_small_and_well_formed(sample):
    validated, html, _ = sample
    size = len(html.encode("utf-8"))
    assert size < MAX_SAMPLE_SIZE, f"{size} bytes"
    assert html.startswith("<!doctype html>")
    root, errors = parse_html(html)
    assert errors == [], errors[:5]
    assert root.get("lang") == (validated.issue.issue.lang or validated.publication.lang)
    assert "<script" not in html.lower()
    assert not re.search(r"<link[^>]+stylesheet", html), "external CSS"
    assert "@import" not in html


def test_sample_has_what_mail_clients_need(sample):
    validated, html, _ = sample
    root, _ = parse_html(html)
    tables = list(root.iter("table"))
    assert tables and all(t.get("role") == "presentation" for t in tables)
    assert all(img.get("alt") is not None for img in root.iter("img"))
    assert root.find(".//meta[@name='color-scheme']").get("content") == "light dark"
    assert "prefers-color-scheme:dark" in html.replace(" ", "")
    assert "<!--[if mso | IE]>" in html, "MJML's Outlook conditional comments are kept"
    # the preheader is in the HTML but hidden
    preheader = validated.issue.issue.preheader
    if preheader:
        hidden = [d for d in root.iter("div") if _hidden(d)]
        assert any(preheader in "".join(d.itertext()) for d in hidden)
        assert preheader not in visible_text(html)
        # then 40 invisible groups keep the inbox preview from running on into the body text
        filler = "\u034f\u200c\xa0"
        assert any("".join(d.itertext()) == preheader + filler * 40 for d in hidden)
    assert root.find(".//title").text == validated.issue.issue.subject
    # a real outline: one h1 for the issue, section labels h2, headlines and titles h3 under a
    # label and h2 before any (an imported issue has no labels): never a level skipped
    assert len(list(root.iter("h1"))) == 1
    outline = [(h.tag, " ".join("".join(h.itertext()).split())) for h in root.iter()
               if h.tag in ("h2", "h3")]
    expected, headed = [], False
    for s in validated.issue.stories:
        if isinstance(s, model.Header):
            headed = True
            expected.append(("h2", s.title))
        elif not isinstance(s, (model.Promo, model.Text)):
            expected.append(("h3" if headed else "h2", getattr(s, "headline", None) or s.title))
    assert outline == expected
    levels = [int(tag[1]) for tag, _ in outline]
    assert all(b - a <= 1 for a, b in zip([1, *levels], levels, strict=False))
    # the column: 600 px on desktop, fluid below
    assert f"max-width:{validated.publication.theme.width}px" in html
    assert "max-width:479px" in html


def test_sample_mjml_is_written_for_the_column(sample):
    validated, _, mjml = sample
    assert mjml.startswith("<mjml")
    assert f'width="{validated.publication.theme.width}px"' in mjml


# ---------------------------------------------------------------- escaping and safety


HOSTILE = "<script>alert(1)</script> {{ 7*7 }} {% if x %} Fish & Chips &amp; <b>bold</b>"


def test_author_text_is_escaped_everywhere():
    issue = model.Issue(
        issue=model.IssueInfo(subject=HOSTILE, preheader=HOSTILE),
        letter=model.Letter(body=HOSTILE, salutation=HOSTILE, signoff=HOSTILE, ps=HOSTILE),
        stories=[
            model.Header(title=HOSTILE),
            model.News(headline=HOSTILE, dek=HOSTILE,
                       sections=[model.Section(label=HOSTILE, body=HOSTILE)],
                       image=model.Image(alt=HOSTILE, src="a.png")),
            model.Promo(body=HOSTILE, kicker=HOSTILE, cta=model.Link(text=HOSTILE, url="https://x.org/")),
            model.Feature(title=HOSTILE, body=HOSTILE, byline=HOSTILE),
            model.Text(body=HOSTILE),
        ],
        footer=HOSTILE,
    )
    publication = replace(DEFAULT_PUBLICATION, postal_address=HOSTILE)
    for mode in ("email", "web"):
        html = render(issue, publication, mode=mode)
        assert "<script" not in html.lower()
        assert "<b>" not in html
        assert "49" not in html
        text = visible_text(html)
        # every field arrives literally: 19 of them, the image's alt text included (+ the web page's <h1>)
        assert text.count(HOSTILE) == 19 + (mode == "web")
        root, _ = parse_html(html)
        assert root.find(".//title").text == HOSTILE


_ESCAPABLE = st.one_of(st.text(alphabet=st.sampled_from("ab ’&<>'\"\n;#é"), max_size=20),
                       st.text(max_size=20), st.integers(), st.none(),
                       st.builds(Markup, st.text(alphabet="a<&b", max_size=6)))


@settings(max_examples=500, deadline=None)
@given(_ESCAPABLE)
def test_the_fast_escape_is_markupsafes_escape(value):
    """Author text with nothing to escape is handed back as it is; anything else goes to markupsafe."""
    escaped = _escape_text(value)
    assert type(escaped) is str and escaped == str(escape(value))


class _Html:
    """Something that is HTML by its own say (``__html__``), as Jinja's own objects can be."""

    def __html__(self) -> str:
        return "<b>ready</b>"


@settings(max_examples=500, deadline=None)
@given(st.one_of(_ESCAPABLE, st.just(_Html()), st.floats(allow_nan=False)))
def test_the_templates_escape_is_markupsafes_escape(value):
    """What ``{{ value }}`` writes: the same Markup markupsafe's escape makes, for every kind of value."""
    escaped = template_escape(value)
    assert type(escaped) is Markup and escaped == escape(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_markup_built_without_its_constructor_is_the_same_markup(html):
    assert type(html_markup(html)) is Markup and html_markup(html) == Markup(html)


@pytest.mark.parametrize("own_templates", [False, True], ids=["built-in", "publication's (sandboxed)"])
def test_every_template_escapes_its_output_with_the_fast_escape_and_still_escapes(tmp_path, monkeypatch,
                                                                                    own_templates):
    """Both environments load their templates, compiled or from the bytecode cache, with
    ``template_escape`` bound as their ``escape``: author text is escaped all the same."""
    from authoring.render import html as render_html_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "header.mjml.j2").write_text("<mj-text><h2>{{ story.title }}</h2></mj-text>\n")
    publication = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t")) if own_templates \
        else DEFAULT_PUBLICATION
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="<i>News</i> & co")])
    try:
        for _ in range(2):  # compiled, then (a fresh environment) read from the bytecode cache
            render_html_module.reload_templates()
            assert "&lt;i&gt;News&lt;/i&gt; &amp; co" in render(issue, publication)
            env = render_html_module.environment(render_html_module.templates_folder(publication))
            for name in ("email/issue.mjml.j2", "email/header.mjml.j2", "email/macros.mjml.j2"):
                template = env.get_template(name)
                assert template.root_render_func.__globals__["escape"] is template_escape
                assert type(template.globals) is dict and template.globals["range"] is env.globals["range"]
    finally:
        render_html_module.reload_templates()


_PLAIN_PIECES = st.sampled_from(["a", "b", " ", "\n", "- ", "<", "&", "’", "1. "])


@settings(max_examples=500, deadline=None)
@given(text=st.lists(_PLAIN_PIECES, max_size=12).map("".join),
       lead=st.sampled_from(["", "P.S. ", "<strong>Why:</strong> "]),
       p_open=st.sampled_from(["<p>", '<p class="dek">']))
def test_a_one_line_plain_field_is_the_same_html_as_block_by_block(text, lead, p_open):
    blocks = plain_blocks(text)
    if blocks is not None:
        assert _plain_html(text, blocks, lead, p_open) == _plain_blocks_html(text, blocks, lead, p_open)


def test_markdown_subset_becomes_tags_and_nothing_else():
    body = ("**strong** *em* `code` [link](https://example.com/a?b=1&c=2)\n\n"
            "- one\n- two\n\n3. three\n4. four\n\n# not a heading\n\n> not a quote\n\n<i>raw</i>")
    html = render(model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Text(body=body)]))
    assert "<strong>strong</strong>" in html and "<em>em</em>" in html and "<code" in html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert re.search(r"<ul[^>]*><li[^>]*>one</li>", html)
    assert re.search(r'<ol start="3"[^>]*><li[^>]*>three', html)
    assert html.count("<h1") == 1, "only the masthead is a level-1 heading"
    assert "<blockquote" not in html and "<i>" not in html
    text = visible_text(html)
    assert "# not a heading" in text and "> not a quote" in text and "<i>raw</i>" in text


UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "vbscript:msgbox(1)",
          "data:text/html;base64,PHNjcmlwdD4=", " javascript:alert(1)"]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_never_reach_the_html(url):
    issue = model.Issue(
        issue=model.IssueInfo(subject="s"),
        letter=model.Letter(body=f"Read [the report]({url.strip()}) now. ![chart]({url.strip()})"),
        stories=[
            model.News(headline="H", image=model.Image(alt="pic", src=url, href=url)),
            model.Promo(body="Promo", image=model.Image(alt="banner", src=url, href=url),
                        cta=model.Link(text="Enroll now", url=url)),
        ],
    )
    publication = replace(DEFAULT_PUBLICATION, unsubscribe_url=url, web_version_url=url,
                          logo=model.Logo(alt="Logo", src=url, href=url))
    html = render(issue, publication)
    root, _ = parse_html(html)
    attributes = [re.sub(r"\s", "", value.lower()) for el in root.iter() if isinstance(el.tag, str)
                  for value in el.attrib.values()]
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert not [a for a in attributes if scheme in a]
    assert len(hrefs(html)) == 0 and srcs(html) == []
    # the text of the link and the button stays, as plain text
    text = visible_text(html)
    if not re.search(r"\s", url.strip()):  # with a space inside, Markdown sees no link at all
        assert "Read the report now." in text
    assert "Enroll now" in text
    assert "Unsubscribe" not in text, "no unsubscribe link without a usable address"


def test_links_and_images_pass_through_the_callers_hooks():
    issue = model.Issue(
        issue=model.IssueInfo(subject="s"),
        letter=model.Letter(body="A [link](https://example.com/x) and ![chart](images/chart.png)"),
        stories=[model.Promo(body="p", image=model.Image(alt="b", src="images/b.png",
                                                         href="https://example.com/b"),
                             cta=model.Link(text="Go", url="https://example.com/go"))],
    )
    publication = replace(DEFAULT_PUBLICATION, web_version_url="https://example.com/web",
                          logo=model.Logo(alt="Logo", src="logo.png", href="https://example.com/"))
    html = render(issue, publication, link_url=lambda u: u + "?tag=1",
                  image_url=lambda u: "https://cdn.example/" + u)
    links = [h for h in hrefs(html) if h != "{{unsubscribe_url}}"]
    assert len(links) == 5 and all(h.endswith("?tag=1") for h in links), links
    assert "{{unsubscribe_url}}" in hrefs(html), "merge tags are not tagged"
    assert srcs(html) == ["https://cdn.example/logo.png", "https://cdn.example/images/chart.png",
                          "https://cdn.example/images/b.png"]


@pytest.mark.parametrize("unsubscribe, web_version", [
    ("{{unsubscribe_url}}", "{{web_version_url}}"),
    ("{{ unsubscribe_url }}", "{{ web_version_url }}"),
    ("*|UNSUB|*", "*|ARCHIVE|*"),
    ("%unsubscribe_url%", "%view_in_browser_url%"),
])
def test_merge_tags_pass_through_untouched(unsubscribe, web_version):
    publication = replace(DEFAULT_PUBLICATION, unsubscribe_url=unsubscribe, web_version_url=web_version)
    issue = model.Issue(issue=model.IssueInfo(subject="s"),
                        letter=model.Letter(body=f"Not interested? [Leave]({unsubscribe.replace(' ', '')})."))
    html, mjml = render_html(issue, publication, RenderOptions(link_url=lambda u: u + "?tag=1"))
    assert f'href="{unsubscribe}"' in html
    assert f'href="{web_version}"' in html
    assert f'href="{unsubscribe.replace(" ", "")}"' in html
    assert unsubscribe in mjml
    assert "merge-tag" not in html and "merge-tag" not in mjml


def test_web_mode_is_an_archive_page():
    publication = replace(DEFAULT_PUBLICATION, web_version_url="{{web_version_url}}")
    issue = news_issue()
    web = render(issue, publication, mode="web")
    root, _ = parse_html(web)
    assert root.find(".//meta[@name='description']").get("content") == "Preheader text"
    assert "{{unsubscribe_url}}" not in web and "{{web_version_url}}" not in web
    assert "Preheader text" not in visible_text(web) and "Preheader text" not in web.split("<body")[1]
    assert root.find(".//h1").text == "Subject"
    email = render(issue, publication)
    assert "{{unsubscribe_url}}" in email and 'name="description"' not in email


# ---------------------------------------------------------------- drafts, images, labels


def test_draft_marks_missing_images_with_their_alt_text():
    issue = news_issue(image=model.Image(alt="A robot arm"), dek="See ![the chart]() below.")
    draft = render(issue)
    assert "Image missing: A robot arm" in visible_text(draft)
    assert "Image missing: the chart" in visible_text(draft)
    final = render(issue, draft=False)
    assert "Image missing" not in final
    promo = model.Issue(issue=model.IssueInfo(subject="s"),
                        stories=[model.Promo(body="b", cta=model.Link(text="Enroll now"))])
    assert "Enroll now (link missing)" in visible_text(render(promo))
    assert "Enroll now" in visible_text(render(promo, draft=False))
    assert "link missing" not in render(promo, draft=False)
    assert "A robot arm" in visible_text(final) and "the chart" in visible_text(final)


def test_images_fit_the_column():
    publication = replace(DEFAULT_PUBLICATION, theme=model.Theme(width=500))
    issue = news_issue(image=model.Image(alt="wide", src="w.png", width=2000),
                       dek="![inline](i.png)")
    html = render(issue, publication)
    root, _ = parse_html(html)
    for img in root.iter("img"):
        assert int(img.get("width")) <= 500 - 48
        assert "height:auto" in img.get("style").replace(" ", "")


def test_sections_and_letter_read_like_the_house_style():
    issue = model.Issue(
        issue=model.IssueInfo(subject="s"),
        letter=model.Letter(body="Body.", signoff="Keep learning!", signature="Andrew", ps="One more thing."),
        stories=[model.News(headline="H", sections=[
            model.Section(label="What’s new", body="Something."),
            model.Section(label="How it works", body="- first\n- second"),
            model.Section(label=None, body="Plain paragraph."),
        ])],
    )
    html = render(issue)
    assert "<strong>What’s new:</strong> Something." in html
    assert re.search(r"<strong>How it works:</strong></p><ul", html)
    text = visible_text(html)
    assert "Dear friends, Body. Keep learning! Andrew P.S. One more thing." in text
    assert "Plain paragraph." in text


def test_theme_colors_and_width_come_from_the_publication():
    theme = model.Theme(accent="#0a6e3c", text="#111111", width=640, font="Georgia, serif",
                        dark_surface="#202020")
    publication = replace(DEFAULT_PUBLICATION, theme=theme)
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[
        model.Header(title="News"), model.Promo(body="b", cta=model.Link(text="Go", url="https://x.org"))])
    html = render(issue, publication)
    assert "#0a6e3c" in html and "#111111" in html and "Georgia, serif" in html
    assert "max-width:640px" in html and "#202020" in html


def test_a_theme_changed_in_place_renders_its_new_colors():
    """The derived palette is kept per theme (the preview renders again with the same publication);
    a theme edited in place is a new one."""
    theme = model.Theme(accent="#0a6e3c")
    publication = replace(DEFAULT_PUBLICATION, theme=theme)
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[
        model.Promo(body="b", cta=model.Link(text="Go", url="https://x.org"))])
    assert "#0a6e3c" in render(issue, publication)
    theme.accent, theme.surface = "#7a1f9c", "#fafafa"
    html = render(issue, publication)
    assert "#7a1f9c" in html and "#0a6e3c" not in html
    assert palette(theme).tint in html


# ---------------------------------------------------------------- templates


def test_a_publication_can_replace_a_partial(tmp_path):
    folder = tmp_path / "my-templates" / "email"
    folder.mkdir(parents=True)
    (folder / "header.mjml.j2").write_text(
        '<mj-text><h2 class="custom">{{ story.title | upper }}</h2></mj-text>\n')
    publication = replace(DEFAULT_PUBLICATION, templates="my-templates")
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News <&>")])
    html = render(issue, publication, publication_dir=tmp_path)
    assert re.search(r'<h2 class="custom"[^>]*>NEWS &lt;&amp;&gt;</h2>', html)
    # the other partials are still the built-in ones
    assert "{{unsubscribe_url}}" in html


def test_each_publication_renders_its_own_partials_however_renders_alternate(tmp_path):
    """Templates are kept for good (no LRU, no reload check): each publication's folder still gets
    its own partials, a story's partial included by its name among them, and the built-in ones
    stay the built-in ones, whichever rendered first."""
    issue = model.Issue(issue=model.IssueInfo(subject="s"),
                        stories=[model.Header(title="News"), model.Text(body=model.Markdown("Body."))])
    publications = {}
    for name in ("one", "two"):
        folder = tmp_path / name / "email"
        folder.mkdir(parents=True)
        (folder / "header.mjml.j2").write_text(
            f'<mj-text><h2 class="{name}">{{{{ story.title }}}}</h2></mj-text>\n')
        (folder / "text.mjml.j2").write_text(
            f'<mj-text><p class="{name}-text">{{{{ story.body | markdown }}}}</p></mj-text>\n')
        publications[name] = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / name))
    for _ in range(2):
        for name, publication in publications.items():
            html = render(issue, publication)
            other = "two" if name == "one" else "one"
            assert f'class="{name}"' in html and f'class="{name}-text"' in html
            assert f'class="{other}' not in html
        built_in = render(issue, DEFAULT_PUBLICATION)
        assert 'class="one' not in built_in and 'class="two' not in built_in and "Body." in built_in


def test_the_theme_styles_are_each_renders_own(tmp_path):
    """styles.mjml.j2 is rendered once per theme and kept: each render still gets its own theme's
    CSS, in the head of the folder's templates when a publication brings its own."""
    issue = model.Issue(issue=model.IssueInfo(subject="s"))
    theme = model.Theme(accent="#7a1f9c", font="Georgia, serif")
    purple = replace(DEFAULT_PUBLICATION, theme=theme)
    for _ in range(2):
        assert "#7a1f9c" in render(issue, purple) and 'font-family="Georgia, serif"' in render_html(
            issue, purple, RenderOptions())[1]
        assert "#7a1f9c" not in render(issue, DEFAULT_PUBLICATION)
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "styles.mjml.j2").write_text("<mj-style>.own{color:{{ colors.accent }}}</mj-style>\n")
    own = render(issue, replace(purple, templates=str(tmp_path / "t")), publication_dir=tmp_path)
    assert ".own{color:#7a1f9c}" in own and "prefers-color-scheme" not in own


def test_a_broken_template_is_reported_with_its_line(tmp_path):
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "header.mjml.j2").write_text("<mj-text>\n{% if %}</mj-text>\n")
    publication = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t"))
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])
    with pytest.raises(AuthoringError) as caught:
        render(issue, publication)
    diagnostic = caught.value.reports[0].diagnostics[0]
    assert diagnostic.file.endswith("header.mjml.j2") and diagnostic.line == 2


# ---------------------------------------------------------------- the combined result


def test_render_issue_gives_html_text_and_size(capfd):
    validated, rendered = render_file(SAMPLES[0])
    assert rendered.size == len(rendered.html.encode("utf-8"))
    assert rendered.text.strip() and rendered.mjml.startswith("<mjml")
    assert rendered.warnings == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == "", "premailer/cssutils must not print"


def test_the_rendered_mjml_holds_the_merge_tags_as_render_html_gives_them():
    """Rendered.mjml, made when first read, is the MJML with its merge tags back in place."""
    validated, rendered = render_file(SAMPLES[0])
    _, mjml = render_html(validated.built_issue, validated.publication,
                          RenderOptions(publication_dir=SAMPLES[0].parent))
    assert "{{unsubscribe_url}}" in rendered.mjml and "merge-tag-" not in rendered.mjml
    assert rendered.mjml == mjml


def test_big_issues_get_a_size_warning():
    paragraph = "A sentence that is long enough to fill some space in the email body. " * 12
    stories = [model.News(headline=f"Story {i}", dek=paragraph,
                          sections=[model.Section(label="What’s new", body=paragraph)]) for i in range(50)]
    rendered = render_issue(model.Issue(issue=model.IssueInfo(subject="s"), stories=stories),
                            DEFAULT_PUBLICATION)
    assert rendered.size > 90 * 1024
    assert any("Gmail clips messages over 102 KB" in w for w in rendered.warnings)


def test_the_size_warning_counts_bytes_not_characters():
    """An HTML of far fewer characters than the limit warns when its UTF-8 is over it (each emoji
    is four bytes), and not one emoji before: bytes are counted whenever they could be over, even
    where three bytes a character could not reach the limit."""
    from authoring.render import WARN_SIZE

    def rendered(emoji: int):
        letter = model.Letter(body="😀" * emoji)
        return render_issue(model.Issue(issue=model.IssueInfo(subject="s"), letter=letter),
                            DEFAULT_PUBLICATION)

    one = rendered(1)
    under = 1 + (WARN_SIZE - one.size) // 4
    quiet, loud = rendered(under), rendered(under + 1)
    assert quiet.size <= WARN_SIZE < loud.size == one.size + 4 * under
    assert 3 * len(loud.html) <= WARN_SIZE
    assert quiet.warnings == []
    assert loud.warnings == [check_size(loud.size)]


def test_size_warning_threshold():
    assert check_size(90 * 1024) is None
    assert check_size(int(93.1 * 1024)) == "HTML is 93.1 KB: Gmail clips messages over 102 KB"


@pytest.mark.parametrize("call", ["r.markdown(story.body, label='Note')",
                                  "story.body | markdown(label='Note')"])
def test_a_publication_template_renders_markdown_as_a_method_or_a_filter(tmp_path, call):
    """The built-in partials use the ``markdown`` filter; a publication's may still call ``r.markdown``."""
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "text.mjml.j2").write_text(f"<mj-text>{{{{ {call} }}}}</mj-text>\n")
    publication = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t"))
    issue = model.Issue(issue=model.IssueInfo(subject="s"),
                        stories=[model.Text(body=model.Markdown("*Hi* <b> [x](javascript:alert(1))"))])
    html = render(issue, publication)
    assert "<strong>Note:</strong> <em>Hi</em> &lt;b&gt; x</p>" in html


def test_render_file_refuses_an_invalid_draft(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue:\n  subject: 42\nstories:\n  - news: {}\n")
    with pytest.raises(AuthoringError):
        render_file(bad)


def test_render_file_resolves_templates_against_the_publication(tmp_path):
    (tmp_path / "custom" / "email").mkdir(parents=True)
    (tmp_path / "custom" / "email" / "text.mjml.j2").write_text(
        '<mj-text><p class="mine">{{ r.markdown(story.body) }}</p></mj-text>\n')
    (tmp_path / "publication.yaml").write_text(
        "name: P\nsender: {name: P, email: p@example.com}\ntemplates: custom\n")
    (tmp_path / "i.yaml").write_text("issue:\n  subject: Hello\nstories:\n  - text: Just text.\n")
    _, rendered = render_file(Path(tmp_path / "i.yaml"))
    assert 'class="mine"' in rendered.html


def test_a_css_problem_is_reported_once_not_printed(capfd):
    """premailer (cssutils) reports CSS it cannot parse; css-inline skips such rules silently."""
    from authoring.render.html import inline

    warnings: list[str] = []
    page = ('<html><head><style type="text/css">/*inline*/ p{color:red} p{margin:0 {{oops}} } } x{</style>'
            '</head><body><p>x</p></body></html>')
    out = inline(page, warnings, engine="premailer")
    assert '<p style="color:red">' in out and out.startswith("<!doctype html>")
    (warning,) = warnings
    assert warning.startswith("CSS problem while inlining styles:") and "more)" in warning
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- what a careful sender ships (issue 13)


def _styles(element) -> dict[str, str]:
    """An element's inline style as property → value."""
    pairs = (part.split(":", 1) for part in (element.get("style") or "").split(";") if ":" in part)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def test_head_stops_ios_reformatting_and_auto_linking(sample):
    _, html, _ = sample
    head = parse_html(html)[0].find("head")
    assert head.find("meta[@name='x-apple-disable-message-reformatting']") is not None
    detection = head.find("meta[@name='format-detection']").get("content").replace(" ", "")
    for kind in ("telephone=no", "date=no", "address=no", "email=no"):
        assert kind in detection.split(",")


def test_no_image_carries_the_invalid_height_auto_attribute(sample):
    _, html, _ = sample
    images = list(parse_html(html)[0].iter("img"))
    assert images and all(img.get("height") != "auto" for img in images)


def test_every_image_styles_its_alt_text_for_when_images_are_blocked(sample):
    validated, html, _ = sample
    theme = validated.publication.theme
    for img in parse_html(html)[0].iter("img"):
        style = _styles(img)
        assert style.get("font-family") == theme.font, img.get("src")
        assert style.get("color", "").startswith("#"), img.get("src")
        assert int(style.get("font-size", "0px").removesuffix("px")) >= 14, img.get("src")


def test_masthead_is_the_one_h1_and_shows_the_name_when_the_logo_is_blocked(sample):
    validated, html, _ = sample
    root = parse_html(html)[0]
    (h1,) = root.iter("h1")
    logo = validated.publication.logo
    if logo is None:
        assert "".join(h1.itertext()).strip() == validated.publication.name
        return
    img = h1.find(".//img")
    assert img.get("alt") == logo.alt
    assert int(_styles(img)["font-size"].removesuffix("px")) >= 24, "the name reads as a masthead"


def test_lists_indent_without_padding_and_labels_gap_without_padding(sample):
    _, html, _ = sample
    root = parse_html(html)[0]
    lists = [e for e in root.iter() if e.tag in ("ul", "ol")]
    assert lists
    for element in lists:
        style = _styles(element)
        assert style.get("padding") in (None, "0"), "Outlook for Windows ignores padding on lists"
        assert style["margin"].split()[-1] == "24px", style
    for label in root.iter("h2"):
        if "hl" in (label.get("class") or "").split():
            continue  # a headline at level 2 (no section label above it), not a label
        style = _styles(label)
        assert "padding" not in style and "padding-bottom" not in style
        line, size = (float(style[k].removesuffix("px")) for k in ("line-height", "font-size"))
        assert line - size >= 8, "the gap above the rule comes from the line height"


def test_buttons_take_their_size_from_borders_not_padding():
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[
        model.Promo(body="b", cta=model.Link(text="Enroll now", url="https://x.org/e"))])
    root = parse_html(render(issue))[0]
    (link,) = [a for a in root.iter("a") if a.get("href") == "https://x.org/e"]
    style = _styles(link)
    assert not any(name.startswith("padding") for name in style), style
    assert style["border-width"] == "12px 28px" and style["display"] == "inline-block"
    # Outlook for Windows draws a VML button, a link over its whole area
    html = render(issue)
    vml = re.search(r"<!--\[if mso\]><v:roundrect [^>]*>.*?<!\[endif\]-->", html, re.S)
    assert vml and 'href="https://x.org/e"' in vml.group(0) and "Enroll now" in vml.group(0)
    assert "<!--[if !mso]><!--><table" in html, "other clients get the bordered link"


def test_outlook_com_dark_mode_gets_our_palette_not_its_inversion(sample):
    validated, html, _ = sample
    css = " ".join("".join(s.itertext()) for s in parse_html(html)[0].iter("style"))
    colors = palette(validated.publication.theme)
    text = ",".join(f"[data-ogsc] .s {tag}" for tag in ("div", "h1", "h2", "h3"))
    assert f"{text}{{color:{colors.dark_text}!important}}" in css
    assert f"[data-ogsb] .s,[data-ogsb] .s>table{{background:{colors.dark_surface}!important}}" in css
    assert f"[data-ogsc] .s .sh,[data-ogsc] .s .k{{color:{colors.dark_accent}!important" in css


def test_a_dark_logo_variant_is_hidden_from_outlook_and_swapped_by_the_media_query():
    logo = model.Logo(alt="The Example", src="https://x.org/logo.png",
                      dark_src="https://x.org/logo-dark.png")
    html = render(model.Issue(issue=model.IssueInfo(subject="s")), replace(DEFAULT_PUBLICATION, logo=logo))
    assert "<!--[if !mso]><!--><img class=\"lgd\"" in html
    dark = re.search(r"@media \(prefers-color-scheme:dark\)\{(.*?)\n\}", html, re.S).group(1)
    assert ".s .lgl{display:none!important}" in dark and ".s .lgd{display:block!important;" in dark
    plain = render(model.Issue(issue=model.IssueInfo(subject="s")),
                   replace(DEFAULT_PUBLICATION, logo=replace(logo, dark_src=None)))
    assert "lgd" not in plain.split("<body")[1]
    assert "border-radius:8px!important" in plain


def test_a_logo_without_a_width_gets_the_default_one():
    logo = model.Logo(alt="The Example", src="https://x.org/logo.png")
    html = render(model.Issue(issue=model.IssueInfo(subject="s")), replace(DEFAULT_PUBLICATION, logo=logo))
    (img,) = parse_html(html)[0].iter("img")
    assert img.get("width") == "200" and _styles(img)["width"] == "200px"


# ---------------------------------------------------------------- hostile templates (issue 10)


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ story.__class__.__init__.__globals__['sys'].modules['os'].system('touch PWNED') }}",
    "{{ ''.__class__ }}",
    "{{ cycler.mro() }}",
])
def test_user_templates_cannot_run_code(tmp_path, monkeypatch, payload):
    from authoring.render import html as render_html_module

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "header.mjml.j2").write_text(f"<mj-text>{payload}</mj-text>\n")
    render_html_module.reload_templates()
    publication = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t"))
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])
    with pytest.raises(AuthoringError, match="template error"):
        render(issue, publication)
    assert not (tmp_path / "PWNED").exists()


def test_a_publication_template_is_sandboxed_and_the_built_in_ones_render_beside_it(tmp_path, monkeypatch):
    """The built-in templates alone render unsandboxed (they are our code); a publication's folder
    puts every template, ours included, in the sandbox, and one cache folder serves both without
    either running the other's compiled code (the sandbox's lacks nothing; the plain one's would
    skip the sandbox's checks of calls)."""
    from authoring.render import html as render_html_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    (folder / "header.mjml.j2").write_text("<mj-text><h2>{{ story.title | upper }}</h2></mj-text>\n")
    issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])
    own = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t"))
    try:
        for publication, expected in [(own, "NEWS"), (DEFAULT_PUBLICATION, "News"), (own, "NEWS")]:
            render_html_module.reload_templates()  # a fresh process: compiled code from the cache
            assert expected in render(issue, publication)
        assert render_html_module.environment(str(tmp_path / "t")).sandboxed
        assert not render_html_module.environment(None).sandboxed
        files = sorted(p.name for p in (tmp_path / "cache" / "authoring" / "jinja").iterdir())
        plain = [name for name in files if name.startswith("__jinja2_plain_")]
        assert plain and len(plain) < len(files), files
        (folder / "header.mjml.j2").write_text("<mj-text>{{ cycler.mro() }}</mj-text>\n")
        render_html_module.reload_templates()
        with pytest.raises(AuthoringError, match="template error"):
            render(issue, own)
    finally:
        render_html_module.reload_templates()


def test_the_bytecode_cache_lives_in_the_users_cache_folder(tmp_path, monkeypatch):
    from authoring.render import html as render_html_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    render_html_module.reload_templates()
    env = render_html_module.environment(None)
    assert env.bytecode_cache is not None
    assert Path(env.bytecode_cache.directory) == tmp_path / "cache" / "authoring" / "jinja"
    render_html_module.reload_templates()


def test_an_unusable_cache_folder_means_no_cache_not_a_failure(tmp_path, monkeypatch):
    from authoring.render import html as render_html_module

    (tmp_path / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # and another user's folder planted where jinja's default would go
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import os
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / f"_jinja2-cache-{os.getuid()}")
    render_html_module.reload_templates()
    try:
        assert render_html_module.environment(None).bytecode_cache is None
        issue = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])
        assert "News" in render(issue, DEFAULT_PUBLICATION)
    finally:
        render_html_module.reload_templates()


def test_a_mailchimp_tag_in_the_body_reaches_both_parts_as_written():
    from authoring.render.text import render_text

    issue = model.Issue(issue=model.IssueInfo(subject="s", preheader="p"),
                        letter=model.Letter(body="Dear *|FNAME|*, your *code* is *|COUPON|*.",
                                            signoff="Bye"))
    html = render(issue)
    assert "Dear *|FNAME|*, your <em>code</em> is *|COUPON|*." in html
    assert "Dear *|FNAME|*, your code is *|COUPON|*." in render_text(issue, DEFAULT_PUBLICATION,
                                                                       RenderOptions())


def _restored_in_turn(links: Links, html: str) -> str:
    """restore_merge_tags as it was: each token replaced in turn."""
    from markupsafe import escape

    for token, tag in links.merge_tags.items():
        html = html.replace(token, str(escape(tag)))
    return html


@pytest.mark.parametrize("tags", [
    [], ["{{unsubscribe_url}}"], ["{{a}}", "*|UNSUB|*", "%url%", "[UNSUB]", "{{ x&y<z }}"],
    [f"{{{{t{n}}}}}" for n in range(12)],  # tokens 1 and 10, 11: none inside another
    ["{{https://merge-tag-1.invalid/}}", "{{b}}"],  # a tag that writes the next token
    ["{{https://merge-tag-0.invalid/}}"],  # a tag that writes its own
])
def test_merge_tags_are_restored_as_replacing_them_in_turn_did(tags):
    links = Links()
    tokens = [links.href(tag) for tag in tags]
    html = " | ".join(f'<a href="{token}">{token}</a>' for token in tokens)
    html += " https://merge-tag-99.invalid/ written by the author, https://merge-tag-.invalid/"
    restored = links.restore_merge_tags(html)
    assert restored == _restored_in_turn(links, html)
    assert "https://merge-tag-99.invalid/" in restored


def test_many_distinct_merge_tags_are_tokened_in_linear_time():
    """A tag met again is found at once: 20,000 distinct tags (a hostile 1 MB issue holds more)
    took seconds when each was looked for in a scan of those before it."""
    from authoring.render.markup import Links

    links = Links()
    start = time.process_time()
    tokens = [links.href(f"{{{{tag_{n}}}}}") for n in range(20_000)]
    assert time.process_time() - start < 1.0  # generous: the point is "not quadratic"
    assert len(set(tokens)) == 20_000 and links.href("{{tag_7}}") == tokens[7]
    assert links.merge_tags[tokens[7]] == "{{tag_7}}"
