"""The web archive of a publication: a static site with feeds, built from the issues.

Pipeline (one module per stage):
  ``gather.gather``        the issues of a folder, validated at the export level (the rest are
                           drafts), newest first, each with its page's URL
  ``pages``                each issue's web render (the email's templates, ``mode="web"``) made a
                           page by ``webify`` and ``templates/site/``; the index pages, the
                           sitemap, robots.txt; ``assets`` copies the images they show
  ``feeds.build_feeds``    ``feed.xml`` (Atom) and ``rss.xml`` through feedgen
  ``write.write_site``     one atomic switch to the new set, unchanged files kept as they were

``build_site`` runs the first three in memory (the preview serves that); ``publish_site`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.diagnostics import Report
    from authoring.site.gather import LeftOut
    from authoring.site.pages import PageMemo
    from authoring.site.write import WriteResult


@dataclass
class SiteOptions:
    drafts: bool = False
    """Give drafts pages too (under ``drafts/``, noindex, in neither feed nor sitemap)."""
    base_url: str | None = None
    """Instead of the publication's ``site.base_url`` (the preview serves the site from its own address)."""
    publication_file: Path | None = None
    """Instead of the publication.yaml found next to or above the issues."""


@dataclass
class Site:
    """A built site, in memory."""

    files: dict[str, bytes]
    """Site path → bytes, pages first."""
    pages: int
    """Issue pages (drafts included when asked for)."""
    index_pages: int
    left_out: list[LeftOut] = field(default_factory=list)
    warnings: list[Report] = field(default_factory=list)


def build_site(folder: str | Path, options: SiteOptions | None = None,
               memo: PageMemo | None = None) -> Site:
    """Every file of the site for the issues of ``folder``; raise AuthoringError when it cannot be built.

    ``memo``: the pages of the last build, for a long-lived caller (see ``pages.PageMemo``)."""
    from authoring.site.assets import Images
    from authoring.site.feeds import build_feeds
    from authoring.site.gather import gather
    from authoring.site.pages import (
        index_pages,
        issue_html,
        render_issue_page,
        robots_txt,
        sitemap_xml,
        template_env,
    )

    options = options or SiteOptions()
    archive = gather(folder, drafts=options.drafts, base_url=options.base_url,
                     publication_file=options.publication_file)
    images = Images()
    pages = [render_issue_page(archive, entry, images, memo) for entry in archive.entries]
    if memo is not None:
        memo.next_build()
    env = template_env(archive)
    published = [page for page in pages if not page.entry.draft]
    text: dict[str, str] = {}
    for page in pages:
        if page.entry.draft:
            older = newer = None
        else:
            at = published.index(page)
            older = published[at + 1] if at + 1 < len(published) else None
            newer = published[at - 1] if at > 0 else None
        text[page.url_path + "index.html"] = issue_html(env, archive, page, older, newer)
    indexes = index_pages(env, archive, pages)
    text.update(indexes)
    text.update(build_feeds(archive, pages))
    text["sitemap.xml"] = sitemap_xml(env, archive, pages, list(indexes))
    text["robots.txt"] = robots_txt(env, archive, drafts=options.drafts)
    files = {path: content.encode("utf-8") for path, content in text.items()}
    files.update(images.files)
    return Site(files=files, pages=len(pages), index_pages=len(indexes), left_out=archive.left_out,
                warnings=archive.warnings)


@dataclass
class Published:
    site: Site
    written: WriteResult


def publish_site(folder: str | Path, out: str | Path, options: SiteOptions | None = None) -> Published:
    """Build the site and write it to ``out`` as one set (see ``write``); nothing changes on failure."""
    from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
    from authoring.site.write import SiteOutputError, write_site

    site = build_site(folder, options)
    try:
        written = write_site(out, site.files)
    except SiteOutputError as exc:
        from authoring import codes

        raise AuthoringError(f"{exc}; the site was not changed", [Report(file=str(out), diagnostics=[
            Diagnostic(code=codes.SITE_OUTPUT, severity=Severity.ERROR, file=str(out), message=str(exc),
                       hint="build into a new or empty folder")])]) from None
    except OSError as exc:
        raise AuthoringError(f"cannot write the site to {out}: {exc.filename or out}: "
                             f"{exc.strerror or exc}; the site was not changed") from exc
    return Published(site=site, written=written)
