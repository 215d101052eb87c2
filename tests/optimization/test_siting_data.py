"""SitingData: construction from matrices and pairs, checks, and the per-county split."""

from __future__ import annotations

import numpy as np
import pytest

from optimization.siting import SitingData, SitingParams


def test_from_matrix_keeps_finite_pairs_sorted_by_township_then_cost() -> None:
    cost = np.array([[5.0, np.inf, 1.0], [np.nan, 2.0, 2.0]])
    data = SitingData.from_matrix(cost, demand_weight=[1, 2])
    assert data.n_demand == 2 and data.n_sites == 3
    assert data.pair_demand.tolist() == [0, 0, 1, 1]
    assert data.pair_site.tolist() == [2, 0, 1, 2]
    assert data.pair_cost.tolist() == [1.0, 5.0, 2.0, 2.0]
    assert (data.site_status == "candidate").all() and data.site_ward_eligible.all()


def test_from_matrix_max_cost_drops_far_pairs() -> None:
    data = SitingData.from_matrix(np.array([[1.0, 9.0]]), demand_weight=[1], max_cost=5)
    assert data.pair_site.tolist() == [0]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"site_status": ["candidate", "closed"]}, "unknown site status"),
        ({"demand_weight": [-1.0]}, "demand_weight"),
        ({"site_existing_beds": [-2, 0]}, "bed counts"),
    ],
)
def test_bad_inputs_are_refused(kwargs: dict, message: str) -> None:
    args = {"demand_weight": [1.0], "site_status": ["candidate", "existing"]} | kwargs
    with pytest.raises(ValueError, match=message):
        SitingData.from_pairs([0], [1], [3.0], **args)


def test_duplicate_and_out_of_range_pairs_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        SitingData.from_pairs([0, 0], [1, 1], [3.0, 4.0], demand_weight=[1.0], n_sites=2)
    with pytest.raises(ValueError, match="out of range"):
        SitingData.from_pairs([0], [5], [3.0], demand_weight=[1.0], n_sites=2)
    with pytest.raises(ValueError, match="finite"):
        SitingData.from_pairs([0], [1], [-1.0], demand_weight=[1.0], n_sites=2)


def test_split_by_group_keeps_only_same_county_pairs() -> None:
    rng = np.random.default_rng(3)
    n, m = 30, 12
    dg = rng.choice(["A", "B", "C"], size=n)
    sg = rng.choice(["A", "B", "C"], size=m)
    cost = rng.random((n, m)) * 10
    data = SitingData.from_matrix(
        cost,
        demand_weight=np.arange(n) + 1.0,
        demand_group=dg,
        site_group=sg,
        demand_ids=[f"t{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
    )
    pieces = data.split_by_group()
    assert [label for label, *_ in pieces] == list(data.groups)
    towns = np.concatenate([t for _, _, t, _ in pieces])
    sites = np.concatenate([s for _, _, _, s in pieces])
    assert sorted(towns) == list(range(n)) and sorted(sites) == list(range(m))
    for label, piece, t, s in pieces:
        assert (dg[t] == label).all() and (sg[s] == label).all()
        assert piece.demand_ids.tolist() == [f"t{i}" for i in t]
        # every pair of the piece is the original cost between its township and site
        orig = cost[t[piece.pair_demand], s[piece.pair_site]]
        assert np.allclose(piece.pair_cost, orig)
        assert piece.pair_demand.size == (dg[t][:, None] == sg[s][None, :]).sum()


def test_params_refuse_incomplete_objectives() -> None:
    with pytest.raises(ValueError, match="threshold"):
        SitingParams(objective="max_coverage")
    with pytest.raises(ValueError, match="coverage_target"):
        SitingParams(objective="min_sites", threshold=10)
    with pytest.raises(ValueError, match="persons_served_per_bed"):
        SitingParams(objective="min_distance", capacitated=True, threshold=10)
    with pytest.raises(ValueError, match="between 0 and 1"):
        SitingParams(objective="min_sites", threshold=10, coverage_target=1.5)


def test_large_maximal_covering_models_go_to_scip_unless_a_back_end_is_forced():
    from optimization.siting.prepare import Prepared
    from optimization.siting.stages import SCIP_ABOVE_COVER_PAIRS, Stages
    from optimization.solve import Backend

    n, m = SCIP_ABOVE_COVER_PAIRS // 40 + 1, 40  # every pair within reach: just over the switch
    data = SitingData.from_matrix(np.ones((n, m)), demand_weight=np.ones(n))
    covering = SitingParams(objective="max_coverage", threshold=5.0, new_sites=3, require_ward=False)
    assert Stages(Prepared(data, covering), None).backend is Backend.SCIP
    assert (
        Stages(
            Prepared(
                data, SitingParams(objective="max_coverage", threshold=0.5, new_sites=3, require_ward=False)
            ),
            None,
        ).backend
        is Backend.HIGHS
    )  # no pair covers
    forced = SitingParams(
        objective="max_coverage", threshold=5.0, new_sites=3, require_ward=False, backend="highs"
    )
    assert Stages(Prepared(data, forced), None).backend is Backend.HIGHS
    distance = SitingParams(objective="min_distance", new_sites=3, require_ward=False)
    assert Stages(Prepared(data, distance), None).backend is Backend.HIGHS


def test_duplicate_pairs_are_refused_wherever_they_stand():
    with pytest.raises(ValueError, match="duplicate"):
        SitingData.from_pairs([0, 1, 0], [1, 0, 1], [3.0, 1.0, 2.0], demand_weight=[1, 1], n_sites=2)
    data = SitingData.from_pairs([1, 0, 0], [0, 1, 0], [1.0, 2.0, 3.0], demand_weight=[1, 1], n_sites=2)
    assert data.pair_demand.tolist() == [0, 0, 1] and data.pair_cost.tolist() == [2.0, 3.0, 1.0]


@pytest.mark.parametrize("seed", range(5))
def test_pairs_are_ordered_by_township_then_cost_then_site_whatever_their_input_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 30, 12
    i, j = np.divmod(rng.permutation(n * m)[: n * m // 2], m)  # distinct pairs, shuffled
    cost = rng.integers(0, 4, size=i.size) * 0.5  # many ties within a township
    data = SitingData.from_pairs(i, j, cost, demand_weight=np.ones(n), n_sites=m)
    expected = np.lexsort((j, cost, i))
    assert data.pair_demand.tolist() == i[expected].tolist()
    assert data.pair_site.tolist() == j[expected].tolist()
    assert data.pair_cost.tolist() == cost[expected].tolist()


def test_pair_order_falls_back_to_lexsort_when_the_packed_key_would_overflow() -> None:
    from optimization.siting.data import _demand_cost_site_order

    rng = np.random.default_rng(7)
    i, j = rng.integers(0, 5, size=40), rng.integers(0, 5, size=40)
    cost = rng.integers(0, 3, size=40).astype(float)
    huge = 2**31  # n * levels * m beyond 62 bits: the keys cannot be packed
    assert _demand_cost_site_order(i, cost, j, huge, huge).tolist() == np.lexsort((j, cost, i)).tolist()


@pytest.mark.parametrize("seed", range(3))
def test_dense_pairs_in_table_order_are_sorted_row_by_row_to_the_same_order(seed: int) -> None:
    """A dense table in (township, site) order takes the row-by-row sort: the same order, ties by site."""
    rng = np.random.default_rng(seed)
    n, m = 40, 15
    i, j = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    cost = rng.integers(0, 4, size=n * m) * 0.5  # many ties within a township
    data = SitingData.from_pairs(i, j, cost, demand_weight=np.ones(n), n_sites=m)
    expected = np.lexsort((j, cost, i))
    assert data.pair_site.tolist() == j[expected].tolist()
    assert data.pair_cost.tolist() == cost[expected].tolist()
    # as many pairs as a dense table, but one township short of a pair and another with one more
    i2, j2 = i.copy(), j.copy()
    i2[m - 1], j2[m - 1] = 1, m  # township 0's last pair goes to township 1, at a site of its own
    order = np.lexsort((j2, i2))
    i2, j2, c2 = i2[order], j2[order], cost[order]
    data = SitingData.from_pairs(i2, j2, c2, demand_weight=np.ones(n), n_sites=m + 1)
    expected = np.lexsort((j2, c2, i2))
    assert data.pair_demand.tolist() == i2[expected].tolist()
    assert data.pair_site.tolist() == j2[expected].tolist()
