"""Export readiness: what ``export`` itself would say (a draft's missing links and images)."""

from __future__ import annotations

import re

from authoring import codes
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.render import GMAIL_CLIP_BYTES

_NEAR_CLIP = re.compile(rf"HTML is [\d.]+ KB: Gmail clips messages over {GMAIL_CLIP_BYTES // 1024} KB")
"""The renderer's size warning, which the size part says with the block to shorten."""


@part("validation", "Export readiness", needs_html=False)
def export_readiness(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="validation", title="")  # check_built sets the registered title
    # The size part explains an oversized (or nearly clipped) email block by block.
    result.findings = [d for d in built.problems if d.code != codes.TOO_LARGE
                       and not (d.code == codes.RENDER and _NEAR_CLIP.fullmatch(d.message))]
    errors = sum(1 for d in result.findings if d.is_error)
    if built.export_ready:
        result.figures.append("export builds it: every link, image, number and date is there")
    elif built.draft:
        result.figures.append(f"a draft: export refuses it ({errors} error{'s' if errors != 1 else ''});"
                              " the other parts look at the draft rendering")
    else:
        result.figures.append("export refuses it (see below); the other parts look at what it built")
    if built.unrendered:
        result.figures.append(built.unrendered)
    result.data = {"export_ready": built.export_ready, "draft": built.draft}
    return result
