"""The pre-send rules: one registry in check/presend.py that export, send and the check run once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from authoring import links
from authoring.check import presend
from authoring.diagnostics import AuthoringError, Severity
from authoring.outgoing import prepare
from authoring.render import GMAIL_CLIP_BYTES
from conftest import DATA, ISSUES, copy_samples

MINIMAL = (DATA / "export" / "minimal.yaml").read_text(encoding="utf-8")
"""One news story with a local image: the smallest issue that exports."""


def test_the_rules_run_in_their_registered_order():
    assert [name for name, _ in presend.RULES] == [
        "relative-images", "render-findings", "template-code", "list-unsubscribe",
        "unreplaced-merge-tags", "local-images", "links"]


def test_a_registered_rule_runs_once_and_its_error_refuses_the_export(issue_copy, monkeypatch):
    seen: list[presend.Presend] = []

    def planted(context: presend.Presend) -> None:
        seen.append(context)
        context.sources.add("render", Severity.ERROR, "Robots Learn Chores", "planted", "remove it")

    monkeypatch.setattr(presend, "RULES", [*presend.RULES, ("planted", planted)])
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert len(seen) == 1 and seen[0].prepared.path == issue_copy
    planted_found = [d for r in refused.value.reports for d in r.errors if d.message == "planted"]
    assert [(d.file, d.line > 0) for d in planted_found] == [(str(issue_copy), True)]
    export = presend.build_export(issue_copy, refuse=False)  # the caller decides (the check's gate)
    assert any(d.message == "planted" for r in export.reports for d in r.errors)


def test_the_sample_passes_every_rule_and_lists_its_images_for_upload():
    export = presend.build_export(ISSUES / "0321.yaml")
    assert not [d for r in export.reports for d in r.errors]
    assert {image["src"] for image in export.images} >= {"images/robot-arm.png"}
    assert all(len(image["sha256"]) == 64 and image["size"] > 0 for image in export.images)


def located(refusal: AuthoringError, code: str) -> list[str]:
    """The refusal's findings of one kind, as the command line prints them."""
    return [str(d) for r in refusal.reports for d in r.diagnostics if d.code == code]


def test_a_relative_image_without_a_base_url_is_refused_once_at_its_line(issue_copy):
    publication = issue_copy.parent / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    publication.write_text(re.sub(r"(?m)^image_base_url:.*\n", "", text), encoding="utf-8")
    issue = issue_copy.read_text(encoding="utf-8")
    # the same image twice: one finding, at its first line
    issue_copy.write_text(issue.replace("src: images/chart.png", "src: images/robot-arm.png"),
                          encoding="utf-8")
    lines = issue_copy.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, 1) if "images/robot-arm.png" in line)
    column = lines[first - 1].index("images/robot-arm.png") + 1
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    found = [f for f in located(refused.value, "no-image-base-url") if "robot-arm" in f]
    assert found == [
        f"{issue_copy}:{first}:{column}: error: image 'images/robot-arm.png' is a relative path and the "
        "publication sets no image_base_url — set image_base_url in publication.yaml to where the images "
        "are uploaded, or use a full https:// address [no-image-base-url]"]


def issue_of_email_size(folder: Path, size: int) -> Path:
    """An issue whose email HTML, as export writes it (CRLF), is exactly ``size`` bytes."""
    paragraph = "Researchers trained a policy on thousands of hours of video. " * 12
    blocks = ("  - text: |\n" + "".join(f"      {paragraph}\n\n" for _ in range(40))) * 3
    path = folder / "0500.yaml"

    def written(padding: int) -> int:
        path.write_text(MINIMAL + blocks + f"  - text: |\n      {'a' * padding}\n", encoding="utf-8")
        return len(prepare(path).rendered.html.encode("utf-8"))

    padding = 10 + size - written(10)  # one more letter, one more byte
    assert 0 < padding <= 2000 and written(padding) == size  # a paragraph, not a long one
    return path


def test_the_email_at_gmails_clip_exports_and_one_byte_more_is_refused(tmp_path):
    folder = copy_samples(tmp_path / "issues")
    issue = issue_of_email_size(folder, GMAIL_CLIP_BYTES)
    export = presend.build_export(issue)
    assert not [d for r in export.reports for d in r.errors]
    # the renderer's warning that the email nears the clip stays; the web page's size is no matter
    size = len(export.html.replace("\r\n", "\n").encode("utf-8"))
    assert [str(d) for d in export.warnings] == [
        f"{issue}: warning: HTML is {size / 1024:.1f} KB: Gmail clips messages over 102 KB [render]"]

    issue_of_email_size(folder, GMAIL_CLIP_BYTES + 1)
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue)
    assert located(refused.value, "too-large") == [
        f"{issue}: error: the email HTML is 102.0 KB; Gmail clips messages over 102 KB, hiding the rest "
        "of the issue and the unsubscribe link — shorten the issue or move a story to the web version "
        "[too-large]"]
    assert not [d for r in refused.value.reports for d in r.diagnostics if "Gmail clips" in d.message
                and d.code != "too-large"]  # said once, as the error


def settings(issue: Path, *, drop: tuple[str, ...] = (), add: str = "") -> Path:
    """The issue's publication.yaml without the settings named in ``drop``, with ``add`` appended."""
    publication = issue.parent / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    for key in drop:
        text, found = re.subn(rf"(?m)^{key}:.*\n", "", text)
        assert found == 1, key
    publication.write_text(text + add, encoding="utf-8")
    return publication


def test_without_any_unsubscribe_address_there_is_no_list_unsubscribe_and_it_says_so(issue_copy):
    settings(issue_copy, drop=("unsubscribe_url", "list_unsubscribe_mailto"), add='unsubscribe_url: ""\n')
    export = presend.build_export(issue_copy, refuse=False)  # refused anyway: readers cannot unsubscribe
    assert [str(d) for d in export.warnings if d.code == "no-list-unsubscribe"] == [
        f"{issue_copy}: warning: no List-Unsubscribe header: Gmail and Yahoo require one from bulk senders "
        "— set unsubscribe_url or list_unsubscribe_mailto in publication.yaml [no-list-unsubscribe]"]


@pytest.mark.parametrize("drop", ["unsubscribe_url", "list_unsubscribe_mailto"])
def test_either_unsubscribe_address_makes_a_list_unsubscribe_header(issue_copy, drop):
    settings(issue_copy, drop=(drop,))
    export = presend.build_export(issue_copy)
    assert "List-Unsubscribe" in export.message()
    assert not [d for d in export.warnings if d.code == "no-list-unsubscribe"]


def without_web_url(issue: Path) -> None:
    """No web_url of its own: the email's "View in browser" link is the publication's merge tag."""
    issue.write_text(re.sub(r"\n  web_url: .*", "", issue.read_text(encoding="utf-8")), encoding="utf-8")


def test_a_merge_tag_the_service_lacks_is_refused_once_at_its_line(issue_copy):
    publication = settings(issue_copy, drop=("esp",), add="esp: sendgrid\n")
    without_web_url(issue_copy)
    lines = publication.read_text(encoding="utf-8").splitlines()
    line = 1 + lines.index('web_version_url: "{{web_version_url}}"')
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    # validation's finding, where the tag is written; the pre-send rule does not say it again
    assert located(refused.value, "unknown-merge-tag") == [
        f"{publication}:{line}:18: error: web_version_url: merge tag '{{{{web_version_url}}}}': sendgrid "
        "has no merge tag for web_version_url — use a tag from the table in docs/esp.md, or set 'esp:' "
        "in publication.yaml to the service you send with [unknown-merge-tag]"]
    assert located(refused.value, "unreplaced-merge-tag") == []


def test_a_merge_tag_the_service_lacks_in_the_issue_is_said_once_there_and_once_at_the_publication(
        issue_copy):
    publication = settings(issue_copy, drop=("esp",), add="esp: sendgrid\n")
    text = issue_copy.read_text(encoding="utf-8")
    issue_copy.write_text(text.replace("(https://arxiv.org/abs/2405.01527)", "({{ web_version_url }})"),
                          encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    found = located(refused.value, "unknown-merge-tag")
    assert [f.split(": error: ")[0].rsplit(":", 2)[0] for f in found] == [str(issue_copy), str(publication)]
    assert "merge tag '{{ web_version_url }}': sendgrid has no merge tag" in found[0]
    assert located(refused.value, "unreplaced-merge-tag") == []


def test_with_no_service_a_tag_written_with_spaces_is_found_where_it_is_written(issue_copy):
    # esp: none flags no tag in validation: the pre-send rule is the one to say it
    publication = settings(issue_copy, drop=("esp", "web_version_url"),
                           add='# web_version_url: "{{web_version_url}}" was here\n'
                               'web_version_url: "{{ web_version_url }}"\n')
    without_web_url(issue_copy)
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    line = len(publication.read_text(encoding="utf-8").splitlines())  # not the comment above it
    found = [f for f in located(refused.value, "unreplaced-merge-tag") if "web_version_url" in f]
    assert found == [
        f"{publication}:{line}:19: error: '{{{{web_version_url}}}}' would reach readers as written in the "
        "HTML: publication.yaml sets no esp:, so no service replaces it — set esp: to the service you "
        "send with (docs/esp.md lists them), or write the real address in place of {{web_version_url}} "
        "in publication.yaml [unreplaced-merge-tag]"]
    assert located(refused.value, "unknown-merge-tag") == []


def test_a_toolkit_tag_in_the_subject_no_service_replaces_is_refused_there(issue_copy):
    settings(issue_copy, drop=("esp",))
    text = issue_copy.read_text(encoding="utf-8")
    issue_copy.write_text(text.replace('subject: "Robots', 'subject: "{{first_name}}, robots'),
                          encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    first_name = [f for f in located(refused.value, "unreplaced-merge-tag") if "first_name" in f]
    assert first_name == [
        f"{issue_copy}:6:13: error: '{{{{first_name}}}}' would reach readers as written in the HTML, "
        "the subject: publication.yaml sets no esp:, so no service replaces it — set esp: to the service you "
        "send with (docs/esp.md lists them), or write the real address in place of {{first_name}} in "
        "publication.yaml [unreplaced-merge-tag]"]


def test_links_are_probed_once_each_links_then_images(issue_copy):
    probed: list[list[str]] = []

    def offline(urls: list[str]) -> links.LinkCheck:
        probed.append(urls)
        return links.LinkCheck(checked=urls, offline=True)

    export = presend.build_export(issue_copy, check_links=True, link_check=offline)
    (urls,) = probed
    assert len(urls) == len(set(urls))
    rendered = prepare(issue_copy).rendered
    assert urls == list(dict.fromkeys(rendered.links + rendered.images))
    assert urls.index("https://www.deeplearning.ai/the-batch/") < urls.index(
        "https://www.deeplearning.ai/the-batch/images/robot-arm.png")
    assert export.notes == [f"links not checked: none of the {len(urls)} addresses could be reached "
                            "(no network?)"]
    assert not export.warnings


def test_links_are_not_probed_without_check_links_or_for_a_refused_issue(issue_copy):
    probed: list[list[str]] = []

    def record(urls: list[str]) -> links.LinkCheck:
        probed.append(urls)
        return links.LinkCheck(checked=urls)

    presend.build_export(issue_copy, link_check=record)
    settings(issue_copy, drop=("postal_address",))
    presend.build_export(issue_copy, check_links=True, link_check=record, refuse=False)
    assert probed == []


def test_a_broken_image_is_reported_at_the_address_it_was_written_as(issue_copy):
    image = "https://www.deeplearning.ai/the-batch/images/robot-arm.png"

    def one_broken(urls: list[str]) -> links.LinkCheck:
        return links.LinkCheck(checked=urls, broken=[links.BrokenLink(image, "404 Not Found")])

    export = presend.build_export(issue_copy, check_links=True, link_check=one_broken)
    lines = issue_copy.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "images/robot-arm.png" in text)
    column = lines[line - 1].index("images/robot-arm.png") + 1
    assert [str(d) for d in export.warnings] == [
        f"{issue_copy}:{line}:{column}: warning: '{image}' does not work: 404 Not Found — fix or remove "
        "the link [broken-link]"]
    assert export.notes == []


def test_a_missing_dark_logo_is_refused_at_the_logo_line(issue_copy):
    publication = issue_copy.parent / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    publication.write_text(text.replace("logo: {src: images/logo.png,",
                                        "logo: {src: images/logo.png, dark_src: images/logo-dark.png,"),
                           encoding="utf-8")
    column = 1 + publication.read_text(encoding="utf-8").splitlines()[6].index("images/logo-dark.png")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert located(refused.value, "missing-image-file") == [
        f"{publication}:7:{column}: error: the logo 'images/logo-dark.png' does not exist next to "
        "publication.yaml — put the file there, or correct logo.src (it is relative to publication.yaml) "
        "[missing-image-file]"]


def test_without_a_base_url_the_images_to_upload_have_no_address_yet(issue_copy):
    settings(issue_copy, drop=("image_base_url",))
    export = presend.build_export(issue_copy, refuse=False)  # refused: relative images
    assert export.images and [image["url"] for image in export.images] == [None] * len(export.images)
    assert export.images[0]["src"] == "images/logo.png" and export.images[0]["path"] == "images/logo.png"


BODY_LINE = "    This week I want to share a few thoughts on how teams choose between building a"


def with_template_code(issue: Path, *, body: str, sender: str, subject: str, unsubscribe: str) -> Path:
    """The sample sent with brevo, template code written in the body, the From name, the subject
    and the unsubscribe address."""
    publication = settings(issue, drop=("esp", "unsubscribe_url"),
                           add=f'esp: brevo\nunsubscribe_url: "{unsubscribe}"\n')
    text = publication.read_text(encoding="utf-8")
    publication.write_text(text.replace("sender: {name: The Batch from DeepLearning.AI,",
                                        f'sender: {{name: "{sender}",'), encoding="utf-8")
    source = issue.read_text(encoding="utf-8")
    assert BODY_LINE in source and 'subject: "Robots' in source
    issue.write_text(source.replace(BODY_LINE, f"    {body} and more.\n{BODY_LINE}")
                     .replace('subject: "Robots', f'subject: "{subject} Robots'), encoding="utf-8")
    return publication


def test_the_last_guard_refuses_template_code_the_merge_tag_check_missed(issue_copy, monkeypatch):
    """The pre-send guard reads the exported plain text and headers: should validation's merge-tag
    check ever miss a construct (taken out here), the guard still refuses it where it is written."""
    from authoring import checks

    monkeypatch.setattr(checks, "_template_code", lambda *args, **kwargs: iter(()))
    publication = with_template_code(issue_copy, body="{% load static %}", subject="{# hidden #}",
                                     sender="The Batch {% if contact.VIP %}VIP{% endif %}",
                                     unsubscribe="https://www.deeplearning.ai/u?{{7*7}}")
    export = presend.build_export(issue_copy, refuse=False)
    code = ("is brevo template code: the service would run it, not show it (only its plain merge tags, "
            "docs/esp.md, may appear) — see docs/esp.md: only the service's merge tags may reach it "
            "[esp-template-code]")
    unsubscribe_line = 1 + publication.read_text(encoding="utf-8").splitlines().index(
        'unsubscribe_url: "https://www.deeplearning.ai/u?{{7*7}}"')
    assert [str(d) for r in export.reports for d in r.diagnostics if d.code == "esp-template-code"] == [
        # the longest piece of a construct with spaces: the plain text wraps lines
        f"{issue_copy}:12:13: error: the plain text: '{{% load static %}}' {code}",
        f"{issue_copy}:6:16: error: the Subject: '{{# hidden #}}' {code}",
        f"{publication}:{unsubscribe_line}:49: error: the plain text: '{{{{7*7}}}}' {code}",
        f"{publication}:4:33: error: the From name: '{{% if contact.VIP %}}' {code}",
        f"{publication}:4:53: error: the From name: '{{% endif %}}' {code}",
        f"{publication}:{unsubscribe_line}:49: error: List-Unsubscribe: '{{{{7*7}}}}' {code}"]


def test_what_the_merge_tag_check_reported_the_guard_does_not_say_again(issue_copy):
    long = "{% if contact.PLAN == 'free' and contact.COUNTRY == 'FR' and contact.AGE > 30 %}"
    with_template_code(issue_copy, body="{{\n    contact.PLAN|upper }} " + long + "free{% endif %}",
                       subject="{# hidden #}", sender="The Batch {% if contact.VIP %}VIP{% endif %}",
                       unsubscribe="{{unsubscribe_url}}")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    found = [d for r in refused.value.reports for d in r.diagnostics
             if d.code in ("esp-template-code", "merge-tag-typo")]
    assert len(found) == 6  # two in the body (a line break inside one), the long one, subject, From x2
    assert not [d for d in found if d.message.startswith(("the plain text:", "the Subject:", "the From"))]


def test_the_guard_goes_on_past_what_was_reported_to_what_was_not(issue_copy, monkeypatch):
    """The plain text holds the body's construct (reported by validation) before the footer's
    unsubscribe address (missed here): the one after is refused all the same."""
    from authoring import checks

    real = checks._template_code

    def missing_the_unsubscribe_url(path, *args, **kwargs):
        return iter(()) if path[-1:] == ("unsubscribe_url",) else real(path, *args, **kwargs)

    monkeypatch.setattr(checks, "_template_code", missing_the_unsubscribe_url)
    publication = with_template_code(issue_copy, body="{% load static %}", subject="{# hidden #}",
                                     sender="The Batch", unsubscribe="https://www.deeplearning.ai/u?{{7*7}}")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    guard = [(d.file, d.message.split(":")[0]) for r in refused.value.reports for d in r.diagnostics
             if d.code == "esp-template-code" and d.message.startswith(("the ", "List-"))]
    assert guard == [(str(publication), "the plain text"), (str(publication), "List-Unsubscribe")]


def test_a_typo_a_template_override_adds_to_the_html_is_refused(issue_copy):
    """Validation reads the YAML; a near miss of a merge tag in the publication's own templates
    reaches only the HTML, where the guard finds it (no line of the issue holds it)."""
    from conftest import ROOT

    folder = issue_copy.parent / "mine" / "email"
    folder.mkdir(parents=True)
    footer = (ROOT / "templates" / "email" / "footer.mjml.j2").read_text(encoding="utf-8")
    assert "{{- footer | markdown -}}" in footer
    typo = '<p><a href="*|UPDATE_PROFIL|*">Profile</a></p>'
    (folder / "footer.mjml.j2").write_text(
        footer.replace("{{- footer | markdown -}}", "{{- footer | markdown -}}" + typo), encoding="utf-8")
    settings(issue_copy, add="templates: mine\n")
    text = issue_copy.read_text(encoding="utf-8")  # and the author's own before it, reported by validation
    typo_line = "    Hi \\*|FNAM|\\* and more.\n"
    issue_copy.write_text(text.replace(BODY_LINE, typo_line + BODY_LINE), encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert located(refused.value, "merge-tag-typo") == [
        f"{issue_copy}:12:9: error: letter.body: '*|FNAM|*' is not a mailchimp merge tag: did you mean "
        "'*|FNAME|*'? — write '*|FNAME|*' [merge-tag-typo]",
        f"{issue_copy}: error: the HTML: '*|UPDATE_PROFIL|*' is not a mailchimp merge tag: did you mean "
        "'*|UPDATE_PROFILE|*'? — write '*|UPDATE_PROFILE|*' [merge-tag-typo]"]


def test_an_image_too_large_to_list_for_upload_is_refused_at_its_line(issue_copy):
    """It used to drop out of the manifest's images without a word: an export that went out broken."""
    image = issue_copy.parent / "images" / "robot-arm.png"
    with open(image, "r+b") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: no disk used
    lines = issue_copy.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "images/robot-arm.png" in text)
    column = lines[line - 1].index("images/robot-arm.png") + 1
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert located(refused.value, "unreadable-image-file") == [
        f"{issue_copy}:{line}:{column}: error: the image 'images/robot-arm.png' cannot be read: "
        f"{image.resolve()} is over 50 MB — use a smaller file (an email's image is rarely over 1 MB), "
        "or check its permissions [unreadable-image-file]"]
    listed = [image["src"] for image in presend.build_export(issue_copy, refuse=False).images]
    assert listed == ["images/logo.png", "images/course.png", "images/essay.png", "images/chart.png"]
    with open(image, "r+b") as handle:
        handle.truncate(50 * 1024 * 1024)  # at the limit: listed
    assert "images/robot-arm.png" in [image["src"] for image in presend.build_export(issue_copy).images]


def test_the_logo_is_found_next_to_a_publication_in_a_folder_of_its_own(issue_copy):
    settings_folder = issue_copy.parent / "settings"
    (settings_folder / "images").mkdir(parents=True)
    (issue_copy.parent / "publication.yaml").rename(settings_folder / "publication.yaml")
    logo = issue_copy.parent / "images" / "logo.png"
    logo.rename(settings_folder / "images" / "logo.png")
    export = presend.build_export(issue_copy, publication_file=settings_folder / "publication.yaml")
    (listed,) = [image for image in export.images if image["src"] == "images/logo.png"]
    assert listed["size"] == (settings_folder / "images" / "logo.png").stat().st_size


def test_the_last_guard_calls_a_near_miss_of_a_merge_tag_a_typo(issue_copy, monkeypatch):
    from authoring import checks

    monkeypatch.setattr(checks, "_template_code", lambda *args, **kwargs: iter(()))
    text = issue_copy.read_text(encoding="utf-8")
    typo_line = "    Hi \\*|FNAM|\\* and more.\n"
    issue_copy.write_text(text.replace(BODY_LINE, typo_line + BODY_LINE), encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    typo = "'*|FNAM|*' is not a mailchimp merge tag: did you mean '*|FNAME|*'?"
    assert located(refused.value, "merge-tag-typo") == [
        # written \\*|FNAM|\\* (Markdown escapes): the text as sent is in no line of the YAML
        f"{issue_copy}: error: the plain text: {typo} — see docs/esp.md: only the service's merge tags "
        "may reach it [merge-tag-typo]",
        f"{issue_copy}: error: the HTML: {typo} — write '*|FNAME|*' [merge-tag-typo]"]


def test_a_refusal_names_the_issue_and_strict_refuses_warnings(issue_copy):
    settings(issue_copy, drop=("postal_address",))
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert str(refused.value) == f"{issue_copy}: 1 error; nothing exported"
    settings(issue_copy, add="postal_address: 1 Main St, Springfield\n")

    def one_broken(urls: list[str]) -> links.LinkCheck:
        return links.LinkCheck(checked=urls, broken=[links.BrokenLink(urls[0], "404 Not Found")])

    presend.build_export(issue_copy, check_links=True, link_check=one_broken)  # a warning goes out
    with pytest.raises(AuthoringError) as strict:
        presend.build_export(issue_copy, strict=True, check_links=True, link_check=one_broken)
    assert str(strict.value) == f"{issue_copy}: 1 warning and --strict; nothing exported"
