"""The importer on the archive corpus: real page shapes, each with the blocks expected of it.

``tests/data/archive/NAME.txt`` holds one archive-shaped page (clutter before the letter,
glued headers, titles with ": ", transcripts, short paragraphs, emoji, index cards, footers,
both paragraph styles, the new plain-text shapes); ``NAME.expected.yaml`` lists the blocks
a careful editor would make of it. The importer must get ≥ 95 % of the blocks right, keep
every word, and warn (with source lines) about every block it gets wrong.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from word_compare import words

from authoring import model
from authoring.blocks.transcript import Cue, Transcript
from authoring.cli import app
from authoring.importer import ImportResult, import_file, import_text
from authoring.render.text import render_text
from authoring.validate import DEFAULT_PUBLICATION, load_publication, validate_text
from conftest import DATA, ISSUES, tracked

ARCHIVE = DATA / "archive"
PUBLICATION, _ = load_publication(ISSUES / "publication.yaml")
CORPUS = sorted(ARCHIVE.glob("*.txt"))
MIN_ACCURACY = 0.95


def _expected(path: Path) -> dict:
    return yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))


def _imported(path: Path, publication: model.Publication | None = PUBLICATION) -> ImportResult:
    return import_file(path, publication=publication, source=path.name)


def _key(story: model.Story) -> tuple[str, str]:
    """A block as (kind, key text): what the expected lists name."""
    if isinstance(story, model.Header):
        return "header", story.title
    if isinstance(story, model.News):
        return "news", story.headline
    if isinstance(story, model.Feature):
        return "feature", story.title
    if isinstance(story, model.Promo):
        return "promo", story.kicker or story.body
    if isinstance(story, Transcript):
        return "transcript", story.title or story.cues[0].text
    return "text", story.body


def _blocks(result: ImportResult) -> list[tuple[str, str]]:
    letter = result.issue.letter
    return ([("letter", letter.salutation)] if letter else []) + [_key(s) for s in result.issue.stories]


def _same_block(expected: tuple[str, str], got: tuple[str, str]) -> bool:
    return expected[0] == got[0] and " ".join(got[1].split()).startswith(" ".join(expected[1].split()))


def _matched(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> list[bool]:
    """For each expected block, whether it is in the longest in-order match with the blocks found."""
    n, m = len(expected), len(got)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = (best[i + 1][j + 1] + 1 if _same_block(expected[i], got[j])
                          else max(best[i + 1][j], best[i][j + 1]))
    found, i, j = [False] * n, 0, 0
    while i < n and j < m:
        if _same_block(expected[i], got[j]) and best[i][j] == best[i + 1][j + 1] + 1:
            found[i], i, j = True, i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return found


def _expected_blocks(path: Path) -> list[tuple[str, str]]:
    return [next(iter(b.items())) for b in _expected(path)["blocks"]]


def _warned_lines(result: ImportResult) -> set[int]:
    """Every source line some warning names ("line 4: ...", "lines 4–9: ...")."""
    lines: set[int] = set()
    for warning in result.warnings:
        match = re.match(r"lines? (\d+)(?:–(\d+))?:", warning.message)
        if match:
            lines.update(range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1))
    return lines


def _source_line(path: Path, key: str) -> int:
    start = " ".join(key.split())[:24]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if start in " ".join(line.split()):
            return number
    raise AssertionError(f"{path.name}: expected key text {key!r} is not in the source")


# ---------------------------------------------------------------- the corpus as a whole


def test_the_corpus_is_large_and_every_file_has_its_expected_blocks():
    assert len(CORPUS) >= 30
    for path in CORPUS:
        assert _expected(path)["blocks"], path.name


def test_at_least_95_percent_of_blocks_are_right_across_the_corpus():
    right = total = 0
    wrong: list[str] = []
    for path in CORPUS:
        expected = _expected_blocks(path)
        found = _matched(expected, _blocks(_imported(path)))
        right += sum(found)
        total += len(expected)
        wrong += [f"{path.name}: {e}" for e, ok in zip(expected, found, strict=True) if not ok]
    accuracy = right / total
    print(f"corpus: {right} of {total} blocks right ({100 * accuracy:.1f} %) in {len(CORPUS)} files")
    assert accuracy >= MIN_ACCURACY, wrong


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_misclassified_block_is_warned_about_with_its_lines(path):
    result = _imported(path)
    expected = _expected_blocks(path)
    warned = _warned_lines(result)
    for block, ok in zip(expected, _matched(expected, _blocks(result)), strict=True):
        if not ok:
            line = _source_line(path, block[1])
            assert line in warned, f"{path.name}: {block} misfiled at line {line} without a warning"
    for warning in result.warnings:
        assert warning.file == path.name


def test_the_misfile_check_catches_a_silent_misfile():
    """The check above is not vacuous: a block found wrong and not warned about is caught."""
    path = ARCHIVE / "paragraphs_blank_line.txt"
    result = _imported(path)
    result.issue.stories[-1] = model.Text(body=result.issue.stories[-1].body)  # a silent misfile
    expected = _expected_blocks(path)
    missed = [b for b, ok in zip(expected, _matched(expected, _blocks(result)), strict=True) if not ok]
    assert missed == [("feature", "What Makes a Good Benchmark")]
    assert _source_line(path, missed[0][1]) not in _warned_lines(result)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_file_gets_its_expected_details_and_warnings(path):
    expected = _expected(path)
    result = _imported(path)
    issue = result.issue
    assert sorted(w.code for w in result.warnings) == sorted(expected.get("warnings", [])), \
        [str(w) for w in result.warnings]
    body = (issue.letter.body if issue.letter else "") + "".join(
        s.body for s in issue.stories if isinstance(s, model.Feature))
    for alt in expected.get("images", []):
        assert f"![{alt}]()" in body
    for start in expected.get("paragraphs", []):
        assert f"\n\n{start}" in f"\n\n{body}" and f"![{start}" not in body
    if "cta" in expected:
        (promo,) = [s for s in issue.stories if isinstance(s, model.Promo)]
        assert promo.cta == model.Link(**expected["cta"])
    if "labels" in expected:
        (news,) = [s for s in issue.stories if isinstance(s, model.News)]
        assert [s.label for s in news.sections] == expected["labels"]
    if "ps" in expected:
        assert [p[:len(s)] for p, s in zip(issue.letter.ps.split("\n\n"), expected["ps"], strict=True)] \
            == expected["ps"]
    assert (issue.footer or "").startswith(expected.get("footer", ""))
    assert bool(issue.footer) == ("footer" in expected)
    for name in ("signoff", "signature"):
        if name in expected:
            assert getattr(issue.letter, name) == expected[name]
    if "page_title" in expected:
        assert issue.issue.subject == expected["page_title"] and result.subject_from == "page title"
    if "letter_image" in expected:
        assert issue.letter.body.startswith(f"![{expected['letter_image']}]()\n\n")
    if "feature_image" in expected:
        (feature,) = [s for s in issue.stories if isinstance(s, model.Feature)]
        assert feature.image == model.Image(alt=expected["feature_image"])
    texts = "\n\n".join([issue.letter.body if issue.letter else ""]
                         + [getattr(s, "body", "") or "" for s in issue.stories])
    for part in expected.get("contains", []):
        assert part in texts
    assert result.footer_stripped == expected.get("footer_stripped", False)
    assert issue.issue.subject == expected.get("subject", issue.issue.subject)
    assert (issue.issue.number, issue.issue.date) == (expected.get("number"), expected.get("date"))


WARNINGS = DATA / "archive_warnings.txt"
"""Every warning ``authoring import`` prints for each page of the corpus, as it prints them."""


def _corpus_warnings() -> str:
    return "".join(f"== {path.name}\n" + "".join(f"{w}\n" for w in _imported(path).warnings)
                   for path in CORPUS)


IMPORTED = DATA / "archive_imported.yaml"
"""The YAML ``authoring import`` writes for each page of the corpus, one document each."""


def _corpus_yaml() -> str:
    return "".join(f"--- # {path.name}\n{_imported(path).yaml}" for path in CORPUS)


def test_every_warning_of_the_corpus_reads_as_printed_with_its_lines_and_hint():
    """Messages, figures, source lines and hints, word for word (after a deliberate change of wording:
    ``PYTHONPATH=. python tests/test_importer_archive.py`` writes the file again; review its diff)."""
    assert _corpus_warnings() == WARNINGS.read_text(encoding="utf-8")


def test_every_page_of_the_corpus_imports_to_the_yaml_kept_beside_it():
    """The whole YAML of each page, comments and styles included: the blocks, their fields, the words and
    where they went (a deliberate change: write the file again as above, and review its diff)."""
    assert _corpus_yaml() == IMPORTED.read_text(encoding="utf-8")


# ---------------------------------------------------------------- words, fixpoint, bytes


_TOP_BLOCK = re.compile(r"\A[^\n]+\n(?:Issue \d+[^\n]*\n)?(?:View in browser: \S+\n)?(?=\n)")
_LINKS_BLOCK = re.compile(r"\nLinks\n=+\n(?:\[\d+\] \S+\n?)+\Z")


def _content_words(text: str) -> Counter:
    """The words of a page that are issue content: not the top block, Links block, rules, marks."""
    if re.match(r"\A[^\n]+\n(?:Issue \d+|View in browser)", text):
        text = _TOP_BLOCK.sub("", text)
    text = re.sub(r"^(News|Research|Data Points|Features)(?=[A-Z])", r"\1 ", text, flags=re.MULTILINE)
    text = _LINKS_BLOCK.sub("\n", text)
    text = re.sub(r"(?m)^=+$", "", text)
    text = re.sub(r"(?m)^\[Image: (.*)\]$", r"\1", text)
    text = re.sub(r" \[\d+\]", "", text)
    text = re.sub(r"(?m)^WEBVTT$", "", text)  # a transcript's file marker and cue numbers: WEBVTT syntax
    text = re.sub(r"(?m)^(\d+)\n(?=[\d:.]+ --> )", "", text)
    return Counter(words(text))


def _letters(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())


def _unglued(missing: Counter, kept: list[str]) -> Counter:
    """The missing words that are not two adjacent kept words glued in the source: the importer splits
    ``CrackdownThe``, ``DEEPLEARNING.AIAI`` and ``new:The`` into the words they were, losing none."""
    pairs = {_letters(a) + _letters(b) for a, b in zip(kept, kept[1:], strict=False)}
    return Counter({word: n for word, n in missing.items() if _letters(word) not in pairs})


def test_a_glued_word_counts_as_kept_only_when_its_halves_stand_side_by_side():
    assert not _unglued(Counter(["CrackdownThe"]), ["Coming", "Crackdown", "The", "European"])
    assert _unglued(Counter(["CrackdownThe"]), ["Crackdown", "European", "The"]) == Counter(["CrackdownThe"])


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
@pytest.mark.parametrize("with_publication", [True, False], ids=["publication", "no-publication"])
def test_every_word_is_kept_and_import_render_import_is_a_fixpoint(path, with_publication):
    publication = PUBLICATION if with_publication else None
    renders_with = PUBLICATION if with_publication else DEFAULT_PUBLICATION
    first = import_text(path.read_text(encoding="utf-8"), source=path.name, publication=publication)
    validated = validate_text(first.yaml, file=f"{path.stem}.yaml", publication=renders_with)
    assert validated.report.errors == [], validated.report.format_text()
    assert validated.issue == first.issue
    plain = render_text(validated.issue, renders_with)
    comments = "\n".join(line for line in first.yaml.splitlines() if line.startswith("#"))
    kept = words(plain + comments)
    missing = _content_words(path.read_text(encoding="utf-8")) - Counter(kept)
    assert not _unglued(missing, kept), missing
    second = import_text(plain, source=path.name, publication=publication)
    if first.subject_from == "page title":  # the rendered text has no subject line to read it back from
        first.yaml = re.sub(r"(?m)^  subject: .*\n", "", first.yaml)
        second.yaml = re.sub(r"(?m)^  subject: .*\n", "", second.yaml)
    assert _without_top_block(second.yaml, plain) == _without_top_block(first.yaml, plain)
    assert render_text(second.issue, renders_with) == plain


def _without_top_block(text: str, plain: str) -> str:
    """The YAML without comments, and without number and date when the render writes no top block
    (the plain text of ``authoring render`` before issue 13 has none to read them back from)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    if not re.match(r"\A[^\n]+\n(?:Issue \d+|View in browser)", plain):
        lines = [line for line in lines if not line.startswith(("  number:", "  date:"))]
    return "\n".join(lines)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_importing_twice_gives_identical_bytes_and_readable_yaml(path):
    first, second = _imported(path).yaml, _imported(path).yaml
    assert first == second
    # block text, never an escaped double-quoted string ("\U0001F605\n\n...")
    assert not re.search(r"\\[Uux][0-9A-Fa-f]{2}|\\[ne]", first), first


def test_emoji_stay_as_written_in_block_text():
    text = _imported(ARCHIVE / "emoji_letter.txt").yaml
    assert "  body: |\n    😅\n\n    I promised myself" in text
    assert "Keep learning! 🧠" in text


def test_reference_and_inline_links_import_to_the_same_yaml():
    inline = _imported(ARCHIVE / "new_shape_inline.txt").yaml
    references = _imported(ARCHIVE / "new_shape_references.txt").yaml
    strip = re.compile(r"^# Imported from .*\n", re.MULTILINE)
    assert strip.sub("", inline) == strip.sub("", references)
    issue = _imported(ARCHIVE / "new_shape_references.txt").issue
    assert "The guide (https://www.deeplearning.ai/guides/agents/)" in issue.letter.body
    news = next(s for s in issue.stories if isinstance(s, model.News))
    assert news.image == model.Image(alt="A robot arm stacking colored blocks")
    promo = next(s for s in issue.stories if isinstance(s, model.Promo))
    assert promo.image == model.Image(alt="Course banner: Agentic AI")
    assert promo.body == "Learn to build agents in Agentic AI, a new course."


_SEEDS = tracked(ISSUES.parent / "seeds", "*.txt")


def _strip_comments(text: str, subject: bool = True) -> str:
    """The YAML without comments; without the subject line when ``subject`` is False (a web page's
    title gave it, which the rendered text does not hold)."""
    return "\n".join(line for line in text.splitlines()
                     if not line.startswith("#") and (subject or not line.startswith("  subject:")))


@pytest.mark.parametrize("path", CORPUS + _SEEDS, ids=[p.stem for p in CORPUS + _SEEDS])
def test_both_link_styles_render_to_texts_that_import_to_the_same_yaml_and_are_fixpoints(path):
    first = import_text(path.read_text(encoding="utf-8"), source=path.name, publication=PUBLICATION)
    yamls = []
    for style in ("inline", "references"):
        publication = dataclasses.replace(PUBLICATION, text_links=style)
        plain = render_text(first.issue, publication)
        again = import_text(plain, source=path.name, publication=publication)
        subject = first.subject_from != "page title"
        assert _strip_comments(again.yaml, subject) == _strip_comments(first.yaml, subject), style
        assert render_text(again.issue, publication) == plain, style
        yamls.append(again.yaml)
    assert yamls[0] == yamls[1]


# ---------------------------------------------------------------- shapes, one by one


def test_clutter_before_the_letter_is_kept_with_a_warning_naming_its_lines():
    result = _imported(ARCHIVE / "clutter_nav_line.txt")
    assert result.issue.letter.salutation == "Dear friends,"
    assert "# Web-page text from lines 1–3 of the source, not part of the issue:\n#   The Batch\n" \
           "#   Forward     Subscribe     Tips\n#   Published Mar 3, 2021\n" in result.yaml
    assert not any(isinstance(s, model.Text) for s in result.issue.stories)
    (warning,) = [w for w in result.warnings if w.code == "clutter-before-letter"]
    assert warning.line == 1 and warning.message.startswith("lines 1–3:")
    assert not any(isinstance(s, model.Promo) for s in result.issue.stories)  # the nav line is no promo


def test_a_transcript_is_a_transcript_block_with_every_cue_and_timing():
    result = _imported(ARCHIVE / "transcript_webvtt.txt")
    feature, transcript = result.issue.stories
    assert "WEBVTT" not in feature.body and feature.body.endswith("as captioned.")
    assert transcript == Transcript(cues=[
        Cue(start="00:00:01.000", end="00:00:04.000", speaker="Andrew", text="Welcome back to the show."),
        Cue(start="00:00:04.500", end="00:00:09.000", speaker="Guest",
            text="Thanks for having me. I have led both kinds of teams."),
        Cue(start="00:00:09.500", end="00:00:12.000", speaker="Andrew", text="What surprised you most?")])
    assert "transcript-as-text" not in {w.code for w in result.warnings}
    assert "  - transcript:\n      cues:\n        - start: '00:00:01.000'\n          end: '00:00:04.000'\n" \
           "          speaker: Andrew\n          text: Welcome back to the show.\n" in result.yaml
    plain = render_text(result.issue, PUBLICATION)
    assert "\n\n\n[00:00:01.000 --> 00:00:04.000] Andrew: Welcome back to the show.\n\n[00:00:04.500" in plain


def test_a_rendered_transcript_with_a_title_imports_back_to_the_same_block():
    transcript = Transcript(title="From the episode", cues=[
        Cue(start="00:01.000", end="00:04.000", speaker="Dr. Ana Ruiz",
            text=("Hello: welcome. " * 8).strip()),
        Cue(start="00:00:04.000", end="00:00:04.000", text="(laughter)")])
    issue = model.Issue(issue=model.IssueInfo(subject="S"), stories=[
        model.Feature(title="An Essay", body=model.Markdown("One paragraph.")), transcript,
        model.Header(title="News")])
    plain = render_text(issue, PUBLICATION)
    again = import_text(plain, source="t.txt", publication=PUBLICATION).issue
    assert again.stories == issue.stories


def test_webvtt_header_lines_are_kept_as_comments_and_the_cues_make_a_transcript():
    result = _imported(ARCHIVE / "transcript_with_header_lines.txt")
    transcript = result.issue.stories[-1]
    assert isinstance(transcript, Transcript) and transcript.cues[0] == Cue(
        start="00:01.000", end="00:04.000", speaker="Host", text="Today we talk about evaluation.")
    assert "# WEBVTT header from lines 11–12 of the source, not part of the issue:\n#   Kind: captions\n" \
           "#   Language: en\n" in result.yaml
    (warning,) = [w for w in result.warnings if w.code == "transcript-header"]
    assert warning.line == 11


def test_a_webvtt_transcript_a_block_cannot_hold_stays_text():
    """Cue settings (position, alignment) have no place in a transcript block: kept as text, warned."""
    source = "An Essay\n\nOne paragraph.\n\n\nWEBVTT\n\n00:01.000 --> 00:04.000 align:start\nHost: Hello.\n"
    result = import_text(source, source="t.txt", publication=PUBLICATION)
    text = result.issue.stories[-1]
    assert isinstance(text, model.Text) and "00:01.000 --> 00:04.000 align:start" in text.body
    assert "transcript-as-text" in {w.code for w in result.warnings}


def test_a_transcript_never_joins_the_letter_or_the_story_after_it():
    issue = _imported(ARCHIVE / "transcript_after_letter.txt").issue
    assert "WEBVTT" not in issue.letter.body and "-->" not in issue.letter.body
    assert issue.stories[0].cues[-1].text == "That is a great design rule."
    issue = _imported(ARCHIVE / "transcript_single_newline.txt").issue
    assert issue.stories[1].cues[-1] == Cue(start="00:00:03.500", end="00:00:06.000", speaker="Ben",
                                             text="I pick problems nobody else wants.")


def test_a_multi_paragraph_ps_keeps_every_paragraph():
    issue = _imported(ARCHIVE / "ps_multi_paragraph.txt").issue
    assert issue.letter.ps == ("We added a workshop on evaluation for beginners.\n\n"
                               "It runs the day before the main event, and seats are limited.\n\n"
                               "Bring a laptop with Python installed.")
    rendered = render_text(issue, PUBLICATION)
    assert import_text(rendered, source="x", publication=PUBLICATION).issue.letter.ps == issue.letter.ps


def test_a_promo_keeps_its_call_to_action_url():
    promo = _imported(ARCHIVE / "promo_cta_url.txt").issue.stories[0]
    assert promo.cta == model.Link(text="Enroll now", url="https://www.deeplearning.ai/short-courses/agents/")
    assert promo.image == model.Image(alt="Course banner with a robot and a whiteboard")
    rendered = render_text(_imported(ARCHIVE / "promo_cta_url.txt").issue, PUBLICATION)
    again = import_text(rendered, source="x", publication=PUBLICATION).issue.stories[0]
    assert again.cta == promo.cta


def test_control_characters_are_replaced_with_a_warning_naming_the_line():
    text = ("Dear friends,\n\nAn escape \x1b[31m here and a tab\x0b there.\n\n"
            "C1 \x85 and \x9b, noncharacter \ufffe, lone \ud800 surrogate.\n\nKeep learning!\n")
    result = import_text(text, source="c.txt")
    codes = [(w.code, w.file, w.line) for w in result.warnings if w.code == "control-character-replaced"]
    assert codes == [("control-character-replaced", "c.txt", 3), ("control-character-replaced", "c.txt", 5)]
    assert "U+001B" in result.warnings[0].message and "U+000B" in result.warnings[0].message
    assert "An escape \ufffd\\[31m here and a tab\ufffd there." in result.issue.letter.body
    validated = validate_text(result.yaml)
    assert validated.report.errors == [] and validated.issue == result.issue
    assert not re.search(r"\\[xuUe]", result.yaml)


# ---------------------------------------------------------------- files, folders, footers


def _run(*args, cwd: Path | None = None):
    return CliRunner().invoke(app, ["import", *map(str, args)])


def test_a_folder_import_equals_file_by_file_imports(tmp_path):
    shutil.copy(ISSUES / "publication.yaml", tmp_path / "publication.yaml")
    folder, single = tmp_path / "folder", tmp_path / "single"
    assert _run(ARCHIVE, "-o", folder, "-q").exit_code == 0
    single.mkdir()
    for path in CORPUS:
        assert _run(path, "-o", single / f"{path.stem}.yaml", "-q").exit_code == 0
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names == sorted(p.name for p in single.glob("*.yaml")) and len(names) == len(CORPUS)
    for name in names:
        assert (folder / name).read_bytes() == (single / name).read_bytes(), name


def test_the_footer_is_stripped_only_by_the_publication_that_renders_the_output(tmp_path):
    source = ARCHIVE / "footer_publication.txt"
    alone = tmp_path / "alone" / "issue.yaml"
    alone.parent.mkdir()
    # ./issues/publication.yaml (the repository's) is not the output's: the footer stays
    result = _run(source, "-o", alone)
    assert result.exit_code == 0 and "footer kept" in result.stderr
    assert "Subscribe to The Batch" in alone.read_text(encoding="utf-8")
    housed = tmp_path / "project" / "issues" / "issue.yaml"
    housed.parent.mkdir(parents=True)
    shutil.copy(ISSUES / "publication.yaml", tmp_path / "project" / "publication.yaml")
    (tmp_path / "project" / "pyproject.toml").write_text("")  # the search stops at a project's root
    result = _run(source, "-o", housed)
    assert result.exit_code == 0 and "footer left out" in result.stderr
    assert "footer:" not in housed.read_text(encoding="utf-8")
    given = _run(source, "--publication", ISSUES / "publication.yaml")
    assert "footer left out" in given.stderr and "Subscribe to The Batch" not in given.stdout


def test_a_folder_summary_says_where_the_footer_went(tmp_path):
    shutil.copy(ISSUES / "publication.yaml", tmp_path / "publication.yaml")
    (tmp_path / "pyproject.toml").write_text("")  # a project: publication.yaml is found above out/
    result = _run(ARCHIVE, "-o", tmp_path / "out", "-q")
    stripped = sum(_expected(p).get("footer_stripped", False) for p in CORPUS)
    assert f"recognised and left out in {stripped} of {len(CORPUS)} files" in result.stderr


def test_the_top_block_gives_number_and_date_and_drops_only_a_known_name():
    known = import_text("The Batch\nIssue 4 · March 3, 2021\n\nDear friends,\n\nHello.\n",
                        source="t.txt", publication=PUBLICATION)
    assert (known.issue.issue.number, str(known.issue.issue.date)) == (4, "2021-03-03")
    assert "The Batch" not in known.yaml.replace("# Imported", "")
    unknown = import_text("Weekly Notes\nIssue 4\n\nDear friends,\n\nHello.\n", source="t.txt",
                          publication=PUBLICATION)
    assert unknown.issue.issue.number == 4 and "#   Weekly Notes\n" in unknown.yaml
    assert [w.code for w in unknown.warnings][0] == "clutter-before-letter"
    other_date = import_text("Weekly Notes\nIssue 4 · 3 March 2021\n\nDear friends,\n\nHello.\n",
                             source="t.txt")
    assert other_date.issue.issue.number is None and "#   Issue 4 · 3 March 2021\n" in other_date.yaml


# ---------------------------------------------------------------- issue 23's families and issue 21's limits


def test_each_story_comes_with_the_evidence_it_was_recognised_on():
    result = _imported(ARCHIVE / "glued_kicker_promo.txt")
    assert result.evidence == ["kicker 'A MESSAGE FROM DEEPLEARNING.AI' (line 7) and call to action "
                               "'Enroll now' (line 7)"]
    news = _imported(ARCHIVE / "glued_headline_dek.txt").evidence
    assert news == ["a known section name, line 10",
                    "headline 'The Coming Crackdown' (line 13) and 3 labelled sections"]


def test_promotional_words_alone_make_no_promo():
    text = ("Dear friends,\n\nHello.\n\nKeep learning!\n\nAndrew\n\n\n"
            "Our course on agents is popular with engineers.\n\nMany join it from startups.\n")
    result = import_text(text, source="t.txt")
    (story,) = result.issue.stories
    assert isinstance(story, model.Text) and result.evidence == ["nothing else, lines 10–12"]
    (warning,) = [w for w in result.warnings if w.code == "unclassified-text"]
    assert warning.line == 10 and warning.message.startswith("lines 10–12: kept as a text block: no evidence")


def test_a_block_on_one_line_names_that_line_not_a_range_of_one():
    text = ("Dear friends,\n\nHello.\n\nKeep learning!\n\nAndrew\n\n\n"
            "Our course on agents is popular with engineers. Many join it from startups.\n")
    result = import_text(text, source="t.txt")
    assert result.evidence == ["nothing else, line 10"]  # was "lines 10–10"
    (warning,) = [w for w in result.warnings if w.code == "unclassified-text"]
    assert warning.message.startswith("line 10: kept as a text block")


def test_a_sentence_calling_to_an_offer_is_a_promos_evidence():
    text = ("Dear friends,\n\nHello.\n\nKeep learning!\n\nAndrew\n\n\n"
            "We updated our specialization! Join the instructors for a live session on May 3.\n")
    result = import_text(text, source="t.txt")
    assert isinstance(result.issue.stories[0], model.Promo)
    assert result.evidence == ["a call to an offer 'Join the instructors for…'"]


@pytest.mark.parametrize("line, signoff, signature", [
    ("Keep building! Andrew", "Keep building!", "Andrew"),
    ("Keep learning, Andrew Ng", "Keep learning,", "Andrew Ng"),
    ("Cheers, The Editors", "Cheers,", "The Editors"),
    ("Keep building!Andrew", "Keep building!", "Andrew"),
    ("Keep building! — Andrew", "Keep building!", "Andrew"),
])
def test_a_sign_off_and_signature_on_one_line_end_the_letter(line, signoff, signature):
    text = (f"Dear friends,\n\nA short letter.\n\n{line}\n\n"
            "A MESSAGE FROM DEEPLEARNING.AI\n\nJoin us. Sign up now\n")
    result = import_text(text, source="t.txt")
    letter = result.issue.letter
    assert (letter.body, letter.signoff, letter.signature) == ("A short letter.", signoff, signature)
    assert isinstance(result.issue.stories[0], model.Promo)


def test_a_one_line_sign_off_ends_the_letter_in_the_one_line_per_paragraph_layout_too():
    text = ("Dear friends,\nHello there.\nKeep building! Andrew\n"
            "Our course on agents opens today. Enroll now (https://x.org/a)\n")
    result = import_text(text, source="t.txt")
    assert (result.issue.letter.signoff, result.issue.letter.signature) == ("Keep building!", "Andrew")
    (promo,) = result.issue.stories
    assert promo.cta == model.Link(text="Enroll now", url="https://x.org/a")


def test_a_sentence_ending_in_a_name_stays_in_the_letter():
    text = "Dear friends,\n\nI asked an old friend, Maria\n\nShe said yes.\n\nKeep learning!\n\nAndrew\n"
    letter = import_text(text, source="t.txt").issue.letter
    assert letter.body == "I asked an old friend, Maria\n\nShe said yes." and letter.signature == "Andrew"


@pytest.mark.parametrize("glued, kicker, body", [
    ("A MESSAGE FROM DEEPLEARNING.AIAI agents often fail in odd ways.", "A MESSAGE FROM DEEPLEARNING.AI",
     "AI agents often fail in odd ways."),
    ("A MESSAGE FROM DEEPLEARNING.AI\"A2A\" is a new course on agents.", "A MESSAGE FROM DEEPLEARNING.AI",
     "\"A2A\" is a new course on agents."),
    ("SPONSORED BY ACME CLOUDTrain your models on our clusters.", "SPONSORED BY ACME CLOUD",
     "Train your models on our clusters."),
    ("A MESSAGE FROM DEEPLEARNING.AIAI Agents in LangGraph is a course.", "A MESSAGE FROM DEEPLEARNING.AI",
     "AI Agents in LangGraph is a course."),
])
def test_a_glued_kicker_is_split_and_warned(glued, kicker, body):
    text = f"Dear friends,\n\nHello.\n\nKeep learning!\n\nAndrew\n\n\n{glued} Enroll now (https://a.org/x)\n"
    result = import_text(text, source="t.txt")
    (promo,) = result.issue.stories
    assert promo.kicker == kicker and promo.body == body
    (warning,) = [w for w in result.warnings if w.code == "glued-kicker"]
    assert warning.line == 10


def test_a_glued_headline_is_split_only_before_labelled_sections():
    story = "The Coming CrackdownThe European Union proposed rules for the largest models."
    with_sections = import_text(f"{story}\n\nWhat’s new: A draft.\n\nWhy it matters: Rules.\n",
                                source="t.txt")
    (news,) = with_sections.issue.stories
    assert news.headline == "The Coming Crackdown" and news.dek.startswith("The European Union")
    alone = import_text(f"Dear friends,\n\n{story}\n\nKeep learning!\n\nAndrew\n", source="t.txt")
    assert story in alone.issue.letter.body
    assert "glued-headline" not in {w.code for w in alone.warnings}


def test_a_flattened_transcript_is_warned_with_its_line_and_never_joins_the_essay():
    result = _imported(ARCHIVE / "transcript_flat.txt")
    feature, text = result.issue.stories
    assert "WEBVTT" not in feature.body and text.body.startswith("WEBVTTKind: captions")
    (warning,) = [w for w in result.warnings if w.code == "transcript-flattened"]
    assert warning.line == 14 and "glued-words" not in {w.code for w in result.warnings}
    assert result.evidence[1] == "'WEBVTT' glued to the text after it, line 14"
    letter = _imported(ARCHIVE / "transcript_flat_in_letter.txt")
    assert "WEBVTTKind" in letter.issue.letter.body and letter.issue.stories == []
    assert [w.line for w in letter.warnings if w.code == "transcript-flattened"] == [5]


def test_a_web_pages_title_is_the_subject_and_its_cover_caption_the_letters_image():
    result = _imported(ARCHIVE / "webpage_title_caption.txt")
    assert result.issue.issue.subject == "Why Small Teams Win" and result.subject_from == "page title"
    assert result.issue.letter.body.startswith(
        "![An illustration of a rowing boat outpacing a large ship]()\n\nSmall teams")
    assert "#   Why Small Teams Win\n#   Published Jun 4, 2025\n" in result.yaml  # kept word for word too
    lines = {w.code: w.line for w in result.warnings}
    assert lines["invented-subject"] == 1 and lines["cover-caption"] == 3


def test_letter_lead_ins_are_bold_only_when_two_or_more_differ():
    two = import_text("Dear friends,\n\nData labeling: Slow.\n\nModel training: Fast.\n\nKeep learning!\n",
                      source="t.txt").issue.letter.body
    assert two == "**Data labeling:** Slow.\n\n**Model training:** Fast."
    one = import_text("Dear friends,\n\nNote: This is short.\n\nMore text.\n\nKeep learning!\n",
                      source="t.txt").issue.letter.body
    assert one.startswith("Note: This is short.")


def test_a_question_and_its_answer_stay_one_paragraph_and_a_run_of_spaces_one_space():
    letter = _imported(ARCHIVE / "qa_one_line_pairs.txt").issue.letter
    assert "Q: Should I learn the math first?\\\nA: Learn enough" in letter.body
    spaced = _imported(ARCHIVE / "space_runs_short.txt").issue.letter
    assert "Model A: yes. Model B: no. Model C: it depends." in spaced.body


def test_tag_pages_of_cards_are_one_text_block_with_a_warning():
    for name, lines in (("tag_page_cards", "1–16"), ("tag_page_cards_blank", "1–27"),
                        ("tag_page_publication_name", "7–18")):
        result = _imported(ARCHIVE / f"{name}.txt")
        texts = [s for s in result.issue.stories if isinstance(s, model.Text)]
        assert len(texts) == 1 and not any(isinstance(s, (model.Feature, model.News, model.Header))
                                           for s in result.issue.stories), name
        (warning,) = [w for w in result.warnings if w.code == "index-cards"]
        assert warning.line == int(lines.split("–")[0]), name
        assert result.evidence == [f"index cards, lines {lines}"], name


@pytest.mark.parametrize("name", ["webvtt_malformed_timings", "webvtt_malformed_numbers"])
def test_webvtt_with_malformed_timings_is_one_text_block_with_a_warning(name):
    result = _imported(ARCHIVE / f"{name}.txt")
    text = result.issue.stories[-1]
    assert isinstance(text, model.Text) and text.body.startswith("WEBVTT\n\n1\\\n")
    assert not any(isinstance(s, (model.News, Transcript)) for s in result.issue.stories)
    (warning,) = [w for w in result.warnings if w.code == "transcript-as-text"]
    source = (ARCHIVE / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    assert source[warning.line - 1] == "WEBVTT" and warning.message.startswith(f"lines {warning.line}–")


def test_a_webvtt_line_with_no_cue_is_text_not_an_empty_transcript():
    result = import_text("An Essay\n\nOne paragraph.\n\n\nWEBVTT\n", source="t.txt")
    assert isinstance(result.issue.stories[-1], model.Text)
    assert "transcript-as-text" in {w.code for w in result.warnings}


def test_a_long_or_glued_paragraph_is_warned_by_import_with_its_lines():
    wall = "A plain sentence of ordinary words. " * 60
    result = import_text(f"Dear friends,\n\n{wall}\n\nKeep learning!\n", source="t.txt")
    (warning,) = [w for w in result.warnings if w.code == "long-paragraph"]
    assert warning.line == 3 and "2,159 characters" in warning.message


def test_import_refuses_a_file_over_the_validate_limit_without_reading_it(tmp_path):
    import tracemalloc

    from authoring.diagnostics import AuthoringError
    from authoring.load import MAX_BYTES

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1_000_000)  # sparse: 50 MB that cost no disk
    tracemalloc.start()
    with pytest.raises(AuthoringError, match="too large to import") as caught:
        import_file(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 3 * MAX_BYTES  # read bounded: a megabyte and a byte, not fifty
    (diagnostic,) = caught.value.reports[0].diagnostics
    assert diagnostic.code == "file-too-large" and "50.0 MB" in diagnostic.message
    result = _run(big, "-o", tmp_path / "big.yaml")
    assert result.exit_code == 1 and "too large" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "big.yaml").exists()


def test_the_size_limit_holds_at_equality(tmp_path, monkeypatch):
    import authoring.importer as importer
    from authoring.diagnostics import AuthoringError

    monkeypatch.setattr(importer, "MAX_BYTES", 200)
    text = "Dear friends,\n\n" + "word " * 37
    exact = tmp_path / "exact.txt"
    exact.write_bytes(text.encode()[:199] + b"\n")
    assert exact.stat().st_size == 200 and import_file(exact).issue.letter is not None
    over = tmp_path / "over.txt"
    over.write_bytes(exact.read_bytes() + b"x")
    with pytest.raises(AuthoringError, match="too large"):
        import_file(over)
    with pytest.raises(AuthoringError, match="too large"):
        import_text("x" * 201, source="t.txt")


_HOSTILE = {
    "digits after WEBVTT": "An Essay\n\nOne.\n\n\nWEBVTT\n\n" + "1" * 300_000 + "\n",
    "a glued kicker of domains": "A MESSAGE " + "A.AAAA" * 100_000 + " x y z w\n",
    "a promo of many sentences": "Dear friends,\n\nHi.\n\nKeep learning!\n\n\n"
                                 + "Join the course. " * 40_000 + "\n",
    "one lower-case word": "Dear friends,\n\n" + "a" * 600_000 + "B\n",
    "a sign-off after a long word": "Dear friends,\n\nHi.\n\n" + "x" * 300_000 + "! Andrew\n",
    "glued labels": "Dear friends,\n\n" + "What’s new:The " * 30_000 + "\n",
    "a flattened transcript": "WEBVTTKind: captions" + "wordWord." * 80_000 + "\n",
}


@pytest.mark.parametrize("name", list(_HOSTILE))
def test_huge_and_glued_lines_import_in_linear_time(name):
    """Half a megabyte in one line, shaped to make a backtracking pattern or a slice per sentence
    quadratic (the first malformed-timing pattern was: 10 s on 20 KB of digits, hours on 300 KB)."""
    import time

    start = time.process_time()
    result = import_text(_HOSTILE[name], source="t.txt")
    assert time.process_time() - start < 3.0, name
    assert result.warnings


def test_import_refuses_a_fifo_and_a_device_without_waiting_on_them(tmp_path):
    import os

    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)  # nobody writes to it: a blocking open would hang the import
    device = tmp_path / "zero.txt"
    device.symlink_to("/dev/zero")  # endless bytes: reading it whole would never end
    for path, kind in ((fifo, "named pipe"), (device, "character device")):
        result = _run(path)
        assert result.exit_code == 1 and kind in result.stderr and "[not-a-regular-file]" in result.stderr


if __name__ == "__main__":
    WARNINGS.write_text(_corpus_warnings(), encoding="utf-8")
    IMPORTED.write_text(_corpus_yaml(), encoding="utf-8")
    print(f"wrote {WARNINGS} and {IMPORTED}")


_CARDS = [("Research", "Models Keep Growing", "Parameter counts doubled again this year, and costs rose."),
          ("Robotics", "Gentle Grippers", "Soft robot hands learn to hold fragile things."),
          ("Policy", "Judges Try Chatbots", "Courts test language models for drafting routine orders.")]


def test_index_cards_need_a_section_name_of_at_most_four_words_never_a_list_item():
    def evidence(tag) -> list[str]:
        return import_text("".join(f"{tag(a)}\n{b}\n{c}\n" for a, b, c in _CARDS), source="t.txt").evidence

    assert evidence(lambda tag: tag) == ["index cards, lines 1–9"]
    assert evidence(lambda tag: tag + " And More News Today") == [  # five words: no section name
        "caption, title 'Models Keep Growing' (line 2) and 7 paragraphs"]
    assert evidence(lambda tag: "- " + tag) == ["nothing else, lines 1–9"]
    assert evidence(lambda tag: tag + " And More News") == ["index cards, lines 1–9"]  # four words
    assert evidence(lambda tag: tag + " and more news today") == ["index cards, lines 1–9"]  # a caption
    three = import_text("".join(f"{a}\n{b}\nCosts rose fast.\n" for a, b, _ in _CARDS), source="t.txt")
    assert three.evidence == ["index cards, lines 1–9"]  # a summary of three words
    two = import_text("".join(f"{a}\n{b}\nCosts rose.\n" for a, b, _ in _CARDS), source="t.txt")
    assert "index-cards" not in {w.code for w in two.warnings}


def test_index_cards_have_no_byline_for_a_title_nor_a_block_gap_inside_a_card():
    def codes(page: str) -> set[str]:
        return {w.code for w in import_text(page, source="t.txt").warnings}

    assert "index-cards" in codes("".join(f"{a}\n\n{b}\n\n{c}\n\n" for a, b, c in _CARDS))
    assert "index-cards" not in codes("".join(f"{a}\nBy {b}\n{c}\n" for a, b, c in _CARDS))
    assert "index-cards" not in codes("".join(f"{a}\n\n\n{b}\n\n{c}\n\n" for a, b, c in _CARDS))


def test_dated_cards_are_read_inside_their_own_run_only():
    after_letter = "Dear friends,\n\nHi.\n\nKeep learning!\n\n\n"
    later = import_text(after_letter + "Model Sizes Rise\n\nMay 3, 2026\n\nParameter counts doubled "
                        "again this year.\n\n\nWe wrote more notes this week about robots.\n", source="t.txt")
    assert later.evidence == ["index cards, lines 8–12", "nothing else, line 15"]
    above = import_text(after_letter + "Model Sizes Rise\n\n\nMay 3, 2026\n\nParameter counts doubled again "
                        "this year.\n", source="t.txt")  # the headline is a header, a block above the date
    assert above.evidence == ["a short line alone between two blocks, line 8", "nothing else, line 13"]


def test_index_cards_right_below_a_transcript_are_cards():
    page = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nHello.\n\n\n" + "".join(
        f"{a}\n\n{b}\n\n{c}\n\n" for a, b, c in _CARDS)  # the unit above the first card is claimed: no matter
    assert import_text(page, source="t.txt").evidence == ["WEBVTT and 1 timed cues, lines 1–5",
                                                          "index cards, lines 8–24"]


def test_index_cards_in_a_row_never_cross_a_block_gap():
    first, second, third = (f"{a}\n\n{b}\n\n{c}\n\n" for a, b, c in _CARDS)

    def codes(page: str) -> set[str]:
        return {w.code for w in import_text(page, source="t.txt").warnings}

    assert "index-cards" not in codes(first + second + "\n" + third)
    assert "index-cards" not in codes(first + second + "\nA robot hand holding an egg\n\n" + third)


def test_two_index_cards_in_a_row_are_cards_when_their_section_names_repeat():
    (one, two, _) = _CARDS
    same = "".join(f"Research\n{b}\n{c}\n" for _, b, c in (one, two))
    assert import_text(same, source="t.txt").evidence == ["index cards, lines 1–6"]
    other = "".join(f"{a}\n{b}\n{c}\n" for a, b, c in (one, two))
    assert "index-cards" not in {w.code for w in import_text(other, source="t.txt").warnings}


# ---------------------------------------------------------------- hostile names and comments


def test_text_set_aside_over_several_lines_stays_inside_its_comment():
    """A question and its answer are one unit of two lines: as web-page text before the letter, its
    answer line was written without its ``#`` and read back as a key ('A'), the YAML invalid."""
    text = "Q: Should I?\nA: Yes.\n\nDear friends,\n\nHello there, all of you.\n\nKeep learning!\n"
    result = import_text(text, source="t.txt")
    assert "#   Q: Should I?\n#   A: Yes.\n" in result.yaml
    validated = validate_text(result.yaml)
    assert validated.report.errors == [] and validated.issue == result.issue
    assert list(yaml.safe_load(result.yaml)) == ["issue", "letter"]


@pytest.mark.parametrize("name", ["f\nstories: x.txt", "f\rstories: x.txt", "f\u2028stories: x.txt",
                                  "f\x1b[2Jstories: x.txt"])
def test_a_file_name_with_line_breaks_or_controls_is_one_line_in_the_yaml(name):
    """The name goes into the top comment, escaped as the terminal shows it, and into the invented
    subject, on one line: it used to end the comment and add keys of its own."""
    result = import_text("Dear friends,\n\nHello there, all of you.\n\nKeep learning!\n", source=name)
    shown = name.encode("unicode_escape").decode("ascii")
    assert f"# Imported from {shown} by `authoring import`.\nissue:\n" in result.yaml
    assert result.issue.issue.subject == ("f\ufffd[2Jstories: x" if "\x1b" in name else "f stories: x")
    validated = validate_text(result.yaml)
    assert validated.report.errors == [] and validated.issue == result.issue
    assert list(yaml.safe_load(result.yaml)) == ["issue", "letter"]


def test_a_file_name_of_only_spaces_gives_the_subject_untitled():
    result = import_text("Some text of the issue.\n", source=" \n .txt")
    assert result.issue.issue.subject == "Untitled"
    assert validate_text(result.yaml).report.errors == []


def test_the_import_command_prints_a_file_name_with_controls_escaped(tmp_path):
    source = tmp_path / "f\x1b[2J\nx.txt"
    source.write_text("Dear friends,\n\nHello there, all of you.\n\nKeep learning!\n", encoding="utf-8")
    result = _run(source, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 0, result.output
    assert "f\\x1b[2J\\nx.txt: warning: the subject is the file name ('f\ufffd[2J x')" in result.output
    assert "\x1b" not in result.output


def _block_runs(text: str) -> list[str]:
    """A page's runs between block gaps (or between blank lines, in a page without block gaps)."""
    runs = re.split(r"\n[ \t]*\n[ \t]*\n", text)
    if len(runs) < 3:
        runs = re.split(r"\n[ \t]*\n", text)
    return [run.strip("\n") for run in runs if run.strip() and not run.startswith("Links\n")]


_RUNS = [run for path in CORPUS for run in _block_runs(path.read_text(encoding="utf-8"))
         if not re.match(r"\A[^\n]+\n(?:Issue \d+|View in browser)", run)]
"""Every block run of the corpus but the pages' top blocks: pieces of real pages to put together."""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_RUNS), min_size=2, max_size=6), st.sampled_from(["\n\n", "\n\n\n"]),
       st.booleans())
def test_pages_put_together_from_pieces_of_the_corpus_import_to_yaml_that_validates(runs, gap, with_pub):
    """Blocks out of their place (a letter's sign-off after a story, a promo one blank line under the
    letter, text set aside over several lines): whatever the importer makes of them, the YAML it
    writes validates without errors and reads back to the issue it made. Spliced pages found YAML
    that failed (a comment's second line read as a key, an empty letter without its body)."""
    text = gap.join(runs) + "\n"
    publication = PUBLICATION if with_pub else None
    result = import_text(text, source="pieces.txt", publication=publication)
    validated = validate_text(result.yaml, file="pieces.yaml",
                              publication=PUBLICATION if with_pub else DEFAULT_PUBLICATION)
    assert validated.report.errors == [], validated.report.format_text()
    assert validated.issue == result.issue
