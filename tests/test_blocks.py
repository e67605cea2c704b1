"""The block registry: every story type has one home that declares each of its parts."""

from __future__ import annotations

import dataclasses
import inspect

from authoring import blocks, checks, schema, structure
from authoring.paths import templates_dir


def test_every_registered_block_declares_each_part():
    registry = blocks.registry()
    assert list(registry)[:5] == ["header", "news", "promo", "feature", "text"]  # messages list them so
    for key, block in registry.items():
        assert block.key == key
        assert dataclasses.is_dataclass(block.model) and "path" in {f.name for f in dataclasses.fields(
            block.model)}, key
        assert (templates_dir() / "email" / f"{block.partial}.mjml.j2").is_file(), key
        for part in (block.text, block.emit, block.fields, block.links, block.summary):
            assert callable(part), (key, part)
        assert block.checks, f"{key} declares no checks"
        for name, block_check in block.checks.items():
            assert callable(block_check), (key, name)
        if block.shorthand is not None:
            assert block.shorthand in {f.name for f in dataclasses.fields(block.model)}, key
        assert blocks.of(block.model.__new__(block.model)) is block


def test_every_story_key_the_schema_knows_is_registered():
    story = schema.issue_schema()["$defs"]["Story"]["oneOf"]
    keys = {key for option in story for key in option["properties"]}
    assert keys == set(blocks.registry())
    assert len(story) == len(blocks.registry())


def test_block_checks_run_under_names_the_checks_module_knows_or_after_them():
    names = {name for block in blocks.registry().values() for name in block.checks}
    assert {"labels", "headlines", "empty"} <= names
    assert "block-checks" in checks.REGISTRY.checks


def test_the_stages_never_test_a_story_class():
    """No isinstance chains over block types: the stages ask the registry."""
    from authoring.importer import emit
    from authoring.render import html, text

    classes = [block.model.__name__ for block in blocks.registry().values()]
    for module in (checks, html, text, emit, schema, structure):
        source = inspect.getsource(module)
        for name in classes:
            assert f"isinstance(story, model.{name}" not in source, (module.__name__, name)
            assert f"model.{name}:" not in source, (module.__name__, name)


# ---- each block's parts with real stories: the rules' thresholds, order and messages, the plain
# ---- text the renderer's writer makes of them, the fields the checks read, the importer's YAML

import pytest  # noqa: E402

from authoring import codes, model  # noqa: E402
from authoring.blocks import feature, header, news, promo  # noqa: E402
from authoring.blocks import text as text_block  # noqa: E402
from authoring.diagnostics import Severity  # noqa: E402
from authoring.house import DEK_MAX_WORDS, HEADLINE_MAX_CHARS  # noqa: E402
from authoring.importer.emit import _YAML_OUT  # noqa: E402
from authoring.render.text import _LinkStyle, _Writer  # noqa: E402
from authoring.validate import validate_text  # noqa: E402

NEWS_PATH = ("stories", 1, "news")


def _news(headline="Robots Learn Chores", dek=None, sections=(), image=None, index=1):
    path = ("stories", index, "news")
    return model.News(headline=headline, dek=dek, image=image, path=path, sections=[
        model.Section(label=label, body=body, path=path + ("sections", n, label or ""))
        for n, (label, body) in enumerate(sections)])


def _found(check, story, seen=None):
    return [(f.code, f.message, f.path, f.hint, f.key) for f in check(story, {} if seen is None else seen)]


def _writer() -> _Writer:
    return _Writer(_LinkStyle())


def test_labels_in_the_customary_order_pass_and_one_offs_sit_anywhere():
    story = _news(sections=[("What’s new", "a"), ("Our take", "b"), ("How it works", "c"),
                            ("Results", "d"), ("Why it matters", "e"), ("We’re thinking", "f"), (None, "g")])
    assert _found(news.check_labels, story) == []


def test_a_label_before_its_customary_place_names_the_one_it_follows():
    story = _news(sections=[("Results", "a"), ("Key insight", "b")])
    assert _found(news.check_labels, story) == [
        (codes.LABEL_ORDER, "'Key insight' usually comes before 'Results'", NEWS_PATH + ("sections", 1,
         "Key insight"), "reorder the sections: What’s new → Key insight → How it works → …", True)]


def test_label_order_compares_with_the_furthest_label_so_far():
    # Why it matters (7) then Results (4) then Behind the news (5): both later ones are out of order,
    # each named against Why it matters, the furthest reached
    story = _news(sections=[("Why it matters", "a"), ("Results", "b"), ("Behind the news", "c")])
    assert [m for _, m, *_ in _found(news.check_labels, story)] == [
        "'Results' usually comes before 'Why it matters'",
        "'Behind the news' usually comes before 'Why it matters'"]


def test_a_repeated_label_is_in_order_and_the_same_rank_twice_is_too():
    story = _news(sections=[("What’s new", "a"), ("How it works", "b"), ("How it worked", "c"),
                            ("How it works", "d"), ("Results", "e")])
    assert _found(news.check_labels, story) == []


def test_a_label_with_its_own_colon_and_a_straight_apostrophe_is_still_ranked():
    story = _news(sections=[("Results", "a"), ("We're thinking:", "b"), ("What's new", "c")])
    assert _found(news.check_labels, story) == [
        (codes.LABEL_COLON, "label 'We're thinking:' carries its own colon", NEWS_PATH + ("sections", 1,
         "We're thinking:"), "write 'We're thinking': the colon is added when rendering", True),
        (codes.LABEL_ORDER, "'What's new' usually comes before 'We're thinking'",
         NEWS_PATH + ("sections", 2, "What's new"),
         "reorder the sections: What’s new → Key insight → How it works → …", True)]


def test_a_label_close_to_a_customary_one_is_suggested_and_not_ranked():
    story = _news(sections=[("Results", "a"), ("Whats new", "b"), ("Key insight", "c")])
    found = _found(news.check_labels, story)
    assert found[0] == (codes.UNKNOWN_LABEL, "unknown section label 'Whats new'",
                        NEWS_PATH + ("sections", 1, "Whats new"), "did you mean 'What’s new'?", True)
    assert [f[0] for f in found] == [codes.UNKNOWN_LABEL, codes.LABEL_ORDER]
    assert found[1][1] == "'Key insight' usually comes before 'Results'"


@pytest.mark.parametrize(("headline", "found"), [
    ("Wait...", []), ("Wait…", []), ("Robots learn.", [codes.HEADLINE_PERIOD]),
    ("H" * HEADLINE_MAX_CHARS, []), ("H" * (HEADLINE_MAX_CHARS + 1), [codes.LONG_HEADLINE]),
    ("  " + "H" * HEADLINE_MAX_CHARS + "  ", []), ("   ", [codes.EMPTY_HEADLINE]),
])
def test_headline_rules(headline, found):
    assert [code for code, *_ in _found(news.check_headline, _news(headline=headline))] == found


def test_headline_messages_give_the_figures_and_the_path():
    path = NEWS_PATH + ("headline",)
    assert _found(news.check_headline, _news(headline="H" * 71)) == [
        (codes.LONG_HEADLINE, "headline is 71 characters long (house limit 70)", path,
         "shorten it; details belong in the dek", False)]
    assert _found(news.check_headline, _news(headline="Done.")) == [
        (codes.HEADLINE_PERIOD, "headline ends with a period", path, "drop the final period", False)]
    (empty,) = news.check_headline(_news(headline=""), {})
    assert (empty.code, empty.message, empty.path, empty.hint, empty.severity) == (
        codes.EMPTY_HEADLINE, "headline is empty", path, "write the story's title", Severity.ERROR)
    assert HEADLINE_MAX_CHARS == 70 and DEK_MAX_WORDS == 60


def test_an_empty_headline_is_not_remembered_for_duplicates():
    seen: dict = {}
    assert [f.code for f in news.check_headline(_news(headline=" ", dek="x " * 99), seen)] == [
        codes.EMPTY_HEADLINE]
    assert seen == {}


def test_a_duplicate_headline_in_another_case_names_the_first():
    seen: dict = {}
    assert _found(news.check_headline, _news(headline="Robots Learn Chores", index=1), seen) == []
    assert seen == {"robots learn chores": ("stories", 1, "news", "headline")}
    again = _found(news.check_headline, _news(headline=" ROBOTS learn chores ", index=4), seen)
    assert again == [(codes.DUPLICATE_HEADLINE, "headline 'ROBOTS learn chores' is used twice",
                      ("stories", 4, "news", "headline"), "the first is at stories[1].news.headline",
                      False)]
    assert seen == {"robots learn chores": ("stories", 1, "news", "headline")}  # the first stays


def test_a_dek_over_60_words_is_long_and_60_is_not():
    assert _found(news.check_headline, _news(dek=" ".join(["word"] * 60))) == []
    assert _found(news.check_headline, _news(dek="word " * 61)) == [
        (codes.LONG_DEK, "dek is 61 words long (house limit 60)", NEWS_PATH + ("dek",),
         "keep the dek to one or two sentences", False)]


def test_news_without_sections_or_with_an_empty_one():
    assert _found(news.check_empty, _news()) == [
        (codes.NO_SECTIONS, "news story has no sections", NEWS_PATH,
         "add 'sections:' with '- What’s new: ...'", False)]
    story = _news(sections=[("Results", " \n"), (None, ""), ("Why it matters", "x")])
    assert _found(news.check_empty, story) == [
        (codes.EMPTY_SECTION, "section 'Results' is empty", NEWS_PATH + ("sections", 0, "Results"),
         "write its text or remove it", True),
        (codes.EMPTY_SECTION, "section '' is empty", NEWS_PATH + ("sections", 1, ""),
         "write its text or remove it", True)]


def test_other_blocks_empty_rules():
    path = ("stories", 2, "x")
    assert _found(header.check_empty, model.Header(title=" ", path=path)) == [
        (codes.EMPTY_BODY, "header is empty", path, "write its title", False)]
    assert _found(header.check_empty, model.Header(title="News", path=path)) == []
    assert _found(feature.check_empty, model.Feature(title="T", body="\n", path=path)) == [
        (codes.EMPTY_BODY, "body is empty", path + ("body",), "write the text or remove the block", False)]
    assert _found(feature.check_empty, model.Feature(title="T", body="x", path=path)) == []
    assert _found(text_block.check_empty, model.Text(body=" ", path=path)) == [
        (codes.EMPTY_BODY, "body is empty", path + ("body",), "write the text or remove the block", False)]
    assert _found(text_block.check_empty, model.Text(body="x", path=path)) == []
    link = model.Link(text="Enroll now", url="https://example.org/c", path=path + ("cta",))
    assert _found(promo.check_empty, model.Promo(body=" ", path=path)) == [
        (codes.EMPTY_BODY, "body is empty", path + ("body",), "write the text or remove the block", False),
        (codes.PROMO_WITHOUT_CTA, "promo has no call to action", path,
         "add 'cta: {text: Enroll now, url: https://...}'", False)]
    assert _found(promo.check_empty, model.Promo(body="x", cta=link, path=path)) == []


def test_plain_text_of_each_block():
    image = model.Image(src="a.png", alt=" A robot ", path=("i",))
    story = _news(headline="Robots Learn", dek="Short *dek*.", image=image,
                  sections=[("What’s new", "New things."), (None, "Unlabeled.")])
    assert news.text(story, _writer()) == ["[Image: A robot]", "Robots Learn", "Short dek.",
                                           "What’s new: New things.", "Unlabeled."]
    assert news.text(_news(headline="Bare"), _writer()) == ["Bare"]
    assert header.text(model.Header(title="News"), _writer()) == ["News\n===="]
    essay = model.Feature(title="Essay", body="Body.", byline="By us", image=image)
    assert feature.text(essay, _writer()) == ["[Image: A robot]", "Essay", "By us", "Body."]
    assert feature.text(model.Feature(title="Essay", body="Body."), _writer()) == ["Essay", "Body."]
    assert text_block.text(model.Text(body="One.\n\nTwo."), _writer()) == ["One.", "Two."]


def test_plain_text_of_a_promo_puts_the_kicker_first_and_the_call_to_action_last():
    image = model.Image(src="a.png", alt="Banner", path=("i",))
    cta = model.Link(text=" Enroll now ", url="https://example.org/c", path=("c",))
    story = model.Promo(body="Learn.", kicker="A MESSAGE", image=image, cta=cta)
    assert promo.text(story, _writer()) == ["A MESSAGE", "[Image: Banner]", "Learn.",
                                            "Enroll now: https://example.org/c"]
    unsafe = model.Link(text="Enroll now", url="javascript:alert(1)", path=("c",))
    assert promo.text(model.Promo(body="Learn.", cta=unsafe), _writer()) == ["Learn.", "Enroll now"]
    blank = model.Link(text="  ", url="https://example.org/c", path=("c",))
    assert promo.text(model.Promo(body="Learn.", cta=blank), _writer()) == ["Learn."]


def test_fields_the_checks_read_in_reading_order():
    image = model.Image(src="a.png", alt="Alt", path=("stories", 1, "news", "image"))
    story = _news(headline="H", dek="D", image=image, sections=[("Results", "R")])
    assert list(news.fields(story)) == [
        (("stories", 1, "news", "image", "alt"), "Alt", False), (NEWS_PATH + ("headline",), "H", False),
        (NEWS_PATH + ("dek",), "D", True), (NEWS_PATH + ("sections", 0, "Results"), "R", True)]
    assert list(news.fields(_news(headline="H"))) == [(NEWS_PATH + ("headline",), "H", False)]
    assert news.summary(story) == "D"
    path = ("stories", 3, "promo")
    cta = model.Link(text="Go", url="https://example.org", path=path + ("cta",))
    full = model.Promo(body="B", kicker="K", image=model.Image(src="a", alt="A", path=path + ("image",)),
                       cta=cta, path=path)
    assert list(promo.fields(full)) == [
        (path + ("image", "alt"), "A", False), (path + ("kicker",), "K", False),
        (path + ("body",), "B", True), (path + ("cta", "text"), "Go", False)]
    assert list(promo.fields(model.Promo(body="B", path=path))) == [(path + ("body",), "B", True)]
    assert list(promo.links(full)) == [(path + ("cta", "url"), "https://example.org")]
    assert list(promo.links(model.Promo(body="B", path=path))) == []
    essay = model.Feature(title="T", body="B", byline="By", image=model.Image(src="a", alt="A", path=("i",)),
                          path=path)
    assert list(feature.fields(essay)) == [(("i", "alt"), "A", False), (path + ("title",), "T", False),
                                           (path + ("byline",), "By", False), (path + ("body",), "B", True)]
    assert list(feature.fields(model.Feature(title="T", body="B", path=path))) == [
        (path + ("title",), "T", False), (path + ("body",), "B", True)]
    assert list(header.fields(model.Header(title="N", path=path))) == [(path + ("title",), "N", False)]
    assert list(text_block.fields(model.Text(body="B", path=path))) == [(path + ("body",), "B", True)]
    assert blocks.registry()["header"].summary(model.Header(title="N")) is None
    assert list(blocks.registry()["header"].links(model.Header(title="N"))) == []


def test_importer_yaml_of_each_block():
    story = _news(headline="H", sections=[("Results", "R"), (None, "Plain"), ("Yes, but", "")])
    assert news.emit(story, _YAML_OUT) == {"headline": "H", "sections": [{"Results": "R"}, "Plain",
                                                                          {"Yes, but": None}]}
    assert news.emit(_news(headline="H", dek="D"), _YAML_OUT) == {"headline": "H", "dek": "D"}
    assert header.emit(model.Header(title="News"), _YAML_OUT) == "News"
    assert text_block.emit(model.Text(body="One line"), _YAML_OUT) == "One line"
    assert feature.emit(model.Feature(title="T", body="B", byline="By"), _YAML_OUT) == {
        "title": "T", "byline": "By", "body": "B"}
    cta = model.Link(text="Go", url="https://example.org", path=())
    assert promo.emit(model.Promo(body="B", kicker="K", cta=cta), _YAML_OUT) == {
        "kicker": "K", "body": "B", "cta": {"text": "Go", "url": "https://example.org"}}
    assert promo.emit(model.Promo(body="B"), _YAML_OUT) == {"body": "B"}


def test_the_registry_finds_each_block_by_model_and_refuses_other_classes():
    assert blocks.by_model(model.News) is blocks.registry()["news"]
    assert blocks.by_model(model.Section) is None
    with pytest.raises(TypeError, match="^no block type for Section$"):
        blocks.of(model.Section(label=None, body=""))
    assert blocks.kinds() == {"header": model.Header, "news": model.News, "promo": model.Promo,
                              "feature": model.Feature, "text": model.Text,
                              **{k: v for k, v in blocks.kinds().items()
                                 if k not in {"header", "news", "promo", "feature", "text"}}}
    orders = [b.order for b in blocks.registry().values()]
    assert orders == sorted(orders)


def test_importer_yaml_keeps_each_blocks_image():
    image = model.Image(src="a.png", alt="A robot", href="https://x.org/")
    written = {"src": "a.png", "alt": "A robot", "href": "https://x.org/"}
    assert _YAML_OUT.image(image) == written
    assert news.emit(_news(headline="H", image=image), _YAML_OUT) == {"image": written, "headline": "H"}
    assert feature.emit(model.Feature(title="T", body="B", image=image), _YAML_OUT) == {
        "image": written, "title": "T", "body": "B"}
    assert promo.emit(model.Promo(body="B", image=image), _YAML_OUT) == {"image": written, "body": "B"}


def test_an_unlabeled_section_does_not_end_the_order_check_and_labels_may_end_in_any_letter():
    story = _news(sections=[("Results", "a"), (None, "b"), ("Key insight", "c"), ("Plan X", "d")])
    assert [m for _, m, *_ in _found(news.check_labels, story)] == [
        "'Key insight' usually comes before 'Results'"]


def test_label_order_names_the_latest_of_equally_ranked_labels():
    story = _news(sections=[("How it works", "a"), ("How it worked", "b"), ("Key insight", "c")])
    assert [m for _, m, *_ in _found(news.check_labels, story)] == [
        "'Key insight' usually comes before 'How it worked'"]


# ---- the feature's recogniser: what it reads as the picture, the title and the byline

_AFTER_A_LETTER = "Dear friends,\n\nHi.\n\nKeep learning!\n\n\n"


def test_a_caption_title_and_one_paragraph_make_a_feature_with_its_picture():
    from authoring.importer import import_text

    result = import_text(_AFTER_A_LETTER + "A robot arm on a desk\n\nThe Long Road to Autonomy\n\n"
                         "It took a decade.\n", source="t.txt")
    assert result.issue.stories == [model.Feature(title="The Long Road to Autonomy", body="It took a decade.",
                                                  image=model.Image(alt="A robot arm on a desk"))]
    assert result.evidence == ["caption, title 'The Long Road to Autonomy' (line 10) and 1 paragraph"]


def test_a_byline_may_end_in_an_exclamation_mark_and_is_no_paragraph():
    from authoring.importer import import_text

    result = import_text(_AFTER_A_LETTER + "The Long Road to Autonomy\nBy Ana Ruiz!\nIt took a decade.\n"
                         "Then it was done.\n", source="t.txt")
    (feature,) = result.issue.stories
    assert (feature.byline, feature.body) == ("By Ana Ruiz!", "It took a decade.\n\nThen it was done.")
    assert result.evidence == ["title 'The Long Road to Autonomy' (line 8) and 2 paragraphs"]


def test_news_stories_one_blank_line_apart_end_at_the_next_headline_with_its_labels():
    from authoring.importer import import_text

    text = ("Robots Learn Chores\n\nA dek here.\n\nWhat’s new: A robot folded towels.\n\n"
            "Why it matters: Homes are messy.\n\nChips Get Cheaper\n\nWhat’s new: Prices fell.\n\n"
            "Why it matters: More labs can train.\n")
    result = import_text(text, source="t.txt")
    assert [(s.headline, [x.label for x in s.sections]) for s in result.issue.stories] == [
        ("Robots Learn Chores", ["What’s new", "Why it matters"]),
        ("Chips Get Cheaper", ["What’s new", "Why it matters"])]
    assert result.evidence == ["headline 'Robots Learn Chores' (line 1) and 2 labelled sections",
                               "headline 'Chips Get Cheaper' (line 9) and 2 labelled sections"]


def test_a_call_to_action_alone_on_its_line_has_at_most_six_words():
    from authoring.importer import import_text

    def promo(cta: str) -> model.Promo:
        text = _AFTER_A_LETTER + f"A MESSAGE FROM ACME CLOUD\n\nOur course opens soon.\n\n{cta}\n"
        (found,) = import_text(text, source="t.txt").issue.stories
        return found

    assert promo("Sign up for the course today").cta == model.Link(text="Sign up for the course today")
    text = _AFTER_A_LETTER + ("A MESSAGE FROM ACME CLOUD\n\nOur course opens soon.\n\n"
                              "Sign up for the course today\n")
    assert import_text(text, source="t.txt").evidence == [
        "kicker 'A MESSAGE FROM ACME CLOUD' (line 8) and "
        "call to action 'Sign up for the course today' (line 12)"]
    seven = promo("Sign up for the new course today")
    assert seven.cta is None and seven.body == "Our course opens soon.\n\nSign up for the new course today"


def test_a_run_ending_in_a_call_to_action_of_six_words_is_a_promo_without_a_kicker():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + "Our launch is soon.\n\nSign up for the list today\n"
    result = import_text(text, source="t.txt")
    assert result.issue.stories == [model.Promo(body="Our launch is soon.",
                                                cta=model.Link(text="Sign up for the list today"))]
    assert result.evidence == ["call to action 'Sign up for the list today' (line 10)"]


@pytest.mark.parametrize(("last", "cta"), [
    ("Keep building! Andrew", None),  # a one-line sign-off after an essay: no call to action
    ("We tested it. Results Table", None),
    ("Our launch is soon. Sign up now", model.Link(text="Sign up now")),  # a verb telling what to do
    ("Our launch is soon. The Waitlist (https://example.org/w)",
     model.Link(text="The Waitlist", url="https://example.org/w")),  # or its link
])
def test_a_call_to_action_glued_to_a_sentence_needs_a_verb_or_its_link(last, cta):
    from authoring.importer import import_text

    (story,) = import_text(_AFTER_A_LETTER + last + "\n", source="t.txt").issue.stories
    assert (story.cta if isinstance(story, model.Promo) else None) == cta
    assert isinstance(story, model.Promo) == (cta is not None)


def test_a_headline_like_line_inside_a_story_stays_in_its_section_and_one_label_is_singular():
    from authoring.importer import import_text

    text = ("Robots Learn Chores\n\nA dek here.\n\nWhat’s new: A robot folded towels.\n\nThe Numbers\n\n"
            "It folded forty towels.\n")
    result = import_text(text, source="t.txt")
    (news,) = result.issue.stories
    body = "A robot folded towels.\n\nThe Numbers\n\nIt folded forty towels."
    assert news.sections == [model.Section(label="What’s new", body=body)]
    assert result.evidence == ["headline 'Robots Learn Chores' (line 1) and 1 labelled section"]


def test_a_short_line_alone_at_the_end_of_a_page_is_a_header():
    from authoring.importer import import_text

    result = import_text(_AFTER_A_LETTER + "Closing Notes\n", source="t.txt")
    assert result.issue.stories == [model.Header(title="Closing Notes")]
    assert result.evidence == ["a short line alone between two blocks, line 8"]


def test_a_lone_caption_label_is_skipped_and_the_story_after_it_keeps_its_picture_without_a_dek():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + ("Left: a sensor on a pole.\n\n\nA robot arm on a desk\n\n"
                              "Robots Learn Chores\n\nWhat’s new: A thing.\n\nWhy it matters: It does.\n")
    caption, news = import_text(text, source="t.txt").issue.stories
    assert caption == model.Text(body="Left: a sensor on a pole.")
    assert (news.headline, news.dek, news.image) == ("Robots Learn Chores", None,
                                                     model.Image(alt="A robot arm on a desk"))


@pytest.mark.parametrize("caption, title", [
    ("[Image: A Robot Arm On A Desk]", "The long road to autonomy"),  # an image line, whatever the case
    ("A Robot Arm On A Desk", "The Long Road to Autonomy"),  # a title-case title under a title-case line
])
def test_the_line_above_a_features_title_is_its_picture(caption, title):
    from authoring.importer import import_text

    (feature,) = import_text(_AFTER_A_LETTER + f"{caption}\n\n{title}\n\nIt took a decade.\n",
                             source="t.txt").issue.stories
    assert feature == model.Feature(title=title, body="It took a decade.",
                                    image=model.Image(alt="A Robot Arm On A Desk"))


def test_a_lone_label_under_a_title_does_not_stop_the_search_for_stories():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + ("A Robot in the Field\n\nLeft: a sensor on a pole.\n\n\nRobots Learn Chores\n\n"
                              "What’s new: A thing.\n\nWhy it matters: It does.\n")
    feature, news = import_text(text, source="t.txt").issue.stories
    assert feature == model.Feature(title="A Robot in the Field", body="Left: a sensor on a pole.")
    assert [s.label for s in news.sections] == ["What’s new", "Why it matters"]


def test_a_kicker_right_above_a_headline_is_no_picture_of_the_story():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + ("Intro text here.\n\nA MESSAGE FROM ACME CLOUD\n\nRobots Learn Chores\n\n"
                              "What’s new: A thing.\n\nWhy it matters: It does.\n")
    imported = import_text(text, source="t.txt")
    stories = imported.issue.stories
    assert [type(s).__name__ for s in stories] == ["Text", "Text", "News"] and stories[2].image is None
    # a kicker alone introduces no promo (an empty one failed validation: 'body' is required)
    assert stories[1].body == "A MESSAGE FROM ACME CLOUD"
    assert not validate_text(imported.yaml).report.errors


def test_a_question_above_a_title_case_line_is_the_features_title_not_its_picture():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + "Why Do Small Teams Win?\n\nA Second Line in Title Case\n\nIt took a decade.\n"
    (feature,) = import_text(text, source="t.txt").issue.stories
    assert (feature.title, feature.image) == ("Why Do Small Teams Win?", None)


_STORY = ("Robots Learn Chores\n\nA dek here.\n\nWhat’s new: A robot folded towels.\n\n"
          "Why it matters: Homes are messy.\n\n")


def test_a_headline_inside_a_story_starts_the_next_only_with_a_label_within_four_paragraphs():
    from authoring.importer import import_text

    def stories(paragraphs: int) -> list[tuple[str, list[str | None]]]:
        text = _STORY + "Chips Get Cheaper\n\n" + "".join(f"Paragraph {k}.\n\n" for k in range(paragraphs)) \
            + "Background: Prices fell.\n"
        found = import_text(text, source="t.txt").issue.stories
        return [(s.headline, [x.label for x in s.sections]) for s in found]

    assert stories(3) == [("Robots Learn Chores", ["What’s new", "Why it matters"]),
                          ("Chips Get Cheaper", [None, None, "Background"])]  # the label 4th after it
    assert stories(4) == [("Robots Learn Chores", ["What’s new", "Why it matters", "Background"])]


def test_a_headline_inside_a_story_followed_by_a_list_item_or_a_block_gap_stays_in_it():
    from authoring.importer import import_text

    listed = import_text(_STORY + "Chips Get Cheaper\n\n- One item.\n\nBackground: Prices fell.\n",
                         source="t.txt")
    (news,) = listed.issue.stories
    assert news.sections[1].body == "Homes are messy.\n\nChips Get Cheaper\n\n- One item."
    gap = import_text(_STORY + "The Numbers\n\n\nOur course opens soon. Join us.\n", source="t.txt")
    assert gap.issue.stories[0].sections[1].body == "Homes are messy.\n\nThe Numbers"
    assert gap.evidence[1:] == ["nothing else, line 12"]


def test_a_call_to_action_alone_keeps_its_url_and_a_list_item_is_never_one():
    from authoring.importer import import_text

    def promo(last: str) -> model.Promo:
        text = _AFTER_A_LETTER + f"A MESSAGE FROM ACME CLOUD\n\nOur course opens soon.\n\n{last}\n"
        (found,) = import_text(text, source="t.txt").issue.stories
        return found

    assert promo("Sign up today (https://acme.example/join)").cta == model.Link(
        text="Sign up today", url=model.Url("https://acme.example/join"))
    listed = promo("- Sign up today")
    assert listed.cta is None and listed.body == "Our course opens soon.\n\n- Sign up today"


def test_a_label_with_nothing_after_it_stays_an_empty_section_of_the_story():
    from authoring.importer import import_text

    result = import_text("Robots Learn Chores\n\nA dek here.\n\nWhat’s new:\n\n"
                         "Why it matters: Homes are messy.\n\n"
                         "Background: Old.\n", source="t.txt")
    (news,) = result.issue.stories
    assert news.sections == [model.Section(label="What’s new", body=""),
                             model.Section(label="Why it matters", body="Homes are messy."),
                             model.Section(label="Background", body="Old.")]
    assert result.evidence == ["headline 'Robots Learn Chores' (line 1) and 3 labelled sections"]
    above = import_text("Robots Learn Chores\n\nA dek here.\n\nWhat’s new:\n\nA robot folded towels.\n\n"
                        "Why it matters: Homes are messy.\n", source="t.txt")
    assert above.issue.stories[0].sections[0] == model.Section(label="What’s new",
                                                                body="A robot folded towels.")


def test_a_call_to_action_alone_after_two_paragraphs_keeps_both_in_the_body():
    from authoring.importer import import_text

    text = _AFTER_A_LETTER + ("A MESSAGE FROM ACME CLOUD\n\nOur course opens soon.\n\nIt has ten lessons.\n\n"
                              "Sign up today\n")
    (found,) = import_text(text, source="t.txt").issue.stories
    assert found.body == "Our course opens soon.\n\nIt has ten lessons."
    assert found.cta == model.Link(text="Sign up today")


def test_a_headline_right_above_a_label_starts_the_next_story():
    from authoring.importer import import_text

    result = import_text(_STORY + "Chips Get Cheaper\n\nBackground: Prices fell.\n", source="t.txt")
    assert [(s.headline, [x.label for x in s.sections]) for s in result.issue.stories] == [
        ("Robots Learn Chores", ["What’s new", "Why it matters"]), ("Chips Get Cheaper", ["Background"])]


def test_a_promo_without_a_kicker_is_a_run_of_at_most_four_paragraphs_ending_in_a_call_to_action():
    from authoring.importer import import_text

    def stories(paragraphs: int, last: str = "Sign up today (https://acme.example/join)") -> list:
        body = "".join(f"Our launch is soon, part {k}.\n\n" for k in range(paragraphs - 1))
        return import_text(_AFTER_A_LETTER + body + last + "\n", source="t.txt").issue.stories

    (four,) = stories(4)
    assert isinstance(four, model.Promo) and four.cta == model.Link(
        text="Sign up today", url=model.Url("https://acme.example/join"))
    assert [type(s) for s in stories(5)] == [model.Text]
    assert [type(s) for s in stories(2, "- Sign up today (https://acme.example/join)")] == [model.Text]


def test_a_call_to_action_after_a_sentence_on_its_line_has_at_most_six_words():
    from authoring.importer import import_text

    def promo(cta: str) -> model.Promo:
        text = _AFTER_A_LETTER + f"A MESSAGE FROM ACME CLOUD\n\nOur course opens soon. {cta} (https://acme.example)\n"
        (found,) = import_text(text, source="t.txt").issue.stories
        return found

    six = promo("Sign up for the course today")
    assert six.body == "Our course opens soon." and six.cta == model.Link(
        text="Sign up for the course today", url=model.Url("https://acme.example"))
    assert promo("Sign up for the new course today").cta is None


def test_a_call_to_an_offer_is_one_sentence_of_a_paragraph_never_a_list_item():
    from authoring.importer import import_text

    def types(run: str) -> list[type]:
        return [type(s) for s in import_text(_AFTER_A_LETTER + run, source="t.txt").issue.stories]

    assert types("We met on Monday. Join us today. Our session was on May 3.\n") == [model.Text]
    assert types("- Join the instructors for a live session on May 3.\n\nWe wrote more.\n") == [model.Text]
    assert types("We met on Monday. Join the instructors for a live session on May 3.\n") == [model.Promo]


def test_a_line_alone_between_blocks_is_a_header_up_to_four_words_and_a_call_to_action_alone_no_promo():
    from authoring.importer import import_text

    def evidence(line: str) -> str:
        result = import_text(_AFTER_A_LETTER + line + "\n\n\nOur course opens soon. It has ten lessons.\n",
                             source="t.txt")
        return result.evidence[0]

    assert evidence("Four Words Make Titles") == "a short line alone between two blocks, line 8"
    assert evidence("Notes on Xenon") == "a short line alone between two blocks, line 8"
    assert evidence("Five Words Make Good Titles") == "nothing else, line 8"
    # a call to action needs a message above it: alone, it is text, not a promo with no evidence
    assert evidence("Sign up today (https://acme.example/join)") == "nothing else, line 8"


def _stories(text: str) -> list[tuple[str, str]]:
    """Each story the importer makes of a page: its type and its title (or its text)."""
    from authoring.importer import import_text

    found = import_text(text, source="t.txt").issue.stories
    return [(type(s).__name__, getattr(s, "headline", None) or getattr(s, "title", None)
             or getattr(s, "body", "")) for s in found]


def test_a_news_headline_has_at_most_three_paragraphs_before_its_first_label():
    def story(paragraphs: int) -> list[tuple[str, str]]:
        text = "Chips Get Cheaper\n\n" + "".join(f"Paragraph {k}.\n\n" for k in range(paragraphs)) \
            + "What’s new: Prices fell.\n\nWhy it matters: More labs.\n"
        return _stories(text)

    assert story(3) == [("News", "Chips Get Cheaper")]  # a dek and two paragraphs without a label
    assert story(4) == [("Feature", "Chips Get Cheaper")]


def test_a_known_section_name_above_labels_is_a_header_not_a_headline():
    labels = "What’s new: Prices fell.\n\nWhy it matters: More labs."
    assert _stories(_AFTER_A_LETTER + "In Brief\n\n" + labels + "\n") == [("Header", "In Brief"),
                                                                         ("Text", labels)]


def test_labels_that_repeat_are_a_dialogue_and_the_stories_after_it_are_still_found():
    text = _AFTER_A_LETTER + ("Our Chat\n\nAna: Hello there.\n\nBo: Hi.\n\nAna: Bye now.\n\n\n"
                              "Chips Get Cheaper\n\nWhat’s new: Prices fell.\n\nWhy it matters: More labs.\n")
    assert _stories(text) == [("Feature", "Our Chat"), ("News", "Chips Get Cheaper")]


def test_one_label_of_its_own_before_lower_case_text_is_a_caption_but_two_are_sections():
    from authoring.importer import import_text

    two = import_text(_AFTER_A_LETTER + "Chips Get Cheaper\n\nLeft: a sensor on a pole.\n\n"
                      "Right: a robot arm.\n", source="t.txt")
    assert [(s.label, s.body) for s in two.issue.stories[0].sections] == [
        ("Left", "a sensor on a pole."), ("Right", "a robot arm.")]
    # the first character decides: a lower-case one makes a caption, a digit does not
    assert _stories(_AFTER_A_LETTER + "Chips Get Cheaper\n\nUpdate: iPhone sales rose.\n") == [
        ("Feature", "Chips Get Cheaper")]
    assert _stories(_AFTER_A_LETTER + "Chips Get Cheaper\n\nUpdate: 3d printers sold out.\n") == [
        ("News", "Chips Get Cheaper")]


def test_a_line_above_a_headline_that_an_earlier_block_holds_is_no_picture_of_the_story():
    from authoring.importer import import_text

    # a flattened transcript without a final stop reads as an image's alt text, but it is a block
    result = import_text(_AFTER_A_LETTER + "WEBVTT Kind captions Hello there\n\nChips Get Cheaper\n\n"
                         "What’s new: Prices fell.\n\nWhy it matters: More labs.\n", source="t.txt")
    flattened, news = result.issue.stories
    assert flattened.body == "WEBVTT Kind captions Hello there"
    assert (news.headline, news.image) == ("Chips Get Cheaper", None)
    assert result.evidence[1] == "headline 'Chips Get Cheaper' (line 10) and 2 labelled sections"


_CARDS = [("Research", "Models Keep Growing", "Parameter counts doubled again this year, and costs rose."),
          ("Robotics", "Gentle Grippers", "Soft robot hands learn to hold fragile things."),
          ("Policy", "Judges Try Chatbots", "Courts test language models for drafting routine orders.")]
_CAPTIONS = ["A robot arm on a desk", "A chip on a board", "A judge at a bench"]
_PLAIN_CARDS = "".join(f"{tag}\n\n{title}\n\n{summary}\n\n" for tag, title, summary in _CARDS)
_CAPTIONED_CARDS = "".join(f"{caption}\n\n{tag}\n\n{title}\n\n{summary}\n\n"
                           for (tag, title, summary), caption in zip(_CARDS, _CAPTIONS, strict=True))
_AFTER_THE_FIRST_CAPTION = _CAPTIONED_CARDS.split("\n\n", 1)[1]


def _evidence(text: str) -> list[str]:
    from authoring.importer import import_text

    return import_text(text, source="t.txt").evidence


def test_captioned_index_cards_start_at_the_first_caption_and_only_at_an_image_caption():
    assert _evidence(_AFTER_A_LETTER + "We wrote notes.\n\n" + _CAPTIONED_CARDS) == [
        "nothing else, line 8", "index cards, lines 10–32"]  # the caption two lines above is a sentence
    # the first card without its caption: the sentence above it stays out, whatever is above that
    assert _evidence(_AFTER_A_LETTER + "Our Robot Notes\n\nWe wrote notes this week.\n\n"
                     + _AFTER_THE_FIRST_CAPTION) == ["title 'Our Robot Notes' (line 8) and 1 paragraph",
                                                     "index cards, lines 12–32"]


def test_a_line_above_captioned_cards_that_an_earlier_block_holds_is_no_caption_of_theirs():
    # a flattened transcript without a final stop reads as a caption, but it is a block of its own
    assert _evidence(_AFTER_A_LETTER + "WEBVTT Kind captions Hello there\n\n" + _AFTER_THE_FIRST_CAPTION) == [
        "'WEBVTT' glued to the text after it, line 8", "index cards, lines 10–30"]


def test_up_to_three_paragraphs_above_index_cards_are_the_pages_heading():
    heading = ["Robots", "Stories about robots and the people who build them.", "Page 2 of 7",
               "Sorted by date"]
    assert _evidence("\n\n".join(heading[:3]) + "\n\n" + _PLAIN_CARDS) == ["index cards, lines 1–23"]
    assert _evidence("\n\n".join(heading) + "\n\n" + _PLAIN_CARDS) == [
        "title 'Robots' (line 1) and 3 paragraphs", "index cards, lines 9–25"]


@pytest.mark.parametrize("above", ["Filed under: robots and chips", "Hi all,", "Hello readers,", "Dear all,"])
def test_a_label_or_a_greeting_above_index_cards_is_no_heading_of_theirs(above):
    assert _evidence(f"Robots\n\n{above}\n\n" + _PLAIN_CARDS)[-1] == "index cards, lines 5–21"


def test_index_cards_after_a_block_gap_start_a_second_run_of_cards():
    assert _evidence(_AFTER_A_LETTER + _PLAIN_CARDS + "\n" + _PLAIN_CARDS) == [
        "index cards, lines 8–24", "index cards, lines 27–43"]


def test_a_picture_above_the_next_news_headline_is_that_storys_not_the_end_of_the_one_before():
    from authoring.importer import import_text

    # one blank line apart: an [Image: ...] line is the next story's picture, as its caption alone
    # was (it went into the last section of the story before, shown as an image there)
    for picture in ("[Image: A chip on a board]", "A chip on a board"):
        result = import_text(_STORY + f"{picture}\n\nChips Get Cheaper\n\nWhat’s new: Prices fell.\n\n"
                             "Why it matters: More labs.\n", source="t.txt")
        first, second = result.issue.stories
        assert first.sections[-1] == model.Section(label="Why it matters", body="Homes are messy."), picture
        assert (second.headline, second.image) == ("Chips Get Cheaper", model.Image(alt="A chip on a board"))
        assert result.evidence == ["headline 'Robots Learn Chores' (line 1) and 2 labelled sections",
                                   "headline 'Chips Get Cheaper' (line 11) and 2 labelled sections"]
    # a line that would be a picture, but not above a headline with its labels, stays in the story
    (story,) = import_text(_STORY + "[Image: A chip on a board]\n\nChips Get Cheaper\n\nPrices fell.\n",
                           source="t.txt").issue.stories
    assert story.sections[-1].body == ("Homes are messy.\n\n![A chip on a board]()\n\nChips Get Cheaper\n\n"
                                       "Prices fell.")


@pytest.mark.parametrize("after", ["", "\nChips Get Cheaper\n\n", "WEBVTT Kind captions Hello there\n\n",
                                   "A MESSAGE FROM ACME CLOUD\n\n", "In Brief\n\n"])
def test_a_picture_not_above_a_story_of_its_own_stays_in_the_story_before(after):
    from authoring.importer import import_text

    # at the page's end; then a block gap, a flattened transcript, a kicker or a known section name,
    # none of them a headline that starts a story right below the picture
    text = _STORY + "[Image: A chip on a board]\n\n" + after
    if after:
        text += "What’s new: Prices fell.\n\nWhy it matters: More labs.\n"
    first = import_text(text, source="t.txt").issue.stories[0]
    assert first.sections[-1] == model.Section(label="Why it matters",
                                               body="Homes are messy.\n\n![A chip on a board]()"), after
