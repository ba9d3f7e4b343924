"""`outputs/index.html`: every year's report with its headline figures, and cross-year trends.

The page is self-contained and offline: inline CSS, charts as base64 PNG, relative links only,
every text from the data escaped by jinja2's autoescape. `selfeval.run.site` collects what the
output folders hold and writes the page.
"""

from __future__ import annotations

import base64
import io
import re

from selfeval.rules import visible

#: Headline figures shown per year and charted across years: key, label, unit, decimals.
FIGURES: tuple[tuple[str, str, str, int], ...] = (
    ("total_spending", "一般公共预算支出", "万元", 2),
    ("events", "活动项数", "项", 0),
    ("participants", "参与人次（线下+线上）", "人次", 0),
    ("books", "赠书", "册", 0),
    ("satisfaction", "满意度", "%", 2),
)

STATUS_BUILT = "已生成"
STATUS_FAILED_KEPT = "最近一次生成失败（保留上次报告）"
STATUS_FAILED = "生成失败"


def participants(summary: dict) -> float | None:
    parts = [summary.get("participants_offline"), summary.get("participants_online")]
    known = [p for p in parts if isinstance(p, int | float)]
    return sum(known) if known else None


def trend_figure(records: list[dict]):
    """The headline figures over the years of one unit (None for a single year).

    Each figure is a point per year that states it, joined only across consecutive years that
    do (a year without the figure breaks the line); a figure no year states is 「未填报」."""
    if len(records) < 2:
        return None
    from matplotlib.figure import Figure

    from selfeval.present.charts import PALETTE, plot_known_runs, set_theme

    set_theme()
    fig = Figure(figsize=(3.2 * len(FIGURES), 2.8))
    axes = fig.subplots(1, len(FIGURES), squeeze=False)[0]
    years = [r["year"] for r in records]
    for ax, (key, label, unit, _) in zip(axes, FIGURES, strict=True):
        values = [r["figures"][key] for r in records]
        values = [v if isinstance(v, int | float) else None for v in values]
        if any(v is not None for v in values):
            plot_known_runs(ax, years, values, color=PALETTE[0])
        else:
            ax.text(0.5, 0.5, "未填报", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{label}（{unit}）", fontsize=10)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=90 if len(years) > 6 else 0)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def trend_chart(records: list[dict]) -> str | None:
    """Base64 PNG of `trend_figure` (None for a single year)."""
    fig = trend_figure(records)
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


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
