"""`outputs/index.html`: every year's report with its headline figures, and cross-year trends.

The page is self-contained and offline: inline CSS, charts as base64 PNG, relative links only,
every text from the data escaped by jinja2's autoescape. `selfeval.run.site` collects what the
output folders hold and writes the page.
"""

from __future__ import annotations

import base64
import re

from selfeval.present.formats import grouped
from selfeval.rules import visible

#: Headline figures shown per year and charted across years: key, label, unit, decimals.
FIGURES: tuple[tuple[str, str, str, int], ...] = (
    ("total_spending", "一般公共预算支出", "万元", 2),
    # 场次 and 线下参与, as the report adds them: never 活动项数 (whether two listings are one
    # programme the data cannot say) nor 线下 + 线上 (two measures the report never adds)
    ("sessions", "活动场次", "场", 0),
    ("participants_offline", "线下参与", "人次", 0),
    ("books", "赠书", "册", 0),
    ("satisfaction", "满意度", "%", 2),
)

STATUS_BUILT = "已生成"
STATUS_FAILED_KEPT = "最近一次生成失败（保留上次报告）"
STATUS_FAILED = "生成失败"


#: Trend panels: two per row, the figure as wide as the report's charts (7.2 in), each panel
#: about 3.4 × 2.3 inches, so that a printed A4 page (186 mm across) reads them at full size.
TREND_COLUMNS = 2
TREND_PANEL_HEIGHT = 2.3
#: At most this many year labels on a panel's axis (every k-th year beyond), never rotated.
TREND_YEAR_LABELS = 8
TREND_DPI = 150


def _year_ticks(ax, years: list[int]) -> None:
    """Every year a tick, a label on every k-th (years are whole numbers, written 2024, never
    2.024e3, never rotated or broken)."""
    step = -(-len(years) // TREND_YEAR_LABELS)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) if i % step == 0 else "" for i, y in enumerate(years)])
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)


def _trend_panel(ax, years: list[int], values: list, label: str, unit: str, decimals: int) -> None:
    # matplotlib (through charts) only when a trend is drawn: the index of one year needs none
    from selfeval.present.charts import INK_FILL, NOT_GIVEN, plot_known_runs

    ax.set_title(f"{label}（{unit}）", fontsize=10)
    _year_ticks(ax, years)
    ax.tick_params(labelsize=8)
    if all(v is None for v in values):
        ax.text(0.5, 0.5, NOT_GIVEN, ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return
    plot_known_runs(ax, years, values, color=INK_FILL)
    top = max(v for v in values if v is not None)
    # the axis starts at 0: 98.92 → 96.50 is a small step, not a cliff
    ax.set_ylim(0, max(top * 1.3, 110.0) if unit == "%" else (top or 1) * 1.3)
    for year, value in zip(years, values, strict=True):
        if value is None:  # a year without the figure is said to be so, not drawn as 0
            ax.annotate(
                NOT_GIVEN,
                (year, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#555",
            )
        else:
            ax.annotate(
                grouped(value, decimals),
                (year, value),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=7.5,
            )


def trend_figure(records: list[dict]):
    """The headline figures over the years of one unit (None for a single year).

    Each figure is a point per year that states it, joined only across consecutive years that
    do (a year without the figure breaks the line and is marked 「未填报」); a figure no year
    states is 「未填报」. Every value axis starts at 0 and every point carries its value."""
    if len(records) < 2:
        return None
    from matplotlib.figure import Figure

    from selfeval.present.charts import WIDTH, set_theme

    set_theme()
    rows = -(-len(FIGURES) // TREND_COLUMNS)
    fig = Figure(figsize=(WIDTH, TREND_PANEL_HEIGHT * rows), layout="constrained")
    grid = fig.subplots(rows, TREND_COLUMNS, squeeze=False).ravel()
    for ax in grid[len(FIGURES) :]:
        fig.delaxes(ax)
    years = [r["year"] for r in records]
    for ax, (key, label, unit, decimals) in zip(grid, FIGURES, strict=False):
        values = [r["figures"][key] for r in records]
        values = [v if isinstance(v, int | float) else None for v in values]
        _trend_panel(ax, years, values, label, unit, decimals)
    return fig


def trend_chart(records: list[dict]) -> str | None:
    """Base64 PNG of `trend_figure` (None for a single year); the same figures give the same
    bytes (`charts.png_bytes`: no metadata, one layout pass)."""
    fig = trend_figure(records)
    if fig is None:
        return None
    from selfeval.present.charts import png_bytes, release

    png = png_bytes(fig, TREND_DPI)
    release(fig)
    return base64.b64encode(png).decode("ascii")


#: Sort orders of the overview (key, label, descending); the page holds one table per order and
#: CSS :target shows the one chosen: sortable with no script, as every page is offline.
OVERVIEW_ORDERS = (
    ("name", "单位", False),
    ("score", "得分", True),
    ("grade", "等级", False),
    ("execution_rate", "执行率", True),
    ("flagged", "⚠ 核对项", True),
)


NO_NAME = "（未填写单位名称）"


def label_units(records: list[dict]) -> None:
    """Set each record's ``label``: its 单位名称, followed by its folder (data/raw/<unit>/) when
    another folder bears the same name, or it has none. Two units named alike (a copied unit,
    a renamed folder's leftover outputs) would otherwise be identical rows and one trend."""
    folders: dict[str, set[str]] = {}
    for r in records:
        folders.setdefault(r["unit"] or "", set()).add(r["folder"] or "")
    for r in records:
        name, folder = r["unit"] or "", r["folder"] or ""
        where = f"data/raw/{visible(folder)}/" if folder else "data/raw/"
        if not name:
            r["label"] = f"{NO_NAME}（{where}）" if folder else NO_NAME
        else:
            r["label"] = f"{name}（{where}）" if len(folders[name]) > 1 else name


def overview(records: list[dict]) -> list[dict]:
    """Every unit of a several-unit project with its latest built year's figures ([] else)."""
    folders = {r.get("folder") for r in records}
    if folders <= {"", None}:
        return []
    if any("label" not in r for r in records):
        label_units(records)
    latest: dict[str, dict] = {}
    for r in records:
        if r["report"] and (r["folder"] not in latest or r["year"] > latest[r["folder"]]["year"]):
            latest[r["folder"]] = r
    units = []
    for folder in sorted({r["folder"] for r in records}):
        r = latest.get(folder)
        figures = (r or {}).get("overview") or {}
        units.append(
            {
                "name": r["label"] if r else (visible(folder) or NO_NAME),
                "folder": folder,
                "year": r["year"] if r else None,
                "report": r["report"] if r else None,
                "years": sorted(x["year"] for x in records if x["folder"] == folder),
                **{k: figures.get(k) for k in ("score", "grade", "execution_rate", "flagged")},
            }
        )
    return units


def _sorted(units: list[dict], key: str, descending: bool) -> list[dict]:
    known = [u for u in units if u[key] is not None]
    unknown = [u for u in units if u[key] is None]
    return sorted(known, key=lambda u: u[key], reverse=descending) + unknown


def render_index(records: list[dict]) -> str:
    """The index page's HTML for the given year records."""
    label_units(records)
    units: dict[str, list[dict]] = {}
    for record in records:
        if record["report"]:
            units.setdefault(record["label"], []).append(record)
    trends = [
        {"unit": unit, "years": [r["year"] for r in recs], "chart": trend_chart(recs)}
        for unit, recs in sorted(units.items())
    ]
    from selfeval.present.templates import render_page

    rows = overview(records)
    orders = [
        {"key": key, "label": label, "units": _sorted(rows, key, desc)}
        for key, label, desc in OVERVIEW_ORDERS
    ]
    return render_page(
        "index/index.html.j2",
        records=records,
        figures=FIGURES,
        trends=trends,
        orders=orders if rows else [],
    )


def external_urls(html: str) -> list[str]:
    """URLs in src/href attributes or CSS url() that would make the page reach the network."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    found += re.findall(r"""url\(\s*["']?([^"')]+)""", html)
    return [u for u in found if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.I)]
