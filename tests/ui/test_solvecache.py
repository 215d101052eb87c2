"""Fingerprints and the caching map: only unseen inputs are solved, in order, with stop and progress."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.runtime.parallel import TaskFailure
from planner.ui.solvecache import PlanCache, RunControl, cached_map, fingerprint


@dataclass(frozen=True)
class Item:
    county_id: str
    values: np.ndarray
    rules: dict = field(default_factory=dict)


def test_fingerprint_ignores_mapping_order_and_sees_every_value() -> None:
    a = Item("430202", np.array([1.0, 2.0]), {"x": 1, "y": 2})
    assert fingerprint(a) == fingerprint(Item("430202", np.array([1.0, 2.0]), {"y": 2, "x": 1}))
    assert fingerprint(a) != fingerprint(Item("430202", np.array([1.0, 2.5]), {"x": 1, "y": 2}))
    assert fingerprint(a) != fingerprint(Item("430202", np.array([1, 2]), {"x": 1, "y": 2}))  # dtype counts
    assert fingerprint(a) != fingerprint(Item("430203", np.array([1.0, 2.0]), {"x": 1, "y": 2}))
    assert fingerprint((1, 2)) != fingerprint((2, 1))
    assert fingerprint(frozenset({"a", "b"})) == fingerprint(frozenset({"b", "a"}))


def _run(cache: PlanCache, items: list[Item], control: RunControl | None = None) -> tuple[list, list[str]]:
    calls: list[str] = []

    def solve(item: Item) -> str:
        calls.append(item.county_id)
        return f"plan {item.county_id} {item.values.sum():g}"

    mapper = cached_map(
        cache,
        model="m",
        key=fingerprint,
        label=lambda i: i.county_id,
        stopped=lambda fn, item: f"stopped {item.county_id}",
        control=control,
    )
    return list(mapper(solve, items)), calls


def test_only_items_not_seen_before_are_solved_and_results_keep_their_order() -> None:
    cache = PlanCache()
    items = [Item(c, np.array([float(i)])) for i, c in enumerate(["a", "b", "c"])]
    first, calls = _run(cache, items)
    assert first == ["plan a 0", "plan b 1", "plan c 2"] and calls == ["a", "b", "c"]
    items[1] = Item("b", np.array([9.0]))
    control = RunControl()
    second, calls = _run(cache, items, control)
    assert second == ["plan a 0", "plan b 9", "plan c 2"] and calls == ["b"]
    assert control.solved == {"m": ["b"]} and control.reused == {"m": ["a", "c"]}


def test_a_stop_leaves_later_unseen_items_to_the_stand_in() -> None:
    cache = PlanCache()
    _run(cache, [Item("b", np.array([1.0]))])  # b is known
    control = RunControl()
    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append((done, total, label))
        control.stop()

    control.progress = progress
    items = [Item(c, np.array([1.0 if c == "b" else 5.0])) for c in "abcd"]
    out, calls = _run(cache, items, control)
    assert calls == ["a"] and seen == [(1, 3, "a")]
    assert out == ["plan a 5", "plan b 1", "stopped c", "stopped d"]  # known b still comes from the cache
    assert control.stopped == {"m": ["c", "d"]}


def test_failures_are_not_remembered() -> None:
    cache = PlanCache()
    attempts = []

    def solve(item: Item) -> object:
        attempts.append(item.county_id)
        return TaskFailure(0, item.county_id, "boom") if len(attempts) == 1 else "plan"

    mapper = cached_map(
        cache, model="m", key=fingerprint, label=lambda i: i.county_id, stopped=lambda f, i: None
    )
    item = Item("a", np.array([1.0]))
    assert isinstance(next(iter(mapper(solve, [item]))), TaskFailure)
    assert list(mapper(solve, [item])) == ["plan"] and attempts == ["a", "a"]


def test_cache_drops_the_oldest_beyond_its_limit_and_copies_are_independent() -> None:
    cache = PlanCache(limit=2)
    for key in "abc":
        cache.put(key, key.upper())
    assert "a" not in cache and cache.get("c") == "C" and len(cache) == 2
    copy = cache.copy()
    copy.put("d", "D")
    assert "d" not in cache and "d" in copy
