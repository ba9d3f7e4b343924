"""A real build where the approved 绩效目标申报表 (the 一体化 export, openpyxl-written with its
merged cells) drives the year's 绩效自评表 rows and the clerk added only the 实际完成值."""

from __future__ import annotations

import csv
import json

import docx
import pytest
from bs4 import BeautifulSoup
from support import run_build
from target_forms import NATIONAL_INDICATORS, write_export, write_national

from selfeval.synthetic import UNIT_NAME, write_synthetic_years

YEAR = 2024
DRAFT_YEAR = 2023  # the national form alone: no 绩效目标 sheet at all
#: The clerk's whole 绩效目标 sheet: names and results, no 目标值, 方向, 单位 or 分值.
RESULTS = [
    ["三级指标", "实际值", "偏差原因", "改进措施"],
    ["开放天数", "362", "", ""],
    ["举办阅读活动", "18", "场地维修停办两次", "提前安排场地"],
    ["投诉处理时长", "3", "", ""],
    ["到馆人次", "10500", "", ""],
    ["读者满意度", "96", "", ""],
]


@pytest.mark.slow
def test_the_approved_form_drives_the_self_evaluation_rows(tmp_path):
    raw = tmp_path / "data" / "raw"
    write_synthetic_years(raw, [DRAFT_YEAR, YEAR], activities_per_year=5)
    draft = raw / str(DRAFT_YEAR)
    (draft / "绩效目标.csv").unlink()
    write_national(draft / "申报表.xlsx", year=DRAFT_YEAR, unit=UNIT_NAME)
    folder = raw / str(YEAR)
    with open(folder / "绩效目标.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(RESULTS)
    write_export(folder / "绩效目标申报表.xlsx", year=YEAR, unit=UNIT_NAME)
    proc = run_build(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _draft_year_states_results_not_given(tmp_path)

    results = json.loads((tmp_path / "data/processed" / str(YEAR) / "results.json").read_bytes())
    rows = [
        (r["一级指标"], r["三级指标"], r["年度指标值"], r["实际完成值"], r["分值"], r["得分"])
        for r in results["scoring"]["indicators"]
    ]
    # targets, directions, units and 分值 as approved (tests/target_forms.py EXPORT_INDICATORS);
    # scores by hand: met -> the 分值; 举办阅读活动 18 of ≥20 -> 20 × 18 / 20 = 18
    assert rows == [
        ("产出指标", "开放天数", "≥360天", "362天", 30.0, 30.0),
        ("产出指标", "举办阅读活动", "≥20次", "18次", 20.0, 18.0),
        ("产出指标", "投诉处理时长", "≤3天", "3天", 10.0, 10.0),
        ("效益指标", "到馆人次", "≥10000人次", "10500人次", 20.0, 20.0),
        ("满意度指标", "读者满意度", "≥90%", "96%", 10.0, 10.0),
    ]
    # the 审核底稿 names the form's row each indicator came from
    sources = [r["source"] for r in results["scoring"]["indicators"]]
    # with the cell of its 指标值 (figures.common.row_source names a published cell)
    assert sources[0] == "绩效目标申报表.xlsx 工作表「绩效目标」 第9行（E9）"

    html = (tmp_path / "outputs" / str(YEAR) / "report.html").read_text("utf-8")
    table = BeautifulSoup(html, "html.parser").find(id="scoring").select_one("table.scoring")
    texts = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table("tr")]
    row = next(r for r in texts if "举办阅读活动" in r)
    assert row[row.index("举办阅读活动") + 1 :][:3] == ["≥20次", "18次", "20"]
    # the form's 年度总体目标 is the table's 年度总体目标 (the clerk wrote none)
    assert any("全年免费开放不少于360天" in "".join(r) for r in texts)
    _tasks_and_result_rows_are_stated(tmp_path)


def _tasks_and_result_rows_are_stated(root):
    """The export's 年度主要任务 (1,205,000 元 and 800,000 元: 120.50 and 80.00 万元, together
    200.50 万元) in report.html and report.docx alike; the 审核底稿 (review.docx) names their
    cells and, for each indicator, the clerk's row its 实际完成值 came from."""
    out = root / "outputs" / str(YEAR)
    sentence = (
        "根据批复的部门（单位）整体支出绩效目标申报表，2024年度主要任务2项，"
        "预算金额合计200.50万元：免费开放；全民阅读。"
    )
    page = BeautifulSoup((out / "report.html").read_text("utf-8"), "html.parser")
    assert sentence in page.get_text()
    rows = [
        ["免费开放", "保障全年免费开放。", "120.50"],
        ["全民阅读", "开展阅读推广活动。", "80.00"],
    ]
    html_rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in page("tr")]
    word = docx.Document(str(out / "report.docx"))
    assert sentence in [para.text for para in word.paragraphs]
    word_rows = [[c.text for c in tr.cells] for t in word.tables for tr in t.rows]
    for row in rows:
        assert row in html_rows and row in word_rows
    review = "\n".join(para.text for para in docx.Document(str(out / "review.docx")).paragraphs)
    assert "免费开放：绩效目标申报表.xlsx 工作表「绩效目标」 第4行（B4）" in review
    assert "开放天数：指标值见绩效目标申报表.xlsx 工作表「绩效目标」 第9行（E9），" in review
    assert "实际完成值见绩效目标.csv 第2行" in review


def _draft_year_states_results_not_given(root):
    """A 申报表 with no 实际完成值 yet: its indicators are the rows, each result 未填报, and the
    year is a 草稿 for that reason (the existing rule: `results` missing)."""
    processed = root / "data/processed" / str(DRAFT_YEAR)
    results = json.loads((processed / "results.json").read_bytes())
    indicators = results["scoring"]["indicators"]
    rows = [(r["三级指标"], r["年度指标值"], r["实际完成值"]) for r in indicators]
    # 全民阅读氛围 has no number: 定性, its 指标值 as written
    assert rows == [(name, value, "") for _l1, _l2, name, value in NATIONAL_INDICATORS]
    assert "results" in results["missing"]
    assert results["scoring"]["deviations"] == []  # no result is no deviation
    html = (root / "outputs" / str(DRAFT_YEAR) / "report.html").read_text("utf-8")
    table = BeautifulSoup(html, "html.parser").find(id="scoring").select_one("table.scoring")
    row = next(tr for tr in table("tr") if "开放天数" in tr.get_text())
    assert "未填报" in row.get_text()
