"""Large hostile inputs, generated rather than committed: ``python make.py DIR`` writes them all.

Each function returns the text of one input; tests and benchmarks/validate.py call them directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEAD = "issue: {number: 1, date: 2026-11-27, subject: Hostile, preheader: A hostile input}\n"


def nested_emphasis(pairs: int = 10_000) -> str:
    """``**`` pairs nested ``pairs`` deep: MRML crashes (exit 139) on the HTML this makes."""
    body = "**" * pairs + "x" + "**" * pairs
    return HEAD + f"stories:\n  - text: \"{body}\"\n"


def nested_lists(depth: int = 200) -> str:
    lines = "".join("  " * i + "- item\n" for i in range(depth))
    block = "".join("        " + line for line in lines.splitlines(keepends=True))
    return HEAD + "stories:\n  - text:\n      body: |\n" + block


def alias_amplification(aliases: int = 1_000, scalar_bytes: int = 100_000) -> str:
    """One large anchored scalar and many aliases to it: few nodes, gigabytes once expanded."""
    anchor = "x" * scalar_bytes
    refs = "".join("  - text: *big\n" for _ in range(aliases))
    return HEAD + f"big: &big {anchor}\nstories:\n{refs}"


def code_or_url_field(size: int = 1_000_000) -> str:
    """``](`` repeated with no closing parenthesis: quadratic for ``\\]\\([^)]*\\)``."""
    return "'](" * (size // 3)


def many_links(count: int = 40_000) -> str:
    return " ".join(f"[a{i}](https://example.org/{i})" for i in range(count))


def unclosed_backticks(size: int = 1_000_000) -> str:
    return "'`" * (size // 2)


def long_url_run(size: int = 1_000_000) -> str:
    return "'https://" * (size // 9)


def oversized_file(size: int = 1_000_002) -> bytes:
    return (HEAD + "stories:\n  - text: \"" + "x" * size + "\"\n").encode()


GENERATED = {
    "nested-emphasis.yaml": nested_emphasis,
    "nested-lists.yaml": nested_lists,
    "alias-amplification.yaml": alias_amplification,
}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, make in GENERATED.items():
        (out / name).write_text(make(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
