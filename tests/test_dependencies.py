"""Every package that authoring/ imports is declared in pyproject.toml: one that merely arrives
through another package (click came with uvicorn) breaks on the day that package drops it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "authoring"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path) -> set[str]:
    """The distributions authoring may import: its dependencies and its extras but `test`."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, listed in project.get("optional-dependencies", {}).items():
        if extra != "test":
            requirements += listed
    return {_normal(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def imported(package: Path) -> dict[str, list[str]]:
    """Top-level modules imported anywhere in package (in functions too), neither its own nor
    the standard library's, with the files importing each."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != package.name and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(str(path.relative_to(package.parent)))
    return found


def undeclared(package: Path, pyproject: Path) -> list[str]:
    allowed = declared(pyproject)
    providers = packages_distributions()
    problems = []
    for module, files in sorted(imported(package).items()):
        dists = {_normal(d) for d in providers.get(module, [])}
        if not dists & allowed:
            given = f"installed by {', '.join(sorted(dists))}" if dists else "not installed"
            problems.append(f"{module} ({given}), imported in {', '.join(sorted(set(files)))}")
    return problems


def test_every_package_authoring_imports_is_declared():
    assert undeclared(PACKAGE, ROOT / "pyproject.toml") == []


def test_an_import_that_only_arrives_through_another_package_is_found(tmp_path):
    package = tmp_path / "authoring"
    (package / "commands").mkdir(parents=True)
    (package / "__init__.py").write_text("import os\nfrom authoring import commands\n")
    (package / "commands" / "render.py").write_text(
        "import yaml\n\ndef bar():\n    import pluggy\n    from jinja2 import Template\n")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["PyYAML>=6"]\n'
                         '[project.optional-dependencies]\ntest = ["jinja2"]\n')
    assert undeclared(package, pyproject) == [
        "jinja2 (installed by jinja2), imported in authoring/commands/render.py",
        "pluggy (installed by pluggy), imported in authoring/commands/render.py"]
