"""Writing files safely: atomically, one file or a whole set."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_temp(folder: Path, name: str, data: bytes, *, sync: bool = True) -> Path:
    """``data`` in a new temporary file next to ``name``, on disk, with ordinary permissions.

    ``sync=False`` leaves flushing to the caller (a batch of many files syncs once at its end)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())  # on disk before the rename makes it visible
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: str | Path, data: bytes, *, sync: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path.parent, path.name, data, sync=sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_all_atomic(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file or none: temporary files first, renamed only when all are written.

    Should a rename fail half-way, the files already replaced get their previous content
    back (kept as hard links until the end), so the folder never mixes two sets.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[Path] = []
    backups: dict[Path, Path] = {}
    replaced: list[Path] = []
    try:
        for name, data in files.items():
            temps.append(write_temp(folder, name, data))
        for name in files:
            target = folder / name
            if target.is_file():
                backups[target] = _backup(target)
        for temp, name in zip(temps, files, strict=True):
            target = folder / name
            os.replace(temp, target)
            replaced.append(target)
    except BaseException:
        for target in reversed(replaced):
            if target in backups:
                os.replace(backups.pop(target), target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for leftover in [*temps, *backups.values()]:
            leftover.unlink(missing_ok=True)


def _backup(target: Path) -> Path:
    import secrets  # here, not at the top: its hashing modules slow every `authoring render` start

    backup = target.with_name(f".{target.name}.{secrets.token_hex(6)}.bak")
    try:
        os.link(target, backup)
    except OSError:  # no hard links on this file system
        shutil.copy2(target, backup)
    return backup


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
