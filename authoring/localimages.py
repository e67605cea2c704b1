"""Relative image sources and the files they name: one answer for validate, export, render and
the preview to "is this image a local file, and where is it?".

A relative source (``images/robot.png``) names a file next to the issue (an issue's images) or
next to its publication file (the logo). A source that climbs out of its folder (``../x.png``,
or a symbolic link pointing elsewhere) is not one of the issue's files: it is never read,
copied or listed for upload.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from pathlib import Path, PurePosixPath

from authoring import model
from authoring.paths import find, is_relative, relative_path
from authoring.records import dataclass

MAX_BYTES = 50 * 1024 * 1024
"""Larger files are not hashed for the manifest (no email image comes near it)."""


@dataclass(frozen=True)
class LocalImage:
    """A relative image source and the file it names."""

    src: str
    """As written in the issue or the publication."""
    path: PurePosixPath
    """Relative to its folder: where it goes beside the HTML, and under image_base_url."""
    file: Path
    """The file on disk."""


def collect(sources: list[str], folders: list[Path]) -> tuple[list[LocalImage], list[str]]:
    """(found, missing) for the relative ``sources``, each once, in order."""
    found: list[LocalImage] = []
    missing: list[str] = []
    for src in dict.fromkeys(s.strip() for s in sources if is_relative(s)):
        path = relative_path(src)
        file = find(src, folders)
        if path is None or file is None:
            missing.append(src)
        else:
            found.append(LocalImage(src=src, path=path, file=file))
    return found, missing


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def sources(issue: model.Issue, publication: model.Publication) -> list[str]:
    """Every image source the email shows, the logo first (as the masthead does)."""
    from authoring.checks import urls

    found: list[str] = []
    if publication.logo is not None:
        found += [s for s in (publication.logo.src, publication.logo.dark_src) if s]
    found += [src for _, src, kind, _ in urls(issue) if kind == "image" and src]
    return found


LEDGER = ".authoring-images.json"
"""Beside a render: relative path → sha256 of each image the toolkit copied there, so that a later
render may update its own copies and never overwrites a file it did not write."""


@dataclass
class Copied:
    """What copy_beside wrote, and what it refused to, with why."""

    copied: list[Path]
    """Written (or already there with the same bytes)."""
    refused: list[str]
    """One line each: why an image was not copied (a file of someone else's in the way, ...)."""


def copy_beside(images: list[LocalImage], out_dir: Path) -> Copied:
    """Copy each image to ``out_dir`` at its relative path, so the HTML written there opens with
    its pictures. A file already there is replaced only when this ledger says the toolkit wrote it;
    a symbolic link on the way is never followed."""
    result = Copied(copied=[], refused=[])
    if not images:
        return result
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        result.refused.append(f"{out_dir}: cannot copy the images there: {exc.strerror or exc}")
        return result
    try:
        # the issues of a folder render in parallel and share images (the logo): one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        _copy_locked(images, out_dir, result)
    finally:
        os.close(lock)
    return result


def _copy_locked(images: list[LocalImage], out_dir: Path, result: Copied) -> None:
    from authoring.files import write_atomic

    ledger_path = out_dir / LEDGER
    ledger = _read_ledger(ledger_path)
    changed = False
    for image in images:
        target = out_dir.joinpath(*image.path.parts)
        if same_file(image.file, target):  # rendered into the issue's own folder
            result.copied.append(target)
            continue
        why = _in_the_way(out_dir, target, ledger.get(image.path.as_posix()))
        if why:
            result.refused.append(f"{target}: {why} (the HTML shows what is there for {image.src})")
            continue
        try:
            data = _read_image(image.file)
            digest = hashlib.sha256(data).hexdigest()
            if ledger.get(image.path.as_posix()) == digest and os.path.lexists(target):
                # our unchanged copy (_in_the_way read it) of these very bytes: nothing to write
                result.copied.append(target)
                continue
            write_atomic(target, data, sync=False)
        except OSError as exc:
            result.refused.append(f"{target}: cannot copy {image.file}: {exc.strerror or exc}")
            continue
        ledger[image.path.as_posix()] = digest
        changed = True
        result.copied.append(target)
    if changed:
        try:
            write_atomic(ledger_path, (json.dumps(ledger, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        except OSError as exc:
            result.refused.append(f"{ledger_path}: cannot record the copies: {exc.strerror or exc}")


def _in_the_way(out_dir: Path, target: Path, ours: str | None) -> str | None:
    """None when ``target`` may be written (absent, or the toolkit's unchanged copy); else why not."""
    folder = out_dir
    for part in target.relative_to(out_dir).parts[:-1]:
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            break
        except OSError as exc:
            return f"cannot look at {folder}: {exc.strerror or exc}"
        if not stat.S_ISDIR(info.st_mode):
            return f"{folder} is not a folder (a symbolic link or a file): not followed"
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot look at it: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "something other than a file is there (a symbolic link, a folder): left alone"
    try:
        digest = hashlib.sha256(_read_image(target)).hexdigest()
    except OSError as exc:
        return f"cannot read the file there: {exc.strerror or exc}"
    if ours is None:
        return "a file the toolkit did not write is there: left alone"
    return None if digest == ours else "the file there was changed since the toolkit copied it: left alone"


def _read_image(path: Path) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"{path} is over {MAX_BYTES // 1024 // 1024} MB")
    return data


LEDGER_LIMIT = 16 << 20
"""Bytes of a ledger read at most (over 100,000 images); a longer one proves nothing."""


def _read_ledger(path: Path) -> dict[str, str]:
    """The ledger's entries: none when it is missing, not JSON of ours, over LEDGER_LIMIT, or
    not a regular file (a link is not followed, nor a pipe waited on: in a folder others can
    write to, either could stand in its place and hang or flood the render)."""
    from authoring.files import read_json

    ledger = read_json(path, LEDGER_LIMIT)
    return {k: v for k, v in ledger.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(ledger, dict) else {}


def digest(image: LocalImage) -> tuple[int, str]:
    """(size, sha256) of the image's file, for the export's manifest."""
    data = _read_image(image.file)
    return len(data), hashlib.sha256(data).hexdigest()


def copy_issue_images(issue: model.Issue, publication: model.Publication, issue_path: Path,
                      publication_file: Path | None, out_dir: Path) -> Copied:
    """``render -o``: the issue's local images (and the logo) beside the HTML it wrote."""
    found, _missing = collect(sources(issue, publication), folders(issue_path, publication_file))
    return copy_beside(found, out_dir)


def folders(issue_path: Path, publication_file: Path | None) -> list[Path]:
    """Where relative images are looked up: the issue's folder, then the publication file's."""
    found = [issue_path.parent]
    if publication_file is not None and publication_file.parent.resolve() != issue_path.parent.resolve():
        found.append(publication_file.parent)
    return found
