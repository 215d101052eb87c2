"""HTML from templates that escape every value: the one way the planner writes pages, legends and tooltips.

Names come from the user's files, and a township called ``<img src=x onerror=alert(1)>``
must show as those characters, not run. So no HTML is built by joining strings: reports,
comparison pages, sweep pages and legends are Jinja2 templates (``planner/templates``)
rendered with ``autoescape=True``, so every value put into them is escaped unless it is
itself the output of a template (:class:`markupsafe.Markup`). Map tooltips, which Leaflet
and folium's ``GeoJsonTooltip`` put into ``innerHTML``, go through :func:`html_text`. Names
the app writes into Streamlit's Markdown (captions, messages) go through
:func:`markdown_text`, so ``![x](http://host/p.png)`` stays text and loads nothing.

Templates
    ``page.html.j2`` (the document: head, inline style, footer), ``report.html.j2``,
    ``compare.html.j2``, ``sweep.html.j2`` (the pages) and ``macros.html.j2`` (table,
    section, legend). The style sheet is ``style.css``, included as it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

import jinja2
from markupsafe import Markup, escape

__all__ = ["Markup", "css_colour", "environment", "html_text", "markdown_text", "render", "render_macro"]

#: Colours a template may put into a ``style`` attribute: ``#rgb``, ``#rrggbb``, ``#rrggbbaa`` or a plain name.
_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}")
#: ASCII punctuation: CommonMark lets any of it be escaped with a backslash.
_MARKDOWN_PUNCTUATION: Final = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS: Final = re.compile(r"[\r\n\u2028\u2029]+")


def css_colour(value: Any) -> str:
    """``value`` if it is a plain CSS colour (hex or a name), else ``transparent``: nothing else enters a style."""
    text = str(value)
    return text if _COLOUR.fullmatch(text) else "transparent"


def html_text(value: Any) -> str:
    """``value`` as text that HTML shows as it is (``<`` -> ``&lt;``, quotes escaped), for ``innerHTML``.

    Examples
    --------
    >>> html_text('<img src=x onerror=alert(1)> & "co"')
    '&lt;img src=x onerror=alert(1)&gt; &amp; &#34;co&#34;'
    """
    return str(escape(value))


def markdown_text(value: Any) -> str:
    r"""``value`` as Markdown that shows it as it is: every ASCII punctuation backslash-escaped, one line.

    For names put into Streamlit's Markdown (``st.markdown``, ``st.caption``, ``st.error``...):
    no link, image, emphasis, heading, HTML or colour directive can come from a name.

    Examples
    --------
    >>> print(markdown_text("![x](http://h/p.png) *镇*"))
    \!\[x\]\(http\:\/\/h\/p\.png\) \*镇\*
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))


@cache
def environment() -> jinja2.Environment:
    """The planner's template environment: templates of ``planner/templates``, every value escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("planner.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_colour"] = css_colour
    return env


def render(template: str, **context: Any) -> str:
    """The template named ``template`` rendered with ``context`` (every value escaped)."""
    return environment().get_template(template).render(**context)


def render_macro(template: str, macro: str, *args: Any) -> Markup:
    """One macro of a template called with ``args``: an escaped HTML fragment, safe to put into another template."""
    return Markup(getattr(_module(template), macro)(*args))


@cache
def _module(template: str) -> Any:
    """A template's macros, loaded once."""
    return environment().get_template(template).make_module()
