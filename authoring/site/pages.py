"""Stage 2 of the site: each issue's page, the index pages, the sitemap and robots.txt.

An issue's page is its web render (the same templates as the email, ``mode="web"``), stripped of
what only an inbox reads (``webify``) and wrapped by ``templates/site/issue.html.j2``: title,
canonical link, description, Open Graph and Twitter card, published time, subscribe link, previous
and next issue. Pages link to each other and to their images by relative URLs, so the same files
work under the base URL, from a folder and in the preview; canonical links, Open Graph and the
feeds use absolute ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from authoring import codes
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.site.assets import ImageProblem, Images
from authoring.site.gather import Archive, Entry

if TYPE_CHECKING:
    import jinja2

ISSUE_TEMPLATE = "site/issue.html.j2"
INDEX_TEMPLATE = "site/index.html.j2"
SITEMAP_TEMPLATE = "site/sitemap.xml.j2"
ROBOTS_TEMPLATE = "site/robots.txt.j2"
FEED_ATOM = "feed.xml"
FEED_RSS = "rss.xml"
PAGES_FOLDER = "page/"
"""Index pages after the first: ``page/2/index.html``..."""


@dataclass
class IssuePage:
    """One issue, rendered for the site."""

    entry: Entry
    css: str
    content: str
    """The issue's markup with URLs relative to its page."""
    description: str
    image: str | None
    """The site path (``images/…``) or absolute address of its first picture (not the logo)."""
    image_alt: str | None
    html: str = ""

    @property
    def url_path(self) -> str:
        return self.entry.url_path


def relative_root(url_path: str) -> str:
    """From a page's folder back to the site's root: ``issue-321/`` → ``../``."""
    return "../" * url_path.count("/")


@dataclass
class PageMemo:
    """Issue pages kept from one build to the next in a long-lived process (the preview's site),
    by everything they are made of: the issue, the publication, draft or not, the page's place and
    the images' contents (each used image is looked up again and must land where it did). The
    owner starts a new memo when templates change. Only what the last build used is kept."""

    pages: dict[tuple, tuple[IssuePage, list[tuple[str, str | None]]]] = field(default_factory=dict)
    used: dict[tuple, tuple[IssuePage, list[tuple[str, str | None]]]] = field(default_factory=dict)
    hits: int = 0

    def next_build(self) -> None:
        self.pages, self.used = self.used, {}


def render_issue_page(archive: Archive, entry: Entry, images: Images,
                      memo: PageMemo | None = None) -> IssuePage:
    """The web render of ``entry`` made a page's parts (the page itself is written by ``issue_html``)."""
    pub_dir = archive.publication_file.parent if archive.publication_file else None
    roots = [entry.source.parent.resolve()] + ([pub_dir.resolve()] if pub_dir else [])
    if memo is None:
        return _render_issue_page(archive, entry, images, roots, [])
    key = (repr(entry.issue), repr(archive.publication), entry.draft, entry.url_path, tuple(roots))
    kept = memo.pages.get(key)
    if kept is not None and _same_images(images, roots, kept[1]):
        memo.hits += 1
        memo.used[key] = kept
        return dataclasses.replace(kept[0], entry=entry)
    used: list[tuple[str, str | None]] = []
    page = _render_issue_page(archive, entry, images, roots, used)
    memo.used[key] = (page, used)
    return page


def _same_images(images: Images, roots: list[Path], used: list[tuple[str, str | None]]) -> bool:
    try:
        return all(images.site_path(src, roots) == path for src, path in used)
    except ImageProblem:
        return False


def _render_issue_page(archive: Archive, entry: Entry, images: Images, roots: list[Path],
                       used: list[tuple[str, str | None]]) -> IssuePage:
    from authoring.render import RenderOptions, render_issue
    from authoring.site.webify import web_parts

    publication = archive.publication
    pub_dir = archive.publication_file.parent if archive.publication_file else None
    root = relative_root(entry.url_path)
    logo = publication.logo
    logo_sources = {logo.src, logo.dark_src} if logo else set()
    first: list[tuple[str, str]] = []
    """(site path or address, as written) of the first picture that is not the logo."""
    problems: list[str] = []

    def image_url(src: str) -> str:
        try:
            path = images.site_path(src, roots)
        except ImageProblem as exc:
            problems.append(str(exc))
            return src
        used.append((src, path))
        if src not in logo_sources and not first:
            first.append((path or src, src))
        return src if path is None else root + path

    options = RenderOptions(mode="web", draft=entry.draft, image_url=image_url, publication_dir=pub_dir)
    rendered = render_issue(entry.issue, publication, options)
    if problems and not entry.draft:
        raise AuthoringError(f"{entry.source}: {len(problems)} image{'s' if len(problems) != 1 else ''} "
                             "cannot be published", [_image_report(entry, problems)])
    parts = web_parts(rendered.html)
    image = first[0][0] if first else None
    return IssuePage(entry=entry, css=parts.css, content=parts.body, description=description_of(entry),
                     image=image, image_alt=alt_of(entry, first[0][1]) if first else None)


def description_of(entry: Entry) -> str:
    """The preheader, else the first story's summary (a news dek), else the subject: what the
    web render's own description says."""
    from authoring import blocks

    info = entry.issue.issue
    summaries = (blocks.of(story).summary(story) for story in entry.issue.stories)
    return info.preheader or next((s for s in summaries if s), None) or info.subject


def alt_of(entry: Entry, src: str) -> str | None:
    """The alt text written with the image ``src``: a story's picture, or a Markdown image."""
    from authoring.checks import text_fields

    for story in entry.issue.stories:
        image = getattr(story, "image", None)
        if image is not None and image.src == src:
            return str(image.alt)
    written = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\(\s*<?" + re.escape(src) + r"[\s>)]")
    for _, text, is_markdown in text_fields(entry.issue):
        match = written.search(text) if is_markdown else None
        if match:
            return match.group(1)
    return None


def _image_report(entry: Entry, problems: list[str]) -> Report:
    report = Report(file=str(entry.source), source_lines=entry.report.source_lines if entry.report else [])
    for problem in problems:
        needle = problem.split("'")[1] if problem.count("'") >= 2 else ""
        line = column = None
        for number, text in enumerate(report.source_lines, 1):
            if needle and needle in text:
                line, column = number, text.index(needle) + 1
                break
        report.diagnostics.append(Diagnostic(
            code=codes.SITE_IMAGE, severity=Severity.ERROR, file=report.file, line=line, column=column,
            message=problem, hint="put the image next to the issue, or use an https:// address"))
    return report


# ---------------------------------------------------------------- the pages


def site_context(archive: Archive, root: str) -> dict[str, Any]:
    """What every page's layout (``site/page.html.j2``) reads."""
    from authoring.theme import palette

    publication = archive.publication
    return {
        "publication": publication,
        "site": publication.site,
        "base_url": archive.base_url,
        "root": root,
        "lang": publication.lang or "en",
        "theme": publication.theme,
        "colors": palette(publication.theme),
        "feed_atom": FEED_ATOM,
        "feed_rss": FEED_RSS,
    }


def issue_html(env: jinja2.Environment, archive: Archive, page: IssuePage,
               previous: IssuePage | None, following: IssuePage | None) -> str:
    """The page of one issue; ``previous`` is the older issue, ``following`` the newer one."""
    entry = page.entry
    info = entry.issue.issue
    root = relative_root(entry.url_path)
    number = f" #{info.number}" if info.number is not None else ""
    canonical = archive.base_url + entry.url_path
    image = page.image and urljoin(archive.base_url, page.image)
    return env.get_template(ISSUE_TEMPLATE).render(
        site_context(archive, root),
        lang=info.lang or archive.publication.lang or "en",
        title=f"{info.subject} — {archive.publication.name}{number}",
        subject=info.subject,
        number=info.number,
        date=info.date,
        dateline=_date(info.date),
        published=_timestamp(info.date),
        canonical=canonical,
        description=page.description,
        image=image,
        image_alt=page.image_alt,
        draft=entry.draft,
        css=_markup(page.css),
        content=_markup(page.content),
        previous=_neighbour(previous, root),
        next=_neighbour(following, root),
    )


def _neighbour(page: IssuePage | None, root: str) -> dict[str, Any] | None:
    if page is None:
        return None
    info = page.entry.issue.issue
    return {"url": root + page.url_path, "subject": info.subject, "number": info.number}


def index_pages(env: jinja2.Environment, archive: Archive, pages: list[IssuePage]) -> dict[str, str]:
    """``index.html`` and ``page/N/index.html``: every issue, newest first, ``page_size`` a page."""
    size = archive.publication.site.page_size
    chunks = [pages[i:i + size] for i in range(0, len(pages), size)] or [[]]
    out: dict[str, str] = {}
    paths = [_index_path(n) for n in range(1, len(chunks) + 1)]
    for n, chunk in enumerate(chunks, 1):
        folder = paths[n - 1]
        root = relative_root(folder)
        items = [{
            "url": root + page.url_path,
            "subject": page.entry.issue.issue.subject,
            "preheader": page.entry.issue.issue.preheader,
            "number": page.entry.number,
            "date": page.entry.date,
            "dateline": _date(page.entry.date),
            "image": root + page.image if page.image and "://" not in page.image else page.image,
            "draft": page.entry.draft,
        } for page in chunk]
        out[folder + "index.html"] = env.get_template(INDEX_TEMPLATE).render(
            site_context(archive, root),
            title=archive.publication.name + (f" — page {n}" if n > 1 else ""),
            canonical=archive.base_url + folder,
            description=f"Every issue of {archive.publication.name}, newest first.",
            items=items, page_number=n, page_count=len(chunks),
            newer=(root + paths[n - 2]) if n > 1 else None,
            older=(root + paths[n]) if n < len(chunks) else None,
            page_links=[(k, root + paths[k - 1]) for k in range(1, len(chunks) + 1)],
        )
    return out


def _index_path(n: int) -> str:
    return "" if n == 1 else f"{PAGES_FOLDER}{n}/"


def sitemap_xml(env: jinja2.Environment, archive: Archive, pages: list[IssuePage],
                index_paths: list[str]) -> str:
    """Every published page and every index page, with its date where it has one."""
    published = [p for p in pages if not p.entry.draft]
    newest = max((p.entry.date for p in published if p.entry.date), default=None)
    urls = [(archive.base_url + path.removesuffix("index.html"), newest) for path in index_paths]
    urls += [(archive.base_url + p.url_path, p.entry.date) for p in published]
    return _text_file(env.get_template(SITEMAP_TEMPLATE).render(
        urls=[(url, date.isoformat() if date else None) for url, date in urls]))


def robots_txt(env: jinja2.Environment, archive: Archive, *, drafts: bool) -> str:
    from urllib.parse import urlsplit

    base_path = urlsplit(archive.base_url).path or "/"
    return _text_file(env.get_template(ROBOTS_TEMPLATE).render(
        sitemap=archive.base_url + "sitemap.xml", drafts=(base_path + "drafts/") if drafts else None))


def _text_file(text: str) -> str:
    """Ending in one line break, as text files do (Jinja drops the template's last one)."""
    return text.rstrip("\n") + "\n"


# ---------------------------------------------------------------- for the feeds


_URL_ATTRIBUTE = re.compile(r'\s(href|src)="([^"]*)"')


def absolute_content(content: str, page_url: str, link_url: Any = None) -> str:
    """A page's markup with every address absolute (against ``page_url``); ``link_url`` rewrites
    each link target after that (the feeds' campaign parameters)."""

    def rewrite(match: re.Match[str]) -> str:
        attribute, value = match.group(1), unescape(match.group(2))
        absolute = urljoin(page_url, value)
        if attribute == "href" and link_url is not None:
            absolute = link_url(absolute)
        return f' {attribute}="{escape(absolute, quote=True)}"'

    return _URL_ATTRIBUTE.sub(rewrite, content)


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - our own render, its author text already escaped


def _date(date: dt.date | None) -> str | None:
    return f"{date:%B} {date.day}, {date.year}" if date else None


def _timestamp(date: dt.date | None) -> str | None:
    return dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC).isoformat() if date else None


def template_env(archive: Archive) -> jinja2.Environment:
    """The email's environment: a publication's ``templates:`` folder overrides ``site/…`` too."""
    from authoring.render.html import environment, templates_folder

    base = archive.publication_file.parent if archive.publication_file else None
    return environment(templates_folder(archive.publication, base))


