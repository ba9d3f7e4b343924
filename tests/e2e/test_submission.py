"""A complete year, built as `make report` builds it, gives a 报送稿 a unit can submit as it is
(issue #24's "done when"): report.docx and report.pdf hold no tool language, no working note and
no 「未填报」; the body states the 自评结论, the 结果应用, the 附件说明 and the 落款; the 自评表 is
one Word table; and the year is no 草稿."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from support import run_build

from tools import pdfcheck

pytestmark = pytest.mark.slow

YEAR = 2025
UNIT = "测试县文化馆"
#: The complete year's sheets (the unit tests of the 报送稿's parts use them too).
SHEETS = Path(__file__).resolve().parents[1] / "fixtures" / "complete_2025"
#: What a 报送稿 never says (issue #24).
WORKING = ("selfeval", "自动生成", "未填报", "提示", "数据核对", "合计口径", "年度合计只计一次",
           "本条为汇总", "【审核】", "未填写")  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("complete")
    shutil.copytree(SHEETS, root / "data" / "raw" / str(YEAR))
    proc = run_build(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "草稿" not in proc.stdout, proc.stdout
    out = root / "outputs" / str(YEAR)
    if not (out / "report.pdf").is_file():
        pytest.skip("LibreOffice not installed: no report.pdf")
    return out


def _word_text(path) -> str:
    body = docx.Document(str(path)).element.body
    return "".join(t.text or "" for t in body.iter(qn("w:t")))


def test_the_submitted_word_and_pdf_hold_only_what_the_unit_submits(outputs):
    """Hand-computed: 开放天数 met 50; 服务人次 8000 ÷ 10000 × 30 = 24; 读者满意度 met 10; 执行率
    45 ÷ 50 = 90.00%, 0.9 × 10 = 9; 总分 93.00, 优 (≥ 90)."""
    texts = {
        "report.docx": _word_text(outputs / "report.docx"),
        "report.pdf": pdfcheck.text(outputs / "report.pdf"),
    }
    for name, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        for word in WORKING:
            assert word not in flat, (name, word)
        assert not re.search(r"\.csv|第\d+行|其中\d+项.*未填报", flat), name
        assert "经自评，2025年度部门整体支出绩效自评得分93.00分，等级为“优”。" in flat, name
        assert "预算执行率90.00%" in flat, name
        assert "自评结果作为下一年度预算安排的依据，并随部门决算公开。" in flat, name
        # 附件说明, then the 落款: the unit's name and the 成文日期 in Arabic numerals
        assert f"附件：部门整体支出绩效自评表{UNIT}2026年3月15日" in flat, name
    word = docx.Document(str(outputs / "report.docx"))
    forms = [
        t
        for t in word.tables
        if all(
            k in "".join(c.text for r in t.rows for c in r.cells)
            for k in ("年度资金总额", "一级指标", "总分")
        )
    ]
    assert len(forms) == 1
    assert all(p.text == "" for s in word.sections for p in s.header.paragraphs)  # no 草稿 mark


def test_the_review_copy_keeps_what_the_submitted_one_leaves_out(outputs):
    review = _word_text(outputs / "review.docx")
    assert "【审核】" in review and "数据核对" in review and "支出.csv" in review
