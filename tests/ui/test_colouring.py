"""Community colours: neighbours differ, the palette is used, and one move recolours only what it touched."""

from __future__ import annotations

import networkx as nx
import pytest

from geodata.demo import demo_region
from planner.present.colouring import (
    PALETTE,
    PaletteMemory,
    colour_communities,
    community_graph,
    community_palette,
)
from planner.ui.workbench import Parameters, Workbench


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region())
    wb.commit(wb.solve(Parameters()), new_step=False)
    return wb


def _proper(graph: nx.Graph, colours: dict[str, str]) -> bool:
    return all(colours[u] != colours[v] for u, v in graph.edges)


def test_the_demo_uses_at_least_eight_colours_and_neighbours_differ(solved: Workbench) -> None:
    assignment = solved.assignment()
    graph = community_graph(solved.base, assignment)
    palette = community_palette(solved.base, assignment)
    assert graph.number_of_edges() > 0 and _proper(graph, palette)
    assert len(set(palette.values())) >= min(8, len(graph))
    assert set(palette.values()) <= set(PALETTE)


def _border_moves(wb: Workbench) -> list[tuple[str, str]]:
    """``(township, lead)``: a township bordering another community of its county, and that community."""
    assignment = wb.assignment()
    t = wb.base.townships
    codes, county = t["township_code"].to_numpy(), t["county_code"].to_numpy()
    moves = []
    for a, b in wb.base.adjacency.edges:
        ta, tb = codes[a], codes[b]
        if county[a] == county[b] and assignment.get(ta) != assignment.get(tb) and assignment.get(tb):
            moves.append((ta, assignment[tb]))
    return moves


def test_one_move_recolours_only_the_communities_it_touched(solved: Workbench) -> None:
    assignment = solved.assignment()
    moves = _border_moves(solved)
    assert len(moves) > 20
    for town, lead in moves[::3]:
        memory = PaletteMemory()
        before = memory.palette(solved.base, assignment)
        moved = dict(assignment, **{town: lead})
        after = memory.palette(solved.base, moved)
        assert _proper(community_graph(solved.base, moved), after)
        changed = {c for c in before if c in after and before[c] != after[c]}
        assert changed <= {assignment[town], lead}, (town, lead, changed)


def test_previous_colours_are_kept_where_the_borders_allow() -> None:
    graph = nx.cycle_graph(["a", "b", "c", "d"])
    previous = {"a": PALETTE[5], "b": PALETTE[6], "c": PALETTE[5], "d": PALETTE[7]}
    assert colour_communities(graph, previous=previous) == previous
    graph.add_edge("a", "c")  # a move made a and c neighbours: the moved one gives way
    colours = colour_communities(graph, previous=previous, changed={"c"})
    assert _proper(graph, colours) and colours["a"] == previous["a"] and colours["c"] != previous["c"]
    assert {colours[n] for n in "bd"} == {previous[n] for n in "bd"}
