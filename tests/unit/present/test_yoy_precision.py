"""The 同比 comparison keeps each figure at the precision its source stated (issue #30): a
two-year project of hand-made CSVs, 2024 cleaned and computed as 02 does, its summary.json the
previous year of 2025. Amounts stated with 0, 1 and 2 decimals, counts whole; 增减 at the
precision of its two figures, 增减率 with two decimals. Every expected cell is written by hand.

2024: 人员支出 100 (0 decimals), 收入合计 80.25 (2), 3 活动; 2025: 120.5 (1), 80 (0), 5 活动.
"""

from __future__ import annotations

import json

from bs4 import BeautifulSoup
from test_report_states import SPEND, UNIT, report, write_csvs

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import analysis, build, html

ACTS = ["编号", "类别", "名称", "开始日期", "地点"]
INCOME = ["项目", "本年数（万元）"]


def _sheets(year: int, spent: str, income: str, events: int) -> dict:
    acts = [[f"A{i}", "讲座", f"讲座{i}", f"{year}-03-0{i}", "本馆"] for i in range(1, events + 1)]
    return {
        "单位概况": UNIT,
        "支出": [SPEND, ["一般公共预算", "基本支出", "人员支出", "", spent, ""]],
        "收入": [INCOME, ["收入合计", income]],
        "活动": [ACTS, *acts],
    }


def _year(tmp_path, year: int, sheets: dict, previous: dict | None = None):
    cleaned = clean_year(write_csvs(tmp_path / str(year), sheets), year)
    computed = results.compute_year(
        cleaned.tables, cleaned.meta, cleaned.checks, year, previous_summary=previous
    )
    return results.from_json(results.to_json(computed))  # as 03 reads it


def _two_years(tmp_path):
    first = _year(tmp_path, 2024, _sheets(2024, "100", "80.25", 3))
    summary = json.loads(json.dumps(first.summary))  # summary.json, as 02 writes it
    return _year(tmp_path, 2025, _sheets(2025, "120.5", "80", 5), summary)


# 20.5 / 100 = 20.50 %; −0.25 / 80.25 = −0.3115 %; 3 and 5 listings of one 场 each: 2 / 3 =
# 66.67 % (场次 add up; the number of distinct activities, 项, is never compared)
EXPECTED = {
    "一般公共预算支出（万元）": ["100", "120.5", "+20.5", "+20.50%"],
    "收入合计（万元）": ["80.25", "80", "-0.25", "-0.31%"],
    "活动场次（场）": ["3", "5", "+2", "+66.67%"],
}


def test_the_analysis_table_keeps_each_figures_precision(tmp_path):
    table = analysis.yoy(_two_years(tmp_path))
    rows = {r[0]: list(r[1:]) for r in table.frame.itertuples(index=False)}
    for label, cells in EXPECTED.items():
        assert rows[label] == cells


def test_the_reports_table_and_chart_keep_each_figures_precision(tmp_path):
    document = build.build_document(_two_years(tmp_path))
    soup = BeautifulSoup(html.render_body(document), "html.parser")
    table = soup.find("table", class_="yoy")
    rows = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    for label, cells in EXPECTED.items():
        assert rows[label] == cells
    alt = soup.find(id="fig-yoy").img["alt"]
    assert "一般公共预算支出2024年100万元，2025年120.5万元（+20.50%）" in alt
    assert "收入合计2024年80.25万元，2025年80万元（-0.31%）" in alt
    assert "活动场次2024年3场，2025年5场（+66.67%）" in alt
    assert "活动项数" not in alt and "活动项数（项）" not in rows


def test_a_previous_figure_stated_in_this_years_sheet_keeps_its_precision(tmp_path):
    """No 2024 built: 上年执行数 40.5 (1 decimal) against 执行数 45 (0): 4.5 / 40.5 = 11.11 %."""
    spend = [*SPEND[:5], "上年执行数（万元）", "说明"]
    sheets = {
        "单位概况": UNIT,
        "支出": [spend, ["一般公共预算", "基本支出", "人员支出", 50, 45, "40.5", ""]],
    }
    _, soup = report(tmp_path, sheets)
    table = soup.find("table", class_="yoy")
    row = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert row["一般公共预算支出（万元）"] == ["40.5", "45", "+4.5", "+11.11%"]


def test_an_approximate_sum_is_compared_as_the_text_states_it(tmp_path):
    """线下 2024: 约300 + 3600 = 约3900 (two figures keep it whole: 约3900); 2025: 约330 + 4000
    = 4330, stated 4300余. The comparison says so, and its change is approximate: 4330 − 3900 =
    约+430, 430 / 3900 = 约+11.03 %; never an exact-looking 4330 beside the text's 4300余."""
    acts = [*ACTS, "线下参与人次"]

    def sheets(year: int, people: tuple[str, str]) -> dict:
        rows = [[f"A{i}", "讲座", f"讲座{i}", f"{year}-03-0{i}", "本馆", n] for i, n in
                enumerate(people, 1)]  # fmt: skip
        return {"单位概况": UNIT, "支出": [SPEND], "活动": [acts, *rows]}

    first = _year(tmp_path, 2024, sheets(2024, ("约300", "3600")))
    summary = json.loads(json.dumps(first.summary))
    second = _year(tmp_path, 2025, sheets(2025, ("约330", "4000")), summary)
    document = build.build_document(second)
    soup = BeautifulSoup(html.render_body(document), "html.parser")
    table = soup.find("table", class_="yoy")
    rows = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert rows["线下参与（人次）"] == ["约3900", "4300余", "约+430", "约+11.03%"]
    assert rows["活动场次（场）"] == ["2", "2", "0", "0.00%"]  # exact: no 约
