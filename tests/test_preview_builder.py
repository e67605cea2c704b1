"""The preview's build state: last good render kept, failures turned into diagnostics, image URLs."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from authoring.diagnostics import AuthoringError, Diagnostic, Severity
from authoring.preview import builder as builder_module
from authoring.preview.builder import (
    Build,
    Builder,
    crash_diagnostics,
    default_build,
    file_version,
    frameable,
    preview_build,
    served_url,
)

FILES_URL = "/issue/0321.yaml/files/"



def scripted(*outcomes):
    """A build function that plays the given outcomes in order (a Build, or an exception to raise)."""
    queue = list(outcomes)

    def build(path: Path, files_url: str) -> Build:
        outcome = queue.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return build


def good(body: str) -> Build:
    return Build(html=f"<html><head></head><body>{body}</body></html>", text=body, subject="s")


def shown(state: dict) -> str:
    """The body the page would show (the state's HTML, opened in a new tab by links)."""
    return state["html"].split("<body>")[1].split("</body>")[0]


def error(message: str) -> Build:
    return Build(diagnostics=[Diagnostic(code="x", severity=Severity.ERROR, message=message,
                                         file="f.yaml", line=3, column=5)])


def test_a_failed_build_keeps_the_last_good_render_and_a_fix_clears_the_errors(tmp_path):
    script = scripted(good("<p>one</p>"), error("bad key"), RuntimeError("boom"), good("<p>two</p>"))
    builder = Builder(tmp_path / "i.yaml", FILES_URL, script)
    builder.rebuild()
    assert shown(builder.state()) == "<p>one</p>" and not builder.state()["stale"]

    builder.rebuild()
    state = builder.state()
    assert state["epoch"] == 2 and state["stale"] and state["status"] == "errors"
    assert shown(state) == "<p>one</p>" and state["render_epoch"] == 1
    assert [(d["message"], d["line"], d["column"]) for d in state["diagnostics"]] == [("bad key", 3, 5)]

    builder.rebuild()  # an exception in the build never escapes: it becomes a diagnostic
    state = builder.state()
    assert shown(state) == "<p>one</p>" and state["stale"]
    assert "RuntimeError: boom" in state["diagnostics"][0]["message"]

    builder.rebuild()
    state = builder.state()
    assert shown(state) == "<p>two</p>" and state["render_epoch"] == 4
    assert state["diagnostics"] == [] and not state["stale"] and state["status"] == "valid"


def test_state_is_serialised_once_per_epoch(tmp_path):
    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(good("<p>a</p>"), good("<p>b</p>")))
    builder.rebuild()
    first = builder.state_json()
    assert builder.state_json() is first
    builder.rebuild()
    assert builder.state_json() is not first and "<p>b</p>" in builder.state_json()


def test_ensure_built_builds_only_the_first_time(tmp_path):
    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(good("<p>a</p>")))
    builder.ensure_built()
    builder.ensure_built()  # a second build would pop from an empty script and fail
    assert builder.epoch == 1


def test_real_build_renders_and_maps_relative_images_to_served_urls(issue_copy: Path):
    build = default_build(issue_copy, FILES_URL)
    assert build.ok and build.status in ("valid", "warnings")
    assert "Robots Learn Chores From Video" in build.html and "Robots Learn Chores From Video" in build.text
    version = file_version(issue_copy.parent / "images" / "robot-arm.png")
    assert f'src="{FILES_URL}issue/images/robot-arm.png?v={version}"' in build.html
    assert issue_copy.resolve() in build.watched
    assert (issue_copy.parent / "publication.yaml").resolve() in build.watched
    assert build.roots["issue"] == issue_copy.parent.resolve()


def test_real_build_of_a_broken_draft_has_no_html_and_points_at_the_line(issue_copy: Path):
    text = issue_copy.read_text(encoding="utf-8").replace("headline: Data Centers", "headlin: Data Centers")
    issue_copy.write_text(text, encoding="utf-8")
    build = default_build(issue_copy, FILES_URL)
    assert not build.ok and build.status == "errors"
    line = text[:text.index("headlin:")].count("\n") + 1
    assert any(d.code == "unknown-key" and d.line == line for d in build.errors)


def test_real_build_of_a_missing_file_is_an_error_not_an_exception(tmp_path):
    build = default_build(tmp_path / "gone.yaml", FILES_URL)
    assert not build.ok and build.errors[0].code == "file-not-found"


def test_served_url_finds_images_next_to_the_issue_or_the_publication(tmp_path):
    issue_dir, pub_dir = tmp_path / "2026", tmp_path
    (issue_dir / "images").mkdir(parents=True)
    (issue_dir / "images" / "a b.png").write_bytes(b"x")
    (pub_dir / "logo.png").write_bytes(b"x")
    roots = {"issue": issue_dir, "publication": pub_dir}
    image, logo = file_version(issue_dir / "images" / "a b.png"), file_version(pub_dir / "logo.png")
    assert served_url("images/a b.png", FILES_URL, roots) == f"{FILES_URL}issue/images/a%20b.png?v={image}"
    assert served_url("logo.png", FILES_URL, roots) == f"{FILES_URL}publication/logo.png?v={logo}"
    assert served_url("missing.png", FILES_URL, roots) == f"{FILES_URL}issue/missing.png"
    for absolute in ("https://example.com/a.png", "/already/served.png", ""):
        assert served_url(absolute, FILES_URL, roots) == absolute
    # the preview's token rides in a query, after each file's path
    assert served_url("logo.png", "/f/?token=T", roots) == f"/f/publication/logo.png?v={logo}&token=T"


def test_template_syntax_errors_point_at_the_template_line(tmp_path):
    (tmp_path / "news.mjml.j2").write_text("<mj-text>\n{% endif %}\n</mj-text>\n")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    try:
        try:
            env.get_template("news.mjml.j2")
        except jinja2.TemplateError as exc:  # the renderer wraps Jinja's errors in its own
            raise AuthoringError(f"template error: {exc}") from exc
    except AuthoringError as exc:
        [diag] = crash_diagnostics(exc, tmp_path / "i.yaml")
    assert diag.is_error and diag.file.endswith("news.mjml.j2") and diag.line == 2


def test_template_runtime_errors_point_at_the_template_line(tmp_path):
    (tmp_path / "t.mjml.j2").write_text("line one\nline two\n{{ missing.attribute }}\n")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), undefined=jinja2.StrictUndefined)
    try:
        env.get_template("t.mjml.j2").render()
    except jinja2.UndefinedError as exc:
        [diag] = crash_diagnostics(exc, tmp_path / "i.yaml")
    assert diag.file.endswith("t.mjml.j2") and diag.line == 3
    assert "missing" in diag.message


def test_frameable_opens_links_in_a_new_tab_and_sends_no_referrer():
    extra = '<base target="_blank"><meta name="referrer" content="no-referrer">'
    assert frameable('<html><head lang="en"><title>x</title>') == \
        f'<html><head lang="en">{extra}<title>x</title>'
    assert frameable("<p>bare</p>") == f"{extra}<p>bare</p>"


def test_depends_on_watched_files_and_template_trees(tmp_path):
    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(
        Build(watched=(tmp_path / "i.yaml", tmp_path / "publication.yaml"),
              watched_trees=(tmp_path / "templates",))))
    assert not builder.depends_on({tmp_path / "i.yaml"})  # nothing built yet: nothing to redo
    builder.rebuild()
    assert builder.depends_on({tmp_path / "publication.yaml"})
    assert builder.depends_on({tmp_path / "templates" / "email" / "news.mjml.j2"})
    assert builder.templates_changed({tmp_path / "templates" / "x.j2"})
    assert not builder.depends_on({tmp_path / "other.yaml", tmp_path / ".i.yaml.123.tmp"})


def test_state_carries_the_pre_send_check_with_links_to_the_yaml(issue_copy: Path):
    text = issue_copy.read_text().replace('alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    issue_copy.write_text(text)
    builder = Builder(issue_copy, FILES_URL)
    check = builder.state()["check"]
    assert check is not None
    assert {part["name"] for part in check["parts"]} == {
        "validation", "clients", "size", "images", "inbox", "spoofing", "contrast",
        "history"}  # no spam, no browser: fast
    images = next(part for part in check["parts"] if part["name"] == "images")
    (finding,) = [f for f in images["findings"] if f["code"] == "alt-file-name"]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "The Batch (1)-1" in row)
    assert finding["editor_url"] == f"vscode://file{issue_copy.resolve()}:{line}:{finding['column']}"
    assert images["summary"]  # the figures as the text report prints them


def test_a_draft_that_does_not_render_has_no_check(issue_copy: Path):
    issue_copy.write_text("issue: [unclosed\n")
    assert Builder(issue_copy, FILES_URL).state()["check"] is None


def test_a_missing_image_is_a_marked_box_not_a_broken_image(issue_copy: Path):
    text = issue_copy.read_text(encoding="utf-8").replace("src: images/robot-arm.png",
                                                          "src: images/open-weights.png")
    issue_copy.write_text(text, encoding="utf-8")
    build = default_build(issue_copy, FILES_URL)
    assert build.ok and "open-weights.png" not in build.html
    assert "<strong>Image missing:</strong> A robot arm stacking colored blocks" in build.html
    assert ("issue", "images/open-weights.png") not in build.served  # nothing to serve
    assert ("issue", "images/chart.png") in build.served
    (warning,) = [d for d in build.diagnostics if d.code == "missing-image-file"]
    assert warning.line == 1 + text.splitlines().index("        src: images/open-weights.png")


# ---------------------------------------------------------------- the check after the page


def pending(body: str) -> Build:
    build = good(body)
    build.check_pending = True
    return build


def test_the_check_follows_its_render_as_a_new_epoch_of_the_same_render(tmp_path):
    checks = iter([{"n": 1}, {"n": 2}])
    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(pending("<p>a</p>"), pending("<p>b</p>")),
                      check=lambda path: next(checks))
    builder.ensure_built()  # the first build makes its check at once: nothing to show before it
    first = builder.state()
    assert [first[k] for k in ("epoch", "render_epoch", "check", "check_pending")] == [2, 1, {"n": 1}, False]
    builder.rebuild()
    shown_first = builder.state()
    assert shown(shown_first) == "<p>b</p>" and shown_first["render_epoch"] == 3
    assert shown_first["check"] == {"n": 1} and shown_first["check_pending"]  # the last one, until
    builder.finish_check()
    done = builder.state()
    assert [done[k] for k in ("epoch", "render_epoch", "check", "check_pending")] == [4, 3, {"n": 2}, False]
    assert shown(done) == "<p>b</p>" and builder.last_good is builder.current
    builder.finish_check()  # nothing pending: nothing done
    assert builder.epoch == 4


def test_a_check_that_fails_leaves_none_and_the_render_shown(tmp_path):
    def broken(path: Path) -> dict:
        raise RuntimeError("boom")

    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(pending("<p>a</p>")), check=broken)
    builder.rebuild()
    builder.finish_check()
    state = builder.state()
    assert state["check"] is None and not state["check_pending"] and shown(state) == "<p>a</p>"


def test_a_failed_builds_check_is_not_made_and_the_good_render_stays(tmp_path):
    asked = []
    builder = Builder(tmp_path / "i.yaml", FILES_URL, scripted(pending("<p>a</p>"), error("bad")),
                      check=lambda path: asked.append(path) or {"n": len(asked)})
    builder.ensure_built()
    builder.rebuild()
    builder.finish_check()
    state = builder.state()
    assert asked == [tmp_path / "i.yaml"] and state["stale"] and state["check"] is None


def test_the_previews_build_leaves_the_check_to_the_draft_it_validated(issue_copy: Path):
    build = preview_build(issue_copy, FILES_URL)
    assert build.ok and build.check_pending and build.check is None
    assert builder_module._VALIDATED[issue_copy].issue is not None
    check = builder_module.deferred_check(issue_copy)
    assert check is not None and issue_copy not in builder_module._VALIDATED
    assert check == default_build(issue_copy, FILES_URL).check  # the same check as made at once
    again = builder_module.deferred_check(issue_copy)  # another process: validated anew
    assert again == check


def test_an_images_url_names_its_version_and_changes_with_the_file(tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(b"one")
    os.utime(image, ns=(1_000_000_000, 1_000_000_000))
    assert file_version(image) == "3b9aca00-3"
    first = served_url("a.png", FILES_URL, {"issue": tmp_path})
    assert first == f"{FILES_URL}issue/a.png?v=3b9aca00-3"
    image.write_bytes(b"three")  # same time, other size
    os.utime(image, ns=(1_000_000_000, 1_000_000_000))
    assert served_url("a.png", FILES_URL, {"issue": tmp_path}).endswith("?v=3b9aca00-5")
    os.utime(image, ns=(2_000_000_000, 2_000_000_000))  # same size, other time
    assert served_url("a.png", FILES_URL, {"issue": tmp_path}).endswith("?v=77359400-5")
    assert file_version(tmp_path / "gone.png") is None
