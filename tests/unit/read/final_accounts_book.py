"""A unit's nine 决算 tables written with openpyxl as units publish them: merged (and spaced)
titles, a 编制单位 / 单位 row, headers merged over two or three rows, a 栏次 row, 科目编码 rows of
3/5/7 digits, 合计/总计 rows, blank and 「-」 cells, an empty 表8/表9 with its note.

The figures are hand-written and agree across the tables (`FIGURES` says which the report
states); a test changes one cell with `put` to break one rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

UNIT = "云溪区图书馆"
YEAR = 2024

#: What the report built from these tables states, copied by hand from the tables below (万元).
FIGURES = {
    "收入合计": 556.00,
    "事业收入": 30.20,
    "其他收入": 5.30,
    "一般公共预算支出": 524.30,
    "基本支出": 380.30,
    "项目支出": 144.00,
    "工资福利支出": 300.00,
    "对个人和家庭的补助": 20.30,
    "商品和服务支出": 55.00,
    "资本性支出": 5.00,
    "三公决算": 10.50,
    "公务用车购置及运行费": 7.30,
    "公务接待费": 3.20,
}


def _head(ws: Worksheet, title: str, width: int, unit: str = "万元") -> None:
    ws.cell(1, 1, " ".join(title))  # typeset with spaces between the characters
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"编制单位：{UNIT}")
    ws.cell(2, width, f"单位：{unit}")


def _rows(ws: Worksheet, first: int, rows: list[list[Any]]) -> None:
    for r, values in enumerate(rows, start=first):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)


def _coded(ws: Worksheet, title: str, top: list, sub: list, rows: list[list[Any]], unit: str):
    """A table with 科目编码/科目名称 under 项目 and amount headings over one or two rows."""
    width = 2 + len(sub)
    _head(ws, title, width, unit)
    ws.cell(3, 1, "项目")
    ws.merge_cells("A3:B3")
    ws.cell(4, 1, "科目编码")
    ws.cell(4, 2, "科目名称")
    col = 3
    for text, span in top:
        ws.cell(3, col, text)
        if span > 1:
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
        col += span
    for i, text in enumerate(sub, start=3):
        if text is None:  # the heading above spans both header rows
            ws.merge_cells(start_row=3, start_column=i, end_row=4, end_column=i)
        else:
            ws.cell(4, i, text)
    _rows(ws, 5, [["栏次", None, *range(1, len(sub) + 1)]])
    ws.merge_cells("A5:B5")
    _rows(ws, 6, rows)
    for r, values in enumerate(rows, start=6):
        if values and values[0] in ("合计", "总计"):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)


def table1(ws: Worksheet, unit: str = "万元") -> None:
    _head(ws, f"{YEAR}年度收入支出决算总表", 6, unit)
    ws.cell(3, 1, "收入")
    ws.merge_cells("A3:C3")
    ws.cell(3, 4, "支出")
    ws.merge_cells("D3:F3")
    _rows(ws, 4, [["项目", "行次", "金额", "项目", "行次", "金额"]])
    _rows(ws, 5, [["栏次", None, 1, "栏次", None, 2]])
    _rows(
        ws,
        6,
        [
            ["一、一般公共预算财政拨款收入", 1, 520.5, "一、文化旅游体育与传媒支出", 32, 480],
            ["二、政府性基金预算财政拨款收入", 2, "-", "二、社会保障和就业支出", 33, 45.6],
            ["三、国有资本经营预算财政拨款收入", 3, None, "三、卫生健康支出", 34, 15.2],
            ["四、上级补助收入", 4, None, "四、住房保障支出", 35, 20.1],
            ["五、事业收入", 5, 30.2, None, None, None],
            ["六、经营收入", 6, 0, None, None, None],
            ["七、附属单位上缴收入", 7, None, None, None, None],
            ["八、其他收入", 8, 5.3, None, None, None],
            ["本年收入合计", 9, 556, "本年支出合计", 36, 560.9],
            ["使用非财政拨款结余", 10, 0, "结余分配", 37, 0],
            ["年初结转和结余", 11, 12.4, "年末结转和结余", 38, 7.5],
            ["总计", 12, 568.4, "总计", 39, 568.4],
        ],
    )


def table2(ws: Worksheet, unit: str = "万元") -> None:
    sub = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入"]
    sub += ["附属单位上缴收入", "其他收入"]
    rows = [
        ["合计", None, 556, 520.5, "-", 30.2, "-", "-", 5.3],
        ["207", "文化旅游体育与传媒支出", 495.5, 460, None, 30.2, None, None, 5.3],
        ["20702", "文化和旅游", 495.5, 460, None, 30.2, None, None, 5.3],
        ["2070204", "图书馆", 495.5, 460, None, 30.2, None, None, 5.3],
        ["208", "社会保障和就业支出", 40, 40, None, None, None, None, None],
        ["210", "卫生健康支出", 9, 9, None, None, None, None, None],
        ["221", "住房保障支出", 11.5, 11.5, None, None, None, None, None],
    ]
    _coded(ws, "收入决算表", [(s, 1) for s in sub], [None] * len(sub), rows, unit)


def table3(ws: Worksheet, unit: str = "万元") -> None:
    sub = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出"]
    sub += ["对附属单位补助支出"]
    rows = [
        ["合计", None, 560.9, 410.3, 150.6, None, None, None],
        ["207", "文化旅游体育与传媒支出", 480, 329.4, 150.6, None, None, None],
        ["20702", "文化和旅游", 480, 329.4, 150.6, None, None, None],
        ["2070204", "图书馆", 480, 329.4, 150.6, None, None, None],
        ["208", "社会保障和就业支出", 45.6, 45.6, None, None, None, None],
        ["210", "卫生健康支出", 15.2, 15.2, None, None, None, None],
        ["221", "住房保障支出", 20.1, 20.1, None, None, None, None],
    ]
    _coded(ws, "支出决算表", [(s, 1) for s in sub], [None] * len(sub), rows, unit)


def table4(ws: Worksheet, unit: str = "万元") -> None:
    _head(ws, "财政拨款收入支出决算总表", 9, unit)
    ws.cell(3, 1, "收入")
    ws.merge_cells("A3:C3")
    ws.cell(3, 4, "支出")
    ws.merge_cells("D3:I3")
    heads = ["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算财政拨款"]
    _rows(ws, 4, [[*heads, "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]])
    _rows(ws, 5, [["栏次", None, 1, "栏次", None, 2, 3, 4, 5]])
    _rows(
        ws,
        6,
        [
            ["一、一般公共预算财政拨款", 1, 520.5, "一、文化旅游体育与传媒支出", 33, 460.1, 460.1],
            ["二、政府性基金预算财政拨款", 2, "-", "二、社会保障和就业支出", 34, 40, 40],
            ["三、国有资本经营预算财政拨款", 3, "-", "三、卫生健康支出", 35, 12.6, 12.6],
            [None, None, None, "四、住房保障支出", 36, 11.6, 11.6],
            ["本年收入合计", 4, 520.5, "本年支出合计", 37, 524.3, 524.3, "-", "-"],
            ["年初财政拨款结转和结余", 5, 8, "年末财政拨款结转和结余", 38, 4.2, 4.2],
            ["总计", 6, 528.5, "总计", 39, 528.5, 528.5, "-", "-"],
        ],
    )


def table5(ws: Worksheet, unit: str = "万元") -> None:
    rows = [
        ["合计", None, 500, 524.3, 380.3, 144],
        ["207", "文化旅游体育与传媒支出", 450, 460.1, 316.1, 144],
        ["20702", "文化和旅游", 450, 460.1, 316.1, 144],
        ["2070204", "图书馆", 450, 460.1, 316.1, 144],
        ["208", "社会保障和就业支出", 30, 40, 40, None],
        ["210", "卫生健康支出", 10, 12.6, 12.6, None],
        ["221", "住房保障支出", 10, 11.6, 11.6, None],
    ]
    top = [("年初预算数", 1), ("本年支出", 3)]
    sub = [None, "小计", "基本支出", "项目支出"]
    _coded(ws, "一般公共预算财政拨款支出决算表", top, sub, rows, unit)


def table6(ws: Worksheet, unit: str = "万元") -> None:
    _head(ws, "一般公共预算财政拨款基本支出决算表", 9, unit)
    ws.cell(3, 1, "人员经费")
    ws.merge_cells("A3:C3")
    ws.cell(3, 4, "公用经费")
    ws.merge_cells("D3:I3")
    _rows(ws, 4, [["科目编码", "科目名称", "决算数"] * 3])
    _rows(
        ws,
        5,
        [
            ["301", "工资福利支出", 300, "302", "商品和服务支出", 55, "310", "资本性支出", 5],
            ["30101", "基本工资", 120, "30201", "办公费", 25, "31002", "办公设备购置", 5],
            ["30102", "津贴补贴", 80, "30205", "水费", 30, None, None, None],
            ["30107", "绩效工资", 100, None, None, None, None, None, None],
            ["303", "对个人和家庭的补助", 20.3, None, None, None, None, None, None],
            ["30305", "生活补助", 20.3, None, None, None, None, None, None],
            ["人员经费合计", None, 320.3, "公用经费合计", None, None, None, None, 60],
        ],
    )
    ws.merge_cells("A11:B11")
    ws.merge_cells("D11:H11")


def table7(ws: Worksheet, unit: str = "万元") -> None:
    _head(ws, "一般公共预算财政拨款“三公”经费支出决算表", 12, unit)
    for col, text in ((1, "预算数"), (7, "决算数")):
        ws.cell(3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 5)
        ws.cell(4, col, "合计")
        ws.cell(4, col + 1, "因公出国（境）费")
        ws.cell(4, col + 2, "公务用车购置及运行费")
        ws.merge_cells(start_row=4, start_column=col + 2, end_row=4, end_column=col + 4)
        ws.cell(4, col + 5, "公务接待费")
        ws.cell(5, col + 2, "小计")
        ws.cell(5, col + 3, "公务用车购置费")
        ws.cell(5, col + 4, "公务用车运行费")
        for c in (col, col + 1, col + 5):
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
    _rows(ws, 6, [list(range(1, 13))])
    _rows(ws, 7, [[12, 0, 8, 0, 8, 4, 10.5, "-", 7.3, "-", 7.3, 3.2]])


def table8(ws: Worksheet, unit: str = "万元") -> None:
    top = [("年初结转和结余", 1), ("本年收入", 1), ("本年支出", 3), ("年末结转和结余", 1)]
    sub = [None, None, "小计", "基本支出", "项目支出", None]
    _coded(ws, "政府性基金预算财政拨款收入支出决算表", top, sub, [], unit)
    ws.cell(7, 1, f"注：本单位{YEAR}年度没有使用政府性基金预算财政拨款安排的支出，故本表无数据。")
    ws.merge_cells("A7:H7")


def table9(ws: Worksheet, unit: str = "万元") -> None:
    top = [("本年支出", 3)]
    sub = ["合计", "基本支出", "项目支出"]
    _coded(ws, "国有资本经营预算财政拨款支出决算表", top, sub, [], unit)


TABLES = (table1, table2, table3, table4, table5, table6, table7, table8, table9)


def write_book(path: Path, tables=TABLES, unit: str = "万元", units: dict | None = None) -> Path:
    """The tables, one per sheet (sheets named as some units name them), into `path`."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for n, write in enumerate(tables, start=1):
        ws = wb.create_sheet(f"公开{n:02d}表")
        write(ws, (units or {}).get(n, unit))
    wb.save(path)
    return path


def put(path: Path, sheet: str, ref: str, value: Any) -> None:
    """Change one cell of a written book."""
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = value
    wb.save(path)
