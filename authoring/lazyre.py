"""Regular expressions compiled on first use, for modules whose patterns only some commands need.

Compiling a pattern costs 0.05-0.5 ms; a module that compiles a dozen at import makes every
command that imports it pay for them, though e.g. the importer's recognisers in
``authoring.blocks`` never run in ``authoring validate`` or ``render``. ``lazy`` defers the
compiling to the first use; the call sites stay those of a compiled pattern
(``_CTA.match(text)``).
"""

from __future__ import annotations

import re
from typing import Any, cast


class _LazyPattern:
    """A pattern compiled at its first attribute lookup; each attribute looked up (``match``,
    ``search``...) is then kept on the instance, so later lookups cost what a compiled
    pattern's do."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # only called for what the instance lacks
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done the first time the pattern is used. Typed as the
    pattern it stands for: it answers every attribute and method a compiled pattern has."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
