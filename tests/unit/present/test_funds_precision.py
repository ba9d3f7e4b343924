"""Issue 30, 「Precision invented」 in the 自评表 and the 自评结论: the funds block and the
conclusion state 全年预算数 and 全年执行数 at the precision the 支出 rows state them (budgets
typed 60 and 47: 107, never 107.00), as 二 does. Hand-made CSVs built as 03 builds them
(`test_report_states.report`); every expected figure is written by hand from the cells."""

from __future__ import annotations

from test_report_states import SPEND, UNIT, report, texts


def _funds(soup) -> list[str]:
    """The 自评表's 年度资金总额 row: label, 年初预算数, 全年预算数, 全年执行数, …"""
    row = soup.select_one("table.scoring tr.funds")
    return [c.get_text(strip=True) for c in row.find_all(["th", "td"])]


def test_the_funds_keep_the_precision_the_spending_rows_state(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND,
            ["一般公共预算", "基本支出", "人员支出", 60, 63.44, ""],
            ["一般公共预算", "项目支出", "图书购置", 47, 39.39, ""],
        ],
        "声明数": [["指标", "数值", "单位"], ["自评得分", 96, "分"]],
    }
    _, soup = report(tmp_path / "a", sheets)
    # 60 + 47 = 107 (whole, as typed); 63.44 + 39.39 = 102.83; 102.83 ÷ 107 = 96.10%
    conclusion = soup.select_one("p.conclusion").get_text()
    assert "全年预算数107万元，全年执行数102.83万元，预算执行率96.10%。" in conclusion
    assert "107.00" not in conclusion
    cells = _funds(soup)
    assert "107" in cells and "102.83" in cells and "107.00" not in cells
    # a budget stated to the fen stays to the fen: 60.5 + 46.25 = 106.75
    sheets["支出"][1][3], sheets["支出"][2][3] = "60.5", "46.25"
    _, soup = report(tmp_path / "b", sheets)
    assert "全年预算数106.75万元" in soup.select_one("p.conclusion").get_text()
    assert "106.75" in _funds(soup)


def test_a_low_rate_in_section_seven_keeps_the_precision_of_its_figures(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND,
            ["一般公共预算", "基本支出", "人员支出", 60, 63.44, ""],
            ["一般公共预算", "项目支出", "图书购置", 50, 30, ""],
        ],
    }
    _, soup = report(tmp_path, sheets)
    # 60 + 50 = 110; 63.44 + 30 = 93.44; 93.44 ÷ 110 = 84.945…% → 84.95%, under 90%
    assert texts(soup, "s7")[0] == (
        "预算执行率为84.95%（全年预算数110万元，全年执行数93.44万元），低于90%。"
    )
