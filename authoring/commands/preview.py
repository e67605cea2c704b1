"""``authoring preview ISSUE.yaml|FOLDER``: a live preview in the browser, re-rendered on every save."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.commands import Inliner, app, fail, inliner_option, shown


@app.command(epilog="Example: authoring preview issues/0042.yaml --port 8001")
def preview(
    target: Path = typer.Argument(..., help="An issue file, or a folder of issues to list.",
                                  show_default=False),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535,
                             help="Port on 127.0.0.1 (0: any free port)."),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="Open the preview in the browser."),
    inliner: Inliner | None = inliner_option(),
) -> None:
    """Serve a live preview on 127.0.0.1: the email at desktop and phone width, light and dark,
    its plain text and its diagnostics, updated in the browser on every save."""
    import contextlib
    import functools
    import logging
    import threading
    import webbrowser

    from authoring.preview.builder import preview_build
    from authoring.preview.isolated import IsolatedBuild
    from authoring.preview.server import PortInUse, PreviewServer

    if not target.exists():
        raise fail(f"{target}: no such file or folder")
    try:
        # in the worker process too (a crash of the MJML compiler must not end the preview)
        build = IsolatedBuild(functools.partial(preview_build, inliner=inliner.value)) if inliner else None
        server = PreviewServer(target, port, build)
    except PortInUse as exc:
        raise fail(f"port {exc.port} is already in use (another preview?); "
                   f"try: authoring preview {target} --port {exc.suggestion}") from None
    except OSError as exc:
        raise fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; "
                   f"try: authoring preview {target} --port 8000") from None
    logging.basicConfig(format="%(message)s")
    logging.getLogger("authoring.preview").setLevel(logging.INFO)
    typer.echo(f"Previewing {shown(str(target))} at {server.url}  (Ctrl-C to stop)", err=False)
    if open_browser:
        # a daemon thread: some browsers' launchers block until the window closes
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()  # uvicorn turns Ctrl-C into a graceful shutdown, then re-raises it
    typer.echo("Preview stopped.", err=True)
