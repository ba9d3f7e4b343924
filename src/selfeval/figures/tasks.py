"""The year's 年度主要任务 as the approved 申报表 states them, with their 预算金额 and total.

The report states them beside the approved targets (what the money was meant for); the 审核底稿
names each task's cell of the form. The total is computed here, not in a block (blocks never
sum), and only when every task states its amount: a total over some of them would read as the
whole."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from selfeval.figures.common import num, row_source, table
from selfeval.rules import as_text


@dataclass(frozen=True)
class AnnualTask:
    """One 年度主要任务: name, content, 预算金额 in 万元 (None: not given) and its input cell."""

    name: str
    content: str
    amount: float | None
    amount_decimals: int | None
    source: str


@dataclass(frozen=True)
class AnnualTasks:
    items: list[AnnualTask] = field(default_factory=list)
    #: The sum of every task's 预算金额 (None unless each states one).
    total: float | None = None
    total_decimals: int | None = None


def annual_tasks(tables: dict[str, pd.DataFrame]) -> AnnualTasks | None:
    """The processed ``tasks`` table as figures; None when the year has none."""
    frame = table(tables, "tasks")
    if frame is None:
        return None
    items = [
        AnnualTask(
            name=as_text(r.name),
            content=as_text(r.content),
            amount=num(r.amount),
            amount_decimals=None if num(r.amount_decimals) is None else int(r.amount_decimals),
            source=row_source(r),
        )
        for r in frame.itertuples(index=False)
    ]
    if not items or any(t.amount is None for t in items):
        return AnnualTasks(items)
    decimals = max((t.amount_decimals or 0) for t in items)
    total = round(sum(t.amount for t in items if t.amount is not None), decimals)
    return AnnualTasks(items, total, decimals)
