"""`make template` pre-fills next year's 绩效目标 from this year's approved targets: the 申报表
when the year has one, else the year's own 绩效目标 rows without their results. Read back with
openpyxl; the expected rows are copied by hand from `tests/target_forms.py` and the CSV below."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from target_forms import write_export

from selfeval import config
from selfeval.cli import template_cli

UNIT_NAME = "云溪区图书馆"
TARGETS = [
    ["一级指标", "二级指标", "三级指标", "方向", "目标值", "实际值", "单位", "分值", "偏差原因"],
    ["产出指标", "数量指标", "开放天数", "≥", "360", "362", "天", "40", ""],
    ["预算执行率", "", "预算执行率", "", "", "", "", "10", "年底追加资金"],
    ["效益指标", "社会效益指标", "全民阅读氛围", "定性", "明显提升", "提升", "", "50", "少"],
]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    folder = tmp_path / "data" / "raw" / "2024"
    folder.mkdir(parents=True)
    with open(folder / "单位概况.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["项目", "内容"], ["单位名称", UNIT_NAME]])
    return tmp_path


def _prefilled(root: Path) -> tuple[list[list], list[str]]:
    wb = openpyxl.load_workbook(root / "data/raw/2025" / f"{UNIT_NAME}2025年度绩效自评数据.xlsx")
    ws = wb["绩效目标"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    notes = [r[0].value for r in wb["填表说明"].iter_rows() if r[0].value]
    return [dict(zip(header, r, strict=True)) for r in rows], notes


def test_the_forms_indicators_are_next_years_rows(project, capsys):
    write_export(project / "data/raw/2024/申报表.xlsx", unit=UNIT_NAME)
    assert template_cli(2025) == 0
    rows, notes = _prefilled(project)
    got = [
        (r["一级指标"], r["二级指标"], r["三级指标"], r["方向"], r["目标值"], r["单位"], r["分值"])
        for r in rows
    ]
    assert got == [
        ("产出指标", "数量指标", "开放天数", "≥", "360", "天", 30),
        ("产出指标", "数量指标", "举办阅读活动", "≥", "20", "次", 20),
        ("产出指标", "时效指标", "投诉处理时长", "≤", "3", "天", 10),
        ("效益指标", "社会效益指标", "到馆人次", "≥", "10000", "人次", 20),
        ("满意度指标", "服务对象满意度指标", "读者满意度", "≥", "90", "%", 10),
    ]
    results = ("实际值", "评价", "得分", "偏差原因", "改进措施", "项目")
    assert {r[k] for r in rows for k in results} == {None}
    assert any(n.startswith("「绩效目标」已按 2024 年度批复的绩效目标预填") for n in notes)
    assert "「绩效目标」已按 2024 年度批复的 5 项指标预填" in capsys.readouterr().out


def test_without_a_form_the_years_own_targets_are_taken_without_results(project):
    with open(project / "data/raw/2024/绩效目标.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(TARGETS)
    assert template_cli(2025) == 0
    rows, _notes = _prefilled(project)
    keys = ("三级指标", "方向", "目标值", "分值", "实际值", "偏差原因")
    got = [tuple(r[k] for k in keys) for r in rows]
    # the 预算执行率 row carries a result (its 偏差原因), not a target: left out
    assert got == [
        ("开放天数", "≥", "360", "40", None, None),
        ("全民阅读氛围", "定性", "明显提升", "50", None, None),
    ]
