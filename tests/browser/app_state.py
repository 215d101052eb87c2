"""When the app in a page has settled (its map drawn, no run going on for a while), and choosing in its lists.

The map reruns the page once when it first reports its view, a moment after it is drawn. A
widget used while that run (or any other) is going on may be drawn again under the pointer:
a file chosen in the uploader was never sent, an open list closed before its option was
clicked (a loaded 2-core CI machine showed both). A planner waits for the page to be still
before choosing files; :func:`settle` does too.
"""

from __future__ import annotations

import time
from typing import Any

from tests.browser.map_probe import MAP_FRAME

#: Streamlit's own marks on its app element (its end-to-end tests read the same).
APP_STATE = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  return app ? [app.dataset.testScriptState, app.dataset.testConnectionState] : null;
}
"""
#: How long the app must be connected and not running for the page to count as settled.
QUIET_SECONDS = 1.5


def settle(page: Any, *, timeout_s: float = 90.0) -> None:
    """Wait until the page's (first) map is drawn and the app has been idle for :data:`QUIET_SECONDS`.

    Raises
    ------
    AssertionError
        When that does not happen within ``timeout_s`` in all, with the app's last state.
    """
    from playwright.sync_api import expect

    started = time.perf_counter()
    expect(page.frame_locator(MAP_FRAME).first.locator(".leaflet-container")).to_be_visible(
        timeout=timeout_s * 1000
    )
    quiet_since = None
    state = None
    while time.perf_counter() - started < timeout_s:
        state = page.evaluate(APP_STATE)
        if state == ["notRunning", "CONNECTED"]:
            quiet_since = quiet_since or time.perf_counter()
            if time.perf_counter() - quiet_since >= QUIET_SECONDS:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"the app did not settle within {timeout_s:.0f} s; its last state: {state}")


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` with a click, as a planner does, once the page has settled.

    Waits until the box shows ``option``. Typing the option and pressing Enter at once could press
    Enter before the list had found it on a loaded machine (nothing chosen, the typed words still in
    the box); a click could focus the box without opening its list there, which the arrow key opens.
    An option a long list does not draw (more than 25 options are drawn only in view) is typed to
    narrow the list, then clicked.
    """
    from playwright.sync_api import expect

    field = page.get_by_role("combobox", name=label)
    settle(page)
    field.click()
    for attempt in range(3):
        try:
            expect(field).to_have_attribute("aria-expanded", "true", timeout=3_000)
            break
        except AssertionError:
            if attempt == 2:
                raise AssertionError(f"the list of {label!r} did not open") from None
            field.press("ArrowDown")
    target = page.get_by_role("option", name=option, exact=True)
    try:
        target.wait_for(timeout=3_000)
    except Exception:  # Playwright's TimeoutError: a long list draws only the options in view
        field.fill(option)  # the typed words narrow it
    target.click()
    expect(field).to_have_value(option, timeout=60_000)
