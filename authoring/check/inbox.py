"""Inbox presentation: what the reader sees before opening (subject, preheader, sender) and
the links and merge tags inside."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlsplit

from authoring import codes, links, markdown
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.checks import blank_code_and_urls, text_fields, urls
from authoring.diagnostics import Severity
from authoring.house import SUBJECT_MAX_CHARS

SUBJECT_SHOWN = 60
"""Characters of a subject most desktop inboxes show; phones show about 35-40."""
PREHEADER_MIN, PREHEADER_SHOWN = 40, 140
"""Under 40 characters the inbox fills the preview from the body; past ~140 nothing shows."""

_VAGUE = {"click here", "here", "click", "this", "this link", "link", "read more", "more",
          "go", "url", "see here", "click this", "this page"}


@part("inbox", "Inbox presentation")
def inbox(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="inbox", title="")
    info = built.issue.issue
    result.figures.append(f"subject {len(info.subject)} characters (inboxes show about "
                          f"{SUBJECT_SHOWN}, phones 35-40): {info.subject}")
    preheader = (info.preheader or "").strip()  # blanks alone are no preheader (as its findings say)
    result.figures.append(f"preheader {len(preheader)} characters" + (f": {preheader}" if preheader
                                                                      else " (none)"))
    sender = built.publication.sender
    result.figures.append(f"from {sender.name} <{sender.email}>")
    result.data = {"subject_chars": len(info.subject), "preheader_chars": len(preheader),
                   "from": {"name": sender.name, "email": sender.email}}
    _subject_and_preheader(built, result)
    _emoji_subject(built, result)
    _image_heavy(built, result)
    _sender(built, result)
    _link_texts(built, result)
    _campaign(built, result)
    return result


def _subject_and_preheader(built: Built, result: PartResult) -> None:
    info = built.issue.issue
    path = info.path
    if SUBJECT_SHOWN < len(info.subject) <= SUBJECT_MAX_CHARS:  # past that, validation's long-subject
        result.add(built.at(path + ("subject",), codes.SUBJECT_LENGTH, Severity.WARNING,
                            f"the subject is {len(info.subject)} characters: inboxes cut it after "
                            f"about {SUBJECT_SHOWN} (phones after 35-40)",
                            "put the words that matter first, or shorten it"))
    preheader = (info.preheader or "").strip()
    if not preheader:
        return  # missing-preheader: validation says it
    if len(preheader) < PREHEADER_MIN:
        result.add(built.at(path + ("preheader",), codes.PREHEADER_LENGTH, Severity.WARNING,
                            f"the preheader is {len(preheader)} characters: inboxes fill the rest of "
                            "the preview line from the start of the email",
                            f"write {PREHEADER_MIN}-{PREHEADER_SHOWN} characters"))
    elif len(preheader) > PREHEADER_SHOWN:
        result.add(built.at(path + ("preheader",), codes.PREHEADER_LENGTH, Severity.WARNING,
                            f"the preheader is {len(preheader)} characters: inboxes show about "
                            f"{PREHEADER_SHOWN}", "put what matters in the first 90 characters"))
    first = _first_line(built)
    for other, what in ((info.subject, "the subject"), (first, "the first line of the email")):
        if other and _repeats(preheader, other):
            result.add(built.at(path + ("preheader",), codes.PREHEADER_REPEATS, Severity.WARNING,
                                f"the preheader repeats {what}: the inbox shows the same words twice",
                                "use it for what the subject leaves out (“Plus: ...”)"))


def _emoji_subject(built: Built, result: PartResult) -> None:
    subject = built.issue.issue.subject.strip()
    if subject and not any(ch.isalnum() for ch in subject) and \
            any(unicodedata.category(ch) == "So" for ch in subject):
        result.add(built.at(built.issue.issue.path + ("subject",), codes.EMOJI_SUBJECT,
                            Severity.WARNING,
                            f"the subject '{subject}' is emoji alone: some inboxes show boxes, screen "
                            "readers read out emoji names, and spam filters score it",
                            "say in words what the issue holds; an emoji may follow the words"))


IMAGE_HEAVY_WORDS = 50
"""Fewer words of the issue's own text than this, beside an image, and the email is a picture
with a caption: empty with images off, and a low text-to-image ratio to spam filters."""


def _image_heavy(built: Built, result: PartResult) -> None:
    issue = built.issue
    images = [path for path, src, kind, _ in urls(issue) if kind == "image" and src]
    if not images:
        return
    skip = {"subject", "preheader", "salutation", "signoff", "signature", "alt", "footer"}
    words = sum(len(re.findall(r"\w+", _prose(text) if is_markdown else text))
                for path, text, is_markdown in text_fields(issue)
                if not (path and isinstance(path[-1], str) and path[-1] in skip))
    if words < IMAGE_HEAVY_WORDS:
        result.add(built.at(images[0], codes.IMAGE_HEAVY, Severity.WARNING,
                            f"the email is {len(images)} image{'s' if len(images) != 1 else ''} and "
                            f"{words} word{'s' if words != 1 else ''} of text: with images off readers "
                            "see almost nothing, and spam filters score the low text-to-image ratio",
                            f"write the message as text (at least {IMAGE_HEAVY_WORDS} words) and keep "
                            "the image as an illustration"))


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)")


def _prose(text: str) -> str:
    """The words a reader reads: no images (their alt text shows only with images off), no URLs."""
    return blank_code_and_urls(_MARKDOWN_IMAGE.sub(" ", text))


def _first_line(built: Built) -> str:
    letter = built.issue.letter
    if letter is not None:
        return letter.body.strip().split("\n\n", 1)[0]
    for story in built.issue.stories:
        for name in ("headline", "title", "body"):
            text = getattr(story, name, None)
            if isinstance(text, str) and text.strip():
                return text.strip().split("\n\n", 1)[0]
    return ""


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _repeats(preheader: str, other: str) -> bool:
    a, b = _words(preheader), _words(other)
    if not (a and b):
        return False
    opening = 4  # the same first words read as a repeat even when the endings differ
    return a.startswith(b) or b.startswith(a) or (
        len(a.split()) >= opening and a.split()[:opening] == b.split()[:opening])


def _sender(built: Built, result: PartResult) -> None:
    """The From name; a placeholder address is validation's (placeholder-sender, no-publication)."""
    from authoring.validate import DEFAULT_PUBLICATION

    sender = built.publication.sender
    if sender.name.strip() in {"", DEFAULT_PUBLICATION.sender.name}:
        result.add(built.at_publication(("sender", "name"), codes.DEFAULT_FROM_NAME, Severity.WARNING,
                                        f"the From name is '{sender.name}': readers decide to open "
                                        "by it", "set sender.name to the newsletter's name"))


def _link_texts(built: Built, result: PartResult) -> None:
    for path, text, is_markdown in text_fields(built.issue):
        if not is_markdown:
            continue
        after = 0  # the same words linked twice in a field: each at its own place
        for ref in markdown.iter_links(text):
            words = " ".join(ref.text.casefold().split()).strip(" .:!")
            if ref.kind == "link" and words in _VAGUE:
                index = text.find(f"[{ref.text}]", after)
                after = index + 1 if index >= 0 else after
                result.add(built.at_offset(path, index + 1 if index >= 0 else None, codes.VAGUE_LINK_TEXT,
                                           Severity.WARNING,
                                           f"the link text '{ref.text}' says nothing about where it "
                                           "goes (screen readers list links by their text; spam "
                                           "filters dislike it)",
                                           "link the words that name the target: "
                                           "“[read the paper](...)”", needle=ref.text))


def _campaign(built: Built, result: PartResult) -> None:
    pub = built.publication
    if not pub.domains:
        return
    if pub.campaign is None:
        result.add(built.at_publication(("domains",), codes.NO_CAMPAIGN, Severity.WARNING,
                                        "links to your own domains carry no campaign parameters: "
                                        "your analytics cannot tell this email's visits apart",
                                        "set campaign: {source: ..., medium: email, campaign: "
                                        "\"...-{number}\"} in publication.yaml"))
        return
    if built.draft:
        return  # drafts are not tagged; export tags them
    seen: set[str] = set()
    for anchor in built.parsed.anchors:
        href = anchor.href.strip()
        parts = urlsplit(href)
        if href in seen or parts.scheme not in {"http", "https"} or not parts.hostname:
            continue
        seen.add(href)
        if not links.host_matches(parts.hostname, pub.domains):
            continue
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        if not {"utm_source", "utm_medium", "utm_campaign"} <= keys:
            result.add(built.at_text(href.split("?")[0], codes.UNTAGGED_LINK, Severity.WARNING,
                                     f"the link to {href} has no campaign parameters",
                                     "link through the address as written so export can tag it"))
