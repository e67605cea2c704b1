"""validate_file / load_issue: the library behind `authoring validate`."""

from __future__ import annotations

import re

import pytest

from authoring import model
from authoring.diagnostics import AuthoringError
from authoring.validate import load_issue, validate_file, validate_text
from conftest import DATA, ROOT, sample_issues


@pytest.mark.parametrize("path", sample_issues(), ids=lambda p: p.name)
def test_samples_have_no_errors(path):
    result = validate_file(path)
    assert result.report.errors == [], result.report.format_text()
    assert result.issue is not None
    assert result.publication.name == "The Batch"


def test_format_doc_example_is_a_valid_issue():
    """The whole-issue example in docs/format.md is what a user copies: it must validate."""
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    example = re.search(r"## A whole issue\n\n```yaml\n(.*?)```", doc, re.S).group(1)
    result = validate_text(example)
    assert result.report.errors == [], result.report.format_text()
    kinds = {type(s) for s in result.issue.stories}
    assert kinds == {model.Header, model.News, model.Promo, model.Feature, model.Text}


def test_model_of_the_hand_written_sample():
    issue = validate_file(ROOT / "issues" / "0321.yaml").issue
    assert issue.issue.number == 321
    assert issue.letter.signoff == "Keep learning!"
    news = issue.stories[1]
    assert isinstance(news, model.News)
    assert [s.label for s in news.sections] == [
        "What’s new", "How it works", "Results", "Why it matters", "We’re thinking"]
    assert news.sections[1].body.startswith("The system first learns")
    assert news.path == ("stories", 1, "news")


def test_all_problems_are_collected_in_one_pass():
    result = validate_file(DATA / "bad" / "many-errors.yaml")
    assert {d.code for d in result.report.errors} >= {"unknown-key", "wrong-type"}
    assert len(result.report.errors) >= 3


def test_load_issue_raises_with_reports():
    with pytest.raises(AuthoringError) as info:
        load_issue(DATA / "bad" / "misspelled-headline.yaml")
    assert info.value.reports[0].errors[0].code == "unknown-key"


def test_strict_load_refuses_warnings():
    load_issue(DATA / "bad" / "html-formatting-in-text.yaml")
    with pytest.raises(AuthoringError):
        load_issue(DATA / "bad" / "html-formatting-in-text.yaml", strict=True)


def test_missing_required_text_still_checks_the_rest():
    """A story without its headline is reported, and the story's other problems are too."""
    text = ("issue: {subject: x}\nstories:\n  - news:\n      dek: 'It''s here.'\n"
            "      sections:\n        - Whats new: x\n")
    codes = {d.code for d in validate_text(text).report.diagnostics}
    assert {"missing-field", "unknown-label", "straight-quotes"} <= codes


def test_publication_settings_are_checked(tmp_path):
    pub = tmp_path / "publication.yaml"
    pub.write_text("name: X\nsender: {name: X, email: not-an-email}\n"
                   "logo: {src: 'javascript:alert(1)', alt: X}\ntheme: {accent: red}\n")
    report = validate_file(pub).report
    assert {d.code for d in report.errors} == {"bad-email", "unsafe-url", "bad-color"}
    (color,) = [d for d in report.errors if d.code == "bad-color"]
    assert (color.line, color.column) == (4, 17)


def test_text_shorthand_block_has_no_trailing_newline():
    issue = validate_text("issue: {subject: x}\nstories:\n  - text: |\n      Hello.\n").issue
    assert issue.stories[0].body == "Hello."


def test_a_missing_field_is_reported_once():
    report = validate_file(DATA / "bad" / "misspelled-headline.yaml").report
    assert [d.code for d in report.errors] == ["unknown-key", "missing-field"]


# ---------------------------------------------------------------- where the publication comes from (issue 10)

import os  # noqa: E402
import shutil  # noqa: E402

from authoring.validate import find_publication  # noqa: E402
from conftest import ISSUES  # noqa: E402

PUBLICATION = "name: P\nsender: {name: P, email: p@example.org}\n"


def test_the_search_stops_at_the_issues_folder_without_a_project(tmp_path):
    (tmp_path / "publication.yaml").write_text(PUBLICATION)  # planted in a shared parent
    issue = tmp_path / "shared" / "mine" / "0321.yaml"
    issue.parent.mkdir(parents=True)
    shutil.copy(ISSUES / "0321.yaml", issue)
    assert find_publication(issue) is None


def test_the_search_stops_at_the_project_root(tmp_path):
    (tmp_path / "publication.yaml").write_text(PUBLICATION)  # above the project: not used
    project = tmp_path / "project"
    (project / "issues" / "archive").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    assert find_publication(project / "issues" / "archive" / "x.yaml") is None
    (project / "issues" / "publication.yaml").write_text(PUBLICATION)
    assert find_publication(project / "issues" / "archive" / "x.yaml") == (
        project / "issues" / "publication.yaml").resolve()
    (project / "pyproject.toml").unlink()
    (project / ".git").mkdir()
    assert find_publication(project / "issues" / "archive" / "x.yaml") == (
        project / "issues" / "publication.yaml").resolve()


@pytest.mark.parametrize("make_unsafe", ["file-writable", "folder-writable", "other-owner",
                                         "templates-writable"])
def test_a_publication_others_can_write_is_refused(tmp_path, make_unsafe):
    folder = tmp_path / "issues"
    folder.mkdir()
    shutil.copy(ISSUES / "0321.yaml", folder / "0321.yaml")
    pub = folder / "publication.yaml"
    pub.write_text(PUBLICATION + "templates: t\n")
    (folder / "t").mkdir()
    os.chmod(pub, 0o644)
    os.chmod(folder, 0o755)
    if make_unsafe == "file-writable":
        os.chmod(pub, 0o666)
    elif make_unsafe == "folder-writable":
        os.chmod(folder, 0o777)
    elif make_unsafe == "other-owner":
        os.chown(pub, 65534, 65534)
    else:
        os.chmod(folder / "t", 0o777)
    codes = [d.code for d in validate_file(folder / "0321.yaml").report.errors]
    assert "untrusted-publication" in codes


def test_a_sticky_shared_folder_is_fine_when_the_files_are_ours(tmp_path):
    folder = tmp_path / "issues"
    folder.mkdir()
    shutil.copy(ISSUES / "0321.yaml", folder / "0321.yaml")
    (folder / "publication.yaml").write_text(PUBLICATION)
    os.chmod(folder / "publication.yaml", 0o644)
    os.chmod(folder, 0o1777)
    assert "untrusted-publication" not in {d.code for d in validate_file(folder / "0321.yaml").report.errors}


def test_many_findings_in_one_field_are_located_in_linear_time(monkeypatch):
    """Each finding's line:col comes from one replay of the field's YAML, not one per finding."""
    from authoring import load

    replays = []
    real = load.source_offsets
    monkeypatch.setattr(load, "source_offsets", lambda text, scalar: replays.append(1) or real(text, scalar))
    load._source_offsets.cache_clear()
    links = " ".join(f"[a{i}](https://example.org/{i})" for i in range(200))  # placeholder-url each
    result = validate_text(f"issue: {{subject: S}}\nstories:\n  - text: \"{links}\"\n")
    found = [d for d in result.report.diagnostics if d.code == "placeholder-url"]
    assert len(found) == 200 and len({d.column for d in found}) == 200
    assert len(replays) == 1


def test_every_shape_of_section_is_built_or_reported_in_order():
    """Sections as written: label and text, bare text, a number, a label without text, and the
    shapes that are mistakes, each reported where it is and in the order written."""
    text = ("issue: {subject: x}\nstories:\n  - news:\n      headline: Hi\n      sections:\n"
            "        - What’s new: It works.\n        - A paragraph without a label.\n        - 2021\n"
            "        - Results:\n        - {Key insight: a, Results: b}\n        - [x]\n        - null\n"
            "        - Why it matters: |\n            Because.\n")
    result = validate_text(text)
    news = result.issue.stories[0]
    assert [(s.label, s.body, s.path[-2:]) for s in news.sections] == [
        ("What’s new", "It works.", (0, "What’s new")),
        (None, "A paragraph without a label.", ("sections", 1)), (None, "2021", ("sections", 2)),
        ("Results", "", (3, "Results")), ("Why it matters", "Because.", (7, "Why it matters"))]
    structural = [(d.code, d.line) for d in result.report.diagnostics
                  if d.code in {"section-shape", "wrong-type"}]
    assert structural == [("section-shape", 10), ("wrong-type", 11), ("wrong-type", 12)]


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from authoring.diagnostics import Report, SourceLines  # noqa: E402


@given(st.text(alphabet="ab \n\r\x0b\x0c\x1c\x85\u2028\u2029", max_size=30), st.integers(-8, 8),
       st.integers(-8, 8))
def test_a_reports_source_lines_split_when_read_are_the_texts_splitlines(text, index, stop):
    lines, expected = SourceLines(text), text.splitlines()
    assert len(lines) == len(expected) and list(lines) == expected and lines == expected
    assert lines[index:stop] == expected[index:stop]
    if -len(expected) <= index < len(expected):
        assert lines[index] == expected[index]
    report = Report(file="f", source_lines=SourceLines(text))
    assert report == Report(file="f", source_lines=expected)


def test_a_validated_report_quotes_its_source_lines():
    result = validate_text("issue: {subject: S}\nstories:\n  - text: '<b>x'\n", file="x.yaml")
    assert result.report.source_lines == ["issue: {subject: S}", "stories:", "  - text: '<b>x'"]
    assert "    " + "  - text: '<b>x'" in result.report.format_text()


# ---------------------------------------------------------------- a batch of issues (issue 15)

from pathlib import Path  # noqa: E402

from authoring import validate as validate_module  # noqa: E402
from authoring.diagnostics import Level  # noqa: E402
from authoring.validate import Publications  # noqa: E402


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders of one project, each with its own publication (named A and B) and issue."""
    (tmp_path / "pyproject.toml").write_text("")
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "publication.yaml").write_text(PUBLICATION.replace("P", name.upper()))
        shutil.copy(ISSUES / "0321.yaml", folder / "0321.yaml")
        folders.append(folder)
    return folders[0], folders[1]


def test_a_batch_reads_each_publication_once_and_validates_as_one_file_alone(tmp_path, monkeypatch):
    a, b = _two_folders(tmp_path)
    for n in range(3):
        shutil.copy(ISSUES / "0321.yaml", a / f"{n}.yaml")
    files = sorted(a.glob("*.yaml")) + [b / "0321.yaml"]
    files = [f for f in files if f.name != "publication.yaml"]
    alone = [validate_file(f) for f in files]
    loads: list[Path | None] = []
    original = validate_module._load_publication
    monkeypatch.setattr(validate_module, "_load_publication",
                        lambda path, level=Level.DRAFT: loads.append(path) or original(path, level))
    batch = Publications()
    together = [validate_file(f, publications=batch) for f in files]
    assert sorted(loads) == [(a / "publication.yaml").resolve(), (b / "publication.yaml").resolve()]
    assert [r.publication.name for r in together] == ["A"] * 4 + ["B"]
    assert [r.report.to_json() for r in together] == [r.report.to_json() for r in alone]
    validate_file(files[0], level=Level.EXPORT, publications=batch)
    assert len(loads) == 3, "another level is another reading of the settings"


def test_a_batch_finds_the_publication_of_the_folder_a_file_resolves_into(tmp_path):
    """A link in folder a to an issue of folder b takes b's settings, in a batch as alone."""
    a, b = _two_folders(tmp_path)
    (a / "linked.yaml").symlink_to(b / "0321.yaml")
    batch = Publications()
    assert validate_file(a / "0321.yaml", publications=batch).publication.name == "A"
    assert validate_file(a / "linked.yaml", publications=batch).publication.name == "B"
    assert validate_file(a / "linked.yaml").publication.name == "B"


def test_the_issues_of_a_batch_get_their_own_copies_of_a_broken_publications_errors(tmp_path):
    a, _ = _two_folders(tmp_path)
    (a / "publication.yaml").write_text("name: A\nsender: {name: A, email: not-an-email}\n")
    shutil.copy(ISSUES / "0321.yaml", a / "second.yaml")
    batch = Publications()
    first, second = (validate_file(a / name, publications=batch).report
                     for name in ("0321.yaml", "second.yaml"))
    (error,) = [d for d in first.errors if d.code == "bad-email"]
    error.line = 99  # `authoring check` moves findings like this
    assert [d.line for d in second.errors if d.code == "bad-email"] != [99]


# ---------------------------------------------------------------- a warm process keeps the settings

from authoring import structure  # noqa: E402


def _counting_builds(monkeypatch) -> list[str]:
    built: list[str] = []
    original = structure.build_publication
    monkeypatch.setattr(validate_module, "build_publication",
                        lambda doc: built.append(doc.file) or original(doc))
    return built


def test_a_warm_process_builds_an_unchanged_publication_file_once(tmp_path, monkeypatch):
    (tmp_path / "publication.yaml").write_text(PUBLICATION)
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    validate_module._KEPT_SETTINGS.clear()
    built = _counting_builds(monkeypatch)
    first, second = (validate_file(tmp_path / "0321.yaml") for _ in range(2))
    assert built == [str(tmp_path / "publication.yaml")]
    assert second.report.to_json() == first.report.to_json()
    assert second.publication_document is first.publication_document


def test_an_edited_publication_file_is_built_again_even_at_the_same_size(tmp_path, monkeypatch):
    pub = tmp_path / "publication.yaml"
    pub.write_text(PUBLICATION)
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    validate_module._KEPT_SETTINGS.clear()
    built = _counting_builds(monkeypatch)
    assert validate_file(tmp_path / "0321.yaml").publication.name == "P"
    stamp = pub.stat()
    pub.write_text(PUBLICATION.replace("name: P", "name: Q"))  # same size
    os.utime(pub, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time
    assert validate_file(tmp_path / "0321.yaml").publication.name == "Q"
    assert len(built) == 2


def test_what_the_kept_settings_do_not_cover_is_checked_each_time(tmp_path, monkeypatch):
    """Its owner and mode (another user could now write it), and the reports are the caller's."""
    pub = tmp_path / "publication.yaml"
    pub.write_text(PUBLICATION.replace("p@example.org", "not-an-email"))
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    validate_module._KEPT_SETTINGS.clear()
    built = _counting_builds(monkeypatch)
    first = validate_file(tmp_path / "0321.yaml")
    (error,) = [d for d in first.report.errors if d.code == "bad-email"]
    error.line = 99  # a caller edits its report
    pub.chmod(0o666)
    try:
        second = validate_file(tmp_path / "0321.yaml")
    finally:
        pub.chmod(0o644)
    assert len(built) == 1
    assert [d.line for d in second.report.errors if d.code == "bad-email"] != [99]
    assert "untrusted-publication" in {d.code for d in second.report.errors}
    third = validate_file(tmp_path / "0321.yaml")
    assert "untrusted-publication" not in {d.code for d in third.report.errors}
