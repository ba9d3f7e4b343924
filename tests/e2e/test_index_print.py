"""outputs/index.html printed on A4 by Chromium (issue 30): a year is one word — never broken as
「202」/「4」 in a crowded table — and the trend panels are printed at a readable size."""

from __future__ import annotations

import re

import pytest

from selfeval.present.index import render_index
from tools import pdfcheck

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Long unit names make the columns of the printed tables narrow.
UNITS = {
    "lib": "示例市示例区公共图书馆（示例区文化和旅游广电体育局所属公益一类事业单位）",
    "culture": "示例市示例区文化馆（示例区非物质文化遗产保护中心、示例区美术馆）",
}
YEARS = (2022, 2023, 2024)


def _records() -> list[dict]:
    records = []
    for folder, unit in UNITS.items():
        for year in YEARS:
            rel = f"{folder}/{year}"
            records.append(
                {
                    "year": year,
                    "folder": folder,
                    "unit": unit,
                    "data_date": f"{year + 1}年1月15日",
                    "status": "已生成",
                    "failed": False,
                    "report": f"{rel}/report.html",
                    "docx": f"{rel}/report.docx",
                    "pdf": f"{rel}/report.pdf",
                    "error": None,
                    "figures": {
                        "total_spending": 1234567.89,
                        "sessions": 17,
                        "participants_offline": 123456,
                        "books": 2800,
                        "satisfaction": 98.92 if year < 2024 else 96.5,
                    },
                    "overview": {
                        "score": 94.44,
                        "grade": "优",
                        "execution_rate": 98.93,
                        "flagged": 3,
                    },
                }
            )
    return records


def test_printed_index_keeps_years_whole_and_trends_readable(browser, tmp_path):
    if not pdfcheck.available():
        pytest.skip("poppler-utils not installed")
    page = tmp_path / "index.html"
    page.write_text(render_index(_records()), encoding="utf-8")
    printed = browser.print_pdf(page, tmp_path / "index.pdf")
    words = pdfcheck.cell_tokens(printed)
    # no piece of a year on a line of its own (「202」 above 「4」); every year printed whole
    assert [w for w in words if re.fullmatch(r"20\d?|20\d?年度报告", w)] == []
    assert {"2022", "2023", "2024"} <= {w for w in words if re.fullmatch(r"20\d\d", w)}
    # one trend chart per unit, drawn 7.2 in wide at 150 dpi: two panels a row on A4
    images = browser.check(page).images
    assert [(i["width"], i["height"]) for i in images] == [(1080, 1035)] * len(UNITS)
