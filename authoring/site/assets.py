"""The images the site's pages show, copied into ``images/`` under names made from their content.

A relative image source is looked up next to the issue, then next to the publication file (the
logo), by ``paths.find`` as every stage does. Only what resolves inside one of those folders,
is a regular file (opened without following a link, checked again on the open file), is a raster
image and is at most ``MAX_IMAGE_BYTES`` is copied: an issue cannot publish ``../../.ssh/id_rsa``
by naming it as an image.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

IMAGES_FOLDER = "images/"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
"""Raster images only: an SVG can carry script, which would run on the site's own origin."""
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class ImageProblem(Exception):
    """An image source that cannot be copied into the site; the message says why."""


@dataclass
class Images:
    """The image files of one build: site path → bytes."""

    files: dict[str, bytes] = field(default_factory=dict)
    _copied: dict[Path, str] = field(default_factory=dict)

    def site_path(self, src: str, roots: list[Path]) -> str | None:
        """The site path (``images/…``) of a relative ``src``, copying it; None for an address."""
        from authoring import paths

        if not paths.is_relative(src):
            return None
        real = paths.find(src, roots)  # resolved, a regular file, inside its folder
        if real is None:
            raise ImageProblem(f"image '{src}' is not a file next to the issue or the publication "
                               "file (or it leads outside them)")
        return self._copy(real, src)

    def _copy(self, real: Path, src: str) -> str:
        if real in self._copied:
            return self._copied[real]
        if real.suffix.lower() not in IMAGE_SUFFIXES:
            raise ImageProblem(f"image '{src}' is not a PNG, JPEG, GIF, WebP or AVIF file")
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            raise ImageProblem(f"image '{src}' cannot be read: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ImageProblem(f"image '{src}' is not a regular file")
            if info.st_size > MAX_IMAGE_BYTES:
                raise ImageProblem(f"image '{src}' is {info.st_size:,} bytes, over the limit of "
                                   f"{MAX_IMAGE_BYTES:,}")
            data = handle.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:  # a file that grew between fstat and read
            raise ImageProblem(f"image '{src}' grew over the limit of {MAX_IMAGE_BYTES:,} while read")
        stem = _UNSAFE_NAME.sub("-", real.stem).strip(".-")[:40] or "image"
        path = f"{IMAGES_FOLDER}{hashlib.sha256(data).hexdigest()[:12]}-{stem}{real.suffix.lower()}"
        self.files[path] = data
        self._copied[real] = path
        return path
