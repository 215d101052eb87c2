"""The harness itself: requests off this machine, from a page or its iframes, are seen and blocked."""

from __future__ import annotations

import pytest

from tests.browser.network_log import is_local

pytestmark = pytest.mark.browser


def test_is_local_accepts_loopback_and_inline_urls_only() -> None:
    local = (
        "http://127.0.0.1:8501/",
        "ws://localhost:8501/_stcore/stream",
        "http://[::1]:8501/",
        "data:image/png;base64,AA==",
        "blob:http://127.0.0.1/x",
        "about:blank",
    )
    remote = (
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
        "http://127.0.0.2.nip.io/",
        "http://10.0.0.1/",
        "file:///etc/passwd",
        "chrome-extension://abc/x.js",
    )
    assert all(is_local(url) for url in local)
    assert not any(is_local(url) for url in remote)


def test_guard_records_and_blocks_requests_from_page_and_iframe(page, network) -> None:
    inner = "<img src='http://tiles.invalid/0/0/0.png'>"
    page.set_content(
        f"<img id='outer' src='https://cdn.invalid/leaflet.png'><iframe srcdoc=\"{inner}\"></iframe>"
    )
    page.wait_for_load_state("load")

    assert sorted(network.external) == ["http://tiles.invalid/0/0/0.png", "https://cdn.invalid/leaflet.png"]
    assert page.evaluate("document.getElementById('outer').naturalWidth") == 0  # aborted, nothing drawn
    # These two were provoked on purpose: clear them so the guard does not fail this test.
    network.requests[:] = [url for url in network.requests if is_local(url)]
