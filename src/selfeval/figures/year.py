"""The figures of a year, computed once from its processed tables (`compute_figures`): what the
report states, as numbers; headline figures (summary.json) and the year-on-year comparison."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from selfeval.figures.activities import Activities, Total, activity_figures
from selfeval.figures.common import table
from selfeval.figures.holdings import Holdings, holdings_growth
from selfeval.figures.services import digital_services, satisfaction
from selfeval.figures.spending import (
    BASIC,
    GENERAL,
    PROJECT,
    Spending,
    spending_figures,
)
from selfeval.figures.texts import texts, unit_info

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


def headline(
    year: int,
    unit_name: str | None,
    data_date: str | None,
    spending: Spending,
    activities: Activities,
    holdings: Holdings | None,
    surveys: list[dict],
) -> dict:
    """Headline figures of one year for summary.json (null where the data lacks them)."""
    general = spending.types.get(GENERAL)
    totals = activities.totals

    def total_of(t: Total | None) -> int | None:
        return t.value if t is not None and t.known_parts else None

    def cat(name: str) -> float | None:
        line = general.categories.get(name) if general else None
        return None if line is None else line.actual

    return {
        "year": year,
        "unit_name": unit_name,
        "data_date": data_date,
        "total_spending": general.total.actual if general else None,
        "basic_spending": cat(BASIC),
        "project_spending": cat(PROJECT),
        "events": totals.events if totals else None,
        "sessions": total_of(totals.sessions) if totals else None,
        "participants_offline": total_of(totals.offline) if totals else None,
        "participants_online": total_of(totals.online) if totals else None,
        "books": total_of(totals.books) if totals else None,
        "materials": total_of(totals.materials) if totals else None,
        "holdings": holdings.holdings if holdings else None,
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


@dataclass
class YoyRow:
    """A headline figure this year against the previous year of the same unit."""

    key: str
    label: str
    unit: str
    previous: float
    current: float
    change: float
    change_pct: float | None


def year_on_year(current: dict, previous: dict | None) -> list[YoyRow] | None:
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
        rows.append(YoyRow(key, label, unit, before, now, change, pct))
    return rows or None


@dataclass
class YearFigures:
    """Everything the report of a year states, as numbers (stored as figures.json by 02)."""

    year: int
    unit_name: str
    data_date: str | None
    unit: dict[str, str]
    texts: dict[str, dict]
    spending: Spending
    activities: Activities
    holdings: Holdings | None
    satisfaction: list[dict]
    digital: list[dict]
    summary: dict


def compute_figures(tables: dict[str, pd.DataFrame], meta: dict, year: int) -> YearFigures:
    """The figures of one year from its processed tables and meta.json."""
    unit = unit_info(tables)
    spending = spending_figures(tables)
    activities = activity_figures(table(tables, "activities"))
    holdings = holdings_growth(tables, year)
    surveys = satisfaction(tables)
    summary = headline(
        year,
        meta.get("unit_name") or unit.get("单位名称"),
        meta.get("data_date"),
        spending,
        activities,
        holdings,
        surveys,
    )
    return YearFigures(
        year=year,
        unit_name=meta.get("unit_name") or unit.get("单位名称", ""),
        data_date=meta.get("data_date") or None,
        unit=unit,
        texts=texts(tables),
        spending=spending,
        activities=activities,
        holdings=holdings,
        satisfaction=surveys,
        digital=digital_services(tables),
        summary=summary,
    )
