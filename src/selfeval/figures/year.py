"""Headline figures of a year (summary.json) and the year-on-year comparison."""

from __future__ import annotations

import pandas as pd

from selfeval.figures.activities import Total, yearly_totals
from selfeval.figures.common import table
from selfeval.figures.holdings import holdings_growth
from selfeval.figures.services import satisfaction
from selfeval.figures.spending import BASIC, GENERAL, PROJECT, spending_by_type
from selfeval.figures.texts import unit_info

SUMMARY_KEYS = (
    "total_spending",
    "basic_spending",
    "project_spending",
    "events",
    "sessions",
    "participants_offline",
    "participants_online",
    "books",
    "materials",
    "holdings",
    "satisfaction",
)


def headline(tables: dict[str, pd.DataFrame], meta: dict, year: int) -> dict:
    """Headline figures of one year for summary.json (null where the data lacks them)."""
    spend = spending_by_type(tables)
    general = spend.get(GENERAL)
    acts = table(tables, "activities")
    totals = yearly_totals(acts) if acts is not None else None
    holding = holdings_growth(tables, year)
    surveys = satisfaction(tables)

    def total_of(t: Total | None) -> int | None:
        return t.value if t is not None and t.known_parts else None

    def cat(name: str) -> float | None:
        line = general.categories.get(name) if general else None
        return None if line is None else line.actual

    return {
        "year": year,
        "unit_name": meta.get("unit_name") or unit_info(tables).get("单位名称"),
        "data_date": meta.get("data_date"),
        "total_spending": general.total.actual if general else None,
        "basic_spending": cat(BASIC),
        "project_spending": cat(PROJECT),
        "events": totals.events if totals else None,
        "sessions": total_of(totals.sessions) if totals else None,
        "participants_offline": total_of(totals.offline) if totals else None,
        "participants_online": total_of(totals.online) if totals else None,
        "books": total_of(totals.books) if totals else None,
        "materials": total_of(totals.materials) if totals else None,
        "holdings": holding.holdings if holding else None,
        "satisfaction": surveys[0]["rate"] if surveys and surveys[0]["rate"] is not None else None,
    }


#: Headline figures compared year on year, with their Chinese label and unit.
YOY_FIGURES = (
    ("total_spending", "一般公共预算支出", "万元"),
    ("events", "活动项数", "项"),
    ("sessions", "活动场次", "场"),
    ("participants_offline", "线下参与", "人次"),
    ("participants_online", "线上参与", "人次"),
    ("books", "赠书", "册"),
    ("holdings", "年末馆藏", "册"),
)


def year_on_year(current: dict, previous: dict | None) -> pd.DataFrame | None:
    """Changes of the headline figures against the previous year of the same unit, or None."""
    if not previous or previous.get("unit_name") != current.get("unit_name"):
        return None
    if int(previous.get("year", 0)) != int(current["year"]) - 1:
        return None
    rows = []
    for key, label, unit in YOY_FIGURES:
        now, before = current.get(key), previous.get(key)
        if now is None or before is None:
            continue
        change = now - before
        pct = change / before * 100 if before else None
        rows.append((key, label, unit, before, now, change, pct))
    if not rows:
        return None
    return pd.DataFrame(
        rows, columns=["key", "label", "unit", "previous", "current", "change", "change_pct"]
    )
