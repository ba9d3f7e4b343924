"""绩效目标申报表 workbooks written with openpyxl in the layouts units receive them: the national
form (spaced title, merged label cells, 一级/二级 merged down their rows, 预算金额 merged over
总额 | 财政拨款 | 其他资金) and the 一体化 system's export (year in the title, 「单位名称：…」 in
one cell, amounts in 元, 指标值 merged over 指标性质 | 指标值 | 度量单位, 分值). Shared by the read,
clean, template and build tests; the values each test expects are written out in the test."""

from __future__ import annotations

from pathlib import Path

import openpyxl

UNIT = "云溪区图书馆"
GOAL = "全年免费开放不少于360天，开展全民阅读活动，提升公共文化服务效能。"
#: (一级, 二级, 三级, 指标值) of the national form, rows 11-15.
NATIONAL_INDICATORS = (
    ("产出指标", "数量指标", "开放天数", "≥360天"),
    ("产出指标", "数量指标", "举办阅读活动", "≥20次"),
    ("产出指标", "质量指标", "图书外借率", "≥95%"),
    ("效益指标", "社会效益指标", "全民阅读氛围", "明显提升"),
    ("满意度指标", "服务对象满意度指标", "读者满意度", "≥90%"),
)
#: (一级, 二级, 三级, 指标性质, 指标值, 度量单位, 分值) of the 一体化 export, rows 8-12: the
#: 分值 make 90, the 预算执行率's 10 the rest of 100.
EXPORT_INDICATORS = (
    ("产出指标", "数量指标", "开放天数", "≥", 360, "天", 30),
    ("产出指标", "数量指标", "举办阅读活动", "大于等于", 20, "次", 20),
    ("产出指标", "时效指标", "投诉处理时长", "≤", 3, "天", 10),
    ("效益指标", "社会效益指标", "到馆人次", "≥", 10000, "人次", 20),
    ("满意度指标", "服务对象满意度指标", "读者满意度", "≥", 90, "%", 10),
)


def write_national(path: Path, year: int = 2024, unit: str = UNIT) -> Path:
    """The national 部门（单位）整体支出绩效目标申报表, columns A-G."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    ws["A1"] = "部 门 （单 位） 整 体 支 出 绩 效 目 标 申 报 表"
    ws.merge_cells("A1:G1")
    ws["A2"] = f"（ {year} 年度）"
    ws.merge_cells("A2:G2")
    ws["A3"] = "部门（单位）名称"
    ws.merge_cells("A3:B3")
    ws["C3"] = unit
    ws.merge_cells("C3:G3")
    ws["A4"] = "年度主要任务"
    ws.merge_cells("A4:A8")
    ws["B4"] = "任务名称"
    ws.merge_cells("B4:B5")
    ws["C4"] = "主要内容"
    ws.merge_cells("C4:D5")
    ws["E4"] = "预算金额（万元）"
    ws.merge_cells("E4:G4")
    ws["E5"], ws["F5"], ws["G5"] = "总额", "财政拨款", "其他资金"
    tasks = (
        ("免费开放", "保障全年免费开放", 120.5, 100, 20.5),
        ("全民阅读", "开展阅读推广活动", 80, 80, 0),
    )
    for r, (name, content, total, fiscal, other) in enumerate(tasks, start=6):
        ws.cell(r, 2, name)
        ws.cell(r, 3, content)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        ws.cell(r, 5, total)
        ws.cell(r, 6, fiscal)
        ws.cell(r, 7, other)
    ws["B8"] = "金额合计"
    ws.merge_cells("B8:D8")
    ws["E8"], ws["F8"], ws["G8"] = 200.5, 180, 20.5
    ws["A9"] = "年度总体目标"
    ws["B9"] = GOAL
    ws.merge_cells("B9:G9")
    ws["A10"] = "年度绩效指标"
    ws.merge_cells("A10:A15")
    ws["B10"], ws["C10"], ws["D10"], ws["F10"] = "一级指标", "二级指标", "三级指标", "指标值"
    ws.merge_cells("D10:E10")
    ws.merge_cells("F10:G10")
    for r, (level1, level2, level3, value) in enumerate(NATIONAL_INDICATORS, start=11):
        ws.cell(r, 2, level1)
        ws.cell(r, 3, level2)
        ws.cell(r, 4, level3)
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=5)
        ws.cell(r, 6, value)
        ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=7)
    # 一级 and 二级 merged down their rows, their value in the top cell only (as Excel keeps it)
    ws.merge_cells("B11:B13")
    ws.merge_cells("C11:C12")
    ws["A16"] = "填报人：张三"
    wb.save(path)
    return path


def write_export(path: Path, year: int = 2024, unit: str = UNIT) -> Path:
    """The 一体化 system's export of the same form, columns A-H (指标值说明 is ignored)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    ws["A1"] = f"{year}年度部门（单位）整体支出绩效目标申报表"
    ws.merge_cells("A1:H1")
    ws["A2"] = f"单位名称：{unit}"
    ws.merge_cells("A2:E2")
    ws["F2"] = "金额单位：元"
    ws.merge_cells("F2:H2")
    ws["A3"] = "年度主要任务"
    ws.merge_cells("A3:A5")
    ws["B3"], ws["C3"], ws["F3"] = "任务名称", "主要内容", "预算金额"
    ws.merge_cells("C3:E3")
    ws.merge_cells("F3:H3")
    ws["B4"], ws["C4"], ws["F4"] = "免费开放", "保障全年免费开放", 1205000
    ws.merge_cells("C4:E4")
    ws.merge_cells("F4:H4")
    ws["B5"], ws["C5"], ws["F5"] = "全民阅读", "开展阅读推广活动", 800000
    ws.merge_cells("C5:E5")
    ws.merge_cells("F5:H5")
    ws["A6"] = "年度总体目标"
    ws["B6"] = GOAL
    ws.merge_cells("B6:H6")
    for col, (heading, span) in enumerate(
        (("一级指标", 2), ("二级指标", 2), ("三级指标", 2)), start=1
    ):
        ws.cell(7, col, heading)
        ws.merge_cells(start_row=7, start_column=col, end_row=7 + span - 1, end_column=col)
    ws["D7"] = "指标值"
    ws.merge_cells("D7:F7")
    ws["D8"], ws["E8"], ws["F8"] = "指标性质", "指标值", "度量单位"
    ws["G7"] = "分值"
    ws.merge_cells("G7:G8")
    ws["H7"] = "指标值说明"
    ws.merge_cells("H7:H8")
    for r, row in enumerate(EXPORT_INDICATORS, start=9):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
        ws.cell(r, 8, "按年度统计")
    ws.merge_cells("A9:A11")
    ws.merge_cells("B9:B10")
    wb.save(path)
    return path
