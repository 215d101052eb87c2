"""What a browser asked for during a test, and whether each address stays on this machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Request, Response

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
HARMLESS_SCHEMES = frozenset({"data", "blob", "about"})


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (loopback host) or need no network at all."""
    parts = urlsplit(url)
    if parts.scheme in HARMLESS_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


@dataclass
class NetworkLog:
    """Everything the browser asked for during one test."""

    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    checked: int = 0  # requests[:checked] were already checked after the test body

    @property
    def external(self) -> list[str]:
        """Requested URLs whose host is not this machine."""
        return [url for url in self.requests if not is_local(url)]

    def record(self, request: Request) -> None:
        """Note a request (Playwright ``request`` event)."""
        self.requests.append(request.url)

    def record_failure(self, request: Request) -> None:
        """Note a local request that failed (blocked remote ones are already in ``external``)."""
        if is_local(request.url):
            self.failures.append(f"{request.url} ({request.failure})")

    def record_response(self, response: Response) -> None:
        """Note an HTTP error answer."""
        if response.status >= 400:
            self.failures.append(f"{response.url} (HTTP {response.status})")
