"""The report's context: the figures of a year, formatted (strings, chart PNGs) for the builder.

`selfeval.present.build` turns this dict into the format-neutral document; nothing here knows
HTML or Word. Charts are drawn once, at print resolution, and serve every format. Amounts are
shown in the unit's own 金额单位 (万元 or 元) at the precision the source stated; a figure the
data lacks is 「未填报」 in every table and chart description, and is never drawn.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.activities import Activities, CategoryGroup, Listing, MemberRef
from selfeval.figures.holdings import Holdings
from selfeval.figures.spending import BUDGET_TYPES, GENERAL, Spending
from selfeval.present import charts
from selfeval.present.checks_view import checks_table
from selfeval.present.formats import (
    NOT_GIVEN,
    cn_date,
    count_text,
    money,
    money_number,
    pct,
)
from selfeval.present.scoring_view import scoring_view
from selfeval.results import YearResults
from selfeval.rules import is_missing

REPORT_TITLE = "{unit}{year}年度整体支出绩效自评报告"
#: Default headings of section 六's fixed subsections (文字说明 标题 overrides them).
SUBSECTION_DEFAULTS = {
    "活动": "开展文化活动情况",
    "服务评价": "服务评价情况",
    "数字服务": "数字服务情况",
    "馆藏建设": "馆藏建设情况",
    "基层服务": "基层服务情况",
}
#: 单位概况 items the overview states in its own sentences (or that only steer the build).
OVERVIEW_ITEMS = ("单位名称", *sc.UNIT_ITEM_KINDS)


def _listing(item: Listing) -> dict:
    def member(ref: MemberRef) -> str:
        return f"{cn_date(ref.start_date)}{ref.name}" if ref.start_date else ref.event_id

    return {
        "event_id": item.event_id,
        "name": item.name,
        "date": cn_date(item.start_date, item.end_date),
        "timeframe": item.timeframe,
        "period": item.period,
        "place": item.place,
        "offline": count_text(item.counts["offline"], "人次"),
        "online": count_text(item.counts["online"], "人次"),
        "sessions": count_text(item.counts["sessions"], "场"),
        "books": count_text(item.counts["books"], "册"),
        "materials": count_text(item.counts["materials"], "份"),
        "effect": item.effect,
        "note": item.note,
        "also_in": item.also_in,
        "members": [member(m) for m in item.members],
        "source": item.source,
    }


def _category_line(group: CategoryGroup) -> dict:
    """Per-category figures as listed: one stated value keeps its wording (4000多份)."""
    out: dict[str, Any] = {"listings": group.listings, "sessions": group.sessions}
    units = {"offline": "人次", "online": "人次", "books": "册", "materials": "份"}
    for measure, unit in units.items():
        m = group.measures[measure]
        if m.single is not None:
            out[measure] = count_text(m.single, unit)
        elif m.total is not None:
            out[measure] = count_text(m.total, unit)
        else:
            out[measure] = ""
        if measure == "offline" and m.known and m.known < m.listed:
            out["offline_basis"] = f"本类线下参与人次据{m.known}次活动的记录（共{m.listed}次）。"
    return out


#: What the report says in place of a chart of which no value is known.
ALL_NOT_GIVEN = {"activities_by_category": "各类活动参与人次均未填报，未绘制图表。"}


def _no_chart(key: str, note: str) -> dict:
    """A chart left out because the data gives none of its values: a sentence takes its place."""
    return {"key": key, "note": note}


def _figure(
    key: str, title: str, fig: Any, alt: str, headers: list[str], rows: list[list[str]], source
) -> dict:
    png = charts.png_bytes(fig, charts.REPORT_DPI)
    charts.release(fig)  # drawn once, never again: its memory goes now, not at some later GC
    return {
        "key": key,
        "title": title,
        "png": png,
        "alt": alt,
        "headers": headers,
        "rows": rows,
        "source": source,
    }


def _frame(rows: list) -> pd.DataFrame:
    """The rows of a figures table as the charts take them."""
    return pd.DataFrame([asdict(r) for r in rows])


def _n(value: int | None, unit: str = "") -> str:
    """A count of a chart's table: the number, or 未填报."""
    return NOT_GIVEN if value is None else f"{value}{unit}"


def _category_figure(acts: Activities, title: str, source: str) -> dict:
    """Participants and sessions per category; a category without a figure has no bar."""
    return _figure(
        "activities_by_category",
        title,
        charts.activities_by_category(_frame(acts.by_category), title, source),
        "；".join(
            f"{r.category}：{r.listings}次、{r.sessions}场，线下{_n(r.offline, '人次')}，"
            f"线上{_n(r.online, '人次')}"
            for r in acts.by_category
        ),
        ["活动类别", "次数", "场次", "线下参与（人次）", "线上参与（人次）"],
        [
            [r.category, str(r.listings), str(r.sessions), _n(r.offline), _n(r.online)]
            for r in acts.by_category
        ],
        source,
    )


def _activity_figures(acts: Activities, source: str) -> list[dict]:
    figures: list[dict] = []
    if not acts.groups:
        return figures
    title = "各类活动参与人次与场次"
    known = [r for r in acts.by_category if r.offline is not None or r.online is not None]
    if not known:  # an empty axis would say nothing; the report says why there is no chart
        figures.append(_no_chart("activities_by_category", ALL_NOT_GIVEN["activities_by_category"]))
    else:
        figures.append(_category_figure(acts, title, source))
    active = [r for r in acts.by_month if r.events > 0]
    if active:
        title = "各月开展活动数"
        figures.append(
            _figure(
                "activities_by_month",
                title,
                charts.activities_by_month(_frame(acts.by_month), title, source),
                "；".join(f"{r.month}月{r.events}项" for r in active)
                + (f"；另有{acts.undated}项活动未填日期，未计入" if acts.undated else ""),
                ["月份", "活动（项）", "线下参与（人次）"],
                [[f"{r.month}月", str(r.events), _n(r.offline)] for r in active],
                source,
            )
        )
    if acts.books:
        title = "赠书去向（册）"
        figures.append(
            _figure(
                "books_by_destination",
                title,
                charts.books_by_destination(_frame(acts.books), title, source),
                "；".join(f"{r.destination}{r.books}册" for r in acts.books),
                ["赠书去向", "赠书（册）"],
                [[r.destination, str(r.books)] for r in acts.books],
                source,
            )
        )
    return figures


def _in_unit(rows: list, unit: str, fields: tuple[str, ...]) -> pd.DataFrame:
    """A chart's table with its amounts in the report's unit (元 = 万元 × 10000)."""
    frame = _frame(rows)
    if unit == "元":
        for name in fields:
            frame[name] = pd.to_numeric(frame[name], errors="coerce") * 10000
    return frame


def _spending_figures(spend: Spending, year: int, source: str, unit: str) -> list[dict]:
    figures: list[dict] = []
    structure = [p for p in spend.structure if p.actual is not None]
    if len(structure) >= 2 and sum(p.actual for p in structure) > 0:
        title = f"{year}年一般公共预算支出结构（{unit}）"
        figures.append(
            _figure(
                "spending_structure",
                title,
                charts.spending_structure(
                    _in_unit(structure, unit, ("actual", "budget")), title, source, unit
                ),
                "；".join(
                    f"{r.part}{money(r.actual, None, unit)}，占{pct(r.share)}" for r in structure
                ),
                ["支出", f"执行数（{unit}）", "占一般公共预算支出"],
                [[r.part, money_number(r.actual, None, unit), pct(r.share)] for r in structure],
                source,
            )
        )
    if spend.lines:
        title = f"{year}年预算数与执行数（{unit}）"
        figures.append(
            _figure(
                "budget_vs_actual",
                title,
                charts.budget_vs_actual(
                    _in_unit(spend.lines, unit, ("actual", "budget")), title, source, unit
                ),
                "；".join(
                    f"{r.label}预算{money(r.budget, None, unit)}、执行{money(r.actual, None, unit)}"
                    f"，执行率{pct(r.rate)}"
                    for r in spend.lines
                ),
                ["项目", f"预算数（{unit}）", f"执行数（{unit}）", "执行率"],
                [
                    [
                        r.label,
                        money_number(r.budget, None, unit),
                        money_number(r.actual, None, unit),
                        pct(r.rate),
                    ]
                    for r in spend.lines
                ],
                source,
            )
        )
    return figures


def _holdings_figure(holding: Holdings | None, source: str) -> list[dict]:
    if holding is None or len(holding.series) < 2:
        return []
    title = "历年年末馆藏（册）"
    series = holding.series
    return [
        _figure(
            "holdings_over_years",
            title,
            charts.holdings_over_years(_frame(series), title, source),
            "；".join(f"{r.year}年末{r.holdings}册" for r in series),
            ["年度", "年末藏量（册）"],
            [[f"{r.year}年", str(r.holdings)] for r in series],
            source,
        )
    ]


def _subsections(results: YearResults, listing_groups: list) -> list[dict]:
    """Section 六's subsections: the fixed ones that have data or prose, then the unit's own
    (文字说明 章节 outside the fixed keys) in sheet order, then the comparison with last year."""
    fig = results.figures
    texts = fig.texts
    has_data = {
        "活动": bool(listing_groups),
        "服务评价": bool(fig.satisfaction),
        "数字服务": bool(fig.digital),
        "馆藏建设": fig.holdings is not None,
        "基层服务": False,
    }
    out = []
    for key, default in SUBSECTION_DEFAULTS.items():
        entry = texts.get(key, {})
        if entry.get("paragraphs") or has_data[key] or entry.get("title"):
            out.append({"key": key, "title": entry.get("title") or default})
    for key, entry in texts.items():
        if entry.get("custom"):
            out.append({"key": "custom", "text_key": key, "title": entry.get("title") or key})
    if results.yoy is not None:
        out.append({"key": "同比", "title": "主要指标与上年对比"})
    return out


def build_context(results: YearResults) -> dict:
    """Everything the report's blocks need for one year, from its stored results."""
    fig = results.figures
    year = fig.year
    unit_name = fig.unit_name
    unit = fig.amount_unit
    source = f"{unit_name}{year}年度填报数据"
    acts = fig.activities
    listing_groups = [
        {
            "category": g.category,
            "summary": _category_line(g),
            "listings": [_listing(item) for item in g.items],
        }
        for g in acts.groups
    ]
    scoring = results.scoring
    department = fig.unit.get("主管部门", "")

    def view(result: Any) -> dict:
        return scoring_view(
            result,
            unit_name=unit_name,
            department=department,
            texts=fig.texts,
            amount_unit=unit,
        )

    deviations = [d for r in (scoring, *results.projects) for d in r.deviations]
    spend = fig.spending
    data_date = _data_date(fig.data_date)
    return {
        "year": year,
        "unit_name": unit_name,
        "amount_unit": unit,
        "title": REPORT_TITLE.format(unit=unit_name, year=year),
        "data_date": data_date,
        "data_day": None if data_date is None else pd.Timestamp(fig.data_date),
        "unit": fig.unit,
        "unit_extra": {k: v for k, v in fig.unit.items() if k not in OVERVIEW_ITEMS},
        "texts": fig.texts,
        "income": fig.income,
        "spending": {
            "general": spend.types.get(GENERAL),
            "shares": spend.shares,
            "any_budget": spend.any_budget,
            "any_original": spend.any_original,
            "types": spend.types,
        },
        "sangong": spend.sangong,
        "sangong_total": spend.sangong_total,
        "budget_types": BUDGET_TYPES,
        "spending_figures": _spending_figures(spend, year, source, unit),
        "subsections": _subsections(results, listing_groups),
        "categories": listing_groups,
        "totals": acts.totals,
        "undated": acts.undated,
        "activity_figures": _activity_figures(acts, source),
        "satisfaction": fig.satisfaction,
        "digital": fig.digital,
        "holdings": fig.holdings,
        "holdings_figures": _holdings_figure(fig.holdings, source),
        "summary": fig.summary,
        "yoy": results.yoy,
        "previous_year": year - 1,
        "scoring": scoring,
        "targets_given": scoring.targets_given,
        "deviations": deviations,
        "reconciliation": checks_table(results.checks, fig.amount_unit),
        "scoring_view": view(scoring),
        "project_views": [view(p) for p in results.projects],
        "report_format": fig.unit.get("报告格式", ""),
        "source": source,
        "department": results.department,
        "missing": list(results.missing),
    }


def _data_date(value: Any) -> str | None:
    if value is None or is_missing(value) or value == "":
        return None
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"
