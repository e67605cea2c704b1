"""Stage 3 of the site: ``feed.xml`` (Atom) and ``rss.xml`` (RSS 2.0), written by feedgen.

Each entry carries the issue's full HTML with absolute addresses, and links to the publication's
own domains tagged with its campaign parameters for the medium ``feed``. An entry's id is a tag
URI made of the base URL's host, the issue's date and number (``tag:example.org,2026-11-27:issue-321``):
it stays the same however often the site is rebuilt, wherever the page moves under that host. Every
timestamp comes from the issues' dates, never the clock, so a rebuild with nothing changed gives the
same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlsplit

from authoring import links
from authoring.site.gather import Archive
from authoring.site.pages import FEED_ATOM, FEED_RSS, IssuePage, absolute_content

FEED_MEDIUM = "feed"
"""utm_medium of the feeds' links (the email's is the publication's ``campaign.medium``)."""


def entry_id(archive: Archive, page: IssuePage) -> str:
    """The entry's stable id (RFC 4151 tag URI)."""
    host = urlsplit(archive.base_url).hostname or "localhost"
    info = page.entry.issue.issue
    day = info.date.isoformat() if info.date else "1970-01-01"
    return f"tag:{host},{day}:issue-{info.number}"


def build_feeds(archive: Archive, pages: list[IssuePage]) -> dict[str, str]:
    """The two feeds over the newest ``site.feed_size`` published issues."""
    from feedgen.feed import FeedGenerator

    publication = archive.publication
    published = [p for p in pages if not p.entry.draft][:publication.site.feed_size]
    newest = max((_moment(p) for p in published), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    feed = FeedGenerator()
    feed.id(archive.base_url)
    feed.title(publication.name)
    feed.subtitle(f"Every issue of {publication.name}")  # RSS requires a description
    feed.link(href=archive.base_url, rel="alternate")
    feed.link(href=archive.base_url + FEED_ATOM, rel="self")
    feed.language(publication.lang or "en")
    feed.author({"name": publication.name})
    feed.updated(newest)
    feed.lastBuildDate(newest)
    feed.generator("authoring")  # not feedgen's version string: a library upgrade changes no byte
    campaign = _feed_campaign(archive)
    for page in published:
        info = page.entry.issue.issue
        url = archive.base_url + page.url_path
        tagger = links.campaign_tagger(campaign, info.number) if campaign else None
        item = feed.add_entry(order="append")  # newest first, as ``pages`` are
        item.id(entry_id(archive, page))
        item.guid(entry_id(archive, page), permalink=False)
        item.title(info.subject)
        item.link(href=url, rel="alternate")
        item.published(_moment(page))
        item.updated(_moment(page))
        item.summary(page.description)
        item.description(page.description)
        item.content(absolute_content(page.content, url, tagger), type="html")
    atom = feed.atom_str(pretty=True).decode("utf-8")
    feed.link(href=archive.base_url + FEED_RSS, rel="self", replace=True)
    feed.link(href=archive.base_url, rel="alternate")
    rss = feed.rss_str(pretty=True).decode("utf-8")
    return {FEED_ATOM: atom, FEED_RSS: rss}


def _feed_campaign(archive: Archive):  # -> model.Publication | None
    """The publication with its campaign's medium set to ``feed``; None without a campaign."""
    publication = archive.publication
    if publication.campaign is None:
        return None
    return dataclasses.replace(publication, campaign=dataclasses.replace(
        publication.campaign, medium=FEED_MEDIUM))


def _moment(page: IssuePage) -> dt.datetime:
    date = page.entry.date or dt.date(1970, 1, 1)
    return dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC)
