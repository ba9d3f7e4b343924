"""馆藏: year-end holdings, the increase of the year, average and compound growth."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from selfeval.contract.sheets import HOLDINGS_GROWTH_KEY
from selfeval.figures.common import row_source, table
from selfeval.rules import as_text, is_missing


@dataclass
class YearHoldings:
    """Year-end holdings of one year."""

    year: int
    holdings: int


@dataclass
class Holdings:
    """Year-end holdings and growth over the years known."""

    year: int
    holdings: int
    added: int | None
    first_year: int | None
    first_holdings: int | None
    average_increase: float | None  # per year between the first known year and this one
    compound_growth: float | None  # percent per year
    series: list[YearHoldings]
    notes: dict[int, str] = field(default_factory=dict)  # 说明 of each year that has one
    increase: int | None = None  # holdings − first_holdings, over the years known
    #: The yearly growth the unit itself states (声明数 「馆藏年均增长」): the report keeps the
    #: unit's figure; the computed average and the question about it are the 审核底稿's.
    stated_average: float | None = None
    #: The input row of each year's holdings, for the 审核底稿.
    sources: dict[int, str] = field(default_factory=dict)


def holdings_growth(tables: dict[str, pd.DataFrame], year: int) -> Holdings | None:
    """Holdings of `year` with its increase and the average / compound growth, or None."""
    frame = table(tables, "holdings")
    if frame is None:
        return None
    frame = frame[frame["year"] <= year].sort_values("year").reset_index(drop=True)
    current = frame[frame["year"] == year]
    if current.empty:
        return None
    row = current.iloc[-1]
    holdings = int(row["holdings"])
    added = None if is_missing(row.get("added")) else int(row["added"])
    previous = frame[frame["year"] == year - 1]
    if added is None and not previous.empty:
        added = holdings - int(previous.iloc[-1]["holdings"])
    first = frame.iloc[0]
    first_year, first_holdings = int(first["year"]), int(first["holdings"])
    average = compound = None
    span = year - first_year
    if span > 0:
        average = (holdings - first_holdings) / span
        if first_holdings > 0:
            compound = ((holdings / first_holdings) ** (1 / span) - 1) * 100
    series = [YearHoldings(int(r.year), int(r.holdings)) for r in frame.itertuples(index=False)]
    return Holdings(
        year,
        holdings,
        added,
        first_year if span > 0 else None,
        first_holdings if span > 0 else None,
        average,
        compound,
        series,
        {int(r.year): as_text(r.note) for r in frame.itertuples(index=False) if as_text(r.note)},
        holdings - first_holdings if span > 0 else None,
        _stated_average(tables),
        {int(r.year): row_source(r) for r in frame.itertuples(index=False)},
    )


def _stated_average(tables: dict[str, pd.DataFrame]) -> float | None:
    stated = table(tables, "stated")
    if stated is None or stated.empty:
        return None
    claims = stated[stated["indicator"].astype(str).str.strip() == HOLDINGS_GROWTH_KEY]
    if claims.empty or is_missing(claims.iloc[0]["value"]):
        return None
    return float(claims.iloc[0]["value"])
