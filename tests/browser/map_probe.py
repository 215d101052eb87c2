"""Scripts run inside the app's map frame: where a feature is, and when the map shows a change.

Shared by the end-to-end test and ``benchmarks/app_redraw_benchmark.py``.
"""

from __future__ import annotations

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"

#: ``(code) -> {x, y, text}``: the map layer whose tooltip starts with [code], as a point in the map container.
LAYER_POINT = """
(code) => {
  const map = window.map;
  if (!map) return null;
  let found = null;
  map.eachLayer((layer) => {
    if (!layer.getLatLng || !layer.getTooltip || !layer.getTooltip()) return;
    let content = layer.getTooltip().getContent();
    if (typeof content !== 'string') content = (content && content.textContent) || '';
    const text = content.replace(/<[^>]*>/g, '').trim();
    if (text.startsWith('[' + code + ']')) found = {layer: layer, text: text};
  });
  if (!found) return null;
  const point = map.latLngToContainerPoint(found.layer.getLatLng());
  return {x: point.x, y: point.y, text: found.text};
}
"""

#: ``([code, word])``: from the next mouse-down in the frame, time (frame clock) until [code]'s tooltip
#: contains ``word``; the result appears as ``window.__redraw.seconds``.
WATCH_REDRAW = f"""
([code, word]) => {{
  const find = {LAYER_POINT.strip()};
  window.__redraw = {{}};
  document.addEventListener('mousedown', () => {{ window.__redraw.click = performance.now(); }}, {{once: true}});
  const tick = () => {{
    const hit = find(code);
    if (window.__redraw.click !== undefined && hit && hit.text.includes(word)) {{
      window.__redraw.seconds = (performance.now() - window.__redraw.click) / 1000;
      return;
    }}
    setTimeout(tick, 5);
  }};
  tick();
}}
"""

#: ``() -> seconds or null``: the last measured redraw.
REDRAW_SECONDS = "() => window.__redraw ? (window.__redraw.seconds ?? null) : null"


def map_frame(page, timeout_s: float = 60.0):
    """The map's frame (a Playwright ``Frame``), once it exists."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                return frame
        page.wait_for_timeout(100)  # lets Playwright take in the page's events (time.sleep would not)
    raise AssertionError("the map's frame never appeared")
