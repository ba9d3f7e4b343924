"""The approved 申报表's 年度主要任务 stated in the report (部门（单位）概况), in the unit's
金额单位, with their cells in the 审核底稿; the same in HTML and Word. The 申报表 is the
一体化 export of `tests/target_forms.py` (amounts in 元: 免费开放 1,205,000, 全民阅读 800,000,
rows 4 and 5); expected figures are converted by hand."""

from __future__ import annotations

import io

import docx
import pytest
from target_forms import write_export, write_national

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, html
from selfeval.present.document import Note, Paragraph, Table
from selfeval.present.docx import build_docx
from tests.unit.clean.test_clean import sheets, write_csvs

YEAR = 2024
UNIT = sheets()["单位概况"][1][1]
SENTENCE = (
    "根据批复的部门（单位）整体支出绩效目标申报表，2024年度主要任务2项，"
    "预算金额合计{}：免费开放；全民阅读。"
)


def _document(tmp_path, unit_items=(), form=write_export):
    data = sheets()
    data["单位概况"] = [*data["单位概况"], *unit_items]
    data["绩效目标"] = [["三级指标", "实际值"], ["开放天数", "362"]]
    folder = write_csvs(tmp_path / str(YEAR), data)
    form(folder / "申报表.xlsx", unit=UNIT)
    cleaned = clean_year(folder, YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    return build.build_document(results.from_json(results.to_json(computed)))


def _blocks(document):
    return [b for s in document.sections for b in s.blocks]


def _tasks_table(document) -> list[list[str]]:
    (table,) = [b for b in _blocks(document) if isinstance(b, Table) and b.kind == "tasks"]
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_forms_tasks_are_stated_in_wanyuan_with_their_cells_in_the_working_papers(tmp_path):
    document = _document(tmp_path)
    unit_section = document.sections[0]
    texts = [b.text for b in unit_section.blocks if isinstance(b, Paragraph)]
    # 1,205,000 元 = 120.50 万元; 800,000 元 = 80.00 万元; together 200.50 万元
    assert SENTENCE.format("200.50万元") in texts
    assert _tasks_table(document) == [
        ["任务名称", "主要内容", "预算金额"],
        ["免费开放", "保障全年免费开放。", "120.50"],
        ["全民阅读", "开展阅读推广活动。", "80.00"],
        ["合计", "", "200.50"],
    ]
    (note,) = [b for b in _blocks(document) if isinstance(b, Note) and "年度主要任务来源" in b.text]
    assert note.review
    assert "免费开放：申报表.xlsx 工作表「绩效目标」 第4行（B4）" in note.text
    assert "全民阅读：申报表.xlsx 工作表「绩效目标」 第5行（B5）" in note.text


def test_html_and_word_state_the_same_tasks(tmp_path):
    document = _document(tmp_path)
    submitted = document.submitted()
    page = html.render_body(submitted)
    word = docx.Document(io.BytesIO(build_docx(submitted)))
    paragraphs = [para.text for para in word.paragraphs]
    assert SENTENCE.format("200.50万元") in page
    assert SENTENCE.format("200.50万元") in paragraphs
    (table,) = [t for t in word.tables if t.rows[0].cells[0].text == "任务名称"]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == _tasks_table(document)
    for row in rows:
        assert all(cell in page for cell in row)
    assert "年度主要任务来源" not in page  # the 底稿's only


def test_a_report_in_yuan_states_the_tasks_in_yuan(tmp_path):
    document = _document(tmp_path, unit_items=[["金额单位", "元"]])
    assert _tasks_table(document)[1:] == [
        ["免费开放", "保障全年免费开放。", "1,205,000.00"],
        ["全民阅读", "开展阅读推广活动。", "800,000.00"],
        ["合计", "", "2,005,000.00"],
    ]


@pytest.mark.parametrize("form", [write_national])
def test_the_national_forms_tasks_are_in_wanyuan(tmp_path, form):
    # the national form: 预算金额（万元） 总额 120.5 and 80 (its 金额合计 row is left out)
    rows = _tasks_table(_document(tmp_path, form=form))
    assert rows[1:] == [
        ["免费开放", "保障全年免费开放。", "120.50"],
        ["全民阅读", "开展阅读推广活动。", "80.00"],
        ["合计", "", "200.50"],
    ]


def test_a_year_without_a_form_has_no_tasks(tmp_path):
    data = sheets()
    folder = write_csvs(tmp_path / str(YEAR), data)
    cleaned = clean_year(folder, YEAR)
    assert "tasks" not in cleaned.tables
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    document = build.build_document(results.from_json(results.to_json(computed)))
    assert not [b for b in _blocks(document) if isinstance(b, Table) and b.kind == "tasks"]
