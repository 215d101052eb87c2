"""Folium maps that work with no network: vendored front-end files, localised links, standalone pages.

This module knows nothing of Streamlit: the maps built by :mod:`planner.present.maps`, the HTML reports of
:mod:`planner.present.report` and the app (:mod:`planner.ui.offline`, which serves the same files) all use it.

folium lists every JavaScript and CSS file a map element needs as ``(name, url)`` pairs in the
element's ``default_js`` and ``default_css`` (``folium.elements.JSCSSMixin``). Out of the box
these are CDN addresses: ``folium.Map`` alone asks for Leaflet, jQuery, Bootstrap 5, the
Bootstrap 3 glyphicons, Font Awesome 6, Leaflet.awesome-markers and folium's rotation CSS, and
``folium.plugins.Draw`` for Leaflet.draw. Whoever sets ``default_js`` / ``default_css``
therefore decides every address the map loads.

1. :data:`VENDORED` maps each CDN URL that folium 0.20 uses to a file copied verbatim from its
   npm package into ``planner/ui/static/<package>-<version>/`` (provenance, licences and hashes
   in ``static/README.md``). Each package keeps its own folder layout, so the relative
   ``url(...)`` images and fonts inside its CSS resolve without edits. The folder stays under
   ``planner/ui`` because the app serves it from there (see :mod:`planner.ui.offline`).
2. :func:`localize` rewrites those URLs on every element of a map to a local base URL. An element
   asking for a file that is not vendored raises :class:`OfflineAssetError` listing all of them:
   nothing falls back to a CDN silently. It also tells Leaflet where its default marker images
   are: Leaflet guesses that folder from its stylesheet, and inside the streamlit-folium iframe
   the markers are often created before the stylesheet has loaded, when its fallback guess drops
   the ``/images/`` part (Leaflet issue 4968; the fix in streamlit-folium only covers maps whose
   header sets ``L.Icon.Default.imagePath``, which folium 0.20 no longer does).
3. :func:`standalone_html` renders one HTML file with every script and stylesheet inlined and the
   stylesheets' images and fonts embedded as ``data:`` URIs, for exported reports.

No basemap is drawn unless the planner gives a tile URL (for instance a tile server on their own
network); :func:`offline_map` then adds it with its attribution.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Final

import folium
import folium.plugins
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geodata.errors import SettingsError

__all__ = [
    "STATIC_DIR",
    "VENDORED",
    "OfflineAssetError",
    "linked_resources",
    "localize",
    "offline_map",
    "standalone_html",
    "walk",
]

STATIC_DIR: Final = Path(__file__).parents[1] / "ui" / "static"
"""Folder holding the vendored front-end files (one sub-folder per npm package and version)."""

VENDORED: Final[Mapping[str, str]] = MappingProxyType(
    {
        # folium.Map (folium 0.20 ``folium/folium.py``)
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet-1.9.3/dist/leaflet.js",
        "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/dist/jquery.min.js",
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
            "bootstrap-5.2.2/dist/js/bootstrap.bundle.min.js"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
            "drmonty-leaflet-awesome-markers-2.0.2/js/leaflet.awesome-markers.js"
        ),
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet-1.9.3/dist/leaflet.css",
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
            "bootstrap-5.2.2/dist/css/bootstrap.min.css"
        ),
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
            "glyphicons-only-bootstrap-1.0.1/css/bootstrap.min.css"
        ),
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
            "fontawesome-free-6.2.0/css/all.min.css"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
            "drmonty-leaflet-awesome-markers-2.0.2/css/leaflet.awesome-markers.css"
        ),
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
            "folium-0.20.0/folium/templates/leaflet.awesome.rotate.css"
        ),
        # folium.plugins.Draw
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js": (
            "leaflet-draw-1.0.2/dist/leaflet.draw.js"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css": (
            "leaflet-draw-1.0.2/dist/leaflet.draw.css"
        ),
        # folium.plugins.MarkerCluster
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
            "leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
            "leaflet.markercluster-1.1.0/dist/MarkerCluster.css"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
            "leaflet.markercluster-1.1.0/dist/MarkerCluster.Default.css"
        ),
    }
)
"""CDN URL used by folium -> vendored file, relative to :data:`STATIC_DIR` (POSIX separators)."""

_LEAFLET_IMAGES: Final = (
    PurePosixPath(VENDORED["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]).parent / "images"
)
_DEFAULT_ICON_IMAGES: Final = MappingProxyType(
    {"iconUrl": "marker-icon.png", "iconRetinaUrl": "marker-icon-2x.png", "shadowUrl": "marker-shadow.png"}
)
_DEFAULT_ICON_CHILD: Final = "offline_default_icon"

# Where localize() keeps an element's original (CDN) lists, so that it can be re-run.
_ORIGINAL_JS: Final = "_offline_original_js"
_ORIGINAL_CSS: Final = "_offline_original_css"

# Placeholder base URL used while rendering a standalone page; never left in the output.
_INLINE: Final = "offline-asset:"

_MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".gif": "image/gif",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
        ".eot": "application/vnd.ms-fontobject",
    }
)

_CSS_URL: Final = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<target>[^'")]+)(?P=quote)\s*\)""")
_FONT_SRC: Final = re.compile(r"(?<![\w-])src\s*:\s*(?P<value>[^;}]+)")
_FONT_SOURCE: Final = re.compile(r"url\([^)]*\)(?:\s*format\([^)]*\))?")
_CLOSING_SCRIPT: Final = re.compile(r"</(script)", re.IGNORECASE)


class OfflineAssetError(SettingsError):
    """A map needs a front-end file that is not vendored, or would fetch one from the network."""


class _DefaultIcon(MacroElement):
    """Script setting where Leaflet's default marker icon images are (run before any marker)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            L.Icon.Default.mergeOptions({{ this.images|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, *, image_path: str, images: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "DefaultIcon"
        self.image_path = image_path
        self.images = dict(images)


def offline_map(
    *,
    location: tuple[float, float] | list[float],
    zoom_start: int,
    tiles: str | None = None,
    attribution: str | None = None,
    **kwargs: Any,
) -> folium.Map:
    """Create a folium map with no basemap unless the planner supplies one.

    Parameters
    ----------
    location : (float, float)
        Initial centre as (latitude, longitude) in WGS84.
    zoom_start : int
        Initial zoom level.
    tiles : str, optional
        A tile URL template such as ``http://tiles.internal/{z}/{x}/{y}.png`` (or a folium
        provider name). None (default) draws no basemap, so the map makes no tile requests.
    attribution : str, optional
        Attribution shown for ``tiles``; required for a URL template, since tile providers'
        licences usually ask for one.
    **kwargs
        Passed to :class:`folium.Map` (for instance ``control_scale=True``).

    Returns
    -------
    folium.Map
        A plain folium map. Its front-end files still point at CDNs until it is shown with
        :func:`planner.ui.offline.st_offline_folium` or exported with :func:`standalone_html`,
        which localise them.

    Raises
    ------
    ValueError
        If a tile URL template is given without an attribution.
    """
    if tiles is not None and attribution is None and ("{z}" in tiles or "://" in tiles):
        raise SettingsError(
            f"The tile URL {tiles!r} needs an attribution (the text shown in the map corner, "
            "usually required by the tile provider's licence); pass attribution=..."
        )
    return folium.Map(location=list(location), zoom_start=zoom_start, tiles=tiles, attr=attribution, **kwargs)


def localize(element: Element, *, base_url: str, inline: bool = False) -> list[str]:
    """Point the front-end files of ``element`` and all its descendants at vendored copies.

    Each :class:`~folium.elements.JSCSSMixin` element gets instance-level ``default_js`` and
    ``default_css`` lists whose URLs are ``base_url`` + the vendored file's path. The original
    lists are kept on the element, so calling this again with another base URL is safe. Each
    :class:`folium.Map` also gets, as its first child, a script telling Leaflet that its default
    marker images are under ``base_url`` (an ``inline`` base embeds them as ``data:`` URIs).

    Parameters
    ----------
    element : branca.element.Element
        A folium map, figure or any element (the whole tree below it is visited).
    base_url : str
        Prefix for the vendored paths, normally ending in ``/``.
    inline : bool, default False
        Embed the default marker images instead of pointing at ``base_url``; used for
        standalone pages whose scripts and stylesheets are inlined.

    Returns
    -------
    list of str
        The vendored paths now referenced, in first-use order, without duplicates.

    Raises
    ------
    OfflineAssetError
        If any element needs a file that is not vendored; all such files are listed.
    """
    used: dict[str, None] = {}
    missing: list[str] = []
    for node in walk(element):
        if not isinstance(node, JSCSSMixin):
            continue
        for attribute, original in (("default_js", _ORIGINAL_JS), ("default_css", _ORIGINAL_CSS)):
            links = node.__dict__.setdefault(original, list(getattr(node, attribute)))
            local: list[tuple[str, str]] = []
            for name, url in links:
                path = VENDORED.get(url)
                if path is None:
                    missing.append(f"{type(node).__name__} needs {url} ({name})")
                    continue
                used[path] = None
                local.append((name, base_url + path))
            setattr(node, attribute, local)
    if missing:
        raise OfflineAssetError(
            "These front-end files are not vendored in planner/ui/static, so the map would fetch "
            "them from the internet: " + "; ".join(dict.fromkeys(missing)) + ". Vendor them from npm "
            "(see planner/ui/static/README.md) and add them to planner.present.offline.VENDORED."
        )
    for fmap in [node for node in walk(element) if isinstance(node, folium.Map)]:
        _set_default_icon(fmap, base_url=base_url, inline=inline)
    return list(used)


def standalone_html(fig: folium.Map | Element) -> str:
    """Render a map as one HTML page that needs no network: all front-end files inlined.

    Scripts and stylesheets are inlined; images and fonts that the stylesheets use become
    ``data:`` URIs (fonts in WOFF2 only where the stylesheet offers it); Leaflet's default
    marker icons are embedded too.

    Parameters
    ----------
    fig : folium.Map or branca.element.Element
        The map, or any element of the figure to render (its root figure is rendered).

    Returns
    -------
    str
        The complete HTML document.

    Raises
    ------
    OfflineAssetError
        If the map needs a file that is not vendored, or its HTML still refers to any script or
        stylesheet by address after inlining (a branca colormap adds d3 from a CDN, for one).
    """
    root = fig.get_root()
    used = localize(root, base_url=_INLINE, inline=True)
    html = root.render()
    for path in used:
        html = html.replace(f'<script src="{_INLINE}{path}"></script>', _inline_script(path))
        html = html.replace(f'<link rel="stylesheet" href="{_INLINE}{path}"/>', _inline_stylesheet(path))
    leftovers = linked_resources(html)
    if leftovers:
        raise OfflineAssetError(
            "The exported map would still load these files by address, so it would not work "
            f"offline: {', '.join(leftovers)}"
        )
    return html


def linked_resources(html: str) -> list[str]:
    """Addresses an HTML page loads through tags: ``<script src>``, ``<link href>``, ``<img src>``, ...

    Script and style contents are not parsed as markup, so text inside inlined libraries does
    not count.

    Parameters
    ----------
    html : str
        An HTML document.

    Returns
    -------
    list of str
        The distinct addresses, sorted, ``data:`` URIs excluded.
    """
    parser = _LinkCollector()
    parser.feed(html)
    parser.close()
    return sorted(url for url in parser.urls if not url.startswith("data:"))


class _LinkCollector(HTMLParser):
    _ATTRIBUTES: Final = frozenset({"src", "href", "srcset", "poster", "data"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":  # a link is only followed when clicked
            return
        self.urls.update(value.strip() for name, value in attrs if name in self._ATTRIBUTES and value)


def walk(element: Element) -> Iterator[Element]:
    """Yield an element and all its descendants, once each.

    Parameters
    ----------
    element : branca.element.Element
        A folium map, figure or any element.

    Yields
    ------
    branca.element.Element
        ``element`` first, then its descendants depth first (both halves of a
        :class:`folium.plugins.DualMap` too).
    """
    seen: set[int] = set()
    stack: list[Element] = [element]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        children: list[Element] = list(getattr(node, "_children", {}).values())
        if isinstance(node, folium.plugins.DualMap):
            children = [node.m1, node.m2, *children]
        stack.extend(reversed(children))


def _static_file(path: str | PurePosixPath) -> Path:
    """The vendored file at ``path`` (relative to STATIC_DIR); refuses paths outside it."""
    root = STATIC_DIR.resolve()
    candidate = (root / str(path)).resolve()
    if root not in candidate.parents or not candidate.is_file():
        raise OfflineAssetError(f"{path} is not a file in planner/ui/static")
    return candidate


def _data_uri(path: str | PurePosixPath) -> str:
    file = _static_file(path)
    media_type = _MEDIA_TYPES.get(file.suffix.lower())
    if media_type is None:
        raise OfflineAssetError(f"Cannot embed {path}: unknown media type {file.suffix!r}")
    return f"data:{media_type};base64," + base64.b64encode(file.read_bytes()).decode("ascii")


def _inline_script(path: str) -> str:
    code = _static_file(path).read_text(encoding="utf-8")
    return "<script>" + _CLOSING_SCRIPT.sub(r"<\\/\1", code) + "</script>"


def _set_default_icon(fmap: folium.Map, *, base_url: str, inline: bool) -> None:
    """Make the default-icon script ``fmap``'s first child, replacing an earlier one."""
    if inline:
        element = _DefaultIcon(
            image_path="",
            images={key: _data_uri(_LEAFLET_IMAGES / name) for key, name in _DEFAULT_ICON_IMAGES.items()},
        )
    else:
        element = _DefaultIcon(image_path=f"{base_url}{_LEAFLET_IMAGES}/", images=_DEFAULT_ICON_IMAGES)
    fmap.add_child(element, name=_DEFAULT_ICON_CHILD)
    fmap._children.move_to_end(_DEFAULT_ICON_CHILD, last=False)


def _inline_stylesheet(path: str) -> str:
    folder = PurePosixPath(path).parent
    css = _static_file(path).read_text(encoding="utf-8")
    css = _FONT_SRC.sub(_prefer_woff2, css)

    def embed(match: re.Match[str]) -> str:
        target = match.group("target").strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        file_part = re.split(r"[?#]", target, maxsplit=1)[0]
        return f'url("{_data_uri(_normalise(folder / file_part))}")'

    return "<style>" + _CSS_URL.sub(embed, css) + "</style>"


def _prefer_woff2(match: re.Match[str]) -> str:
    """Keep only the WOFF2 sources of an @font-face ``src`` list when it has any."""
    sources: Iterable[str] = _FONT_SOURCE.findall(match.group("value"))
    woff2 = [s for s in sources if ".woff2" in s.lower()]
    return "src:" + ",".join(woff2) if woff2 else match.group(0)


def _normalise(path: PurePosixPath) -> PurePosixPath:
    """Resolve ``..`` segments of a relative POSIX path lexically."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                raise OfflineAssetError(f"{path} points outside planner/ui/static")
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return PurePosixPath(*parts)
