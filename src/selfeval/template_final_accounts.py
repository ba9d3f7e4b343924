"""``make template``'s empty 决算 set: the nine tables in the published layout, for a unit that
keeps its books elsewhere and would rather fill the tables it publishes than our 收入/支出/三公经费
sheets.

Each table on its own sheet, as units publish them: the title merged over the table, a 编制单位 and
「单位：万元」 row, headings merged over two or three rows, a 栏次 row, the 合计/总计 rows and the
row labels of 表1, 表4 and 表6 (the economic classes), every amount blank. The reader
(`selfeval.read.published.final_accounts`) recognises it by its titles; left unfilled it is
ignored with a warning, filled it is read like the published tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selfeval.read.published.final_accounts import TABLE_NAMES

FILE_NAME = "决算公开表（模板）.xlsx"
_INCOME = ("本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入")
_INCOME += ("附属单位上缴收入", "其他收入")
_SPENDING = ("本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出")
_SPENDING += ("对附属单位补助支出",)
#: Tables of 科目编码/科目名称 rows: headings above (text, span) and below (None: merged down).
_CODED: dict[str, tuple[list[tuple[str, int]], list[str | None]]] = {
    "表2": ([(h, 1) for h in _INCOME], [None] * len(_INCOME)),
    "表3": ([(h, 1) for h in _SPENDING], [None] * len(_SPENDING)),
    "表5": ([("年初预算数", 1), ("本年支出", 3)], [None, "小计", "基本支出", "项目支出"]),
    "表8": (
        [("年初结转和结余", 1), ("本年收入", 1), ("本年支出", 3), ("年末结转和结余", 1)],
        [None, None, "小计", "基本支出", "项目支出", None],
    ),
    "表9": ([("本年支出", 3)], ["合计", "基本支出", "项目支出"]),
}
_TABLE1_INCOME = (
    "一、一般公共预算财政拨款收入",
    "二、政府性基金预算财政拨款收入",
    "三、国有资本经营预算财政拨款收入",
    "四、上级补助收入",
    "五、事业收入",
    "六、经营收入",
    "七、附属单位上缴收入",
    "八、其他收入",
)
_TABLE4_INCOME = ("一、一般公共预算财政拨款", "二、政府性基金预算财政拨款")
_TABLE4_INCOME += ("三、国有资本经营预算财政拨款",)
_FUNDS = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")
_CLASSES = (
    ("人员经费", (("301", "工资福利支出"), ("303", "对个人和家庭的补助"))),
    ("公用经费", (("302", "商品和服务支出"), ("310", "资本性支出"))),
)


class _Sheet:
    """One table being written: cells, merges and the look of a printed table."""

    def __init__(self, ws: Any, key: str, unit_name: str, width: int, year: int):
        from openpyxl.styles import Alignment, Font

        self.ws, self.width = ws, width
        self.put(1, 1, f"{year}年度{TABLE_NAMES[key]}", Font(bold=True, size=14))
        self.merge(1, 1, 1, width)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        self.put(2, 1, f"编制单位：{unit_name}")
        self.put(2, width, "单位：万元")
        for col in range(1, width + 1):
            ws.column_dimensions[ws.cell(3, col).column_letter].width = 16 if col > 2 else 24

    def put(self, row: int, col: int, value: Any, font: Any = None) -> None:
        cell = self.ws.cell(row, col, value)
        if font is not None:
            cell.font = font

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        if (r0, c0) != (r1, c1):
            self.ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)

    def lanci(self, row: int, labels: list[int], numbers: list[int]) -> None:
        for col in labels:
            self.put(row, col, "栏次")
        for n, col in enumerate(numbers, start=1):
            self.put(row, col, n)


def _coded(sheet: _Sheet, key: str) -> None:
    top, sub = _CODED[key]
    sheet.put(3, 1, "项目")
    sheet.merge(3, 1, 3, 2)
    sheet.put(4, 1, "科目编码")
    sheet.put(4, 2, "科目名称")
    col = 3
    for text, span in top:
        sheet.put(3, col, text)
        sheet.merge(3, col, 3, col + span - 1)
        col += span
    for col, text in enumerate(sub, start=3):
        if text is None:
            sheet.merge(3, col, 4, col)
        else:
            sheet.put(4, col, text)
    sheet.lanci(5, [1], list(range(3, 3 + len(sub))))
    sheet.merge(5, 1, 5, 2)
    sheet.put(6, 1, "合计")
    sheet.merge(6, 1, 6, 2)


def _two_sided(sheet: _Sheet, key: str) -> None:
    income = _TABLE1_INCOME if key == "表1" else _TABLE4_INCOME
    amounts = ["金额"] if key == "表1" else ["合计", *_FUNDS]
    sheet.put(3, 1, "收入")
    sheet.merge(3, 1, 3, 3)
    sheet.put(3, 4, "支出")
    sheet.merge(3, 4, 3, 5 + len(amounts))
    for col, text in enumerate(["项目", "行次", "金额", "项目", "行次", *amounts], start=1):
        sheet.put(4, col, text)
    sheet.lanci(5, [1, 4], [3, *range(6, 6 + len(amounts))])
    rows = [(label, "") for label in income]
    if key == "表1":
        rows += [("本年收入合计", "本年支出合计"), ("使用非财政拨款结余", "结余分配")]
        rows += [("年初结转和结余", "年末结转和结余"), ("总计", "总计")]
    else:
        rows += [("本年收入合计", "本年支出合计")]
        rows += [("年初财政拨款结转和结余", "年末财政拨款结转和结余"), ("总计", "总计")]
    for n, (left, right) in enumerate(rows, start=1):
        sheet.put(5 + n, 1, left)
        sheet.put(5 + n, 2, n)
        if right:
            sheet.put(5 + n, 4, right)
            sheet.put(5 + n, 5, len(income) + n + 20)


def _table6(sheet: _Sheet) -> None:
    for side, col in (("人员经费", 1), ("公用经费", 4)):
        sheet.put(3, col, side)
        sheet.merge(3, col, 3, col + 2)
        for i, text in enumerate(("科目编码", "科目名称", "决算数")):
            sheet.put(4, col + i, text)
    sheet.lanci(5, [1, 4], [3, 6])
    sheet.merge(5, 1, 5, 2)
    sheet.merge(5, 4, 5, 5)
    for (side, classes), col in zip(_CLASSES, (1, 4), strict=True):
        for n, (code, name) in enumerate(classes, start=6):
            sheet.put(n, col, code)
            sheet.put(n, col + 1, name)
        sheet.put(8, col, f"{side}合计")
        sheet.merge(8, col, 8, col + 1)


def _table7(sheet: _Sheet) -> None:
    for col, text in ((1, "预算数"), (7, "决算数")):
        sheet.put(3, col, text)
        sheet.merge(3, col, 3, col + 5)
        for i, item in enumerate(("合计", "因公出国（境）费", "公务用车购置及运行费")):
            sheet.put(4, col + i, item)
        sheet.merge(4, col + 2, 4, col + 4)
        sheet.put(4, col + 5, "公务接待费")
        for i, item in enumerate(("小计", "公务用车购置费", "公务用车运行费"), start=2):
            sheet.put(5, col + i, item)
        for c in (col, col + 1, col + 5):
            sheet.merge(4, c, 5, c)
    sheet.lanci(6, [], list(range(1, 13)))


_WIDTH = {"表1": 6, "表4": 9, "表6": 6, "表7": 12}


def write_final_accounts_template(dest_dir: Path, year: int, unit_name: str = "") -> Path | None:
    """Write the empty nine tables as ``决算公开表（模板）.xlsx`` into ``dest_dir``; None (and
    nothing written) when that file is already there."""
    from openpyxl import Workbook

    path = Path(dest_dir) / FILE_NAME
    if path.exists():
        return None
    wb = Workbook()
    wb.remove(wb.active)
    for key in TABLE_NAMES:
        ws = wb.create_sheet(key)
        width = _WIDTH.get(key) or 2 + len(_CODED[key][1])
        sheet = _Sheet(ws, key, unit_name, width, year)
        if key in _CODED:
            _coded(sheet, key)
        elif key in ("表1", "表4"):
            _two_sided(sheet, key)
        elif key == "表6":
            _table6(sheet)
        else:
            _table7(sheet)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
