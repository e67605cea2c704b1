"""Export readiness: what ``export`` itself would say (a draft's missing links and images)."""

from __future__ import annotations

from authoring.check import Built, CheckOptions, PartResult, part


@part("validation", "Export readiness")
def export_readiness(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="validation", title="Export readiness")
    # The size part explains an oversized email block by block.
    result.findings = [d for d in built.problems if d.code != "too-large"]
    errors = sum(1 for d in result.findings if d.is_error)
    if built.export_ready:
        result.figures.append("export builds it: every link, image, number and date is there")
    elif built.draft:
        result.figures.append(f"a draft: export refuses it ({errors} error{'s' if errors != 1 else ''});"
                              " the other parts look at the draft rendering")
    else:
        result.figures.append("export refuses it (see below); the other parts look at what it built")
    result.data = {"export_ready": built.export_ready, "draft": built.draft}
    return result
