"""The report's context: the figures of a year, formatted (strings, chart PNGs) for the builder.

`selfeval.present.build` turns this dict into the format-neutral document; nothing here knows
HTML or Word. Charts are drawn once, at print resolution, and serve every format.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from selfeval.figures.activities import Activities, CategoryGroup, Listing, MemberRef
from selfeval.figures.holdings import Holdings
from selfeval.figures.spending import BUDGET_TYPES, GENERAL, Spending
from selfeval.present import charts
from selfeval.present.checks_view import checks_table
from selfeval.present.formats import cn_date, count_text, decimal_text, pct, wan
from selfeval.present.scoring_view import scoring_view
from selfeval.results import YearResults
from selfeval.rules import is_missing

REPORT_TITLE = "{unit}{year}年度整体支出绩效自评报告"
#: Default headings of section 六's subsections (文字说明 标题 overrides them).
SUBSECTION_DEFAULTS = {
    "活动": "开展文化活动情况",
    "服务评价": "服务评价情况",
    "数字服务": "数字服务情况",
    "馆藏建设": "馆藏建设情况",
    "基层服务": "基层服务情况",
}


def _listing(item: Listing) -> dict:
    def member(ref: MemberRef) -> str:
        return f"{cn_date(ref.start_date)}{ref.name}" if ref.start_date else ref.event_id

    return {
        "event_id": item.event_id,
        "name": item.name,
        "date": cn_date(item.start_date, item.end_date),
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
            out[measure] += f"（据{m.known}次活动的记录）"
    return out


def _figure(
    key: str, title: str, fig: Any, alt: str, headers: list[str], rows: list[list[str]], source
) -> dict:
    return {
        "key": key,
        "title": title,
        "png": charts.png_bytes(fig, charts.REPORT_DPI),
        "alt": alt,
        "headers": headers,
        "rows": rows,
        "source": source,
    }


def _frame(rows: list) -> pd.DataFrame:
    """The rows of a figures table as the charts take them."""
    return pd.DataFrame([asdict(r) for r in rows])


def _activity_figures(acts: Activities, source: str) -> list[dict]:
    figures: list[dict] = []
    if not acts.groups:
        return figures
    title = "各类活动参与人次与场次"
    figures.append(
        _figure(
            "activities_by_category",
            title,
            charts.activities_by_category(_frame(acts.by_category), title, source),
            "；".join(
                f"{r.category}：{r.listings}次、{r.sessions}场，线下{r.offline}人次，"
                f"线上{r.online}人次"
                for r in acts.by_category
            ),
            ["活动类别", "次数", "场次", "线下参与（人次）", "线上参与（人次）"],
            [
                [r.category, str(r.listings), str(r.sessions), str(r.offline), str(r.online)]
                for r in acts.by_category
            ],
            source,
        )
    )
    title = "各月开展活动数"
    active = [r for r in acts.by_month if r.events > 0]
    figures.append(
        _figure(
            "activities_by_month",
            title,
            charts.activities_by_month(_frame(acts.by_month), title, source),
            "；".join(f"{r.month}月{r.events}项" for r in active),
            ["月份", "活动（项）", "线下参与（人次）"],
            [[f"{r.month}月", str(r.events), str(r.offline)] for r in active],
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


def _spending_figures(spend: Spending, year: int, source: str) -> list[dict]:
    figures: list[dict] = []
    structure = [p for p in spend.structure if p.actual is not None]
    if len(structure) >= 2 and sum(p.actual for p in structure) > 0:
        title = f"{year}年一般公共预算支出结构（万元）"
        figures.append(
            _figure(
                "spending_structure",
                title,
                charts.spending_structure(_frame(structure), title, source),
                "；".join(f"{r.part}{wan(r.actual)}，占{pct(r.share)}" for r in structure),
                ["支出", "执行数（万元）", "占一般公共预算支出"],
                [[r.part, decimal_text(r.actual), pct(r.share)] for r in structure],
                source,
            )
        )
    if spend.lines:
        title = f"{year}年预算数与执行数（万元）"
        figures.append(
            _figure(
                "budget_vs_actual",
                title,
                charts.budget_vs_actual(_frame(spend.lines), title, source),
                "；".join(
                    f"{r.label}预算{wan(r.budget)}、执行{wan(r.actual)}，执行率{pct(r.rate)}"
                    for r in spend.lines
                ),
                ["项目", "预算数（万元）", "执行数（万元）", "执行率"],
                [
                    [r.label, decimal_text(r.budget), decimal_text(r.actual), pct(r.rate)]
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


def build_context(results: YearResults) -> dict:
    """Everything the report's blocks need for one year, from its stored results."""
    fig = results.figures
    year = fig.year
    unit_name = fig.unit_name
    source = f"{unit_name}{year}年度填报数据"
    texts = fig.texts
    acts = fig.activities
    listing_groups = [
        {
            "category": g.category,
            "summary": _category_line(g),
            "listings": [_listing(item) for item in g.items],
        }
        for g in acts.groups
    ]
    holding = fig.holdings
    yoy = results.yoy
    # Until the national form (a table for every year) is presented, a year without 绩效目标
    # shows no table, as before.
    scoring = results.scoring if results.scoring.targets_given else None

    subsections = []
    for key, default in SUBSECTION_DEFAULTS.items():
        entry = texts.get(key, {})
        has_data = {
            "活动": bool(listing_groups),
            "服务评价": bool(fig.satisfaction),
            "数字服务": bool(fig.digital),
            "馆藏建设": holding is not None,
            "基层服务": False,
        }[key]
        if entry.get("paragraphs") or has_data or entry.get("title"):
            subsections.append({"key": key, "title": entry.get("title") or default})
    if yoy is not None:
        subsections.append({"key": "同比", "title": "主要指标与上年对比"})

    spend = fig.spending
    return {
        "year": year,
        "unit_name": unit_name,
        "title": REPORT_TITLE.format(unit=unit_name, year=year),
        "data_date": _data_date(fig.data_date),
        "data_day": None if _data_date(fig.data_date) is None else pd.Timestamp(fig.data_date),
        "unit": fig.unit,
        "texts": texts,
        "spending": {
            "general": spend.types.get(GENERAL),
            "shares": spend.shares,
            "any_budget": spend.any_budget,
            "types": spend.types,
        },
        "sangong": spend.sangong,
        "sangong_total": spend.sangong_total.actual if spend.sangong_total else None,
        "budget_types": BUDGET_TYPES,
        "spending_figures": _spending_figures(spend, year, source),
        "subsections": subsections,
        "categories": listing_groups,
        "totals": acts.totals,
        "activity_figures": _activity_figures(acts, source),
        "satisfaction": fig.satisfaction,
        "digital": fig.digital,
        "holdings": holding,
        "holdings_figures": _holdings_figure(holding, source),
        "summary": fig.summary,
        "yoy": yoy,
        "previous_year": year - 1,
        "scoring": scoring,
        "deviations": list(scoring.deviations) if scoring is not None else [],
        "reconciliation": checks_table(results.checks),
        "scoring_view": None if scoring is None else scoring_view(scoring),
        "source": source,
    }


def _data_date(value: Any) -> str | None:
    if value is None or is_missing(value) or value == "":
        return None
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"
