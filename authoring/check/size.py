"""Where the bytes go: the final HTML's size split by block, against Gmail's 102 KB clip."""

from __future__ import annotations

from authoring import codes, model
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.diagnostics import Severity
from authoring.model import YamlPath
from authoring.render import GMAIL_CLIP_BYTES, WARN_SIZE


@part("size", "Where the bytes go (Gmail clips at 102 KB)")
def where_the_bytes_go(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="size", title="")
    total = len(built.html.encode("utf-8"))
    if not options.figures and total <= WARN_SIZE:
        result.data = {"bytes": total}
        return result  # nothing to judge: skip the marked render that splits the bytes by block
    blocks = built.blocks
    result.figures.append(f"HTML {_kb(total)} of Gmail's {_kb(GMAIL_CLIP_BYTES)} "
                          f"({100 * total / GMAIL_CLIP_BYTES:.0f}%)")
    result.figures.extend(f"{_kb(size):>9}  {label(built.issue, name)}" for name, size in blocks)
    result.data = {"bytes": total, "warn_bytes": WARN_SIZE, "clip_bytes": GMAIL_CLIP_BYTES,
                   "blocks": [{"block": name, "label": label(built.issue, name), "bytes": size}
                              for name, size in blocks]}
    if total <= WARN_SIZE:
        return result
    biggest = _largest_content_block(blocks)
    crossing = _crossing_block(blocks, GMAIL_CLIP_BYTES)
    where = f"; the largest block is {label(built.issue, biggest[0])} ({_kb(biggest[1])})" \
        if biggest else ""
    path = block_path(biggest[0]) if biggest else ()
    if total > GMAIL_CLIP_BYTES:
        cut = f", cutting the email inside {label(built.issue, crossing)}" if crossing else ""
        result.add(_at(built, path, codes.SIZE_CLIPPED, Severity.ERROR,
                       f"the email HTML is {_kb(total)}: Gmail clips it at {_kb(GMAIL_CLIP_BYTES)}"
                       f"{cut} and hides the rest, the unsubscribe link included{where}",
                       "shorten this block or move it to the web version"))
    else:
        result.add(_at(built, path, codes.SIZE_NEAR_CLIP, Severity.WARNING,
                       f"the email HTML is {_kb(total)}, close to Gmail's {_kb(GMAIL_CLIP_BYTES)} "
                       f"clip{where}", "keep an eye on it: a longer story will get the email clipped"))
    return result


def _at(built: Built, path: YamlPath, code: str, severity: Severity, message: str, hint: str):
    return built.at(path, code, severity, message, hint, key=True) if path else \
        built.whole(code, severity, message, hint)


def _largest_content_block(blocks: list[tuple[str, int]]) -> tuple[str, int] | None:
    content = [b for b in blocks if b[0] == "letter" or b[0].startswith("stories[")]
    return max(content, key=lambda b: b[1]) if content else None


def _crossing_block(blocks: list[tuple[str, int]], limit: int) -> str | None:
    seen = 0
    for name, size in blocks:
        seen += size
        if seen > limit:
            return name
    return None


def block_path(name: str) -> YamlPath:
    """'stories[3]' → ('stories', 3); 'letter' → ('letter',); others (head, footer) → ()."""
    if name.startswith("stories[") and name.endswith("]"):
        return ("stories", int(name[8:-1]))
    return ("letter",) if name == "letter" else ()


def label(issue: model.Issue, name: str) -> str:
    """How a block is named in the report: the story's headline or title where it has one."""
    if name == "head":
        return "head (CSS for phones and dark mode)"
    if name == "email":
        return "the email as a whole"
    path = block_path(name)
    if len(path) != 2:
        return name
    index = path[1]
    if not isinstance(index, int) or index >= len(issue.stories):
        return name
    story = issue.stories[index]
    kind = type(story).__name__.lower()
    title = getattr(story, "headline", None) or getattr(story, "title", None) \
        or getattr(story, "kicker", None)
    return f"{name} {kind}" + (f" “{_short(title)}”" if title else "")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"
