"""The images the site's pages show, copied into ``images/`` under names made from their content.

A relative image source is looked up next to the issue, then next to the publication file (the
logo), as the preview does. Only what resolves inside one of those folders, is a regular file
(opened without following a link), is a raster image and is at most ``MAX_IMAGE_BYTES`` is copied:
an issue cannot publish ``../../.ssh/id_rsa`` by naming it as an image.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
        parts = urlsplit(src.strip())
        if parts.scheme or parts.netloc or not parts.path:
            return None
        relative = unquote(parts.path).lstrip("/")
        for root in roots:
            candidate = root / relative
            if os.path.lexists(candidate):
                return self._copy(candidate, root, src)
        raise ImageProblem(f"image '{src}' is not next to the issue or the publication file")

    def _copy(self, candidate: Path, root: Path, src: str) -> str:
        real = Path(os.path.realpath(candidate))
        if not real.is_relative_to(os.path.realpath(root)):
            raise ImageProblem(f"image '{src}' leads outside {root}")
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
                raise ImageProblem(f"image '{src}' is {info.st_size / 2**20:.1f} MB, over "
                                   f"{MAX_IMAGE_BYTES // 2**20} MB")
            data = handle.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ImageProblem(f"image '{src}' grew over {MAX_IMAGE_BYTES // 2**20} MB while read")
        stem = _UNSAFE_NAME.sub("-", real.stem).strip(".-")[:40] or "image"
        path = f"{IMAGES_FOLDER}{hashlib.sha256(data).hexdigest()[:12]}-{stem}{real.suffix.lower()}"
        self.files[path] = data
        self._copied[real] = path
        return path
