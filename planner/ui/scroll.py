"""Bring the plan into view after a step taken far below it (planning on uploaded files, opening a scenario).

Those buttons sit in the sections under the map; the new region and its plan appear at the top
of the page. :func:`request` marks that the next page run should scroll up, and :func:`apply`
(called once per run, after the map) does it with a tiny script in an invisible same-origin frame:
no file is loaded, nothing leaves the page.
"""

from __future__ import annotations

import itertools

import streamlit as st

from planner.ui.state import Keys

__all__ = ["SCRIPT", "apply", "request"]

#: Scrolls Streamlit's main area (and the window) of the parent page to the top.
SCRIPT = """<script>
const doc = window.parent.document;
const main = doc.querySelector('[data-testid="stMain"]');
if (main) { main.scrollTo({top: 0, behavior: "instant"}); }
window.parent.scrollTo({top: 0, behavior: "instant"});
</script>"""

_COUNT = itertools.count()


def request() -> None:
    """Scroll to the plan on the next page run."""
    st.session_state[Keys.SCROLL_TO_PLAN] = True


def apply() -> None:
    """Scroll to the top of the page when a step asked for it (once)."""
    if st.session_state.pop(Keys.SCROLL_TO_PLAN, False):
        # a distinct comment each time, so the frame is rendered (and the script run) anew
        st.iframe(f"{SCRIPT}<!-- {next(_COUNT)} -->", height=1)
