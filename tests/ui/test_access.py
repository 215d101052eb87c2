"""The app served beyond this computer asks for an access token (printed at start), unless turned off knowingly."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui import launch
from planner.ui.access import TOKEN_ENV, access_token_for, granted, is_loopback, token_matches

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("::", False),
        ("planner.example.org", False),
    ],
)
def test_only_this_computer_counts_as_loopback(address, local):
    assert is_loopback(address) is local
    token = access_token_for(address)
    assert (token is None) is local
    assert access_token_for(address, no_token=True) is None


def test_tokens_are_random_and_long():
    tokens = {access_token_for("0.0.0.0") for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 32 for t in tokens)


def test_a_session_without_the_token_is_refused_and_one_with_it_keeps_access():
    environ = {TOKEN_ENV: "s3cret-token"}
    session: dict = {}
    assert not granted({}, session, environ)
    assert not granted({"token": "wrong"}, session, environ)
    assert not granted({"token": ["s3cret-token"]}, session, environ)  # only text matches
    assert granted({"token": "s3cret-token"}, session, environ)
    assert granted({}, session, environ)  # the same session, after the address changed
    assert not granted({}, {}, environ)  # another session
    assert granted({}, {}, {})  # no token set: local use
    assert token_matches("a", "a") and not token_matches("a", "b") and not token_matches(None, "a")


def test_the_start_message_prints_the_address_with_the_token_or_warns_without_it():
    out, err = launch.start_lines("0.0.0.0", 8600, "tok123")
    assert "http://127.0.0.1:8600/?token=tok123" in out[0] and not err
    assert any(":8600/?token=tok123" in line for line in out[1:])
    out, err = launch.start_lines("0.0.0.0", 8600, None, no_token=True)
    assert "token" not in out[0] and "WARNING" in err[0] and "--no-token" in err[0]
    out, err = launch.start_lines("127.0.0.1", 8600, None)
    assert out[0].endswith(":8600  (Ctrl+C to stop)") and not err


def test_the_token_and_data_folder_reach_the_server_process(monkeypatch, tmp_path, capsys):
    started = {}

    class Server:
        def __init__(self, command, env, cwd):
            started.update(command=command, env=env)

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(launch.subprocess, "Popen", Server)
    monkeypatch.setenv(TOKEN_ENV, "stale token from the shell")
    args = argparse.Namespace(
        port=8765, address="0.0.0.0", no_browser=True, region=None, data_dir=str(tmp_path), no_token=False
    )
    assert launch.main(args) == 0
    token = started["env"][TOKEN_ENV]
    assert token != "stale token from the shell" and f"?token={token}" in capsys.readouterr().out
    assert started["env"][launch.DATA_DIR_ENV] == str(tmp_path.resolve())
    assert launch.main(argparse.Namespace(**{**vars(args), "address": "127.0.0.1", "data_dir": None})) == 0
    assert TOKEN_ENV not in started["env"] and launch.DATA_DIR_ENV not in started["env"]
    assert launch.main(argparse.Namespace(**{**vars(args), "no_token": True})) == 0
    assert TOKEN_ENV not in started["env"] and "WARNING" in capsys.readouterr().err


@pytest.mark.parametrize("folder", ["missing", "/"])
def test_a_data_folder_must_exist_and_not_be_a_root(tmp_path, folder):
    args = argparse.Namespace(
        port=8765,
        address="127.0.0.1",
        no_browser=True,
        region=None,
        no_token=False,
        data_dir=str(tmp_path / folder) if folder == "missing" else folder,
    )
    with pytest.raises(SystemExit, match="--data-dir"):
        launch.main(args)


def test_the_page_shows_only_the_token_note_without_the_token(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "page-token-123")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Access token required" in e.value for e in at.error)
    assert not at.metric and not at.sidebar.radio and not at.button  # nothing of the plan, no controls
    at.query_params["token"] = "wrong"
    at.run()
    assert not at.metric
    at.query_params["token"] = "page-token-123"
    at.run()
    assert not at.exception and at.metric  # the page itself
    del at.query_params["token"]
    at.run()
    assert at.metric  # the session keeps access
