"""A real server started with an access token: a browser without it sees only the note, with it the app.

The server is the command ``planner app`` runs (``launch.streamlit_command``)
with the token ``planner app --address 0.0.0.0`` would hand it, bound to
127.0.0.1 so that the test opens nothing beyond this computer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from planner.ui.access import TOKEN_ENV, access_token_for
from planner.ui.launch import app_script, streamlit_command

STARTUP_SECONDS = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def guarded_app(chromium_executable) -> Iterator[tuple[str, str]]:
    """(url, token) of a server that requires the token."""
    token = access_token_for("0.0.0.0")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    script = app_script()
    process = subprocess.Popen(
        streamlit_command(script, port=port),
        cwd=script.parent,
        env=dict(os.environ, **{TOKEN_ENV: token}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        while not _healthy(url):
            assert process.poll() is None, "the server ended before serving"
            assert time.monotonic() - started < STARTUP_SECONDS, "the server did not start"
            time.sleep(0.2)
        yield url, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


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
