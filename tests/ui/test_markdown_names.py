"""Names the app writes into Streamlit's Markdown are text: no image, link, heading or HTML comes from a name."""

from __future__ import annotations

import re
import types

import pytest

from planner.present.templating import markdown_text

#: Markdown an attacker would put into a facility, township, region, scenario or file name.
PAYLOADS = (
    "![x](http://example.invalid/track.png)",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "# heading",
    "**bold** _it_ `code`",
    ":red[coloured] :material/home:",
    "$x^2$",
    "a\n\n- list\r\nitem",
    "1. item",
    "> quote",
    "| a | b |",
    "~~gone~~",
    "镇(1)·卫生院",
)
#: What CommonMark treats as markup somewhere: ASCII punctuation (each must come escaped).
_PUNCTUATION = set("""!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~""")


def _unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_text_escapes_every_punctuation_and_keeps_the_text(payload):
    shown = markdown_text(payload)
    assert "\n" not in shown and "\r" not in shown
    unescaped = [
        (i, c)
        for i, c in enumerate(shown)
        if c in _PUNCTUATION
        and (i == 0 or shown[i - 1] != "\\")
        and not (c == "\\" and i + 1 < len(shown) and shown[i + 1] in _PUNCTUATION)
    ]
    assert unescaped == []
    assert _unescape(shown) == re.sub(r"[\r\n]+", " ", payload)


def test_flash_messages_show_names_as_text(monkeypatch):
    """The one place every flash message is shown escapes its values (names), not the message's own words."""
    from planner.ui import panels
    from planner.ui.state import Keys

    shown: list[str] = []
    fake = types.SimpleNamespace(
        session_state={
            Keys.FLASH: [
                ("success", "scenario.loaded", {"name": PAYLOADS[0]}),
                ("success", "edit.done", {"what": PAYLOADS[2]}),
            ]
        },
        success=shown.append,
    )
    monkeypatch.setattr(panels, "st", fake)
    panels.show_flash(types.SimpleNamespace(snapshot=object()), "en")
    assert shown == [
        f"Loaded scenario “{markdown_text(PAYLOADS[0])}” (undo goes back).",
        f"Done: {markdown_text(PAYLOADS[2])}",
    ]
    assert [t for t in shown if "](" in t or re.search(r"(?<!\\)<", t)] == []  # no link, no raw tag
