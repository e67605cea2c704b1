"""Merge tags for the email service (ESP) the export is pasted into.

The toolkit writes its own merge tags: ``{{unsubscribe_url}}``, ``{{web_version_url}}`` and
``{{first_name}}`` (the subscriber's name). With the publication's ``esp:`` set, ``rewrite``
turns them into that service's documented syntax in the HTML, the plain text and the
message headers; ``unknown_tags`` finds tags the chosen service would print literally.
The table with its sources is in docs/esp.md.

Each service also runs a template language over what it is given (HTML, plain text and the
subject): Handlebars, Go templates, a Django-like language, Mailchimp's ``*|...|*`` or
Mailgun's ``%...%``. ``live_code`` is the one scan, over the exported text, that finds every
construct the chosen service would run; a known merge tag passes, a near miss of one is a
typo (with a did-you-mean), anything else is author text that must reach the reader as text:
``neutralise_html`` turns it into characters the service does not parse (``&#123;`` for
``{``); in the plain text and the headers, which have no such characters, it is refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import cache

from authoring.records import dataclass

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
    """A merge tag the service would not replace, where it is in the text, and why."""

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


# ---------------------------------------------------------------- template code the service runs


@dataclass(frozen=True)
class Language:
    """What a service's template language runs, and what of it is a plain merge tag."""

    opener: str
    """Where a construct starts (a regular expression)."""
    closer: str
    """What ends it (searched up to MAX_CONSTRUCT characters on, line breaks included: the
    engines accept them inside a tag)."""
    tag: str
    """A construct that is only a merge tag (fullmatch): passes."""
    names: tuple[str, ...]
    """The documented tag names a near miss is compared with (did-you-mean)."""
    name_of: str
    """Extracts a tag's name from a construct (group 1), for the did-you-mean."""
    live_unknown: bool = True
    """Whether an unknown well-formed name is run (False: Mailgun leaves ``%other%`` alone)."""


MAX_CONSTRUCT = 400
"""Characters searched for a closer: bounds the scan to linear time on any input."""

_BRACES_NAME = r"^\{\{\{?-?\s*([.\w]+)\s*-?\}?\}\}$"

LANGUAGES: dict[str, Language] = {
    # Mailchimp merge language: *|TAG|*, *|IF:X|* ... *|END:IF|*, *|HTML:X|* (unescaped)
    "mailchimp": Language(
        opener=r"\*\|", closer=r"\|\*",
        tag=r"\*\|(?:[A-Z0-9_]{1,40}|LIST:[A-Z]{1,20}|DATE:[A-Za-z ,./-]{1,20})\|\*",
        names=("UNSUB", "ARCHIVE", "UPDATE_PROFILE", "FORWARD", "FNAME", "LNAME", "EMAIL",
               "ADDRESS", "PHONE", "BIRTHDAY", "CURRENT_YEAR", "ABOUT_LIST", "REWARDS",
               "REWARDS_TEXT", "MC_PREVIEW_TEXT", "EMAIL_TYPE", "UNIQID", "ARCHIVE_LINK_SHORT",
               "LIST:NAME", "LIST:COMPANY", "LIST:DESCRIPTION", "LIST:ADDRESS", "LIST:PHONE",
               "LIST:URL", "LIST:SUBSCRIBERS"),
        name_of=r"^\*\|([A-Z0-9_:]+)\|\*$"),
    # SendGrid designs: Handlebars ({{x}}, {{{x}}}, {{#if}}, {{/if}}, {{!c}}, {{> p}})
    "sendgrid": Language(
        opener=r"\{\{", closer=r"\}\}",
        tag=r"\{\{\s*(?!else\b)[A-Za-z_][\w.]*\s*\}\}|\{\{\{\s*unsubscribe(?:_preferences)?\s*\}\}\}",
        names=("unsubscribe", "unsubscribe_preferences", "first_name", "last_name", "email",
               "Sender_Name", "Sender_Address", "Sender_City", "Sender_State", "Sender_Zip"),
        name_of=_BRACES_NAME),
    # listmonk: Go templates ({{ .X }}, {{ if }}, {{ template "x" }}, {{/* c */}})
    "listmonk": Language(
        opener=r"\{\{", closer=r"\}\}",
        tag=(r"\{\{\s*(?:\.Subscriber\.(?:UUID|Email|Name|FirstName|LastName|Status"
             r"|Attribs\.\w+)|\.Campaign\.(?:Name|Subject|UUID)|UnsubscribeURL|MessageURL"
             r"|OptinURL|ManageURL|TrackView)\s*\}\}"),
        names=(".Subscriber.UUID", ".Subscriber.Email", ".Subscriber.Name", ".Subscriber.FirstName",
               ".Subscriber.LastName", ".Subscriber.Status", ".Campaign.Name", ".Campaign.Subject",
               "UnsubscribeURL", "MessageURL", "OptinURL", "ManageURL", "TrackView"),
        name_of=_BRACES_NAME),
    # Brevo Template Language (Django-like): {{ x }}, {% tag %}, {# comment #}
    "brevo": Language(
        opener=r"\{[{%#]", closer=r"[}%#]\}",
        tag=r"\{\{\s*(?:contact\.\w+|unsubscribe|mirror|update_profile)\s*\}\}",
        names=("unsubscribe", "mirror", "update_profile", "contact.FIRSTNAME", "contact.LASTNAME",
               "contact.EMAIL", "contact.SMS"),
        name_of=_BRACES_NAME),
    # Buttondown: Django templates
    "buttondown": Language(
        opener=r"\{[{%#]", closer=r"[}%#]\}",
        tag=(r"\{\{\s*(?:subscriber\.[\w.]+|unsubscribe_url|email_url|subscribe_url"
             r"|email\.\w+)\s*\}\}"),
        names=("unsubscribe_url", "email_url", "subscribe_url", "subscriber.email",
               "subscriber.metadata.first_name", "email.subject"),
        name_of=_BRACES_NAME),
    # Mailgun: %recipient.KEY% and its own variables; other %words% are left as written
    "mailgun": Language(
        opener=r"%(?=[A-Za-z_])", closer=r"%",
        tag=(r"%(?:recipient\.\w+|unsubscribe_url|tag_unsubscribe_url|mailing_list_unsubscribe_url"
             r"|recipient_email|recipient_name|recipient_fname|recipient_lname)%"),
        names=("unsubscribe_url", "tag_unsubscribe_url", "mailing_list_unsubscribe_url",
               "recipient_email", "recipient_name", "recipient_fname", "recipient_lname"),
        name_of=r"^%([A-Za-z_][\w.]*)%$", live_unknown=False),
}
"""The template language of each service ``esp:`` names (none for ``none``)."""


@dataclass(frozen=True)
class Construct:
    """One piece of template language found in exported text."""

    start: int
    end: int
    text: str
    suggestion: str | None = None
    """For a typo: the documented tag it nearly is."""

    @property
    def is_typo(self) -> bool:
        return self.suggestion is not None


def live_code(text: str, name: str) -> list[Construct]:
    """Every construct in ``text`` the service ``name`` would run that is not a plain merge tag
    it knows: typos of its tags (with a suggestion) and anything else (author text, code).
    ``text`` is what is exported (after ``rewrite``), never the YAML source."""
    language = LANGUAGES.get(name)
    if language is None:
        return []
    opener, closer = _compiled(language.opener), _compiled(language.closer)
    found: list[Construct] = []
    position = 0
    # The first closer after the last opener, reused while it lies ahead: one pass over the
    # text however many openers it holds (`{{` fifty thousand times: linear, not 400 each).
    none = len(text) + 1
    close_start = close_end = -1
    while True:
        start = opener.search(text, position)
        if start is None:
            return found
        if close_start != none and close_start < start.end():
            match = closer.search(text, start.end())
            close_start, close_end = (match.start(), match.end()) if match else (none, none)
        closed = close_start != none and close_start - start.end() <= MAX_CONSTRUCT
        end = close_end if closed else start.end()
        if closed and text[end:end + 1] == "}" and text[start.start():start.start() + 3] == "{{{":
            end += 1  # a triple-brace close
        construct = text[start.start():end]
        position = end
        suggestion = _near_miss(construct, language) if closed else None
        if suggestion is None:
            if closed and _compiled(language.tag).fullmatch(construct):
                continue  # a merge tag of the service: what it is for
            if not language.live_unknown:
                continue  # a word the service does not replace: printed as written, harmless
        found.append(Construct(start.start(), end, construct, suggestion))


def may_hold_code(text: str, name: str, markdown: bool) -> bool:
    """False when neither ``live_code`` of ``text`` as exported (``rewrite`` of what markdown-it
    makes of it) nor ``unknown_tags`` of ``text`` can find anything for the service ``name``.

    Every construct and every tag of every service opens with ``{``, ``*|`` or ``%``. The
    exported text holds such a character only where ``text`` does, where an entity (``&``)
    stands for it, where ``rewrite`` puts a tag (it replaces ``{{...}}``), or, a ``%``, where
    markdown-it percent-encodes a link's address (``[`` or ``<`` opens every link). Most fields
    hold none of these: no scan, and no parse for one."""
    return ("{" in text or "|" in text or "%" in text or "&" in text
            or (markdown and ("[" in text or "<" in text) and name in LANGUAGES
                and LANGUAGES[name].opener.startswith("%")))


def _near_miss(construct: str, language: Language) -> str | None:
    named = _compiled(language.name_of).match(construct)
    if named is None:
        return None
    name = named.group(1)
    if name in language.names:
        return None  # a documented tag (the rendered email's own): difflib would say itself
    close = difflib.get_close_matches(name, language.names, n=1, cutoff=0.8)
    if not close or close[0] == name:
        return None
    # contact.CITY is a field of the author's own, not a near miss of contact.FIRSTNAME: the
    # last parts must be close too
    last, known_last = name.rpartition(".")[2], close[0].rpartition(".")[2]
    if difflib.SequenceMatcher(None, last, known_last).ratio() < 0.75:
        return None
    return construct.replace(name, close[0], 1)


_ENTITY = {"{": "&#123;", "*": "&#42;", "%": "&#37;"}
_MAX_ROUNDS = 8


def neutralise_html(html: str, name: str) -> str:
    """``html`` with every construct of ``live_code`` but typos made inert: every character
    in it that opens one (``{`` of ``{{``/``{%``/``{#``, ``*`` of ``*|``, ``%``) as a character
    reference, which the browser shows as the character and no service parses. Typos are
    left for the merge-tag check to refuse, with their place in the YAML. Scanned again until
    nothing live is left (a nested ``{{ {{ x }} }}`` reveals its inner tag)."""
    for _ in range(_MAX_ROUNDS):
        constructs = [c for c in live_code(html, name) if not c.is_typo]
        if not constructs:
            return html
        pieces, last = [], 0
        for construct in constructs:
            first = html[construct.start]
            pieces.append(html[last:construct.start])
            body = html[construct.start:construct.end]
            pieces.append(body.replace(first, _ENTITY[first]))  # nested openers too
            last = construct.end
        pieces.append(html[last:])
        html = "".join(pieces)
    raise AssertionError("template code left after neutralising")  # each round removes openers


def locate(source: str, construct: Construct) -> int | None:
    """Where in the author's ``source`` a construct found in the exported text was written:
    as is, or with Markdown's backslashes and other spacing in between (``\\{\\{ 7*7 \\}\\}``)."""
    found = source.find(construct.text)
    if found >= 0:
        return found
    pattern = r"\\?".join(r"\s+" if c.isspace() else re.escape(c)
                            for c in re.sub(r"\s+", " ", construct.text[:60]))
    loose = re.compile(pattern).search(source)  # linear: no nested repetition
    return loose.start() if loose else None


def describe(construct: Construct, name: str) -> str:
    """What is wrong with a construct, for a diagnostic."""
    shown = construct.text if len(construct.text) <= 60 else construct.text[:57] + "..."
    shown = shown.replace("\n", "\\n")
    if construct.is_typo:
        return f"'{shown}' is not a {name} merge tag: did you mean '{construct.suggestion}'?"
    return (f"'{shown}' is {name} template code: the service would run it, not show it "
            f"(only its plain merge tags, docs/esp.md, may appear)")


def unreplaced_tags(text: str, name: str) -> Iterator[str]:
    """The toolkit's tags (by name) still in ``text`` after ``rewrite`` for the service ``name``:
    each would reach the reader as written. With ``none`` that is every one of them."""
    service = ESPS.get(name)
    for match in _compiled(_TOOLKIT_TAG).finditer(text):
        tag = match.group(1)
        if service is None or name == NONE or service.tags[tag] is None:
            yield tag
