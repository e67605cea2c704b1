"""Attack family: author text the email service runs as its template language.

Each service runs a template language over what it is given (HTML, plain text, Subject). The
old merge-tag check read the YAML, so `{% if %}` (not a tag shape it knew), Markdown escapes
(`\\{\\{ 7*7 \\}\\}`) and a line break inside the braces came out live. Now one scan reads the
exported bytes (esp.live_code): what is not a plain merge tag of the service is refused with
its place in the YAML (it reaches the plain text, which has no literal form) and made inert in
the HTML; a near miss of a tag is a typo with a did-you-mean.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from pathlib import Path

import pytest

from authoring import esp
from authoring.diagnostics import AuthoringError
from authoring.export import build_export, export_issue
from authoring.render import RenderOptions, render_issue
from authoring.validate import load_issue
from conftest import ISSUES

BODY_LINE = "    This week I want to share a few thoughts on how teams choose between building a"
SUBJECT_LINE = '  subject: "Robots that learn from video, a data-center boom, and a new course"'

# (service, where, what the author writes): each is live code for that service once exported
SHAPES = [
    ("brevo", "subject", "{% if contact.PLAN == 'free' %}Free{% endif %} robots"),
    ("brevo", "body", "{% if contact.PLAN == \"free\" %}free{% endif %}"),
    ("brevo", "body", "\\{\\{ 7*7 \\}\\}"),  # Markdown escapes: no braces in the YAML's pairs
    ("brevo", "body", "{{\n    contact.PLAN|upper }}"),  # a line break inside the braces
    ("brevo", "body", "{# a comment that hides text #}"),
    ("buttondown", "subject", "{% if subscriber.tags %}VIP{% endif %}"),
    ("buttondown", "body", "`{{ subscriber.email|upper }}`"),  # a code span is still sent
    ("buttondown", "body", "[link](https://example.com/?q={{7*7}})"),  # an address is sent too
    ("buttondown", "body", "{% load static %}"),
    ("listmonk", "body", "{{\n    template \"x\" }}"),
    ("listmonk", "body", "{{/* hide */}}"),
    ("listmonk", "subject", "{{ .Subscriber.Attribs.plan | upper }}"),
    ("listmonk", "body", "\\{\\{ range .Lists \\}\\}x\\{\\{ end \\}\\}"),
    ("sendgrid", "body", "{{#if plan}}paid{{/if}}"),
    ("sendgrid", "subject", "{{> partial}} news"),
    ("sendgrid", "body", "{{{{raw}}}} x {{{{/raw}}}}"),
    # in Markdown a bare *|...|* is emphasis (nothing live); escaped or in code it is sent
    ("mailchimp", "body", "\\*|IF:PLAN=free|\\*free\\*|END:IF|\\*"),
    ("mailchimp", "subject", "*|HTML:BIO|* weekly"),
    ("mailchimp", "body", "`*|FEEDBLOCK:https://example.com/rss|*`"),
]

TYPOS = [
    ("mailchimp", "[Update](*|UPDATE_PROFIL|*)", "*|UPDATE_PROFILE|*"),
    ("mailchimp", "Hi \\*|FNAM|\\*", "*|FNAME|*"),
    ("mailgun", "[Leave](%unsubscibe_url%)", "%unsubscribe_url%"),
    ("listmonk", "{{ UnsubscribeURLL }}", "{{ UnsubscribeURL }}"),
    ("buttondown", "{{ unsubscribe_ur }}", "{{ unsubscribe_url }}"),
]


def issue_with(tmp_path: Path, service: str, where: str, text: str) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(ISSUES, folder)
    publication = folder / "publication.yaml"
    settings = re.sub(r"(?m)^esp:.*\n", "", publication.read_text(encoding="utf-8")) + f"esp: {service}\n"
    if service in ("sendgrid", "mailgun"):  # they have no web-version tag (docs/esp.md)
        settings = settings.replace('web_version_url: "{{web_version_url}}"\n', "")
    publication.write_text(settings, encoding="utf-8")
    issue = folder / "0321.yaml"
    source = issue.read_text(encoding="utf-8")
    if where == "subject":
        assert SUBJECT_LINE in source
        source = source.replace(SUBJECT_LINE, f"  subject: {_yaml_string(text)}")
    else:
        assert BODY_LINE in source
        source = source.replace(BODY_LINE, f"    {text} and more.\n{BODY_LINE}")
    issue.write_text(source, encoding="utf-8")
    return issue


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def diagnostics(exc: AuthoringError):
    return [d for report in exc.reports for d in report.diagnostics]


@pytest.mark.parametrize(("service", "where", "text"), SHAPES)
def test_template_code_is_refused_with_its_place_in_the_yaml(tmp_path, service, where, text):
    issue = issue_with(tmp_path, service, where, text)
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue, tmp_path / "out")
    found = [d for d in diagnostics(refused.value) if d.code == "esp-template-code"]
    assert found, [str(d) for d in diagnostics(refused.value)]
    expected_line = 6 if where == "subject" else 12
    assert all(d.file == str(issue) and d.line is not None and d.is_error for d in found)
    assert found[0].line == expected_line
    assert f"{service} template code" in found[0].message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("service", "where", "text"), SHAPES)
def test_in_the_html_the_same_text_is_inert(tmp_path, service, where, text):
    """A draft still renders (preview): the HTML shows the characters, the service runs none."""
    validated = load_issue(issue_with(tmp_path, service, where, text))
    html = render_issue(validated.issue, validated.publication, RenderOptions(mode="email")).html
    # an independent look: the openers left are only those of the service's own merge tags
    known = re.compile(esp.LANGUAGES[service].tag)
    openers = {"mailchimp": r"\*\|", "sendgrid": r"\{\{", "listmonk": r"\{\{"}.get(service, r"\{[{%#]")
    left = re.sub(openers, "", known.sub("", html))
    assert not re.search(openers, known.sub("", html)), left[:200]
    assert "&#123;" in html or "&#42;" in html  # shown as characters


@pytest.mark.parametrize(("service", "text", "suggestion"), TYPOS)
def test_a_typo_in_a_native_tag_is_an_error_with_a_did_you_mean(tmp_path, service, text, suggestion):
    issue = issue_with(tmp_path, service, "body", text)
    with pytest.raises(AuthoringError) as refused:
        build_export(issue)
    [typo] = [d for d in diagnostics(refused.value) if d.code == "merge-tag-typo"]
    assert typo.line == 12 and typo.is_error
    assert f"did you mean '{suggestion}'" in typo.message


@pytest.mark.parametrize(("service", "tag"), [
    ("brevo", "{{ contact.LASTNAME }}"), ("mailchimp", "\\*|LNAME|\\*"),
    ("mailchimp", "`*|LIST:COMPANY|*`"),
    ("listmonk", "{{ .Subscriber.Attribs.city }}"), ("sendgrid", "{{ last_name }}"),
    ("buttondown", "{{ subscriber.metadata.city }}"), ("mailgun", "%recipient.city%"),
])
def test_the_services_own_merge_tags_still_go_out_live(tmp_path, service, tag):
    issue = issue_with(tmp_path, service, "body", f"Hello {tag}")
    export_issue(issue, tmp_path / "out")
    tag = tag.replace("\\", "").strip("`")
    html = (tmp_path / "out" / "0321.html").read_text(encoding="utf-8")
    text = (tmp_path / "out" / "0321.txt").read_text(encoding="utf-8")
    assert tag in html and tag in text


def test_headers_are_scanned_as_exported(tmp_path):
    """The From name comes from the publication: refused there, located in publication.yaml."""
    issue = issue_with(tmp_path, "brevo", "body", "plain words")
    publication = issue.parent / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8").replace(
        "sender: {name: The Batch from DeepLearning.AI,",
        "sender: {name: \"The Batch {% if contact.VIP %}VIP{% endif %}\","), encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue, tmp_path / "out")
    found = [d for d in diagnostics(refused.value) if d.code == "esp-template-code"]
    assert found and found[0].file == str(publication)


def test_an_exported_message_holds_no_live_code_anywhere(tmp_path):
    """Every part of the .eml, headers included, read back and scanned for every service."""
    for service in esp.LANGUAGES:
        issue = issue_with(tmp_path / service, service, "body", "Fine words, { braces } 50% off")
        export_issue(issue, tmp_path / service / "out")
        message = email.message_from_bytes((tmp_path / service / "out" / "0321.eml").read_bytes(),
                                           policy=email.policy.default)
        for name, value in message.items():
            assert not esp.live_code(str(value), service), (service, name)
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert not esp.live_code(part.get_content(), service), service


FIELDS = [  # (service, as written in the sample, as the attacker writes it): fields that are no body
    ("brevo", 'url: "https://www.deeplearning.ai/courses/agentic-ai/"}',
     'url: "https://www.deeplearning.ai/courses/agentic-ai/?q={{ contact.PLAN|x }}"}'),
    ("brevo", "alt: A small model outrunning a large one on a racetrack}", 'alt: "{{ 7*7 }} a model"}'),
    ("buttondown", 'preheader: "Plus:', "preheader: \"{% now 'Y' %} Plus:"),
    ("buttondown", "src: images/robot-arm.png", 'src: "images/{% if x %}robot-arm.png"'),
    ("sendgrid", "![A chart comparing", "![{{#each x}} A chart comparing"),
    ("listmonk", "headline: Data Centers Go Nuclear", "headline: Data Centers {{\"{{\"}} Go Nuclear"),
]


@pytest.mark.parametrize(("service", "old", "new"), FIELDS)
def test_every_field_that_reaches_the_email_is_read_as_exported(tmp_path, service, old, new):
    issue = issue_with(tmp_path, service, "body", "plain words")
    source = issue.read_text(encoding="utf-8")
    assert old in source
    issue.write_text(source.replace(old, new, 1), encoding="utf-8")
    line = source[:source.index(old)].count("\n") + 1
    with pytest.raises(AuthoringError) as refused:
        build_export(issue)
    found = [d for d in diagnostics(refused.value) if d.code == "esp-template-code"]
    assert found and found[0].line == line, [str(d) for d in diagnostics(refused.value)]


@pytest.mark.parametrize(("service", "expected"), [("brevo", "Hi {{ contact.FIRSTNAME }}, robots"),
                                                   ("mailchimp", "Hi *|FNAME|*, robots")])
def test_the_toolkits_tag_in_the_subject_is_the_services_own_in_the_header(tmp_path, service, expected):
    issue = issue_with(tmp_path, service, "subject", "Hi {{first_name}}, robots")
    export_issue(issue, tmp_path / "out")
    message = email.message_from_bytes((tmp_path / "out" / "0321.eml").read_bytes(),
                                       policy=email.policy.default)
    assert message["Subject"] == expected
