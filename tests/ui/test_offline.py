"""Offline maps without a browser: rendered HTML refers to no remote host, vendored files are intact."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import branca.colormap
import folium
import folium.plugins
import pytest

from planner.present.offline import (
    STATIC_DIR,
    VENDORED,
    OfflineAssetError,
    linked_resources,
    localize,
    offline_map,
    standalone_html,
)
from planner.ui.offline import served_base_url, st_offline_folium

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVED = "/component/planner.ui.offline.assets/"
URL = re.compile(r"""(?:https?|wss?)://[^\s"'<>)\\]+""")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def remote_urls(text: str) -> list[str]:
    """Every absolute http(s)/ws(s) URL in ``text`` whose host is not this machine."""
    return sorted({url for url in URL.findall(text) if urlsplit(url).hostname not in LOCAL_HOSTS})


def sample_map() -> folium.Map:
    """Polygons, a default marker, an awesome marker, clustered markers and the drawing toolbar."""
    fmap = offline_map(location=[28.2, 113.05], zoom_start=10)
    folium.Polygon([[28.25, 113.0], [28.25, 113.1], [28.15, 113.1]], tooltip="示例镇").add_to(fmap)
    folium.GeoJson(
        {"type": "Polygon", "coordinates": [[[113.1, 28.1], [113.2, 28.1], [113.2, 28.2], [113.1, 28.1]]]}
    ).add_to(fmap)
    folium.Marker([28.2, 113.05], popup="卫生院").add_to(fmap)
    folium.Marker([28.22, 113.02], icon=folium.Icon(icon="plus-sign")).add_to(fmap)
    cluster = folium.plugins.MarkerCluster().add_to(fmap)
    folium.Marker([28.3, 113.1], icon=folium.Icon(prefix="fa", icon="hospital")).add_to(cluster)
    folium.plugins.Draw(export=False).add_to(fmap)
    return fmap


def test_remote_url_detection_sees_folium_cdn_links() -> None:
    # Guard for the tests below: unlocalised, folium's own page is full of CDN links.
    html = sample_map().get_root().render()
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in remote_urls(html)
    assert "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js" in remote_urls(html)


def test_localized_map_html_has_no_remote_url_and_every_link_is_vendored() -> None:
    fmap = sample_map()
    used = localize(fmap, base_url=SERVED)
    html = fmap.get_root().render()

    assert remote_urls(html) == []
    links = re.findall(r'<script src="([^"]+)"></script>|<link rel="stylesheet" href="([^"]+)"/>', html)
    linked = [src or href for src, href in links]
    assert linked, "the page should link its vendored files"
    assert all(url.startswith(SERVED) and (STATIC_DIR / url.removeprefix(SERVED)).is_file() for url in linked)
    assert {url.removeprefix(SERVED) for url in linked} == set(used)
    assert "leaflet-draw-1.0.2/dist/leaflet.draw.js" in used
    assert "leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js" in used


def test_localize_again_with_another_base_replaces_every_url() -> None:
    fmap = sample_map()
    localize(fmap, base_url="/first/")
    localize(fmap, base_url="/second/")
    html = fmap.get_root().render()

    assert "/first/" not in html
    assert "/second/leaflet-1.9.3/dist/leaflet.js" in html
    # One default-icon script, run before any marker: it is the map's first child.
    assert html.count("L.Icon.Default.imagePath") == 1
    assert next(iter(fmap._children)) == "offline_default_icon"
    assert '"/second/leaflet-1.9.3/dist/images/"' in html


def test_standalone_html_inlines_leaflet_and_loads_nothing_by_address() -> None:
    html = standalone_html(sample_map())
    leaflet_js = (STATIC_DIR / "leaflet-1.9.3/dist/leaflet.js").read_text(encoding="utf-8")
    draw_js = (STATIC_DIR / "leaflet-draw-1.0.2/dist/leaflet.draw.js").read_text(encoding="utf-8")

    assert leaflet_js in html
    assert draw_js in html
    assert linked_resources(html) == []
    assert "offline-asset:" not in html
    # Stylesheet images and fonts are embedded; fonts as WOFF2 where the stylesheet offers it.
    styles = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL))
    css_targets = re.findall(r"""url\(\s*['"]?([^'")]+)""", styles)
    assert css_targets and all(t.startswith(("data:", "#")) for t in css_targets)
    assert "data:font/woff2;base64," in html
    assert "data:font/ttf;base64," not in html
    # Leaflet's default marker images are embedded too.
    assert '"iconUrl": "data:image/png;base64,' in html


def test_linked_resources_ignores_text_inside_scripts_and_plain_links() -> None:
    html = (
        '<html><head><script>var t = "<link href=https://cdn.example/x.css>";</script>'
        '<link rel="stylesheet" href="https://cdn.example/y.css"/></head>'
        '<body><a href="https://leafletjs.com">Leaflet</a><img src="data:image/png;base64,AA=="/>'
        '<img src="/local.png"/></body></html>'
    )
    assert linked_resources(html) == ["/local.png", "https://cdn.example/y.css"]


def test_unvendored_plugin_is_refused_with_its_url() -> None:
    fmap = offline_map(location=[28.2, 113.05], zoom_start=10)
    folium.plugins.Fullscreen().add_to(fmap)

    expected = r"Fullscreen needs https://cdn\.jsdelivr\.net/\S*Control\.FullScreen\.min\.js"
    with pytest.raises(OfflineAssetError, match=expected):
        standalone_html(fmap)


def test_colormap_is_refused_in_app_and_export() -> None:
    fmap = offline_map(location=[28.2, 113.05], zoom_start=10)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(fmap)

    with pytest.raises(OfflineAssetError, match="d3"):
        st_offline_folium(fmap, key="map")
    with pytest.raises(OfflineAssetError, match=r"d3/3\.5\.5/d3\.min\.js"):
        standalone_html(fmap)


def test_offline_map_has_no_basemap_unless_given_one() -> None:
    bare = offline_map(location=[28.2, 113.05], zoom_start=10)
    assert not any(isinstance(child, folium.TileLayer) for child in bare._children.values())

    tiles = "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png"
    with_tiles = offline_map(location=[28.2, 113.05], zoom_start=10, tiles=tiles, attribution="本地瓦片")
    layers = [child for child in with_tiles._children.values() if isinstance(child, folium.TileLayer)]
    assert [(layer.tiles, layer.options["attribution"]) for layer in layers] == [(tiles, "本地瓦片")]


def test_tile_url_without_attribution_is_refused() -> None:
    with pytest.raises(ValueError, match="attribution"):
        offline_map(location=[28.2, 113.05], zoom_start=10, tiles="http://127.0.0.1:8080/{z}/{x}/{y}.png")


def test_served_base_url_needs_a_running_app() -> None:
    with pytest.raises(RuntimeError, match="Streamlit"):
        served_base_url()


def test_app_script_passes_only_served_links_to_the_map_component() -> None:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=30).run()

    assert not app.exception
    instances = app.get("component_instance")
    (component,) = [e for e in instances if e.proto.component_name == "streamlit_folium.st_folium"]
    args = json.loads(component.proto.json_args)
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith(SERVED) for link in links)
    assert all((STATIC_DIR / link.removeprefix(SERVED)).is_file() for link in links)
    assert remote_urls(args["script"] + args["header"] + args["html"]) == []


def test_dynamic_feature_groups_get_served_links_too() -> None:
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import folium
        import folium.plugins

        from planner.present.offline import offline_map
        from planner.ui.offline import st_offline_folium

        group = folium.FeatureGroup(name="facilities")
        cluster = folium.plugins.MarkerCluster().add_to(group)
        folium.Marker([28.2, 113.05]).add_to(cluster)
        st_offline_folium(
            offline_map(location=[28.2, 113.05], zoom_start=10), key="m", feature_group_to_add=group
        )

    app = AppTest.from_function(page).run()

    assert not app.exception
    (component,) = app.get("component_instance")
    args = json.loads(component.proto.json_args)
    assert SERVED + "leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js" in args["js_links"]
    assert all(link.startswith(SERVED) for link in args["js_links"] + args["css_links"])


def test_served_base_url_follows_base_url_path() -> None:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import streamlit as st

        from planner.ui.offline import served_base_url

        st.text(served_base_url())

    previous = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "/planner/")
    try:
        app = AppTest.from_function(page).run()
    finally:
        config.set_option("server.baseUrlPath", previous)
    assert [t.value for t in app.text] == ["/planner/component/planner.ui.offline.assets/"]


def _readme_hashes() -> dict[str, str]:
    readme = (STATIC_DIR / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+)` \| [\d,]+ \| `([0-9a-f]{64})` \|$", readme, flags=re.MULTILINE))


def test_every_vendored_file_is_listed_in_readme_with_its_hash() -> None:
    listed = _readme_hashes()
    on_disk = {
        p.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in STATIC_DIR.rglob("*")
        if p.is_file() and p.name not in {"README.md", ".gitignore"}
    }
    assert listed == on_disk


def test_every_cdn_url_maps_to_a_vendored_file_and_every_css_reference_resolves() -> None:
    assert all((STATIC_DIR / path).is_file() for path in VENDORED.values())
    for css_file in STATIC_DIR.rglob("*.css"):
        css = css_file.read_text(encoding="utf-8")
        for target in re.findall(r"""url\(\s*['"]?([^'")]+)""", css):
            if target.startswith(("data:", "#")):
                continue
            file_part = re.split(r"[?#]", target, maxsplit=1)[0]
            assert (css_file.parent / file_part).resolve().is_file(), f"{css_file.name}: {target}"
