"""County coverage planner: the Streamlit app (run with ``streamlit run app.py``).

For now a map-first shell: a page title and an offline folium map of a few sample townships and
facilities. Everything the map loads is served by the app itself (see ``planner.ui.offline``).
"""

from __future__ import annotations

import folium
import folium.plugins
import streamlit as st

from planner.ui.offline import offline_map, st_offline_folium

# Synthetic sample places near Changsha, labelled as such; the demo region replaces them.
SAMPLE_TOWNSHIPS = (
    ("示例镇甲 Sample town A", [[28.30, 113.00], [28.30, 113.12], [28.22, 113.12], [28.22, 113.00]]),
    ("示例镇乙 Sample town B", [[28.22, 113.00], [28.22, 113.12], [28.13, 113.10], [28.14, 112.98]]),
)
SAMPLE_FACILITIES = (
    ("示例县人民医院 Sample county hospital", 28.255, 113.06, "red"),
    ("示例乡镇卫生院 Sample township health centre", 28.175, 113.05, None),
)


def sample_map() -> folium.Map:
    """A map of the synthetic sample townships and facilities, with the drawing toolbar."""
    fmap = offline_map(location=[28.22, 113.05], zoom_start=11, control_scale=True)
    for name, ring in SAMPLE_TOWNSHIPS:
        outline = folium.Polygon(ring, tooltip=name, color="#2b6cb0", weight=2, fill=True, fill_opacity=0.25)
        outline.add_to(fmap)
    for name, lat, lon, colour in SAMPLE_FACILITIES:
        icon = folium.Icon(color=colour, icon="plus-sign") if colour else None
        popup = folium.Popup(name, max_width=240)
        folium.Marker([lat, lon], popup=popup, tooltip=name, icon=icon).add_to(fmap)
    folium.plugins.Draw(export=False).add_to(fmap)
    return fmap


st.set_page_config(page_title="县域卫生服务覆盖规划 · County coverage planner", layout="wide")
st.title("县域卫生服务覆盖规划 · County coverage planner")
st.caption("示例数据为虚构 · The places on this map are synthetic samples.")

clicked = st_offline_folium(
    sample_map(),
    key="main_map",
    height=520,
    use_container_width=True,
    returned_objects=["last_object_clicked_popup", "last_clicked"],
)
popup = (clicked or {}).get("last_object_clicked_popup")
if popup:
    st.write(f"已选择 · Selected: {popup}")
