"""The figures of a year, computed once from its processed tables (`compute_figures`): what the
report states, as numbers; headline figures (summary.json) and the year-on-year comparison."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from selfeval.figures.activities import Activities, Total, activity_figures
from selfeval.figures.common import table
from selfeval.figures.holdings import Holdings, holdings_growth
from selfeval.figures.income import Income, income_figures
from selfeval.figures.services import digital_services, satisfaction
from selfeval.figures.spending import (
    BASIC,
    GENERAL,
    PROJECT,
    Spending,
    spending_figures,
    sum_precision,
)
from selfeval.figures.tasks import AnnualTasks, annual_tasks
from selfeval.figures.texts import texts, unit_info
from selfeval.figures.typos import Typo, table_typos

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

    def qualifier_of(t: Total | None) -> str | None:
        """An approximate sum's qualifier (约, 余), so that the 同比 states it as the text does
        (23000余, never 23400); None for an exact or unknown sum."""
        return t.qualifier or None if t is not None and t.known_parts else None

    def cat(name: str) -> float | None:
        line = general.categories.get(name) if general else None
        return None if line is None else line.actual

    return {
        "year": year,
        "unit_name": unit_name,
        "data_date": data_date,
        "total_spending": general.total.actual if general else None,
        "total_spending_decimals": general.total.actual_decimals if general else None,
        "basic_spending": cat(BASIC),
        "project_spending": cat(PROJECT),
        "events": totals.events if totals else None,
        "sessions": total_of(totals.sessions) if totals else None,
        "participants_offline": total_of(totals.offline) if totals else None,
        "participants_offline_qualifier": qualifier_of(totals.offline) if totals else None,
        "participants_online": total_of(totals.online) if totals else None,
        "participants_online_qualifier": qualifier_of(totals.online) if totals else None,
        "books": total_of(totals.books) if totals else None,
        "books_qualifier": qualifier_of(totals.books) if totals else None,
        "materials": total_of(totals.materials) if totals else None,
        "holdings": holdings.holdings if holdings else None,
        "satisfaction": surveys[0]["rate"] if surveys and surveys[0]["rate"] is not None else None,
    }


#: Headline figures compared year on year, with their Chinese label and unit. Not the number of
#: distinct activities (活动项数): whether two listings are sessions of one programme the data
#: cannot say, so the report adds up 场次, never 项 (issue #30), this comparison included.
YOY_FIGURES = (
    ("total_income", "收入合计", "万元"),
    ("total_spending", "一般公共预算支出", "万元"),
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
    #: Where the previous figure comes from: 上年数据 (last year's processed data) or 上年数
    #: (this year's sheet states it).
    source: str = "上年数据"
    #: The decimals each figure was stated with (an amount's, in 万元 terms; a count's 0; None:
    #: unknown, e.g. a summary.json written before they were recorded), so that 120.5 stays
    #: 120.5 and 759 stays 759 in the comparison.
    previous_decimals: int | None = None
    current_decimals: int | None = None
    #: The qualifier of an approximate sum (约, 余; "" exact): stated as the text states it.
    previous_qualifier: str = ""
    current_qualifier: str = ""

    @property
    def approximate(self) -> bool:
        """Whether either figure is an approximate sum: its change is approximate too."""
        return bool(self.previous_qualifier or self.current_qualifier)

    @property
    def change_decimals(self) -> int | None:
        """The precision of 增减, the one rule of a sum of exact figures (`sum_precision`: its
        most precise part's; a stated 0 carries no digits): 120.5 − 100 is 20.5, 120.5 − 100.25
        is 20.25. Unknown when either figure's precision is."""
        if self.previous_decimals is None or self.current_decimals is None:
            return None
        return sum_precision(
            [self.previous_decimals, self.current_decimals], [self.previous, self.current]
        )


def _decimals(figures: dict, key: str, unit: str) -> int | None:
    """The stated precision of a headline figure: a count is whole; an amount's is recorded
    beside it as `<key>_decimals` (absent from older summaries: unknown)."""
    if unit != "万元":
        return 0
    value = figures.get(f"{key}_decimals")
    return None if value is None else int(value)


def year_on_year(
    current: dict, previous: dict | None, stated_previous: dict | None = None
) -> list[YoyRow] | None:
    """Changes of the headline figures against the previous year of the same unit, or None.

    A figure's previous value is last year's summary when that year of the same unit was built,
    else what this year's sheets state as 上年数 / 上年执行数 (`stated_previous`, its
    precision as `<key>_decimals` beside it, as in the summary).
    """
    comparable = bool(
        previous
        and previous.get("unit_name") == current.get("unit_name")
        and int(previous.get("year", 0)) == int(current["year"]) - 1
    )
    rows = []
    for key, label, unit in YOY_FIGURES:
        now = current.get(key)
        before, source = (previous or {}).get(key) if comparable else None, "上年数据"
        origin = previous or {}
        if before is None and (stated_previous or {}).get(key) is not None:
            before, source, origin = stated_previous[key], "上年数", stated_previous
        if now is None or before is None:
            continue
        change = now - before
        pct = change / before * 100 if before else None
        decimals = (_decimals(origin, key, unit), _decimals(current, key, unit))
        qualifiers = (origin.get(f"{key}_qualifier") or "", current.get(f"{key}_qualifier") or "")
        rows.append(
            YoyRow(key, label, unit, before, now, change, pct, source, *decimals, *qualifiers)
        )
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
    income: Income | None = None
    #: What this year's sheets state of the previous year (上年数, 上年执行数), by headline key,
    #: each amount's stated decimals beside it (`<key>_decimals`).
    stated_previous: dict[str, float | None] = field(default_factory=dict)
    #: How the report states amounts: 万元 (default) or 元 (单位概况 金额单位).
    amount_unit: str = "万元"
    #: The approved 申报表's 年度主要任务 (None: the year has no 申报表 that lists them).
    tasks: AnnualTasks | None = None
    #: Suspected typos in the unit's text, for the 审核底稿 (the 报送稿 keeps its words).
    typos: list[Typo] = field(default_factory=list)


def compute_figures(
    tables: dict[str, pd.DataFrame],
    meta: dict,
    year: int,
    previous_tables: dict[str, pd.DataFrame] | None = None,
) -> YearFigures:
    """The figures of one year from its processed tables and meta.json (and, for the previous
    year's 收入 where this year's sheet states no 上年数, last year's tables)."""
    unit = unit_info(tables)
    spending = spending_figures(tables)
    income = income_figures(tables, previous_tables)
    activities = activity_figures(table(tables, "activities"), table(tables, "stated"))
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
    total_income = income.total if income and income.total else None
    summary["total_income"] = total_income.current if total_income else None
    summary["total_income_decimals"] = total_income.current_decimals if total_income else None
    general = spending.types.get(GENERAL)
    stated_previous = {
        "total_spending": general.total.previous_actual if general else None,
        "total_spending_decimals": general.total.previous_decimals if general else None,
        "total_income": total_income.previous if total_income else None,
        "total_income_decimals": total_income.previous_decimals if total_income else None,
    }
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
        income=income,
        stated_previous=stated_previous,
        amount_unit=unit.get("金额单位") or "万元",
        tasks=annual_tasks(tables),
        typos=table_typos(tables),
    )
