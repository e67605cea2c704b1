"""One module per CLI command; each registers itself on ``authoring.cli.app``.

Command modules import only typer and the standard library at module level, so
that ``authoring validate`` starts fast; the library they call is imported inside
the command.
"""
