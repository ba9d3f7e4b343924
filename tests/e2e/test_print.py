"""Printing report.html from the browser: page numbers, tables that break between rows with
their header repeated (no nearly empty page before a table), no column narrower than its header.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SYNTHETIC_YEARS, build_project

from tools import pdfcheck

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TARGET_YEAR = SYNTHETIC_YEARS[-1]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    if not pdfcheck.available():
        pytest.skip("poppler-utils not installed")
    return build_project(tmp_path_factory)


def _first_header_cells(html: Path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for node in soup.select(".review"):  # the 审核底稿 is never printed
        node.decompose()
    return [t.find("th").get_text() for t in soup.find_all("table") if t.find("th")]


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_printed_report_has_page_numbers_and_no_stranded_table(browser, root, year, tmp_path):
    html = root / "outputs" / str(year) / "report.html"
    printed = browser.print_pdf(html, tmp_path / "print.pdf")
    sizes = pdfcheck.page_sizes(printed)
    assert len(sizes) >= 5 and all(pdfcheck.is_a4(s) for s in sizes)
    for number, page in enumerate(pdfcheck.page_texts(printed), start=1):
        assert f"—{number}—" in page.replace(" ", ""), number
    assert pdfcheck.sparse_pages_before_tables(printed, _first_header_cells(html)) == []
    if year == TARGET_YEAR:
        assert any(w > h for w, h in sizes)  # the 绩效自评表 on landscape pages


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_no_printed_column_is_narrower_than_its_header(browser, root, year):
    cells = [
        c
        for c in browser.header_widths(root / "outputs" / str(year) / "report.html")
        if c["scope"] == "col"  # column headers (row names may wrap like any text)
    ]
    assert cells
    if year == 2024:
        assert "执行率" in {c["text"] for c in cells}  # the 自评表's funds block
        assert "结果" not in {c["text"] for c in cells}  # 数据核对 is the 底稿's: not printed
    for cell in cells:
        if cell["wrap"]:  # a long header may wrap, onto lines of several characters
            assert cell["content"] >= min(cell["need"], 5.5 * cell["fontSize"]), cell
        else:
            assert cell["content"] + 1.5 >= cell["need"], cell  # subpixel rounding


def test_the_check_catches_a_table_kept_whole(browser, tmp_path):
    """Negative control: `break-inside: avoid` on a long table (the old print CSS) leaves the
    page before it nearly empty, and the check says so."""
    rows = "".join(f"<tr><td>第{i}行</td><td>{i}</td></tr>" for i in range(60))
    page = tmp_path / "kept.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title><style>'
        "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }"
        "table { break-inside: avoid; } body { font-size: 16pt; line-height: 28pt; }"
        "</style></head><body><h2>一、标题</h2><p>一段正文。</p>"
        f"<table><thead><tr><th>项目</th><th>数</th></tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>",
        encoding="utf-8",
    )
    printed = browser.print_pdf(page, tmp_path / "kept.pdf")
    assert pdfcheck.sparse_pages_before_tables(printed, ["项目"]) == [1]


def test_review_layer_is_off_as_opened_on_when_ticked_and_never_printed(browser, root, tmp_path):
    """The reviewer ticks the switch and sees where 人员支出 63.44 comes from (file, row, column);
    the page as opened is the 报送稿, and printing it with the layer on still prints the 报送稿."""
    html = root / "outputs" / "2024" / "report.html"
    states = browser.review_states(html, tmp_path / "review.pdf")
    origin = "人员支出 63.44：支出.csv 第2行「执行数」"
    assert "63.44" in states["before"]
    for working in ("支出.csv", "合计口径", "数据核对结果", "年度合计只计一次", "评分规则"):
        assert working not in states["before"], working
        assert working in states["after"], working
    assert origin in states["after"]
    printed = "".join(pdfcheck.page_texts(tmp_path / "review.pdf")).replace(" ", "")
    assert "63.44" in printed
    for working in ("支出.csv", "合计口径", "数据核对", "显示审核底稿"):
        assert working not in printed, working
