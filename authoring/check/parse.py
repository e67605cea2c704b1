"""The final HTML read once with the standard library's HTML parser: elements, attributes,
inline styles, ``<style>`` sheets, links, images and the body's text, each counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Anchor:
    href: str
    text: str = ""
    images: list[str] = field(default_factory=list)
    """alt text of the images inside the link."""


@dataclass
class Parsed:
    elements: dict[str, int] = field(default_factory=dict)
    """Tag name → how many times it occurs."""
    attributes: dict[str, int] = field(default_factory=dict)
    """``tag[attr]`` and ``attr`` → count."""
    styles: list[str] = field(default_factory=list)
    """Every ``style=""`` attribute value."""
    sheets: list[str] = field(default_factory=list)
    """The text of every ``<style>`` element."""
    anchors: list[Anchor] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    """Attributes of every ``<img>``."""
    body_sheets: int = 0
    """How many ``<style>`` elements are inside ``<body>`` (Gmail drops those; MJML writes none)."""
    body_text: list[str] = field(default_factory=list)
    """The text inside ``<body>`` (not in ``<style>``), as pieces."""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self._anchors: list[Anchor] = []
        self._in_style = False
        self._in_body = False
        self._style: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parsed = self.parsed
        parsed.elements[tag] = parsed.elements.get(tag, 0) + 1
        values = {name: value or "" for name, value in attrs}
        for name in values:
            for key in (name, f"{tag}[{name}]"):
                parsed.attributes[key] = parsed.attributes.get(key, 0) + 1
        if "style" in values:
            parsed.styles.append(values["style"])
        if tag == "body":
            self._in_body = True
        if tag == "style":
            self._in_style, self._style = True, []
            parsed.body_sheets += int(self._in_body)
        elif tag == "a" and "href" in values:
            self._anchors.append(Anchor(href=values["href"]))
        elif tag == "img":
            parsed.images.append(values)
            for anchor in self._anchors:
                anchor.images.append(values.get("alt", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._in_style:
            self.parsed.sheets.append("".join(self._style))
            self._in_style = False
        elif tag == "a" and self._anchors:
            self.parsed.anchors.append(self._anchors.pop())

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._style.append(data)
        elif self._in_body:
            self.parsed.body_text.append(data)
        for anchor in self._anchors:
            anchor.text += data


def parse_html(html: str) -> Parsed:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    while reader._anchors:  # unclosed links still count
        reader.parsed.anchors.append(reader._anchors.pop())
    return reader.parsed
