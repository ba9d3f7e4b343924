"""Section 二 keeps the 预算执行率 the unit stated (声明数 「预算执行率」), as the 自评表 and the
自评结论 do (issue #30): the 报送稿's sentence states the unit's figure at the unit's decimals;
the 审核底稿 beside it gives the program's, ⚠ where they differ, ✓ where they agree, its reason
where it computes none. Stated, stated as 0, not given — each a test.

complete_2025's 支出: 人员支出 预算数 50, 执行数 45 → the program's rate 45 / 50 = 90.00%."""

from __future__ import annotations

import pytest
from test_report_states import complete_year, report, review_notes, texts
from test_stated_scores import _no_budget, _stated

ROW = "（声明数.csv 第2行）"


def _s2(tmp_path, rate: str | None):
    sheets = complete_year()
    if rate is not None:
        sheets["声明数"] = _stated(["预算执行率", rate, "%"])
    _, soup = report(tmp_path, sheets)
    return texts(soup, "s2")[0], review_notes(soup, "s2")


def _general(rate: str) -> str:
    return f"2025年一般公共预算支出45万元，预算数50万元，预算执行率{rate}"


@pytest.mark.parametrize("rate", ["91.5", "0"])
def test_a_stated_rate_that_differs_is_stated_and_the_review_has_both_with_a_warning(
    tmp_path, rate
):
    sentence, notes = _s2(tmp_path, rate)
    assert sentence.startswith(_general(f"{rate}%"))
    assert "90.00%" not in sentence
    assert f"⚠ 执行率{rate}%为单位所写{ROW}，按支出表计算为90.00%；报送稿按单位所写。" in notes


def test_a_stated_rate_that_agrees_is_stated_at_its_decimals_and_checked(tmp_path):
    sentence, notes = _s2(tmp_path, "90")
    assert sentence.startswith(_general("90%"))
    assert f"✓ 执行率90%为单位所写{ROW}，与按支出表计算的90.00%一致。" in notes


def test_without_a_stated_rate_the_programs_rate_is_stated_and_nothing_is_noted(tmp_path):
    sentence, notes = _s2(tmp_path, None)
    assert sentence.startswith(_general("90.00%"))
    assert not any("单位所写" in n for n in notes)


def test_a_stated_rate_is_stated_where_the_program_cannot_compute_one(tmp_path):
    """No 预算数: the unit's 103.21% is its own; the 底稿 says why the program has none."""
    _, soup = report(tmp_path, _no_budget(["预算执行率", "103.21", "%"]))
    assert texts(soup, "s2")[0] == (
        "2025年一般公共预算支出45万元，预算执行率103.21%，其中：基本支出45万元，占100.00%。"
    )
    assert f"执行率103.21%为单位所写{ROW}；程序无法计算（预算数缺失）。" in review_notes(soup, "s2")
