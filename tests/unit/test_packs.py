"""Rule packs (issue 26): each pack's scoring rules on hand-computed cases, the edges (exactly
90%, exactly +30%, a ≤ indicator with a result of 0), caps and deductions, and the choice of a
pack in 单位概况 「自评表格式」. Every expected number is worked out by hand in the comments."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from pydantic import TypeAdapter

from selfeval import packs
from selfeval.errors import InputError, InternalError
from selfeval.present.form import form_table
from selfeval.present.scoring_view import scoring_view, warning_texts
from selfeval.present.working import working_notes, working_text
from selfeval.scoring import ScoreResult, score_year
from selfeval.scoring_rules import indicator_score, needs_reason
from tests.unit.test_scoring import (
    JIANGXI_TARGETS,
    _render,
    q,
    spending_frame,
    targets_frame,
    unit_frame,
    write_workbook,
)

NAMES = {
    "national": "全国",
    "sichuan": "四川",
    "guizhou": "贵州",
    "chongqing": "重庆",
    "yunnan": "云南",
    "jiangxi": "江西",
}
#: Which packs count a result ≥ 130% of its target as a deviation (the others: ≥ 150%, as the
#: national rules always did), and which deduct for it.
FACTOR_13 = {"sichuan", "chongqing"}
PENALTY = {"sichuan": 2.0}


def test_every_pack_is_a_file_with_its_name():
    assert set(packs.PACK_IDS) == set(NAMES) and packs.PACK_IDS[0] == "national"
    assert {name: pack for pack, name in NAMES.items()} == packs.pack_names()
    assert packs.pack_by_name("四川") == "sichuan"
    assert packs.pack_by_name(None) == packs.pack_by_name("") == "national"


def test_an_unknown_form_names_the_allowed_values():
    with pytest.raises(InputError) as info:
        packs.pack_by_name("湖南")
    (problem,) = info.value.problems
    assert problem.column == "自评表格式" and problem.value == "湖南"
    assert all(name in problem.expected for name in NAMES.values())


def test_an_unknown_form_in_the_workbook_is_one_located_problem(tmp_path):
    from selfeval.clean import clean_year

    path = write_workbook(tmp_path / "2024", JIANGXI_TARGETS)
    book = openpyxl.load_workbook(path)
    book["单位概况"].append(["自评表格式", "湖南"])
    book.save(path)
    with pytest.raises(InputError) as info:
        clean_year(tmp_path / "2024", 2024)
    problems = [p for p in info.value.problems if p.sheet == "单位概况"]
    assert len(problems) == 1
    text = str(problems[0])
    assert "湖南" in text and "不是「自评表格式」的可选值" in text
    assert "全国、重庆、贵州、江西、四川、云南" in text


def test_a_pack_with_a_bad_rule_names_its_file_and_key(monkeypatch):
    bad = {"name": "全国", "scoring": dict(packs.load_pack("national")["scoring"])}
    bad["scoring"]["over_factor"] = 0.5
    monkeypatch.setattr(packs, "load_pack", lambda pack: bad)
    with pytest.raises(InternalError) as info:
        packs.scoring_rules.__wrapped__("national")
    assert "selfeval/packs/national.toml" in str(info.value)
    assert "[scoring] over_factor" in str(info.value)
    bad["scoring"]["over_factor"] = 1.5
    bad["scoring"]["execution_weight"] = 20  # 管理… of a pack that fixes 一级指标 weights
    bad["scoring"]["level1_weights"] = {"产出指标": 90}
    with pytest.raises(InternalError, match="level1_weights"):
        packs.scoring_rules.__wrapped__("national")


@pytest.mark.parametrize("pack", list(NAMES))
def test_direction_formulas_of_every_pack(pack):
    rules = packs.scoring_rules(pack)
    # ≥: 19 ÷ 15 × 10 = 12.666… → met, at most 10 (19 < 15 × 1.3 = 19.5: no deviation)
    met = indicator_score(rules, "≥", 15, 19, 10)
    assert (met.score, met.met, met.over) == (10, True, False)
    assert working_text(met.working) == "19 ÷ 15 × 10 = 12.67，按分值上限计10"
    # ≥ not met: 12 ÷ 15 × 10 = 8
    part = indicator_score(rules, "≥", 15, 12, 10)
    assert part.score == pytest.approx(8.0) and working_text(part.working) == "12 ÷ 15 × 10 = 8.00"
    # ≤ not met: 5 ÷ 8 × 10 = 6.25
    over = indicator_score(rules, "≤", 5, 8, 10)
    assert over.score == pytest.approx(6.25) and working_text(over.working) == "5 ÷ 8 × 10 = 6.25"
    # ≤ with a result of 0: full marks
    zero = indicator_score(rules, "≤", 5, 0, 10)
    assert (zero.score, zero.met) == (10, True)
    assert working_text(zero.working) == "实际完成值为0，不超过指标值5，得满分10"
    # =: 80 against 100 → 80 ÷ 100 × 20 = 16; exactly 100 → 20
    assert indicator_score(rules, "=", 100, 80, 20).score == pytest.approx(16.0)
    assert indicator_score(rules, "=", 100, 100, 20).score == 20


@pytest.mark.parametrize("pack", list(NAMES))
def test_exactly_thirty_percent_over_the_target(pack):
    rules = packs.scoring_rules(pack)
    exact = indicator_score(rules, "≥", 10, 13, 10)  # 13 = 10 × 1.3
    assert exact.over is (pack in FACTOR_13)
    # 四川 deducts 2: 10 − 2 = 8; the others keep 10
    assert exact.score == pytest.approx(10 - PENALTY.get(pack, 0))
    below = indicator_score(rules, "≥", 10, 12.99, 10)
    assert (below.over, below.score) == (False, 10)
    # ≤: 10 ÷ 1.3 = 7.69…: a result of 7.5 is that far below its ceiling
    assert indicator_score(rules, "≤", 10, 7.5, 10).over is (pack in FACTOR_13)
    if pack in PENALTY:
        assert working_text(exact.working) == (
            "13 ÷ 10 × 10 = 13.00，按分值上限计10；超过指标值较多，扣2分，计8.00"
        )


@pytest.mark.parametrize("pack", list(NAMES))
def test_exactly_ninety_percent_needs_no_reason(pack):
    rules = packs.scoring_rules(pack)
    assert not needs_reason(rules, 90.0)
    assert needs_reason(rules, 89.99) is (pack != "jiangxi")  # 江西's form has no rate rule
    assert not needs_reason(rules, None)


def _targets(weights: tuple[float, ...] = (50, 40)) -> pd.DataFrame:
    """Two met ≥ indicators (产出 50, 满意度 40 by default)."""
    return targets_frame(
        [
            q("产出指标", "数量指标", "开放天数", "≥", 300, 300, weights[0]),
            q("满意度指标", "服务对象满意度指标", "满意度", "≥", 90, 95, weights[1]),
        ]
    )


def _year(form: str | None, actual: float, budget: float = 100.0) -> ScoreResult:
    unit = unit_frame(自评表格式=form) if form else unit_frame()
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, budget, actual)])
    return score_year({"unit": unit, "spending": spending, "targets": _targets()})


@pytest.mark.parametrize(
    ("actual", "total", "grade"),
    [
        (80.0, 98.0, "优"),  # exactly 80%: 90 + 8 = 98, no cap (80 is not below 80)
        (75.0, 89.0, "良"),  # 90 + 7.5 = 97.5, 70–80% → at most 89
        (65.0, 79.0, "中"),  # 96.5 → at most 79
        (55.0, 69.0, "中"),  # 95.5, below 60% → at most 69
        (45.0, 59.0, "差"),  # 94.5, below 50% → at most 59
    ],
)
def test_sichuan_caps_the_total_by_the_execution_rate(actual, total, grade):
    result = _year("四川", actual)
    assert result.pack == "sichuan"
    assert result.computed_total == total and result.total == total and result.grade == grade
    if total == 98.0:
        assert result.total_working is None
    else:
        raw = f"{90 + actual / 10:.2f}"
        notes = working_notes(result)
        assert notes[-1].startswith(f"总分：预算执行率{actual:.2f}%低于") and raw in notes[-1]
        assert notes[-1].endswith(f"按上限计{total:g}。")
    # the national pack caps nothing: 90 + rate × 10
    national = _year(None, actual)
    assert national.computed_total == 90 + actual / 10 and national.total_working is None


def test_the_execution_rule_of_each_pack_and_its_reason_threshold():
    # 重庆 and 四川 divide by the 调整后预算数 (the 全年预算数 column): 90 ÷ 100 = 90% → 9 points
    for form in ("四川", "重庆", "云南", None):
        result = _year(form, 90.0)
        assert result.funds.score == pytest.approx(9.0)
        assert not any(d.kind == "执行率" for d in result.deviations)  # exactly 90%
        below = _year(form, 89.0)
        assert [d.kind for d in below.deviations] == ["执行率"]
    # 四川's 底稿 words the rate's working in the unit's amounts
    notes = working_notes(_year("四川", 89.0))
    assert notes[0] == "预算执行率得分：89.00 ÷ 100.00 × 10 = 8.90。"
    assert working_notes(_year(None, 89.0)) == []  # the national 底稿 is unchanged


def test_guizhou_splits_the_execution_score_over_the_initial_budget():
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 50.0, 38.0),
            ("一般公共预算", "项目支出", "项目一", False, 60.0, 45.0),
        ]
    )
    spending["original_budget"] = [40.0, 60.0]  # 年初预算数
    tables = {"spending": spending, "targets": _targets()}
    result = score_year({**tables, "unit": unit_frame(自评表格式="贵州")})
    # 基本支出 38 ÷ 40 = 95% × 5 = 4.75; 项目支出 45 ÷ 60 = 75% × 5 = 3.75; 8.5
    assert result.funds.rate == pytest.approx(83.0)  # 83 ÷ 100 年初预算数
    assert result.funds.score == pytest.approx(8.5)
    assert result.computed_total == 98.5
    assert scoring_view(result).funds_working == (
        "基本支出：38.00 ÷ 40.00 × 5 = 4.75；项目支出：45.00 ÷ 60.00 × 5 = 3.75"
    )
    # nationally: 83 ÷ 110 全年预算数 × 10 = 7.545…
    national = score_year({**tables, "unit": unit_frame()})
    assert national.funds.score == pytest.approx(83 / 110 * 10)
    rules = _render(result).find(string=lambda s: s and s.startswith("评分规则："))
    assert "按贵州表式评分；预算执行率得分按基本支出5分、项目支出5分分别计算。" in rules
    # the form the unit chose lays the table out, its 得分计算方法 holding that working
    table = form_table(scoring_view(result), 2024)
    total = _form_row(table, "年度资金总额：")
    assert "基本支出：38.00 ÷ 40.00 × 5 = 4.75；项目支出：45.00 ÷ 60.00 × 5 = 3.75" in total


def test_jiangxi_scores_without_an_execution_weight_and_states_no_rate_rule():
    rows = [
        q("管理指标", "预算管理", "预算编制规范", "≥", 1, 1, 30),
        q("产出指标", "数量指标", "送图书次数", "≥", 5, 4, 25),  # 4 ÷ 5 × 25 = 20
        q("效果指标", "社会效益指标", "活动场次", "≥", 8, 8, 35),
        q("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, 98, 10),
    ]
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 100.0, 60.0)])
    tables = {"unit": unit_frame(自评表格式="江西"), "spending": spending}
    result = score_year({**tables, "targets": targets_frame(rows)})
    assert result.funds.weight == 0 and result.computed_total == 95.0  # 30 + 20 + 35 + 10
    # the weights are the pack's; 60% needs no reason on a form without an execution rule
    assert warning_texts(result) == ["指标「送图书次数」未达成年度指标值，但未填写偏差原因分析。"]
    rules = _render(result).find(string=lambda s: s and s.startswith("评分规则："))
    assert rules.startswith(
        "评分规则：管理指标30分、产出指标25分、效果指标35分、满意度指标10分；定量指标完成即得满分"
    )
    assert "预算执行率" not in rules
    rows[0] = q("管理指标", "预算管理", "预算编制规范", "≥", 1, 1, 20)
    rows[1] = q("产出指标", "数量指标", "送图书次数", "≥", 5, 4, 35)
    other = score_year({**tables, "targets": targets_frame(rows)})
    assert warning_texts(other)[-1] == (
        "绩效指标的分值与江西表式不同：该表式为管理指标30分、产出指标25分、效果指标35分、满意度指标10分。"
    )


def test_the_unit_settings_apply_on_top_of_a_pack():
    """单位概况 预算执行率分值 20 under 四川: the rate scores 20 points; 等级标准 renames no grade
    but moves its bound."""
    rules = packs.rules_for({"自评表格式": "四川", "预算执行率分值": "20", "等级标准": "优95"})
    assert rules.execution_weight == 20 and rules.over_penalty == 2
    assert rules.grades[0] == ("优", 95.0) and rules.grades[1] == ("良", 80.0)
    split = packs.rules_for({"自评表格式": "贵州", "预算执行率分值": "20"})
    assert split.execution_split == (("基本支出", 10.0), ("项目支出", 10.0))


def test_workings_survive_the_results_json():
    result = _year("四川", 75.0)
    adapter = TypeAdapter(ScoreResult)
    again = adapter.validate_json(adapter.dump_json(result))
    assert working_notes(again) == working_notes(result)
    assert working_notes(result) == [
        "预算执行率得分：75.00 ÷ 100.00 × 10 = 7.50。",
        "开放天数得分：300 ÷ 300 × 50 = 50.00。",
        "满意度得分：95 ÷ 90 × 40 = 42.22，按分值上限计40。",
        "总分：预算执行率75.00%低于80%，总分97.50按上限计89。",
    ]


def _workbook_with_columns(folder, form: str | None) -> None:
    """The 2024 workbook (支出 budgets 117, 执行数 109.17) with three indicators and the new
    optional columns 年初指标值, 是否核心指标 and 不适用; 效益 (20 points) does not apply."""
    rows = [
        ["产出指标", "数量指标", "开放天数", "≥", "15", "12", "天", 40] + [None] * 4,
        ["效益指标", "社会效益指标", "乙", "≥", "1", "1", "项", 20] + [None] * 4,
        ["满意度指标", "服务对象满意度指标", "满意度", "≥", "90%", "95%", "%", 30] + [None] * 4,
    ]
    path = write_workbook(folder, rows)
    book = openpyxl.load_workbook(path)
    sheet = book["绩效目标"]
    for column, values in (
        ("年初指标值", ["≥16", None, "≥90%"]),
        ("是否核心指标", ["是", "否", None]),
        ("不适用", [None, "是", "否"]),
    ):
        sheet.cell(1, sheet.max_column + 1, column)
        for n, value in enumerate(values, start=2):
            sheet.cell(n, sheet.max_column, value)
    if form:
        book["单位概况"].append(["自评表格式", form])
    book.save(path)


def test_not_applicable_indicators_are_dropped_and_the_total_rescaled(tmp_path):
    from selfeval.clean import clean_year

    _workbook_with_columns(tmp_path / "sc" / "2024", "四川")
    result = score_year(clean_year(tmp_path / "sc" / "2024", 2024).tables)
    # 四川: rate 109.17 ÷ 117 × 10 = 9.3308; 开放天数 12 ÷ 15 × 40 = 32; 满意度 30; 乙 dropped:
    # (9.3308 + 32 + 30) × 100 ÷ (10 + 40 + 30) = 89.1635… → 89.16
    rate_score = 109.17 / 117 * 10
    assert result.computed_total == round((rate_score + 62) * 100 / 80, 2) == 89.16
    dropped = result.indicators[1]
    assert dropped["not_applicable"] and dropped["得分"] is None
    assert dropped["实际完成值"] == "不适用"
    assert working_notes(result)[-1] == "不适用指标剔除后按100分折算：71.33 × 100 ÷ 80 = 89.16。"
    view = scoring_view(result).rows
    assert [r.original_target for r in view] == ["≥16", "", "≥90%"]
    assert [r.core for r in view] == ["是", "否", ""]
    # nationally 不适用 drops nothing: 9.3308 + 32 + 20 + 30 = 91.33, and a warning says so
    _workbook_with_columns(tmp_path / "cn" / "2024", None)
    national = score_year(clean_year(tmp_path / "cn" / "2024", 2024).tables)
    assert national.computed_total == 91.33
    assert "指标乙标为不适用，但全国表式不剔除不适用的指标：照常计分。" in warning_texts(national)


def test_funds_by_source_when_every_counted_row_states_it(tmp_path):
    from selfeval.clean import clean_year

    path = write_workbook(tmp_path / "2024", JIANGXI_TARGETS)
    book = openpyxl.load_workbook(path)
    sheet = book["支出"]
    column = sheet.max_column + 1
    sheet.cell(1, column, "资金来源")
    # 人员支出, 公用支出, 基本支出合计, 项目支出合计, 政府性基金预算合计 (0 spent, no budget)
    for row, source in enumerate(["财政资金", "财政资金", "财政资金", "单位资金", "财政资金"], 2):
        sheet.cell(row, column, source)
    book["单位概况"].append(["自评表格式", "江西"])
    book.save(path)
    result = score_year(clean_year(tmp_path / "2024", 2024).tables)
    found = [(r.label, r.budget, r.actual) for r in result.funds.by_source]
    # the counted rows: 基本支出合计 72 / 69.78 (财政资金), 项目支出合计 45 / 39.39 (单位资金)
    assert found == [
        ("总额", 117.0, pytest.approx(109.17)),
        ("财政资金", 72.0, pytest.approx(69.78)),
        ("财政专户管理资金", 0.0, 0.0),
        ("单位资金", 45.0, pytest.approx(39.39)),
        ("其他资金", 0.0, 0.0),
    ]
    view = scoring_view(result).funds_by_source
    assert view[1].rate == "96.92%"  # 69.78 ÷ 72
    assert view[2].rate == ""  # nothing budgeted: no rate
    # 四川's form prints these rows under its own labels
    sichuan = form_table(scoring_view(result), 2024, "sichuan")
    # (年初预算, 调整后预算数, 预算执行数); 年初预算 by source is not given: 未填报
    assert _form_row(sichuan, "其中：财政资金")[1:4] == ["未填报", "72.00", "69.78"]
    assert _form_row(sichuan, "单位资金")[1:4] == ["未填报", "45.00", "39.39"]


def _form_row(table, label: str) -> list[str]:
    """The texts of the body row of a 自评表 holding the cell `label`."""
    rows = [[c.text for c in r.cells] for r in table.body]
    return next(r for r in rows if label in r)


def test_guizhou_scores_a_project_table_on_one_ratio():
    """The split by 基本支出 and 项目支出 is the 部门整体 form's: a project (all 项目支出) scores
    its rate on the whole 10 points, 45 ÷ 60 (年初预算数) = 75% → 7.5."""
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 50.0, 38.0),
            ("一般公共预算", "项目支出", "项目一", False, 60.0, 45.0),
        ]
    )
    spending["original_budget"] = [40.0, 60.0]
    targets = pd.concat([_targets(), _targets()], ignore_index=True)
    targets["project"] = [None, None, "项目一", "项目一"]
    from selfeval.scoring import score_tables

    unit, project = score_tables(
        {"unit": unit_frame(自评表格式="贵州"), "spending": spending, "targets": targets}
    )
    assert unit.funds.score == pytest.approx(8.5)  # 4.75 + 3.75, as above
    assert project.project == "项目一" and project.funds.score == pytest.approx(7.5)
    assert project.computed_total == 97.5
