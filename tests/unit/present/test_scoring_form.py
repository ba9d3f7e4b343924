"""The 绩效自评表 as the national form (财预〔2020〕10号 附1): one table in report.docx, read back
with python-docx, and its PDF (LibreOffice) read with poppler page by page.

The years are hand-made CSVs cleaned, computed and built as 03 builds them; every expected
figure is worked out by hand from the cells written here.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from test_report_states import UNIT, report, spending

from selfeval.present.docx import build_docx
from selfeval.present.form import share_width
from selfeval.run import pdf
from tools import pdfcheck

TARGETS = ["一级指标", "二级指标", "三级指标", "方向", "目标值", "实际值", "单位", "分值"]
#: Four indicators: 30 + 20 + 25 + 15 = 90 points, with the execution rate's 10 the form's 100.
FOUR = [
    ["产出指标", "数量指标", "开展讲座", "≥", "10", "12", "场", 30],
    ["产出指标", "数量指标", "新增藏书", "≥", "2000", "2100", "册", 20],
    ["效益指标", "社会效益指标", "覆盖乡镇", "≥", "5", "6", "个", 25],
    ["满意度指标", "服务对象满意度指标", "读者满意度", "≥", "90", "95", "%", 15],
]


def _sheets(targets: list[list]) -> dict:
    sheets = spending(
        ["一般公共预算", "基本支出", "人员支出", 60, 58, ""],
        ["一般公共预算", "项目支出", "图书购置", 40, 40, ""],
    )
    sheets["单位概况"] = [*UNIT, ["主管部门", "测试县文化旅游局"]]
    sheets["绩效目标"] = [TARGETS, *targets]
    return sheets


def _word(tmp_path: Path, targets: list[list]) -> docx.document.Document:
    document, _ = report(tmp_path, _sheets(targets))
    return docx.Document(io.BytesIO(build_docx(document.submitted())))


def _text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _grid(table) -> list[list[str]]:
    """Every row's text by grid column: a merged cell's text at each position it covers (as
    python-docx reads them), so a column reads down as on paper."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def _form(word) -> docx.table.Table:
    names = ("年度资金总额", "一级指标", "总分")
    forms = [t for t in word.tables if any(n in c for r in _grid(t) for c in r for n in names)]
    assert len(forms) == 1, f"the 自评表 is {len(forms)} tables"
    return forms[0]


def test_the_form_is_one_word_table_with_funds_indicators_and_total(tmp_path):
    form = _form(_word(tmp_path, FOUR))
    grid = _grid(form)
    texts = [c for row in grid for c in row]
    for name in ("年度资金总额", "其中：当年财政拨款", "预期目标", "一级指标", "总分"):
        assert name in texts, name
    # the unit's form names the unit, not a 项目
    assert grid[0][:2] == ["部门（单位）名称"] * 2 and grid[0][2] == "测试县文化馆"
    assert "项目名称" not in texts


def test_the_weight_column_adds_up_to_the_total_shown(tmp_path):
    grid = _grid(_form(_word(tmp_path, FOUR)))
    funds_head = next(r for r in grid if "年初预算数" in r)
    indicators_head = next(r for r in grid if "一级指标" in r)
    column = funds_head.index("分值")
    assert indicators_head.index("分值") == column  # one 分值 column, read down
    total = next(r for r in grid if r[0] == "总分")
    weights = [
        float(r[column])
        for r in grid[grid.index(funds_head) + 1 : grid.index(total)]
        if re.fullmatch(r"\d+(\.\d+)?", r[column])
    ]
    # 10 (预算执行率) + 30 + 20 + 25 + 15 = 100, and the 总分 row says 100
    assert weights == [10, 30, 20, 25, 15]
    assert total[column] == "100"
    # 得分 reads down too: 58 + 40 = 98 of 100 budget → 9.80; every indicator met → full
    # points: 9.8 + 30 + 20 + 25 + 15 = 99.80
    score = indicators_head.index("得分")
    assert funds_head[score + 1] == "得分" and total[score] == total[score + 1] == "99.80"


def test_header_rows_repeat_and_a_merged_group_stays_on_one_page(tmp_path):
    rows = [["产出指标", "数量指标", f"数量{i}", "≥", "1", "1", "次", 10] for i in range(1, 4)] + [
        ["产出指标", "质量指标", "合格率", "≥", "90", "95", "%", 20],
        ["效益指标", "社会效益指标", "覆盖乡镇", "≥", "5", "6", "个", 20],
        ["效益指标", "社会效益指标", "参与人次", "≥", "100", "120", "人次", 20],
    ]
    form = _form(_word(tmp_path, rows))
    trs = form._tbl.tr_lst
    header = [tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None for tr in trs]
    # 部门（单位）名称 and 主管部门/实施单位 head every page; nothing below them does
    assert header[:2] == [True, True] and not any(header[2:])
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in trs)  # rows never split

    def kept(tr) -> bool:
        paragraphs = list(tr.iter(qn("w:p")))
        return all(
            p.pPr is not None and p.pPr.find(qn("w:keepNext")) is not None for p in paragraphs
        )

    # the funds block (its head and four rows) and the 总体目标 block each on one page
    funds = next(i for i, tr in enumerate(trs) if "年初预算数" in _text(tr))
    assert [kept(tr) for tr in trs[funds : funds + 7]] == [True] * 4 + [False, True, False]
    first = next(i for i, tr in enumerate(trs) if "一级指标" in _text(tr))
    indicators = trs[first + 1 : first + 1 + len(rows)]
    # 数量指标 ×3 kept with the next but the last; 质量指标 alone; 社会效益指标 ×2
    assert [kept(tr) for tr in indicators] == [True, True, False, False, True, False]
    assert kept(trs[first])  # the column heads stay with the first group


@pytest.mark.slow
def test_no_label_of_the_form_is_cut_in_the_pdf(tmp_path):
    if pdf.find_soffice() is None or not pdfcheck.available():
        pytest.skip("LibreOffice (soffice) and poppler-utils not installed")
    groups = [
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("产出指标", "时效指标"),
        ("产出指标", "成本指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "可持续影响指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]
    # 28 indicators with two-line names, 90 points: 27 × 3.2 + 3.6
    rows = [
        [l1, l2, f"{l2[:2]}类第{k}项指标的说明", "≥", "90", "95", "%", 3.2]
        for l1, l2 in groups
        for k in range(1, 5)
    ]
    rows[-1][-1] = 3.6
    document, _ = report(tmp_path, _sheets(rows))
    path = tmp_path / "report.docx"
    path.write_bytes(build_docx(document.submitted()))
    made = pdf.docx_to_pdf(path, tmp_path / "report.pdf")
    layout = [  # each page's text as laid out: a table's cells stay apart
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(made), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, pdfcheck.page_count(made) + 1)
    ]
    form_pages = [n for n, page in enumerate(layout) if "年度资金总额" in page or "总分" in page]
    form_pages = list(range(form_pages[0], form_pages[-1] + 1))
    assert len(form_pages) >= 3  # the form does break across pages
    words = [set(page.split()) for page in layout]
    for label in {name for pair in groups for name in pair}:
        # each label whole, on one line of one page: never 「社会效益指」 / 「标」
        assert any(label in w for w in words), label
    # (pdftotext sets digits apart from Chinese: compared without spaces, line by line)
    lines = [[re.sub(r"\s", "", line) for line in page.splitlines()] for page in layout]
    for _, l2 in groups:  # a 二级指标's rows on one page, beside their label
        names = [f"{l2[:2]}类第{k}项" for k in range(1, 5)]
        pages = {
            n for n, page in enumerate(lines) for name in names for line in page if name in line
        }
        assert len(pages) == 1 and l2 in words[pages.pop()], l2
    for n in form_pages:  # the header block on every page of the form
        assert "部门（单位）名称" in words[n], n + 1


def test_the_text_columns_share_the_width_by_what_they_hold():
    # the national form's narrowest text columns (packs/national.toml)
    mins = {"三级指标": 5.5, "年度指标值": 5.0, "实际完成值": 5.0, "偏差原因分析及改进措施": 8.0}
    needs = {"三级指标": 12, "年度指标值": 4, "实际完成值": 7, "偏差原因分析及改进措施": 30}
    # 30 − (5.5 + 5 + 5 + 8) = 6.5 to share: 年度指标值 needs nothing more; 实际完成值 gets its
    # 2, the others the same 2 and then 0.25 each of the last 0.5
    assert share_width(30, mins, needs, "偏差原因分析及改进措施") == pytest.approx(
        {"三级指标": 7.75, "年度指标值": 5, "实际完成值": 7, "偏差原因分析及改进措施": 10.25}
    )
    # room to spare once every text is on one line: 偏差原因 takes it
    assert share_width(50, mins, needs | {"偏差原因分析及改进措施": 9}, "偏差原因分析及改进措施")[
        "偏差原因分析及改进措施"
    ] == (pytest.approx(50 - 12 - 5 - 7))
