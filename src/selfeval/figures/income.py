"""收入: 收入合计 and its sources, their shares, and the change against the previous year.

The previous year's figure of a line is that line's 本年数 in the previous year's processed data
(the same unit's) when that year was built, else the sheet's own 上年数; 数据核对 flags the two
when both exist and differ (`selfeval.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.common import num, row_source, table
from selfeval.rules import as_text, is_missing


@dataclass
class IncomeLine:
    """One 收入 line in 万元 (None: not given)."""

    label: str
    current: float | None
    previous: float | None = None
    current_decimals: int | None = None
    previous_decimals: int | None = None
    note: str = ""
    #: Percent of 收入合计's 本年数 (parts of 收入合计, and 财政拨款收入's own parts).
    share: float | None = None
    #: Where `previous` comes from: 上年数 (this sheet), 上年数据 (last year's data) or "".
    previous_source: str = ""
    parts: list[IncomeLine] = field(default_factory=list)
    source: str = ""  # the input row, for the 审核底稿

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def change_rate(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return self.change / self.previous * 100


@dataclass
class Income:
    """The 收入 figures: 收入合计 (stated, or summed when the lines are known to be all its parts,
    `_all_parts`; else None), its parts in sheet order, and 上年结转结余 beside it."""

    total: IncomeLine | None
    parts: list[IncomeLine]
    carried_over: IncomeLine | None = None
    total_stated: bool = True


def _dec(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _line(r: Any, previous: dict[str, float]) -> IncomeLine:
    line = IncomeLine(
        as_text(r.item),
        num(r.current),
        num(r.previous),
        _dec(r.current_decimals),
        _dec(r.previous_decimals),
        as_text(r.note),
        source=row_source(r),
    )
    if line.label in previous:  # the previous year's own data comes first
        line.previous, line.previous_source = previous[line.label], "上年数据"
    elif line.previous is not None:
        line.previous_source = "上年数"
    return line


def _all_parts(by_label: dict[str, IncomeLine], parts: list[IncomeLine]) -> bool:
    """Whether the lines are known to be every part of 收入合计 (`contract.sheets.INCOME_SOURCES`,
    each given, 0 included, and every other line given): only then is their sum a total. A
    single 业务收入 line is one source among others the unit did not list, not 100% of it."""
    listed = all(
        by_label.get(source) is not None and by_label[source].current is not None
        for source in sc.INCOME_SOURCES
    )
    return listed and all(p.current is not None for p in parts)


def income_figures(
    tables: dict[str, pd.DataFrame], previous_tables: dict[str, pd.DataFrame] | None = None
) -> Income | None:
    """The year's 收入, or None when the year has no 收入 sheet."""
    frame = table(tables, "income")
    if frame is None:
        return None
    before = table(previous_tables or {}, "income")
    previous = {}
    if before is not None:
        previous = {
            as_text(r.item): float(r.current)
            for r in before.itertuples(index=False)
            if not is_missing(r.current)
        }
    lines = [_line(r, previous) for r in frame.itertuples(index=False)]
    by_label = {line.label: line for line in lines}
    total = by_label.get(sc.INCOME_TOTAL)
    carried = by_label.get(sc.CARRIED_OVER)
    excluded = {sc.INCOME_TOTAL, sc.CARRIED_OVER, *sc.FISCAL_PARTS}
    parts = [line for line in lines if line.label not in excluded]
    fiscal = by_label.get(sc.FISCAL_INCOME)
    if fiscal is not None:
        fiscal.parts = [by_label[p] for p in sc.FISCAL_PARTS if p in by_label]
    stated = total is not None
    if total is None and _all_parts(by_label, parts):
        total = IncomeLine(sc.INCOME_TOTAL, sum(p.current for p in parts))  # type: ignore[misc]
        # a part stated as 0 is exact whatever its digits
        decimals = [
            p.current_decimals for p in parts if p.current_decimals is not None and p.current != 0
        ]
        total.current_decimals = max(decimals) if decimals else None  # exact figures
    if total is not None and total.current:
        for line in [*parts, *(fiscal.parts if fiscal else [])]:
            if line.current is not None:
                line.share = line.current / total.current * 100
    return Income(total, parts, carried, stated)
