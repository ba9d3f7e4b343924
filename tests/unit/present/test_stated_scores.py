"""The unit's own 自评表 figures are kept: its stated total score (声明数 「自评得分」), its stated
预算执行率 (声明数 「预算执行率」) and the 得分 it entered for quantitative indicators.

When the program cannot compute the figure, the report states the unit's; when it can and gets
another, the 报送稿 keeps the unit's and the 审核底稿 shows both with ⚠. Each figure is tried
stated, stated as zero and not given; every expected figure is worked out by hand here.

`complete_year()` scores by hand: 开放天数 met 50; 服务人次 8000 / 10000 × 30 = 24; 读者满意度
met 10; 执行率 45 / 50 = 90.00%, × 10 = 9; 总分 93.00 (优)."""

from __future__ import annotations

import pytest
from test_report_states import SPEND, UNIT, YEAR, complete_year, report, write_csvs

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present.scoring_view import year_warnings

STATED_HEAD = ["指标", "数值", "单位"]
DIFFERS = "按评分规则计算为93.00分；报送稿按单位所填。"


def _stated(*rows: list) -> list[list]:
    return [STATED_HEAD, *rows]


def _submitted(soup) -> str:
    """The 报送稿's text: the page without its review layer."""
    for note in soup.select(".review"):
        note.decompose()
    return soup.get_text()


def _review(soup) -> list[str]:
    return [p.get_text(strip=True) for p in soup.find(id="scoring").select(".review")]


def _funds_cells(soup) -> list[str]:
    row = soup.select_one("table.scoring tr.funds")
    return [c.get_text(strip=True) for c in row.find_all(["th", "td"])]


def _conclusion(soup) -> str | None:
    found = soup.select_one("p.conclusion")
    return None if found is None else found.get_text()


def _no_budget(stated: list | None) -> dict:
    sheets = {
        "单位概况": UNIT,
        "支出": [SPEND, ["一般公共预算", "基本支出", "人员支出", "", 45, ""]],
    }
    if stated is not None:
        sheets["声明数"] = _stated(stated)
    return sheets


@pytest.mark.parametrize(("score", "grade"), [("98", "优"), ("0", "差")])
def test_a_stated_total_score_is_stated_when_the_program_computes_none(tmp_path, score, grade):
    """No 绩效目标: the program has no total; the unit's 98 (or its stated 0) is the report's."""
    _, soup = report(tmp_path, _no_budget(["自评得分", score, "分"]))
    assert (
        _conclusion(soup) == f"经自评，2025年度部门整体支出绩效自评得分{score}分，等级为“{grade}”。"
    )
    assert soup.select_one("p.unscored") is None  # no 「未计算总分」 beside the unit's score
    review = _review(soup)
    assert (
        f"总分{score}为单位自评得分（声明数.csv 第2行）；程序未计算：未填报绩效目标，未计算总分。"
        in review
    )


def test_without_a_stated_total_score_the_report_says_none_was_computed(tmp_path):
    _, soup = report(tmp_path, _no_budget(None))
    assert _conclusion(soup) is None
    assert soup.select_one("p.unscored").get_text() == "未填报绩效目标，未计算总分。"
    assert not any("单位自评得分" in n for n in _review(soup))


@pytest.mark.parametrize(
    ("score", "note"),
    [
        ("98", "⚠ 总分98为单位自评得分（声明数.csv 第2行），" + DIFFERS),
        ("93", "✓ 总分93为单位自评得分（声明数.csv 第2行），与按评分规则计算的93.00分一致。"),
        ("0", "⚠ 总分0为单位自评得分（声明数.csv 第2行），" + DIFFERS),
    ],
)
def test_a_stated_total_score_is_kept_over_the_programs_and_both_are_in_the_review(
    tmp_path, score, note
):
    sheets = {**complete_year(), "声明数": _stated(["自评得分", score, "分"])}
    _, soup = report(tmp_path, sheets)
    assert _conclusion(soup).startswith(f"经自评，2025年度部门整体支出绩效自评得分{score}分，")
    total = soup.select_one("table.scoring tr.total").find_all(["th", "td"])
    assert [c.get_text(strip=True) for c in total][2] == score
    assert note in _review(soup)
    if score != "93":
        assert "93.00" not in _submitted(soup)  # the program's figure is the reviewer's only


def test_without_a_stated_total_score_the_programs_total_is_stated(tmp_path):
    _, soup = report(tmp_path, complete_year())
    assert _conclusion(soup).startswith("经自评，2025年度部门整体支出绩效自评得分93.00分，")
    assert not any("单位自评得分" in n for n in _review(soup))


@pytest.mark.parametrize("rate", ["103.21", "0"])
def test_a_stated_rate_is_stated_when_the_program_cannot_compute_one(tmp_path, rate):
    """No 预算数: 「预算数缺失」 is the program's word, the unit's rate is the form's."""
    _, soup = report(tmp_path, _no_budget(["预算执行率", rate, "%"]))
    assert _funds_cells(soup)[5] == f"{rate}%"
    assert f"执行率{rate}%为单位所写（声明数.csv 第2行）；程序无法计算（预算数缺失）。" in _review(
        soup
    )


def test_without_a_stated_rate_the_form_says_the_budget_is_missing(tmp_path):
    _, soup = report(tmp_path, _no_budget(None))
    assert _funds_cells(soup)[5] == "预算数缺失"


def test_a_stated_rate_that_differs_is_kept_and_both_are_in_the_review(tmp_path):
    sheets = {**complete_year(), "声明数": _stated(["预算执行率", "91.5", "%"])}
    _, soup = report(tmp_path, sheets)
    assert _funds_cells(soup)[5] == "91.5%"  # the unit's, at its own precision
    assert _conclusion(soup).endswith(
        "全年预算数50万元，全年执行数45万元，预算执行率91.5%。"
        "设定绩效指标3项，已完成2项；未完成的为：服务人次。"
    )
    note = "⚠ 执行率91.5%为单位所写（声明数.csv 第2行），按支出表计算为90.00%；报送稿按单位所写。"
    assert note in _review(soup)
    # 二 states the same total (budget 50, 执行数 45): the unit's rate there too, not 90.00%
    general = soup.find(id="s2").find("p").get_text()
    assert "预算执行率91.5%" in general and "90.00%" not in general


def _entered(score: str, actual: str = "8000") -> dict:
    """complete_year with a 得分 column: the unit's own score for 服务人次 (row 3)."""
    sheets = complete_year()
    head, *rows = sheets["绩效目标"]
    rows = [[*r, ""] for r in rows]
    rows[1][5], rows[1][-1] = actual, score
    sheets["绩效目标"] = [[*head, "得分"], *rows]
    return sheets


def _indicator_scores(soup) -> list[str]:
    rows = soup.select("table.scoring tr.indicator")
    return [r.find_all("td")[-2].get_text(strip=True) for r in rows]


@pytest.mark.parametrize(("score", "total"), [("26", "95.00"), ("0", "69.00")])
def test_an_entered_score_of_a_quantitative_indicator_is_kept(tmp_path, score, total):
    """服务人次 entered 26 (or 0) where the rules give 24: the form keeps the unit's, the total
    adds what the form shows (50 + 26 + 10 + 9 = 95; 50 + 0 + 10 + 9 = 69), the 底稿 has both."""
    _, soup = report(tmp_path, _entered(score))
    assert _indicator_scores(soup) == ["50.00", score, "10.00"]
    assert _conclusion(soup).startswith(f"经自评，2025年度部门整体支出绩效自评得分{total}分，")
    review = _review(soup)
    assert (
        f"⚠ 服务人次：单位所填得分{score}（绩效目标.csv 第3行「得分」），"
        "按评分规则计算为24.00；报送稿按单位所填。"
    ) in review
    assert f"⚠ 总分{total}为各项得分之和（含单位所填得分），{DIFFERS}" in review
    assert not any("仅保留不使用" in w for w in document_warnings(tmp_path, _entered(score)))


def test_an_entered_score_stands_where_the_program_computes_none(tmp_path):
    """服务人次 without 实际值: the program scores nothing there; the unit's 20 is the form's, and
    the total is the form's sum 50 + 20 + 10 + 9 = 89."""
    _, soup = report(tmp_path, _entered("20", actual=""))
    assert _indicator_scores(soup) == ["50.00", "20", "10.00"]
    assert _conclusion(soup).startswith("经自评，2025年度部门整体支出绩效自评得分89.00分，")
    review = _review(soup)
    assert (
        "服务人次：得分20为单位所填（绩效目标.csv 第3行「得分」）（实际完成值未填报，程序未计算）。"
        in review
    )


def test_without_an_entered_score_the_programs_score_is_stated(tmp_path):
    _, soup = report(tmp_path, _entered(""))
    assert _indicator_scores(soup) == ["50.00", "24.00", "10.00"]
    assert not any("单位所填得分" in n for n in _review(soup))


def document_warnings(tmp_path, sheets: dict) -> list[str]:
    """The build summary's warnings of the year (cleaner's and 自评表's)."""
    cleaned = clean_year(write_csvs(tmp_path / "w" / str(YEAR), sheets), YEAR)
    return year_warnings(results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR))


def _funds_row(actual: str, score: str) -> dict:
    """complete_year with the 绩效目标's 预算执行率 row (row 5): the unit's 实际值 and 得分."""
    sheets = complete_year()
    head, *rows = sheets["绩效目标"]
    rows = [[*r, ""] for r in rows]
    rows.append(["预算执行率", "", "预算执行率", "", "100%", actual, "%", 10, score])
    sheets["绩效目标"] = [[*head, "得分"], *rows]
    return sheets


@pytest.mark.parametrize(("score", "total"), [("9.2", "93.20"), ("0", "84.00")])
def test_the_rate_and_score_entered_in_the_funds_row_are_kept(tmp_path, score, total):
    """The 预算执行率 row states 91.5% and 9.2 (or 0) where the rules give 90.00% and 9.00: the
    form keeps the unit's, the total adds them (50 + 24 + 10 + 9.2 = 93.2; + 0 = 84)."""
    _, soup = report(tmp_path, _funds_row("91.5%", score))
    cells = _funds_cells(soup)
    assert (cells[5], cells[6]) == ("91.5%", score)
    assert _conclusion(soup).startswith(f"经自评，2025年度部门整体支出绩效自评得分{total}分，")
    review = _review(soup)
    rate = "⚠ 执行率91.5%为单位所写（绩效目标.csv 第5行），按支出表计算为90.00%；报送稿按单位所写。"
    assert rate in review
    assert (
        f"⚠ 预算执行率得分{score}为单位所填（绩效目标.csv 第5行「得分」），"
        "按评分规则计算为9.00；报送稿按单位所填。"
    ) in review


def test_a_funds_row_without_rate_or_score_leaves_the_programs(tmp_path):
    _, soup = report(tmp_path, _funds_row("", ""))
    cells = _funds_cells(soup)
    assert (cells[5], cells[6]) == ("90.00%", "9.00")
    assert not any("单位所" in n for n in _review(soup))
