"""Rule packs, what the first round left out (issue 26): the 调整后指标值 as the scored target
where a pack says so, 贵州's funds rows 基本支出 / 项目支出, 四川's 200-character texts. Every
expected number is worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from selfeval import packs
from selfeval.present.form import form_table
from selfeval.present.scoring_view import scoring_view, warning_texts
from selfeval.present.working import working_notes
from selfeval.scoring import ScoreResult, score_year
from tests.unit.test_packs import _form_row, _targets
from tests.unit.test_scoring import q, spending_frame, targets_frame, unit_frame


def _adjusted_year(form: str | None, original: str | None = None) -> ScoreResult:
    """开放天数: 年度指标值 ≥12, 调整后指标值 15, result 14, 分值 40; 满意度 met (50);
    the rate 100 ÷ 100 → 10."""
    targets = targets_frame(
        [
            q("产出指标", "数量指标", "开放天数", "≥", 12, 14, 40, "天"),
            q("满意度指标", "服务对象满意度指标", "满意度", "≥", 90, 95, 50),
        ]
    )
    targets["adjusted_target"] = ["15", ""]
    targets["original_target"] = [original or "", ""]
    unit = unit_frame(自评表格式=form) if form else unit_frame()
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 100.0, 100.0)])
    return score_year({"unit": unit, "spending": spending, "targets": targets})


def test_only_packs_that_declare_it_score_the_adjusted_target():
    assert [p for p in packs.PACK_IDS if packs.scoring_rules(p).adjusted_target] == ["chongqing"]


def test_chongqing_scores_against_the_adjusted_target():
    result = _adjusted_year("重庆")
    row = result.indicators[0]
    # 14 ÷ 15 × 40 = 37.333…: not met (14 < 15), though 14 ≥ the 年初 12
    assert row["得分"] == pytest.approx(14 / 15 * 40) and not row["met"]
    assert result.computed_total == round(10 + 14 / 15 * 40 + 50, 2) == 97.33
    # the 年度指标值 is shown as the 年初 one, the 调整后 beside it; the working names the target
    assert row["年度指标值"] == "≥12天" and row["年初指标值"] == "≥12天"
    assert row["调整后指标值"] == "15"
    assert "开放天数得分：按调整后指标值计：14 ÷ 15 × 40 = 37.33。" in working_notes(result)
    # its deviation is measured against the target scored
    (deviation,) = [d for d in result.deviations if d.problem is not None]
    assert deviation.problem.facts["target"] == "≥15天" and deviation.kind == "未达成"
    table = form_table(scoring_view(result), 2024)
    # 重庆: 年初指标值 | 调整指标值 | 全年完成值, without 指标性质 and 计量单位
    assert _form_row(table, "开放天数")[3:6] == ["12", "15", "14"]
    # a 年初指标值 the unit wrote stays its own
    assert _adjusted_year("重庆", "≥10").indicators[0]["年初指标值"] == "≥10"


def test_the_brief_case_adjusted_15_initial_12_result_14():
    """调整后 15 vs 年初 12, result 14, 分值 10: 14 ÷ 15 × 10 = 9.33 (重庆); 10 nationally."""
    rules = packs.scoring_rules("chongqing")
    from selfeval.scoring_rules import indicator_score

    scored = indicator_score(rules, "≥", 12.0, 14.0, 10.0, adjusted=15.0)
    assert round(scored.score, 2) == 9.33 and scored.working.basis == "adjusted"
    national = indicator_score(packs.scoring_rules(), "≥", 12.0, 14.0, 10.0, adjusted=15.0)
    assert national.score == 10.0 and national.working.basis == ""


@pytest.mark.parametrize("form", [None, "四川"])
def test_packs_without_the_rule_keep_the_target_and_show_the_adjusted(form):
    result = _adjusted_year(form)
    row = result.indicators[0]
    # 14 ≥ 12: met, full 40; 10 + 40 + 50 = 100
    assert row["得分"] == 40.0 and row["met"] and result.computed_total == 100.0
    assert row["年初指标值"] == "" and row["调整后指标值"] == "15"
    assert "basis" not in row["working"] or row["working"]["basis"] == ""
    assert not any("调整后" in n for n in working_notes(result))


def test_guizhou_fills_its_basic_and_project_funds_rows():
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 50.0, 38.0),
            ("一般公共预算", "项目支出", "项目一", False, 60.0, 45.0),
        ]
    )
    spending["original_budget"] = [40.0, 60.0]  # 年初预算数
    tables = {"spending": spending, "targets": _targets()}
    result = score_year({**tables, "unit": unit_frame(自评表格式="贵州")})
    table = form_table(scoring_view(result), 2024)
    # 资金来源 | 年初预算数（A） | 全年执行数（B） | 分值 | 得分 | 得分计算方法
    # 基本支出 38 ÷ 40 = 95% × 5 = 4.75; 项目支出 45 ÷ 60 = 75% × 5 = 3.75
    assert _form_row(table, "基本支出")[-6:] == [
        "基本支出", "40.00", "38.00", "5", "4.75", "38.00 ÷ 40.00 × 5 = 4.75",
    ]  # fmt: skip
    assert _form_row(table, "项目支出")[-6:] == [
        "项目支出", "60.00", "45.00", "5", "3.75", "45.00 ÷ 60.00 × 5 = 3.75",
    ]  # fmt: skip
    # the total row: 年初 100, 执行 83, 10 points, 4.75 + 3.75 = 8.50
    total = _form_row(table, "年度资金总额：")
    assert total[-6:-1] == ["年度资金总额：", "100.00", "83.00", "10", "8.50"]


def test_guizhou_rows_without_a_part_budget_say_what_lacks():
    """项目支出 has no 年初预算数: its rate cannot be computed, so neither its row nor the
    split score is filled; 基本支出's figures are still its own."""
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 50.0, 38.0),
            ("一般公共预算", "项目支出", "项目一", False, 60.0, 45.0),
        ]
    )
    spending["original_budget"] = [40.0, None]
    result = score_year(
        {"spending": spending, "targets": _targets(), "unit": unit_frame(自评表格式="贵州")}
    )
    table = form_table(scoring_view(result), 2024)
    project = _form_row(table, "项目支出")[-6:]
    assert project[:3] == ["项目支出", "未填报", "45.00"] and project[4] == "未填报"


def _texts(**sections: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "section": list(sections),
            "title": [None] * len(sections),
            "content": list(sections.values()),
            "order": range(len(sections)),
            "custom": [False] * len(sections),
        }
    )
    frame["src_file"], frame["src_sheet"] = "数据.xlsx", "文字说明"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def _sichuan_texts(form: str | None, **sections: str) -> list[str]:
    unit = unit_frame(自评表格式=form) if form else unit_frame()
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 100.0, 100.0)])
    tables = {
        "unit": unit,
        "spending": spending,
        "targets": _targets(),
        "texts": _texts(**sections),
    }
    return warning_texts(score_year(tables))


def test_sichuan_warns_of_a_text_over_200_characters():
    # 存在问题: two paragraphs of 150 and 51 characters: 201 as the form's cell holds them
    problems = "问" * 150 + "\n" + "题" * 51
    warnings = _sichuan_texts("四川", 存在问题=problems, 改进措施="措" * 200, 总体目标="目" * 300)
    assert warnings == [
        "文字说明「存在问题」共201字，超过四川表式规定的200字"
        "（数据.xlsx 工作表「文字说明」 第2行）：填入自评表前请删减。"
    ]  # 改进措施 is exactly 200: within; 总体目标 is no cell of the form
    # the national form has no such cell: no warning
    assert _sichuan_texts(None, 存在问题=problems) == []


def test_sichuan_form_cells_hold_the_text_sections():
    """The 附表's 评价结论 / 存在问题 / 改进措施 cells are the 文字说明 sections so named, their
    paragraphs run together (the length the warning counts)."""
    from selfeval.present.blocks.scoring import scoring_table
    from tests.unit.present.contexts import context

    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 100.0, 100.0)])
    result = score_year(
        {"unit": unit_frame(自评表格式="四川"), "spending": spending, "targets": _targets()}
    )
    texts = {"存在问题": {"paragraphs": ["甲。", "乙。"], "title": None, "custom": False}}
    blocks = scoring_table(context(scoring_view=scoring_view(result), texts=texts), "scoring")
    (table,) = [b for b in blocks if getattr(b, "kind", "") == "scoring"]
    assert _form_row(table, "存在问题")[-1] == "甲。乙。"
    assert _form_row(table, "改进措施")[-1] == "未填报"
