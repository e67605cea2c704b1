#!/usr/bin/env python3
"""Refresh authoring/data/axe.min.js from the npm package ``axe-core`` (MPL-2.0).

    python scripts/refresh_axe.py              # the version shipped now, fetched again
    python scripts/refresh_axe.py 4.10.3       # a given version

Runs ``npm pack axe-core@VERSION`` in a temporary folder (the only step that needs the network;
npm checks the tarball against the registry's integrity hash), checks ``axe.min.js`` against the
SHA-256 the package itself records in ``sri-history.json``, and copies it with its licences.
``authoring check --browser`` and the browser tests read only the shipped copy: no node, no
network. The version is the one in the file's first line (``/*! axe vX.Y.Z``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "authoring" / "data"
OUT = DATA / "axe.min.js"
LICENSE_OUT = DATA / "axe.LICENSE"
"""axe-core's MPL-2.0 licence and its third-party notices, shipped beside the script."""


def shipped_version() -> str:
    match = re.match(r"/\*! axe v(\S+)", OUT.read_text(encoding="utf-8")[:40]) if OUT.is_file() else None
    if match is None:
        sys.exit(f"{OUT}: no version in its first line; name one: python {sys.argv[0]} 4.10.3")
    return match.group(1)


def main(version: str | None = None) -> None:
    version = version or shipped_version()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"axe-core@{version}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        (archive,) = Path(tmp).glob("axe-core-*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp) / "package"
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
        script = (root / "axe.min.js").read_bytes()
        recorded = json.loads((root / "sri-history.json").read_text(encoding="utf-8"))
        expected = recorded[package["version"]]["axe.min.js"]
        actual = "sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode()
        if actual != expected:
            sys.exit(f"axe.min.js {package['version']}: SHA-256 {actual}, the package records {expected}")
        licence = (root / "LICENSE").read_text(encoding="utf-8")
        third_party = (root / "LICENSE-3RD-PARTY.txt").read_text(encoding="utf-8")
    OUT.write_bytes(script)
    LICENSE_OUT.write_text(
        f"axe.min.js is the unmodified file of the npm package axe-core {package['version']} "
        f"({package['homepage']}), {expected}, under the Mozilla Public License 2.0; its source "
        "is that package. Its licence, then its third-party notices:\n\n"
        + licence + "\n\n" + third_party, encoding="utf-8")
    print(f"{OUT}: axe-core {package['version']} ({len(script) // 1024} KB), {expected}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
