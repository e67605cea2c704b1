"""Live preview: a local server that re-renders an issue on every save and pushes it to the browser.

``builder`` holds one issue's builds (last attempt, last good render, epoch), ``watcher``
turns file changes into rebuilds, ``server`` is the Starlette app and its uvicorn runner.
"""
