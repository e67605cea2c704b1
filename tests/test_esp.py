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


# ---------------------------------------------------------------- template code the service runs

LIVE = {  # per service: constructs its template language runs that are no merge tag of it
    "brevo": ["{% if contact.PLAN == 'free' %}", "{% endif %}", "{{ 7*7 }}", "{{\n template \"x\" }}",
              "{# hidden #}", "{{ contact.NAME|upper }}", "{%raw%}"],
    "buttondown": ["{% load static %}", "{{ subscriber.email|upper }}", "{{7*7}}", "{#\n#}"],
    "listmonk": ["{{ template \"x\" }}", "{{/* c */}}", "{{ range .Lists }}", "{{- .X -}}",
                 "{{ .Subscriber.Attribs.plan | upper }}"],
    "sendgrid": ["{{#if plan}}", "{{/if}}", "{{> partial}}", "{{!-- note --}}", "{{ else }}",
                 "{{{html}}}"],
    "mailchimp": ["*|IF:PLAN=free|*", "*|END:IF|*", "*|HTML:BIO|*", "*|FEEDBLOCK:x|*", "*|ELSE:|*"],
    "mailgun": [],
}
KNOWN = {
    "brevo": ["{{ contact.FIRSTNAME }}", "{{ unsubscribe }}", "{{ mirror }}", "{{contact.CITY}}"],
    "buttondown": ["{{ unsubscribe_url }}", "{{ subscriber.metadata.city }}", "{{ email_url }}"],
    "listmonk": ["{{ UnsubscribeURL }}", "{{ .Subscriber.FirstName }}", "{{ .Subscriber.Attribs.city }}"],
    "sendgrid": ["{{{unsubscribe}}}", "{{first_name}}", "{{ plan }}"],
    "mailchimp": ["*|UNSUB|*", "*|FNAME|*", "*|LIST:COMPANY|*", "*|PLAN|*"],
    "mailgun": ["%recipient.first_name%", "%unsubscribe_url%", "50% off, 20% more", "%other%"],
}


@pytest.mark.parametrize("service", sorted(LIVE))
def test_live_code_finds_each_construct_of_the_services_language_and_passes_its_tags(service):
    text = " text ".join(LIVE[service] + KNOWN[service])
    found = esp.live_code(text, service)
    assert [c.text for c in found] == LIVE[service]
    assert all(text[c.start:c.end] == c.text and not c.is_typo for c in found)


def test_other_services_syntax_is_not_code_for_a_service():
    assert esp.live_code("{% if x %} {{#if y}}", "mailchimp") == []
    assert esp.live_code("*|IF:X|* {% if x %}", "sendgrid") == []
    assert esp.live_code("{{ anything }} *|IF:X|*", "none") == []


@pytest.mark.parametrize(("service", "typo", "meant"), [
    ("mailchimp", "*|UPDATE_PROFIL|*", "*|UPDATE_PROFILE|*"),
    ("mailchimp", "*|FNAM|*", "*|FNAME|*"),
    ("mailgun", "%unsubscibe_url%", "%unsubscribe_url%"),
    ("listmonk", "{{ UnsubscribeURLL }}", "{{ UnsubscribeURL }}"),
    ("listmonk", "{{ .Subscriber.FristName }}", "{{ .Subscriber.FirstName }}"),
    ("brevo", "{{ unsubscrib }}", "{{ unsubscribe }}"),
    ("buttondown", "{{ email_ur }}", "{{ email_url }}"),
    ("sendgrid", "{{{unsubscrib}}}", "{{{unsubscribe}}}"),
])
def test_a_near_miss_of_a_documented_tag_is_a_typo_with_the_tag_meant(service, typo, meant):
    [found] = esp.live_code(f"see {typo} here", service)
    assert found.is_typo and found.suggestion == meant and found.text == typo
    assert f"did you mean '{meant}'" in esp.describe(found, service)


def test_a_line_break_inside_the_braces_is_still_one_construct():
    [found] = esp.live_code('a {{\n  template "x"\n}} b', "listmonk")
    assert found.text == '{{\n  template "x"\n}}'


def test_a_closer_further_than_the_limit_leaves_the_opener_alone_as_code():
    text = "{{" + "*" * (esp.MAX_CONSTRUCT + 1) + "}}"
    [found] = esp.live_code(text, "sendgrid")
    assert found.text == "{{"  # an unclosed opener: the service refuses or runs the rest
    [within] = esp.live_code("{{" + "*" * esp.MAX_CONSTRUCT + "}}", "sendgrid")  # at the limit
    assert within.end == esp.MAX_CONSTRUCT + 4


@pytest.mark.parametrize("service", sorted(LIVE))
def test_neutralised_html_keeps_the_tags_and_leaves_no_code(service):
    html = "<p>" + " and ".join(LIVE[service] + KNOWN[service]) + "</p>"
    inert = esp.neutralise_html(html, service)
    assert esp.live_code(inert, service) == []
    for tag in KNOWN[service]:
        assert tag in inert
    nested = esp.neutralise_html("{{ a {{ b }} }} {{{{ c }}}} *|*|X|*|*", service)
    assert [c for c in esp.live_code(nested, service) if not c.is_typo] == []


def test_neutralised_html_shows_the_same_characters():
    import html as html_module

    text = "{% if x %}{{ 7*7 }}{# c #}"
    assert html_module.unescape(esp.neutralise_html(text, "brevo")) == text
    assert esp.neutralise_html("*|IF:X|*", "mailchimp") == "&#42;|IF:X|&#42;"


@pytest.mark.parametrize("text", ["{{" * 50_000, "{%" * 50_000 + "%}", "*|" * 50_000 + "|*",
                                  "{{ x }}" * 15_000, ("{" * 1000 + "}" * 1000) * 25])
def test_the_scan_is_linear_on_hostile_input(text):
    import time

    started = time.perf_counter()
    for service in esp.LANGUAGES:
        esp.neutralise_html(text, service)
    assert time.perf_counter() - started < 10  # ~0.4 s each measured on a loaded 2-core machine


@pytest.mark.parametrize(("service", "left"), [
    ("none", ["unsubscribe_url", "web_version_url", "first_name"]),
    ("mailchimp", []),
    ("sendgrid", ["web_version_url"]),
    ("buttondown", []),  # its unsubscribe tag is written as the toolkit's: replaced, not left
])
def test_tags_no_service_replaces(service, left):
    assert list(esp.unreplaced_tags(esp.rewrite(ALL_TAGS, service), service)) == left


def test_unknown_tags_say_where_and_why():
    text = "ab {{web_version_url}} x *|FNAME|*"
    assert list(esp.unknown_tags(text, "sendgrid")) == [
        esp.UnknownTag("{{web_version_url}}", 3, "sendgrid has no merge tag for web_version_url"),
        esp.UnknownTag("*|FNAME|*", 25, "not a sendgrid merge tag")]


def test_a_typo_closed_by_the_last_character_is_still_a_typo():
    # the closer ends the text and the opener starts it: both ends of the scan
    assert esp.live_code("%unsubscribe_ur%", "mailgun") == [
        esp.Construct(0, 16, "%unsubscribe_ur%", "%unsubscribe_url%")]


def test_near_misses_at_their_limits():
    # 0.75 like UNSUB: under the 0.8 a suggestion needs, so a tag of the author's own
    assert esp.live_code("*|UNS|*", "mailchimp") == []
    # the last parts exactly 0.75 alike (SMS, SMSXX): close enough to be a typo
    assert esp.live_code("{{ contact.SMSXX }}", "brevo") == [
        esp.Construct(0, 19, "{{ contact.SMSXX }}", "{{ contact.SMS }}")]


def test_neutralising_keeps_the_text_before_the_first_construct():
    assert esp.neutralise_html("a{% if x %}b", "brevo") == "a&#123;% if x %}b"


def test_locate_finds_the_first_place_written():
    construct = esp.Construct(12, 19, "{{ x }}")
    assert esp.locate("{{ x }} and {{ x }}", construct) == 0
    assert esp.locate("nothing here", construct) is None


def test_locate_allows_backslashes_and_other_spacing():
    # found at its first brace, after the backslash Markdown needed
    assert esp.locate("a: \\{\\{\n  7*7 \\}\\}", esp.Construct(0, 9, "{{ 7*7 }}")) == 4
    assert esp.locate("a: \\{\\{ 7*7 \\}\\}", esp.Construct(0, 10, "{{  7*7 }}")) == 4


def test_locate_compares_the_first_60_characters_only():
    written = " " + "a" * 57
    assert esp.locate("{\\{" + written + "Y }}", esp.Construct(0, 64, "{{" + written + "Z }}")) == 0


@pytest.mark.parametrize(("text", "shown"), [
    ("{{" + "x" * 56 + "}}", "{{" + "x" * 56 + "}}"),         # 60 characters: whole
    ("{{" + "x" * 57 + "}}", "{{" + "x" * 55 + "..."),        # 61: the first 57 and "..."
    ("{% if\nx %}", "{% if\\nx %}"),                            # a line break shown as \n
])
def test_describe_shows_the_construct_on_one_line(text, shown):
    assert esp.describe(esp.Construct(0, len(text), text), "brevo") == (
        f"'{shown}' is brevo template code: the service would run it, not show it "
        "(only its plain merge tags, docs/esp.md, may appear)")
    typo = esp.Construct(0, len(text), text, "{{ mirror }}")
    assert esp.describe(typo, "brevo") == (
        f"'{shown}' is not a brevo merge tag: did you mean '{{{{ mirror }}}}'?")


def test_get_names_a_service_or_none():
    assert esp.get("mailchimp") is esp.ESPS["mailchimp"]
    assert esp.get("sendinblue") is None


def test_a_triple_brace_takes_a_third_closing_brace_only():
    assert esp.live_code("{{{ x }}} y", "sendgrid") == [esp.Construct(0, 9, "{{{ x }}}")]
    assert esp.live_code("{{{ x }} y", "sendgrid") == [esp.Construct(0, 8, "{{{ x }}")]
    assert esp.live_code("{{{x", "sendgrid") == [esp.Construct(0, 2, "{{")]  # never closed


# ---------------------------------------------------------------- fields that cannot hold code

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from authoring import checks  # noqa: E402
from authoring.diagnostics import Severity  # noqa: E402

QUIET_OR_NOT = [
    "A plain sentence, with *emphasis* and a [link](https://example.org/a b).",
    "&#123;&#123; 7*7 }}", "&#123;&#123; 7*7 &#125;&#125;", "&#42;|FNAME|&#42;", "&#x7B;% if x %&#x7D;",
    "[a](https://example.org/?q=&#42;&#124;FNAM&#124;&#42;)", "[a](&#123;&#123;x&#125;&#125;)",
    "\\{\\{ 7*7 \\}\\}", "{{unsubscribe_url}}", "{{ first_name }}", "*|FNAME|*", "*|FNAM|*",
    "%recipient.first_name%", "%recipient.frist_name%", "[a](https://example.org/ü%E2)",
    "[a](<https://example.org/a b>)", "<https://example.org/Ärger>", "![x](images/ä.png)",
    "{% if x %}yes{% endif %}", "{# note #}", "50% off, 20% more", "a | b * c", "",
]


def _code_found(text: str, service: str, markdown: bool) -> list:
    found = [f.message for f in checks._template_code(("f",), text, markdown, service, Severity.WARNING)]
    return found + [u.tag for u in esp.unknown_tags(text, service)]


@pytest.mark.parametrize("service", sorted(esp.ESPS))
@pytest.mark.parametrize("text", QUIET_OR_NOT)
def test_a_field_said_to_hold_no_code_holds_none(service, text):
    for markdown in (False, True):
        if not esp.may_hold_code(text, service, markdown):
            assert _code_found(text, service, markdown) == []


def test_links_can_hold_code_only_for_a_service_that_opens_with_percent():
    text = "[a](https://example.org/über)"  # markdown-it writes %C3%BC: Mailgun's opener, %C
    assert "%C3%BC" in checks.exported_text(text, True)
    assert esp.may_hold_code(text, "mailgun", True)
    assert not esp.may_hold_code(text, "mailgun", False)
    assert not esp.may_hold_code(text, "mailchimp", True)



def test_entities_in_a_link_address_can_spell_code_without_its_characters():
    text = "[a](https://example.org/?q=&#42;&#124;FNAM&#124;&#42;)"  # decoded: *|FNAM|*
    assert not any(c in text for c in "{|%")
    assert esp.may_hold_code(text, "mailchimp", True)
    assert _code_found(text, "mailchimp", True) == ["'*|FNAM|*' is not a mailchimp merge tag: "
                                                    "did you mean '*|FNAME|*'?"]


@given(st.text(alphabet="{}%|*&#;[]()<>\\!ab:/. 1ü", max_size=40),
       st.sampled_from(sorted(esp.ESPS)), st.booleans())
def test_what_is_skipped_would_have_found_nothing(text, service, markdown):
    if not esp.may_hold_code(text, service, markdown):
        assert _code_found(text, service, markdown) == []


_WRITTEN = {"mailchimp": "*|{}|*", "mailgun": "%{}%"}
"""How a documented name is written as a tag (the others: braces)."""


@pytest.mark.parametrize("service", sorted(esp.LANGUAGES))
def test_a_documented_name_is_no_near_miss_of_itself_nor_of_another(service):
    import difflib

    language = esp.LANGUAGES[service]
    for name in language.names:
        tag = _WRITTEN.get(service, "{{{{ {} }}}}").format(name)
        assert esp._near_miss(tag, language) is None, tag
        assert difflib.get_close_matches(name, language.names, n=1, cutoff=0.8) == [name]
    tag = _WRITTEN.get(service, "{{{{ {} }}}}").format(language.names[0] + "X")
    assert esp._near_miss(tag, language) is not None  # one letter more: a typo of it
