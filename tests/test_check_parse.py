"""check/parse.py: the final HTML read once: elements, attributes, styles, sheets, links with
their text and images, and the body's text, each counted as written."""

from __future__ import annotations

from authoring.check.parse import Anchor, Parsed, parse_html

EMAIL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Head &amp; title</title>
<style type="text/css">p { margin: 0 }</style><style>.a { color: red }</style></head>
<body style="margin:0"><div class="x" style="color:#111">R&amp;D <b>news</b>
<a href="https://example.org/a" style="color:blue">Read <img src="a.png" alt="the chart"> more</a>
<br><img src="b.png" alt><hr/>
<a name="top">no link</a>
<a href="https://example.org/b"><img src="c.png"></a>
<style>u { color: red }</style>
</div></body></html>"""


def test_every_element_attribute_style_sheet_link_and_image_counted_as_written():
    parsed = parse_html(EMAIL)
    assert parsed.elements == {"html": 1, "meta": 1, "head": 1, "title": 1, "style": 3, "body": 1,
                               "div": 1, "b": 1, "a": 3, "img": 3, "br": 1, "hr": 1}
    assert parsed.attributes == {
        "lang": 1, "html[lang]": 1, "charset": 1, "meta[charset]": 1, "type": 1, "style[type]": 1,
        "style": 3, "body[style]": 1, "class": 1, "div[class]": 1, "div[style]": 1, "href": 2,
        "a[href]": 2, "a[style]": 1, "src": 3, "img[src]": 3, "alt": 2, "img[alt]": 2, "name": 1,
        "a[name]": 1}
    assert parsed.styles == ["margin:0", "color:#111", "color:blue"]
    assert parsed.sheets == ["p { margin: 0 }", ".a { color: red }", "u { color: red }"]
    assert parsed.body_sheets == 1
    assert parsed.images == [{"src": "a.png", "alt": "the chart"}, {"src": "b.png", "alt": ""},
                             {"src": "c.png"}]
    assert parsed.anchors == [Anchor(href="https://example.org/a", text="Read  more", images=["the chart"]),
                              Anchor(href="https://example.org/b", text="", images=[""])]


def test_the_body_text_is_what_a_reader_sees_without_the_head_or_sheets():
    text = "".join(parse_html(EMAIL).body_text)
    assert text.split() == ["R&D", "news", "Read", "more", "no", "link"]


def test_an_image_in_nested_links_belongs_to_each_and_their_text_too():
    parsed = parse_html('<a href="o">out <a href="i">in <img alt="pic"></a> tail</a>')
    assert parsed.anchors == [Anchor(href="i", text="in ", images=["pic"]),
                              Anchor(href="o", text="out in  tail", images=["pic"])]


def test_unclosed_links_still_count_innermost_first():
    parsed = parse_html('<body><a href="o">out <a href="i">in')
    assert parsed.anchors == [Anchor(href="i", text="in"), Anchor(href="o", text="out in")]
    assert parsed.body_text == ["out ", "in"]


def test_a_closing_style_without_an_opening_one_keeps_no_sheet():
    parsed = parse_html("<body></style><p>x</p><style>a{}</style><p>y</p>")
    assert parsed.sheets == ["a{}"] and parsed.body_text == ["x", "y"] and parsed.body_sheets == 1


def test_nothing_outside_the_body_is_body_text():
    assert parse_html("<p>before</p>") == Parsed(elements={"p": 1})


def test_each_style_element_inside_the_body_is_counted():
    parsed = parse_html("<head><style>h{}</style></head><body><style>a{}</style><p>x</p><style>b{}</style>")
    assert parsed.body_sheets == 2 and parsed.sheets == ["h{}", "a{}", "b{}"]
