"""The report's context: the figures of a year, formatted for the templates.

Every string that came from data reaches the page only through an autoescaping template; no HTML
is built by string concatenation here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval import figures as analyze
from selfeval.figures import Total
from selfeval.present import charts
from selfeval.present.checks_view import checks_table
from selfeval.present.formats import cn_date, cn_number, count_text, decimal_text, pct, wan
from selfeval.present.frames import NINE_SECTIONS
from selfeval.present.scoring_view import scoring_view
from selfeval.rules import is_missing, split_ids

REPORT_TITLE = "{unit}{year}年度整体支出绩效自评报告"
#: Default headings of section 六's subsections (文字说明 标题 overrides them).
SUBSECTION_DEFAULTS = {
    "活动": "开展文化活动情况",
    "服务评价": "服务评价情况",
    "数字服务": "数字服务情况",
    "馆藏建设": "馆藏建设情况",
    "基层服务": "基层服务情况",
}


def _listing(row: Any, others: list[str], names: dict[str, str]) -> dict:
    members = split_ids(getattr(row, "includes", None))
    return {
        "event_id": str(row.event_id),
        "name": analyze.as_text(row.name),
        "date": cn_date(row.start_date, getattr(row, "end_date", None)),
        "period": analyze.as_text(getattr(row, "period", "")),
        "place": analyze.as_text(getattr(row, "place", "")),
        "offline": count_text(analyze.listing_count(row, "offline"), "人次"),
        "online": count_text(analyze.listing_count(row, "online"), "人次"),
        "sessions": count_text(analyze.listing_count(row, "sessions"), "场"),
        "books": count_text(analyze.listing_count(row, "books"), "册"),
        "materials": count_text(analyze.listing_count(row, "materials"), "份"),
        "effect": analyze.as_text(getattr(row, "effect", "")),
        "note": analyze.as_text(getattr(row, "note", "")),
        "also_in": others,
        "members": [names.get(m, m) for m in members],
    }


def _category_line(rows: pd.DataFrame) -> dict:
    """Per-category figures as listed: one stated value keeps its wording (4000多份)."""
    out: dict[str, Any] = {"listings": len(rows)}
    out["sessions"] = sum(
        (analyze.listing_count(r, "sessions").value or 1) for r in rows.itertuples(index=False)
    )
    units = {"offline": "人次", "online": "人次", "books": "册", "materials": "份"}
    for measure, unit in units.items():
        known = [analyze.listing_count(r, measure) for r in rows.itertuples(index=False)]
        known = [c for c in known if c.known]
        if not known:
            out[measure] = ""
        elif len(known) == 1:
            out[measure] = count_text(known[0], unit)
        else:
            approx = any(c.qualifier for c in known)
            total = Total(sum(c.value for c in known), approx, len(known))
            out[measure] = count_text(total, unit)
        if measure == "offline" and known and len(known) < len(rows):
            out[measure] += f"（据{len(known)}次活动的记录）"
    return out


def _figure(
    key: str, title: str, fig: Any, alt: str, headers: list[str], rows: list[list[str]], source
) -> dict:
    return {
        "key": key,
        "title": title,
        "uri": charts.png_data_uri(fig),
        "alt": alt,
        "headers": headers,
        "rows": rows,
        "source": source,
    }


def _activity_figures(acts: pd.DataFrame | None, source: str) -> list[dict]:
    figures: list[dict] = []
    if acts is None or acts.empty:
        return figures
    by_cat = analyze.category_table(acts)
    title = "各类活动参与人次与场次"
    figures.append(
        _figure(
            "activities_by_category",
            title,
            charts.activities_by_category(by_cat, title, source),
            "；".join(
                f"{r.category}：{r.listings}次、{r.sessions}场，线下{r.offline}人次，"
                f"线上{r.online}人次"
                for r in by_cat.itertuples(index=False)
            ),
            ["活动类别", "次数", "场次", "线下参与（人次）", "线上参与（人次）"],
            [
                [r.category, str(r.listings), str(r.sessions), str(r.offline), str(r.online)]
                for r in by_cat.itertuples(index=False)
            ],
            source,
        )
    )
    monthly = analyze.monthly_table(acts)
    title = "各月开展活动数"
    active = monthly[monthly["events"] > 0]
    figures.append(
        _figure(
            "activities_by_month",
            title,
            charts.activities_by_month(monthly, title, source),
            "；".join(f"{r.month}月{r.events}项" for r in active.itertuples(index=False)),
            ["月份", "活动（项）", "线下参与（人次）"],
            [
                [f"{r.month}月", str(r.events), str(r.offline)]
                for r in active.itertuples(index=False)
            ],
            source,
        )
    )
    books = analyze.books_by_destination(acts)
    if not books.empty:
        title = "赠书去向（册）"
        figures.append(
            _figure(
                "books_by_destination",
                title,
                charts.books_by_destination(books, title, source),
                "；".join(f"{r.destination}{r.books}册" for r in books.itertuples(index=False)),
                ["赠书去向", "赠书（册）"],
                [[r.destination, str(r.books)] for r in books.itertuples(index=False)],
                source,
            )
        )
    return figures


def _spending_figures(spend: dict, year: int, source: str) -> list[dict]:
    figures: list[dict] = []
    general = spend.get(analyze.GENERAL)
    structure = analyze.general_structure(general)
    structure = structure.dropna(subset=["actual"])
    if len(structure) >= 2 and float(structure["actual"].sum()) > 0:
        title = f"{year}年一般公共预算支出结构（万元）"
        figures.append(
            _figure(
                "spending_structure",
                title,
                charts.spending_structure(structure, title, source),
                "；".join(
                    f"{r.part}{wan(r.actual)}，占{pct(r.share)}"
                    for r in structure.itertuples(index=False)
                ),
                ["支出", "执行数（万元）", "占一般公共预算支出"],
                [
                    [r.part, decimal_text(r.actual), pct(r.share)]
                    for r in structure.itertuples(index=False)
                ],
                source,
            )
        )
    lines = analyze.budget_lines(spend)
    if not lines.empty:
        title = f"{year}年预算数与执行数（万元）"
        figures.append(
            _figure(
                "budget_vs_actual",
                title,
                charts.budget_vs_actual(lines, title, source),
                "；".join(
                    f"{r.label}预算{wan(r.budget)}、执行{wan(r.actual)}，执行率{pct(r.rate)}"
                    for r in lines.itertuples(index=False)
                ),
                ["项目", "预算数（万元）", "执行数（万元）", "执行率"],
                [
                    [r.label, decimal_text(r.budget), decimal_text(r.actual), pct(r.rate)]
                    for r in lines.itertuples(index=False)
                ],
                source,
            )
        )
    return figures


def _holdings_figure(holding: analyze.Holdings | None, source: str) -> list[dict]:
    if holding is None or len(holding.series) < 2:
        return []
    title = "历年年末馆藏（册）"
    series = holding.series
    return [
        _figure(
            "holdings_over_years",
            title,
            charts.holdings_over_years(series, title, source),
            "；".join(f"{r.year}年末{r.holdings}册" for r in series.itertuples(index=False)),
            ["年度", "年末藏量（册）"],
            [[f"{r.year}年", str(r.holdings)] for r in series.itertuples(index=False)],
            source,
        )
    ]


def _texts_paragraphs(texts: dict, key: str) -> list[str]:
    return list(texts.get(key, {}).get("paragraphs", []))


def _spending_context(spend: dict) -> dict:
    general = spend.get(analyze.GENERAL)
    structure = analyze.general_structure(general)
    shares = {r.part: r.share for r in structure.itertuples(index=False)}
    if general is not None and general.total.actual:
        for name, line in general.categories.items():
            if line.actual is not None:
                shares.setdefault(name, line.actual / general.total.actual * 100)
    any_budget = any(
        a.budget is not None
        for s in spend.values()
        if s is not None
        for lines in s.items.values()
        for a in lines
    ) or any(
        line.budget is not None
        for s in spend.values()
        if s is not None
        for line in [*s.categories.values(), s.total]
    )
    return {"general": general, "shares": shares, "any_budget": any_budget, "types": spend}


def build_context(
    tables: dict[str, pd.DataFrame],
    meta: dict,
    year: int,
    *,
    previous_summary: dict | None = None,
    scoring: Any = None,
    reconciliation: list | None = None,
) -> dict:
    """Everything the report templates need for one year, computed from the processed tables.

    `previous_summary` is the previous year's summary.json (compared only for the same unit);
    `scoring` is a `selfeval.scoring.ScoreResult` or None; `reconciliation` the 数据核对 checks.
    """
    unit = analyze.unit_info(tables)
    unit_name = meta.get("unit_name") or unit.get("单位名称", "")
    source = f"{unit_name}{year}年度填报数据"
    texts = analyze.texts(tables)
    spend = analyze.spending_by_type(tables)
    acts = analyze.table(tables, "activities")
    names = {}
    listing_groups = []
    if acts is not None:
        names = {
            str(r.event_id): f"{cn_date(r.start_date)}{analyze.as_text(r.name)}"
            for r in acts.sort_values("listing_order").itertuples(index=False)
        }
        others = analyze.other_categories(acts)
        for category, rows in analyze.categories(acts):
            listing_groups.append(
                {
                    "category": category,
                    "summary": _category_line(rows),
                    "listings": [
                        _listing(r, others.get(int(r.listing_order), []), names)
                        for r in rows.itertuples(index=False)
                    ],
                }
            )
    totals = analyze.yearly_totals(acts) if acts is not None else None
    holding = analyze.holdings_growth(tables, year)
    summary = analyze.headline(tables, meta, year)
    yoy = analyze.year_on_year(summary, previous_summary)

    subsections = []
    for key, default in SUBSECTION_DEFAULTS.items():
        entry = texts.get(key, {})
        has_data = {
            "活动": bool(listing_groups),
            "服务评价": bool(analyze.satisfaction(tables)),
            "数字服务": bool(analyze.digital_services(tables)),
            "馆藏建设": holding is not None,
            "基层服务": False,
        }[key]
        if entry.get("paragraphs") or has_data or entry.get("title"):
            subsections.append({"key": key, "title": entry.get("title") or default})
    if yoy is not None:
        subsections.append({"key": "同比", "title": "主要指标与上年对比"})

    sections = list(NINE_SECTIONS)
    toc = [
        {"anchor": f"s{i}", "text": f"{cn_number(i)}、{title}"}
        for i, (_, title) in enumerate(sections, 1)
    ]
    if scoring is not None:
        toc.insert(6, {"anchor": "scoring", "text": "附表：部门整体支出绩效自评表"})
    if reconciliation is not None:
        toc.append({"anchor": "reconciliation", "text": "附录：数据核对"})

    deviations = list(getattr(scoring, "deviations", []) or []) if scoring is not None else []
    return {
        "year": year,
        "unit_name": unit_name,
        "title": REPORT_TITLE.format(unit=unit_name, year=year),
        "data_date": _data_date(meta.get("data_date")),
        "unit": unit,
        "texts": texts,
        "sections": [
            {"key": k, "title": t, "number": cn_number(i)} for i, (k, t) in enumerate(sections, 1)
        ],
        "toc": toc,
        "spending": _spending_context(spend),
        "sangong": analyze.sangong_lines(tables),
        "budget_types": analyze.BUDGET_TYPES,
        "spending_figures": _spending_figures(spend, year, source),
        "subsections": subsections,
        "categories": listing_groups,
        "totals": totals,
        "activity_figures": _activity_figures(acts, source),
        "satisfaction": analyze.satisfaction(tables),
        "digital": analyze.digital_services(tables),
        "holdings": holding,
        "holdings_figures": _holdings_figure(holding, source),
        "summary": summary,
        "yoy": None if yoy is None else yoy.to_dict("records"),
        "previous_year": year - 1,
        "scoring": scoring,
        "deviations": deviations,
        "reconciliation": None if reconciliation is None else checks_table(reconciliation),
        "scoring_view": None if scoring is None else scoring_view(scoring),
        "source": source,
    }


def _data_date(value: Any) -> str | None:
    if value is None or is_missing(value) or value == "":
        return None
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"
