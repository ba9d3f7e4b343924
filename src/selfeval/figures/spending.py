"""支出 and 三公经费: lines by 预算类型, category totals (stated or summed), structure, rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.common import num, row_source, table
from selfeval.rules import as_text, execution_rate, is_missing

BUDGET_TYPES = sc.BUDGET_TYPES
GENERAL = BUDGET_TYPES[0]
BASIC, PROJECT = sc.SPENDING_CATEGORIES
PERSONNEL, PUBLIC = sc.BASIC_ITEMS
TOTAL = sc.TOTAL_ITEM


@dataclass
class Amount:
    """One line of spending in 万元: each figure None when not given (never 0 for unknown).

    `decimals` fields keep the precision the source stated (in 万元 terms), so that the report
    never states more digits than the source has; `missing_*` name the parts a sum had to leave
    out because they were not given, so that a total over them says so.
    """

    label: str
    actual: float | None
    budget: float | None = None
    note: str = ""
    stated: bool = False  # the figure is a total the source stated (not our sum)
    parts_sum: float | None = None  # sum of the parts when a stated total exists
    share: float | None = None  # percent of its 预算类型's total (set by spending_by_type)
    original_budget: float | None = None  # 年初预算数
    previous_actual: float | None = None  # 上年执行数
    actual_decimals: int | None = None
    budget_decimals: int | None = None
    original_decimals: int | None = None
    previous_decimals: int | None = None
    missing_actual: list[str] = field(default_factory=list)
    missing_budget: list[str] = field(default_factory=list)
    #: 基本支出 items: 人员经费 or 公用经费 (economic classes grouped as the report needs them).
    group: str = ""
    #: A project broken down by use (所属项目 rows).
    uses: list[Amount] = field(default_factory=list)
    #: Where a figure given by one input row comes from (「支出.csv 第2行」), for the 审核底稿;
    #: empty for a sum the program made.
    source: str = ""

    @property
    def parts_difference(self) -> float | None:
        """Stated total − sum of its parts (rounding differences of a stated 合计)."""
        if self.actual is None or self.parts_sum is None:
            return None
        return self.actual - self.parts_sum

    @property
    def rate(self) -> float | None:
        """执行率 in percent (执行数/全年预算数), by the one rule (`rules.execution_rate`)."""
        return execution_rate(self.actual, self.budget)

    @property
    def adjustment(self) -> float | None:
        """预算调整: 全年预算数 − 年初预算数."""
        if self.budget is None or self.original_budget is None:
            return None
        return self.budget - self.original_budget

    @property
    def adjustment_rate(self) -> float | None:
        """预算调整率 in percent of 年初预算数."""
        if self.adjustment is None or not self.original_budget:
            return None
        return self.adjustment / self.original_budget * 100

    @property
    def original_difference(self) -> float | None:
        """执行数 − 年初预算数 (stated by units that give no 全年预算数)."""
        if self.actual is None or self.original_budget is None:
            return None
        return self.actual - self.original_budget

    @property
    def original_difference_rate(self) -> float | None:
        """差异率 in percent: (执行数 − 年初预算数) / 年初预算数."""
        if self.original_difference is None or not self.original_budget:
            return None
        return self.original_difference / self.original_budget * 100


@dataclass
class BudgetTypeSpending:
    """Spending of one 预算类型."""

    budget_type: str
    total: Amount
    categories: dict[str, Amount] = field(default_factory=dict)
    items: dict[str, list[Amount]] = field(default_factory=dict)
    #: 基本支出 as 人员经费 / 公用经费 when its items are economic classes (or the two items).
    basic_groups: dict[str, Amount] = field(default_factory=dict)


def _dec(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _amount(r: Any, label: str | None = None) -> Amount:
    return Amount(
        label if label is not None else as_text(r.item),
        num(r.actual),
        num(r.budget),
        as_text(getattr(r, "note", None)),
        original_budget=num(getattr(r, "original_budget", None)),
        previous_actual=num(getattr(r, "previous_actual", None)),
        actual_decimals=_dec(r.actual_decimals),
        budget_decimals=_dec(r.budget_decimals),
        original_decimals=_dec(getattr(r, "original_budget_decimals", None)),
        previous_decimals=_dec(getattr(r, "previous_actual_decimals", None)),
        source=row_source(r),
    )


def sum_precision(
    values: list[int | None], amounts: list[float | None] | None = None
) -> int | None:
    """The precision of a sum of exact figures: that of its most precise part (50.6 + 65.12 is
    115.72, not 115.7). A part stated as 0 carries no digits of its own, unless every part is 0
    (0 + 0 is written as the source wrote its zeros: 0万元, not 0.00万元)."""
    if amounts is not None and any(a not in (0, None) for a in amounts):
        values = [v for v, a in zip(values, amounts, strict=True) if a != 0]
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _sum_all(amounts: list[Amount], name: str) -> float | None:
    """Sum of a field over several lines: known only when every line gives it."""
    values = [getattr(a, name) for a in amounts]
    if not amounts or any(v is None for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def _summed(label: str, parts: list[Amount]) -> Amount:
    """A line that the source does not state, summed over its parts (the known ones for 执行数,
    naming the others)."""
    known = [p for p in parts if p.actual is not None]
    line = Amount(
        label,
        sum(p.actual for p in known) if known else None,  # type: ignore[misc]
        _sum_all(parts, "budget"),
        original_budget=_sum_all(parts, "original_budget"),
        previous_actual=_sum_all(parts, "previous_actual"),
        actual_decimals=sum_precision(
            [p.actual_decimals for p in known], [p.actual for p in known]
        ),
        budget_decimals=sum_precision(
            [p.budget_decimals for p in parts], [p.budget for p in parts]
        ),
        original_decimals=sum_precision(
            [p.original_decimals for p in parts], [p.original_budget for p in parts]
        ),
        previous_decimals=sum_precision(
            [p.previous_decimals for p in parts], [p.previous_actual for p in parts]
        ),
    )
    line.missing_actual = [p.label for p in parts if p.actual is None]
    line.missing_budget = [p.label for p in parts if p.budget is None]
    return line


def _total_line(label: str, parts: list[Amount], stated_row: Any | None) -> Amount:
    summed = _summed(label, parts)
    if stated_row is None:
        return summed
    line = _amount(stated_row, label)
    line.stated = True
    # A partial sum would misstate the parts: compare only when every part gives its 执行数.
    line.parts_sum = summed.actual if parts and not summed.missing_actual else None
    for name in ("budget", "original_budget", "previous_actual"):
        if getattr(line, name) is None:
            setattr(line, name, getattr(summed, name))
    if line.budget_decimals is None:
        line.budget_decimals = summed.budget_decimals
    if line.original_decimals is None:
        line.original_decimals = summed.original_decimals
    if line.previous_decimals is None:
        line.previous_decimals = summed.previous_decimals
    return line


def _group_of(item: str) -> str:
    base = sc.ECONOMIC_CLASSES.get(item, item)
    return "人员经费" if base == PERSONNEL else "公用经费"


def _basic_groups(items: list[Amount]) -> dict[str, Amount]:
    for item in items:
        item.group = _group_of(item.label)
    out = {}
    for group in ("人员经费", "公用经费"):
        members = [i for i in items if i.group == group]
        if members:
            out[group] = _summed(group, members)
    return out


def _category_items(cat_rows: pd.DataFrame) -> list[Amount]:
    """The category's lines; a project's uses (所属项目) hang under the project's line."""
    items = []
    uses: dict[str, list[Amount]] = {}
    has_project = "project" in cat_rows.columns
    for r in cat_rows.itertuples(index=False):
        if bool(r.is_total):
            continue
        project = as_text(getattr(r, "project", None)) if has_project else ""
        if project:
            uses.setdefault(project, []).append(_amount(r))
        else:
            items.append(_amount(r))
    for item in items:
        item.uses = uses.get(item.label, [])
    return items


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
        categories = [c for c in dict.fromkeys(rows["category"].tolist()) if not is_missing(c)]
        for category in categories:
            cat_rows = rows[rows["category"] == category]
            items = _category_items(cat_rows)
            stated = [r for r in cat_rows.itertuples(index=False) if bool(r.is_total)]
            line = _total_line(category, items, stated[0] if stated else None)
            result.items[category] = items
            result.categories[category] = line
            category_totals.append(line)
            if category == BASIC and items:
                result.basic_groups = _basic_groups(items)
        blank = rows[rows["category"].isna()]
        stated_all = [r for r in blank.itertuples(index=False) if bool(r.is_total)]
        uncategorised = _category_items(blank)
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
    return [_amount(r) for r in sangong.itertuples(index=False)]


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
    #: 三公经费 summed over its items (None when the year has no 三公经费 sheet).
    sangong_total: Amount | None = None
    #: Whether any line states a 年初预算数.
    any_original: bool = False


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
    any_original = any(
        line.original_budget is not None
        for s in known
        for line in [*s.categories.values(), s.total, *(a for ls in s.items.values() for a in ls)]
    )
    return Spending(
        types,
        structure,
        budget_lines(types),
        shares,
        any_budget,
        sangong,
        _summed("“三公”经费", sangong) if sangong else None,
        any_original,
    )
