"""Newsletter authoring toolkit: validate, render, preview, export and import issues.

The command line (``authoring``) is a thin layer over this library::

    from authoring.validate import validate_file
    result = validate_file("issues/0042.yaml")
    print(result.report.format_text())

Stages, one module each: ``load`` (YAML with positions) → ``structure`` (typed
``model``) → ``validate`` (+ ``checks``) → ``render`` → ``preview`` / ``export``;
``importer`` turns archived plain text back into YAML.
"""

__version__ = "0.1.0"
