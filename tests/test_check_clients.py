"""Client compatibility (authoring/check/clients.py): each family's score, why a missing feature
still works (its fallback), the detail lines, and a finding at the template line that writes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check.clients import (
    Verdict,
    _family,
    _family_lines,
    advice,
    fallback,
    support_for,
    template_line,
)
from authoring.check.features import Found, Occurrence, snapshot
from authoring.diagnostics import Severity
from conftest import ROOT

DATA = {
    "families": {"outlook-windows": "Outlook Windows", "gmail-web": "Gmail web"},
    "features": {
        "css-display-flex": {"title": "display:flex", "support": {"outlook-windows": "n", "gmail-web": "y"}},
        "css-margin": {"title": "margin", "support": {"outlook-windows": "a", "gmail-web": "y"},
                       "notes": {"outlook-windows": "Negative values are dropped."}},
        "css-width": {"title": "width", "support": {"outlook-windows": "y", "gmail-web": "u"}},
        "css-border-radius": {"title": "border-radius", "support": {"outlook-windows": "n"}},
    },
}


def _found(**slugs: list[Occurrence]) -> Found:
    found = Found()
    for slug, items in slugs.items():
        found.occurrences[slug.replace("_", "-")] = items
    return found


def test_a_familys_score_counts_supported_1_partial_a_half_and_leaves_out_the_untested():
    found = _found(css_display_flex=[Occurrence("inline", "display:flex")] * 2,
                   css_margin=[Occurrence("inline", "margin:0")],
                   css_width=[Occurrence("inline", "width:50%")],
                   css_border_radius=[Occurrence("inline", "border-radius:4px")])
    score, verdicts = _family("outlook-windows", found, DATA, False, True)
    assert score == 38  # (0 + 0.5 + 1 + 0) / 4 = 37.5%, rounded
    assert verdicts == [
        Verdict("outlook-windows", "css-border-radius", "n", 1, "cosmetic", None),
        Verdict("outlook-windows", "css-display-flex", "n", 2, None, None),
        Verdict("outlook-windows", "css-margin", "a", 1, None, "Negative values are dropped.")]
    # Gmail web: flex and margin supported, width untested, border-radius unknown
    assert _family("gmail-web", found, DATA, False, True) == (100, [])
    assert _family("gmail-web", _found(css_width=[Occurrence("inline", "width:1px")]), DATA, False, True) \
        == (None, [])


def test_a_score_rounds_to_the_nearest_percent():
    found = _found(css_margin=[Occurrence("inline", "margin:0")], css_width=[Occurrence("inline", "w")],
                   css_display_flex=[Occurrence("inline", "display:flex")])
    assert _family("outlook-windows", found, DATA, False, True)[0] == 50  # (0.5 + 1 + 0) / 3


def _at(*places: str, text: str = "display:flex") -> list[Occurrence]:
    return [Occurrence(place, text) for place in places]


@pytest.mark.parametrize(("slug", "family", "occurrences", "tables", "why"), [
    ("css-at-media-prefers-color-scheme", "gmail-web", _at("sheet"), False, "the light colors show"),
    ("css-color-scheme", "gmail-web", _at("inline"), False, "the light colors show"),
    ("html-meta-color-scheme", "gmail-web", _at("html"), False, "the light colors show"),
    ("css-border-radius", "gmail-web", _at("inline"), False, "cosmetic"),
    ("css-at-media", "gmail-web", _at("sheet"), False, "without @media the desktop layout shows"),
    ("css-at-media-hover", "gmail-web", _at("sheet"), False, "without @media the desktop layout shows"),
    ("css-max-width", "outlook-windows", _at("inline"), True, "fixed-width Outlook tables"),
    ("css-max-width", "outlook-windows", _at("inline"), False, None),
    ("css-max-width", "outlook-mac", _at("inline"), True, None),
    ("css-display-flex", "outlook-windows", _at("inline"), True, None),  # no Outlook table does flex
    ("css-height", "gmail-web", _at("inline", "sheet", text="height: AUTO"), False,
     "the default value: nothing changes where it is dropped"),
    ("css-height", "gmail-web", _at("inline", text="height:1px") + _at("inline", text="height:auto"), False,
     None),
    ("css-display-flex", "gmail-web", _at("media", "media"), False,
     "only in @media rules: the desktop layout stands"),
    ("css-display-flex", "gmail-web", _at("media", "mjml"), False, "MJML's resets and @media rules"),
    ("css-display-flex", "gmail-web", _at("mjml"), False, "MJML's resets and @media rules"),
    ("css-selector-class", "gmail-web", _at("sheet", "media"), False, "the styles are inlined as well"),
    ("css-pseudo-class-hover", "gmail-web", _at("sheet"), False, "the styles are inlined as well"),
    ("html-style", "gmail-web", _at("html"), False, "the styles are inlined as well"),
    ("css-important", "gmail-web", _at("sheet"), False, "the styles are inlined as well"),
    ("css-important", "gmail-web", _at("inline", "sheet"), False, None),  # in a style="" too
    ("css-display-flex", "gmail-web", _at("sheet"), False, None),
    ("css-display-flex", "gmail-web", _at("inline"), False, None),
])
def test_why_the_email_still_works_where_a_feature_is_missing(slug, family, occurrences, tables, why):
    assert fallback(slug, family, occurrences, tables) == why


def test_detail_lines_give_the_score_then_the_unsupported_then_the_partial_wrapped():
    verdicts = [Verdict("f", "css-display-flex", "n", 2, None, None),
                Verdict("f", "css-border-radius", "n", 1, "cosmetic", None),
                Verdict("f", "css-margin", "a", 3, None, "a note"),
                Verdict("f", "css-width", "a", 1, "fixed-width Outlook tables", None)]
    data = {"features": {**DATA["features"]}}
    assert _family_lines("Outlook Windows", 63, verdicts, data) == [
        "Outlook Windows    63%",
        "    unsupported: display:flex ×2 (NO FALLBACK), border-radius ×1 (cosmetic)",
        "    partial: margin ×3, width ×1 (fixed-width Outlook tables)"]
    assert _family_lines("Yahoo Mail", 100, [], data) == ["Yahoo Mail        100%  everything supported"]
    assert _family_lines("Thunderbird", None, [], data) == ["Thunderbird        n/a  everything supported"]
    many = [Verdict("f", "css-margin", "a", n, "cosmetic", None) for n in range(10, 22)]
    assert _family_lines("Gmail web", 5, many, data) == [  # wrapped within 96 characters
        "Gmail web           5%",
        "    partial: margin ×10 (cosmetic), margin ×11 (cosmetic), margin ×12 (cosmetic), margin ×13",
        "      (cosmetic), margin ×14 (cosmetic), margin ×15 (cosmetic), margin ×16 (cosmetic), margin",
        "      ×17 (cosmetic), margin ×18 (cosmetic), margin ×19 (cosmetic), margin ×20 (cosmetic),",
        "      margin ×21 (cosmetic)"]


@pytest.mark.parametrize(("slug", "words"), [
    ("css-font", "the font shorthand is dropped whole"),
    ("html-background", "set a background color as well: where the image is dropped it shows"),
    ("css-background", "set background-color on its own as well"),
    ("css-position", "position is ignored"),
    ("css-display-grid", "grid layouts collapse in most clients"),
    ("css-font-weight", "list system fonts after it in theme.font, so clients"),
    ("html-audio", "link to the media from an image or a text link instead"),
    ("html-video-poster", "link to the media from an image"),
    ("css-background-color", "set a background color as well, so the text still reads where it is dropped"),
    ("css-max-width", "use what MJML offers for layout (sections, columns, attributes) instead")])
def test_each_kind_of_feature_gets_its_advice(slug, words):
    assert words in advice(slug)


@pytest.mark.parametrize(("slug", "said"), [
    ("css-font-weight", "list system fonts after it in theme.font, so clients without it still read well"),
    ("html-audio", "link to the media from an image or a text link instead"),
    ("css-background-color", "set a background color as well, so the text still reads where it is dropped"),
    ("css-max-width", "use what MJML offers for layout (sections, columns, attributes) instead")])
def test_the_general_advice_in_full(slug, said):
    assert advice(slug) == said


def test_style_in_the_head_loses_only_the_body_caveats():
    feature = {"support": {"f": "a", "g": "a", "h": "y", "k": "a"},
               "notes": {"f": "Partial. Buggy. Not supported inside the `<body>`.",
                         "g": "Partial. Not supported inside the `<body>`. Drops  `@import`.",
                         "k": "`<style>` elements need to be declared before their rules are used."}}
    assert support_for("html-style", "f", feature, True) == ("y", None)
    assert support_for("html-style", "g", feature, True) == ("a", "Partial. Drops `@import`.")
    assert support_for("html-style", "k", feature, True) == ("y", None)
    assert support_for("html-style", "h", feature, True) == ("y", None)
    assert support_for("html-style", "f", feature, False) == ("a", feature["notes"]["f"])
    assert support_for("css-margin", "f", feature, True) == ("a", feature["notes"]["f"])
    assert support_for("html-style", "x", feature, True) == ("u", None)  # not tested there
    assert support_for("html-style", "x", {"support": {"x": "a"}}, True) == ("a", None)  # no note


def test_template_line_finds_the_declaration_in_the_publications_template_first(tmp_path, monkeypatch):
    own, builtin = tmp_path / "own", tmp_path / "builtin"
    own.mkdir()
    builtin.mkdir()
    (builtin / "news.mjml.j2").write_text("<mj-text>\n  <div style='DISPLAY: flex'>x</div>\n")
    (builtin / "text.mjml.j2").write_text("a\nb\n<p style='gap: 8px'>\n")
    (own / "news.mjml.j2").write_text("<mj-text>\n\n   <p style=\"display:flex;gap:8px\">x</p>\n")
    (own / "notes.txt").write_text("display:flex\n")  # not a template
    monkeypatch.chdir(tmp_path)
    assert template_line([own, builtin], "display: flex;") == (os.path.join("own", "news.mjml.j2"), 3, 14)
    assert template_line([builtin, own], "display:flex") == (os.path.join("builtin", "news.mjml.j2"), 2, 15)
    assert template_line([own, builtin], "gap:8px") == (os.path.join("own", "news.mjml.j2"), 3, 27)
    assert template_line([builtin], "gap:8px") == (os.path.join("builtin", "text.mjml.j2"), 3, 11)
    assert template_line([own, tmp_path / "missing"], "<video") is None
    assert template_line([own], " ; ") is None  # nothing to look for
    assert template_line([own], "<p style") == (os.path.join("own", "news.mjml.j2"), 3, 4)


def test_template_line_is_shown_relative_to_the_current_folder_of_each_call(tmp_path, monkeypatch):
    # a long-lived process (the preview) moving between folders: the file read once, shown anew
    own = tmp_path / "pub" / "own"
    own.mkdir(parents=True)
    (own / "news.mjml.j2").write_text("<p style='display: flex'>\n")
    monkeypatch.chdir(tmp_path / "pub")
    assert template_line([own], "display:flex")[0] == os.path.join("own", "news.mjml.j2")
    monkeypatch.chdir(tmp_path)
    assert template_line([own], "display:flex")[0] == os.path.join("pub", "own", "news.mjml.j2")


def test_template_line_reads_a_template_again_once_it_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    template = tmp_path / "news.mjml.j2"
    template.write_text("<p style='color: red'>\n")
    assert template_line([tmp_path], "color:red")[1] == 1
    template.write_text("\n\n<p style='color: red'>\n")
    stat = template.stat()
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert template_line([tmp_path], "color:red")[1] == 3


def test_a_template_not_below_the_current_folder_is_shown_whole(tmp_path, monkeypatch):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "news.mjml.j2").write_text("<video>\n")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert template_line([tmp_path / "t"], "<video")[0] == os.path.join("..", "t", "news.mjml.j2")


def _override(issue: Path, extra: str) -> Path:
    folder = issue.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    builtin = (ROOT / "templates" / "email" / "text.mjml.j2").read_text()
    (folder / "text.mjml.j2").write_text(builtin + extra)
    publication = issue.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    return folder / "text.mjml.j2"


def test_an_unsupported_feature_is_one_finding_naming_every_client_at_its_template_line(issue_copy):
    template = _override(issue_copy, '<mj-text><div style="display: grid">A</div>'
                                     '<div style="display:grid">B</div></mj-text>\n')
    part = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients")
    (finding,) = [f for f in part.findings if "display:grid" in f.message]
    lacking = [name for family, name in snapshot()["families"].items()
               if snapshot()["features"]["css-display-grid"]["support"].get(family) == "n"]
    assert len(lacking) >= 2
    assert finding.message == (f"display:grid (used 2 times) is not supported in {', '.join(lacking)}, "
                               "and the email has no fallback for it")
    assert finding.hint == ("use MJML's columns: grid layouts collapse in most clients; "
                            "see https://www.caniemail.com/features/css-display-grid/")
    assert finding.severity == Severity.WARNING and finding.code == "client-unsupported"
    assert (Path(finding.file).resolve(), finding.line) == (template, len(template.read_text().splitlines()))
    assert finding.column == template.read_text().splitlines()[-1].index("display: grid") + 1


def test_a_feature_used_once_says_so_and_mjmls_own_markup_is_no_finding(issue_copy):
    _override(issue_copy, '<mj-text><div style="display:flex">A</div></mj-text>\n')
    part = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients")
    (flex,) = [f for f in part.findings if "display:flex" in f.message]
    assert flex.message.startswith("display:flex (used 1 time) is not supported in Outlook Windows, ")
    # flex-basis or the like, written by MJML and by no template: its fallbacks are MJML's own
    windows = part.data["families"]["outlook-windows"]["features"]
    unsupported = [f for f in windows if f["support"] == "unsupported"]
    assert all(f["fallback"] for f in unsupported if f["feature"] != "css-display-flex")


def test_the_samples_figures(issue_copy):
    part = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients")
    data = snapshot()
    assert part.figures == [
        f"62 HTML and CSS features looked up in caniemail {data['version']} (2025-09-09)",
        "least support: Outlook Windows 63%, Yahoo Mail 77%, Gmail Android 81%; what they lack has a "
        "fallback unless a finding says otherwise"]
    assert part.data["caniemail"] == data["version"] and part.data["features_used"] == 62
    assert part.details[0] == "Apple Mail iOS     98%"
    assert part.data["families"]["outlook-windows"]["name"] == "Outlook Windows"
    assert part.data["families"]["outlook-windows"]["score"] == 63


def test_the_samples_fallbacks_are_outlooks_tables_and_mjmls_markup(issue_copy):
    families = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients").data["families"]
    windows = {f["feature"]: f for f in families["outlook-windows"]["features"]}
    assert windows["css-max-height"]["support"] == "unsupported"
    assert windows["css-max-height"]["fallback"] == "fixed-width Outlook tables"  # MJML's <!--[if mso]>
    assert windows["css-width"]["fallback"] == "fixed-width Outlook tables"
    body = next(f for f in families["outlook-mac"]["features"] if f["feature"] == "html-body")
    # no template writes <body>: MJML does, with its own fallbacks
    assert (body["support"], body["fallback"]) == ("unsupported", "MJML's markup, with its own fallbacks")


def test_a_style_sheet_in_the_body_is_gmails_caveat_and_outlooks_tables_still_count(issue_copy):
    _override(issue_copy, "<mj-raw><style>.x { color: red }</style></mj-raw>\n")
    families = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients").data["families"]
    style = next(f for f in families["gmail-web"]["features"] if f["feature"] == "html-style")
    assert style["support"] == "partial" and "<body>" in style["note"]
    windows = {f["feature"]: f for f in families["outlook-windows"]["features"]}
    assert windows["css-max-height"]["fallback"] == "fixed-width Outlook tables"


def test_template_line_edges(tmp_path, monkeypatch):
    own, builtin = tmp_path / "own", tmp_path / "builtin"
    own.mkdir()
    builtin.mkdir()
    (own / "news.mjml.j2").write_text('<p style="display: flex">\n')
    (builtin / "news.mjml.j2").write_text("<div>shadowed by the publication's own news.mjml.j2</div>\n")
    (builtin / "a.mjml.j2").write_bytes(b"\xff\xfe not UTF-8 <video>\n")  # unreadable: passed over
    (builtin / "b.mjml.j2").write_text("<video>\n")
    monkeypatch.chdir(tmp_path)
    news = os.path.join("own", "news.mjml.j2")
    assert template_line([own, builtin], "display:flex;") == (news, 1, 11)  # a written ';' is no matter
    assert template_line([own, builtin], "display : flex") == (news, 1, 1)  # the name not as written
    assert template_line([own, builtin], "<div") is None
    assert template_line([own, builtin], "<video") == (os.path.join("builtin", "b.mjml.j2"), 1, 1)


def test_a_template_is_shown_whole_once_the_current_folder_is_gone(tmp_path, monkeypatch):
    (tmp_path / "t").mkdir()
    template = tmp_path / "t" / "news.mjml.j2"
    template.write_text("<p>\n<video>\n")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert template_line([tmp_path / "t"], "<video") == (str(template), 2, 1)
