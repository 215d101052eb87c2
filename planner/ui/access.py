"""Who may use the app: an access token when it is served beyond this computer (the Jupyter model).

By default ``planner app`` serves 127.0.0.1: only people logged in to this
computer reach it, and no token is asked. Bound to any other address
(``--address 0.0.0.0``, a LAN address), anyone who can reach the port could
plan on the data the app was given, so :func:`access_token_for` makes a
random token, ``planner app`` prints the address with it
(``http://host:8501/?token=...``), and the page shows nothing but a "token
required" note to a browser session that did not bring it (:func:`granted`,
the first thing the page does). ``--no-token`` turns this off, with a warning.

Streamlit has no authentication hook, so the check lives in the page script:
every rerun of a session starts there, and a session that showed the token
once keeps access (it is remembered in the session, compared in constant
time). What it does not cover: Streamlit's own endpoints that carry no planning
data -- the health check, the static files of the page and of the map (the
vendored Leaflet files), and the files behind download buttons, which exist
only once a session with the token asked for them and are named by a hash of
their content. Use a reverse proxy with its own login, and HTTPS, when the
app must be reachable from an untrusted network.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping, MutableMapping
from typing import Any

__all__ = ["QUERY_KEY", "TOKEN_ENV", "access_token_for", "granted", "is_loopback", "token_matches"]

#: Environment variable through which ``planner app`` hands the token to the page.
TOKEN_ENV = "PLANNER_APP_TOKEN"
#: Query parameter of the address that carries the token.
QUERY_KEY = "token"
#: Session key remembering that this browser session showed the token.
_GRANTED = "access_granted"


def is_loopback(address: str) -> bool:
    """Whether ``address`` is this computer only (127.0.0.0/8, ::1, ``localhost``)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost may resolve to anything
        return False


def access_token_for(address: str, *, no_token: bool = False) -> str | None:
    """A fresh random token when the app is served beyond this computer (unless ``no_token``), else None."""
    if no_token or is_loopback(address):
        return None
    return secrets.token_urlsafe(24)


def token_matches(given: Any, expected: str) -> bool:
    """Whether ``given`` is the token (compared in constant time; anything but text is no match)."""
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def granted(
    query: Mapping[str, Any], session: MutableMapping[Any, Any], environ: Mapping[str, str] = os.environ
) -> bool:
    """Whether this browser session may use the app: no token is set, or it was shown (now or before).

    Parameters
    ----------
    query
        The page address's query parameters (``st.query_params``).
    session
        The session's state (``st.session_state``), where access is remembered.
    environ
        Where the expected token is (:data:`TOKEN_ENV`).
    """
    expected = environ.get(TOKEN_ENV)
    if not expected or session.get(_GRANTED) is True:
        return True
    if token_matches(query.get(QUERY_KEY), expected):
        session[_GRANTED] = True
        return True
    return False
