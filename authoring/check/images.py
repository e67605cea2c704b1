"""Images off: what a reader sees when the mail client blocks images (many do by default)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from authoring import codes, markdown, model
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.checks import linked_texts
from authoring.diagnostics import Severity
from authoring.model import YamlPath

_IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|webp|svg|bmp|tiff?|heic|avif)\s*$", re.IGNORECASE)
_COPY_SUFFIX = re.compile(r"\(\d+\)\s*(-\s*\d+)?\s*$")
"""'The Batch (1)-1', 'banner (2)': what a download or a design tool's export names a copy."""
_CAMERA_NAME = re.compile(r"^(img|dsc|dscn|pxl|screenshot|screen shot|image|photo|pic|untitled|"
                          r"unnamed|banner|frame)[\s_-]*\d", re.IGNORECASE)
_SLUG = re.compile(r"^[\w.-]*_[\w.-]*$")
"""'robot_arm_v2', 'hero_image-final': words glued with underscores (prose has none)."""


@part("images", "Images off")
def images_off(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="images", title="")
    count = 0
    for path, offset, alt, src in _images(built.issue):
        count += 1
        reason = file_name_alt(alt, src)
        if reason:
            result.add(built.at_offset(path, offset, codes.ALT_FILE_NAME, Severity.WARNING,
                                       f"alt text '{alt}' {reason}: with images off readers see it "
                                       "instead of the picture",
                                       "describe what the picture shows, in a short sentence",
                                       needle=alt))
    _check_logo(built, result)
    _check_image_links(built, result)
    alts = sum(1 for img in built.parsed.images if img.get("alt", "").strip())
    result.figures.append(f"{len(built.parsed.images)} images in the email, {alts} with alt text "
                          f"({count} written in the issue)")
    result.data = {"images": len(built.parsed.images), "with_alt": alts, "in_issue": count}
    return result


def file_name_alt(alt: str, src: str | None) -> str | None:
    """Why ``alt`` looks like a file name rather than a description, or None."""
    text = alt.strip()
    if not text:
        return None  # missing-alt: validation says it
    if _IMAGE_FILE.search(text):
        return "is a file name"
    if src:
        stem = PurePosixPath(urlsplit(src.strip()).path).stem
        if stem and text.casefold() == stem.casefold():
            return "is the image's file name"
    if _COPY_SUFFIX.search(text) and len(text.split()) <= 4:
        return "looks like a file name (a copy number at the end)"
    if _CAMERA_NAME.match(text) or _SLUG.match(text):
        return "looks like a file name"
    return None


def _images(issue: model.Issue) -> Iterator[tuple[YamlPath, int | None, str, str | None]]:
    """(path, offset inside the text or None, alt, src) of every image the author wrote."""
    for story in issue.stories:
        image = getattr(story, "image", None)
        if image is not None:
            yield image.path + ("alt",), None, image.alt, image.src
    for path, text, linked in linked_texts(issue):
        for ref, address in linked:
            if ref.kind == "image":
                # this image's own alt: the last "![alt]" before its address, so that two images
                # with the same alt each point at their own (None: the parser rewrote the address)
                label = f"![{ref.text}]"
                index = text.find(label) if address is None else text.rfind(label, 0, address)
                yield path, (index + 2 if index >= 0 else None), ref.text, ref.url


def _check_logo(built: Built, result: PartResult) -> None:
    pub = built.publication
    logo = pub.logo
    if logo is None or not logo.src:
        return  # the masthead is the publication's name in text
    alt = logo.alt.strip()
    named = pub.name.casefold() in alt.casefold()
    # a logo file named after the publication (bytes.png, alt "Bytes") has the right alt
    file_name = file_name_alt(alt, None if named else logo.src)
    if not alt:
        result.add(built.at_publication(("logo",), codes.LOGO_ALT, Severity.WARNING,
                                        "the logo has no alt text: with images off the masthead is "
                                        "an empty box", f"set logo.alt to '{pub.name}'"))
    elif not named and file_name is None:
        result.add(built.at_publication(("logo", "alt"), codes.LOGO_ALT, Severity.WARNING,
                                        f"the logo's alt text '{alt}' does not name the publication: "
                                        f"with images off readers cannot tell it is {pub.name}",
                                        f"write the name in it: '{pub.name}'"))
    elif file_name:
        result.add(built.at_publication(("logo", "alt"), codes.ALT_FILE_NAME, Severity.WARNING,
                                        f"the logo's alt text '{alt}' looks like a file name",
                                        f"write the publication's name: '{pub.name}'"))


def _check_image_links(built: Built, result: PartResult) -> None:
    """A link that only an image carries disappears with images off."""
    text_targets = {_plain(a.href) for a in built.parsed.anchors if a.text.strip()}
    for story in built.issue.stories:
        image = getattr(story, "image", None)
        if image is None or not image.href or markdown.is_merge_tag(image.href):
            continue
        if _plain(image.href) not in text_targets:
            result.add(built.at(image.path + ("href",), codes.IMAGE_ONLY_LINK, Severity.WARNING,
                                f"the link to {image.href} is only on the image: with images off "
                                "readers can neither see nor follow it",
                                "link the same address from text too (the headline's story, a "
                                "call to action) or drop the image's href"))


def _plain(url: str) -> str:
    """The address without its query (campaign parameters) or a trailing slash."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"
