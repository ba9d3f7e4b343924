"""The approved 绩效目标申报表 read as laid out (`selfeval.read.published.target_form`): the
national form and the 一体化 export, written by openpyxl with their merged cells; every value
below is copied by hand from `tests/target_forms.py`."""

from __future__ import annotations

import openpyxl
from target_forms import GOAL, UNIT, write_export, write_national

from selfeval.read import find_raw_files
from selfeval.read.published.target_form import FormCell, parse


def _form(tmp_path, writer, name):
    writer(tmp_path / name)
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "published"
    forms, problems = parse(raw.published["target_form"])
    assert problems == []
    (form,) = forms
    return form


def test_the_national_form_is_recognised_and_read_with_its_cells(tmp_path):
    form = _form(tmp_path, write_national, "申报表.xlsx")
    assert (form.year, form.unit_name, form.goal) == (2024, UNIT, GOAL)
    assert form.goal_cell == FormCell("申报表.xlsx", "申报表", 9, 2)
    assert form.amount_unit == "万元"
    # 总额 (column E) under the merged 预算金额, the 金额合计 row left out
    assert [(t.name, t.content, t.amount, t.cell.ref) for t in form.tasks] == [
        ("免费开放", "保障全年免费开放", 120.5, "B6"),
        ("全民阅读", "开展阅读推广活动", 80.0, "B7"),
    ]
    rows = [(i.level1, i.level2, i.level3, i.value, i.cell.ref) for i in form.indicators]
    assert rows == [
        # 一级 merged B11:B13, 二级 C11:C12: each row reads the merged value
        ("产出指标", "数量指标", "开放天数", "≥360天", "F11"),
        ("产出指标", "数量指标", "举办阅读活动", "≥20次", "F12"),
        ("产出指标", "质量指标", "图书外借率", "≥95%", "F13"),
        ("效益指标", "社会效益指标", "全民阅读氛围", "明显提升", "F14"),
        ("满意度指标", "服务对象满意度指标", "读者满意度", "≥90%", "F15"),
    ]
    # the national form states no 指标性质, 度量单位 or 分值
    assert {(i.direction, i.unit, i.weight) for i in form.indicators} == {(None, None, None)}


def test_the_export_reads_nature_unit_and_weight_under_a_merged_heading(tmp_path):
    form = _form(tmp_path, write_export, "一体化导出.xlsx")
    assert (form.year, form.unit_name, form.amount_unit) == (2024, UNIT, "元")
    assert form.goal == GOAL and form.goal_cell.ref == "B6"
    assert [(t.name, t.amount) for t in form.tasks] == [
        ("免费开放", 1205000.0),
        ("全民阅读", 800000.0),
    ]
    rows = [
        (i.level1, i.level2, i.level3, i.direction, i.value, i.unit, i.weight, i.cell.ref)
        for i in form.indicators
    ]
    assert rows == [
        ("产出指标", "数量指标", "开放天数", "≥", "360", "天", 30.0, "E9"),
        ("产出指标", "数量指标", "举办阅读活动", "≥", "20", "次", 20.0, "E10"),  # 大于等于
        ("产出指标", "时效指标", "投诉处理时长", "≤", "3", "天", 10.0, "E11"),
        ("效益指标", "社会效益指标", "到馆人次", "≥", "10000", "人次", 20.0, "E12"),
        ("满意度指标", "服务对象满意度指标", "读者满意度", "≥", "90", "%", 10.0, "E13"),
    ]


def test_a_form_beside_the_units_workbook_goes_to_published(tmp_path):
    write_national(tmp_path / "申报表.xlsx")
    wb = openpyxl.Workbook()
    wb.active.title = "单位概况"
    wb.active.append(["项目", "内容"])
    wb.active.append(["单位名称", UNIT])
    wb.save(tmp_path / "数据.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "xlsx" and list(raw.sheets) == ["单位概况"]
    assert [g.file for g in raw.published["target_form"]] == ["申报表.xlsx"]


def test_an_unreadable_nature_and_a_missing_header_are_located(tmp_path):
    path = write_export(tmp_path / "导出.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["D10"] = "较上年提高"
    wb.save(path)
    national = write_national(tmp_path / "申报表.xlsx")
    wb = openpyxl.load_workbook(national)
    wb.active["D10"] = "指标名称"  # no 三级指标 heading left
    wb.save(national)
    raw = find_raw_files(tmp_path)
    forms, problems = parse(raw.published["target_form"])
    assert [f.file for f in forms] == ["导出.xlsx"]
    assert [str(p) for p in problems] == [
        "导出.xlsx 工作表「绩效目标」 第10行「指标性质」（D10）: 较上年提高 不是可识别的指标性质"
        "（应为：≥、≤、=、定性（或 大于等于、小于等于、等于））",
        "申报表.xlsx 工作表「申报表」: 是绩效目标申报表，但找不到绩效指标的表头"
        "（应为：一行依次写有「一级指标」「二级指标」「三级指标」「指标值」）",
    ]


def test_a_self_evaluation_form_is_not_a_target_form(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "部门整体支出绩效自评表"
    wb.active.merge_cells("A1:D1")
    wb.save(tmp_path / "自评表.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.published == {}


def test_a_form_pasted_into_the_units_own_workbook_leaves_it_the_units(tmp_path):
    """Taken as a form, the workbook's 单位概况 would go unread: it stays the unit's, and the
    pasted sheet's merged cells are the problems that point at it."""
    path = write_national(tmp_path / "数据.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("单位概况")
    ws.append(["项目", "内容"])
    ws.append(["单位名称", UNIT])
    wb.save(path)
    raw = find_raw_files(tmp_path)
    assert raw.published == {} and raw.kind == "xlsx"
    assert "单位概况" in raw.sheets and raw.sheets["申报表"].unreadable
    assert {p.code for p in raw.problems} == {"merged_cells"}
    assert {p.sheet for p in raw.problems} == {"申报表"}
