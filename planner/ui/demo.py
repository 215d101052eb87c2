"""The demo region's workbench: the built-in region, built once per server process, with its default plan solved."""

from __future__ import annotations

import streamlit as st

from geodata.demo import demo_region
from geodata.region import Region
from planner.ui import panels
from planner.ui.state import Keys
from planner.ui.workbench import Parameters, Workbench

__all__ = ["DEMO_SEED", "new_demo_workbench"]

DEMO_SEED = 2024


@st.cache_resource(show_spinner=False)
def _demo(seed: int) -> Region:
    """The demo region, built once per server process (read only: workbenches copy what they change)."""
    return demo_region(seed=seed)


def new_demo_workbench() -> Workbench:
    """A workbench on the demo region with the default plan solved (well under a second)."""
    wb = Workbench(_demo(DEMO_SEED), source=("demo",), seed=DEMO_SEED)
    wb.commit(
        wb.solve(panels.parameters() if Keys.param("objective") in st.session_state else Parameters()),
        new_step=False,
    )
    return wb
