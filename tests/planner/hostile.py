"""The tiny region with hostile names: script payloads and spreadsheet formulas, as an attacker would write them.

Every township, county and facility of :func:`tests.planner.tiny_region.tiny_region`
but one township and one facility (ordinary Chinese names, which must come out
unchanged) is named by one of :data:`SCRIPTS` or :data:`FORMULAS`; so are the
region, the scenarios and their notes. The plans are given by hand (no solver):
both scenarios open sites and group every township, so every layer, table and
legend of a report, a comparison, a map and an export holds the names.
"""

from __future__ import annotations

import html
import re

from geodata.region import Region
from planner.grouping import GroupingSetup
from planner.run import ScenarioRun
from planner.scenario import RegionRef, Scenario, grouping_result_from_assignment, siting_result_from_beds
from planner.siting import SitingSetup
from tests.planner.tiny_region import FA, FB, FC, FD, H1, H1B, H2, A, B, C, D, tiny_region

#: Names that run as script if they reach HTML unescaped.
SCRIPTS = (
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "<svg onload=alert(2)>",
    "</script><script>alert(3)</script>",
    "'><iframe src=javascript:alert(4)>",
)
#: Names that become live formulas in a spreadsheet.
FORMULAS = ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3")
#: Names that must come out as they are.
ORDINARY_TOWNSHIP, ORDINARY_FACILITY = "酒埠江镇", "龙潭镇卫生院"

NAMES = {
    A: SCRIPTS[0],
    B: FORMULAS[0],
    C: SCRIPTS[1],
    D: ORDINARY_TOWNSHIP,
    "430001": SCRIPTS[2],
    "430002": FORMULAS[1],
    H1: SCRIPTS[3],
    H1B: FORMULAS[2],
    H2: SCRIPTS[4],
    FA: FORMULAS[3],
    FB: FORMULAS[4],
    FC: SCRIPTS[0],
    FD: ORDINARY_FACILITY,
}
REGION_NAME = "<script>alert('region')</script>"
SCENARIO_NAMES = ("<img src=x onerror=alert('base')>", '=HYPERLINK("http://x","other")')
NOTES = "<b onmouseover=alert('notes')>notes</b>"
#: What the hand-made plans open and group (both scenarios group every township; the second moves B).
BEDS = ({H1: 10, FC: 6}, {H1: 14, FA: 4, FB: 3, FD: 5})
ASSIGNMENTS = ({A: H1, B: H1, C: H2, D: H2}, {A: H1, B: H1B, C: H2, D: H2})

#: JavaScript string escapes folium and Jinja's ``tojson`` write, decoded by :func:`as_the_browser_reads`.
_JS_ESCAPES = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\"'/\\])")


def hostile_region() -> Region:
    """The tiny region with :data:`NAMES`."""
    return tiny_region(names=NAMES, name=REGION_NAME)


def hostile_scenarios(
    region: Region, *, siting: bool = True, grouping: bool = True
) -> tuple[list[Scenario], list[ScenarioRun]]:
    """Two scenarios (hostile names and notes) with hand-made plans, baseline first."""
    scenarios, runs = [], []
    for name, beds, assignment in zip(SCENARIO_NAMES, BEDS, ASSIGNMENTS, strict=True):
        scenario = Scenario(
            name,
            RegionRef.of(region, ["hostile.gpkg"]),
            notes=NOTES,
            siting=SitingSetup() if siting else None,
            grouping=GroupingSetup() if grouping else None,
        )
        scenarios.append(scenario)
        runs.append(
            ScenarioRun(
                region,
                siting=siting_result_from_beds(region, SitingSetup(), beds) if siting else None,
                grouping=grouping_result_from_assignment(region, GroupingSetup(), assignment)
                if grouping
                else None,
            )
        )
    return scenarios, runs


def as_the_browser_reads(document: str) -> str:
    """``document`` with the escapes of JavaScript strings decoded (``\\u003c`` -> ``<``, ``\\"`` -> ``"``).

    Script payloads hidden in a JSON string of a map (a GeoJSON property, a tooltip) are
    harmless as text but live once a script puts the string into ``innerHTML``; decoded,
    they read as the markup the browser would build.
    """
    return _JS_ESCAPES.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), document)


def live_payloads(document: str) -> list[str]:
    """The :data:`SCRIPTS` (and hostile region / scenario / notes names) found as live markup in ``document``."""
    decoded = as_the_browser_reads(document)
    return [p for p in (*SCRIPTS, REGION_NAME, SCENARIO_NAMES[0], NOTES) if p in document or p in decoded]


def escaped_forms(payload: str) -> re.Pattern[str]:
    """A pattern of ``payload`` escaped for HTML text (either spelling of quotes: named or numeric)."""
    parts = []
    for char in payload:
        if char == '"':
            parts.append("(?:&quot;|&#34;|&#x22;)")
        elif char == "'":
            parts.append("(?:&#x27;|&#39;|&apos;|')")
        else:
            parts.append(re.escape(html.escape(char, quote=False)))
    return re.compile("".join(parts))
