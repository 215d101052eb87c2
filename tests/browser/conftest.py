"""End-to-end fixtures: the app on 127.0.0.1, driven by Debian's Chromium through Playwright.

* ``chromium_executable``: ``/usr/bin/chromium`` (or ``$PLANNER_CHROMIUM``) and the ``playwright``
  package; a test skips when either is missing, except with ``CI=true``, where it fails.
  Install both with ``.ci/install-browser`` and ``pip install playwright``; never
  ``playwright install`` (no browser is downloaded).
* ``streamlit_app``: ``streamlit run app.py`` on 127.0.0.1 and a free port, headless, without
  usage statistics; waits for ``/_stcore/health`` and stops the server after the session.
* ``context`` / ``page``: a fresh Chromium profile per test. Every request of every page and
  iframe is recorded in ``network``; requests to any host but 127.0.0.1/localhost are aborted
  before they leave the browser, and the test fails when there was any (``data:``, ``blob:``
  and ``about:`` URLs are fine).
* Every ``expect(...)`` waits up to :data:`EXPECT_TIMEOUT_MS` unless it says otherwise.
* Screenshots land in ``test-artifacts/`` (git-ignored): ``screenshot(name)`` during a test and
  one of each open page when the test ends. Measured timings are printed at the end of the run
  and written to ``test-artifacts/browser-timings.json``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.network_log import NetworkLog, is_local
from tests.conftest import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    # Belt and braces: Chromium itself resolves no host name but localhost.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)
VIEWPORT = {"width": 1280, "height": 900}
STARTUP_TIMEOUT_S = 90.0
#: How long an ``expect(...)`` without its own timeout waits for the page (Playwright's default, 5 s, is
#: shorter than one rerun of the app on a loaded 2-core CI machine: a comparison of two scenarios took longer).
EXPECT_TIMEOUT_MS = 30_000

NETWORK_KEY = pytest.StashKey["NetworkLog"]()
TIMINGS_KEY = pytest.StashKey[dict[str, float]]()


@dataclass(frozen=True)
class AppServer:
    """A running ``streamlit run app.py``."""

    url: str
    startup_seconds: float
    log: Path


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI where the browser test must run."""
    if in_ci():
        pytest.fail(f"{reason}; CI=true requires the browser test (run .ci/install-browser)", pytrace=False)
    pytest.skip(reason)


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    timings = config.stash.get(TIMINGS_KEY, {})
    if timings:
        terminalreporter.section("browser timings (seconds)")
        for name, seconds in timings.items():
            terminalreporter.write_line(f"{name}: {seconds:.2f}")
        ARTIFACTS.mkdir(exist_ok=True)
        text = json.dumps(timings, indent=2) + "\n"
        (ARTIFACTS / "browser-timings.json").write_text(text, encoding="utf-8")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a browser test that passed but made a request off this machine."""
    result = yield
    log = item.stash.get(NETWORK_KEY, None)
    if log is not None:
        log.checked = len(log.requests)
        if log.external:
            hosts = "\n".join(log.external)
            pytest.fail(f"the page requested hosts outside 127.0.0.1:\n{hosts}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def timings(pytestconfig: pytest.Config) -> dict[str, float]:
    """Named durations in seconds, printed at the end of the run."""
    return pytestconfig.stash.setdefault(TIMINGS_KEY, {})


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium, with the ``playwright`` package to drive it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_driver(chromium_executable: Path) -> Iterator[Playwright]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


def streamlit_command(port: int) -> list[str]:
    """The app's own ``streamlit run`` command line (:func:`planner.ui.launch.streamlit_command`) on ``port``."""
    from planner.ui.launch import app_script
    from planner.ui.launch import streamlit_command as command

    return command(app_script(), port=port)


def planner_app_command(port: int) -> list[str]:
    """``planner app`` on 127.0.0.1:``port``, without opening a browser (add ``--region`` and its options)."""
    return [sys.executable, "-m", "planner", "app", "--no-browser", "--port", str(port)]


@contextmanager
def serving(
    command: Callable[[int], list[str]],
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT_S,
) -> Iterator[str]:
    """Run ``command(port)`` on a free port until its ``/_stcore/health`` answers; yield its address; stop it.

    The test fails, pointing at ``log_path``, when the server exits or is not healthy within
    ``timeout`` seconds. The server is stopped with SIGTERM (killed after 15 s) when the block ends.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command(port),
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"the app exited with code {process.returncode}; see {log_path}", pytrace=False)
            if time.perf_counter() - started > timeout:
                message = f"the app was not healthy after {timeout:.0f} s; see {log_path}"
                pytest.fail(message, pytrace=False)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def streamlit_app(chromium_executable: Path, timings: dict[str, float]) -> Iterator[AppServer]:
    """``streamlit run app.py`` on 127.0.0.1 at a free port, until the session ends."""
    log_path = ARTIFACTS / "streamlit.log"
    started = time.perf_counter()
    with serving(streamlit_command, log_path) as url:
        timings["app server healthy after start"] = time.perf_counter() - started
        yield AppServer(url=url, startup_seconds=timings["app server healthy after start"], log=log_path)


@pytest.fixture
def network(request: pytest.FixtureRequest) -> Iterator[NetworkLog]:
    """The requests of the current test; it fails if any left this machine.

    Requests made by the test body are checked right after it (a failure of the test itself);
    any others (during setup, teardown, or after a test that failed anyway) when this ends.
    """
    log = NetworkLog()
    request.node.stash[NETWORK_KEY] = log
    yield log
    unchecked = [url for url in log.requests[log.checked :] if not is_local(url)]
    if unchecked:
        pytest.fail("the page requested hosts outside 127.0.0.1:\n" + "\n".join(unchecked), pytrace=False)


@pytest.fixture
def context(
    playwright_driver: Playwright,
    chromium_executable: Path,
    network: NetworkLog,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh profile; off-machine requests are recorded and aborted."""
    browser_context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=str(chromium_executable),
        headless=True,
        args=list(CHROMIUM_FLAGS),
        viewport=VIEWPORT,
    )

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    browser_context.on("request", network.record)
    browser_context.on("requestfailed", network.record_failure)
    browser_context.on("response", network.record_response)
    browser_context.route("**/*", guard)
    try:
        yield browser_context
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        name = _artifact_name(request.node.nodeid)
        for index, open_page in enumerate(browser_context.pages):
            suffix = f"-{index}" if index else ""
            try:
                open_page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own result
                print(f"no final screenshot of page {index}: {error}")
        browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """The context's page (a persistent context opens one)."""
    return context.pages[0] if context.pages else context.new_page()


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save a screenshot of the page as ``test-artifacts/<test>-<name>.png``."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{_artifact_name(request.node.nodeid)}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
