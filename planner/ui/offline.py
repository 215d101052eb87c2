"""Folium maps in the Streamlit app with every front-end file served by the app itself.

The Streamlit-free part (vendored files, :func:`~planner.present.offline.localize`, standalone pages)
is :mod:`planner.present.offline`; this module only serves those files and shows maps.

How streamlit-folium loads a map's front-end files
--------------------------------------------------
streamlit-folium (0.27) does not use the ``<head>`` folium renders: ``st_folium`` walks the
map's element tree, collects the ``default_js`` / ``default_css`` URLs of its elements and
hands them to its component iframe, whose script appends one ``<script src>`` per JS URL (one
after the other) and one ``<link rel=stylesheet>`` per CSS URL, strips ``<script src>`` and
``<link>`` tags from folium's header, and then runs the map's script. Pointing those lists at
local files (:func:`planner.present.offline.localize`) therefore decides every address the map loads.
(One exception: ``st_folium`` adds two d3 CDN URLs by itself whenever a branca colormap is in
the tree; :func:`st_offline_folium` refuses such maps.)

Serving the files
-----------------
Streamlit itself serves ``planner/ui/static`` (:data:`planner.present.offline.STATIC_DIR`): the folder
is declared as the file root of a Streamlit (v1) custom component that is never rendered, and
Streamlit serves any declared component's files at
``<server.baseUrlPath>/component/<component name>/<path>`` from the app's own origin. The
component is declared here, so its name starts with this module's name and the
streamlit-folium iframe loads
``/component/planner.ui.offline.assets/leaflet-1.9.3/dist/leaflet.js`` from 127.0.0.1.
Rejected alternatives: ``server.enableStaticServing`` serves only a ``static/`` folder next to
``app.py`` (a new top-level folder); inlining the files as ``data:`` URLs into the component
arguments would resend about 2 MB over the websocket on every rerun and break the CSS files'
relative image and font URLs.
"""

from __future__ import annotations

from typing import Any, Final

import branca.colormap
import folium
from branca.element import Element

from planner.present.offline import STATIC_DIR, OfflineAssetError, localize, walk

__all__ = ["ASSET_COMPONENT", "served_base_url", "st_offline_folium"]

ASSET_COMPONENT: Final = "assets"
"""Short name of the Streamlit component whose files are :data:`planner.present.offline.STATIC_DIR`.

Streamlit prefixes it with the name of the module declaring it (this one):
``planner.ui.offline.assets``.
"""


def served_base_url() -> str:
    """Register :data:`planner.present.offline.STATIC_DIR` with the running Streamlit app and return its URL prefix.

    Must be called while a Streamlit script runs (Streamlit only registers components then).

    Returns
    -------
    str
        Absolute path on the app's origin, such as ``/component/planner.ui.offline.assets/``
        (with ``server.baseUrlPath`` in front when one is configured).

    Raises
    ------
    RuntimeError
        If called outside a Streamlit script run.
    """
    from streamlit import config
    from streamlit.components import v1 as components
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:
        raise RuntimeError("served_base_url() only works inside a running Streamlit app")
    component = components.declare_component(ASSET_COMPONENT, path=str(STATIC_DIR))
    if component.url:  # Streamlit was configured to serve components from elsewhere
        return component.url.rstrip("/") + "/"
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{component.name}/"


def st_offline_folium(fig: folium.Map, *, key: str, **kwargs: Any) -> dict[str, Any]:
    """Show a folium map in Streamlit with every front-end file served by the app itself.

    Parameters
    ----------
    fig : folium.Map
        The map (for instance from :func:`planner.present.offline.offline_map`).
    key : str
        Widget key; keep it stable so reruns update the map instead of re-creating it.
    **kwargs
        Passed to :func:`streamlit_folium.st_folium` (``height``, ``returned_objects``,
        ``feature_group_to_add``, ...).

    Returns
    -------
    dict
        What ``st_folium`` returns: the last click, last clicked object, drawings, bounds, ...

    Raises
    ------
    OfflineAssetError
        If the map contains a branca colormap (streamlit-folium then loads d3 from a CDN) or
        needs a file that is not vendored.
    """
    from streamlit_folium import st_folium

    extra_groups = kwargs.get("feature_group_to_add") or []
    if isinstance(extra_groups, folium.FeatureGroup):
        extra_groups = [extra_groups]
    trees: list[Element] = [fig, *extra_groups]
    colormaps = sorted({type(n).__name__ for tree in trees for n in walk(tree) if _is_colormap(n)})
    if colormaps:
        raise OfflineAssetError(
            f"The map contains a colour legend ({', '.join(colormaps)}); streamlit-folium then loads "
            "d3 from the internet. Show the legend with Streamlit instead (for folium.Choropleth "
            "pass legend_name=None and remove its color_scale child)."
        )
    base = served_base_url()
    for tree in trees:
        localize(tree, base_url=base)
    return st_folium(fig, key=key, **kwargs)


def _is_colormap(node: Element) -> bool:
    return isinstance(node, branca.colormap.ColorMap)
