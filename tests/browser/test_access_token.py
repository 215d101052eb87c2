"""A real server started with an access token: a browser without it sees only the note, with it the app.

The server is the command ``planner app`` runs (``launch.streamlit_command``)
with the token ``planner app --address 0.0.0.0`` would hand it, bound to
127.0.0.1 so that the test opens nothing beyond this computer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from planner.ui.access import TOKEN_ENV, access_token_for
from tests.browser.conftest import serving, streamlit_command


@pytest.fixture(scope="module")
def guarded_app(chromium_executable, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(url, token) of a server that requires the token."""
    token = access_token_for("0.0.0.0")
    log = tmp_path_factory.mktemp("guarded") / "streamlit.log"
    with serving(streamlit_command, log, env=dict(os.environ, **{TOKEN_ENV: token})) as url:
        yield url, token


def test_without_the_token_the_browser_sees_only_the_note(guarded_app, page):
    url, token = guarded_app
    for address in (url, f"{url}/?token=wrong"):
        page.goto(address)
        page.get_by_text("Access token required").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stMetric']").count() == 0
        assert token not in page.content()


def test_with_the_token_the_app_opens(guarded_app, page):
    url, token = guarded_app
    page.goto(f"{url}/?token={token}")
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=90_000)
    assert page.get_by_text("Access token required").count() == 0
