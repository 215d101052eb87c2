"""`planner app` runs Streamlit as a child process; stopping the command stops the server too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
            return response.read() == b"ok"
    except OSError:
        return False


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_sigterm_to_planner_app_stops_the_streamlit_server() -> None:
    port = _free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "planner", "app", "--no-browser", "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert time.monotonic() < deadline, "the app did not start within 60 s"
            assert app.poll() is None, "planner app ended before serving"
            time.sleep(0.3)
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=20)
        deadline = time.monotonic() + 10
        while _healthy(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _healthy(port), "the Streamlit server outlived planner app"
    finally:  # whatever is left of the command's process group (a Streamlit server outliving it)
        try:
            os.killpg(app.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
