"""A unit's published 部门决算 tables (the nine-table set), recognised by their titles and read as
laid out: which cell holds which figure, never what the figure is worth.

Units publish the same nine tables every year (表1 收入支出决算总表 … 表9 国有资本经营预算财政拨款
支出决算表; Hunan and Guangxi call 表6 基本支出决算明细表 and put 三公 ninth), as a workbook with
one table per sheet or as several workbooks, typeset for print: a title row (often with spaces
between the characters and a year or the unit's name before it), a 编制单位 and 单位：万元|元
row, headers merged over two or three rows, a 栏次 row, 科目编码 (3/5/7 digits = 类/款/项) and
科目名称 columns, 合计/总计 rows, blank or 「-」 cells. A table is known by its title, not by
its number or its sheet's name; its columns by the texts of their merged headings
(「本年支出/基本支出」), its rows by their 科目编码 or label (「本年收入合计」).

This module keeps every figure's cell (`Cell`: file, sheet, table, Excel row and column, heading,
栏次) and the value as read; `selfeval.clean.final_accounts` reads the values in the table's
金额单位, checks the tables against each other and feeds them into the year's tables. Tables of
the larger sets some provinces publish (13 or 15 tables) and sheets without a known title are
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from selfeval.read.grid import TITLE_ROWS, Grid, cell_ref
from selfeval.read.sheet import is_blank

KIND = "final_accounts"

#: The nine tables by the numbers the national set gives them, with their published names.
TABLE_NAMES = {
    "表1": "收入支出决算总表",
    "表2": "收入决算表",
    "表3": "支出决算表",
    "表4": "财政拨款收入支出决算总表",
    "表5": "一般公共预算财政拨款支出决算表",
    "表6": "一般公共预算财政拨款基本支出决算表",
    "表7": "一般公共预算财政拨款“三公”经费支出决算表",
    "表8": "政府性基金预算财政拨款收入支出决算表",
    "表9": "国有资本经营预算财政拨款支出决算表",
}
#: How a title names each table, most specific first (「支出决算表」 ends several titles).
TITLE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("表4", ("财政拨款收入支出决算总表",)),
    ("表7", ("三公经费支出决算表", "三公经费决算表", "三公经费")),
    ("表6", ("基本支出决算明细表", "基本支出决算表")),
    ("表8", ("政府性基金预算财政拨款收入支出决算表", "政府性基金预算财政拨款支出决算表")),
    ("表9", ("国有资本经营预算财政拨款支出决算表", "国有资本经营预算财政拨款收入支出决算表")),
    ("表5", ("一般公共预算财政拨款支出决算表",)),
    ("表1", ("收入支出决算总表",)),
    ("表2", ("收入决算表",)),
    ("表3", ("支出决算表",)),
)
#: Tables of the larger sets (13 or 15 tables) whose titles would otherwise read as one of the
#: nine (「一般公共预算财政拨款项目支出决算表」 ends in 支出决算表): ignored.
EXTRA_TABLES = ("项目支出决算表", "机关运行经费", "政府采购", "国有资产")
#: A title is a short line ending in 表, perhaps followed by a bracketed note (（公开03表）).
MAX_TITLE_CHARS = 60
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_UNIT = re.compile(r"(?:^|[^制])单位[:：]\s*(?:人民币)?(万元|元)")
_YEAR = re.compile(r"(\d{4})\s*年")
#: 「编制单位：云溪区图书馆」, perhaps with 「单位：万元」 after it in the same cell.
_MAKER = re.compile(r"编制单位[:：](.*?)(?:(?<!制)单位[:：].*)?$")
CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
#: Labels whose row is a table's total (合计/总计), and enumeration prefixes of row labels.
TOTAL_LABELS = ("合计", "总计")
_NUMERAL = "一二三四五六七八九十"
_ENUMERATION = re.compile(rf"^(?:[{_NUMERAL}]+[、.．]|[（(][{_NUMERAL}\d]+[）)]|\d+[、.．])")
#: Sides of the tables laid out in two halves (收入|支出 in 表1/表4, 人员经费|公用经费 in 表6).
SIDES = ("收入", "支出", "人员经费", "公用经费")


def normal(text: str) -> str:
    """A heading or label without spaces, quotes and the 「其中：」 of sub-lines."""
    text = _QUOTES.sub("", re.sub(r"\s+", "", text))
    return text.removeprefix("其中:").removeprefix("其中：")


def label_of(text: str) -> str:
    """A row label as compared: normalised, its enumeration (「一、」「（二）」) dropped."""
    return _ENUMERATION.sub("", normal(text))


def _title_text(title: str) -> str | None:
    """A 决算 table's title as compared (normalised, trailing notes dropped), or None when the
    text is no such title: a short line ending in 表 that names 决算."""
    text = normal(title)
    while _TRAILING_NOTE.search(text):
        text = _TRAILING_NOTE.sub("", text)
    if not text or len(text) > MAX_TITLE_CHARS or not text.endswith("表") or "决算" not in text:
        return None
    return text


def table_key(title: str) -> str | None:
    """Which of the nine tables a title names (「表3」), or None."""
    text = _title_text(title)
    if text is None:
        return None
    if any(extra in text for extra in EXTRA_TABLES):
        return None
    for key, names in TITLE_RULES:
        if any(name in text for name in names):
            return key
    return None


def recognise(grids: Sequence[Grid]) -> bool:
    """A workbook is a 决算 set when one of its sheets carries a 决算 table's title (a unit's own
    workbook with 决算 tables pasted into it stays the unit's: `read.published.is_units_own`)."""
    return any(table_key(title) is not None for grid in grids for _part, title in _tables_of(grid))


def sheet_title(grid: Grid) -> str:
    """The sheet's title: the first text of its top rows that reads as a 决算 table's title, so
    a label printed above it (「公开01表」「附表1」) does not hide it; else its first text."""
    for row, _col, text in grid.texts():
        if row > TITLE_ROWS:
            break
        if _title_text(text) is not None:
            return re.sub(r"\s+", "", text)
    return grid.title()


@dataclass(frozen=True)
class Cell:
    """Where a figure is: the 审核底稿 and every message name it."""

    table: str
    file: str
    sheet: str
    row: int
    col: int
    heading: str
    lanci: str
    value: Any

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def blank(self) -> bool:
        return is_blank(self.value)

    def column(self) -> str:
        """The column's heading and 栏次, as a message names a column: 「基本支出（栏次2）」."""
        heading = self.heading.split("/")[-1] if self.heading else ""
        return f"{heading}（栏次{self.lanci}）" if self.lanci else heading

    def where(self) -> str:
        """「决算.xlsx 工作表「表3」第7行「基本支出（栏次2）」（D7）」: the words of
        `selfeval.errors.Problem.location`."""
        return f"{self.file} 工作表「{self.sheet}」第{self.row}行「{self.column()}」（{self.ref}）"


@dataclass
class Line:
    """One row of a table (one side of it in a two-sided table)."""

    row: int
    code: str
    label: str
    side: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def total(self) -> bool:
        return self.label in TOTAL_LABELS

    def cell(self, *words: str, without: tuple[str, ...] = ()) -> Cell | None:
        """The first cell whose heading holds every word and none of `without`."""
        for heading, cell in self.cells.items():
            if all(w in heading for w in words) and not any(w in heading for w in without):
                return cell
        return None


@dataclass
class Table:
    """One published table: its title, 金额单位 (and the cell stating it), and its rows."""

    key: str
    title: str
    file: str
    sheet: str
    title_row: int
    unit: str | None = None
    unit_cell: str = ""
    #: The 编制单位 its title block names (and that cell): the unit whose 决算 this is.
    maker: str = ""
    maker_cell: str = ""
    year: int | None = None
    headings: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def name(self) -> str:
        """「表3「支出决算表」」: the table as messages name it."""
        return f"{self.key}「{TABLE_NAMES[self.key]}」"

    @property
    def empty(self) -> bool:
        """No figure at all (a published 表8/表9 of a unit without such funds)."""
        return not any(
            not c.blank and not (isinstance(c.value, str) and normal(c.value) in ("", "-", "—"))
            for line in self.lines
            for c in line.cells.values()
        )

    def line(self, label: str, side: str | None = None) -> Line | None:
        """The row labelled `label` (on `side`, for a two-sided table); of two, the one with
        cells (a label merged over one half's columns leaves that half without any)."""
        found = [
            line
            for line in self.lines
            if line.label == label and (side is None or line.side == side)
        ]
        return next((line for line in found if line.cells), found[0] if found else None)

    def total_line(self) -> Line | None:
        return next((line for line in self.lines if line.total), None)

    def coded(self) -> list[Line]:
        return [line for line in self.lines if line.code]


@dataclass
class FinalAccounts:
    """The 决算 tables of a year, by key (表1 … 表9), and what was found but not read."""

    tables: dict[str, Table] = field(default_factory=dict)
    #: (file, sheet, key) of a second table of the same kind: the caller names both.
    duplicates: list[tuple[Table, Table]] = field(default_factory=list)
    ignored: list[tuple[str, str, str]] = field(default_factory=list)


#: How a note under a table begins (「注：本单位没有…决算表」 names a table without being one).
_NOTE_STARTS = ("注", "说明", "备注")


def _heads(grid: Grid, row: int, text: str) -> bool:
    """Whether `text` at `row` is a further table's title: a title alone in its row, no note."""
    flat = normal(text)
    if flat.startswith(_NOTE_STARTS) or "本单位" in flat or _title_text(text) is None:
        return False
    return sum(1 for t in grid.row_texts(row) if t) == 1


def _tables_of(grid: Grid) -> list[tuple[Grid, str]]:
    """The sheet cut at each further title row, each part with its title: some units paste the
    nine tables one under another on a single sheet, and reading that sheet as its first table
    alone would silently drop the other eight and their checks. Each part keeps the sheet's
    Excel rows, so every message still names the cell the clerk sees."""
    first = sheet_title(grid)
    starts = sorted(
        {row for row, _, text in grid.texts() if row > TITLE_ROWS and _heads(grid, row, text)}
    )
    if not starts:
        return [(grid, first)]
    bounds = [(1, starts[0] - 1)] + [
        (a, b - 1) for a, b in zip(starts, [*starts[1:], grid.n_rows + 1], strict=True)
    ]
    parts = []
    for top, bottom in bounds:
        cells = {rc: v for rc, v in grid.cells.items() if top <= rc[0] <= bottom}
        merges = tuple(m for m in grid.merges if top <= m[0] and m[2] <= bottom)
        part = Grid(grid.file, grid.sheet, cells, merges)
        title = first if top == 1 else re.sub(r"\s+", "", next(part.texts())[2])
        parts.append((part, title))
    return parts


def read_final_accounts(grids: Sequence[Grid]) -> FinalAccounts:
    """Every 决算 table among the sheets of the recognised workbooks (several on one sheet, one
    under another, are read as several)."""
    out = FinalAccounts()
    for grid, title in (part for sheet in grids for part in _tables_of(sheet)):
        key = table_key(title)
        if key is None:
            if grid.cells:
                out.ignored.append((grid.file, grid.sheet, title))
            continue
        table = parse_table(grid, key, title)
        if key in out.tables:
            out.duplicates.append((out.tables[key], table))
            continue
        out.tables[key] = table
    return out


def _title_row(grid: Grid, title: str) -> int:
    """The row of the title (below a label such as 「公开01表」), else of the first text."""
    rows = [row for row, _col, text in grid.texts() if re.sub(r"\s+", "", text) == title]
    return rows[0] if rows else next((row for row, _col, _text in grid.texts()), 1)


def _unit_and_year(grid: Grid, table: Table, last: int) -> int:
    """Fill the table's 金额单位 (and the cell stating it) and the year its title names; the last
    row of the title block (title, 编制单位, 单位 rows)."""
    end = table.title_row
    year = _YEAR.search(table.title)
    table.year = int(year.group(1)) if year else None
    for row, col, text in grid.texts():
        if row > last:
            break
        flat = re.sub(r"\s+", "", text)
        maker = _MAKER.search(flat)
        if maker and maker.group(1):
            table.maker, table.maker_cell = maker.group(1), grid.ref(row, col)
        match = _UNIT.search(flat)
        if match:
            table.unit, table.unit_cell = match.group(1), grid.ref(row, col)
            end = max(end, row)
        elif "编制单位" in text:
            end = max(end, row)
    return end


def _is_lanci_row(grid: Grid, row: int) -> bool:
    """The 栏次 row under the headings: 「栏次」 and the columns' numbers, or the numbers alone
    (1, 2, 3 …, as 表7 is often printed)."""
    texts = [normal(t) for t in grid.row_texts(row) if t]
    if "栏次" in texts and not any(CODE.match(t) for t in texts):
        return True
    numbers = [t for t in texts if t.isdigit()]
    return len(texts) >= 2 and len(numbers) == len(texts) and numbers[:2] == ["1", "2"]


def _is_data_row(grid: Grid, row: int) -> bool:
    """A row of figures (a table printed without a 栏次 row starts its data there)."""
    texts = [normal(t) for t in grid.row_texts(row) if t]
    return any(CODE.match(t) for t in texts) or any(
        isinstance(grid.value(row, c), int | float) for c in range(1, grid.n_cols + 1)
    )


def _header_block(grid: Grid, start: int) -> tuple[range, int | None]:
    """The header rows after the title block, and the 栏次 row (None when the table has none)."""
    last = grid.n_rows
    for row in range(start, last + 1):
        if _is_lanci_row(grid, row):
            return range(start, row), row
        if row > start and _is_data_row(grid, row):
            return range(start, row), None
    return range(start, last + 1), None


def _headings(grid: Grid, rows: range) -> dict[int, str]:
    """Each column's heading: the texts above it from top to bottom (merged cells repeat theirs),
    joined by 「/」 (「本年支出/基本支出」)."""
    out = {}
    for col in range(1, grid.n_cols + 1):
        parts: list[str] = []
        for row in rows:
            text = normal(grid.text(row, col))
            if text and text not in parts:
                parts.append(text)
        out[col] = "/".join(parts)
    return out


def _role(heading: str) -> str:
    last = heading.split("/")[-1]
    if last in ("款", "项"):  # codes split over 类|款|项 columns: rows are known by name
        return "skip"
    if "编码" in last or last == "类":
        return "code"
    if "名称" in last or last in ("项目", "科目"):
        return "label"
    if "行次" in last or last == "栏次":
        return "skip"
    return "amount" if heading else "skip"


@dataclass
class _Group:
    side: str
    code: int | None = None
    label: int | None = None
    amounts: list[int] = field(default_factory=list)


def _groups(headings: dict[int, str]) -> list[_Group]:
    """Columns in groups, each its label columns then its amounts: one group for most tables,
    two (收入|支出) for 表1/表4, several for 表6's 人员经费|公用经费 halves."""
    groups: list[_Group] = []
    for col, heading in headings.items():
        role = _role(heading)
        if role in ("code", "label"):
            if not groups or groups[-1].amounts or getattr(groups[-1], role) is not None:
                first = heading.split("/")[0]
                groups.append(_Group(first if first in SIDES else ""))
            setattr(groups[-1], role, col)
        elif role == "amount":
            if not groups:
                groups.append(_Group(""))
            groups[-1].amounts.append(col)
    return groups


def _line(grid: Grid, table: Table, group: _Group, row: int, headings, lanci) -> Line | None:
    code_text = normal(grid.text(row, group.code)) if group.code else ""
    label_text = grid.text(row, group.label) if group.label else ""
    code = code_text if CODE.match(code_text) else ""
    label = label_of(label_text if label_text else ("" if code else code_text))
    if label.startswith(("注", "说明")) or len(label) > MAX_TITLE_CHARS:
        return None  # a note under the table
    merged = {grid.origin(row, c) for c in (group.code, group.label) if c}
    cells = {}
    for col in group.amounts:
        if grid.origin(row, col) in merged:
            continue  # the label's merged cell spans this column
        value = grid.value(row, col) if grid.origin(row, col) == (row, col) else None
        heading = headings[col]
        if group.side and heading.startswith(group.side + "/"):
            heading = heading[len(group.side) + 1 :]
        cells[heading] = Cell(
            table.key, table.file, table.sheet, row, col, heading, lanci.get(col, ""), value
        )
    if not code and not label and all(c.blank for c in cells.values()):
        return None
    return Line(row, code, label, group.side, cells)


def parse_table(grid: Grid, key: str, title: str) -> Table:
    """One table as laid out: headings, 栏次, and its rows with their cells."""
    title = re.sub(r"\s+", "", title)
    table = Table(key, title, grid.file, grid.sheet, _title_row(grid, title))
    block_end = _unit_and_year(grid, table, table.title_row + TITLE_ROWS)
    header_rows, lanci_row = _header_block(grid, block_end + 1)
    headings = _headings(grid, header_rows)
    lanci = (
        {c: normal(grid.text(lanci_row, c)) for c in headings if grid.text(lanci_row, c)}
        if lanci_row
        else {}
    )
    lanci = {c: t for c, t in lanci.items() if t not in ("栏次", "行次")}
    groups = _groups(headings)
    table.headings = [h for c, h in headings.items() if _role(h) == "amount"]
    first = (lanci_row or (header_rows.stop - 1)) + 1
    for row in range(first, grid.n_rows + 1):
        for group in groups:
            line = _line(grid, table, group, row, headings, lanci)
            if line is not None:
                table.lines.append(line)
    return table
