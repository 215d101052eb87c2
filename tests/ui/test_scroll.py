"""Scrolling up to the plan after a step far below it survives a page run replaced at once (scroll.py)."""

from __future__ import annotations

from types import SimpleNamespace

from planner.ui import scroll
from planner.ui.state import Keys


def test_the_scrolling_frame_is_shown_again_unchanged_while_recent_then_forgotten(monkeypatch) -> None:
    shown: list[str] = []
    fake = SimpleNamespace(session_state={}, iframe=lambda html, height: shown.append(html))
    monkeypatch.setattr(scroll, "st", fake)
    now = [100.0]
    monkeypatch.setattr(scroll.time, "monotonic", lambda: now[0])

    scroll.apply()
    assert shown == []  # nothing asked
    scroll.request()
    scroll.apply()  # the run that asked (the map may replace it at once)
    now[0] += 2.0
    scroll.apply()  # the run that replaced it shows the same frame: not loaded again, not lost
    assert len(shown) == 2 and shown[0] == shown[1] and scroll.SCRIPT in shown[0]
    now[0] += scroll.KEEP_SECONDS
    scroll.apply()
    assert len(shown) == 2 and Keys.SCROLL_TO_PLAN not in fake.session_state  # forgotten
    scroll.request()
    scroll.apply()
    assert len(shown) == 3 and shown[2] != shown[0]  # a new step: a new frame, run anew
