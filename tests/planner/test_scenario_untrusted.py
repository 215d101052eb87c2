"""Scenario files are untrusted: paths from their own folder, no file-system root, every bad value a ScenarioError.

Each refusal must name the file and the key, say what was expected and quote
what was found in a short snippet -- no traceback, no content of a file the
scenario points at, and no file written.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.demo import demo_region
from geodata.region import load_region
from planner.cli.main import main
from planner.grouping import GroupingSetup
from planner.scenario import RegionRef, Scenario, ScenarioError
from planner.scenario_input import MAX_MESSAGE
from planner.siting import SitingSetup

SECRET = "SECRET_TOKEN=abc123"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A planner's folder: data/region.gpkg, and scenarios/base.scenario.json (siting and grouping, solved)."""
    root = tmp_path_factory.mktemp("project")
    (root / "data").mkdir()
    (root / "scenarios").mkdir()
    demo_region().to_gpkg(root / "data" / "region.gpkg")
    region = load_region([root / "data" / "region.gpkg"])
    scenario = Scenario(
        "base",
        RegionRef.of(region, [root / "data" / "region.gpkg"]),
        siting=SitingSetup(objective="min_sites", coverage_target=0.8, time_limit=20),
        grouping=GroupingSetup(time_limit=20),
        added_sites=[{"facility_id": "NEW1", "name": "新增点", "lon": 113.3, "lat": 27.75}],
    )
    scenario.run(region)
    scenario.save(root / "scenarios" / "base.scenario.json")
    return root


@pytest.fixture(scope="module")
def document(project) -> dict[str, Any]:
    return json.loads((project / "scenarios" / "base.scenario.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def region(project):
    return load_region([project / "data" / "region.gpkg"])


def _write(folder: Path, doc: Any, name: str = "tampered.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _set(doc: dict[str, Any], keys: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target = doc
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return doc


# --- region paths ---------------------------------------------------------------------------------------------


def test_region_paths_are_saved_relative_to_the_scenario_and_found_from_it_after_a_move(
    project, document, tmp_path, capsys
):
    assert document["region"]["paths"] == ["../data/region.gpkg"]
    moved = tmp_path / "elsewhere"
    shutil.copytree(project, moved)
    scenario = Scenario.load(moved / "scenarios" / "base.scenario.json")
    assert scenario.region.paths == (str(moved / "data" / "region.gpkg"),)
    (moved / "out").mkdir()
    assert (
        main(
            [
                "export",
                str(moved / "scenarios" / "base.scenario.json"),
                "--out",
                str(moved / "out" / "plan.xlsx"),
            ]
        )
        == 0
    )
    assert [p.name for p in (moved / "out").iterdir()] == ["plan.xlsx"]


@pytest.mark.parametrize("root", ["/", "/..", "//"])
def test_a_file_system_root_is_never_read(project, document, tmp_path, monkeypatch, capsys, root):
    def walked(*args, **kwargs):
        raise AssertionError("the region was read")

    monkeypatch.setattr("planner.scenario.load_region", walked)
    path = _write(tmp_path, _set(document, ("region", "paths"), [root]))
    with pytest.raises(ScenarioError, match=f"^{path}: region.paths: .* is the root of a file system"):
        Scenario.load(path).region.load()
    assert main(["run", str(path)]) == 1
    assert "root of a file system" in capsys.readouterr().err


def test_no_command_walks_a_file_system_root(monkeypatch, capsys):
    def walked(*args, **kwargs):
        raise AssertionError("the region was read")

    monkeypatch.setattr("geodata.region.check_region", walked)  # read_region imports it when called
    assert main(["validate", "/"]) == 1
    assert "root of a file system" in capsys.readouterr().err


def test_a_region_error_never_shows_the_content_of_a_file_the_scenario_names(document, tmp_path, capsys):
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "creds.csv").write_text(f"{SECRET},x\n1,2\n", encoding="utf-8")
    doc = _set(document, ("region", "paths"), ["private/creds.csv"])
    path = _write(tmp_path, doc)
    with pytest.raises(ScenarioError) as caught:
        Scenario.load(path).region.load()
    message = str(caught.value)
    assert message.startswith(f"{path}: region.paths: ")
    assert str(tmp_path / "private" / "creds.csv") in message and "planner validate" in message
    assert "SECRET" not in message
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err
    assert "SECRET" not in err and "Traceback" not in err


def test_files_named_in_the_options_are_relative_to_the_scenario_too(document, tmp_path):
    doc = _set(document, ("region", "options", "roles"), {"travel": "matrix.csv"})
    scenario = Scenario.load(_write(tmp_path, doc))
    assert scenario.region.options.roles == {"travel": str(tmp_path / "matrix.csv")}
    resaved = scenario.save(tmp_path / "again.json")
    assert json.loads(resaved.read_text(encoding="utf-8"))["region"]["options"]["roles"] == {
        "travel": "matrix.csv"
    }


# --- tampered values ------------------------------------------------------------------------------------------

TAMPERED = [
    (("name",), 5, "name: expected text"),
    (("name",), "n" * 100_000, "name: expected text of at most"),
    (("notes",), ["a"], "notes: expected text"),
    (("format_version",), "1", "format_version '1' is not a whole number"),
    (("region", "name"), [1], "region.name: expected text"),
    (("region", "paths"), "abc", "region.paths: expected a list"),
    (("region", "paths"), [], "region.paths: expected at least one path"),
    (("region", "paths"), [5], "region.paths[0]: expected text"),
    (("region", "seed"), -1, "region.seed: expected a whole number"),
    (("region", "options", "aged_share"), "x", "region.options.aged_share: expected a number"),
    (("region", "options", "travel", "speed_kmh"), 1e308 * 10, "region.options.travel.speed_kmh: expected"),
    (("region", "options", "crs"), {"nope": "wgs84"}, "region.options.crs: expected one of"),
    (("region", "options", "secret"), 1, "region.options: unknown key 'secret'"),
    (("siting", "beds_max"), 10**30, "siting: beds_max: expected a whole number from 0 to 100000"),
    (("siting", "time_limit"), -1, "siting: time_limit: expected a number of seconds greater than 0"),
    (("siting", "alternatives"), 10**9, "siting: alternatives: expected a whole number from 0 to 50"),
    (("grouping", "k"), 10**30, "grouping: k: expected a whole number"),
    (("grouping", "seed"), float("nan"), "grouping: seed: expected a whole number"),
    (("added_sites",), [{"facility_id": 1}], "added_sites[0]: the key 'lon' is missing"),
    (
        ("added_sites",),
        [{"facility_id": "X", "lon": 500, "lat": 27}],
        "added_sites[0].lon: expected a number",
    ),
    (
        ("added_sites",),
        [{"facility_id": "X", "lon": 113, "lat": 27, "kind": "castle"}],
        "added_sites[0].kind: expected one of",
    ),
    (("results", "siting", "open_sites", 0, "beds"), 10**30, "results.siting.open_sites[0].beds: expected"),
    (("results", "siting", "status"), "great", "results.siting.status: expected one of"),
    (("results", "siting", "certificate"), ["a"], "results.siting.certificate: expected text"),
    (
        ("results", "siting", "tie_break_proven"),
        "yes",
        "results.siting.tie_break_proven: expected true, false",
    ),
    (("results", "siting", "tie_break_value"), "oops", "results.siting.tie_break_value: expected a number"),
    (("results", "siting", "tie_break_bound"), "oops", "results.siting.tie_break_bound: expected a number"),
    (
        ("results", "siting", "stage_seconds"),
        {"tie_break": "xxxx"},
        "results.siting.stage_seconds.tie_break: expected a number",
    ),
    (("results", "grouping", "communities"), "x", "results.grouping.communities: expected a list"),
    (("results", "kpis", "coverage_share"), "x", "results.kpis.coverage_share: expected a number"),
]


@pytest.mark.parametrize(
    ("keys", "value", "words"), TAMPERED, ids=[".".join(map(str, k)) for k, _, _ in TAMPERED]
)
def test_a_tampered_value_is_a_scenario_error_naming_file_and_key(
    document, tmp_path, keys, value, words, capsys
):
    path = _write(tmp_path, _set(document, keys, value))
    with pytest.raises(ScenarioError) as caught:
        Scenario.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and words in message
    assert len(message) <= MAX_MESSAGE + 200
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", str(path), "--out", str(out / "plan.csv")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and words in err
    assert list(out.iterdir()) == []


def test_deep_nesting_long_numbers_and_huge_files_are_refused(document, tmp_path, monkeypatch):
    deep = json.dumps(document)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "deep.json"
    path.write_text(deep, encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested deeper than"):
        Scenario.load(path)
    shallow_but_deep = _set(document, ("notes",), json.loads("[" * 40 + "]" * 40))
    with pytest.raises(ScenarioError, match="nested deeper than 16 levels"):
        Scenario.load(_write(tmp_path, shallow_but_deep))
    (tmp_path / "long.json").write_text(
        json.dumps(document)[:-1] + ', "x": ' + "7" * 5_000 + "}", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match="a number too long to read"):
        Scenario.load(tmp_path / "long.json")
    monkeypatch.setattr("planner.scenario.MAX_SCENARIO_BYTES", 1000)
    with pytest.raises(ScenarioError, match="at most 1,000 are read"):
        Scenario.load(_write(tmp_path, document, "big.json"))


def test_saved_results_that_do_not_fit_the_region_are_a_scenario_error(document, region, tmp_path):
    doc = _set(document, ("results", "siting", "open_sites", 0, "facility_id"), "NOT-A-SITE")
    scenario = Scenario.load(_write(tmp_path, doc))
    with pytest.raises(ScenarioError, match="saved results do not fit the region"):
        scenario.restore(region, check=False)


# --- fuzzing ----------------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
#: Whole files: random bytes, random JSON, and numbers too long for Python to convert.
FILES = (
    st.binary(max_size=200)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | st.integers(min_value=4_400, max_value=6_000).map(lambda n: b'{"format_version": ' + b"9" * n + b"}")
)


def _key_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _key_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            paths += _key_paths(item, (*prefix, index))
    return paths


def _assert_clean_refusal(exc: BaseException, source: str) -> None:
    assert isinstance(exc, ScenarioError), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert source in message and len(message) <= MAX_MESSAGE + 200


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=JSON_VALUES)
def test_fuzzed_values_anywhere_in_a_scenario_load_or_are_refused_in_words(
    document, region, tmp_path, data, value
):
    keys = data.draw(st.sampled_from(_key_paths(document)), label="key path")
    doc = _set(document, keys, value)
    before = sorted(tmp_path.iterdir())
    source = "fuzz.scenario.json"
    try:
        scenario = Scenario.from_dict(doc, source=source, base=tmp_path)
    except Exception as exc:
        _assert_clean_refusal(exc, source)
        return
    finally:
        assert sorted(tmp_path.iterdir()) == before  # reading writes nothing
    if scenario.region.content_hash == region.content_hash() and scenario.has_results():
        try:
            scenario.restore(region, check=False)
        except ScenarioError:
            pass
        except ValueError as exc:  # an added site outside the region or a clashing id: told in words
            assert "added site" in str(exc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=FILES)
def test_fuzzed_files_are_refused_in_words_and_leave_nothing_behind(tmp_path, content):
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / "fuzz.scenario.json"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as caught:
        Scenario.load(path)
    _assert_clean_refusal(caught.value, str(path))
    assert [p.name for p in folder.iterdir()] == ["fuzz.scenario.json"]
