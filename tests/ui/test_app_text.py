"""Every word the app and its maps show exists in Chinese and English, with the same format fields."""

from __future__ import annotations

import re
import string
from pathlib import Path

from geodata.report import Severity
from geodata.schema import FacilityKind, Grade, Layer, Ownership, SiteStatus
from optimization.grouping import Rule
from optimization.solve import SolveStatus
from planner.present import labels
from planner.present.export import FORMATS
from planner.present.i18n import TEXT
from planner.present.maps import COLOUR_BY
from planner.ui.actions import MODES
from planner.ui.forms import FIELDS, OBJECTIVES
from planner.ui.sections import SECTIONS
from planner.ui.workbench import MODELS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "planner" / "ui").glob("*.py")), ROOT / "planner" / "present" / "maps.py"]
CALL = re.compile(
    r"""\b(?:tr|text|_flash|UploadRefused|EditError)\(\s*(?:"[a-z]+",\s*)?"""
    r"""(?P<q>["'])(?P<key>[a-z_]+\.[a-z0-9_.]+)(?P=q)"""
)
#: Keys built at run time from these values.
DYNAMIC = {
    "mode": [*MODES, *(f"{m}.help" for m in MODES)],
    "colour": COLOUR_BY,
    "section": SECTIONS,
    "site_status": [s.value for s in SiteStatus],
    "kind": [k.value for k in FacilityKind],
    "grade": [g.value for g in Grade],
    "ownership": [o.value for o in Ownership],
    "objective": OBJECTIVES,
    "param": [f.name for f in FIELDS],
    "app.model": MODELS,
    "layer": [layer.value for layer in Layer],
    "severity": [s.value for s in Severity],
    "format": ["scenario", *FORMATS.values()],
    "status": [s.value for s in SolveStatus],
    "rule": [r.value for r in Rule],
}
#: Refusals and edit errors raised by key in the pure modules.
RAISED = re.compile(r"""(?:UploadRefused|EditError)\(\s*"(?P<key>[a-z_.]+)\"""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _lookup(key: str) -> tuple[str, str] | None:
    return labels.TEXT.get(key) or TEXT.get(key)


def test_every_key_used_by_the_app_exists_in_both_languages() -> None:
    used: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        used |= {m.group("key") for m in CALL.finditer(source)}
        for m in RAISED.finditer(source):
            key = m.group("key")
            used.add(key if "." in key else ("upload." if "Upload" in m.group(0) else "edit.") + key)
    for prefix, values in DYNAMIC.items():
        used |= {f"{prefix}.{v}" for v in values}
    used |= {f"{name}.help" for name in ("param.threshold",)}
    missing = sorted(k for k in used if _lookup(k) is None)
    assert missing == []
    for key in used:
        zh, en = _lookup(key)
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key


def test_siting_rule_keys_have_words() -> None:
    """Rule keys of the siting checks and diagnosis (read from their sources) are translated too."""
    keys = set()
    for name in ("checks.py", "diagnose.py"):
        source = (ROOT / "optimization" / "siting" / name).read_text(encoding="utf-8")
        keys |= set(re.findall(r'Infeasibility\(\s*"([a-z_]+)"', source))
        keys |= set(re.findall(r'^\s+"([a-z_]+)": "', source, flags=re.MULTILINE))
    assert keys
    assert sorted(k for k in keys if f"rule.{k}" not in TEXT) == []
