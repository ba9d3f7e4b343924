"""The 绩效自评表 laid out by each rule pack's [form] (src/selfeval/packs/*.toml), and 自评表.xlsx.

A year of hand-made CSVs is cleaned, computed and built as 03 builds it; each pack's table is
rendered from its 自评表 view. The expected headings and row labels are typed here from the
published forms (issue #26; a block label broken over lines where its column is narrow), the
figures worked out by hand from the cells written here:
支出 60 + 40 budget, 58 + 40 executed → 98.00%, 10 × 0.98 = 9.80 points; 新增藏书 1800 of
≥2000 → 1800 ÷ 2000 × 20 = 18.00; the others met → full points; 总分 9.8 + 30 + 18 + 25 + 15 =
97.80 of 100.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace
from importlib import resources

import docx
import openpyxl
import pytest
from test_report_states import UNIT, YEAR, spending, write_csvs

from selfeval import results
from selfeval.clean import clean_year
from selfeval.errors import PackFormError
from selfeval.present import build, html
from selfeval.present.blocks.scoring import scoring_table, self_evaluation
from selfeval.present.context import build_context
from selfeval.present.document import Document, Scope, Section, Table
from selfeval.present.docx import build_docx
from selfeval.present.form import Form, check_form, form_table, load_form
from selfeval.present.form_xlsx import _title, build_xlsx, cell_value
from selfeval.present.formats import NOT_GIVEN

TARGETS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "方向",
    "目标值",
    "实际值",
    "单位",
    "分值",
    "偏差原因",
]
ROWS = [
    ["产出指标", "数量指标", "开展讲座", "≥", "10", "12", "场", 30, ""],
    ["产出指标", "数量指标", "新增藏书", "≥", "2000", "1800", "册", 20, "书价上涨"],
    ["效益指标", "社会效益指标", "投诉次数", "≤", "5", "4", "次", 25, ""],
    ["满意度指标", "服务对象满意度指标", "读者满意度", "≥", "90", "95", "%", 15, ""],
]
NATIONAL_INDICATORS = [
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
    "偏差原因分析及改进措施",
]  # fmt: skip
HEADER = ["部门（单位）名称", "主管部门", "实施单位"]
#: Per pack: (column headings in order, row labels in order, block labels in order).
EXPECTED = {
    "national": (
        ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
         "预期目标", "实际完成情况", *NATIONAL_INDICATORS],
        [*HEADER, "年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金", "总分"],
        ["年度资金\n情况\n（万元）", "年度总体\n目标", "绩效指标"],
    ),
    "sichuan": (
        ["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重",
         "得分", "原因", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
         "完成值", "权重", "得分", "未完成原因分析"],
        [*HEADER, "总额", "其中：财政资金", "财政专户管理资金", "单位资金", "其他资金", "合计",
         "评价结论", "存在问题", "改进措施", "项目负责人", "财务负责人"],
        ["预算执行\n情况\n（10分）", "绩效指标\n（90分）"],
    ),
    "guizhou": (
        ["资金来源", "年初预算数（A）", "全年执行数（B）", "分值（10分）", "得分", "得分计算方法",
         "年初设定目标", "年度总体目标完成情况", "一级指标", "二级指标", "三级指标",
         "年度指标值（A）", "全年实际值（B）", "分值", "得分", "得分计算方法"],
        ["单位（盖章）", "填报日期", "部门（单位）名称", "年度资金总额：", "基本支出", "项目支出",
         "其他", "总分"],
        ["部门\n（单位）\n总体资金\n（万元）", "年度总体\n目标", "绩效指标"],
    ),
    "chongqing": (
        ["年初预算数", "全年（调整）预算数", "全年执行数", "执行率（%）", "执行率权重",
         "执行率得分（分）", "年初绩效目标", "全年（调整）绩效目标", "全年目标实际完成情况",
         "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值",
         "得分系数（%）", "指标权重（分）", "指标得分（分）", "是否核心指标"],
        ["主管部门", "财政处室", "自评总分（分）", "部门联系人", "联系电话", "部门（单位）名称"],
        [],
    ),
    "yunnan": (
        ["", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分",
         "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "指标性质", "指标值",
         "度量单位", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        [*HEADER, "年度资金总额：", "其中：当年财政拨款", "上年结转资金", "其他资金", "总分"],
        ["项目资金\n（万元）", "年度总体\n目标", "绩效指标"],
    ),
    "jiangxi": (
        ["", "年初预算数", "全年预算数", "全年执行数", "执行率", "预期目标", "实际完成情况",
         *NATIONAL_INDICATORS],
        [*HEADER, "年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金", "总分"],
        ["年度资金\n情况\n（万元）", "年度总体\n目标", "绩效指标"],
    ),
}  # fmt: skip
NAMES = {
    "national": "全国",
    "sichuan": "四川",
    "guizhou": "贵州",
    "chongqing": "重庆",
    "yunnan": "云南",
    "jiangxi": "江西",
}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """(the year's results, its 自评表 view, its document) from the CSVs above."""
    sheets = spending(
        ["一般公共预算", "基本支出", "人员支出", 60, 58, ""],
        ["一般公共预算", "项目支出", "图书购置", 40, 40, ""],
    )
    sheets["单位概况"] = [*UNIT, ["主管部门", "测试县文化旅游局"]]
    sheets["绩效目标"] = [TARGETS, *ROWS]
    folder = write_csvs(tmp_path_factory.mktemp("form") / str(YEAR), sheets)
    cleaned = clean_year(folder, YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    stored = results.from_json(results.to_json(computed))
    return stored, build_context(stored).scoring_view, build.build_document(stored)


def _cells(table, scope: Scope) -> list[str]:
    return [c.text for row in table.rows for c in row.cells if c.scope is scope]


def _row(table, name: str) -> list[str]:
    """The texts of the body row holding the cell `name`."""
    return next([c.text for c in r.cells] for r in table.body if name in [c.text for c in r.cells])


@pytest.mark.parametrize("pack", list(EXPECTED))
def test_each_pack_prints_exactly_its_forms_headings_and_row_labels(year, pack):
    _, view, _ = year
    table = form_table(view, YEAR, pack)
    headings, labels, blocks = EXPECTED[pack]
    assert load_form(pack).name == NAMES[pack]
    assert _cells(table, Scope.COL) == headings
    assert _cells(table, Scope.ROW) == labels
    assert _cells(table, Scope.ROWGROUP) == blocks


@pytest.mark.parametrize("pack", list(EXPECTED))
def test_each_pack_states_the_same_scores(year, pack):
    _, view, _ = year
    table = form_table(view, YEAR, pack)
    texts = [c.text for row in table.rows for c in row.cells]
    # 新增藏书: 1800 ÷ 2000 × 20 = 18.00; 总分 97.80; the execution rate's 9.80 of 10
    assert "18.00" in _row(table, "新增藏书")
    assert "97.80" in texts
    if pack != "jiangxi":  # 江西 has no execution-rate score on its form
        assert "9.80" in texts
    if pack != "guizhou":  # 贵州's form states the execution without its rate
        assert "98.00%" in texts


def test_sichuan_and_yunnan_split_the_target_into_nature_value_and_unit(year):
    _, view, _ = year
    for pack in ("sichuan", "yunnan"):
        # ≤5次 with 4 次 done: 指标性质 ≤, 指标值 5, 度量单位 次, 完成值 4; met → 25.00 of 25
        row = _row(form_table(view, YEAR, pack), "投诉次数")
        assert row[row.index("投诉次数") :] == ["投诉次数", "≤", "5", "次", "4", "25", "25.00", ""]
    sichuan = form_table(view, YEAR, "sichuan")
    rule = "预算执行率=预算执行数/调整后预算数，未达到90%的需说明原因"
    assert [c.colspan for r in sichuan.body for c in r.cells if c.text == rule] == [10]
    # the funds block (head, five rows, the rule under them) on one page
    kept = [r.keep_with_next for r in sichuan.body[:7]]
    assert kept == [True] * 6 + [False]


def test_chongqing_states_the_score_ratio_and_the_total_in_its_header(year):
    _, view, _ = year
    table = form_table(view, YEAR, "chongqing")
    # 得分系数 = 得分 ÷ 分值: 18 ÷ 20 = 90.00%; 自评总分 97.80 beside its label in the header
    assert _row(table, "新增藏书") == [
        "新增藏书", "册", "≥", "2000", "未填报", "1800", "90.00", "20", "18.00", "未填报",
    ]  # fmt: skip
    header = [c.text for c in table.header[0].cells]
    assert header[header.index("自评总分（分）") + 1] == "97.80"


def test_the_merged_level_labels_span_their_rows_in_every_pack_that_has_them(year):
    _, view, _ = year
    for pack in ("national", "sichuan", "guizhou", "yunnan", "jiangxi"):
        table = form_table(view, YEAR, pack)
        spans = {c.text: c.rowspan for r in table.body for c in r.cells if c.text in ROWS[0][:2]}
        assert spans == {"产出指标": 2, "数量指标": 2}, pack


def test_a_forms_header_takes_what_the_unit_states_in_its_overview(tmp_path):
    """贵州's 填报日期 and 重庆's 联系人/联系电话 from 单位概况; what it does not state stays
    「未填报」 (blank in the 报送稿)."""
    sheets = spending(["一般公共预算", "基本支出", "人员支出", 60, 58, ""])
    sheets["单位概况"] = [*UNIT, ["填报日期", "2026-03-05"], ["联系人", "李明"]]
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    ctx = build_context(results.from_json(results.to_json(computed)))
    guizhou = scoring_table(ctx, "form")
    table = next(b for b in guizhou if isinstance(b, Table))
    assert [c.text for c in table.header[0].cells] == [  # national: no such cells, unchanged
        "部门（单位）名称", "测试县文化馆",
    ]  # fmt: skip
    facts = {**ctx.unit, "填报日期": ctx.data_date}
    header = form_table(ctx.scoring_view, YEAR, "guizhou", facts).header[0]
    assert [c.text for c in header.cells] == [
        "单位（盖章）",
        "测试县文化馆",
        "填报日期",
        "2026年3月5日",
    ]
    header = form_table(ctx.scoring_view, YEAR, "chongqing", facts).header[1]
    assert [c.text for c in header.cells][:4] == ["部门联系人", "李明", "联系电话", NOT_GIVEN]


def _national(**change) -> Form:
    national = load_form("national")
    return Form("x", "试", "packs/x.toml", national.spec | change)


def test_a_layout_mistake_is_one_message_naming_the_file_and_the_place():
    unknown = [{"rows": [{"each": "indicators", "cells": [{"text": "{nope}"}]}]}]
    with pytest.raises(PackFormError, match=r"packs/x\.toml.*blocks 第 1 块.*\{nope\}.*nope"):
        check_form(_national(blocks=unknown))
    with pytest.raises(PackFormError, match=r"packs/x\.toml.*source"):
        check_form(_national(funds=[{"label": "总额", "source": "elsewhere"}]))
    # a header row one cell short of the ten columns
    short = [{"cells": [{"text": "{label}", "colspan": 2}, {"text": "{name}", "colspan": 7}]}]
    with pytest.raises(PackFormError, match=r"packs/x\.toml.*版式排不成表格"):
        check_form(_national(header=short))
    with pytest.raises(PackFormError, match=r"packs/x\.toml.*merge"):
        check_form(_national(blocks=[{"rows": [{"cells": [{"text": "", "merge": "level3"}]}]}]))
    with pytest.raises(PackFormError, match=r"没有自评表格式文件 packs/nowhere\.toml"):
        load_form("nowhere")


#: Every pack file there is: a new province's file is laid out by the writers here unasked.
PACKS = sorted(
    p.name.removesuffix(".toml")
    for p in (resources.files("selfeval") / "packs").iterdir()
    if p.name.endswith(".toml")
)


def test_every_pack_file_is_tested_for_its_headings():
    assert sorted(EXPECTED) == PACKS


@pytest.mark.parametrize("pack", PACKS)
def test_each_packs_table_is_the_same_in_word_and_html(year, pack):
    """The writers take any pack's table (its headers fit the landscape page): Word's grid is
    the table's, cell for cell (a figure the data lacks blank in the 报送稿), and the web page
    carries every heading."""
    _, view, _ = year
    blocks = tuple(self_evaluation(view, YEAR, pack))
    document = Document(
        "试", (Section("附件", "form", blocks, landscape=True),), dt.date(2025, 12, 31)
    )
    table = next(b for b in blocks if isinstance(b, Table))
    expected = [["" for _ in table.columns] for _ in table.rows]
    for placed in table.grid():
        text = "" if placed.cell.text == NOT_GIVEN else placed.cell.text
        for r in range(placed.row, placed.row + placed.cell.rowspan):
            for c in range(placed.col, placed.col + placed.cell.colspan):
                expected[r][c] = text
    word = docx.Document(io.BytesIO(build_docx(document.submitted())))
    assert [[c.text for c in row.cells] for row in word.tables[0].rows] == expected
    page = html.render_body(document)
    assert all(h in page for h in EXPECTED[pack][0] if h), pack


# -- 自评表.xlsx -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "pattern"),
    [
        ("1,234.50", 1234.5, "#,##0.00"),
        ("98.92%", 0.9892, "0.00%"),
        ("10", 10, "0"),
        ("9.80", 9.8, "0.00"),
        ("未填报", None, "General"),
        ("≥360天", "≥360天", "General"),
        ("—", "—", "General"),
        ("02368881234", "02368881234", "@"),  # 联系电话: as a number, 2368881234
        ("9143010012345678901", "9143010012345678901", "@"),  # beyond 15 digits
        ("0", 0, "0"),
    ],
)
def test_a_cell_is_a_number_at_the_reports_precision(text, value, pattern):
    assert cell_value(text) == (value, pattern)


def test_data_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path):
    hostile = '=HYPERLINK("http://x.invalid","读者满意度")'
    sheets = spending(["一般公共预算", "基本支出", "人员支出", 60, 58, ""])
    sheets["单位概况"] = [*UNIT, ["自评表格式", "重庆"], ["联系电话", "02368881234"]]
    sheets["绩效目标"] = [TARGETS, *ROWS[:3], [*ROWS[3][:2], hostile, *ROWS[3][3:8], "=1+1"]]
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    document = build.build_document(results.from_json(results.to_json(computed)))
    xml = zipfile.ZipFile(io.BytesIO(build_xlsx(document))).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml  # no cell of the workbook is a formula
    ws = openpyxl.load_workbook(io.BytesIO(build_xlsx(document))).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert hostile in values and "02368881234" in values


def _shown(cell) -> str:
    """A worksheet cell as Excel shows it under its number format."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return ""
    if fmt.endswith("%"):
        decimals = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{value * 100:.{decimals}f}%"
    if fmt != "General":
        decimals = len(fmt.split(".")[1]) if "." in fmt else 0
        return f"{value:,.{decimals}f}" if "," in fmt else f"{value:.{decimals}f}"
    return str(value)


def _sheet_grid(ws, rows: int, cols: int) -> list[list[str]]:
    """The form's rows (below the title) by grid position, a merged cell's text at each
    position it covers, as python-docx reads a Word table."""
    grid = [[_shown(ws.cell(r, c)) for c in range(1, cols + 1)] for r in range(2, rows + 2)]
    for merged in ws.merged_cells.ranges:
        text = _shown(ws.cell(merged.min_row, merged.min_col))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if 2 <= r < rows + 2:
                    grid[r - 2][c - 1] = text
    return grid


def test_the_workbook_states_the_word_tables_facts_cell_for_cell(year):
    _, _, document = year
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(document)))
    assert book.sheetnames == ["部门整体支出绩效自评表"]
    ws = book["部门整体支出绩效自评表"]
    assert ws["A1"].value == f"部门整体支出绩效自评表（{YEAR}年度）"
    word = docx.Document(io.BytesIO(build_docx(document.submitted())))
    form = next(t for t in word.tables if "年度资金总额" in [c.text for c in t.columns[1].cells])
    expected = [[c.text for c in row.cells] for row in form.rows]
    assert _sheet_grid(ws, len(expected), len(expected[0])) == expected
    # numbers are numbers: the funds' 100 budget, the 98% rate, the 总分
    funds = next(r for r in range(1, 20) if ws.cell(r, 2).value == "年度资金总额")
    assert [ws.cell(funds, c).value for c in (5, 6, 7, 8, 9)] == [100, 98, 10, 0.98, 9.8]
    assert ws.cell(funds, 8).number_format == "0.00%"
    # the block labels merged down their rows: 年度资金情况 over its head and four rows
    assert f"A{funds - 1}:A{funds + 3}" in {str(m) for m in ws.merged_cells.ranges}
    # printed on A4 (paper size 9) landscape, the header rows repeated on every page
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert ws.print_title_rows == "$2:$3"


def test_each_form_of_the_report_is_a_sheet_named_by_its_title(year):
    _, view, _ = year
    odd = replace(view, title="图书购置:采购/编目[一期]项目支出绩效自评表")
    # 33 characters (7 + 10 + 7 + 9): cut to 31, without 「评表」
    long = replace(view, title="乡镇综合文化站公共数字文化服务平台建设与运行维护项目支出绩效自评表")
    blocks = [b for v in (view, odd, odd, long) for b in self_evaluation(v, YEAR)]
    section = Section("附件", "form", tuple(blocks), landscape=True)
    book = openpyxl.load_workbook(
        io.BytesIO(build_xlsx(Document("试", (section,), dt.date(2025, 12, 31))))
    )
    # Excel's rules: at most 31 characters, none of []:*?/\ , unique
    assert book.sheetnames == [
        "部门整体支出绩效自评表",
        "图书购置_采购_编目_一期_项目支出绩效自评表",
        "图书购置_采购_编目_一期_项目支出绩效自评表_2",
        "乡镇综合文化站公共数字文化服务平台建设与运行维护项目支出绩效自",
    ]
    assert book.worksheets[1]["A1"].value == f"{odd.title}（{YEAR}年度）"


def test_the_workbook_is_the_same_bytes_with_the_documents_date(year):
    _, _, document = year
    first = build_xlsx(document)
    assert build_xlsx(document) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    # the data's date (31 December of the year without one), never the clock
    assert core.count(f"{YEAR}-12-31T00:00:00Z") == 2


def test_sheet_names_are_ones_excel_opens_without_repair():
    taken: set[str] = set()
    # no apostrophe first or last; unique as Excel compares names, ignoring case
    assert _title("'图书'项目支出绩效自评表（2024年度）", taken) == "图书'项目支出绩效自评表"
    assert _title("Abc项目支出绩效自评表（2024年度）", taken) == "Abc项目支出绩效自评表"
    assert _title("ABC项目支出绩效自评表（2024年度）", taken) == "ABC项目支出绩效自评表_2"
