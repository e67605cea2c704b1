"""Watch the files a preview depends on and report each batch of changes once.

Files (the issue, the publication) are watched through their folders, not by
themselves: editors save by writing a temporary file and renaming it over the old
one, which a watch on the old file would miss. Those folders are watched without
recursion (the publication file may sit at the top of a large repository); only
template folders are watched recursively. When a rebuild changes what must be
watched (a new ``templates:`` in publication.yaml), the watch restarts with the new set.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from watchfiles import awatch

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
"""Longest a burst of changes is gathered before a rebuild (watchfiles defaults to 1600)."""
STEP_MS = 10
"""Quiet time that ends a burst: an editor's save (write + rename) takes well under this."""

CATCH_UP_S = 0.1
"""After a restart, how long to let the new watch settle before the catch-up rebuild."""

WatchSet = tuple[frozenset[Path], frozenset[Path]]
"""(folders watched flat, folders watched recursively)."""


async def watch(paths: Callable[[], WatchSet], on_change: Callable[[set[Path]], Awaitable[None]],
                stop: anyio.Event, *, debounce: int = DEBOUNCE_MS, step: int = STEP_MS) -> None:
    """Call ``on_change`` with every batch of changed paths until ``stop`` is set."""
    previous: WatchSet | None = None
    while not stop.is_set():
        watching = paths()
        round_over = anyio.Event()
        # Folders that joined the watch: a save there between the old watch ending and
        # the new one starting would go unseen, so they count as changed once the new
        # watch is up (the test suite caught this race on a loaded machine).
        joined: set[Path] = set() if previous is None else set(
            (watching[0] - previous[0]) | (watching[1] - previous[1]))
        previous = watching

        async def relay(folders: frozenset[Path], recursive: bool,
                        watching: WatchSet = watching, round_over: anyio.Event = round_over) -> None:
            existing = [f for f in folders if f.is_dir()]
            if not existing:
                if folders:  # all gone (a folder was moved away): look again shortly
                    await anyio.sleep(1)
                    round_over.set()
                return
            try:
                async for changes in awatch(*existing, recursive=recursive, stop_event=round_over,
                                            debounce=debounce, step=step,
                                            ignore_permission_denied=True):
                    await on_change({Path(path) for _, path in changes})
                    if paths() != watching:
                        round_over.set()
            except Exception:  # a watched folder vanished, say: look again shortly
                log.warning("file watching failed; retrying", exc_info=True)
                await anyio.sleep(0.5)
                round_over.set()

        async with anyio.create_task_group() as group:
            group.start_soon(relay, watching[0], False)
            group.start_soon(relay, watching[1], True)
            if joined:
                await anyio.sleep(CATCH_UP_S)
                await on_change(joined)
            await _first_of(stop, round_over)
            round_over.set()


async def _first_of(*events: anyio.Event) -> None:
    async with anyio.create_task_group() as group:
        async def wait(event: anyio.Event) -> None:
            await event.wait()
            group.cancel_scope.cancel()

        for event in events:
            group.start_soon(wait, event)
