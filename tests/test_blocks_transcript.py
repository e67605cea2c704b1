"""The transcript block: timings as data, checked as WEBVTT timestamps; every word and time kept."""

from __future__ import annotations

import textwrap

import html5lib

from authoring.blocks.transcript import Cue, Transcript, milliseconds
from authoring.render import render_html
from authoring.render.text import render_text
from authoring.validate import DEFAULT_PUBLICATION, validate_text

ISSUE = textwrap.dedent("""\
    issue:
      subject: Test
      number: 1
      date: 2026-11-27
      preheader: Preview
    stories:
      - transcript:
          title: From the episode
          cues:
            - start: 00:00:01.000
              end: 00:00:04.000
              speaker: Andrew
              text: Welcome back to the show. <b>Literal</b> & more
            - {start: "00:04.500", end: "00:00:09.000", text: "Thanks for having me. I have led both kinds
                of teams, and this line is long enough to wrap."}
    """)


def _validated(text: str = ISSUE):
    return validate_text(text, file="t.yaml")


def test_a_transcript_is_a_block_with_timings_as_written():
    validated = _validated()
    assert not [d for d in validated.report.diagnostics if d.severity.value == "error"]
    (story,) = validated.issue.stories
    assert isinstance(story, Transcript)
    assert story.title == "From the episode"
    assert story.cues[0] == Cue(start="00:00:01.000", end="00:00:04.000", speaker="Andrew",
                                text="Welcome back to the show. <b>Literal</b> & more")
    assert story.cues[1].start == "00:04.500" and story.cues[1].speaker is None


def test_webvtt_timestamps():
    assert milliseconds("00:00:01.000") == 1000
    assert milliseconds("01:02.500") == 62500
    assert milliseconds("100:00:00.001") == 360000001
    for bad in ("0:00:01.000", "00:60:00.000", "00:00:01,000", "00:00:01.5", "1", "", "00:00:01.000x"):
        assert milliseconds(bad) is None, bad
    assert milliseconds("9" * 100_000 + ":00:00.000") is None  # no int() of a huge number


def test_a_bad_timestamp_and_a_cue_ending_before_it_starts_are_located_errors():
    text = ISSUE.replace("start: 00:00:01.000", "start: 00:00:01,000").replace(
        'end: "00:00:09.000"', 'end: "00:00:03.000"')
    found = {d.code: d for d in _validated(text).report.diagnostics}
    bad = found["bad-timestamp"]
    assert (bad.line, bad.severity.value) == (10, "error")
    assert text.splitlines()[bad.line - 1][bad.column - 1:] == "00:00:01,000"
    assert "00:00:01,000" in bad.message and "hh:mm:ss.ttt" in (bad.hint or "")
    order = found["cue-ends-before-start"]
    assert order.line == 14 and order.severity.value == "error"
    assert text.splitlines()[order.line - 1][order.column - 1:].startswith('"00:00:03.000"')


def test_an_empty_transcript_and_an_empty_cue_are_reported():
    empty = ISSUE.split("      - transcript:")[0] + "  - transcript:\n      cues: []\n"
    assert "empty-body" in {d.code for d in _validated(empty).report.diagnostics}
    blank = ISSUE.replace("text: Welcome back to the show. <b>Literal</b> & more", "text: ' '")
    assert [d.path for d in _validated(blank).report.diagnostics if d.code == "empty-body"] == [
        ("stories", 0, "transcript", "cues", 0, "text")]


def test_plain_text_has_every_word_and_every_timing():
    issue = _validated().issue
    text = render_text(issue, DEFAULT_PUBLICATION)
    assert "\n\nFrom the episode\n\n[00:00:01.000 --> 00:00:04.000] Andrew: Welcome back" in text
    assert "\n\n[00:04.500 --> 00:00:09.000] Thanks for having me." in text
    flat = " ".join(text.split())
    for cue in issue.stories[0].cues:
        speaker = f"{cue.speaker}: " if cue.speaker else ""
        assert f"[{cue.start} --> {cue.end}] {speaker}{cue.text}" in flat
    assert max(len(line) for line in text.splitlines()) <= 78


def test_html_lists_the_cues_times_muted_speaker_bold():
    issue = _validated().issue
    html, _ = render_html(issue, DEFAULT_PUBLICATION)
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    items = doc.findall(".//ul/li")
    assert len(items) == 2
    first = items[0]
    times = first.find("span")
    assert "".join(times.itertext()) == "00:00:01.000 – 00:00:04.000"
    assert "font-size: 14px" in times.get("style") and "color: #5b6570" in times.get("style")
    assert first.find("strong").text == "Andrew:"
    assert "".join(first.itertext()).endswith("Welcome back to the show. <b>Literal</b> & more")
    assert "".join(items[1].itertext()) == ("00:04.500 – 00:00:09.000Thanks for having me. I have led both "
                                             "kinds of teams, and this line is long enough to wrap.")
    assert doc.find(".//h2").text == "From the episode"


# ---- the block's parts called directly: exact messages, the equal start and end, the YAML and fields

from authoring import codes, model  # noqa: E402
from authoring.blocks import transcript  # noqa: E402
from authoring.importer.emit import _YAML_OUT  # noqa: E402
from authoring.render.text import _LinkStyle, _Writer  # noqa: E402

PATH = ("stories", 2, "transcript")


def _cue(start="00:00:01.000", end="00:00:02.000", text="Hi.", speaker=None, n=0):
    return Cue(start=start, end=end, text=text, speaker=speaker, path=PATH + ("cues", n))


def _found(check, story):
    return [(f.code, f.message, f.path, f.hint, f.severity.value, f.key) for f in check(story, {})]


def test_timings_messages_and_an_end_equal_to_the_start():
    story = Transcript(cues=[_cue("00:01.000", "00:01.000"), _cue("1:00.000", "00:00.500", n=1),
                             _cue("00:02.000", "00:01.999", n=2)], path=PATH)
    assert _found(transcript.check_timings, story) == [
        (codes.BAD_TIMESTAMP, "'1:00.000' is not a WEBVTT timestamp", PATH + ("cues", 1, "start"),
         "write it as hh:mm:ss.ttt or mm:ss.ttt, e.g. 00:01:02.500", "error", False),
        (codes.CUE_ENDS_BEFORE_START, "the cue ends (00:01.999) before it starts (00:02.000)",
         PATH + ("cues", 2, "end"), "correct the start or the end time", "error", False)]


def test_a_long_bad_timestamp_is_quoted_to_40_characters():
    story = Transcript(cues=[_cue(end="x" * 41)], path=PATH)
    ((code, message, path, *_),) = _found(transcript.check_timings, story)
    assert message == f"'{'x' * 40}' is not a WEBVTT timestamp" and path == PATH + ("cues", 0, "end")


def test_empty_messages_and_where_they_point():
    assert _found(transcript.check_empty, Transcript(cues=[], path=PATH)) == [
        (codes.EMPTY_BODY, "transcript has no cues", PATH + ("cues",),
         "add '- {start: ..., end: ..., text: ...}' under 'cues:', or remove the block", "warning", True)]
    assert _found(transcript.check_empty, Transcript(cues=[_cue(), _cue(text=" \n", n=1)], path=PATH)) == [
        (codes.EMPTY_BODY, "cue has no text", PATH + ("cues", 1, "text"),
         "write what is said, or remove the cue", "warning", False)]


def test_timestamps_around_their_bounds():
    assert milliseconds(" 00:59:59.999 ") == 3599999
    assert milliseconds("99:00.000") is None and milliseconds("00:60.000") is None
    assert milliseconds("1" * 9 + ":00:00.000") == 111111111 * 3600000
    assert milliseconds("1" * 10 + ":00:00.000") is None
    assert milliseconds("0:00:00.000") is None and milliseconds("00:00.0000") is None


def test_plain_text_yaml_and_fields_of_a_transcript():
    story = Transcript(title="From the episode", cues=[_cue(speaker="Ana"), _cue(n=1)], path=PATH)
    assert transcript.text(story, _Writer(_LinkStyle())) == [
        "From the episode", "[00:00:01.000 --> 00:00:02.000] Ana: Hi.", "[00:00:01.000 --> 00:00:02.000] Hi."]
    assert transcript.text(Transcript(cues=[_cue()]), _Writer(_LinkStyle())) == [
        "[00:00:01.000 --> 00:00:02.000] Hi."]
    assert transcript.emit(story, _YAML_OUT) == {"title": "From the episode", "cues": [
        {"start": "00:00:01.000", "end": "00:00:02.000", "speaker": "Ana", "text": "Hi."},
        {"start": "00:00:01.000", "end": "00:00:02.000", "text": "Hi."}]}
    assert list(transcript.fields(story)) == [
        (PATH + ("title",), "From the episode", False), (PATH + ("cues", 0, "speaker"), "Ana", False),
        (PATH + ("cues", 0, "text"), "Hi.", False), (PATH + ("cues", 1, "text"), "Hi.", False)]
    assert list(transcript.fields(Transcript(cues=[], path=PATH))) == []


# ---- the recogniser: where a transcript's last cue ends

def _after_a_cue(paragraphs: int) -> str:
    """A cue, then without a blank line a headline, ``paragraphs`` paragraphs and labelled sections."""
    between = "".join(f"Paragraph {n}.\n" for n in range(1, paragraphs + 1))
    return ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nHello there.\nRobots Learn Chores\n" + between
            + "What’s new: A thing happened.\nWhy it matters: It does.\n")


def test_a_headline_with_a_label_within_four_lines_ends_the_cue_before_it():
    from authoring.importer import import_text

    result = import_text(_after_a_cue(3), source="t.txt")  # the label is the fourth line after it
    cues, news = result.issue.stories
    assert cues.cues == [Cue(start="00:00:01.000", end="00:00:04.000", text="Hello there.")]
    assert news.headline == "Robots Learn Chores" and news.dek == "Paragraph 1."
    farther = import_text(_after_a_cue(4), source="t.txt")  # the fifth: the line is the cue's text
    assert farther.issue.stories[0].cues[0].text == "Hello there. Robots Learn Chores Paragraph 1."
    assert farther.evidence[0] == "WEBVTT and 1 timed cues, lines 1–7"


_SECOND_CUE = "00:00:05.000 --> 00:00:08.000\nThanks for having me.\n"


def test_a_cue_numbered_out_of_turn_keeps_the_webvtt_as_text_with_a_warning():
    from authoring.importer import import_text

    result = import_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nWelcome back.\n\n5\n" + _SECOND_CUE,
                         source="t.txt")
    (text,) = result.issue.stories
    assert text.body.endswith("\n\n5\\\n00:00:05.000 --> 00:00:08.000\\\nThanks for having me.")
    assert [(w.code, w.line) for w in result.warnings][0] == ("transcript-as-text", 1)


def test_a_webvtt_line_two_blank_lines_above_its_cues_is_a_block_of_its_own():
    from authoring.importer import import_text

    result = import_text("WEBVTT\n\n\n1\n00:00:01.000 --> 00:00:04.000\nWelcome back.\n\n2\n" + _SECOND_CUE,
                         source="t.txt")
    alone, cues = result.issue.stories
    assert alone.body == "WEBVTT" and cues.body.startswith("1\\\n00:00:01.000 --> 00:00:04.000\\\n")
    assert [(w.code, w.line) for w in result.warnings][:2] == [("transcript-as-text", 1),
                                                              ("transcript-as-text", 4)]


def _vtt_with_header(lines: int) -> str:
    head = "".join(f"Header{k}: x\n" for k in range(lines))
    return f"WEBVTT\n{head}\n1\n00:00:01.000 --> 00:00:04.000\nWelcome back.\n"


def test_up_to_four_header_lines_under_webvtt_are_comments_a_fifth_keeps_it_as_text():
    from authoring.importer import import_text

    for lines in (1, 3, 4):  # odd counts too: each header line is stepped over, not every other one
        result = import_text(_vtt_with_header(lines), source="t.txt")
        (cues,) = result.issue.stories
        assert cues.cues == [Cue(start="00:00:01.000", end="00:00:04.000", text="Welcome back.")], lines
        assert result.evidence == [f"WEBVTT and 1 timed cues, lines 1–{lines + 5}"], lines
        last = f"lines 2–{lines + 1}" if lines > 1 else "line 2"
        assert f"# WEBVTT header from {last} of the source, not part of the issue:\n" in result.yaml
        assert "".join(f"#   Header{k}: x\n" for k in range(lines)) in result.yaml
    five = import_text(_vtt_with_header(5), source="t.txt")
    assert five.evidence == ["cues without valid WEBVTT, line 1", "nothing else, lines 2–6",
                             "cues without valid WEBVTT, lines 8–10"]
    assert five.issue.stories[0].body == "WEBVTT"


def test_a_malformed_timing_after_valid_cues_ends_the_transcript_and_is_kept_as_text():
    from authoring.importer import import_text

    # The first cue's timing is valid WEBVTT, so only valid timings continue its cues; the cue
    # with a malformed one is the start of a text block of its own, warned on its line.
    result = import_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nWelcome back.\n\n"
                         "2\n00:05.000 -> 00:08.000\nThanks.\n", source="t.txt")
    cues, text = result.issue.stories
    assert cues.cues == [Cue(start="00:00:01.000", end="00:00:04.000", text="Welcome back.")]
    assert text.body == "2\\\n00:05.000 -> 00:08.000\\\nThanks."
    assert result.evidence == ["WEBVTT and 1 timed cues, lines 1–5", "cues without valid WEBVTT, lines 7–9"]
    assert [(w.code, w.line) for w in result.warnings][0] == ("transcript-as-text", 7)


def test_a_webvtt_header_two_blank_lines_above_the_cues_is_a_block_of_its_own():
    from authoring.importer import import_text

    result = import_text("WEBVTT\nKind: captions\n\n\n1\n00:00:01.000 --> 00:00:04.000\nWelcome back.\n",
                         source="t.txt")
    assert result.evidence == ["cues without valid WEBVTT, lines 1–2", "cues without valid WEBVTT, lines 5–7"]


def test_malformed_cues_with_no_blank_line_between_stay_one_text_block_to_the_last_word():
    from authoring.importer import import_text

    # The second cue's number and timing end the first cue's text (timings read as loosely as
    # the first cue's), so "Thanks." is the second cue's text, not a fourth line left out.
    result = import_text("WEBVTT\n\n1\n00:01.000 -> 00:04.000\nHello.\n2\n00:05.000 -> 00:08.000\nThanks.\n",
                         source="t.txt")
    (text,) = result.issue.stories
    assert text.body.endswith("2\\\n00:05.000 -> 00:08.000\\\nThanks.")
    assert result.evidence == ["cues without valid WEBVTT, lines 1–8"]


_FIRST_CUE = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nHello.\n\n2\n"


def test_webvtt_cues_a_block_cannot_hold_keep_the_whole_transcript_as_text():
    from authoring.importer import import_text

    for what, text in {
        "a cue without text": "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n\n2\n"
                              "00:00:05.000 --> 00:00:08.000\nThanks.\n",
        "a list item as a cue's text": _FIRST_CUE.replace("Hello.", "- Hello.")
        + "00:00:05.000 --> 00:00:08.000\nThanks.\n",
        "an end past 59 minutes": _FIRST_CUE + "00:00:05.000 --> 00:99:08.000\nThanks.\n",
        "a start past 59 minutes": _FIRST_CUE + "00:99:05.000 --> 00:00:08.000\nThanks.\n",
        "an end before its start": _FIRST_CUE + "00:00:05.000 --> 00:00:04.500\nThanks.\n",
    }.items():
        result = import_text(text, source="t.txt")
        (story,) = result.issue.stories
        assert story.body.startswith("WEBVTT\n\n1\\\n00:00:01.000 --> 00:00:04.000"), what
        assert story.body.endswith("Thanks."), what
        assert [(w.code, w.line) for w in result.warnings][0] == ("transcript-as-text", 1), what


def test_a_webvtt_cue_ending_when_it_starts_is_a_cue():
    from authoring.importer import import_text

    result = import_text(_FIRST_CUE + "00:00:05.000 --> 00:00:05.000\nThanks.\n", source="t.txt")
    (cues,) = result.issue.stories
    assert cues.cues[1] == Cue(start="00:00:05.000", end="00:00:05.000", text="Thanks.")
    assert result.evidence == ["WEBVTT and 2 timed cues, lines 1–9"]


def test_rendered_cues_are_a_transcript_with_their_evidence():
    from authoring.importer import import_text

    result = import_text("From the episode\n\n[00:00:01.000 --> 00:00:04.000] Ana: Hello.\n\n"
                         "[00:00:05.000 --> 00:00:08.000] Thanks.\n", source="t.txt")
    (cues,) = result.issue.stories
    assert cues.title == "From the episode" and cues.cues == [
        Cue(start="00:00:01.000", end="00:00:04.000", speaker="Ana", text="Hello."),
        Cue(start="00:00:05.000", end="00:00:08.000", text="Thanks.")]
    assert result.evidence == ["cues as plain text writes them, lines 1–5"]


def test_numbered_cues_with_malformed_timings_and_no_webvtt_line_are_kept_as_text():
    from authoring.importer import import_text

    after_letter = "Dear friends,\n\nHi.\n\nKeep learning!\n\n\n"
    srt = import_text(after_letter + "1\n00:01.000 -> 00:04.000\nHello.\n\n"
                      "2\n00:05.000 -> 00:08.000\nThanks.\n",
                      source="t.txt")
    assert srt.evidence == ["cues without valid WEBVTT, lines 8–14"]
    assert [(w.code, w.line) for w in srt.warnings][0] == ("transcript-as-text", 8)
    listed = import_text(after_letter + "- 00:00:01.000 --> 00:00:04.000\n- 00:00:05.000 --> 00:00:08.000\n",
                         source="t.txt")  # list items are no cues
    assert listed.evidence == ["nothing else, lines 8–9"]
    titled = import_text("2024\n\n[00:00:01.000 --> 00:00:04.000] Hello.\n", source="t.txt")
    assert titled.issue.stories == [Transcript(title="2024", cues=[
        Cue(start="00:00:01.000", end="00:00:04.000", text="Hello.")])]  # a number as a title is no cue's


def test_a_webvtt_line_with_a_title_and_a_last_cue_without_text_keep_the_whole_as_text():
    from authoring.importer import import_text

    titled = import_text("WEBVTT - Our talk\n\n1\n00:00:01.000 --> 00:00:04.000\nHello.\n", source="t.txt")
    assert titled.evidence == ["cues without valid WEBVTT, lines 1–5"]
    # the last cue has no text
    bare = import_text(_FIRST_CUE + "00:00:05.000 --> 00:00:08.000\n", source="t.txt")
    assert bare.evidence == ["cues without valid WEBVTT, lines 1–8"]
    assert [(w.code, w.line) for w in bare.warnings][0] == ("transcript-as-text", 1)


def test_a_number_alone_ending_the_page_is_text_not_a_cue():
    from authoring.importer import import_text

    result = import_text("Dear friends,\n\nHi.\n\nKeep learning!\n\n\n"
                         "We shipped a robot that folds towels.\n\n2024\n", source="t.txt")
    assert result.issue.stories == [model.Text(body="We shipped a robot that folds towels.\n\n2024")]
    assert result.evidence == ["nothing else, lines 8–10"]


def test_a_transcript_kept_as_text_keeps_its_cue_lines_markers_as_written():
    # "- Where are you?" read as a list item lost its dash when the cues were kept as text
    from authoring.importer import import_text
    from authoring.validate import validate_text

    text = ("Dear friends,\n\nHi.\n\nKeep learning!\n\nAndrew\n\n\nWEBVTT\n\n"
            "00:01.000 --> 00:02.000 line:0\n- Where are you?\n\n00:03.000 --> 00:04.000\n– Here.\n")
    imported = import_text(text, source="t.txt")
    (story,) = imported.issue.stories
    assert story.body.splitlines()[3:] == ["\\- Where are you?", "", "00:03.000 --> 00:04.000\\", "– Here."]
    validated = validate_text(imported.yaml)
    from authoring.render import RenderOptions, render_issue

    plain = render_issue(validated.built_issue, validated.publication, RenderOptions()).text
    assert "- Where are you?" in plain and "– Here." in plain



_ANA = "[00:00:01.000 --> 00:00:04.000] Ana: Welcome to the show."
_ANAS_CUE = Cue(start="00:00:01.000", end="00:00:04.000", speaker="Ana", text="Welcome to the show.")


def test_rendered_cues_opening_the_page_end_where_the_cues_do():
    """One cue at the top of the page: no title above it (the unit "before" the first is none,
    not the page's last), and the paragraph after the block gap is the next block."""
    from authoring.importer import import_text
    from authoring.model import Text

    result = import_text(f"{_ANA}\n\n\nA closing paragraph of text.\n", source="t.txt")
    assert result.issue.stories == [Transcript(cues=[_ANAS_CUE]), Text(body="A closing paragraph of text.")]
    assert result.evidence[0] == "cues as plain text writes them, line 1"


def test_rendered_cues_take_no_title_from_a_list_item_or_a_webvtt_line_above_them():
    from authoring.importer import import_text
    from authoring.model import Text

    listed = import_text(f"- a list item\n\n{_ANA}\n", source="t.txt")
    assert listed.issue.stories == [Text(body="- a list item"), Transcript(cues=[_ANAS_CUE])]
    # a WEBVTT line with no cue of its own is a block of one line: the rendered cue below is not
    # its title's cues
    webvtt = import_text(f"WEBVTT\n{_ANA}\n", source="t.txt")
    assert webvtt.issue.stories == [Text(body="WEBVTT"), Transcript(cues=[_ANAS_CUE])]
    assert [(w.code, w.line) for w in webvtt.warnings][0] == ("transcript-as-text", 1)
