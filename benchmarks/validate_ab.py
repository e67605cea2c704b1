"""Warm validation, this checkout against a git ref, run by run in one process (paired A/B).

Run: python benchmarks/validate_ab.py [--ref main] [--runs N] [--edit] [issues ...]

The ref's ``authoring`` package is copied out of git (``git archive``) under another name, its
own imports renamed, so both versions load into one process; each run validates with one and
then the other (the order alternating), on a freshly loaded document, and the CPU time
(``time.process_time``) of ``validate_document`` alone is kept. Paired runs share the moment's
machine speed, which on this VM changes up to 1.8x from one minute to the next: separate
processes compared one after the other mostly measure that. Reading: every field new (each
cache keyed by the text emptied before each run, as benchmarks/render.py does), or with
``--edit`` the preview's case, one word added to one paragraph per run, caches kept.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BASE = "authoring_base"
SEEDS = sorted((ROOT / "issues").glob("00[012]_*.yaml"))
WARMUP = 10


def copy_of_ref(ref: str, folder: Path) -> None:
    """The ref's package as ``folder/authoring_base``, importing itself by that name."""
    archive = subprocess.run(["git", "archive", ref, "authoring"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    package = folder / BASE
    (folder / "authoring").rename(package)
    (folder / "templates").symlink_to(ROOT / "templates")  # found next to the package
    own_imports = re.compile(r"\b(from|import) authoring(?=[. ])")
    for source in package.rglob("*.py"):
        source.write_text(own_imports.sub(rf"\1 {BASE}", source.read_text()))


class Version:
    """One version's loader, validator and the caches a run empties."""

    def __init__(self, package: str):
        def module(name: str) -> ModuleType:
            return importlib.import_module(f"{package}.{name}")

        self.load, self.markdown = module("load"), module("markdown")
        self.validate, self.structure = module("validate"), module("structure")
        self.diagnostics = module("diagnostics")

    def forget_content(self) -> None:
        self.markdown.parse.cache_clear()
        self.load._line_starts.cache_clear()
        self.load._source_offsets.cache_clear()
        for home in (self.structure, self.diagnostics):  # remembered suggestions, where a tree keeps them
            if hasattr(home, "closest_word"):
                home.closest_word.cache_clear()

    def timed(self, path: Path, text: str | None, publication: object) -> float:
        """CPU ms of validating ``path`` (or ``text`` written there), loaded just before."""
        if text is None:
            doc = self.load.load_file(path)
            self.forget_content()
        else:
            doc = self.load.load_text(text, str(path))
        gc.disable()
        start = time.process_time()
        self.validate.validate_document(doc, publication=publication)
        spent = time.process_time() - start
        gc.enable()
        return spent * 1000


def paired(path: Path, versions: dict[str, Version], runs: int, texts: list[str] | None
           ) -> dict[str, list[float]]:
    publications = {name: v.validate.load_publication(v.validate.find_publication(path))[0]
                    for name, v in versions.items()}
    times: dict[str, list[float]] = {name: [] for name in versions}
    for run in range(runs + WARMUP):
        order = list(versions) if run % 2 else list(reversed(versions))
        for name in order:
            spent = versions[name].timed(path, texts[run] if texts else None, publications[name])
            if run >= WARMUP:
                times[name].append(spent)
    return times


def row(name: str, base: list[float], new: list[float]) -> str:
    ratio = statistics.median(b / a for a, b in zip(base, new, strict=True))
    return (f"{name:30} {statistics.median(base):11.3f} {min(base):7.3f}   {statistics.median(new):10.3f} "
            f"{min(new):7.3f}   {ratio:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issues", nargs="*", type=Path, default=SEEDS)
    parser.add_argument("--ref", default="main")
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--edit", action="store_true", help="one word edited per run, caches kept")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="authoring-ab-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy_of_ref(args.ref, folder)
    sys.path[:0] = [str(ROOT), str(folder)]
    versions = {"base": Version(BASE), "new": Version("authoring")}
    reading = "one field edited per run" if args.edit else "every field new"
    print(f"validate_document, CPU ms, {args.runs} paired runs, {reading}: {args.ref} (base) "
          f"against this checkout (new)")
    print(f"{'issue':30} {'base median':>11} {'best':>7}   {'new median':>10} {'best':>7}   new/base")
    for path in args.issues:
        texts = None
        if args.edit:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from render import edited_texts

            texts = edited_texts(path, args.runs + WARMUP)
        times = paired(path, versions, args.runs, texts)
        print(row(path.name, times["base"], times["new"]))
    print("new/base: the median of the runs' paired ratios")


if __name__ == "__main__":
    main()
