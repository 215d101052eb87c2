"""Every third-party import of the product is declared in pyproject.toml, and every runtime dependency is used.

Imports are read with :mod:`ast` from ``geodata/``, ``optimization/``, ``planner/`` and ``app.py``
and mapped to distributions with :func:`importlib.metadata.packages_distributions`. A module of an
optional extra (``distributed``, ``data``) must be imported inside a function only, so that the
product starts without it.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("geodata", "optimization", "planner")
FIRST_PARTY = {*PRODUCT, "app", "tests", "benchmarks"}
#: Extras a user installs to switch a feature on (the others, dev and bench, are for developers).
FEATURE_EXTRAS = ("distributed", "data")


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (``"Foo_Bar[x]>=1"`` -> ``"foo-bar"``)."""
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _sources(folders: tuple[str, ...] = PRODUCT) -> list[Path]:
    files = [ROOT / "app.py"] if folders == PRODUCT else []
    for folder in folders:
        files += [p for p in (ROOT / folder).rglob("*.py") if "static" not in p.parts]
    return files


class _Imports(ast.NodeVisitor):
    """Top-level module names imported, each with whether it is imported at module level (not type-only)."""

    def __init__(self) -> None:
        self.found: list[tuple[str, bool, int]] = []
        self._depth = 0

    def _add(self, module: str, line: int) -> None:
        self.found.append((module.split(".")[0], self._depth == 0, line))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module, node.lineno)

    def _nested(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return  # imports for the type checker only
        self.generic_visit(node)


def _imports(folders: tuple[str, ...] = PRODUCT) -> dict[str, list[tuple[str, bool]]]:
    """Distribution -> [(file:line, imported at module level)] for every third-party import."""
    owners = packages_distributions()
    out: dict[str, list[tuple[str, bool]]] = {}
    for path in _sources(folders):
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for module, eager, line in visitor.found:
            if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            for dist in owners.get(module, [module]):
                out.setdefault(_name(dist), []).append((where, eager))
    return out


@pytest.fixture(scope="module")
def imports():
    return _imports()


def test_every_imported_distribution_is_declared(imports):
    project = _project()
    declared = {_name(r) for r in project["dependencies"]}
    for extra in FEATURE_EXTRAS:
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    missing = {dist: places[0][0] for dist, places in imports.items() if dist not in declared}
    assert not missing, f"imported but not declared in dependencies or a feature extra: {missing}"


def test_feature_extras_are_imported_only_where_used(imports):
    """The product starts without an optional extra: its modules are imported inside functions."""
    extras = _project()["optional-dependencies"]
    for extra in FEATURE_EXTRAS:
        for dist in (_name(r) for r in extras[extra]):
            eager = [where for where, at_top in imports.get(dist, []) if at_top]
            assert not eager, f"{dist} (extra {extra!r}) is imported at module level in {eager}"


def test_every_runtime_dependency_is_used(imports):
    unused = [_name(r) for r in _project()["dependencies"] if _name(r) not in imports]
    assert not unused, f"declared in dependencies but never imported by the product: {unused}"


@pytest.mark.parametrize(("folder", "extras"), [("tests", ("dev",)), ("benchmarks", ("bench", "dev"))])
def test_tests_and_benchmarks_import_only_what_their_extras_declare(folder, extras):
    project = _project()
    declared = {_name(r) for r in project["dependencies"]}
    for extra in (*extras, *FEATURE_EXTRAS):
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    missing = {dist: places[0][0] for dist, places in _imports((folder,)).items() if dist not in declared}
    assert not missing, f"{folder} imports what {', '.join(extras)} does not declare: {missing}"


def test_developer_tools_are_not_runtime_dependencies():
    project = _project()
    runtime = {_name(r) for r in project["dependencies"]}
    tools = {_name(r) for extra in ("dev", "bench") for r in project["optional-dependencies"][extra]}
    assert not runtime & tools, runtime & tools
