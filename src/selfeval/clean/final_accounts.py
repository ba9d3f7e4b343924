"""The unit's published 决算 tables as the year's 收入, 支出 and 三公经费: their figures read in
each table's 金额单位, checked against each other before anything is written, and fed into the
tables the clerk would otherwise type (`selfeval.read.published.final_accounts` says which cell
holds which figure).

Where the unit also fills 收入, 支出 or 三公经费 itself, its own sheet stays the source and every
figure the two state differently is a warning naming both cells (the clerk may have typed the
figures before the 决算 was final). Where it does not, the 决算's figures are the sheet: every row
keeps its cell (``src_cell``) and heading with 栏次 (``src_column``) for the 审核底稿.

A check that fails is an input problem naming both cells; checks that pass are recorded for
数据核对. The rounding tolerance is half a unit of the last stated digit (`rules.half_unit`),
as for the unit's own totals (`selfeval.clean.totals`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from selfeval.clean import income, spending
from selfeval.clean.binder import Context, frame
from selfeval.clean.values import norm_key, parse_amount, parse_number
from selfeval.contract import sheets as sc
from selfeval.errors import ParseError, problem
from selfeval.read import BadCell, RawInput
from selfeval.read.published.final_accounts import (
    KIND,
    TABLE_NAMES,
    Cell,
    FinalAccounts,
    Line,
    Table,
    read_final_accounts,
)
from selfeval.rules import half_unit, money_str

#: A figure that is 10,000 times another (or a 10,000th of it) is the same figure in 元 and 万元.
UNIT_FACTOR = 10_000
_FACTOR_SLACK = 0.01
_FISCAL_INCOME_ROWS = (
    ("一般公共预算财政拨款收入", "一般公共预算财政拨款"),
    ("政府性基金预算财政拨款收入", "政府性基金预算财政拨款"),
    ("国有资本经营预算财政拨款收入", "国有资本经营预算财政拨款"),
)
#: 表1's income lines that are also columns of 表2 (its 合计 row).
_SOURCES = ("上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
#: 表6's economic classes (3-digit 经济分类 codes) that the contract does not name.
_OTHER_CLASS = "其他{}"
#: The classes the contract names, by their 经济分类 code: a row coded 303 is 对个人和家庭的补助
#: (人员) whatever its label says (「对个人和家庭补助」), not an 其他 class counted as 公用.
_CLASS_CODES = {
    "301": "工资福利支出",
    "302": "商品和服务支出",
    "303": "对个人和家庭的补助",
    "310": "资本性支出",
}
#: The heading that names an empty published table's stated none (its title cell).
_EMPTY = "本表无数据（即没有此项支出）"


@dataclass(frozen=True)
class Fig:
    """A figure of a 决算 table in 万元, with the decimals stated (in 万元 terms) and its cell."""

    value: float
    decimals: int
    cell: Cell
    unit: str

    def text(self) -> str:
        """The figure as its table states it: 「560.90 万元」 / 「5,609,000.00 元」."""
        return f"{money_str(self.value, self.unit)} {self.unit}"


@dataclass
class Accounts:
    """What the checks and the feeding share: the tables, their 金额单位, and each table's
    precision (`_precision`), by table key."""

    ctx: Context
    read: FinalAccounts
    units: dict[str, str] = field(default_factory=dict)
    precision: dict[str, int] = field(default_factory=dict)
    #: Tables whose figures cannot be compared any more (a cell that could not be read, a
    #: 金额单位 found wrong): one root cause, one message.
    spoilt: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    units_reported: set[frozenset] = field(default_factory=set)

    def table(self, key: str) -> Table | None:
        table = self.read.tables.get(key)
        return table if table is not None and key in self.units else None

    def fig(self, cell: Cell | None) -> Fig | None:
        """The cell's figure in 万元: a blank or 「-」 cell of a published table is a stated none
        (0, at the table's precision); None when there is no such cell or it cannot be read."""
        if cell is None or cell.table in self.spoilt:
            return None
        if isinstance(cell.value, BadCell):  # the reader refused it: said once, by the reader
            if cell.value.pending is not None:
                self.ctx.problems.append(cell.value.pending)
            self.spoilt.add(cell.table)
            return None
        unit = self.units[cell.table]
        try:
            value, _decimals = parse_amount(cell.value, unit)
        except ParseError as exc:
            self.ctx.problems.append(
                problem(
                    cell.file,
                    cell.sheet,
                    cell.row,
                    cell.column(),
                    f"{TABLE_NAMES[cell.table]}：{exc.args[0]}",
                    expected=exc.args[1],
                    value=cell.value,
                    cell=cell.ref,
                )
            )
            self.spoilt.add(cell.table)
            return None
        # every figure at the table's precision (a blank, 「-」 or 0 carries no digits of its own)
        decimals = self.precision[cell.table]
        return Fig(round(value or 0.0, decimals), decimals, cell, unit)


#: Published tables print every figure to two decimals (0.00) in their own unit.
PRINTED_DECIMALS = 2


def _precision(unit: str) -> int:
    """The decimals of a table's figures in 万元 terms: as printed, two in the table's unit
    (2 for 万元, 6 for 元), so 556 is 556.00 and a formula's stored residue
    (520.499999999999) is the 520.50 the table shows."""
    return PRINTED_DECIMALS + sc.AMOUNT_UNITS[unit]


def _units(acc: Accounts) -> None:
    """Each table's 金额单位: as its title rows state it; one that states none takes the unit
    all the others state, and is a problem when they state none or disagree."""
    stated = {t.unit for t in acc.read.tables.values() if t.unit}
    unstated: dict[str, list[Table]] = {}
    for key, table in acc.read.tables.items():
        unit = table.unit or (next(iter(stated)) if len(stated) == 1 else None)
        if unit is None:
            unstated.setdefault(table.file, []).append(table)
            continue
        acc.units[key] = unit
        acc.precision[key] = _precision(unit)
    for tables in unstated.values():  # one per workbook: a set printed without its 单位 row
        acc.ctx.problems.append(
            problem(
                tables[0].file,
                tables[0].sheet,
                tables[0].title_row + 1,
                None,
                f"{_named(tables)}没有写明金额单位",
                expected="标题下一行写「单位：万元」或「单位：元」，与决算公开表一致",
            )
        )


def _named(tables: list[Table]) -> str:
    """「表1「…」、表2「…」（工作表「公开02表」）」: tables of one workbook, each but those on the
    first one's sheet with its sheet, as one message names them."""
    first = tables[0]
    return "、".join(
        t.name if t.sheet == first.sheet else f"{t.name}（工作表「{t.sheet}」）" for t in tables
    )


def _sum(figs: list[Fig]) -> Decimal:
    return sum((Decimal(repr(f.value)) for f in figs), Decimal(0))


def _cells(figs: list[Fig]) -> str:
    return "、".join(f"{f.cell.where()} {f.text()}" for f in figs)


def _unit_mismatch(acc: Accounts, stated: Fig, parts: list[Fig], computed: Decimal) -> bool:
    """A figure 10,000 times its counterpart in another table: the 金额单位 of one of the two is
    wrong. Reported once per pair of tables, which are then compared no further."""
    others = {p.cell.table for p in parts} - {stated.cell.table}
    if not computed or not stated.value or len(others) != 1:
        return False
    ratio = stated.value / float(computed)
    if not any(abs(ratio / f - 1) < _FACTOR_SLACK for f in (UNIT_FACTOR, 1 / UNIT_FACTOR)):
        return False
    other = acc.read.tables[next(iter(others))]
    table = acc.read.tables[stated.cell.table]
    pair = frozenset((table.key, other.key))
    acc.spoilt |= pair
    if pair in acc.units_reported:
        return True
    acc.units_reported.add(pair)
    how = "一万倍" if ratio > 1 else "万分之一"

    def said(t: Table) -> str:
        return f"写明「单位：{t.unit}」（{t.unit_cell}）" if t.unit else "没有写明金额单位"

    acc.ctx.problems.append(
        problem(
            stated.cell.file,
            stated.cell.sheet,
            stated.cell.row,
            stated.cell.column(),
            f"金额单位与数字不符：{table.name}{said(table)}，{other.name}{said(other)}；"
            f"本格是{other.name}{_cells(parts)}的{how}，两表中有一张的金额单位写错了",
            expected="各表的「单位」与表中数字的写法一致（元或万元），再核对两表",
            value=stated.cell.value,
            cell=stated.cell.ref,
        )
    )
    return True


@dataclass(frozen=True)
class Failure:
    """A check that failed: `stated` is not the sum of `parts` (the same figure, for one)."""

    what: str
    stated: Fig
    parts: tuple[Fig, ...]
    computed: Decimal

    def cells(self) -> list[Cell]:
        return [self.stated.cell, *(p.cell for p in self.parts)]

    def said(self, at: Cell) -> str:
        """The disagreement in words, seen from cell `at` (one of its cells)."""
        unit = self.stated.unit
        diff = Decimal(repr(self.stated.value)) - self.computed
        if at == self.stated.cell:
            others = self.parts
            against = "、".join(p.cell.where() for p in others)
            against += "之和" if len(others) > 1 else ""
            figure = f"{money_str(float(self.computed), unit)} {unit}"
        else:
            against, figure = self.stated.cell.where(), self.stated.text()
            if len(self.parts) > 1:
                rest = [p.cell.where() for p in self.parts if p.cell != at]
                against = f"{against}（应等于本格与{'、'.join(rest)}之和）"
        return (
            f"{self.what}：与{against}的 {figure} 不符（相差 "
            f"{money_str(float(abs(diff)), unit)} {unit}，超出舍入误差）"
        )


def check(
    acc: Accounts, what: str, stated: Fig | None, parts: list[Fig | None], record: bool = True
) -> None:
    """`stated` equals the sum of `parts` (one figure: the same figure in another place) within
    rounding; a failure is kept for `report_failures`, a pass recorded for 数据核对."""
    if stated is None or not parts or any(p is None for p in parts):
        return
    known: list[Fig] = [p for p in parts if p is not None]
    computed = _sum(known)
    diff = Decimal(repr(stated.value)) - computed
    if len(known) == 1:
        tol = half_unit(min(stated.decimals, known[0].decimals))
    else:
        # a stated none (blank, 「-」, 0) is exact: only figures carry rounding
        tol = sum(half_unit(f.decimals) for f in (stated, *known) if f.value)
    if abs(diff) > Decimal(repr(tol)) + Decimal("1e-9"):
        if not _unit_mismatch(acc, stated, known, computed):
            acc.failures.append(Failure(what, stated, tuple(known), computed))
        return
    if not record:
        return
    unit = stated.unit
    refs = "、".join(f"工作表「{p.cell.sheet}」{p.cell.ref}" for p in known)
    against = known[0].cell.where() if len(known) == 1 else f"{refs}之和"
    within = "" if not diff else f"，相差 {money_str(float(diff), unit)} {unit}，在舍入误差内"
    acc.ctx.reconciled.append(
        {
            "item": f"决算{stated.cell.table}{what}（{acc.ctx.amount_unit}）",  # as shown
            "money": True,
            "file": stated.cell.file,
            "sheet": stated.cell.sheet,
            "row": stated.cell.row,
            "column": stated.cell.column(),
            "stated": stated.value,
            "computed": float(computed),
            "difference": round(float(diff), 6),
            "tolerance": round(tol, 6),
            "message": f"{stated.cell.ref} 与{against}一致{within}",
        }
    )


def report_failures(acc: Accounts) -> None:
    """One problem per wrong cell: a cell that two failed checks share (表3's 本年支出合计 against
    表1 and against its own columns) is the one to correct, named once with every cell it
    disagrees with; any other failure is one problem at its stated cell."""
    count: dict[Cell, int] = {}
    for failure in acc.failures:
        for cell in failure.cells():
            count[cell] = count.get(cell, 0) + 1
    done: set[int] = set()
    for i, failure in enumerate(acc.failures):
        if i in done:
            continue
        at = max(failure.cells(), key=lambda c: count[c])
        if count[at] < 2:
            at = failure.stated.cell
        mine = [j for j, f in enumerate(acc.failures) if j not in done and at in f.cells()]
        done.update(mine)
        table = acc.read.tables[at.table]
        acc.ctx.problems.append(
            problem(
                at.file,
                at.sheet,
                at.row,
                at.column(),
                f"{table.name}" + "；".join(acc.failures[j].said(at) for j in mine),
                expected="各表之间、合计与分项之间的数字一致（核对决算公开表后改正错的一处）",
                value=at.value,
                cell=at.ref,
            )
        )


# ------------------------------------------------------------------------------- the checks


def _line_fig(acc: Accounts, key: str, label: str, side: str | None, *words: str, **kw):
    table = acc.table(key)
    line = table.line(label, side) if table is not None else None
    return acc.fig(line.cell(*words, **kw)) if line is not None else None


def spent(line: Line, part: str = "") -> Cell | None:
    """A spending table's 本年支出 (its 合计/小计 when `part` is "", else 基本支出/项目支出):
    under a 本年支出 heading where the table has one (表5, 表8, 表9 beside 年初预算数 and
    结转 columns), else the column of that name."""
    if part:
        return line.cell("本年支出", part) or line.cell(part, without=("年初", "预算"))
    return (
        line.cell("本年支出", "计")
        or line.cell("本年支出合计")
        or line.cell("本年支出")
        or line.cell("计", without=("年初", "预算", "结转", "收入"))
    )


def _total_fig(acc: Accounts, key: str, pick: Callable[[Line], Cell | None]) -> Fig | None:
    """A figure of the table's 合计 row; an empty published table (表8/表9) states none: 0."""
    table = acc.table(key)
    if table is None:
        return None
    line = table.total_line()
    if line is None:
        if table.empty and key in ("表8", "表9"):
            cell = Cell(key, table.file, table.sheet, table.title_row, 1, _EMPTY, "", None)
            return Fig(0.0, acc.precision[key], cell, acc.units[key])
        return None
    return acc.fig(pick(line))


def _column(*words: str) -> Callable[[Line], Cell | None]:
    return lambda line: line.cell(*words)


def _table1(acc: Accounts) -> None:
    income = _line_fig(acc, "表1", "本年收入合计", "收入")
    spending = _line_fig(acc, "表1", "本年支出合计", "支出")
    check(acc, "本年收入合计", income, [_total_fig(acc, "表2", _column("本年收入合计"))])
    check(acc, "本年支出合计", spending, [_total_fig(acc, "表3", _column("本年支出合计"))])
    for source in _SOURCES:
        stated = _line_fig(acc, "表1", source, "收入")
        check(acc, source, stated, [_total_fig(acc, "表2", _column(source))])
    fiscal = [_line_fig(acc, "表1", row, "收入") for row, _ in _FISCAL_INCOME_ROWS]
    if any(f is not None for f in fiscal):
        stated = _total_fig(acc, "表2", _column("财政拨款收入"))
        check(acc, "财政拨款收入与表1各项财政拨款收入之和", stated, [f for f in fiscal if f])
    for key in ("表1", "表4"):
        check(
            acc,
            "总计（收入＝支出）",
            _line_fig(acc, key, "总计", "收入"),
            [_line_fig(acc, key, "总计", "支出", without=("政府性", "国有", "一般"))],
        )
        _grand_totals(acc, key)


#: What each side's 总计 of 表1/表4 is made of: (labels of one row, any one of which names it;
#: whether the row must be there). 使用非财政拨款结余 and 结余分配 are printed by the national
#: 表1 only, and a 表4 names its balances 财政拨款结转和结余 or plainly 结转和结余.
_GRAND_TOTAL_PARTS = {
    "收入": (
        (("本年收入合计",), True),
        (("使用非财政拨款结余",), False),
        (("年初结转和结余", "年初财政拨款结转和结余"), True),
    ),
    "支出": (
        (("本年支出合计",), True),
        (("结余分配",), False),
        (("年末结转和结余", "年末财政拨款结转和结余"), True),
    ),
}


def _grand_totals(acc: Accounts, key: str) -> None:
    """Each side's 总计 is its 本年合计 plus its balances (收入: + 年初结转和结余; 支出: +
    年末结转和结余): a 总计 typed over, or a balance left out of it, would otherwise pass as long
    as both sides agree. A table that prints no such row is not checked."""
    table = acc.table(key)
    if table is None:
        return
    amount = {"without": ("政府性", "国有", "一般")}  # 表4's 合计 column, not a budget type's
    for side, rows in _GRAND_TOTAL_PARTS.items():
        parts: list[Fig | None] = []
        names: list[str] = []
        for labels, required in rows:
            label = next((x for x in labels if table.line(x, side) is not None), None)
            if label is None:
                if required:
                    break
                continue
            parts.append(_line_fig(acc, key, label, side, **amount))
            names.append(label)
        else:
            if _other_rows(table, side, names):
                continue  # a layout with rows we do not know (用事业基金弥补收支差额, …)
            stated = _line_fig(acc, key, "总计", side, **amount)
            check(acc, f"总计（{side}方）与{'、'.join(names)}之和", stated, parts)


def _other_rows(table: Table, side: str, names: list[str]) -> bool:
    """Whether the side prints, between its 本年合计 and its 总计, a row that is neither one of
    `names` nor a budget type's part of a balance (其中：一般公共预算财政拨款 …): an older or a
    province's layout whose 总计 adds rows not known here is not checked, rather than refused."""
    first, total = table.line(names[0], side), table.line("总计", side)
    if first is None or total is None:
        return True
    return any(
        line.side == side
        and first.row < line.row < total.row
        and line.label
        and line.label not in names
        and not line.label.startswith(("一般公共预算", "政府性基金", "国有资本"))
        for line in table.lines
    )


def _rows_add_up(
    acc: Accounts,
    key: str,
    total: Callable[[Line], Cell | None],
    parts: Callable[[Line], list[Cell | None]],
    what: str,
) -> None:
    """Each row's total against its columns (recorded for 数据核对 for the 合计 row only)."""
    table = acc.table(key)
    for line in table.lines if table is not None else []:
        stated = total(line)
        if stated is None or not line.label:
            continue
        figs = [acc.fig(c) for c in parts(line) if c is not None]
        name = "合计行" if line.total else f"「{line.code} {line.label}」行".replace("「 ", "「")
        check(acc, f"{name}{what}", acc.fig(stated), figs, record=line.total)


def _spending_tables(acc: Accounts) -> None:
    parts3 = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")
    _rows_add_up(
        acc,
        "表3",
        lambda ln: ln.cell("本年支出合计"),
        lambda ln: [c for p in parts3 if (c := ln.cell(p)) is not None],
        "本年支出合计与基本支出、项目支出等之和",
    )
    for key in ("表5", "表8", "表9"):
        _rows_add_up(
            acc,
            key,
            spent,
            lambda ln: [spent(ln, "基本支出"), spent(ln, "项目支出")],
            "本年支出与基本支出、项目支出之和",
        )
    # 表4's 财政拨款 spending is 表5 + 表8 + 表9
    if acc.table("表5") is None:
        return
    if acc.table("表8") and acc.table("表9"):
        stated = _line_fig(acc, "表4", "本年支出合计", "支出", "合计")
        parts = [_total_fig(acc, k, spent) for k in ("表5", "表8", "表9")]
        check(acc, "本年支出合计（财政拨款）与表5、表8、表9本年支出之和", stated, parts)
    # and each budget type's column against its own table, one by one (two columns off by the
    # same amount in opposite directions keep the 合计 right)
    for column, key in (("一般公共预算", "表5"), ("政府性基金", "表8"), ("国有资本", "表9")):
        if acc.table(key) is None:
            continue
        stated = _line_fig(acc, "表4", "本年支出合计", "支出", column)
        what = f"{column}财政拨款本年支出合计与{key}本年支出"
        check(acc, what, stated, [_total_fig(acc, key, spent)])


def _classes(acc: Accounts, side: str) -> list[tuple[Line, Fig | None]]:
    """表6's 3-digit economic classes of one side (人员经费 or 公用经费) with their figures.

    Two layouts: the national one puts 人员经费 and 公用经费 side by side, each with its own
    科目编码/科目名称/决算数 columns; a 明细表 lists every class once with 合计, 人员经费 and
    公用经费 columns, and a class belongs to the side whose column holds its figure."""
    table = acc.table("表6")
    if table is None:
        return []
    lines = [ln for ln in table.lines if len(ln.code) == 3]
    if any(ln.side for ln in lines):
        return [
            (ln, acc.fig(next(iter(ln.cells.values()), None))) for ln in lines if ln.side == side
        ]
    out = []
    for ln in lines:
        mine = acc.fig(ln.cell(side))
        if mine is not None and mine.value:
            out.append((ln, mine))
    return out


def side_total(acc: Accounts, side: str) -> Fig | None:
    """表6's 人员经费合计 or 公用经费合计: the row so labelled, or (in a 明细表) its 合计 row's
    人员经费 or 公用经费 column."""
    stated = _line_fig(acc, "表6", f"{side}合计", None, "")
    if stated is None:
        table = acc.table("表6")
        line = table.total_line() if table is not None else None
        stated = acc.fig(line.cell(side)) if line is not None else None
    return stated


def _table6(acc: Accounts) -> None:
    people, public = side_total(acc, "人员经费"), side_total(acc, "公用经费")
    for stated, side in ((people, "人员经费"), (public, "公用经费")):
        classes = _classes(acc, side)
        if classes:
            check(acc, f"{side}合计与各经济分类之和", stated, [f for _, f in classes])
    basic = _total_fig(acc, "表5", lambda ln: spent(ln, "基本支出"))
    if basic is not None and people is not None and public is not None:
        check(acc, "基本支出与表6人员经费合计、公用经费合计之和", basic, [people, public])


def _sangong_row(acc: Accounts) -> tuple[Line, str] | None:
    """表7's figures: one row under headings 预算数/决算数 × item (as units print it), or one row
    per item with 预算数 and 决算数 columns."""
    table = acc.table("表7")
    if table is None or not table.lines:
        return None
    line = next((ln for ln in table.lines if ln.cells), None)
    return (line, "wide") if line is not None and not line.label else (line, "long")


def sangong_figs(acc: Accounts) -> dict[str, dict[str, Fig | None]]:
    """三公 by item (合计, the three items, 购置费, 运行费) and by 预算数/决算数."""
    table = acc.table("表7")
    found = _sangong_row(acc)
    if table is None or found is None:
        return {}
    line, layout = found
    names = {
        "合计": ("合计",),
        "因公出国（境）费": ("因公出国",),
        "公务用车购置及运行费": ("公务用车购置及运行费",),
        "公务用车购置费": ("公务用车购置费",),
        "公务用车运行费": ("公务用车运行费",),
        "公务接待费": ("公务接待费",),
    }
    out: dict[str, dict[str, Fig | None]] = {}
    for item, words in names.items():
        out[item] = {}
        for kind in ("预算", "决算"):
            if layout == "wide":
                cell = line.cell(kind, *words)
                if item == "公务用车购置及运行费":
                    cell = line.cell(kind, *words, "小计") or line.cell(
                        kind, *words, without=("购置费", "运行费/")
                    )
                elif item == "合计":
                    cell = line.cell(kind, "合计") or line.cell(kind, "总计")
            else:
                row = next((ln for ln in table.lines if ln.label.startswith(words[0])), None)
                if item == "公务用车购置及运行费":
                    row = next((ln for ln in table.lines if "购置及运行" in ln.label), None)
                cell = row.cell(kind) if row is not None else None
            out[item][kind] = acc.fig(cell)
    return out


def _table7(acc: Accounts) -> None:
    figs = sangong_figs(acc)
    for kind in ("预算", "决算") if figs else ():
        f = {item: v[kind] for item, v in figs.items()}
        if f["合计"] is not None:
            parts = [f["因公出国（境）费"], f["公务用车购置及运行费"], f["公务接待费"]]
            check(acc, f"“三公”经费{kind}数合计与各项之和", f["合计"], parts)
        if f["公务用车购置费"] is not None or f["公务用车运行费"] is not None:
            check(
                acc,
                f"公务用车购置及运行费{kind}数与购置费、运行费之和",
                f["公务用车购置及运行费"],
                [f["公务用车购置费"], f["公务用车运行费"]],
            )


def _year(acc: Accounts) -> None:
    """One problem per file and wrong year, at its first such table, naming every table of it:
    a whole set of another year is one mistake (the wrong workbook), not nine."""
    wrong: dict[tuple[str, int], list[Table]] = {}
    for table in acc.read.tables.values():
        if table.year is not None and table.year != acc.ctx.year:
            wrong.setdefault((table.file, table.year), []).append(table)
    for (_file, year), tables in wrong.items():
        first = tables[0]
        acc.ctx.problems.append(
            problem(
                first.file,
                first.sheet,
                first.title_row,
                None,
                f"{_named(tables)}的标题是 {year} 年度的决算，本目录是 {acc.ctx.year} 年度",
                expected=f"放入 data/raw/{year}/，或换成 {acc.ctx.year} 年度的决算公开表",
                value=first.title,
            )
        )


def _maker(acc: Accounts) -> None:
    """A warning per 编制单位 other than the unit's 单位名称 (the 申报表's rule): a clerk who
    downloads the published set of a sister unit gets a consistent set that passes every check."""
    name = acc.ctx.settings.get("单位名称")
    if not name:
        return
    seen = set()
    for table in acc.read.tables.values():
        if not table.maker or norm_key(table.maker) == norm_key(str(name)):
            continue
        if (table.file, table.maker) in seen:
            continue
        seen.add((table.file, table.maker))
        acc.ctx.warn(
            f"{table.file} 工作表「{table.sheet}」（{table.maker_cell}）的编制单位「{table.maker}」"
            f"与单位概况的单位名称「{name}」不同，请确认是本单位的决算公开表",
            file=table.file,
            sheet=table.sheet,
        )


def _duplicates(acc: Accounts) -> None:
    for first, second in acc.read.duplicates:
        acc.ctx.problems.append(
            problem(
                second.file,
                second.sheet,
                second.title_row,
                None,
                f"{second.name}出现两次：另一张在 {first.file} 工作表「{first.sheet}」",
                expected="每张决算表只放一份（删去旧的或重复的一份）",
                value=second.title,
            )
        )


#: The largest figure a whole unit's 决算 can plausibly state, in 万元 (1,000亿元), and the
#: smallest non-zero largest figure of a table in 元 (1,000 元 for a year's whole income or
#: spending): beyond them the title row's 单位 is not the unit the figures are written in.
MAX_PLAUSIBLE_WAN = 10_000_000
MIN_PLAUSIBLE_YUAN = 1_000


def _magnitudes(acc: Accounts) -> None:
    """Each table's 金额单位 against the size of its largest figure (a set whose every table says
    万元 over figures in 元 agrees with itself: only the size tells)."""
    for key, table in acc.read.tables.items():
        unit = acc.units.get(key)
        cells = [c for line in table.lines for c in line.cells.values()]
        sized = []
        for cell in cells:
            try:
                value, _decimals = parse_number(cell.value, allow_negative=True)
            except ParseError:
                continue
            if value:
                sized.append((abs(value), cell))
        if unit is None or not sized:
            continue
        largest, cell = max(sized, key=lambda pair: pair[0])
        if unit == "万元" and largest >= MAX_PLAUSIBLE_WAN:
            how = f"按万元是 {largest / 10000:,.0f} 亿万元，像是以元写的数字"
        elif unit == "元" and largest < MIN_PLAUSIBLE_YUAN and key != "表7":  # 三公 may be small
            how = f"按元不足 {MIN_PLAUSIBLE_YUAN} 元，像是以万元写的数字"
        else:
            continue
        acc.spoilt.add(key)
        where = f"（{table.unit_cell}）" if table.unit_cell else ""
        acc.ctx.problems.append(
            problem(
                cell.file,
                cell.sheet,
                cell.row,
                cell.column(),
                f"金额单位与数字不符：{table.name}写明「单位：{unit}」{where}，表中最大的数字{how}",
                expected="把标题下一行的「单位」改为表中数字实际的单位（元或万元）",
                value=cell.value,
                cell=cell.ref,
            )
        )


def check_accounts(acc: Accounts) -> None:
    """Every rule across the tables; all problems at once (`ctx.problems`)."""
    _year(acc)
    _maker(acc)
    _duplicates(acc)
    _magnitudes(acc)
    _table1(acc)
    _spending_tables(acc)
    _table6(acc)
    _table7(acc)
    report_failures(acc)


# ------------------------------------------------------------------------------- feeding


def _source(fig: Fig) -> dict[str, Any]:
    cell = fig.cell
    return {
        "src_file": cell.file,
        "src_sheet": cell.sheet,
        "src_row": cell.row,
        "src_cell": cell.ref,
        "src_column": cell.column(),
    }


def _with_cells(records: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """The records as the sheet's cleaner would give them, plus each row's cell and heading."""
    out = frame(records, columns)
    out["src_cell"] = pd.Series([r.get("src_cell") for r in records], dtype="str")
    out["src_column"] = pd.Series([r.get("src_column") for r in records], dtype="str")
    return out


def income_records(acc: Accounts) -> list[dict]:
    """收入 by source (表1), 财政拨款收入 (表2's column), 收入合计, 上年结转结余 (年初结转和结余).
    A source the table states as none is kept for the four sources a 决算 always lists."""
    rows: list[tuple[str, Fig | None]] = [
        (sc.INCOME_TOTAL, _line_fig(acc, "表1", "本年收入合计", "收入")),
        (sc.FISCAL_INCOME, _total_fig(acc, "表2", _column("财政拨款收入"))),
    ]
    for label, _ in _FISCAL_INCOME_ROWS[:2]:
        rows.append((label, _line_fig(acc, "表1", label, "收入")))
    rows += [(label, _line_fig(acc, "表1", label, "收入")) for label in _SOURCES]
    rows.append((sc.CARRIED_OVER, _line_fig(acc, "表1", "年初结转和结余", "收入")))
    if rows[0][1] is None:  # no 表1: 表2's 合计 row
        rows[0] = (sc.INCOME_TOTAL, _total_fig(acc, "表2", _column("本年收入合计")))
        rows += [(label, _total_fig(acc, "表2", _column(label))) for label in _SOURCES]
    records, seen = [], set()
    for item, fig in rows:
        if fig is None or item in seen or (not fig.value and item not in sc.INCOME_SOURCES):
            continue
        seen.add(item)
        records.append(
            {
                "item": item,
                "is_total": item == sc.INCOME_TOTAL,
                "current": fig.value,
                "current_decimals": fig.decimals,
                **_source(fig),
                "_figs": {"current": fig},
            }
        )
    return records


def _spending_record(btype, category, item, fig: Fig, original: Fig | None = None) -> dict:
    return {
        "budget_type": btype,
        "category": category,
        "item": item,
        "is_total": item == sc.TOTAL_ITEM,
        "actual": fig.value,
        "actual_decimals": fig.decimals,
        "original_budget": original.value if original is not None else None,
        "original_budget_decimals": original.decimals if original is not None else None,
        **_source(fig),
        "_figs": {"actual": fig, "original_budget": original},
    }


def _class_name(line: Line) -> str:
    """A 3-digit economic class as the 支出 sheet names it (工资福利支出 …); one the contract
    does not list is kept as 其他… (counted with 公用经费, as the sheet counts it)."""
    name = _CLASS_CODES.get(line.code, line.label)
    if name in sc.ECONOMIC_CLASSES or name.startswith(sc.OTHER_PREFIX):
        return name
    return _OTHER_CLASS.format(f"（{name}）")


def spending_records(acc: Accounts, compare: bool = False) -> list[dict]:
    """一般公共预算 (表5: 合计, 基本支出, 项目支出 with 年初预算数; 表6: 基本支出 by economic
    class), 政府性基金预算 (表8) and 国有资本经营预算 (表9), each stated none when its table is
    published empty. To compare with a unit's own 支出 (`compare`), also 表6's 人员经费合计 and
    公用经费合计 as the sheet's 人员支出 and 公用支出."""
    general, records = sc.BUDGET_TYPES[0], []
    if compare:
        for side, item in zip(("人员经费", "公用经费"), sc.BASIC_ITEMS, strict=True):
            fig = side_total(acc, side)
            if fig is not None:
                records.append(_spending_record(general, "基本支出", item, fig))
    table5 = acc.table("表5")
    line = table5.total_line() if table5 is not None else None
    if line is not None:
        for category, part in ((None, ""), ("基本支出", "基本支出"), ("项目支出", "项目支出")):
            fig = acc.fig(spent(line, part))
            original = acc.fig(
                line.cell("年初预算", part)
                if part
                else (line.cell("年初预算", "计") or line.cell("年初预算"))
            )
            if fig is not None:
                records.append(_spending_record(general, category, sc.TOTAL_ITEM, fig, original))
    for side in ("人员经费", "公用经费"):
        for cls, fig in _classes(acc, side):
            if fig is not None:
                records.append(_spending_record(general, "基本支出", _class_name(cls), fig))
    for key, btype in (("表8", sc.BUDGET_TYPES[1]), ("表9", sc.BUDGET_TYPES[2])):
        total = _total_fig(acc, key, spent)
        if total is not None:
            records.append(_spending_record(btype, None, sc.TOTAL_ITEM, total))
    return records


def sangong_records(acc: Accounts, compare: bool = False) -> list[dict]:
    """The three 三公 items with 预算数 and 决算数; 公务用车购置及运行费 as stated, or its two
    parts (购置费, 运行费) when the table states only those — never both, as the report sums the
    items. To compare with a unit's own 三公经费 (`compare`), both."""
    figs = sangong_figs(acc)
    records = []
    for item in ("因公出国（境）费", "公务用车购置及运行费", "公务接待费"):
        items = [item]
        if item == "公务用车购置及运行费" and figs and figs[item]["决算"] is None:
            items = ["公务用车购置费", "公务用车运行费"]
        elif item == "公务用车购置及运行费" and compare:
            items = [item, "公务用车购置费", "公务用车运行费"]
        for name in items:
            actual, budget = (figs.get(name) or {}).get("决算"), (figs.get(name) or {}).get("预算")
            if actual is None:
                continue
            records.append(
                {
                    "item": name,
                    "actual": actual.value,
                    "actual_decimals": actual.decimals,
                    "budget": budget.value if budget is not None else None,
                    "budget_decimals": budget.decimals if budget is not None else None,
                    **_source(actual),
                    "_figs": {"actual": actual, "budget": budget},
                }
            )
    return records


# ------------------------------------------------------------------------------- the unit's own

#: The processed table, the unit's sheet, what identifies a row, and the amounts compared.
FED = {
    "income": ("收入", ("item",), (("current", "本年数"),), income.COLUMNS),
    "spending": (
        "支出",
        ("budget_type", "category", "item", "is_total"),
        (("actual", "执行数"), ("original_budget", "年初预算数")),
        spending.COLUMNS,
    ),
    "sangong": (
        "三公经费",
        ("item",),
        (("actual", "执行数"), ("budget", "预算数")),
        spending.SANGONG_COLUMNS,
    ),
}


def _key(rec: Any, fields: tuple[str, ...]) -> tuple:
    return tuple(None if pd.isna(v := rec[f]) else v for f in fields)


def _disagreements(ctx: Context, name: str, own: pd.DataFrame, records: list[dict]) -> None:
    """A warning for every figure the unit's sheet and the 决算 state differently."""
    sheet, fields, amounts, _columns = FED[name]
    unit = ctx.amount_unit
    ours = {_key(r, fields): r for r in records}
    for row in own.to_dict("records"):
        rec = ours.get(_key(row, fields))
        if rec is None:
            continue
        for column, header in amounts:
            mine, theirs, fig = row.get(column), rec.get(column), rec["_figs"].get(column)
            if mine is None or fig is None or pd.isna(mine):
                continue
            decimals = [row.get(f"{column}_decimals"), rec.get(f"{column}_decimals")]
            tol = half_unit(min((int(d) for d in decimals if not pd.isna(d)), default=2))
            if abs(mine - theirs) <= tol + 1e-9:
                continue
            why = ""
            if theirs and abs(mine / theirs / UNIT_FACTOR - 1) < _FACTOR_SLACK:
                why = "（相差一万倍：像是把元写成了万元，核对表头的金额单位）"
            mine_at = f"{row['src_file']}「{sheet}」第{row['src_row']}行「{header}」"
            theirs_at = f"决算公开表 {fig.cell.where()}"
            message = (
                f"{mine_at}为 {money_str(mine, unit)} {unit}，{theirs_at}为 "
                f"{money_str(theirs, unit)} {unit}，两者不一致{why}；报告采用单位填写的数字"
            )
            ctx.warn(
                message,
                file=row["src_file"],
                sheet=row["src_sheet"],
                row=int(row["src_row"]),
                column=header,
            )
            ctx.reconciled.append(
                {
                    "item": f"{sheet}「{header}」与决算公开表（{unit}）",
                    "money": True,
                    "ok": False,
                    "file": fig.cell.file,
                    "sheet": fig.cell.sheet,
                    "row": fig.cell.row,
                    "column": fig.cell.column(),
                    "stated": float(mine),
                    "computed": float(theirs),
                    "difference": round(float(mine - theirs), 6),
                    "message": message,
                }
            )


#: What each fed table is made of (`compare`: the rows a unit's own sheet may state besides).
FEEDERS: dict[str, Callable[..., list[dict]]] = {
    "income": lambda acc, compare=False: income_records(acc),
    "spending": spending_records,
    "sangong": sangong_records,
}


_ROW = re.compile(r"\d+$")


def report_unit(acc: Accounts, tables: dict[str, pd.DataFrame]) -> None:
    """The report's 金额单位 where 单位概况 names none: the one the 决算 tables state (a unit
    that publishes in 元 reports in 元), put into the year's 单位概况 with the cell stating it.

    Where 单位概况 names one and the tables state the other, the report keeps the unit's
    choice and the tables' figures are converted, not refused: every amount is held in 万元
    (`Fig`) and each table was read in its own 单位, so the conversion is exact, and a 单位
    that is not the figures' own has already failed `_magnitudes` or `_unit_mismatch`. Either
    way the 数据核对 of the 审核底稿 says which 单位 was used and why."""
    stated = [t for t in acc.read.tables.values() if t.unit and t.key in acc.units]
    units = {t.unit for t in stated}
    unit_table = tables.get("unit")
    if len(units) != 1 or unit_table is None:
        return  # none stated (reported by `_units`), or tables in both units: no one 单位
    table = stated[0]
    found = _ROW.search(table.unit_cell)
    where = {
        "file": table.file,
        "sheet": table.sheet,
        "row": int(found.group(0)) if found else table.title_row + 1,
    }
    said = f"{table.file} 工作表「{table.sheet}」（{table.unit_cell}）"
    unit, own = table.unit, acc.ctx.settings.get("金额单位")
    if own is None:
        message = f"单位概况未填「金额单位」，报告采用决算公开表写明的「单位：{unit}」（{said}）"
        acc.ctx.settings["金额单位"] = unit
        row = frame(
            [
                {
                    "item": "金额单位",
                    "value": unit,
                    "src_file": where["file"],
                    "src_sheet": where["sheet"],
                    "src_row": where["row"],
                }
            ],
            {"item": "str", "value": "str"},
        )
        tables["unit"] = pd.concat([unit_table, row], ignore_index=True)
    elif own != unit:
        message = (
            f"决算公开表以{unit}列示（{said}），报告按单位概况「金额单位」{own}换算列示"
            f"（1万元 = 10000元）"
        )
    else:
        return
    acc.ctx.reconciled.append({"item": "金额单位", "ok": True, "message": message, **where})


def feed_final_accounts(raw: RawInput, ctx: Context, tables: dict[str, pd.DataFrame]) -> None:
    """Check the year's 决算 tables and put their 收入, 支出 and 三公经费 into `tables` where the
    unit does not fill those sheets itself (where it does, warn where the two disagree)."""
    grids = raw.published.get(KIND)
    if not grids:
        return
    accounts = read_final_accounts(grids)
    for file, sheet, title in accounts.ignored:
        ctx.warn(
            f"{file}「{sheet}」（{title or '无标题'}）不是所读的决算公开表，已忽略",
            file=file,
            sheet=sheet,
        )
    if not accounts.tables:
        return
    if all(t.empty for t in accounts.tables.values()):
        files = "、".join(dict.fromkeys(t.file for t in accounts.tables.values()))
        ctx.warn(f"{files}：决算公开表中没有任何数字（未填写的模板），已忽略", file=files)
        return
    acc = Accounts(ctx, accounts)
    # a formula saved without its result reads as blank: the reader said so at its cell, and
    # its table compared further would only repeat that as 「相差 560.90 万元」
    unread = {(p.file, p.sheet) for p in raw.problems if getattr(p, "code", "") == "missing_cache"}
    acc.spoilt |= {k for k, t in accounts.tables.items() if (t.file, t.sheet) in unread}
    _units(acc)
    before = len(ctx.problems)
    check_accounts(acc)
    if len(ctx.problems) > before:
        return
    report_unit(acc, tables)
    fed = {name: feeder(acc) for name, feeder in FEEDERS.items()}
    for name, records in fed.items():
        own = tables.get(name)
        columns = FED[name][3]
        if own is not None and not own.empty:
            if name in ("spending", "sangong"):
                records = FEEDERS[name](acc, compare=True)
            _disagreements(ctx, name, own, records)
        elif not records:
            continue
        elif raw.sheets.get(FED[name][0]) is None or not raw.sheets[FED[name][0]].rows:
            tables[name] = _with_cells(records, columns)
