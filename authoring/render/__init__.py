"""Render an issue: the two parts of a real email, inlined HTML and a plain-text alternative.

Pipeline (one module per stage):
  model → ``html.template`` (Jinja2 templates in ``templates/email/`` write MJML)
        → ``html.compile_mjml`` (mjml-python / MRML) → ``html.inline`` (css-inline or premailer) → HTML
  model → ``text.render_text`` → plain text

Nothing heavy is imported here: ``authoring validate`` must not pay for MJML or premailer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from authoring.load import cycles_uncollected
from authoring.records import dataclass

if TYPE_CHECKING:
    from authoring.model import Issue, Publication
    from authoring.validate import Publications, Validated

WARN_SIZE = 90 * 1024
"""Above this the HTML is close to Gmail's clipping point."""
GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail hides everything after the first 102 KB of a message's HTML ("[Message clipped]")."""


@dataclass
class RenderOptions:
    """How to render: for the inbox or the web archive, as a draft or for sending."""

    mode: Literal["email", "web"] = "email"
    """web: the archive page: no preheader, no unsubscribe or web-version links; a description meta tag."""
    draft: bool = True
    """Images without a source render as a clearly marked box with their alt text."""
    link_url: Callable[[str], str] | None = None
    """Applied to every link target emitted (export adds campaign parameters with it); not to merge tags."""
    image_url: Callable[[str], str] | None = None
    """Applied to every image source emitted (export resolves against image_base_url; preview serves them)."""
    publication_dir: Path | None = None
    """Folder that a relative ``publication.templates`` is resolved against (default: current folder)."""
    inliner: str | None = None
    """CSS inliner engine (``authoring.render.inline.ENGINES``); None: the publication's ``inliner``."""
    block_markers: bool = False
    """Mark where each block starts with an HTML comment (``<!--@block stories[2]-->``), so
    ``authoring check`` can split the output by block; never set for what is sent."""


class Rendered:
    """One rendered issue."""

    def __init__(self, html: str, text: str, mjml: str | Callable[[], str],
                 warnings: list[str] | None = None):
        self.html = html
        self.text = text
        self._mjml = mjml
        self.warnings: list[str] = [] if warnings is None else warnings

    def __repr__(self) -> str:
        return f"Rendered(html={self.html!r}, text={self.text!r}, warnings={self.warnings!r})"

    @property
    def mjml(self) -> str:
        """The intermediate MJML, for debugging templates (``authoring render --mjml``). Given
        as a function, it is made when first read: most renders never read it, and restoring
        its merge tags read the whole of it."""
        if not isinstance(self._mjml, str):
            self._mjml = self._mjml()
        return self._mjml

    @property
    def size(self) -> int:
        """Bytes of the HTML, as Gmail counts them."""
        return len(self.html.encode("utf-8"))


def render_html(issue: Issue, publication: Publication, options: RenderOptions | None = None
                ) -> tuple[str, str]:
    """(html, mjml) for one issue."""
    from authoring.render import html

    return html.render_html(issue, publication, options)


@cycles_uncollected
def render_issue(issue: Issue, publication: Publication, options: RenderOptions | None = None
                 ) -> Rendered:
    """HTML and plain text of one issue, with warnings about its size."""
    from authoring.render import html
    from authoring.render.text import render_text

    options = options or RenderOptions()
    warnings: list[str] = []
    markup, source, links = html.render_parts(issue, publication, options, warnings=warnings)
    text = render_text(issue, publication, options)
    return finish(markup, text, partial(links.restore_merge_tags, source), publication, options,
                  warnings)


def finish(markup: str, text: str, mjml: Callable[[], str], publication: Publication,
           options: RenderOptions, warnings: list[str]) -> Rendered:
    """The last of ``render_issue``: the email service's tags and the size warning."""
    from authoring import esp

    if options.mode == "email":  # the email service fills in its merge tags; a web page has none
        markup, text = esp.rewrite(markup, publication.esp), esp.rewrite(text, publication.esp)
        # what the service would run and is no merge tag: shown as characters, never run (the
        # plain text has no such characters: the merge-tag check and export refuse it there)
        markup = esp.neutralise_html(markup, publication.esp)
    rendered = Rendered(html=markup, text=text, mjml=mjml, warnings=warnings)
    # bytes of UTF-8 are at most four a character (one for ASCII, which str.isascii knows at
    # once): a shorter HTML is not encoded to be counted (a fortieth of a render)
    if len(markup) * (1 if markup.isascii() else 4) > WARN_SIZE:
        size_warning = check_size(rendered.size)
        if size_warning:
            warnings.append(size_warning)
    return rendered


def check_size(size: int) -> str | None:
    if size <= WARN_SIZE:
        return None
    return f"HTML is {size / 1024:.1f} KB: Gmail clips messages over {GMAIL_CLIP_BYTES // 1024} KB"


def render_file(path: str | Path, *, options: RenderOptions | None = None,
                publication_file: Path | None = None,
                publications: Publications | None = None) -> tuple[Validated, Rendered]:
    """Validate an issue file (draft level) and render it; raises AuthoringError when it has errors.

    ``publications``: the batch's, when this file is one of many (see ``render.folder``)."""
    from authoring.validate import load_issue

    validated = load_issue(path, publication_file=publication_file, publications=publications)
    options = options or RenderOptions()
    if options.publication_dir is None and validated.publication_file is not None:
        options = replace(options, publication_dir=validated.publication_file.parent)
    return validated, render_issue(validated.built_issue, validated.publication, options)
