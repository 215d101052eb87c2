"""Undo/redo history as plain data, and session-state keys named in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.ui.state import History, Keys

UI = Path(__file__).resolve().parents[2] / "planner" / "ui"


def test_push_undo_redo_walk_the_states_in_order() -> None:
    h = History("a").push("b").push("c")
    assert (h.present, h.past, h.future) == ("c", ("a", "b"), ())
    h = h.undo()
    assert (h.present, h.past, h.future) == ("b", ("a",), ("c",))
    h = h.undo()
    assert (h.present, h.can_undo, h.can_redo) == ("a", False, True)
    assert h.undo() == h  # nothing left to undo
    h = h.redo().redo()
    assert (h.present, h.can_redo) == ("c", False)
    assert h.redo() == h


def test_a_new_step_after_undo_drops_the_redo_branch() -> None:
    h = History(0).push(1).push(2).undo().push(3)
    assert (h.present, h.past, h.future) == (3, (0, 1), ())


def test_replace_present_makes_no_new_step() -> None:
    h = History("edit").replace_present("edit+solved")
    assert (h.present, h.past) == ("edit+solved", ())
    h = History("start").push("edit").replace_present("edit+solved").undo()
    assert h.present == "start" and h.future == ("edit+solved",)


@pytest.mark.parametrize("limit", [1, 3])
def test_history_keeps_at_most_limit_past_states(limit: int) -> None:
    h = History(0, limit=limit)
    for i in range(1, 10):
        h = h.push(i)
    assert h.past == tuple(range(9 - limit, 9))


def test_every_key_is_distinct() -> None:
    values = [v for k, v in vars(Keys).items() if k.isupper() and isinstance(v, str)]
    assert len(values) == len(set(values))


def test_page_modules_name_no_state_key_as_a_bare_string() -> None:
    """Widget keys and session-state entries go through Keys, so every key is listed in state.py."""
    offenders = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "state.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"""\bkey\s*=\s*f?["']""", text)]
        offenders += [
            f"{path.name}: {m.group(0)}" for m in re.finditer(r"""session_state\s*\[\s*f?["']""", text)
        ]
        offenders += [
            f"{path.name}: {m.group(0)}"
            for m in re.finditer(r"""session_state\.(?:get|pop|setdefault)\(\s*f?["']""", text)
        ]
    assert offenders == []
