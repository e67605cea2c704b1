"""The house style's vocabulary, shared by the checks and the blocks that apply it: the customary
news labels in their order, the limits of a headline, a subject and a dek, and what a check
reports (a Finding). It imports only the model and the diagnostics, so every stage may read it.
"""

from __future__ import annotations

from authoring.diagnostics import Severity
from authoring.model import YamlPath
from authoring.records import dataclass

CUSTOMARY_LABELS = [
    "What’s new",
    "Key insight",
    "How it works",
    "How it worked",
    "Results",
    "Behind the news",
    "Yes, but",
    "Why it matters",
    "We’re thinking",
]
"""Labels of news sections in their usual order (one-off labels may appear anywhere)."""

LABEL_RANKS = {label: i for i, label in enumerate(CUSTOMARY_LABELS)}
LABEL_RANKS["How it worked"] = LABEL_RANKS["How it works"]
"""Each customary label's place in the usual order."""

HEADLINE_MAX_CHARS = 70
SUBJECT_MAX_CHARS = 90
"""Inboxes show 40–90 characters of a subject; past that it is cut off."""
DEK_MAX_WORDS = 60


@dataclass
class Finding:
    """One thing a check found, placed by its YAML path (validation turns it into a Diagnostic)."""

    code: str
    message: str
    path: YamlPath
    hint: str | None = None
    severity: Severity = Severity.WARNING
    offset: int | None = None
    """Character offset inside the text at ``path``, to point at the exact spot."""
    key: bool = False
    """Point at the key rather than the value."""
