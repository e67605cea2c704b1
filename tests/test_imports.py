"""The package's import graph has no circles: each stage imports only the stages below it.

Every ``import`` counts, at the top of a module or inside a function (a lazy import is still a
dependency); only imports under ``if TYPE_CHECKING:`` are left out, since they never run.
Importing ``authoring.a.b`` runs ``authoring.a`` first, so it counts as importing both."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "authoring"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The modules ``tree`` imports; a registry that imports its own submodules by name
    (``importlib.import_module(f"{__name__}.{name}")``) imports all of them."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.JoinedStr)):
            found.add(f"{module if is_package else module.rsplit('.', 1)[0]}.*")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (and their parent packages)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        edges: set[str] = set()
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")), module,
                             path.name == "__init__.py"):
            if name.endswith(".*"):  # every submodule of a package
                package = name[:-2]
                edges.update(m for m in paths if m.startswith(package + ".") and m != module)
                continue
            parts = name.split(".")
            for end in range(2, len(parts) + 1):  # each package on the way runs first
                prefix = ".".join(parts[:end])
                if prefix in paths and prefix != module and not module.startswith(prefix + "."):
                    edges.add(prefix)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_package_has_no_import_circle():
    graph = import_graph()
    circles = cycles(graph)
    described = ["; ".join(f"{m} → {sorted(graph[m] & set(c))}" for m in c) for c in circles]
    assert not circles, "import circles:\n" + "\n".join(described)


def test_the_circle_finder_finds_a_circle_and_only_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_lazy_relative_and_registry_imports_count_and_type_checking_ones_do_not():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from authoring import x\n"
                     "def f():\n    from authoring.render import html\nfrom . import sibling\n"
                     "def g(name):\n    importlib.import_module(f'{__name__}.{name}')\n")
    found = _imports(tree, "authoring.check.parts", is_package=False)
    assert "authoring.render.html" in found and "authoring.check.sibling" in found
    assert "authoring.check.*" in found
    assert "authoring.x" not in found


def test_the_graph_counts_a_registrys_submodules_and_the_packages_on_the_way():
    graph = import_graph()
    assert "authoring.blocks.news" in graph["authoring.blocks"]  # found by listing the package
    assert {"authoring.render", "authoring.render.html"} <= graph["authoring.check.build"]
