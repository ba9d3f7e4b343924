"""Typos in the unit's text on the 2024 data, built as `make report` builds it (issue #30):
数字服务.csv row 4 writes 「在国家公信部已备案」 and 活动.csv row 16 (A15) 「有力的推动全民阅读」.
The 审核底稿 (review.docx, report.html's review layer) flags both; the 报送稿 (report.docx,
report.html without that layer) keeps the unit's words. Expected texts written by hand."""

from __future__ import annotations

import shutil

import docx
import pytest
from bs4 import BeautifulSoup
from support import REPO, run_build

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]

GONGXIN = (
    "疑似笔误：数字服务.csv 第4行「说明」「…信图书馆，在国家公信部已备案，每月定期…」"
    "中的「公信部」，疑为「工信部」（工业和信息化部简称“工信部”）。"
)
YOULI = (
    "疑似笔误：活动.csv 第16行「成效」（编号A15）「…送书活动的开展，有力的推动全民阅读，受到群…」"
    "中的「有力的推动」，疑为「有力地推动」（状语修饰动词用“地”）。"
)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("typos")
    shutil.copytree(REPO / "data" / "raw" / "2024", root / "data" / "raw" / "2024")
    proc = run_build(root)
    if proc.returncode != 0:
        pytest.fail(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return root / "outputs" / "2024"


def _word(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_review_flags_the_typos_and_the_submitted_report_keeps_the_units_words(out):
    review = _word(out / "review.docx")  # Word marks the 底稿's notes 【审核】
    assert f"【审核】{GONGXIN}" in review and f"【审核】{YOULI}" in review
    submitted = "\n".join(_word(out / "report.docx"))
    assert "在国家公信部已备案" in submitted and "疑似笔误" not in submitted
    assert "工信部" not in submitted.replace("公信部", "")
    page = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert {GONGXIN, YOULI} <= {p.get_text() for p in page.select("p.review")}
    for node in page.select(".review, .review-switch"):
        node.decompose()
    text = page.get_text()
    assert "在国家公信部已备案" in text and "疑似笔误" not in text
