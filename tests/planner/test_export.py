"""Exports: every format read back (geopandas, openpyxl, csv) equals the bundle it was written from."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest

from geodata.demo import demo_region
from geodata.provenance import PROVENANCE_LAYER, read_provenance
from planner.cli.main import main
from planner.grouping import GroupingSetup
from planner.phasing import PhaseSetup
from planner.present.bundle import LAYERS, TABLES, build_bundle
from planner.present.export import (
    ExportError,
    export_bytes,
    export_format,
    export_scenario,
    output_paths,
    short_names,
)
from planner.present.i18n import tr
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup


@pytest.fixture(scope="module")
def planned():
    region = demo_region()
    scenario = Scenario(
        "株洲 基准",
        RegionRef.of(region, ["demo"], seed=2024),
        siting=SitingSetup(objective="min_sites", coverage_target=0.9),
        grouping=GroupingSetup(),
        phase=PhaseSetup(years=(2025, 2026), new_sites_per_year=(6, 4)),
    )
    return scenario, scenario.run(region)


@pytest.fixture(scope="module")
def bundle(planned):
    scenario, run = planned
    return build_bundle(run, scenario, lang="zh")


def _same(read: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values column by column (types may differ by format: bool/int, str/object)."""
    assert list(read.columns) == list(expected.columns)
    assert len(read) == len(expected)
    for col in expected.columns:
        a, b = read[col], expected[col]
        if col == "geometry":
            # the same shapes (polygons may come back as one-part multipolygons)
            assert all(
                x.hausdorff_distance(y) < 1e-9
                and x.geom_type.removeprefix("Multi") == y.geom_type.removeprefix("Multi")
                for x, y in zip(a, b, strict=True)
            ), col
        elif pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-6, err_msg=col)
        elif pd.api.types.is_bool_dtype(b):
            assert a.astype(bool).tolist() == b.tolist(), col
        else:
            assert [None if pd.isna(x) else str(x) for x in a] == [
                None if pd.isna(x) else str(x) for x in b
            ], col


def test_bundle_headers_are_translated_and_unique(planned, bundle):
    scenario, run = planned
    english = build_bundle(run, scenario, lang="en")
    assert bundle.headers["townships"]["township_name"] == "乡镇名称"
    assert english.headers["townships"]["township_name"] == "Township"
    for b in (bundle, english):
        assert set(b.layers) == set(LAYERS) and set(b.tables) == set(TABLES)
        for name, headers in b.headers.items():
            assert len(set(headers.values())) == len(headers), name
    zh_text = "".join(v for h in bundle.headers.values() for v in h.values())
    assert "覆盖率" in zh_text and "牵头医院" in zh_text
    # tables agree with the run
    sites = run.siting.sites(run.region)
    assert set(bundle.tables["sites"]["facility_id"]) == set(sites.loc[sites["open"], "facility_id"])
    assert bundle.tables["townships"]["lead_facility_id"].tolist() == [
        run.grouping.assignment()[t] for t in bundle.tables["townships"]["township_code"]
    ]
    kpis = dict(zip(bundle.tables["kpis"]["key"], bundle.tables["kpis"]["value"], strict=True))
    assert kpis["covered"] == run.siting.coverage(run.region)["overall"]["covered"]


def test_geopackage_reads_back_equal_with_chinese_names(planned, bundle, tmp_path):
    scenario, run = planned
    (path,) = export_scenario(run, scenario, tmp_path / "plan.gpkg", bundle=bundle)
    names = [name for name, _ in pyogrio.list_layers(path)]
    assert names == [bundle.layer_title(n) for n in LAYERS] + [PROVENANCE_LAYER]
    # The region's provenance travels in the file: its synthetic-data label, travel source, approximations.
    provenance = read_provenance(path)
    assert provenance is not None and provenance["label_zh"] == run.region.provenance["label_zh"]
    assert provenance["name"] == run.region.name
    for name in LAYERS:
        read = gpd.read_file(path, layer=bundle.layer_title(name))
        _same(read, bundle.layer(name))
    towns = gpd.read_file(path, layer="乡镇")
    assert towns["乡镇名称"].tolist() == run.region.townships["township_name"].tolist()


def test_geojson_one_file_per_layer(planned, bundle, tmp_path):
    scenario, run = planned
    files = export_scenario(run, scenario, tmp_path / "plan.geojson", bundle=bundle)
    assert [f.name for f in files] == [f"plan_{n}.geojson" for n in LAYERS]
    for name, file in zip(LAYERS, files, strict=True):
        _same(gpd.read_file(file), bundle.layer(name))
    assert '"乡镇名称"' in files[1].read_text(encoding="utf-8")


def test_shapefile_zip_short_fields_utf8_and_field_list(planned, bundle, tmp_path):
    scenario, run = planned
    (path,) = export_scenario(run, scenario, tmp_path / "plan.shp.zip", bundle=bundle)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        fields = pd.read_csv(io.BytesIO(archive.read("FIELDS.csv")), encoding="utf-8-sig", dtype=str)
        assert archive.read("townships.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        assert "README.txt" in names
    for name in LAYERS:
        assert {f"{name}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        read = gpd.read_file(f"zip://{path}!{name}.shp")
        rows = fields[fields["layer"] == name]
        assert all(len(s) <= 10 for s in rows["short_name"]) and rows["short_name"].is_unique
        back = read.rename(columns=dict(zip(rows["short_name"], rows["field"], strict=True)))
        expected = bundle.layers[name]
        _same(back, expected[[*list(rows["field"]), "geometry"]])
        assert rows["label_zh"].tolist() == [bundle.headers[name][f] for f in rows["field"]]
    towns = gpd.read_file(f"zip://{path}!townships.shp")
    assert (
        towns["town_name"].tolist() == bundle.layers["townships"]["township_name"].tolist()
    )  # Chinese intact


def test_short_names_are_unique_and_short():
    names = short_names(["population_60plus", "a_very_long_column_name", "a_very_long_column_other", "名称"])
    assert names["population_60plus"] == "pop60"
    assert len(set(v.lower() for v in names.values())) == 4 and all(len(v) <= 10 for v in names.values())
    assert names["a_very_long_column_name"] != names["a_very_long_column_other"]


def test_csv_with_bom_one_file_per_table(planned, bundle, tmp_path):
    scenario, run = planned
    files = export_scenario(run, scenario, tmp_path / "plan.csv", bundle=bundle)
    assert [f.name for f in files] == [f"plan_{n}.csv" for n in TABLES]
    for name, file in zip(TABLES, files, strict=True):
        assert file.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
        read = pd.read_csv(file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        expected = bundle.table(name)
        assert list(read.columns) == list(expected.columns)
        as_text = expected.astype(object).where(expected.notna(), "").astype(str)
        for col in expected.columns:
            if pd.api.types.is_float_dtype(expected[col]):
                np.testing.assert_allclose(
                    pd.to_numeric(read[col]).to_numpy(float), expected[col].to_numpy(float), rtol=1e-9
                )
            else:
                assert read[col].tolist() == as_text[col].tolist(), (name, col)
    assert "乡镇名称" in files[4].read_text(encoding="utf-8-sig")


def test_xlsx_one_sheet_per_table(planned, bundle, tmp_path):
    scenario, run = planned
    (path,) = export_scenario(run, scenario, tmp_path / "plan.xlsx", bundle=bundle)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == [bundle.table_title(n) for n in TABLES]
    for name in TABLES:
        rows = list(book[bundle.table_title(name)].iter_rows(values_only=True))
        expected = bundle.table(name)
        assert list(rows[0]) == list(expected.columns)
        read = pd.DataFrame(rows[1:], columns=rows[0])
        for col in expected.columns:
            a, b = read[col], expected[col]
            if pd.api.types.is_float_dtype(b):
                np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9)
            else:
                # an empty text cell reads back as no value; numbers keep 15 digits
                for x, y in zip(a, b, strict=True):
                    if isinstance(y, float):
                        assert x == pytest.approx(y, rel=1e-12), (name, col)
                    else:
                        assert (None if pd.isna(x) or x == "" else x) == (
                            None if pd.isna(y) or y == "" else y
                        ), (name, col)
    codes = [r[0] for r in book[bundle.table_title("townships")].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(c, str) for c in codes)  # codes stay text


def test_outputs_are_never_replaced_unasked_and_leave_no_partial_files(planned, bundle, tmp_path):
    scenario, run = planned
    export_scenario(run, scenario, tmp_path / "plan.csv", bundle=bundle)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    (tmp_path / "plan_kpis.csv").unlink()  # one of several missing: still refused, nothing written
    with pytest.raises(ExportError, match="exist"):
        export_scenario(run, scenario, tmp_path / "plan.csv", bundle=bundle)
    assert not (tmp_path / "plan_kpis.csv").exists()
    files = export_scenario(run, scenario, tmp_path / "plan.csv", bundle=bundle, overwrite=True)
    assert {f.name for f in files} == set(before)
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_outputs_are_known_before_the_bundle_is_built(planned, bundle, tmp_path):
    scenario, _ = planned
    for ext in (".csv", ".geojson", ".gpkg"):
        assert output_paths(tmp_path / f"p{ext}", scenario) == output_paths(tmp_path / f"p{ext}", bundle)
    grouping_only = Scenario("g", scenario.region, grouping=GroupingSetup())
    assert [p.name for p in output_paths("out/p.geojson", grouping_only)] == [
        "p_counties.geojson",
        "p_townships.geojson",
        "p_communities.geojson",
        "p_leads.geojson",
    ]


def test_formats_from_extensions():
    assert [export_format(f"x{e}") for e in (".gpkg", ".GeoJSON", ".shp.zip", ".csv", ".xlsx", ".html")] == [
        "gpkg",
        "geojson",
        "shp.zip",
        "csv",
        "xlsx",
        "html",
    ]
    with pytest.raises(ExportError, match="unknown export format"):
        export_format("plan.kml")
    with pytest.raises(ExportError):
        export_format(".gpkg")


def test_export_bytes_for_download_buttons(planned):
    scenario, run = planned
    name, data = export_bytes(run, scenario, "xlsx", lang="en")
    assert name == "株洲_基准.xlsx" and data[:2] == b"PK"
    name, data = export_bytes(run, scenario, "csv", lang="en", table="townships")
    assert name == "株洲_基准_townships.csv" and data.startswith(b"\xef\xbb\xbfTownship code")
    name, data = export_bytes(run, scenario, "geojson")
    assert name == "株洲_基准_geojson.zip"
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == len(LAYERS)


def test_cli_export_every_format(tmp_path, capsys):
    scenario = tmp_path / "s.json"
    assert main(["group", "demo", "--quiet", "--save", str(scenario)]) == 0
    outs = [tmp_path / f"plan{e}" for e in (".gpkg", ".geojson", ".shp.zip", ".csv", ".xlsx", ".html")]
    args = ["export", str(scenario), "--lang", "en"] + [a for o in outs for a in ("--out", str(o))]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "one file per table" in printed and "plan_townships.csv" in printed
    for out in (outs[0], outs[2], outs[4], outs[5]):
        assert out.exists()
    assert (tmp_path / "plan_communities.geojson").exists() and not (tmp_path / "plan_sites.geojson").exists()
    assert main(args) == 1 and "exist" in capsys.readouterr().err
    assert main(["export", str(scenario), "--out", str(outs[3]), "--force"]) == 0
    assert main(["export", str(scenario), "--out", str(tmp_path / "x.kml")]) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scenario_table_carries_the_data_label_and_the_approximations(planned, lang):
    scenario, run = planned
    table = build_bundle(run, scenario, lang=lang).tables["scenario"]
    provenance = table.set_index("key").loc["provenance", "value"]
    assert run.region.provenance[f"label_{lang}"] in provenance
    assert ("通行时间为估算值" if lang == "zh" else "Travel times are estimates") in provenance


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scenario_sheet_gives_every_setting_in_words_and_the_setups_as_json(planned, lang):
    """One labelled row per setting (values in words, not JSON); the JSON that reproduces the plan comes last."""
    scenario, run = planned
    table = build_bundle(run, scenario, lang=lang).tables["scenario"].set_index("key")
    for part, setup in (
        ("siting", scenario.siting),
        ("grouping", scenario.grouping),
        ("phase", scenario.phase),
    ):
        settings = setup.to_dict()
        for name in settings:
            assert f"{part}.{name}" in table.index  # every setting has its row
        assert json.loads(table.loc[f"{part}_json", "value"]) == json.loads(json.dumps(settings, default=str))
    objective = table.loc["siting.objective"]
    assert objective["value"] == tr("objective.min_sites", lang)  # words, not ``min_sites``
    assert objective["item"].startswith("选址参数" if lang == "zh" else "Siting parameters")
    assert table.loc["siting.coverage_target", "value"] == "90"  # a share shown as the app's percent field
    assert table.loc["phase.new_sites_per_year", "value"] == ("6、4" if lang == "zh" else "6, 4")
    words = table.drop(index=[k for k in table.index if k.endswith("_json")])
    assert not words["value"].str.startswith("{").any()  # no raw JSON among the readable rows
