"""The spoofing and range checks (issue 21): invisible characters where a reader decides whom to
trust, and numbers and tags that reach the HTML."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from authoring import checks, model
from authoring.checks import check_publication
from authoring.diagnostics import AuthoringError, Level
from authoring.export import build_export
from authoring.validate import validate_file, validate_text
from conftest import copy_samples

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
ZERO_WIDTH = ["\u200b", "\u2060", "\ufeff"]


def issue(subject: str = "Hello", preheader: str = "Preview", body: str = "Text.", extra: str = "",
          stories: str = "") -> str:
    """An issue; ``extra`` is one more line under ``issue:``, after the preheader."""
    return (f'issue:\n  subject: "{subject}"\n  number: 1\n  date: 2026-11-27\n'
            f'  preheader: "{preheader}"\n{extra}letter:\n  body: "{body}"\nstories:\n'
            + textwrap.indent(textwrap.dedent(stories), "  "))


def found(text: str, code: str) -> list[tuple[str, int | None, int | None]]:
    """(path, line, column) of each finding with ``code``, in order."""
    report = validate_text(text).report
    return [(".".join(map(str, d.path)), d.line, d.column) for d in report.sorted() if d.code == code]


@pytest.mark.parametrize("char", BIDI)
def test_every_bidi_control_in_the_subject_is_refused_at_its_column(char):
    # the value starts at column 13 (after the quote): the control is its 6th character
    assert found(issue(subject=f"Hello{char}olleh"), "bidi-control") == [("issue.subject", 2, 18)]


@pytest.mark.parametrize("char", ZERO_WIDTH)
def test_zero_width_characters_in_the_preheader_are_refused(char):
    assert found(issue(preheader=f"pay{char}pal"), "zero-width") == [("issue.preheader", 5, 18)]


def test_the_escape_form_is_refused_too():
    text = issue(subject="Hi\\u202Ethere")  # YAML's "\u202E" escape in a double-quoted value
    assert [d.severity.value for d in validate_text(text).report.diagnostics
            if d.code == "bidi-control"] == ["error"]


def test_a_links_text_is_checked_and_its_address_and_other_prose_are_not():
    body = "See [the f\u200bile](https://example.org/x) and a ta\u200bble of contents."
    assert found(issue(body=body), "zero-width") == [("letter.body", 7, 20)]


def test_a_buttons_text_is_a_links_text():
    stories = """\
        - promo:
            body: Our course.
            cta: {text: "Enroll\u2067 now", url: "https://example.org/c"}
        """
    assert found(issue(stories=stories), "bidi-control") == [("stories.0.promo.cta.text", 11, 26)]


def test_joiners_stay_where_scripts_and_emoji_need_them():
    # ZWNJ inside a Persian word, ZWJ inside an emoji family: both are text, not a disguise
    clean = issue(subject="می\u200cخواهم", preheader="👨\u200d👩\u200d👧 family")
    assert found(clean, "zero-width") == []
    assert found(issue(subject="pay\u200dpal"), "zero-width") == [("issue.subject", 2, 16)]
    assert found(issue(subject="\u200cHello"), "zero-width") == [("issue.subject", 2, 13)]


def test_plain_ascii_and_ordinary_unicode_pass():
    assert found(issue(subject="Café, naïve — “quotes” ’n’ ☕"), "zero-width") == []
    assert found(issue(subject="Café, naïve — “quotes” ’n’ ☕"), "bidi-control") == []


@pytest.mark.parametrize(("width", "bad"), [(0, True), (1, False), (-5, True), (2000, False),
                                            (2001, True), (100000, True)])
def test_image_width_is_range_checked_at_its_bounds(width, bad):
    stories = f"""\
        - news:
            headline: A headline
            image: {{src: "https://example.org/a.png", alt: A picture, width: {width}}}
        """
    assert bool(found(issue(stories=stories), "out-of-range")) is bad


@pytest.mark.parametrize(("lang", "bad"), [("en", False), ("en-US", False), ("zh-Hant-TW", False),
                                          ('en" x="y', True), ("e", True), ("en_US", True),
                                          ("en-", True), ("", True)])
def test_lang_must_be_a_language_tag(lang, bad):
    assert bool(found(issue(extra=f"  lang: '{lang}'\n"), "bad-lang")) is bad


REAL = model.Publication(name="The Example", sender=model.Sender(name="E", email="news@news.example.org"),
                         postal_address="1 Main St, Springfield", unsubscribe_url="{{unsubscribe_url}}")


def publication_codes(pub: model.Publication) -> list[tuple[str, tuple]]:
    return [(f.code, f.path) for f in check_publication(pub, Level.DRAFT)]


@pytest.mark.parametrize(("width", "bad"), [(319, True), (320, False), (1200, False), (1201, True),
                                            (-5, True), (100000, True)])
def test_theme_width_is_range_checked_at_its_bounds(width, bad):
    result = publication_codes(replace(REAL, theme=model.Theme(width=width, path=("theme",))))
    assert result == ([("out-of-range", ("theme", "width"))] if bad else [])


def test_the_sender_and_publication_names_are_checked():
    pub = replace(REAL, name="The\u2068 Example", sender=model.Sender(
        name="E\u200b", email="news@news.example.org", path=("sender",)))
    assert publication_codes(pub) == [("zero-width", ("sender", "name")), ("bidi-control", ("name",))]


def test_publication_lang_and_logo_width():
    pub = replace(REAL, lang='en" onload="x', logo=model.Logo(alt="E", width=0, path=("logo",)))
    assert publication_codes(pub) == [("out-of-range", ("logo", "width")), ("bad-lang", ("lang",))]


@pytest.mark.parametrize(("smtp", "expected"), [
    (model.SmtpSettings(host="smtp.example.org", port=587, user="ed", security="starttls"), []),
    (model.SmtpSettings(port=0), [("out-of-range", ("port",))]),
    (model.SmtpSettings(port=65536), [("out-of-range", ("port",))]),
    (model.SmtpSettings(port=65535), []),
    (model.SmtpSettings(host="smtp example"), [("bad-smtp", ("host",))]),
    (model.SmtpSettings(host=""), [("bad-smtp", ("host",))]),
    (model.SmtpSettings(user="ed\u202e"), [("bad-smtp", ("user",))]),
])
def test_smtp_settings_are_validated(smtp, expected):
    assert publication_codes(replace(REAL, smtp=smtp)) == expected


def test_smtp_in_publication_yaml_is_typed_and_located(tmp_path):
    (tmp_path / "publication.yaml").write_text(
        "name: X\nsender: {name: X, email: x@news.example.org}\n"
        "smtp:\n  host: smtp.example.org\n  port: 70000\n  security: tls\n")
    (tmp_path / "1.yaml").write_text("issue: {subject: Hi, number: 1, date: 2026-11-27}\n")
    report = validate_file(tmp_path / "1.yaml").report
    located = {(d.code, Path(d.file).name, d.line) for d in report.errors}
    assert ("out-of-range", "publication.yaml", 5) in located
    assert any(code != "out-of-range" and line == 6 for code, _, line in located), located


@pytest.mark.parametrize(("change", "code"), [
    (("  subject:", "  lang: 'en\" x=\"y'\n  subject:"), "bad-lang"),
    (("image: {src: ", "image: {width: 100000, src: "), "out-of-range"),
    (("image: {src: ", "image: {width: -5, src: "), "out-of-range"),
])
def test_export_refuses_what_exported_before(tmp_path, change, code):
    """The values issue 21 exported: each now stops the export, located in the issue."""
    folder = copy_samples(tmp_path / "issues")
    path = folder / "0321.yaml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        build_export(path)
    errors = [d for report in refused.value.reports for d in report.errors]
    assert [d.code for d in errors] == [code]
    assert errors[0].file == str(path) and errors[0].line is not None


def test_invisible_characters_finds_each_offset():
    assert list(checks.invisible_characters("a\u202eb\u200bc")) == [(1, "bidi-control"), (3, "zero-width")]
    assert list(checks.invisible_characters("plain")) == []
