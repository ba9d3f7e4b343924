"""The approved 部门（单位）整体支出绩效目标申报表, as the national form lays it out and as the
预算管理一体化 system exports it: the year's 年度主要任务 (with 预算金额), 年度总体目标 and
绩效指标 (一级/二级/三级指标, 指标值, and where given 指标性质, 度量单位, 分值).

A clerk used to retype these into the 绩效目标 sheet, where targets drifted from what was
approved. The form is found by its title, not its file name; its parts by their label cells
(merged down or across, as printed), so the parser reads a heading and what stands right of or
under it, and every value keeps the Excel cell it came from (`FormCell`) for the 审核底稿 and
for messages.

Only the titles, labels and headings of `selfeval.contract.target_form` are read; everything else
on the sheet (填报人, 审核意见, 指标值说明, the 一体化 system's 预算编码 and 指标解释) is ignored.
What the values mean (a 指标值's number and direction, a 分值 adding up to 100) is checked where
the clerk's 绩效目标 rows are checked, `selfeval.clean.targets`, by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selfeval.contract.target_form import (
    AMOUNT_TOTALS,
    GOAL_LABELS,
    HEADINGS,
    NATURES,
    TASK_HEADINGS,
    TASK_LABELS,
    TITLE,
    TOTAL_ROWS,
    UNIT_LABELS,
    label_key,
)
from selfeval.errors import Problem, problem
from selfeval.read.grid import TITLE_ROWS, Grid, cell_ref
from selfeval.read.sheet import BadCell, Percent, is_blank

KIND = "target_form"
_YEAR = re.compile(r"(\d{4})\s*年")
_NUMBER = re.compile(r"^-?\d+(?:,\d{3})*(?:\.\d+)?$")


@dataclass(frozen=True)
class FormCell:
    """Where a value of the 申报表 came from: file, sheet and Excel cell."""

    file: str
    sheet: str
    row: int
    col: int

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    def problem(self, column: str, message: str, *, expected: str = "", value: Any = None):
        """A `Problem` located at this cell (「申报表.xlsx 工作表「…」第12行「指标值」（E12）」)."""
        return problem(
            self.file,
            self.sheet,
            self.row,
            column,
            message,
            expected=expected,
            value=value,
            cell=self.ref,
        )


@dataclass(frozen=True)
class Task:
    """One 年度主要任务: its name, content and 预算金额 as written, in `amount_unit`."""

    name: str
    content: str | None
    amount: float | None
    cell: FormCell


@dataclass(frozen=True)
class Indicator:
    """One approved indicator. ``value`` is the 指标值 as written (「≥360天」, 「95%」);
    ``direction`` the 方向 its 指标性质 states (None when the form has no such column)."""

    level1: str | None
    level2: str | None
    level3: str
    value: str | None
    direction: str | None
    unit: str | None
    weight: float | None
    cell: FormCell  # the 指标值's cell; its row is the indicator's row


@dataclass(frozen=True)
class TargetForm:
    """One 申报表 as parsed: what was approved for the year."""

    file: str
    sheet: str
    year: int | None
    unit_name: str | None
    goal: str | None
    goal_cell: FormCell | None
    tasks: tuple[Task, ...]
    amount_unit: str | None  # 万元 or 元, from a heading or a 单位： cell; None when unstated
    indicators: tuple[Indicator, ...]


def is_form(grid: Grid) -> bool:
    """Whether a sheet carries the 申报表's title in its first rows."""
    texts = grid.texts()
    return any(row <= TITLE_ROWS and TITLE.search(label_key(text)) for row, _c, text in texts)


def recognise(grids: Sequence[Grid]) -> bool:
    """`selfeval.read.published.RECOGNISERS`: a workbook with a 申报表 sheet is one (a unit's own
    workbook with the form pasted into it stays the unit's: `read.published.is_units_own`)."""
    return any(is_form(g) for g in grids)


def parse(grids: Sequence[Grid]) -> tuple[list[TargetForm], list[Problem]]:
    """Every 申报表 sheet of the recognised workbooks, and every problem found reading them."""
    forms: list[TargetForm] = []
    problems: list[Problem] = []
    for grid in grids:
        if is_form(grid):
            form = _parse_sheet(grid, problems)
            if form is not None:
                forms.append(form)
    return forms, problems


# ------------------------------------------------------------------------------ reading a sheet


def _text(value: Any) -> str | None:
    """A cell as text, numbers as Excel shows them (95 not 95.0; a percent cell as 「95%」)."""
    if is_blank(value) or isinstance(value, BadCell):
        return None
    if isinstance(value, Percent):
        return f"{value.value.normalize():f}%"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    text = _text(value)
    if text is not None and _NUMBER.match(text):
        return float(text.replace(",", ""))
    return None


def _cells(grid: Grid) -> Iterator[tuple[int, int, str]]:
    """(row, col, key) of every label-like cell, once per merged range."""
    for row, col, text in grid.texts():
        yield row, col, label_key(text)


def _find(grid: Grid, labels: Sequence[str]) -> tuple[int, int, str] | None:
    """The first cell whose text is one of `labels`, or starts with one and a colon (「单位名称：
    云溪区图书馆」 in one cell); with what follows the colon."""
    for row, col, text in _cells(grid):
        for label in labels:
            if text == label:
                return row, col, ""
            if text.startswith(label + "："):
                return row, col, text[len(label) + 1 :]
    return None


def _span(grid: Grid, row: int, col: int) -> tuple[int, int, int, int]:
    """The merged range (r0, c0, r1, c1) holding a cell, or the cell alone."""
    for r0, c0, r1, c1 in grid.merges:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return r0, c0, r1, c1
    return row, col, row, col


def _right_of(grid: Grid, row: int, col: int) -> tuple[str, FormCell] | None:
    """The first value right of a label (past its merged range), with its cell."""
    _r0, _c0, _r1, c1 = _span(grid, row, col)
    for c in range(c1 + 1, grid.n_cols + 1):
        origin = grid.origin(row, c)
        text = _text(grid.cells.get(origin))
        if text:
            return text, FormCell(grid.file, grid.sheet, *origin)
    return None


def _parse_sheet(grid: Grid, problems: list[Problem]) -> TargetForm | None:
    header = _indicator_header(grid)
    if header is None:
        problems.append(
            problem(
                grid.file,
                grid.sheet,
                None,
                None,
                "是绩效目标申报表，但找不到绩效指标的表头",
                expected="一行依次写有「一级指标」「二级指标」「三级指标」「指标值」",
            )
        )
        return None
    unit_name = None
    found = _find(grid, UNIT_LABELS)
    if found is not None:
        row, col, after = found
        right = _right_of(grid, row, col) if not after else None
        unit_name = after or (right[0] if right else None)
    goal = goal_cell = None
    found = _find(grid, GOAL_LABELS)
    if found is not None:
        row, col, after = found
        right = _right_of(grid, row, col)
        if after:
            goal, goal_cell = after, FormCell(grid.file, grid.sheet, row, col)
        elif right is not None:
            goal, goal_cell = right
    tasks, amount_unit = _tasks(grid, header[0])
    return TargetForm(
        file=grid.file,
        sheet=grid.sheet,
        year=_year(grid),
        unit_name=unit_name,
        goal=goal,
        goal_cell=goal_cell,
        tasks=tuple(tasks),
        amount_unit=amount_unit,
        indicators=tuple(_indicators(grid, header, problems)),
    )


def _year(grid: Grid) -> int | None:
    """The year a title or its subtitle states (「（2024年度）」, 「2024年度部门…」)."""
    for row, _col, text in grid.texts():
        if row > TITLE_ROWS:
            break
        m = _YEAR.search(label_key(text))
        if m:
            return int(m.group(1))
    return None


def _indicator_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """(last header row, field -> column) of the indicator block: the row with 三级指标, and the
    row under it when its headings continue there (指标值 over 指标性质 | 指标值 | 度量单位)."""
    for row, _col, text in _cells(grid):
        if text != "三级指标":
            continue
        columns: dict[str, int] = {}
        last = row
        for r in (row, row + 1):
            for c in range(1, grid.n_cols + 1):
                if grid.origin(r, c) != (r, c):
                    continue  # inside a merged heading: read once, at its top-left cell
                field = HEADINGS.get(label_key(grid.text(r, c)))
                if field is None:
                    continue
                if r == row:
                    columns.setdefault(field, c)
                else:  # a sub-heading is the more precise column (指标值 under 指标值)
                    columns[field], last = c, r
        if "value" in columns and "level3" in columns:
            return last, columns
    return None


def _indicators(
    grid: Grid, header: tuple[int, dict[str, int]], problems: list[Problem]
) -> Iterator[Indicator]:
    last, columns = header

    def at(row: int, field: str) -> Any:
        col = columns.get(field)
        return None if col is None else grid.value(row, col)

    for row in range(last + 1, grid.n_rows + 1):
        level3 = _text(at(row, "level3"))
        if not level3:
            continue
        cell = FormCell(grid.file, grid.sheet, row, columns["value"])
        nature_text = _text(at(row, "nature"))
        direction = None
        if nature_text is not None:
            direction = NATURES.get(label_key(nature_text))
            if direction is None:
                where = FormCell(grid.file, grid.sheet, row, columns["nature"])
                problems.append(
                    where.problem(
                        "指标性质",
                        "不是可识别的指标性质",
                        value=nature_text,
                        expected="≥、≤、=、定性（或 大于等于、小于等于、等于）",
                    )
                )
        raw_weight = at(row, "weight")
        weight = _number(raw_weight)
        if weight is None and _text(raw_weight) is not None:
            where = FormCell(grid.file, grid.sheet, row, columns["weight"])
            problems.append(
                where.problem("分值", "分值须是数字", value=_text(raw_weight), expected="如 10")
            )
        yield Indicator(
            level1=_text(at(row, "level1")),
            level2=_text(at(row, "level2")),
            level3=level3,
            value=_text(at(row, "value")),
            direction=direction,
            unit=_text(at(row, "unit")),
            weight=weight,
            cell=cell,
        )


def _amount_unit(text: str) -> str | None:
    if "万元" in text:
        return "万元"
    if re.search(r"[（：]元", text):
        return "元"
    return None


def _tasks(grid: Grid, stop_row: int) -> tuple[list[Task], str | None]:
    """The 年度主要任务 block: rows under its 任务名称 heading, inside the label's merged rows
    (or, without a merge, down to the indicator block), 合计 rows left out."""
    unit = None
    for _row, _col, text in _cells(grid):
        unit = unit or (_amount_unit(text) if ("单位" in text or "金额" in text) else None)
    found = _find(grid, TASK_LABELS)
    if found is None:
        return [], unit
    r0, _c0, r1, _c1 = _span(grid, found[0], found[1])
    end = r1 if r1 > r0 else stop_row - 1
    heading_row, cols, amount_col = None, {}, None
    for row in range(r0, end + 1):
        for col in range(found[1] + 1, grid.n_cols + 1):
            text = label_key(grid.text(row, col))
            field = TASK_HEADINGS.get(text)
            if field and grid.origin(row, col)[1] == col:
                cols.setdefault(field, col)
                heading_row = row
            elif "金额" in text and amount_col is None:
                amount_col, heading_row = col, max(heading_row or row, row)
            elif text in AMOUNT_TOTALS and grid.origin(row, col) == (row, col):
                amount_col, heading_row = col, row  # 总额 under a merged 预算金额
        if heading_row is not None and row > heading_row:
            break
    if "name" not in cols or heading_row is None:
        return [], unit
    tasks = []
    for row in range(heading_row + 1, end + 1):
        name = _text(grid.value(row, cols["name"]))
        if not name or label_key(name) in TOTAL_ROWS:
            continue
        content = _text(grid.value(row, cols["content"])) if "content" in cols else None
        amount = _number(grid.value(row, amount_col)) if amount_col else None
        tasks.append(
            Task(name, content, amount, FormCell(grid.file, grid.sheet, row, cols["name"]))
        )
    return tasks, unit
