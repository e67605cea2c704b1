"""Merge tags for the email service (ESP) the export is pasted into.

The toolkit writes its own merge tags: ``{{unsubscribe_url}}``, ``{{web_version_url}}`` and
``{{first_name}}`` (the subscriber's name). With the publication's ``esp:`` set, ``rewrite``
turns them into that service's documented syntax in the HTML, the plain text and the
message headers; ``unknown_tags`` finds tags the chosen service would print literally.
The table with its sources is in docs/esp.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

TOOLKIT_TAGS = ("unsubscribe_url", "web_version_url", "first_name")
"""The toolkit's own merge tags, written ``{{name}}`` (spaces inside the braces allowed)."""

NONE = "none"


@dataclass(frozen=True)
class Esp:
    """One email service: what each toolkit tag becomes (None: the service has no such tag)."""

    name: str
    tags: dict[str, str | None]
    native: str
    """The service's own merge-tag syntax (a regular expression, compiled when first matched):
    tags matching it are passed through unflagged."""


ESPS: dict[str, Esp] = {
    NONE: Esp(NONE, {tag: "{{" + tag + "}}" for tag in TOOLKIT_TAGS}, r"(?!)"),
    "mailchimp": Esp("mailchimp", {"unsubscribe_url": "*|UNSUB|*", "web_version_url": "*|ARCHIVE|*",
                                   "first_name": "*|FNAME|*"}, r"^\*\|[A-Z0-9_:]+\|\*$"),
    "sendgrid": Esp("sendgrid", {"unsubscribe_url": "{{{unsubscribe}}}", "web_version_url": None,
                                 "first_name": "{{first_name}}"},
                    r"^\{\{\{?\s*[A-Za-z_][\w.]*\s*\}?\}\}$"),
    "listmonk": Esp("listmonk", {"unsubscribe_url": "{{ UnsubscribeURL }}",
                                 "web_version_url": "{{ MessageURL }}",
                                 "first_name": "{{ .Subscriber.FirstName }}"},
                    r"^\{\{\s*(\.Subscriber\.[\w.]+|UnsubscribeURL|MessageURL|OptinURL)\s*\}\}$"),
    "brevo": Esp("brevo", {"unsubscribe_url": "{{ unsubscribe }}", "web_version_url": "{{ mirror }}",
                           "first_name": "{{ contact.FIRSTNAME }}"},
                 r"^\{\{\s*(contact\.\w+|unsubscribe|mirror|update_profile)\s*\}\}$"),
    "buttondown": Esp("buttondown", {"unsubscribe_url": "{{ unsubscribe_url }}",
                                     "web_version_url": "{{ email_url }}",
                                     "first_name": "{{ subscriber.metadata.first_name }}"},
                      (r"^\{\{\s*(subscriber\.[\w.]+|unsubscribe_url|email_url|subscribe_url"
                       r"|email\.\w+)\s*\}\}$")),
    "mailgun": Esp("mailgun", {"unsubscribe_url": "%unsubscribe_url%", "web_version_url": None,
                               "first_name": "%recipient.first_name%"},
                   (r"^%(recipient\.\w+|unsubscribe_url|tag_unsubscribe_url"
                    r"|mailing_list_unsubscribe_url)%$")),
}
"""The services ``esp:`` accepts."""

# Regular expressions are compiled when first used: with no service chosen, the usual case,
# validate and render use none of them.
_compiled = cache(re.compile)
_TOOLKIT_TAG = r"\{\{\s*(" + "|".join(TOOLKIT_TAGS) + r")\s*\}\}"
_ANY_TAG = r"\{\{\{?[^{}\n]{1,80}\}?\}\}|\*\|[A-Z0-9_:]{1,80}\|\*|%[A-Za-z_][\w.]{0,80}%"
"""Anything written like a merge tag of one of the services (bounded: linear on any input)."""


def get(name: str) -> Esp | None:
    return ESPS.get(name)


def rewrite(text: str, name: str) -> str:
    """The toolkit's merge tags in ``text`` as the service writes them; others are left alone."""
    esp = ESPS.get(name)
    if esp is None or name == NONE:
        return text

    def replace(match: re.Match[str]) -> str:
        return esp.tags[match.group(1)] or match.group(0)

    return _compiled(_TOOLKIT_TAG).sub(replace, text)


@dataclass(frozen=True)
class UnknownTag:
    tag: str
    offset: int
    reason: str


def flags_tags(name: str) -> bool:
    """Whether unknown_tags can find anything for the service ``name``.

    With no service chosen (``none``) nothing is flagged: the tags go out as written, for
    whatever service the editor pastes the export into.
    """
    return name != NONE and name in ESPS


def unknown_tags(text: str, name: str) -> Iterator[UnknownTag]:
    """Merge tags in ``text`` that the service ``name`` would not replace (see flags_tags)."""
    if not flags_tags(name):
        return
    esp = ESPS[name]
    for match in _compiled(_ANY_TAG).finditer(text):
        tag = match.group(0)
        toolkit = _compiled(_TOOLKIT_TAG).fullmatch(tag)
        if toolkit:
            if esp.tags[toolkit.group(1)] is None:
                yield UnknownTag(tag, match.start(), f"{name} has no merge tag for {toolkit.group(1)}")
        elif not _compiled(esp.native).match(tag):
            yield UnknownTag(tag, match.start(), f"not a {name} merge tag")


def unreplaced_tags(text: str, name: str) -> Iterator[str]:
    """The toolkit's tags (by name) still in ``text`` after ``rewrite`` for the service ``name``:
    each would reach the reader as written. With ``none`` that is every one of them."""
    service = ESPS.get(name)
    for match in _compiled(_TOOLKIT_TAG).finditer(text):
        tag = match.group(1)
        if service is None or name == NONE or service.tags[tag] is None:
            yield tag
