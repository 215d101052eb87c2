"""The house stays tidy: no import cycle, and every import points down the layers.

Imports are read from the source (``ast``), so an import inside a function or under
``TYPE_CHECKING`` counts as much as one at the top of a module: a cycle hidden in a
function is still a cycle. ``from package import name`` depends on ``package.name``
when that is a module, else on the package itself.

The layers, bottom to top:

* ``geodata`` (files to a validated region) and ``optimization`` (pure models; of the project
  it uses only the error family in ``geodata.errors``);
* the use cases in ``planner`` (siting, grouping, phasing, scenarios, metrics, runtime);
* ``planner.present`` (maps, reports, exports, words);
* the entry points: ``planner.cli``, ``planner.ui``, ``planner.api`` (offered lazily by the
  package itself, ``planner.site(...)`` in a notebook) and ``planner.__main__``.

The planner uses ``geodata`` and ``optimization`` through their packages' public names
(``from optimization.siting import solve_siting``), never a module inside a subpackage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geodata", "optimization", "planner")
ENTRY_POINTS = ("planner.cli", "planner.ui", "planner.api", "planner.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, package: str, modules: set[str]) -> list[str]:
    """The project modules one import statement names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def _owner(name: str, modules: set[str]) -> str | None:
    """The module ``name`` is, or lives in (``planner.siting.SitingSetup`` -> ``planner.siting``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


@pytest.fixture(scope="module")
def imports() -> nx.DiGraph:
    """Module -> every project module it imports, wherever in the file the import stands."""
    paths = {_module_name(p): p for top in PACKAGES for p in (ROOT / top).rglob("*.py")}
    modules = set(paths)
    graph = nx.DiGraph()
    for name, path in paths.items():
        graph.add_node(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(node, package, modules):
                owner = _owner(target, modules)
                if owner is not None and owner != name:
                    graph.add_edge(name, owner)
    return graph


def _in(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in prefixes)


def test_the_reader_sees_imports_inside_functions(imports):
    # planner/__init__.py imports the notebook API only inside __getattr__
    assert imports.has_edge("planner", "planner.api")
    assert imports.number_of_nodes() > 100 and imports.number_of_edges() > 400


def test_no_import_cycle(imports):
    cycles = [sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1]
    assert not cycles, "import cycles: " + "; ".join(
        " -> ".join(f"{a}" for a, _ in nx.find_cycle(imports.subgraph(c))) for c in cycles
    )


def test_geodata_and_optimization_know_nothing_of_the_planner(imports):
    wrong = [
        (a, b)
        for a, b in imports.edges
        if (_in(a, "geodata") and not _in(b, "geodata"))
        or (_in(a, "optimization") and not (_in(b, "optimization") or b == "geodata.errors"))
    ]
    assert not wrong


def test_only_entry_points_import_entry_points_and_presentation(imports):
    # ``import planner`` offers the notebook API (planner.api), lazily: the package itself is an entry point
    tops = (*ENTRY_POINTS, "planner.present")
    wrong = [(a, b) for a, b in imports.edges if _in(b, *tops) and not (_in(a, *tops) or a == "planner")]
    wrong += [(a, b) for a, b in imports.edges if _in(a, "planner.present") and _in(b, *ENTRY_POINTS)]
    assert not wrong


def test_the_planner_uses_geodata_and_optimization_through_their_packages(imports):
    # ``optimization.siting`` or ``geodata.roads``, never ``optimization.siting.stages`` or ``geodata.roads.travel``
    wrong = [
        (a, b)
        for a, b in imports.edges
        if _in(a, "planner") and _in(b, "geodata", "optimization") and b.count(".") > 1
    ]
    assert not wrong
