"""Streamlit's own English words, replaced by the chosen language.

Streamlit has no translations: its file uploaders say "Upload" and "200MB per file • JSON"
whatever the page's language. :func:`streamlit_words_css` returns a style block that
writes the uploader button's word in the page's language (a CSS ``content``, from the
planner's own word table) and hides Streamlit's size hint (the planner's own text beside
each uploader states the limits). The form's "Press Enter to submit form" hint is turned
off where the form is made (``enter_to_submit=False``).
"""

from __future__ import annotations

import json

from planner.present.i18n import tr

__all__ = ["streamlit_words_css"]

_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (JSON's escapes are valid CSS; ``<`` cannot end the style block)."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\3c ")


def streamlit_words_css(lang: str) -> str:
    """A ``<style>`` block putting Streamlit's uploader words into ``lang``.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    """
    word = _css_string(tr("app.upload_button", lang))
    return (
        "<style>"
        f"{_BUTTON} p {{display:none;}}"
        f"{_BUTTON}::after {{content:{word};}}"
        '[data-testid="stFileUploaderDropzoneInstructions"] {display:none;}'
        "</style>"
    )
