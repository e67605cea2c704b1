"""The email message as a reader's client and a mail server see it: headers, parts, line endings."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib

import pytest

from authoring import model
from authoring.message import build_message, list_unsubscribe, stable_message_id, to_crlf

HTML = "<p>Robots learn chores</p>\r\n"
TEXT = "Robots learn chores\r\n"


def publication(**settings) -> model.Publication:
    fields = {"name": "The Batch", "sender": model.Sender(name="The Batch", email="thebatch@deeplearning.ai"),
              **settings}
    return model.Publication(**fields)


def issue(number: int | None = 321, date: dt.date | None = dt.date(2026, 11, 27),
          subject: str = "Robots learn chores") -> model.Issue:
    return model.Issue(issue=model.IssueInfo(subject=subject, number=number, date=date))


def received(message) -> email.message.EmailMessage:
    """The message as a client parses it from the bytes export writes."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


# ---------------------------------------------------------------- headers


def test_the_headers_come_from_the_issue_and_the_publication():
    msg = received(build_message(issue(), publication(reply_to="editors@deeplearning.ai"), HTML, TEXT))
    assert msg["From"] == "The Batch <thebatch@deeplearning.ai>"
    assert msg["Reply-To"] == "editors@deeplearning.ai"
    assert msg["Subject"] == "Robots learn chores"
    assert msg["Date"] == "Fri, 27 Nov 2026 00:00:00 +0000"  # midnight UTC: reproducible
    assert msg["Message-ID"] == "<the-batch.321.20261127@deeplearning.ai>"
    assert msg["MIME-Version"] == "1.0"
    assert "To" not in msg  # export writes no recipient; send gives one


def test_without_reply_to_there_is_no_reply_to_header():
    msg = received(build_message(issue(), publication(), HTML, TEXT))
    assert "Reply-To" not in msg


def test_send_adds_the_recipient_a_subject_prefix_and_its_own_message_id():
    msg = received(build_message(issue(), publication(), HTML, TEXT, subject_prefix="[TEST] ",
                                 to="me@example.org", message_id="<test.1@example.org>"))
    assert msg["To"] == "me@example.org"
    assert msg["Subject"] == "[TEST] Robots learn chores"
    assert msg["Message-ID"] == "<test.1@example.org>"


def test_an_undated_issue_is_dated_today_and_its_message_id_says_undated():
    msg = received(build_message(issue(number=None, date=None), publication(), HTML, TEXT))
    today = dt.date.today()  # the day the test runs; read again should midnight pass meanwhile
    assert msg["Date"] in {email.utils.format_datetime(dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC))
                           for day in (today, dt.date.today())}
    assert msg["Message-ID"] == "<the-batch.0.undated@deeplearning.ai>"


@pytest.mark.parametrize("name, slug", [("The Batch", "the-batch"),
                                        ("  Weekly: A.I. & You!  ", "weekly-a-i-you"),
                                        ("Données 2026", "donn-es-2026"), ("!!!", "issue")])
def test_the_message_id_names_the_publication_by_a_slug(name, slug):
    assert stable_message_id(issue(number=7), publication(name=name), "example.org") == \
        f"<{slug}.7.20261127@example.org>"


def test_a_subject_with_a_line_break_of_any_kind_is_refused():
    for brk in ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"):
        with pytest.raises(ValueError, match="the subject holds a line break"):
            build_message(issue(subject=f"Robots{brk}Bcc: all@example.org"), publication(), HTML, TEXT)
    # the characters around them in the table are no line break
    msg = received(build_message(issue(subject="Robots\x1f and X\x1b"), publication(), HTML, TEXT))
    assert msg["Subject"] == "Robots\x1f and X\x1b"


def test_a_non_ascii_subject_is_encoded_and_an_ascii_one_is_not():
    eml = build_message(issue(subject="Roboter lernen — heißt es"), publication(), HTML, TEXT).as_bytes()
    assert b"Subject: =?utf-8?" in eml
    assert received(build_message(issue(subject="Roboter lernen — heißt es"), publication(), HTML, TEXT)
                    )["Subject"] == "Roboter lernen — heißt es"
    plain = build_message(issue(), publication(), HTML, TEXT).as_bytes()
    assert b"\r\nSubject: Robots learn chores\r\n" in plain


def test_the_services_merge_tags_reach_the_subject_and_list_unsubscribe():
    mailchimp = publication(esp="mailchimp", unsubscribe_url="{{unsubscribe_url}}")
    msg = received(build_message(issue(subject="Hi {{first_name}}"), mailchimp, HTML, TEXT))
    assert msg["Subject"] == "Hi *|FNAME|*"
    assert msg["List-Unsubscribe"] == "<*|UNSUB|*>"


# ---------------------------------------------------------------- List-Unsubscribe


@pytest.mark.parametrize("url, mailto, header", [
    ("https://e.org/u", None, "<https://e.org/u>"),
    ("  http://e.org/u  ", None, "<http://e.org/u>"),
    ("{{unsubscribe_url}}", None, "<{{unsubscribe_url}}>"),
    ("{{ unsubscribe_url }}", None, "<{{ unsubscribe_url }}>"),  # a merge tag's spaces are its own
    ("ftp://e.org/u", None, None),  # no client follows it
    ("", "u@e.org", "<mailto:u@e.org?subject=unsubscribe>"),
    ("", " mailto:u@e.org ", "<mailto:u@e.org?subject=unsubscribe>"),
    ("", "u@e.org?subject=stop", "<mailto:u@e.org?subject=stop>"),
    ("https://e.org/u", "u@e.org", "<https://e.org/u>, <mailto:u@e.org?subject=unsubscribe>"),
    ("", None, None),
    ("", "  ", None),
])
def test_list_unsubscribe_holds_the_web_address_then_the_mailto(url, mailto, header):
    assert list_unsubscribe(publication(unsubscribe_url=url, list_unsubscribe_mailto=mailto)) == header


@pytest.mark.parametrize("url", ["https://e.org/a b", 'https://e.org/"x"', "https://e.org/<x", "https://e.org/x,y",
                                 "https://e.org/\tx"])
def test_list_unsubscribe_refuses_what_would_split_the_header(url):
    with pytest.raises(ValueError, match="holds < > , or white space"):
        list_unsubscribe(publication(unsubscribe_url=url))


@pytest.mark.parametrize("url, mailto, one_click", [
    ("https://e.org/u", None, True),
    ("{{unsubscribe_url}}", None, True),  # the service puts an https address there
    ("http://e.org/u", None, False),  # RFC 8058: https only
    ("", "u@e.org", False),  # a mailto alone cannot be one click
    ("http://e.org/u", "u@e.org", False),
])
def test_one_click_unsubscribe_is_offered_for_https_only(url, mailto, one_click):
    msg = received(build_message(issue(), publication(unsubscribe_url=url, list_unsubscribe_mailto=mailto),
                                 HTML, TEXT))
    assert "List-Unsubscribe" in msg
    assert msg["List-Unsubscribe-Post"] == ("List-Unsubscribe=One-Click" if one_click else None)


def test_without_an_unsubscribe_address_there_is_no_list_unsubscribe():
    msg = received(build_message(issue(), publication(unsubscribe_url=""), HTML, TEXT))
    assert "List-Unsubscribe" not in msg and "List-Unsubscribe-Post" not in msg


# ---------------------------------------------------------------- the parts


def test_text_then_html_each_utf8_and_decoding_to_exactly_what_was_given():
    html, text = "<p>Caf\u00e9 \u2014 ok</p>\r\n", "Caf\u00e9 \u2014 ok\r\n"
    message = build_message(issue(), publication(), html, text)
    eml = message.as_bytes()
    eml.decode("ascii")  # 7-bit: no relay re-encodes it
    assert b"\n" not in eml.replace(b"\r\n", b"")
    msg = received(message)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    assert [p.get_content() for p in parts] == [text, html]
    assert all("MIME-Version" not in p for p in parts)


def test_the_boundary_follows_the_content_so_exports_are_reproducible():
    def boundary(html: str, text: str) -> str:
        return received(build_message(issue(), publication(), html, text)).get_boundary()

    first = boundary(HTML, TEXT)
    assert first == boundary(HTML, TEXT)
    assert first == "=_" + hashlib.sha256((TEXT + HTML).encode("utf-8")).hexdigest()[:32]
    assert boundary(HTML, "Robots learn chores!\r\n") != first
    assert boundary("<p>Robots</p>\r\n", TEXT) != first


# ---------------------------------------------------------------- line endings


@pytest.mark.parametrize("text, crlf", [
    ("a\nb\n", "a\r\nb\r\n"),
    ("a\r\nb", "a\r\nb\r\n"),
    ("a\rb\r", "a\r\nb\r\n"),
    ("a\n\nb\n\n", "a\r\n\r\nb\r\n\r\n"),
    ("a", "a\r\n"),
    ("", "\r\n"),
    ("\n", "\r\n"),
])
def test_every_line_ends_in_crlf(text, crlf):
    assert to_crlf(text) == crlf
