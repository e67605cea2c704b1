"""Merge tags rewritten for the email service the export goes to, and tags it would not understand."""

from __future__ import annotations

import typing

import pytest

from authoring import esp, model

ALL_TAGS = "{{unsubscribe_url}} {{ web_version_url }} Dear {{first_name}},"


def test_every_service_the_model_accepts_has_a_table():
    assert set(typing.get_args(model.EspName)) == set(esp.ESPS)


@pytest.mark.parametrize(("service", "expected"), [
    ("none", ALL_TAGS),
    ("mailchimp", "*|UNSUB|* *|ARCHIVE|* Dear *|FNAME|*,"),
    ("listmonk", "{{ UnsubscribeURL }} {{ MessageURL }} Dear {{ .Subscriber.FirstName }},"),
    ("brevo", "{{ unsubscribe }} {{ mirror }} Dear {{ contact.FIRSTNAME }},"),
    ("buttondown", "{{ unsubscribe_url }} {{ email_url }} Dear {{ subscriber.metadata.first_name }},"),
    ("sendgrid", "{{{unsubscribe}}} {{ web_version_url }} Dear {{first_name}},"),
    ("mailgun", "%unsubscribe_url% {{ web_version_url }} Dear %recipient.first_name%,"),
])
def test_toolkit_tags_become_the_services_own(service, expected):
    assert esp.rewrite(ALL_TAGS, service) == expected


def test_other_text_is_left_alone():
    text = "{{ 7*7 }} {% if x %} 50% off, *|MC:SUBJECT|* {{unsubscribe_url_2}}"
    assert esp.rewrite(text, "mailchimp") == text


@pytest.mark.parametrize(("service", "flagged"), [
    ("none", []),
    ("mailchimp", ["{{ .Subscriber.Name }}", "%recipient.x%"]),
    ("mailgun", ["{{web_version_url}}", "*|FNAME|*", "{{ .Subscriber.Name }}"]),
    ("listmonk", ["*|FNAME|*", "%recipient.x%"]),
])
def test_tags_the_service_would_print_literally_are_found(service, flagged):
    text = "{{web_version_url}} *|FNAME|* {{ .Subscriber.Name }} %recipient.x% {{first_name}} 50% off"
    assert [u.tag for u in esp.unknown_tags(text, service)] == flagged


def test_unclosed_tags_are_not_tags():
    text = "{{" * 50_000 + "*|" * 50_000 + "}" + "% a" * 50_000
    assert list(esp.unknown_tags(text, "mailchimp")) == []


@pytest.mark.parametrize(("service", "left"), [
    ("none", ["unsubscribe_url", "web_version_url", "first_name"]),
    ("mailchimp", []),
    ("sendgrid", ["web_version_url"]),
    ("buttondown", []),  # its unsubscribe tag is written as the toolkit's: replaced, not left
])
def test_tags_no_service_replaces(service, left):
    assert list(esp.unreplaced_tags(esp.rewrite(ALL_TAGS, service), service)) == left
