"""The typed model of a newsletter issue, shared by every stage.

Load → validate builds it, render / export read it, import writes it. Each class
reads as the documentation of one part of the YAML format: one field a line, the
docstring under it says what the field means (the JSON Schema takes them from here).

Text fields typed ``Markdown`` accept the safe inline Markdown subset (emphasis,
strong, links, code) and, where noted, bullet lists and images; ``Url`` fields hold
an address that validation checks for safety.
"""

# No ``from __future__ import annotations``: the annotations here are evaluated once, as the
# classes are made, rather than from strings by typing.get_type_hints each cold start.
import datetime as _dt
from dataclasses import field
from typing import Literal, NewType

from authoring.records import dataclass

Markdown = NewType("Markdown", str)
"""Text in the allowed Markdown subset; raw HTML in it stays literal text."""

Url = NewType("Url", str)
"""An absolute http(s)/mailto URL, or a relative path for images."""

EspName = Literal["none", "mailchimp", "sendgrid", "listmonk", "brevo", "buttondown", "mailgun"]
"""The email services whose merge-tag syntax the export can write (see docs/esp.md)."""

TextLinks = Literal["inline", "references"]
"""How the plain text shows link targets."""

YamlPath = tuple[str | int, ...]
"""A path into the YAML document, e.g. ('stories', 3, 'news', 'sections', 1)."""


def _path() -> YamlPath:
    return ()


@dataclass
class Image:
    """An image with its alternative text."""

    alt: str
    """What the image shows, for screen readers and the plain-text version."""
    src: Url | None = None
    """Image address: https URL, or a path relative to the issue or the publication's image base URL."""
    href: Url | None = None
    """Where a click on the image goes."""
    width: int | None = None
    """Display width in pixels (at most the column width)."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Link:
    """A call to action: a button with its text and target."""

    text: str
    """Button text, e.g. "Enroll now"."""
    url: Url | None = None
    """Where the button goes."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class IssueInfo:
    """Metadata of one issue."""

    subject: str
    """The email subject line."""
    number: int | None = None
    """Issue number (required to export)."""
    date: _dt.date | None = None
    """Publication date, YYYY-MM-DD (required to export)."""
    preheader: str | None = None
    """Inbox preview text shown after the subject."""
    web_url: Url | None = None
    """Address of the web-archive copy of this issue."""
    lang: str | None = None
    """Language of the issue (defaults to the publication's)."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Letter:
    """The editor's letter that opens an issue."""

    body: Markdown
    """Paragraphs, bullet lists (``- **Label:** text``) and images (``![alt](src)``)."""
    salutation: str = "Dear friends,"
    """The greeting line."""
    signoff: str | None = None
    """Closing line, e.g. "Keep learning!"."""
    signature: str | None = None
    """Name under the sign-off, e.g. "Andrew"."""
    ps: Markdown | None = None
    """Postscript, written without the leading "P.S."."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Section:
    """A labeled paragraph of a news story ("What’s new: ...")."""

    label: str | None
    """The label shown in bold before the text, without its colon; none for a plain paragraph."""
    body: Markdown
    """The text: paragraphs and bullet lists."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


class Block:
    """Base of every story type. Each type has one home, a module in ``authoring.blocks``,
    that declares its key, template partial, plain text, YAML and checks."""

    path: YamlPath


@dataclass
class Header(Block):
    """A section header between stories, e.g. "News"."""

    title: str
    """The header text."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class News(Block):
    """A news story: headline, dek and labeled sections."""

    headline: str
    """The story's title."""
    dek: Markdown | None = None
    """One-paragraph summary under the headline."""
    image: Image | None = None
    """Picture shown above the headline."""
    sections: list[Section] = field(default_factory=list)
    """Labeled paragraphs in order: ``- What’s new: ...``."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Promo(Block):
    """A promotional message, e.g. a course announcement."""

    body: Markdown
    """The message."""
    kicker: str | None = None
    """Small line above the message, e.g. "A MESSAGE FROM DEEPLEARNING.AI"."""
    image: Image | None = None
    """Picture shown above the message."""
    cta: Link | None = None
    """The call to action button."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Feature(Block):
    """A long-form essay with a title."""

    title: str
    """The essay's title."""
    body: Markdown
    """The essay: paragraphs, bullet lists and images."""
    image: Image | None = None
    """Picture shown above the title."""
    byline: str | None = None
    """Author line, e.g. "By Andrew Ng"."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Text(Block):
    """Free text in no known shape (the importer keeps what it cannot classify here)."""

    body: Markdown
    """Paragraphs and bullet lists."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


Story = Block
"""One block of ``stories:``; ``authoring.blocks.kinds()`` maps each key to its class."""


@dataclass
class Issue:
    """One newsletter issue."""

    issue: IssueInfo
    """Metadata: subject, number, date, preheader."""
    letter: Letter | None = None
    """The opening letter."""
    stories: list[Story] = field(default_factory=list)
    """Blocks in reading order, each introduced by its type: ``- news:``, ``- header: News``."""
    footer: Markdown | None = None
    """Replaces the publication's footer text for this issue only."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


# ---------------------------------------------------------------- publication


@dataclass
class Sender:
    """Who the email comes from."""

    name: str
    """Display name, e.g. "The Batch"."""
    email: str
    """Address, e.g. "thebatch@deeplearning.ai"."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Logo:
    """The publication's logo, with its text for when images are off."""

    alt: str
    """The publication's name as the logo shows it; shown as styled text when images are blocked."""
    src: Url | None = None
    """Image address: https URL, or a path relative to the publication file or image base URL."""
    href: Url | None = None
    """Where a click on the logo goes."""
    width: int | None = None
    """Display width in pixels (default 200, at most the column width)."""
    dark_src: Url | None = None
    """A variant for dark backgrounds, swapped in by clients that honour prefers-color-scheme."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Theme:
    """Colors, fonts and sizes of the email."""

    text: str = "#1f2933"
    """Body text color."""
    background: str = "#f4f5f7"
    """Color around the content column."""
    surface: str = "#ffffff"
    """Color of the content column."""
    accent: str = "#c4122f"
    """Buttons, labels and rules."""
    link: str = "#0b5cad"
    """Link color."""
    muted: str = "#5b6570"
    """Secondary text: kickers, captions, footer."""
    dark_text: str = "#e8eaed"
    """Body text color in dark mode."""
    dark_background: str = "#121416"
    """Background in dark mode."""
    dark_surface: str = "#1d2024"
    """Content column in dark mode."""
    dark_link: str = "#8ab4f8"
    """Link color in dark mode."""
    dark_accent: str = "#ff8a9a"
    """Accent (labels, kickers) in dark mode."""
    font: str = "Helvetica, Arial, sans-serif"
    """Font stack for all text."""
    width: int = 600
    """Width of the content column in pixels on desktop."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Campaign:
    """Campaign parameters added to links to the publication's own domains on export."""

    source: str = "newsletter"
    """utm_source."""
    medium: str = "email"
    """utm_medium."""
    campaign: str = "issue-{number}"
    """utm_campaign; ``{number}`` becomes the issue number."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class CheckSettings:
    """Thresholds of ``authoring check``."""

    spam_warn: float = 3.0
    """SpamAssassin score from which the check warns."""
    spam_error: float = 5.0
    """SpamAssassin score from which the check fails (SpamAssassin's own spam threshold)."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class SiteSettings:
    """The web archive that ``authoring site`` builds from the issues."""

    base_url: Url | None = None
    """Where the site is published, e.g. ``https://example.org/archive/`` (required to build it)."""
    issue_path: str = "issue-{number}/"
    """Each issue's folder under the base URL (its page is ``index.html`` there); ``{number}`` becomes
    the issue number."""
    page_size: int = 20
    """Issues per index page; past it the index continues on ``page/2/``, ``page/3/``..."""
    feed_size: int = 20
    """Newest issues the Atom and RSS feeds carry."""
    subscribe_url: Url | None = None
    """The subscribe link shown on every page."""
    subscribe_form: Url | None = None
    """Where a subscribe form on every page posts its ``email`` field (shown instead of the link)."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class IssueDefaults:
    """What ``authoring new`` writes into a fresh issue for this publication."""

    signoff: str | None = None
    """The letter's closing line, e.g. "Keep learning!"."""
    signature: str | None = None
    """The name under the sign-off, e.g. "Andrew"."""
    promo_kicker: str | None = None
    """The small line above a promo, e.g. "A MESSAGE FROM DEEPLEARNING.AI"."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


SmtpSecurity = Literal["starttls", "ssl", "none"]
"""How ``authoring send`` talks to the SMTP server: STARTTLS, TLS from the start, or plain."""


@dataclass
class SmtpSettings:
    """Where ``authoring send`` sends test emails (the password never goes here)."""

    host: str = "localhost"
    """SMTP server host name."""
    port: int | None = None
    """Port (default: 587 with starttls, 465 with ssl, else 25)."""
    user: str | None = None
    """Log in as this user; the password comes from $AUTHORING_SMTP_PASSWORD or a prompt."""
    security: SmtpSecurity = "none"
    """``starttls``, ``ssl`` or ``none``."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Publication:
    """Settings that do not change from issue to issue (``publication.yaml``)."""

    name: str
    """The newsletter's name, e.g. "The Batch"."""
    sender: Sender
    """The From address."""
    reply_to: str | None = None
    """Reply-To address."""
    lang: str = "en"
    """Default language of issues (BCP 47 tag)."""
    logo: Logo | None = None
    """Logo shown at the top of every issue."""
    footer: Markdown = Markdown("")
    """Footer text under every issue."""
    postal_address: str | None = None
    """Postal address required by anti-spam laws, shown in the footer."""
    unsubscribe_url: str = "{{unsubscribe_url}}"
    """Unsubscribe link: a URL or your email service's merge tag (``*|UNSUB|*``, ``%unsubscribe_url%``)."""
    web_version_url: str | None = None
    """“View in browser” link: a URL or merge tag."""
    list_unsubscribe_mailto: str | None = None
    """Address for the mailto: part of the List-Unsubscribe header."""
    esp: EspName = "none"
    """Email service the export goes to: ``{{unsubscribe_url}}`` and the like become its merge tags."""
    text_links: TextLinks = "inline"
    """Plain-text links: ``inline`` as ``text (url)``, or ``references`` as ``text [1]`` listed at the end."""
    image_base_url: Url | None = None
    """Relative image paths are resolved against this URL on export."""
    domains: list[str] = field(default_factory=list)
    """The publication's own domains; export tags links to them with campaign parameters."""
    campaign: Campaign | None = None
    """Campaign (UTM) parameters; none means links are left untouched."""
    theme: Theme = field(default_factory=Theme)
    """Colors, fonts and width."""
    templates: str | None = None
    """A folder of templates that replace the built-in ones (relative to this file)."""
    inliner: str = "css-inline"
    """CSS inliner: ``css-inline`` (fast) or ``premailer`` (also reports CSS it cannot parse)."""
    check: CheckSettings = field(default_factory=CheckSettings)
    """Thresholds of ``authoring check`` (spam score)."""
    site: SiteSettings = field(default_factory=SiteSettings)
    """The web archive: base URL, page paths, index pages, feeds, subscribe link."""
    new_issue: IssueDefaults = field(default_factory=IssueDefaults)
    """Sign-off, signature and promo kicker that ``authoring new`` writes into a fresh issue."""
    smtp: SmtpSettings | None = None
    """SMTP server for ``authoring send`` test emails (overridden by $AUTHORING_SMTP_* and --smtp)."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)
