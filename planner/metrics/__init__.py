"""Plan metrics: coverage of older people, travel, beds, E2SFCA accessibility and equity, community figures.

Every figure here is recomputed from the plan (open sites and beds, township
-> lead) and the region's sparse travel table, independently of the
optimiser's own values, so it doubles as a check of the optimiser.

Definitions
-----------
covered
    A township is covered when an open site lies within the siting
    threshold (minutes or km, as the setup says) along the travel table;
    only sites of its own county count unless the setup allows cross-county
    service (the optimiser's rule). Counts and shares are of population 60+.
travel
    Minutes from each township to its nearest open site (same county rule);
    the mean is weighted by population 60+, over townships that reach one;
    the maximum is over townships with older people that reach one.
beds per 10,000 aged 60+
    Beds at open sites of the county (or region) per 10,000 of its aged 60+.
accessibility (E2SFCA)
    Enhanced two-step floating catchment (Luo & Qi 2009): for each open site
    ``j``, ``R_j = S_j / sum_k P_k W(d_kj)`` over townships ``k`` within the
    threshold; for each township ``i``, ``A_i = sum_j R_j W(d_ij)``; ``S`` =
    beds, ``P`` = population 60+, ``W`` the distance decay. Reported in beds
    per 10,000 aged 60+. Computed on the sparse pairs only (no dense matrix).
    When every open site reaches some older people, the population-weighted
    mean of ``A`` equals beds per 10,000 aged 60+ (all beds are shared out),
    so the report gives its spread (Gini) rather than its mean.
Gini
    ``sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean)``, townships weighted by
    population 60+ (0 = everyone has the same accessibility).

All areas and lengths are measured in the equal-area Albers projection for
China (metres), never in degrees.

Modules: :mod:`~planner.metrics.coverage` (siting), :mod:`~planner.metrics.access`
(E2SFCA and Gini), :mod:`~planner.metrics.communities` and :mod:`~planner.metrics.shapes`
(grouping), :mod:`~planner.metrics.kpis` (a scenario run's headline figures).
"""
