"""The email message: a multipart/alternative of the plain text and the HTML, its headers
(From, Subject, Date, Message-ID, List-Unsubscribe), and email's CRLF line endings.

Export writes it as the ``.eml``, send puts it on the wire, and the pre-send check hands it to
SpamAssassin: one builder, so all three see the same bytes.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import re
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message, MIMEPart

from authoring import esp, markdown, model

EMAIL_POLICY = email.policy.SMTP.clone(cte_type="7bit")
"""CRLF line endings; 7-bit transfer encodings (quoted-printable or base64, whichever is
shorter) so that no relay has to re-encode the message."""



_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def to_crlf(text: str) -> str:
    """Every line ended by CRLF, as the email package encodes text parts."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines) or "\r\n"


# ---------------------------------------------------------------- the message


def build_message(issue: model.Issue, publication: model.Publication, html: str, text: str, *,
                  subject_prefix: str = "", to: str | None = None,
                  message_id: str | None = None) -> EmailMessage:
    """multipart/alternative, text first and HTML last (clients show the last part they can)."""
    info = issue.issue
    sender = publication.sender
    domain = sender.email.rpartition("@")[2]  # an address without one: Address() below refuses it
    msg = EmailMessage(policy=EMAIL_POLICY)
    msg["From"] = Address(display_name=sender.name, addr_spec=sender.email)
    if to:
        msg["To"] = to
    if publication.reply_to:
        msg["Reply-To"] = publication.reply_to
    _set_subject(msg, subject_prefix + esp.rewrite(info.subject, publication.esp))  # as the body
    # ESPs stamp the real send time; the issue date keeps the export reproducible.
    date = info.date or dt.date.today()
    msg["Date"] = dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC)
    msg["Message-ID"] = message_id or stable_message_id(issue, publication, domain)
    msg["MIME-Version"] = "1.0"
    unsubscribe = list_unsubscribe(publication)
    if unsubscribe:
        msg["List-Unsubscribe"] = esp.rewrite(unsubscribe, publication.esp)
        if _one_click(publication.unsubscribe_url):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.make_alternative()
    parts: list[Message | str] = []
    for body, subtype in ((text, "plain"), (html, "html")):
        part = MIMEPart(policy=EMAIL_POLICY)  # not EmailMessage: parts carry no MIME-Version
        part.set_content(body, subtype=subtype, charset="utf-8")
        parts.append(part)
    msg.set_payload(parts)  # what attach() does; typeshed's attach() wants an EmailMessage
    # A boundary derived from the content keeps exports reproducible; '=_' cannot occur
    # in quoted-printable or base64 text, so it cannot collide with the parts.
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()
    msg.set_boundary(f"=_{digest[:32]}")
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """Subject, folded into encoded words by ``email.header`` when it is not ASCII.

    The email package's own folding drops the space between two encoded words in long
    non-ASCII subjects ("домашним делам" came back as "домашнимделам"); Header keeps every
    space inside the encoded text, and set_raw stores its lines (each under 78) as they are.
    """
    if _HEADER_LINE_BREAK.search(subject):
        raise ValueError("the subject holds a line break")  # validation reports it first
    if subject.isascii():
        msg["Subject"] = subject
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n"))


_HEADER_LINE_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def stable_message_id(issue: model.Issue, publication: model.Publication, domain: str) -> str:
    """The same for every export of one issue: <the-batch.321.20261127@deeplearning.ai>."""
    slug = re.sub(r"[^a-z0-9]+", "-", publication.name.lower()).strip("-") or "issue"
    info = issue.issue
    day = info.date.strftime("%Y%m%d") if info.date else "undated"
    return f"<{slug}.{info.number if info.number is not None else 0}.{day}@{domain}>"


def list_unsubscribe(publication: model.Publication) -> str | None:
    """``<https://...>, <mailto:...?subject=unsubscribe>`` (RFC 2369), or None when neither is set."""
    entries: list[str] = []
    url = (publication.unsubscribe_url or "").strip()
    if url and (markdown.is_merge_tag(url) or markdown.url_scheme(url) in {"http", "https"}):
        entries.append(f"<{url}>")
    mailto = (publication.list_unsubscribe_mailto or "").strip()
    if mailto:
        address = mailto.removeprefix("mailto:")
        entries.append(f"<mailto:{address}{'' if '?' in address else '?subject=unsubscribe'}>")
    for entry in entries:
        if _NOT_IN_HEADER_URI.search(markdown.merge_tag_span().sub("", entry[1:-1])):
            # validation reports it (bad-unsubscribe); never write a second URI into the header
            raise ValueError(f"List-Unsubscribe entry {entry!r} holds < > , or white space")
    return ", ".join(entries) or None


_NOT_IN_HEADER_URI = re.compile(r"[<>,\s\"]")


def _one_click(url: str | None) -> bool:
    """RFC 8058 one-click needs an https URL (a merge tag becomes one at send time)."""
    url = (url or "").strip()
    return bool(url) and (markdown.is_merge_tag(url) or markdown.url_scheme(url) == "https")

