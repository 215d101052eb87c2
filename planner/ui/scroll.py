"""Bring the plan into view after a step taken far below it (planning on uploaded files, opening a scenario).

Those buttons sit in the sections under the map; the new region and its plan appear at the top
of the page. :func:`request` marks that the page should scroll up, and :func:`apply` (called once
per run, after the map) does it with a tiny script in an invisible same-origin frame: no file is
loaded, nothing leaves the page.

The same frame stays on the page for :data:`KEEP_SECONDS`: the run that shows it can be replaced at
once by another (the map reruns the page when it first reports its view), which could remove the
frame before its script ran -- the page then stayed down (seen once in four full browser runs). The
frame's content stays the same across those runs (one comment per request), so that Streamlit can keep
the frame it has rather than make a new one; a new request makes a new frame.
"""

from __future__ import annotations

import itertools
import time

import streamlit as st

from planner.ui.state import Keys

__all__ = ["KEEP_SECONDS", "SCRIPT", "apply", "request"]

#: Scrolls Streamlit's main area (and the window) of the parent page to the top.
SCRIPT = """<script>
const doc = window.parent.document;
const main = doc.querySelector('[data-testid="stMain"]');
if (main) { main.scrollTo({top: 0, behavior: "instant"}); }
window.parent.scrollTo({top: 0, behavior: "instant"});
</script>"""

#: Seconds the scrolling frame stays on the page after a step asked for it.
KEEP_SECONDS = 10.0

_COUNT = itertools.count()


def request() -> None:
    """Scroll to the plan on the next page runs (for :data:`KEEP_SECONDS`)."""
    # a distinct comment for each request, so its frame is rendered (and the script run) anew
    st.session_state[Keys.SCROLL_TO_PLAN] = (
        f"{SCRIPT}<!-- {next(_COUNT)} -->",
        time.monotonic() + KEEP_SECONDS,
    )


def apply() -> None:
    """Show the scrolling frame of the last request while it is recent; then forget the request."""
    asked = st.session_state.get(Keys.SCROLL_TO_PLAN)
    if asked is None:
        return
    html, until = asked
    if time.monotonic() > until:
        del st.session_state[Keys.SCROLL_TO_PLAN]
        return
    st.iframe(html, height=1)
