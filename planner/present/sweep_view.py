"""A sweep for reading: its words, its table in zh or en, the trade-off chart (PNG), the HTML page, and the files written together."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings
from planner.settings import SHORT

if (
    TYPE_CHECKING
):  # pandas, the region and the optimiser are imported where a sweep runs: `planner --help` stays fast
    import pandas as pd

    from geodata.region import Region
    from planner.scenario import RegionRef

from planner.sweep import SweepPoint, SweepResult, number_text, param_column

__all__ = [
    "ALONG",
    "CJK_FONTS",
    "TEXT",
    "cjk_font",
    "sweep_html",
    "sweep_paths",
    "sweep_table",
    "trade_off_chart",
    "write_sweep",
]


#: Fields a trade-off line runs along (the first one in the grid), in order of preference.
ALONG = (
    "coverage_target",
    "county_target",
    "new_sites",
    "county_new_sites",
    "bed_budget",
    "beds_per_10k_aged",
)


#: Fonts tried first for Chinese labels (then any font whose name says CJK).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
)


#: Words of the sweep's table, chart and report: key -> (Chinese, English).
TEXT: dict[str, tuple[str, str]] = {
    "point": ("方案点", "Point"),
    **{param_column(name): words for name, words in settings.labels("siting").items() if name in SHORT},
    "seconds": ("求解时间（秒）", "Solve time (s)"),
    "reason": ("原因", "Reason"),
    "title": ("情景扫描", "Scenario sweep"),
    "chart": ("权衡曲线", "Trade-off chart"),
    "table": ("各方案点结果", "Results of every point"),
    "settings": ("共同参数", "Common settings"),
    "x_sites": ("新增设床机构（个）", "New sites"),
    "x_beds": ("新增床位（张）", "New beds"),
    "y_coverage": ("60岁及以上人口覆盖率（%）", "Population 60+ covered (%)"),
    "no_plan": ("无方案的点不在图中：{points}", "Points without a plan are not drawn: {points}"),
    "note": (
        "每个方案点单独求解；覆盖率等指标由方案重新计算。状态“最优（已证明）”表示已证明最优，"
        "“可行”表示时限内的最好方案及其最优性差距。",
        "Each point is solved on its own; coverage and the other figures are recomputed from its plan. "
        "'optimal (proven)' means proven optimal; 'feasible' is the best plan within the time limit, with "
        "its gap.",
    ),
    "subtitle": (
        "目标：{objective} · {points} 个方案点 · 用时 {seconds} 秒",
        "Objective: {objective} · {points} points · {seconds} s",
    ),
    "minutes": ("分钟", "min"),
    "km": ("公里", "km"),
}


def _text(key: str, lang: str, **values: Any) -> str:
    zh, en = TEXT[key]
    out = zh if lang == "zh" else en
    return out.format(**values) if values else out


def _header(column: str, lang: str, unit: str) -> str:
    from planner.present import labels

    if column in ("threshold", "max_travel_limit"):
        return (
            f"{_text(column, lang)}（{_text(unit, lang)}）"
            if lang == "zh"
            else f"{_text(column, lang)} ({_text(unit, lang)})"
        )
    if column in TEXT:
        return _text(column, lang)
    return labels.kpi("status" if column == "solve_status" else column, lang)


def sweep_table(result: SweepResult, *, lang: str = "zh") -> pd.DataFrame:
    """The sweep's table with headers in ``lang``.

    Parameters
    ----------
    result
        The sweep.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    DataFrame
        :attr:`SweepResult.table` with translated (and distinct) headers.
    """
    from planner.present import labels

    headers = {c: _header(c, lang, result.base.unit) for c in result.table.columns}
    return result.table.rename(columns=labels.unique(headers))


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs (matplotlib's font list), or ``None``."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    others = sorted(n for n in names if "CJK" in n)
    return others[0] if others else None


def _series(result: SweepResult) -> tuple[str | None, list[str]]:
    """Table columns of the field a line runs along, and of those that tell the lines apart (threshold first)."""
    along = next((k for k in ALONG if k in result.grid and len(result.grid[k]) > 1), None)
    if along is None:
        along = next((k for k in result.grid if k != "threshold" and len(result.grid[k]) > 1), None)
    rest = sorted((k for k in result.grid if k != along), key=lambda k: k != "threshold")
    return (None if along is None else param_column(along)), [param_column(k) for k in rest]


def _series_label(values: Mapping[str, Any], unit: str, lang: str) -> str:
    parts = []
    for key, value in values.items():
        if key == "threshold":
            parts.append(f"{number_text(value)} {_text(unit, lang)}")
        else:
            parts.append(f"{_header(key, lang, unit)} {number_text(value)}")
    return ", ".join(parts) or ("全部" if lang == "zh" else "all")


def _along_label(key: str | None, value: Any) -> str:
    if key is None:
        return ""
    if key in ("coverage_target", "county_target") and isinstance(value, (int, float)):
        return f"{value:.0%}"
    return number_text(value)


def trade_off_chart(result: SweepResult, path_png: str | Path, *, lang: str = "zh") -> Path:
    """Draw coverage against new sites and against new beds, one line per threshold, to a PNG.

    Each line joins the points of one threshold (and one value of each further
    swept field) in the order of the swept target or budget, whose value labels
    every point. Points without a plan are left out and listed under the chart.
    Chinese labels need a CJK font (:func:`cjk_font`); without one the chart
    falls back to English with a warning.

    Parameters
    ----------
    result
        The sweep.
    path_png
        Destination file.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    Path
        ``path_png``.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    font = cjk_font()
    if lang == "zh" and font is None:
        warnings.warn(
            "no font with Chinese glyphs is installed (e.g. Debian's fonts-noto-cjk); "
            "the trade-off chart is labelled in English",
            stacklevel=2,
        )
        lang = "en"
    rc: dict[RcKeyType, Any] = {
        "axes.unicode_minus": False,
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
    }
    table = result.table
    along, rest = _series(result)
    has_plan = table["coverage_share"].notna()
    path = Path(path_png)
    with rc_context(rc):
        figure = Figure(figsize=(12, 4.8), dpi=110, layout="constrained")
        axes = figure.subplots(1, 2, sharey=True)
        groups = table[has_plan].groupby(rest, sort=False) if rest else [((), table[has_plan])]
        for number, (key, rows) in enumerate(groups):
            key = key if isinstance(key, tuple) else (key,)
            label = _series_label(dict(zip(rest, key, strict=True)), result.base.unit, lang)
            rows = rows.sort_values(along) if along else rows
            colour = f"C{number % 10}"
            for ax, x in zip(axes, ("new_sites", "new_beds"), strict=True):
                xs, ys = rows[x].to_numpy(float), rows["coverage_share"].to_numpy(float) * 100
                ax.plot(xs, ys, marker="o", color=colour, label=label)
                for xv, yv, value in zip(xs, ys, rows[along] if along else [None] * len(rows), strict=True):
                    ax.annotate(
                        _along_label(along, value),
                        (xv, yv),
                        textcoords="offset points",
                        xytext=(4, -10),
                        fontsize=7,
                        color=colour,
                    )
        for ax, axis_key in zip(axes, ("x_sites", "x_beds"), strict=True):
            ax.set_xlabel(_text(axis_key, lang))
            ax.grid(True, alpha=0.3)
        axes[0].set_ylabel(_text("y_coverage", lang))
        if has_plan.any() and rest:
            handles, names = axes[0].get_legend_handles_labels()
            figure.legend(
                handles,
                names,
                loc="outside right upper",
                fontsize=8,
                title_fontsize=8,
                title=_header(rest[0], lang, result.base.unit),
            )
        name = result.region_name if font else result.region_name.encode("ascii", "ignore").decode().strip()
        title = f"{_text('chart', lang)}{'：' if lang == 'zh' else ': '}{name}"
        if along:
            title += (
                f" ({_header(along, lang, result.base.unit)})"
                if lang == "en"
                else f"（点旁数值：{_header(along, lang, result.base.unit)}）"
            )
        figure.suptitle(title, fontsize=11)
        missing = table.loc[~has_plan, "point"].tolist()
        if missing:
            figure.text(
                0.01, 0.005, _text("no_plan", lang, points=", ".join(missing[:12])), fontsize=7, color="#a33"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    return path


def sweep_html(result: SweepResult, *, lang: str = "zh", png: bytes | None = None) -> str:
    """The sweep as one self-contained HTML page: chart (embedded PNG) and table.

    Parameters
    ----------
    result
        The sweep.
    lang
        ``zh`` or ``en``.
    png
        The chart's PNG bytes (drawn here when not given).

    Returns
    -------
    str
        The HTML document (no network needed).
    """
    import json
    import tempfile

    import pandas as pd

    from planner.present import labels
    from planner.present.report import page_context, table_of
    from planner.present.templating import render

    if png is None:
        with tempfile.TemporaryDirectory() as folder:
            png = trade_off_chart(result, Path(folder) / "sweep.png", lang=lang).read_bytes()
    table = result.table
    translated = sweep_table(result, lang=lang)
    headers = dict(zip(table.columns, translated.columns, strict=True))
    title = f"{_text('title', lang)} · {result.region_name}"
    settings = {k: v for k, v in result.base.to_dict().items() if k not in result.grid}
    if result.travel:
        settings["travel"] = result.travel
    setting_rows = pd.DataFrame(
        {
            "key": list(settings),
            "value": [
                v
                if isinstance(v, (int, float, str, bool)) or v is None
                else json.dumps(v, ensure_ascii=False)
                for v in settings.values()
            ],
        }
    )
    sub = _text(
        "subtitle",
        lang,
        objective=labels.text(f"objective.{result.base.objective}", lang),
        points=len(result.points),
        seconds=f"{result.wall_seconds:.1f}",
    )
    key_value = {"key": labels.column("key", lang), "value": labels.column("value", lang)}
    return render(
        "sweep.html.j2",
        **page_context(title, lang),
        sub=sub,
        image=base64.b64encode(png).decode("ascii"),
        points=table_of(table, headers, lang, scroll=len(table) > 20),
        note=_text("note", lang),
        settings=table_of(setting_rows, key_value, lang, keys=["_"] * len(setting_rows)),
        headings={key: _text(key, lang) for key in ("chart", "table", "settings")},
    )


def sweep_paths(points: Sequence[SweepPoint], folder: str | Path) -> list[Path]:
    """Files a sweep writes into ``folder``: the table, chart, report and one scenario per point."""
    folder = Path(folder)
    return [
        folder / "sweep.csv",
        folder / "sweep.png",
        folder / "sweep.html",
        *(folder / f"{p.name}.scenario.json" for p in points),
    ]


def write_sweep(
    result: SweepResult,
    region: Region,
    folder: str | Path,
    *,
    lang: str = "zh",
    ref: RegionRef | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``sweep.csv`` (UTF-8 with BOM), ``sweep.png``, ``sweep.html`` and each point's scenario.

    Parameters
    ----------
    result
        The sweep.
    region
        The region it ran on.
    folder
        Destination folder (created when missing).
    lang
        Language of headers, chart and report.
    ref
        How to load the region again (default: the demo reference for a demo
        region, else no scenario files are written).
    overwrite
        Replace existing files; otherwise any existing file is an error and nothing is written.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    FileExistsError
        Naming the files that exist, when ``overwrite`` is false.
    """
    from planner.present.spreadsheet import neutralise_frame
    from planner.run import ScenarioRun
    from planner.scenario import Scenario, atomic_write_text

    folder = Path(folder)
    targets = sweep_paths(result.points, folder)
    if ref is None:
        targets = targets[:3]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{', '.join(existing[:5])}{' ...' if len(existing) > 5 else ''} exist(s); "
            "choose another folder or allow replacing them (--force)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    table = neutralise_frame(sweep_table(result, lang=lang))  # for Excel: no text read as a formula
    atomic_write_text(targets[0], table.to_csv(index=False).join(["\ufeff", ""]), overwrite=overwrite)
    trade_off_chart(result, targets[1], lang=lang)
    atomic_write_text(
        targets[2], sweep_html(result, lang=lang, png=targets[1].read_bytes()), overwrite=overwrite
    )
    written = targets[:3]
    if ref is not None:
        for point, siting, path in zip(result.points, result.results, targets[3:], strict=True):
            scenario = Scenario(
                point.name, ref, siting=point.setup, notes=f"sweep point {point.name} of {result.region_name}"
            )
            if siting is not None:
                scenario.record(ScenarioRun(region, siting=siting))
            scenario.save(path, overwrite=True)
            written.append(path)
    return written
