"""Which caniemail features an HTML uses (authoring/check/features.py): elements, attributes,
image formats, and CSS in style attributes and sheets, each with where it occurs and its text."""

from __future__ import annotations

from collections import Counter

import pytest

from authoring.check.features import find_features, snapshot
from authoring.check.parse import parse_html


def _found(html: str) -> dict[str, list[tuple[str, str]]]:
    found = find_features(parse_html(html))
    return {slug: [(o.where, o.text) for o in items] for slug, items in found.occurrences.items()}


def _selectors(selector: str) -> Counter:
    """The selector and pseudo features of one rule in a sheet, counted."""
    found = _found(f"<style>{selector} {{ color: red }}</style>")
    return Counter({slug: len(items) for slug, items in found.items()
                    if slug.startswith(("css-selector-", "css-pseudo-"))})


@pytest.mark.parametrize(("selector", "slugs"), [
    ("h2.sh > a:hover", {"type": 2, "class": 1, "chaining": 2, "child": 1, "pseudo-class-hover": 1}),
    ("  div   p  ", {"type": 2, "descendant": 1}),
    ("div > p", {"type": 2, "child": 1}),
    ("div>p", {"type": 2, "child": 1}),
    ("a+b", {"type": 2, "adjacent-sibling": 1}),
    ("a ~ b", {"type": 2, "general-sibling": 1}),
    ("*", {"universal": 1}),
    ("#top", {"id": 1}),
    ("[data-x]", {"attribute": 1}),
    ("a, b", {"grouping": 1, "type": 2}),
    (".a.b.c", {"class": 3, "chaining": 1}),
    ("a::before", {"type": 1, "pseudo-element-before": 1, "chaining": 1}),
    ("p::first-letter", {"type": 1, "pseudo-element-first-letter": 1, "chaining": 1}),
    ("p:first-child", {"type": 1, "pseudo-class-first-child": 1, "chaining": 1}),
    ("td:hover::after", {"type": 1, "pseudo-class-hover": 1, "chaining": 1, "pseudo-element-after": 1}),
    ("p :hover", {"type": 1, "descendant": 1, "pseudo-class-hover": 1}),
    ("a:not(.x)", {"type": 1, "pseudo-class-not": 1, "chaining": 1}),
    ("a:", {"type": 1}),  # a colon that ends the selector names nothing
    ("a,", {"type": 1}),  # an empty group is no group
    ("div >", {"type": 1, "child": 1}),  # a combinator at the end: no descendant before it
    ("a>:hover", {"type": 1, "child": 1, "pseudo-class-hover": 1}),
    ("::before", {"pseudo-element-before": 1}),  # its second colon is no second simple selector
    ("a::", {"type": 1, "chaining": 1}),  # a pseudo-element without a name: none to look up
])
def test_each_selector_feature_is_counted_once_per_use(selector, slugs):
    expected = {f"css-{'' if kind.startswith('pseudo-') else 'selector-'}{kind}": n
                for kind, n in slugs.items()}
    assert _selectors(selector) == Counter(expected)


def test_the_slugs_named_above_are_caniemails():
    features = snapshot()["features"]
    for slug in ("css-pseudo-class-hover", "css-pseudo-class-not", "css-pseudo-class-first-child",
                 "css-pseudo-element-before", "css-pseudo-element-after",
                 "css-pseudo-element-first-letter", "css-selector-general-sibling"):
        assert slug in features


def test_a_style_attribute_gives_properties_pairs_functions_units_keywords_and_important():
    found = _found('<p style="display:flex; color: RGB(1,2,3) !important; width:50%; margin:1em; '
                   'top: initial; background: linear-gradient(rgb(1,2,3), red)">x</p>')
    gradient = ("inline", "background:linear-gradient(rgb(1,2,3), red)")
    assert found == {
        "html-p": [("html", "<p")],
        "css-display": [("inline", "display:flex")],
        "css-display-flex": [("inline", "display:flex")],
        "css-important": [("inline", "color:RGB(1,2,3)")],
        "css-rgb": [("inline", "color:RGB(1,2,3)"), gradient],  # any case, inside a function too
        "css-width": [("inline", "width:50%")],
        "css-unit-percent": [("inline", "width:50%")],
        "css-margin": [("inline", "margin:1em")],
        "css-unit-em": [("inline", "margin:1em")],
        "css-left-right-top-bottom": [("inline", "top:initial")],
        "css-unit-initial": [("inline", "top:initial")],
        "css-background": [gradient],
        "css-linear-gradient": [gradient]}


def test_pairs_match_the_value_in_any_case_and_only_that_value():
    assert "css-display-none" in _found('<p style="DISPLAY: None">x</p>')
    assert "css-display-none" not in _found('<p style="display: block">x</p>')


def test_the_same_style_attribute_twice_is_counted_twice():
    found = _found('<p style="width:50%">a</p><p style="width:50%">b</p>')
    assert found["css-width"] == [("inline", "width:50%")] * 2 and found["html-p"] == [("html", "<p")] * 2


def test_sheets_media_rules_and_dark_mode_rules_say_where_they_are():
    found = _found("<style>.a{color:red} /* a comment */ @media (max-width:600px){.b{display:none}} "
                   "@media (prefers-color-scheme: dark){.c{color:#fff}} [data-ogsc] .x{color:red} "
                   "[DATA-OGSB] .w{color:red} [data-ogsc] .y, .z{color:red}</style>")
    assert found["css-selector-class"] == [
        ("sheet", ".a"), ("media", ".b"), ("media", ".c"), ("media", "[data-ogsc] .x"),
        ("media", "[DATA-OGSB] .w"),
        ("sheet", "[data-ogsc] .y, .z"), ("sheet", "[data-ogsc] .y, .z")]  # .z is for every mode
    assert found["css-at-media"] == [("sheet", "@media (max-width:600px)"),
                                     ("sheet", "@media (prefers-color-scheme: dark)")]
    assert found["css-at-media-prefers-color-scheme"] == [("sheet", "@media (prefers-color-scheme: dark)")]
    assert found["css-display-none"] == [("media", "display:none")]
    assert found["html-style"] == [("html", "<style")]


def test_media_features_only_in_media_rules_and_at_rules_are_not_walked_into():
    found = _found("<style>@supports (hover: hover) { .q { display: grid } } "
                   "@font-face { font-family: X; src: url(x.woff) }</style>")
    assert found["css-at-supports"] == [("sheet", "@supports (hover: hover)")]
    assert found["css-at-font-face"] == [("sheet", "@font-face")]
    assert "css-at-media-hover" not in found and "css-display-grid" not in found


def test_a_media_feature_is_found_after_other_words():
    found = _found("<style>@media screen and (hover: hover) { .q { color: red } }</style>")
    assert found["css-at-media-hover"] == [("sheet", "@media screen and (hover: hover)")]


@pytest.mark.parametrize("marker", ["#outlook a", ".mj-column-per-100", ".moz-text-html .x"])
def test_mjmls_own_sheets_and_their_media_rules_are_mjmls(marker):
    found = _found(f"<style>{marker} {{ padding: 0 }} "
                   "@media (hover: hover) { .k { width: 100% } }</style>")
    assert found["css-padding"] == [("mjml", "padding:0")]
    assert found["css-at-media-hover"] == [("mjml", "@media (hover: hover)")]
    assert found["css-width"] == [("mjml", "width:100%")]


def test_elements_and_attributes_are_counted_with_their_text():
    found = _found('<video></video><video></video><table><tr><td align="center">x</td>'
                   '<td ALIGN="left">y</td></tr></table>')
    assert found["html-video"] == [("html", "<video")] * 2
    assert found["html-align"] == [("html", 'align="')] * 2  # td[align] is no second feature


def test_elements_that_need_a_type_are_never_matched_by_their_tag_alone():
    assert "html-input-checkbox" not in _found('<input type="checkbox">')


@pytest.mark.parametrize(("src", "slug"), [
    ("images/a.JPEG?v=1", "image-jpg"), ("b.jpg", "image-jpg"), ("b.tif", "image-tiff"),
    ("c.heic", "image-heif"), ("d.webp", "image-webp"), ("https://x.org/e.gif#frame", "image-gif"),
    ("images/photo.2x.png", "image-png")])  # the last dot
def test_image_formats_come_from_the_path_extension(src, slug):
    assert _found(f'<img src="{src}">')[slug] == [("html", src)]


@pytest.mark.parametrize("src", ["noext", "https://x.org/d.v2/file", ""])
def test_a_path_without_an_image_extension_is_no_image_format(src):
    html = f'<img src="{src}">' if src else "<img>"
    assert [slug for slug in _found(html) if slug.startswith("image-")] == []


def test_a_file_named_like_a_format_without_a_dot_is_no_image_format():
    assert [slug for slug in _found('<img src="png">') if slug.startswith("image-")] == []


def test_a_dark_mode_rule_in_mjmls_sheet_stays_mjmls():
    found = _found("<style>#outlook a { padding: 0 } [data-ogsc] .x { color: red }</style>")
    assert found["css-selector-class"] == [("mjml", "[data-ogsc] .x")]


def test_a_media_rule_without_a_block_and_the_rules_after_it():
    found = _found("<style>@media print; .a { color: red }</style>")
    assert found["css-at-media"] == [("sheet", "@media print")]
    assert found["css-selector-class"] == [("sheet", ".a")]


def test_units_inside_brackets_inside_a_function_are_found():
    found = _found('<p style="width: calc((50% - 1em))">x</p>')
    text = [("inline", "width:calc((50% - 1em))")]
    assert (found["css-unit-calc"], found["css-unit-percent"], found["css-unit-em"]) == (text, text, text)


def test_what_caniemail_does_not_list_is_passed_over():
    found = _found("<style>@page { margin: 1cm } @media (600px) { .a { color: red } }</style>"
                   '<p style="color red; width: 50%; margin: 2px; x: foo(1px)">x</p>')
    assert found["css-at-media"] == [("sheet", "@media (600px)")]  # brackets without a feature name
    assert found["css-selector-class"] == [("media", ".a")]
    # a declaration that does not parse is skipped, not the ones after it
    assert found["css-width"] == [("inline", "width:50%")]
    assert found["css-unit-px"] == [("inline", "margin:2px"), ("inline", "x:foo(1px)")]  # foo(): no feature
    assert not [slug for slug in found if "page" in slug]


def test_important_and_values_in_a_sheet_are_the_sheets():
    found = _found("<style>.a { color: red !important; width: calc(1px) }</style>")
    assert found["css-important"] == [("sheet", "color:red")]
    assert found["css-unit-calc"] == found["css-unit-px"] == [("sheet", "width:calc(1px)")]


def test_a_unit_caniemail_does_not_list_is_passed_over():
    found = _found('<p style="transition: opacity 1s; rotate: 45deg">x</p>')
    assert found["css-transition"] == [("inline", "transition:opacity 1s")]
    assert not [slug for slug in found if slug.startswith("css-unit-")]
