"""A 主管部门's figures over 本级 and its units: numbers only, from stored results.

Inputs are typed (`figures.members`): the department's own year (本级) and each declared unit
(`MemberUnit`: its name and its year's results, or None), each read once from the stored JSON
by its `from_json`, which says which unit's file is malformed; the sums here read attributes,
not JSON keys. 02 computes them once (`selfeval.results.compute_year(units=…)`) and stores them
in the department's results.json; 03 only presents them.

The department as a whole (部门整体) is the department's own unit (本级) plus its units. Every
sum is taken only over the members whose figure is known and names the members that lack it: a
missing figure is never 0. Amounts are in 万元 like every stored figure, each sum with the
precision of its most precise part (`spending.sum_precision`); the report writes them in the
department's own 金额单位. Its stated totals, when its 单位概况 gives 「部门合计预算数」/
「部门合计执行数」 (in its 金额单位, exactly as written), are reconciled against the exact sum
over every member (decimal arithmetic, `reconcile`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from selfeval.contract import sheets as sc
from selfeval.figures.members import NONE, Figure, MemberLine, MemberType, MemberUnit, MemberYear
from selfeval.figures.spending import BASIC, BUDGET_TYPES, GENERAL, PROJECT, sum_precision
from selfeval.rules import execution_rate

#: 单位概况 items a department may state for the department as a whole (in its 金额单位).
STATED_BUDGET_ITEM = "部门合计预算数"
STATED_ACTUAL_ITEM = "部门合计执行数"
#: How the department's own unit is named where members are listed.
OWN = "本级"
#: 基本支出 groups, in the order the report states them.
GROUPS = ("人员经费", "公用经费")


@dataclass
class UnitRow:
    """One member in the department's table (本级 first, then the declared units)."""

    name: str
    built: bool
    budget: float | None
    actual: float | None
    execution_rate: float | None
    score: float | None
    grade: str | None
    flagged_checks: int | None
    own: bool = False
    budget_decimals: int | None = None
    actual_decimals: int | None = None
    #: The decimals of a 总分 the member states itself (None: the program's, two decimals).
    score_decimals: int | None = None


@dataclass
class Sum:
    """A figure summed over the members that state it; `lacking` names the others."""

    label: str
    value: float | None
    counted: list[str] = field(default_factory=list)
    lacking: list[str] = field(default_factory=list)
    decimals: int | None = None


@dataclass
class Line:
    """One spending line of the department as a whole: its 预算数 and 执行数 sums.

    `level`: 0 合计, 1 a 预算类型, 2 基本支出/项目支出 of 一般公共预算, 3 人员经费/公用经费,
    4 an economic class (工资福利支出, …) of 基本支出.
    """

    label: str
    level: int
    budget: Sum
    actual: Sum

    @property
    def rate(self) -> float | None:
        """执行率 in percent, only when 预算数 and 执行数 are summed over the same members."""
        if self.budget.counted != self.actual.counted:
            return None
        return execution_rate(self.actual.value, self.budget.value)


@dataclass
class IncomeSum:
    """One 收入 line of the department as a whole: level 0 收入合计, 1 a source (and
    上年结转结余, stated beside 收入合计), 2 a part of 财政拨款收入."""

    label: str
    level: int
    current: Sum


@dataclass
class Reconciliation:
    """A total the department states against the sum of 本级 and its units."""

    label: str
    stated: float
    computed: float | None
    difference: float | None
    ok: bool | None
    lacking: list[str] = field(default_factory=list)
    stated_decimals: int | None = None
    computed_decimals: int | None = None


@dataclass
class DepartmentFigures:
    name: str
    year: int | None
    #: 本级 and the declared units (each unit by its own name, else as declared).
    rows: list[UnitRow]
    #: 合计, each 预算类型, and 一般公共预算's 基本支出 by group and economic class, 项目支出.
    spending: list[Line]
    #: 收入合计 and each source, 本年数 summed.
    income: list[IncomeSum]
    reconciliation: list[Reconciliation]
    #: Declared units with no built year (nothing of theirs is in any sum).
    without_data: list[str]
    #: How the department states amounts (its 单位概况 金额单位).
    amount_unit: str = "万元"

    @property
    def by_type(self) -> dict[str, dict[str, Sum]]:
        """{预算类型: {"budget": Sum, "actual": Sum}}."""
        return {
            line.label: {"budget": line.budget, "actual": line.actual}
            for line in self.spending
            if line.level == 1
        }

    @property
    def total(self) -> dict[str, Sum]:
        """The department's 合计 over every 预算类型: {"budget": Sum, "actual": Sum}."""
        line = self.spending[0]
        return {"budget": line.budget, "actual": line.actual}


# ------------------------------------------------------------------------------ a member's lines


def _amount(line: MemberLine | None, measure: str) -> Figure:
    """`measure` ("budget"/"actual") of a member's spending line (none when it has no line)."""
    return NONE if line is None else line.figure(measure)


def _types(member: MemberYear | None) -> dict[str, MemberType]:
    if member is None:
        return {}
    return {t: _stated_none(e) for t, e in member.types.items()}


def _stated_none(entry: MemberType) -> MemberType:
    """A 预算类型 the unit states as none (执行数 0 and nothing spent under it, no 预算数 given),
    as its own report writes it (「本年度无…」): its 预算数 is then none too, not 未填报."""
    total = entry.total
    lines = [a for items in entry.items.values() for a in items]
    if total.actual == 0 and total.budget is None and not any(a.actual for a in lines):
        return replace(entry, total=replace(total, budget=0.0, budget_decimals=0))
    return entry


def _exact(value: float, decimals: int | None) -> Decimal:
    """A stored figure as the exact decimal its source stated: the float holds the figure
    nearest to it, so its digits rounded to the stated decimals give it back (0.1 + 0.2 is
    0.3 here, and 1,194,286.79元 stays 119.428679万元 to the last fen)."""
    exact = Decimal(repr(float(value)))
    if decimals is None:
        return exact
    return exact.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)


def _exact_sum(parts: list[Figure]) -> Decimal:
    """The sum of known figures in decimal arithmetic (money is not summed in binary)."""
    return sum((_exact(v, d) for v, d in parts if v is not None), Decimal(0))


def _overall(member: MemberYear | None, measure: str) -> Figure:
    """A member's 合计 over its 预算类型: known only when every type it states gives it."""
    parts = [_amount(e.total, measure) for e in _types(member).values()]
    if not parts or any(v is None for v, _ in parts):
        return NONE
    values = [v for v, _ in parts]
    decimals = sum_precision([d for _, d in parts], values)  # type: ignore[arg-type]
    return float(_exact_sum(parts)), decimals


def _member_lines(member: MemberYear | None) -> dict[tuple[int, str], MemberLine]:
    """A member's spending lines by (level, label), as `Line` keys them."""
    lines: dict[tuple[int, str], MemberLine] = {}
    for budget_type, entry in _types(member).items():
        lines[(1, budget_type)] = entry.total
        if budget_type != GENERAL:
            continue
        for category in (BASIC, PROJECT):
            if category in entry.categories:
                lines[(2, category)] = entry.categories[category]
        for group, line in entry.basic_groups.items():
            lines[(3, group)] = line
        for item in entry.items.get(BASIC, ()):
            if item.label and item.label not in sc.BASIC_ITEMS:  # those two are the groups
                lines[(4, item.label)] = item
    return lines


def _class_group(label: str) -> str:
    base = sc.ECONOMIC_CLASSES.get(label, label)
    return GROUPS[0] if base == sc.BASIC_ITEMS[0] else GROUPS[1]


def _line_order(keys: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """合计 first, the 预算类型 in official order; under 一般公共预算 基本支出, each group and its
    economic classes (in the order the members list them), then 项目支出."""
    present = set(keys)
    classes = [k for k in keys if k[0] == 4]
    order: list[tuple[int, str]] = []
    for budget_type in BUDGET_TYPES:
        if (1, budget_type) not in present:
            continue
        order.append((1, budget_type))
        if budget_type != GENERAL:
            continue
        if (2, BASIC) in present:
            order.append((2, BASIC))
        for group in GROUPS:
            members = [k for k in classes if _class_group(k[1]) == group]
            if (3, group) in present:
                order.append((3, group))
            order += members
        if (2, PROJECT) in present:
            order.append((2, PROJECT))
    return order


def _income_lines(member: MemberYear | None) -> dict[tuple[int, str], Figure]:
    """A member's 收入 lines by (level, label): 本年数 and its decimals."""
    income = None if member is None else member.income
    if income is None:
        return {}
    lines: dict[tuple[int, str], Figure] = {}
    if income.total is not None:
        lines[(0, sc.INCOME_TOTAL)] = income.total.figure
    for part in income.parts:
        lines[(1, part.label)] = part.figure
        for sub in part.parts:
            lines[(2, sub.label)] = sub.figure
    if income.carried_over is not None:
        lines[(1, sc.CARRIED_OVER)] = income.carried_over.figure
    return lines


# ------------------------------------------------------------------------------ the figures


def unit_row(name: str, member: MemberYear | None, own: bool = False) -> UnitRow:
    """A member's budget, execution rate, score, grade and flagged checks (None where unknown)."""
    if member is None:
        return UnitRow(name, False, None, None, None, None, None, None, own)
    (budget, budget_dec), (actual, actual_dec) = (
        _overall(member, "budget"),
        _overall(member, "actual"),
    )
    # the rate the unit's report states: its own (声明数) where given, else the program's
    rate = member.stated_rate
    if rate is None:
        rate = member.rate
    if rate is None:
        rate = execution_rate(actual, budget)
    return UnitRow(
        name,
        True,
        budget,
        actual,
        rate,
        member.score,
        member.grade or None,
        member.flagged_checks,
        own,
        budget_dec,
        actual_dec,
        member.score_decimals,
    )


def sum_over(label: str, parts: list[tuple[str, Figure]]) -> Sum:
    """`label` summed over the members whose figure is known; the others named as lacking."""
    known = [(n, v, d) for n, (v, d) in parts if v is not None]
    values = [v for _, v, _ in known]
    return Sum(
        label,
        float(_exact_sum([f for _, f in parts])) if known else None,
        [n for n, _, _ in known],
        [n for n, (v, _) in parts if v is None],
        sum_precision([d for _, _, d in known], values) if known else None,  # type: ignore[arg-type]
    )


def _stated(items: Mapping[str, str], item: str, amount_unit: str) -> tuple[Decimal, int] | None:
    """A 部门合计 item in 万元, exactly as written, with its decimals in 万元 terms (stated in
    the 金额单位: 5,150,055.30元 is 515.005530万元, 6 decimals)."""
    text = items.get(item, "").replace(",", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if amount_unit == "元":  # 1元 is 0.0001万元
        value = value.scaleb(-4)
    exponent = value.as_tuple().exponent
    return value, max(0, -exponent) if isinstance(exponent, int) else 0


def reconcile(stated: Decimal, stated_decimals: int, computed: Decimal, decimals: int) -> bool:
    """Whether a stated total agrees with the exact sum of the members' stated figures.

    Both are exact decimals; they are compared at the coarser of their two precisions (a total
    written in whole 元 against a sum to the fen is the sum rounded to the 元), so figures of
    the same precision must be equal: a difference of 0.01元 is a difference, never absorbed
    by a tolerance.
    """
    step = Decimal(1).scaleb(-min(stated_decimals, decimals))
    return stated.quantize(step, ROUND_HALF_UP) == computed.quantize(step, ROUND_HALF_UP)


def department_figures(own: MemberYear, units: list[MemberUnit]) -> DepartmentFigures:
    """本级 and its units: the members' table, spending and 收入 sums, and reconciliation."""
    amount_unit = own.amount_unit or "万元"
    members = [(OWN, own), *((u.name, u.results) for u in units)]
    own_name = own.unit_name
    rows = [unit_row(f"{own_name}（{OWN}）" if own_name else OWN, own, own=True)]
    rows += [unit_row(u.name, u.results) for u in units]

    spending = [
        Line(
            "合计",
            0,
            *(
                sum_over("合计", [(n, _overall(r, m)) for n, r in members])
                for m in ("budget", "actual")
            ),
        )
    ]
    per_member = [(n, _member_lines(r)) for n, r in members]
    keys = list(dict.fromkeys(k for _, lines in per_member for k in lines))
    for level, label in _line_order(keys):
        sums = [
            sum_over(label, [(n, _amount(lines.get((level, label)), m)) for n, lines in per_member])
            for m in ("budget", "actual")
        ]
        spending.append(Line(label, level, *sums))

    per_income = [(n, _income_lines(r)) for n, r in members]
    income_keys = list(dict.fromkeys(k for _, lines in per_income for k in lines))
    # 收入合计 first, 上年结转结余 (beside it, not part of it) last, the sources as listed
    income_keys.sort(key=lambda k: 0 if k[0] == 0 else 2 if k[1] == sc.CARRIED_OVER else 1)
    income = [
        IncomeSum(
            label,
            level,
            sum_over(label, [(n, lines.get((level, label), NONE)) for n, lines in per_income]),
        )
        for level, label in income_keys
    ]

    reconciliation = []
    for item, measure in ((STATED_BUDGET_ITEM, "budget"), (STATED_ACTUAL_ITEM, "actual")):
        stated = _stated(own.unit, item, amount_unit)
        if stated is None:
            continue
        total = spending[0].budget if measure == "budget" else spending[0].actual
        parts = [_overall(r, measure) for _, r in members]
        computed = None if total.lacking else _exact_sum(parts)
        decimals = 2 if total.decimals is None else total.decimals
        reconciliation.append(
            Reconciliation(
                item,
                float(stated[0]),
                None if computed is None else float(computed),
                None if computed is None else float(stated[0] - computed),
                None if computed is None else reconcile(*stated, computed, decimals),
                list(total.lacking),
                stated[1],
                total.decimals if computed is not None else None,
            )
        )
    return DepartmentFigures(
        name=own_name,
        year=own.year,
        rows=rows,
        spending=spending,
        income=income,
        reconciliation=reconciliation,
        without_data=[r.name for r in rows[1:] if not r.built],
        amount_unit=amount_unit,
    )
