"""A map that reads at a glance: tooltips kept inside it, labels that never overlap, markers sized by zoom.

:class:`ReadableMap` is one script on a Leaflet map (added by :func:`planner.present.maps.base_map`,
so the app's map, reports and comparisons all have it). It acts on what is drawn, whatever
layer drew it, so layers the app swaps in later are covered too:

* **Tooltips inside the map.** A tooltip near an edge is shifted back inside the map's
  frame (the app shows its map in an iframe, which would cut it off), and a long tooltip
  wraps at the map's width instead of running off it.
* **Labels that never overlap.** Bed numbers and lead stars (``planner-label`` icons) are
  checked after each zoom and each new layer: a label that would overlap one already shown
  is hidden (lead stars first, then beds, larger first), so dense urban districts show a
  readable subset at the opening zoom and more as one zooms in; every hidden number is
  still in its site's tooltip. The legend says so (:data:`HIDDEN_LABELS_KEY`).
* **Markers sized by zoom.** Circle markers shrink to at least :data:`MIN_SCALE` of their
  size below zoom :data:`FULL_SIZE_ZOOM`, so that the facilities of a city district do not
  pile up at the opening zoom.
"""

from __future__ import annotations

from typing import Final

from branca.element import MacroElement
from folium.template import Template

__all__ = ["FULL_SIZE_ZOOM", "HIDDEN_LABELS_KEY", "MIN_SCALE", "ReadableMap"]

#: Zoom at and above which circle markers have their full size.
FULL_SIZE_ZOOM: Final = 12
#: Smallest share of a circle marker's size, at low zoom.
MIN_SCALE: Final = 0.55
#: The i18n key of the legend line explaining hidden labels.
HIDDEN_LABELS_KEY: Final = "map.legend.hidden_labels"


class ReadableMap(MacroElement):
    """Tooltip clamping, label decluttering and zoom-scaled markers for one Leaflet map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            var MARGIN = 4;
            if (!document.getElementById('planner-readable-css')) {
                var css = document.createElement('style');
                css.id = 'planner-readable-css';
                css.textContent = '.leaflet-tooltip.planner-wrap { white-space: normal; width: max-content; }';
                document.head.appendChild(css);
            }
            function scale() {
                var z = map.getZoom();
                return Math.min(1, Math.max({{ this.min_scale }}, Math.pow(2, (z - {{ this.full_zoom }}) / 3)));
            }
            function resize(layer, factor) {
                if (!(layer instanceof L.CircleMarker) || layer instanceof L.Circle) { return; }
                if (layer._plannerRadius === undefined) { layer._plannerRadius = layer.getRadius(); }
                layer.setRadius(layer._plannerRadius * factor);
            }
            function clampTooltips() {
                var frame = box.getBoundingClientRect();
                var tips = box.querySelectorAll('.leaflet-tooltip');
                for (var i = 0; i < tips.length; i++) {
                    var el = tips[i];
                    el.classList.add('planner-wrap');
                    el.style.maxWidth = Math.max(120, frame.width - 2 * MARGIN - 12) + 'px';
                    el.style.marginLeft = ''; el.style.marginTop = '';
                    var style = window.getComputedStyle(el);
                    var r = el.getBoundingClientRect();
                    var dx = 0, dy = 0;
                    if (r.right > frame.right - MARGIN) { dx = frame.right - MARGIN - r.right; }
                    if (r.left + dx < frame.left + MARGIN) { dx = frame.left + MARGIN - r.left; }
                    if (r.bottom > frame.bottom - MARGIN) { dy = frame.bottom - MARGIN - r.bottom; }
                    if (r.top + dy < frame.top + MARGIN) { dy = frame.top + MARGIN - r.top; }
                    if (dx) { el.style.marginLeft = (parseFloat(style.marginLeft) + dx) + 'px'; }
                    if (dy) { el.style.marginTop = (parseFloat(style.marginTop) + dy) + 'px'; }
                }
            }
            function rank(el) {
                if (el.querySelector('.lead-star')) { return [0, 0]; }
                var beds = parseFloat(el.textContent) || 0;
                return [1, -beds];
            }
            function declutter() {
                var labels = Array.prototype.slice.call(box.querySelectorAll('.planner-label'));
                var keyed = labels.map(function (el) { return {el: el, key: rank(el)}; });
                keyed.sort(function (a, b) { return a.key[0] - b.key[0] || a.key[1] - b.key[1]; });
                var shown = [];
                keyed.forEach(function (item) {
                    var el = item.el;
                    var inner = el.firstElementChild || el;
                    var r = inner.getBoundingClientRect();
                    var hit = shown.some(function (s) {
                        return !(r.right <= s.left || r.left >= s.right || r.bottom <= s.top || r.top >= s.bottom);
                    });
                    el.style.visibility = hit ? 'hidden' : '';
                    if (!hit) { shown.push(r); }
                });
            }
            var pending = null;
            function later() {
                if (pending) { return; }
                pending = window.setTimeout(function () { pending = null; declutter(); }, 30);
            }
            map.on('zoomend', function () {
                var factor = scale();
                map.eachLayer(function (layer) { resize(layer, factor); });
                later();
            });
            map.on('layeradd', function (e) { resize(e.layer, scale()); later(); });
            map.on('tooltipopen', clampTooltips);
            map.on('mousemove', function () { window.requestAnimationFrame(clampTooltips); });
            later();
        })();
        {% endmacro %}
    """)

    def __init__(self, *, full_zoom: float = FULL_SIZE_ZOOM, min_scale: float = MIN_SCALE) -> None:
        super().__init__()
        self._name = "ReadableMap"
        self.full_zoom = float(full_zoom)
        self.min_scale = float(min_scale)
