"""The catalogue of diagnostic codes: every code used is catalogued, every catalogued code is
documented in docs/format.md, and what validation reports matches what the catalogue says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from authoring import codes
from authoring.validate import validate_file
from conftest import DATA, ROOT, tracked

PACKAGE = ROOT / "authoring"
DOC = ROOT / "docs" / "format.md"
_DOC_ROW = re.compile(r"^\| `(?P<code>[^`]+)` \|", re.MULTILINE)
_SEVERITIES = {codes.ERROR: {"error"}, codes.WARNING: {"warning"},
               codes.BY_LEVEL: {"warning", "error"}, codes.BY_TAG: {"warning", "error"}}


def test_every_catalogued_code_is_documented_and_every_documented_code_catalogued():
    text = DOC.read_text(encoding="utf-8")
    validation = text[text.index("## Validation"):]
    validation = validation[:validation.index("\n## ", 1)]
    documented = _DOC_ROW.findall(validation)
    assert len(documented) == len(set(documented)), "a code has two rows in docs/format.md"
    missing = [c for c in codes.CATALOGUE if c not in documented]
    unknown = [c for c in documented if c not in codes.CATALOGUE]
    assert not missing, (f"codes with no row in docs/format.md: {missing}; "
                         "run python -m authoring.codes docs/format.md")
    assert not unknown, f"docs/format.md documents codes the catalogue does not have: {unknown}"


def test_docs_table_is_the_generated_one():
    text = DOC.read_text(encoding="utf-8")
    assert codes.with_table(text) == text, "run: python -m authoring.codes docs/format.md"


def test_catalogue_entries_are_complete():
    for entry in codes.CATALOGUE.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.code), entry
        assert entry.severity in _SEVERITIES, entry
        assert entry.meaning.strip() and entry.fix.strip(), entry


def test_a_code_cannot_be_catalogued_twice():
    with pytest.raises(ValueError, match="twice"):
        codes._code(codes.TAB_INDENT, codes.ERROR, "again", "again")


def _code_parameters(trees: dict[Path, ast.Module]) -> dict[str, int]:
    """Callables that take a diagnostic code → the position of that argument."""
    found = {"Diagnostic": 0, "Finding": 0}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
                if "code" in names:
                    found[node.name] = names.index("code")
    return found


def _code_arguments(trees: dict[Path, ast.Module]):
    """(file, line, expression) for every argument in authoring/ that passes a diagnostic code."""
    positions = _code_parameters(trees)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            for keyword in node.keywords:
                if keyword.arg == "code":
                    yield path, node.lineno, keyword.value
            if name in positions and len(node.args) > positions[name]:
                yield path, node.lineno, node.args[positions[name]]


def _code_values(expression: ast.expr):
    """The expressions a code argument may evaluate to (both sides of ``a if test else b``)."""
    if isinstance(expression, ast.IfExp):
        yield from _code_values(expression.body)
        yield from _code_values(expression.orelse)
    else:
        yield expression


def test_every_code_in_authoring_comes_from_the_catalogue():
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")
             if p.name != "codes.py"}
    problems, seen = [], 0
    for path, line, expression in _code_arguments(trees):
        seen += 1
        where = f"{path.relative_to(ROOT)}:{line}"
        for node in _code_values(expression):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                state = "catalogued" if node.value in codes.CATALOGUE else "NOT in the catalogue"
                problems.append(f"{where}: code {node.value!r} ({state}) written as a string; "
                                "use its constant from authoring/codes.py")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "codes" and not hasattr(codes, node.attr):
                problems.append(f"{where}: codes.{node.attr} is not in the catalogue")
    assert seen > 60, "the scan no longer finds where diagnostics are made"
    assert not problems, "\n".join(problems)


def test_the_scan_catches_a_literal_code(tmp_path):
    """The scan above would see a code written as a string (the bug it guards against)."""
    tree = ast.parse("def warn(self, code, unit): ...\n"
                     "x.warn('made-up-code', unit)\nDiagnostic(code='other', severity=s)\n")
    found = [e.value for _, _, e in _code_arguments({tmp_path / "m.py": tree})
             if isinstance(e, ast.Constant)]
    assert sorted(found) == ["made-up-code", "other"]


_CORPUS = sorted([*(DATA / "bad").glob("*.yaml"), *tracked(ROOT / "issues", "*.yaml")])


@pytest.mark.parametrize("path", _CORPUS, ids=lambda p: p.name)
def test_reported_diagnostics_match_the_catalogue(path):
    for diagnostic in validate_file(path).report.diagnostics:
        entry = codes.CATALOGUE.get(diagnostic.code)
        assert entry is not None, diagnostic
        assert diagnostic.severity.value in _SEVERITIES[entry.severity], (diagnostic, entry)
