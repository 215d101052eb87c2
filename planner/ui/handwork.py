"""What the planner's hand work means, in words -- no Streamlit.

* :func:`reoptimise_notice` -- what re-optimising a county will undo (its hand moves not yet run
  and its townships locked one by one), for the confirm step before it.
* :func:`unused_site_reason` -- why a candidate site added on the map is not used by the plan.

Both return a text key of :mod:`planner.present.i18n` with its fields, so the page shows them in the
chosen language.
"""

from __future__ import annotations

from typing import Any

from planner.ui.workbench import ADDED_PREFIX, Workbench

__all__ = ["is_added_site", "reoptimise_notice", "unused_site_reason"]

#: Most township names listed in the confirm text (the rest are counted).
LISTED = 8


def is_added_site(wb: Workbench, facility_id: str) -> bool:
    """Whether ``facility_id`` is a candidate site added on the map (in the present state)."""
    return facility_id.startswith(ADDED_PREFIX) and any(
        s["facility_id"] == facility_id for s in wb.snapshot.added_sites
    )


def reoptimise_notice(wb: Workbench, county: str) -> tuple[str, dict[str, Any]]:
    """The confirm text of re-optimising ``county``: what it undoes, with names.

    Returns
    -------
    (str, dict)
        ``app.reoptimise_confirm`` with the county's name, the number of townships with hand work
        (moved and not yet run, or locked on their own) and their names; ``app.reoptimise_clean``
        when there is nothing to undo.
    """
    region = wb.base
    county_name = dict(zip(region.counties["county_code"], region.counties["county_name"], strict=True))
    town_name = dict(zip(region.townships["township_code"], region.townships["township_name"], strict=True))
    moves, locks = wb.hand_edits(county)
    name = str(county_name.get(county, county))
    if not moves and not locks:
        return "app.reoptimise_clean", {"county": name}
    towns = [str(town_name.get(t, t)) for t in sorted({*moves, *locks})]
    listed = "、".join(towns[:LISTED]) + (f" … (+{len(towns) - LISTED})" if len(towns) > LISTED else "")
    return "app.reoptimise_confirm", {"county": name, "n": len(towns), "towns": listed}


def unused_site_reason(wb: Workbench, facility_id: str, lang: str) -> tuple[str, dict[str, Any]] | None:
    """Why an added candidate site is not open in the plan (``None`` when it is open, or not an added site).

    In order: it has not been solved yet; its facility type may not host beds; it is excluded; the
    optimiser did not need it.

    Returns
    -------
    (str, dict) or None
        A ``site.unused.*`` text key and its fields.
    """
    from planner.present.i18n import tr

    if not is_added_site(wb, facility_id):
        return None
    snap = wb.snapshot
    if snap.siting is None:
        return "site.unused.unsolved", {}
    region = wb.region_of(snap)
    sites = snap.siting.sites(region)
    mine = sites[sites["facility_id"] == facility_id]
    if len(mine) and bool(mine["open"].iloc[0]):
        return None
    kinds = snap.siting.setup.site_kinds
    kind = str(region.facilities.loc[region.facilities["facility_id"] == facility_id, "kind"].iloc[0])
    if kind not in kinds:
        allowed = "、".join(tr(f"kind.{k}", lang) for k in kinds)
        return "site.unused.kind", {"kind": tr(f"kind.{kind}", lang), "allowed": allowed}
    if wb.status_of(facility_id, snap) == "excluded":
        return "site.unused.excluded", {}
    if not len(mine):  # added after the last siting run
        return "site.unused.unsolved", {}
    return "site.unused.not_needed", {}
