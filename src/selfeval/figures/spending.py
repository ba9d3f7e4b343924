"""支出 and 三公经费: lines by 预算类型, category totals (stated or summed), structure, rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.common import num, table
from selfeval.rules import as_text, is_missing

BUDGET_TYPES = sc.BUDGET_TYPES
GENERAL = BUDGET_TYPES[0]
BASIC, PROJECT = sc.SPENDING_CATEGORIES
PERSONNEL, PUBLIC = sc.BASIC_ITEMS
TOTAL = sc.TOTAL_ITEM


@dataclass
class Amount:
    """One line of spending: label, budget (None = unknown) and actual in 万元."""

    label: str
    actual: float | None
    budget: float | None = None
    note: str = ""
    stated: bool = False  # the figure is a total the source stated (not our sum)
    parts_sum: float | None = None  # sum of the parts when a stated total exists
    share: float | None = None  # percent of its 预算类型's total (set by spending_by_type)

    @property
    def parts_difference(self) -> float | None:
        """Stated total − sum of its parts (rounding differences of a stated 合计)."""
        if self.actual is None or self.parts_sum is None:
            return None
        return self.actual - self.parts_sum

    @property
    def rate(self) -> float | None:
        """执行率 in percent (执行数/预算数), None when the budget is unknown or zero."""
        if self.budget is None or self.actual is None or self.budget == 0:
            return None
        return self.actual / self.budget * 100


@dataclass
class BudgetTypeSpending:
    """Spending of one 预算类型."""

    budget_type: str
    total: Amount
    categories: dict[str, Amount] = field(default_factory=dict)
    items: dict[str, list[Amount]] = field(default_factory=dict)


def _sum(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _sum_budget(amounts: list[Amount]) -> float | None:
    """Budget of several lines: known only when every line's budget is known."""
    if not amounts or any(a.budget is None for a in amounts):
        return None
    return sum(a.budget for a in amounts)  # type: ignore[misc]


def _total_line(label: str, parts: list[Amount], stated_row: Any | None) -> Amount:
    parts_actual = _sum([p.actual for p in parts])
    if stated_row is not None:
        budget = num(stated_row.budget)
        if budget is None:
            budget = _sum_budget(parts)
        return Amount(
            label,
            num(stated_row.actual),
            budget,
            as_text(stated_row.note),
            stated=True,
            parts_sum=parts_actual if parts else None,
        )
    return Amount(label, parts_actual, _sum_budget(parts))


def spending_by_type(tables: dict[str, pd.DataFrame]) -> dict[str, BudgetTypeSpending | None]:
    """For each 预算类型 in official order: its totals and lines, or None when absent."""
    spending = table(tables, "spending")
    out: dict[str, BudgetTypeSpending | None] = {bt: None for bt in BUDGET_TYPES}
    if spending is None:
        return out
    for budget_type in BUDGET_TYPES:
        rows = spending[spending["budget_type"] == budget_type]
        if rows.empty:
            continue
        result = BudgetTypeSpending(budget_type, Amount(TOTAL, None))
        category_totals: list[Amount] = []
        uncategorised: list[Amount] = []
        categories = [c for c in dict.fromkeys(rows["category"].tolist()) if not is_missing(c)]
        for category in categories:
            cat_rows = rows[rows["category"] == category]
            items = [
                Amount(as_text(r.item), num(r.actual), num(r.budget), as_text(r.note))
                for r in cat_rows.itertuples(index=False)
                if not bool(r.is_total)
            ]
            stated = [r for r in cat_rows.itertuples(index=False) if bool(r.is_total)]
            line = _total_line(category, items, stated[0] if stated else None)
            result.items[category] = items
            result.categories[category] = line
            category_totals.append(line)
        blank = rows[rows["category"].isna()]
        stated_all = [r for r in blank.itertuples(index=False) if bool(r.is_total)]
        uncategorised = [
            Amount(as_text(r.item), num(r.actual), num(r.budget), as_text(r.note))
            for r in blank.itertuples(index=False)
            if not bool(r.is_total)
        ]
        if uncategorised:
            result.items[""] = uncategorised
        result.total = _total_line(
            TOTAL, category_totals + uncategorised, stated_all[0] if stated_all else None
        )
        _set_shares(result)
        out[budget_type] = result
    return out


def _set_shares(spend: BudgetTypeSpending) -> None:
    """Each line's share of its type's total (percent), where both are known."""
    total = spend.total.actual
    if not total:
        return
    for line in [*spend.categories.values(), *(a for ls in spend.items.values() for a in ls)]:
        if line.actual is not None:
            line.share = line.actual / total * 100


@dataclass
class StructurePart:
    """One part of 一般公共预算 spending (人员, 公用, 项目, …) and its share of the total."""

    part: str
    category: str
    actual: float | None
    budget: float | None
    share: float | None


@dataclass
class BudgetLine:
    """A line with a known budget and actual, with its 执行率."""

    budget_type: str
    category: str
    label: str
    budget: float
    actual: float
    rate: float | None


def general_structure(general: BudgetTypeSpending | None) -> list[StructurePart]:
    """人员 / 公用 / 项目 (and any other lines) of 一般公共预算 with their share of the total."""
    if general is None or general.total.actual in (None, 0):
        return []
    rows: list[tuple[str, str, float | None, float | None]] = []
    for category, line in general.categories.items():
        items = general.items.get(category, [])
        if category == BASIC and items:
            rows.extend((i.label, category, i.actual, i.budget) for i in items)
        else:
            rows.append((category, category, line.actual, line.budget))
    rows.extend((i.label, "", i.actual, i.budget) for i in general.items.get("", []))
    total = general.total.actual
    seen: set[tuple[str, str]] = set()
    parts = []
    for part, category, actual, budget in rows:
        if (part, category) in seen:
            continue
        seen.add((part, category))
        share = None if actual is None else actual / total * 100
        parts.append(StructurePart(part, category, actual, budget, share))
    return parts


def budget_lines(spending_types: dict[str, BudgetTypeSpending | None]) -> list[BudgetLine]:
    """Every line with a known budget: label, budget, actual, rate (percent)."""
    rows = []
    for bt, spend in spending_types.items():
        if spend is None:
            continue
        for category, items in spend.items.items():
            for item in items:
                if item.budget is not None and item.actual is not None:
                    rows.append(
                        BudgetLine(bt, category, item.label, item.budget, item.actual, item.rate)
                    )
            line = spend.categories.get(category)
            if line is not None and line.budget is not None and line.actual is not None:
                rows.append(
                    BudgetLine(bt, category, f"{category}小计", line.budget, line.actual, line.rate)
                )
    return rows


def sangong_lines(tables: dict[str, pd.DataFrame]) -> list[Amount]:
    """三公经费 items as stated, or an empty list when the year lacks the sheet."""
    sangong = table(tables, "sangong")
    if sangong is None:
        return []
    return [
        Amount(as_text(r.item), num(r.actual), num(r.budget))
        for r in sangong.itertuples(index=False)
    ]


@dataclass
class Spending:
    """The spending figures of a year: each 预算类型, the structure and lines of the report."""

    types: dict[str, BudgetTypeSpending | None]
    structure: list[StructurePart]
    lines: list[BudgetLine]
    #: Share (percent) of each 一般公共预算 part and category in the sentence of section 二.
    shares: dict[str, float | None]
    any_budget: bool
    sangong: list[Amount]
    #: 三公经费 over the items that state an 执行数.
    sangong_total: float = 0


def spending_figures(tables: dict[str, pd.DataFrame]) -> Spending:
    """Everything the report states about spending, computed once."""
    types = spending_by_type(tables)
    general = types.get(GENERAL)
    structure = general_structure(general)
    shares: dict[str, float | None] = {p.part: p.share for p in structure}
    if general is not None and general.total.actual:
        for name, line in general.categories.items():
            if line.actual is not None:
                shares.setdefault(name, line.actual / general.total.actual * 100)
    known = [s for s in types.values() if s is not None]
    any_budget = any(a.budget is not None for s in known for ls in s.items.values() for a in ls)
    any_budget = any_budget or any(
        line.budget is not None for s in known for line in [*s.categories.values(), s.total]
    )
    sangong = sangong_lines(tables)
    sangong_total: float = 0
    for line in sangong:
        if line.actual is not None:
            sangong_total = sangong_total + line.actual
    lines = budget_lines(types)
    return Spending(types, structure, lines, shares, any_budget, sangong, sangong_total)
