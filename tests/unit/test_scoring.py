"""绩效自评表 scoring on fixture tables whose expected scores are computed by hand here."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from selfeval import config
from selfeval.errors import InputError
from selfeval.present import html
from selfeval.present.blocks.scoring import self_evaluation
from selfeval.present.document import Document, Section
from selfeval.present.scoring_view import scoring_view
from selfeval.rules import grade_of, round_half_up
from selfeval.scoring import BUDGET_MISSING, score_year

TARGET_COLUMNS = [
    "level1",
    "level2",
    "level3",
    "direction",
    "target",
    "target_text",
    "actual",
    "actual_text",
    "unit",
    "weight",
    "assessment",
    "score",
    "deviation_reason",
    "measures",
]


def targets_frame(rows: list[tuple]) -> pd.DataFrame:
    """A processed targets table (documented columns plus src_*), rows from Excel row 2."""
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    frame["target"] = frame["target"].astype("float64")
    frame["actual"] = frame["actual"].astype("float64")
    frame["weight"] = frame["weight"].astype("float64")
    frame["score"] = frame["score"].astype("float64")
    frame["src_file"] = "数据.xlsx"
    frame["src_sheet"] = "绩效目标"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def spending_frame(rows: list[tuple]) -> pd.DataFrame:
    """A processed spending table: (budget_type, category, item, is_total, budget, actual)."""
    frame = pd.DataFrame(
        rows, columns=["budget_type", "category", "item", "is_total", "budget", "actual"]
    )
    frame["budget"] = frame["budget"].astype("float64")
    frame["actual"] = frame["actual"].astype("float64")
    frame["budget_decimals"] = pd.array([2] * len(frame), dtype="Int64")
    frame["actual_decimals"] = pd.array([2] * len(frame), dtype="Int64")
    frame["note"] = None
    frame["src_file"] = "支出.csv"
    frame["src_sheet"] = "支出"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def q(
    level1, level2, level3, direction, target, actual, weight, unit="", reason=None, measures=None
):
    """A quantitative indicator row."""
    return (
        level1,
        level2,
        level3,
        direction,
        target,
        f"{target:g}",
        actual,
        None if actual is None else f"{actual:g}",
        unit,
        weight,
        None,
        None,
        reason,
        measures,
    )


def qual(level1, level2, level3, assessment, score, weight, reason=None, measures=None):
    """A qualitative (定性) indicator row."""
    return (
        level1,
        level2,
        level3,
        "定性",
        None,
        "有效运行",
        None,
        "基本运行",
        None,
        weight,
        assessment,
        score,
        reason,
        measures,
    )


SPENDING = spending_frame(
    [
        ("一般公共预算", "基本支出", "人员支出", False, 60.0, 58.0),
        ("一般公共预算", "基本支出", "公用支出", False, 10.0, 9.0),
        ("一般公共预算", "基本支出", "合计", True, 70.0, 67.0),
        ("一般公共预算", "项目支出", "合计", True, 30.0, 30.0),
    ]
)

TARGETS = targets_frame(
    [
        q("产出指标", "数量指标", "举办讲座场次", "≥", 6, 8, 20, "场"),
        q(
            "产出指标",
            "数量指标",
            "赠书册数",
            "≥",
            3000,
            2800,
            20,
            "册",
            reason="采购延迟",
            measures="提前采购",
        ),
        q("产出指标", "时效指标", "投诉处理天数", "≤", 5, 8, 10, "天"),
        q(
            "效益指标",
            "社会效益指标",
            "活动参与人次",
            "≥",
            1000,
            6000,
            15,
            "人次",
            reason="需求旺盛",
        ),
        qual("效益指标", "可持续影响指标", "服务长效机制", "达成年度指标", 14, 15),
        q("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, 98.92, 10, "%"),
    ]
)


def test_no_targets_still_gives_the_funds_block_and_says_so():
    """财预〔2020〕10号 附1: the funds block stands; without 绩效目标 no total is computed."""
    result = score_year({"spending": SPENDING})
    assert not result.targets_given and result.indicators == []
    assert result.funds.rate == pytest.approx(97.0) and result.funds.score == pytest.approx(9.7)
    assert result.total is None and result.grade is None
    assert result.unscored_reason == "未填报绩效目标，未计算总分"
    assert any("未填报绩效目标" in w for w in result.warnings)


def test_scores_each_rule_and_total_by_hand():
    result = score_year({"spending": SPENDING, "targets": TARGETS})
    # funds: budgets 60 + 10 + 30 (the 基本支出 合计 is not counted twice) = 100, actual 97.
    assert result.funds.budget == pytest.approx(100.0)
    assert result.funds.actual == pytest.approx(97.0)
    assert result.funds.rate == pytest.approx(97.0)
    assert result.funds.score == pytest.approx(9.7)
    assert not result.funds.budget_missing
    table = pd.DataFrame(result.indicators).set_index("三级指标")
    assert list(pd.DataFrame(result.indicators).columns[:8]) == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert table.loc["举办讲座场次", "得分"] == pytest.approx(20.0)
    assert table.loc["赠书册数", "得分"] == pytest.approx(20 * 2800 / 3000)
    assert table.loc["投诉处理天数", "得分"] == pytest.approx(10 * 5 / 8)
    assert table.loc["活动参与人次", "得分"] == pytest.approx(15.0)
    assert table.loc["服务长效机制", "得分"] == pytest.approx(14.0)
    assert table.loc["群众满意度", "得分"] == pytest.approx(10.0)
    assert table["met"].tolist() == [True, False, False, True, True, True]
    assert table["over_achieved"].tolist() == [False, False, False, True, False, False]
    assert table["missing_reason"].tolist() == [False, False, True, False, False, False]
    expected = 9.7 + 20 + 20 * 2800 / 3000 + 6.25 + 15 + 14 + 10  # 93.6166…
    assert result.total == 93.62
    assert result.total == round(expected, 2)
    assert result.grade == "优"
    assert table.loc["赠书册数", "偏差原因分析及改进措施"] == "采购延迟；改进措施：提前采购"
    assert table.loc["投诉处理天数", "年度指标值"] == "≤5天"


def test_deviations_and_warnings_for_sections_seven_and_eight():
    result = score_year({"spending": SPENDING, "targets": TARGETS})
    kinds = [(d.kind, d.cause, d.measure) for d in result.deviations]
    assert kinds == [
        ("未达成", "采购延迟", "提前采购"),
        ("未达成", None, None),
        ("超额", "需求旺盛", None),
    ]
    assert "赠书册数" in result.deviations[0].problem
    assert "2800册" in result.deviations[0].problem
    missing = [w for w in result.warnings if "投诉处理天数" in w]
    assert len(missing) == 1 and "偏差原因" in missing[0]
    # Indicators that were met with a reason, or met normally, raise no warning.
    assert not any("举办讲座场次" in w or "活动参与人次" in w for w in result.warnings)


def test_total_is_sum_of_unrounded_scores_rounded_once():
    # Three indicators at 1/3 of their target: each 30 × 1/3 = 10 (exact) would hide the rule,
    # so use 10-point ones at 1/3: 3.333… each shows 3.33, their sum shows 10.00 not 9.99.
    rows = [q("产出指标", "数量指标", f"指标{i}", "≥", 3, 1, 10) for i in range(3)] + [
        q("效益指标", "社会效益指标", "其余", "≥", 1, 1, 60)
    ]
    over = spending_frame([("一般公共预算", "项目支出", "图书采购", False, 20.0, 15.0)])
    result = score_year({"spending": over, "targets": targets_frame(rows)})
    assert result.funds.score == pytest.approx(7.5)  # 15 / 20 × 10
    assert result.total == 77.5  # 3 × 3.333… + 60 + 7.5, rounded once
    view = scoring_view(result)
    assert [r.score for r in view.rows[:3]] == ["3.33", "3.33", "3.33"]
    assert view.total == "77.50"
    assert result.grade == "中"


def test_less_or_equal_met_and_over_achieved():
    rows = [
        q("产出指标", "成本指标", "单场成本", "≤", 2, 1.2, 45, "万元"),
        q("产出指标", "成本指标", "人均成本", "≤", 3, 1.5, 45, "元"),
    ]
    result = score_year({"targets": targets_frame(rows)})
    table = pd.DataFrame(result.indicators)
    assert table["得分"].tolist() == [45.0, 45.0]
    assert table["met"].tolist() == [True, True]
    # 1.2 × 1.5 = 1.8 < 2 → far below the ceiling; 1.5 × 1.5 = 2.25 < 3 likewise.
    assert table["over_achieved"].tolist() == [True, True]


@pytest.mark.parametrize(
    ("assessment", "score", "ok"),
    [
        # 第十六条 on a 10-point indicator: [8, 10], [6, 8), [0, 6); 80% and 60% go up.
        ("达成年度指标", 10.0, True),
        ("达成年度指标", 8.0, True),
        ("达成年度指标", 7.99, False),
        ("达成年度指标", 10.5, False),
        ("部分达成年度指标并具有一定效果", 8.0, False),
        ("部分达成年度指标并具有一定效果", 7.99, True),
        ("部分达成年度指标并具有一定效果", 6.0, True),
        ("部分达成年度指标并具有一定效果", 5.99, False),
        ("未达成年度指标且效果较差", 0.0, True),
        ("未达成年度指标且效果较差", 5.99, True),
        ("未达成年度指标且效果较差", 6.0, False),
    ],
)
def test_qualitative_bands(assessment, score, ok):
    rows = [
        qual("满意度指标", "服务对象满意度指标", "读者评价", assessment, score, 10),
        q("产出指标", "数量指标", "其余", "≥", 1, 1, 80),
    ]
    tables = {"targets": targets_frame(rows)}
    if ok:
        result = score_year(tables)
        assert pd.DataFrame(result.indicators).loc[0, "得分"] == score
        assert pd.DataFrame(result.indicators).loc[0, "met"] == (assessment == "达成年度指标")
        assert pd.DataFrame(result.indicators).loc[0, "实际完成值"].endswith(f"（{assessment}）")
    else:
        with pytest.raises(InputError) as info:
            score_year(tables)
        (problem,) = info.value.problems
        assert (problem.file, problem.sheet, problem.row, problem.column) == (
            "数据.xlsx",
            "绩效目标",
            2,
            "得分",
        )
        assert problem.value == f"{score:g}"
        # the interval as finance systems check it, worked out by hand for 分值 10
        interval = {
            "达成年度指标": "[8, 10]",
            "部分达成年度指标并具有一定效果": "[6, 8)",
            "未达成年度指标且效果较差": "[0, 6)",
        }[assessment]
        assert assessment in problem.expected and interval in problem.expected


def test_weights_not_adding_to_ninety_name_the_sums():
    rows = [
        q("产出指标", "数量指标", "甲", "≥", 1, 1, 50),
        q("效益指标", "社会效益指标", "乙", "≥", 1, 1, 30),
        q("满意度指标", "服务对象满意度指标", "丙", "≥", 1, 1, 20),
    ]
    with pytest.raises(InputError) as info:
        score_year({"targets": targets_frame(rows)})
    (problem,) = info.value.problems
    assert problem.column == "分值"
    assert problem.value == "100"
    assert "产出指标50" in problem.message and "满意度指标20" in problem.message
    assert "90" in problem.expected


def test_execution_rate_above_100_is_capped_and_below_90_needs_a_reason():
    over = spending_frame([("一般公共预算", "项目支出", "图书采购", False, 20.0, 25.0)])
    rows = [q("产出指标", "数量指标", "甲", "≥", 1, 1, 90)]
    result = score_year({"spending": over, "targets": targets_frame(rows)})
    assert result.funds.rate == pytest.approx(125.0)
    assert result.funds.score == pytest.approx(10.0)
    assert result.total == 100.0
    assert result.deviations == []

    partial = spending_frame(
        [
            ("一般公共预算", "项目支出", "图书采购", False, 20.0, 15.0),
            ("一般公共预算", "项目支出", "讲座", False, None, 5.0),  # no budget: 预算数不全
        ]
    )
    result = score_year({"spending": partial, "targets": targets_frame(rows)})
    assert result.funds.marker == "预算数不全" and result.funds.score is None
    assert result.funds.missing_budget_rows == ["一般公共预算·项目支出·讲座"]
    assert result.total is None and "未计算总分" in result.unscored_reason
    assert any("讲座未填报预算数" in w for w in result.warnings)

    under = spending_frame([("一般公共预算", "项目支出", "图书采购", False, 20.0, 15.0)])
    result = score_year({"spending": under, "targets": targets_frame(rows)})
    assert result.funds.budget == pytest.approx(20.0)
    assert result.funds.actual == pytest.approx(15.0)
    assert result.funds.rate == pytest.approx(75.0)
    assert result.funds.score == pytest.approx(7.5)
    assert result.total == 97.5
    assert result.deviations[0].kind == "执行率"
    assert result.deviations[0].cause is None
    assert any("预算执行率75.00%" in w for w in result.warnings)

    # The reason comes from an optional 预算执行率 row, which is not an indicator.
    with_reason = targets_frame(
        [
            *rows,
            q(
                "预算执行率",
                "预算执行率",
                "预算执行率",
                "≥",
                100,
                75,
                10,
                "%",
                "项目延期",
                "加快进度",
            ),
        ]
    )
    result = score_year({"spending": under, "targets": with_reason})
    assert len(pd.DataFrame(result.indicators)) == 1
    assert (result.deviations[0].cause, result.deviations[0].measure) == ("项目延期", "加快进度")
    assert not any("预算执行率" in w for w in result.warnings)


def test_missing_budgets_score_nothing_and_say_so():
    no_budget = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, None, 63.44),
            ("一般公共预算", "基本支出", "公用支出", False, None, 6.33),
            ("一般公共预算", "基本支出", "合计", True, None, 69.78),
        ]
    )
    rows = [q("产出指标", "数量指标", "甲", "≥", 1, 1, 90)]
    result = score_year({"spending": no_budget, "targets": targets_frame(rows)})
    assert result.funds.budget_missing
    assert result.funds.marker == BUDGET_MISSING
    assert result.funds.score is None and result.funds.rate is None
    # the stated 合计 (the source's figure, as the body states it), not the parts and not both
    assert result.funds.actual == pytest.approx(69.78)
    # Without the funds row the total would be out of 90: no total, no grade, and why.
    assert result.total is None and result.grade is None
    assert result.unscored_reason == "预算执行率不计分（预算数缺失），未计算总分"
    assert any("预算数" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("total", "grade"),
    [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差")],
)
def test_grade_bands(total, grade):
    assert grade_of(total) == grade


def test_round_half_up_as_official_documents():
    assert round_half_up(2.675, 2) == 2.68  # Python's round gives 2.67
    assert round_half_up(0.125, 2) == 0.13
    assert math.isclose(round_half_up(93.61666, 2), 93.62)


def _render(result) -> BeautifulSoup:
    """The unit's 自评表 as 03 writes it: the national-form blocks, through the HTML writer."""
    blocks = self_evaluation(scoring_view(result, unit_name="某馆", department="某局"), 2024)
    section = Section("附表1：部门整体支出绩效自评表", "scoring", tuple(blocks))
    document = Document("报告", (section,), dt.date(2024, 12, 31))
    return BeautifulSoup(html.render_body(document), "html.parser")


def _cells(row) -> list[str]:
    return [c.get_text(strip=True) for c in row.find_all(["th", "td"])]


def test_partial_renders_table_funds_total_and_escapes_data():
    rows = [
        q("产出指标", "数量指标", "<script>alert(1)</script>", "≥", 6, 8, 40, "场"),
        q("产出指标", "数量指标", "赠书册数", "≥", 3000, 2800, 10, "册", reason="<b>采购</b>延迟"),
        q("效益指标", "社会效益指标", "参与人次", "≥", 100, 100, 30),
        q("满意度指标", "服务对象满意度指标", "满意度", "≥", 90, 95, 10, "%"),
    ]
    result = score_year({"spending": SPENDING, "targets": targets_frame(rows)})
    soup = _render(result)
    assert soup.find("script") is None and soup.find("b") is None
    assert "<script>alert(1)</script>" in soup.get_text()
    table = soup.select("table.scoring")
    assert len(table) == 1  # the form is one table, not four
    table = table[0]
    header = table.thead.find_all("tr")
    assert _cells(header[0]) == ["部门（单位）名称", "某馆"]  # the unit's form, not 项目名称
    assert _cells(header[1]) == ["主管部门", "某局", "实施单位", "某馆"]
    assert _cells(table.select_one("tr.funds-head")) == [
        "年度资金情况（万元）",
        "",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
        "",
    ]
    funds = table.select("tr.funds")
    # 合计 rows 70 + 30 = 100 budget, 67 + 30 = 97 actual; 97% of 10 points = 9.70
    assert _cells(funds[0]) == ["年度资金总额", "未填报", "100.00", "97.00", "10", "97.00%", "9.70"]
    assert [_cells(r)[0] for r in funds[1:]] == ["其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert _cells(table.select_one("tr.goal-head"))[1:] == ["预期目标", "实际完成情况"]
    assert _cells(table.select_one("tr.goal")) == ["未填报", "未填报"]
    assert _cells(table.select_one("tr.indicators-head")) == [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    body = table.select("tr.indicator")
    assert len(body) == 4
    first = body[0].find_all("td")
    assert first[0].get_text() == "产出指标" and first[0]["rowspan"] == "2"
    assert first[1]["rowspan"] == "2"
    second = _cells(body[1])  # merged cells absent
    assert second == ["赠书册数", "≥3000册", "2800册", "10", "9.33", "<b>采购</b>延迟"]
    # 9.7 + 40 + 10 × 2800/3000 + 30 + 10 = 99.0333… → 99.03
    total = table.tbody.find_all("tr")[-1]
    assert "total" in total["class"]
    assert _cells(total) == ["总分", "100", "99.03", "自评等级：优"]
    rules = soup.find(string=lambda s: s and s.startswith("评分规则："))
    assert "产出指标50分" in rules and "效益指标30分" in rules and "满意度指标10分" in rules


def test_partial_shows_budget_missing_and_missing_reason_warning():
    rows = [
        q("产出指标", "数量指标", "讲座", "≥", 6, 3, 90, "场"),
    ]
    result = score_year({"targets": targets_frame(rows)})
    soup = _render(result)
    cells = _cells(soup.select("table.scoring tr.funds")[0])
    assert cells == ["年度资金总额", "未填报", "未填报", "未填报", "10", BUDGET_MISSING, "不计分"]
    # What the unit still has to explain is the 审核底稿's, not the form's.
    warnings = [p.get_text() for p in soup.select("p.note.review") if "需补充说明" in p.get_text()]
    assert any("讲座" in w and "偏差原因" in w for w in warnings)
    indicator = _cells(soup.select("table.scoring tr.indicator")[0])
    # the cause the unit did not write: 未填报 in the 底稿's cell, blank in the 报送稿's
    assert indicator[-1] == "未填报"
    assert soup.select("table.scoring tr.indicator")[0].find_all("td")[-1].select("span.review")
    total = _cells(soup.select("table.scoring tr.total")[0])
    assert total[2:] == ["未计算", "自评等级：未评定"]


# ----------------------------------------------------------- a real workbook through clean_year

TARGET_HEADERS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "方向",
    "目标值",
    "实际值",
    "单位",
    "分值",
    "评价",
    "得分",
    "偏差原因",
    "改进措施",
]
WORKBOOK_TARGETS = [
    ["产出指标", "数量指标", "送图书次数", "≥", "5", "5", "次", 20, None, None, None, None],
    [
        "产出指标",
        "数量指标",
        "讲座场次",
        "≥",
        "8",
        "6",
        "场",
        20,
        None,
        None,
        "场地紧张",
        "提前预约",
    ],
    ["产出指标", "成本指标", "单场活动成本", "≤", "0.5", "0.4", "万元", 10, None, None, None, None],
    [
        "效益指标",
        "社会效益指标",
        "全民阅读氛围",
        "定性",
        "明显提升",
        "有所提升",
        None,
        30,
        "部分达成",
        20,
        "宣传覆盖面有限",
        "扩大宣传渠道",
    ],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90%", "98.92%", "%", 10] + [None] * 4,
]
WORKBOOK_SPENDING = [
    ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）", "说明"],
    ["一般公共预算", "基本支出", "人员支出", 65, 63.44, None],
    ["一般公共预算", "基本支出", "公用支出", 7, 6.33, None],
    ["一般公共预算", "基本支出", "合计", 72, 69.78, None],
    ["一般公共预算", "项目支出", "合计", 45, 39.39, None],
    ["政府性基金预算", None, "合计", None, 0, None],
]


def write_workbook(folder: Path, targets: list[list]) -> Path:
    """One xlsx with the 2024 sheets (支出 with budgets) and a 绩效目标 sheet, via openpyxl."""
    import csv

    import openpyxl

    raw = config.PROJECT_ROOT / "data" / "raw" / "2024"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(raw.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        rows = WORKBOOK_SPENDING if path.stem == "支出" else None
        if rows is None:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
        for row in rows:
            sheet.append(row)
    sheet = book.create_sheet("绩效目标")
    for row in [TARGET_HEADERS, *targets]:
        sheet.append(row)
    folder.mkdir(parents=True)
    path = folder / "云溪区图书馆2024年度数据.xlsx"
    book.save(path)
    return path


def test_real_workbook_scored_through_the_cleaner(tmp_path):
    from selfeval.clean import clean_year

    write_workbook(tmp_path / "2024", WORKBOOK_TARGETS)
    result = score_year(clean_year(tmp_path / "2024", 2024).tables)
    # the stated 合计 rows, as the body states them: budgets 72 + 45 = 117 (the parts 65 + 7 not
    # again), actual 69.78 + 39.39 = 109.17 (not the parts' 63.44 + 6.33 = 69.77)
    assert result.funds.budget == pytest.approx(117.0)
    assert result.funds.actual == pytest.approx(109.17)
    assert result.funds.score == pytest.approx(109.17 / 117 * 10)
    scores = pd.DataFrame(result.indicators)["得分"].tolist()
    assert scores == pytest.approx([20, 20 * 6 / 8, 10, 20, 10])
    # 9.3308… + 20 + 15 + 10 + 20 + 10 = 84.3308… → 84.33
    assert result.total == 84.33
    assert result.grade == "良"
    assert [d.cause for d in result.deviations] == ["场地紧张", "宣传覆盖面有限"]
    assert result.warnings == []
    view = scoring_view(result)
    assert view.funds[0].rate == "93.31%"  # 109.17 / 117
    assert view.rows[4].target == "≥90%" and view.rows[4].actual == "98.92%"


def test_real_workbook_qualitative_score_outside_band_is_located(tmp_path):
    """The band rule is an input rule: cleaning (01) stops on it, no later stage finds it."""
    from selfeval.clean import clean_year

    targets = [list(row) for row in WORKBOOK_TARGETS]
    targets[3][9] = 25  # 部分达成 allows (15, 24] of 30
    write_workbook(tmp_path / "2024", targets)
    with pytest.raises(InputError) as info:
        clean_year(tmp_path / "2024", 2024)
    (problem,) = info.value.problems
    assert problem.file == "云溪区图书馆2024年度数据.xlsx"
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "绩效目标",
        5,
        "得分",
        "25",
    )
    assert "[18, 24)" in problem.expected  # 60%–80% of 30, the low end included
    assert "绩效目标" in str(info.value) and "第5行" in str(info.value)


def test_equal_direction_and_missing_actual():
    rows = [
        q("产出指标", "质量指标", "合规率", "=", 100, 95, 40, "%", reason="两场未备案"),
        q("产出指标", "质量指标", "验收合格率", "=", 100, 100, 20, "%"),
        q("效益指标", "社会效益指标", "覆盖村数", "≥", 10, None, 30, "个"),
    ]
    result = score_year({"targets": targets_frame(rows)})
    table = pd.DataFrame(result.indicators)
    assert table["得分"].tolist()[:2] == pytest.approx([40 * 95 / 100, 20])
    assert pd.isna(table.loc[2, "得分"])  # 实际完成值 not given: not scored, never 0
    assert table["met"].tolist() == [False, True, False]
    assert table["年度指标值"].tolist() == ["=100%", "=100%", "≥10个"]
    assert table.loc[2, "实际完成值"] == ""
    assert any("覆盖村数" in w and "实际完成值" in w for w in result.warnings)
    assert result.total is None
    assert result.unscored_reason == "覆盖村数的实际完成值未填报，未计算总分"


def test_workbook_scores_the_same_after_parquet_round_trip(tmp_path):
    from selfeval.clean import clean_year
    from selfeval.store import read_processed, write_processed

    write_workbook(tmp_path / "raw" / "2024", WORKBOOK_TARGETS)
    cleaned = clean_year(tmp_path / "raw" / "2024", 2024)
    write_processed(cleaned, tmp_path / "processed" / "2024")
    direct, read = (
        score_year(cleaned.tables),
        score_year(read_processed(tmp_path / "processed" / "2024")),
    )
    assert read.total == direct.total == 84.33
    assert read.indicators == direct.indicators
    assert scoring_view(read) == scoring_view(direct)


def test_qualitative_without_score_and_funds_row_with_wrong_weight_are_errors():
    rows = [
        qual("效益指标", "社会效益指标", "阅读氛围", "达成", None, 30),
        q("产出指标", "数量指标", "其余", "≥", 1, 1, 60),
    ]
    with pytest.raises(InputError) as info:
        score_year({"targets": targets_frame(rows)})
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (2, "得分")
    assert "[24, 30]" in problem.expected

    rows = [
        q("产出指标", "数量指标", "甲", "≥", 1, 1, 90),
        q("预算执行率", "预算执行率", "预算执行率", "≥", 100, 95, 5, "%"),
    ]
    with pytest.raises(InputError) as info:
        score_year({"targets": targets_frame(rows)})
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "分值", "5")


def test_empty_targets_sheet_or_a_funds_row_alone_give_no_indicators():
    assert not score_year({"targets": targets_frame([])}).targets_given
    only_funds = targets_frame([q("预算执行率", "预算执行率", "预算执行率", "≥", 100, 95, 10, "%")])
    result = score_year({"targets": only_funds})
    assert not result.targets_given and result.total is None


def test_funds_count_each_amount_once_across_total_levels():
    spending = spending_frame(
        [
            ("一般公共预算", None, "合计", True, 100.0, 96.0),  # whole budget type
            ("一般公共预算", "基本支出", "人员支出", False, 60.0, 58.0),
            ("一般公共预算", "基本支出", "公用支出", False, 10.0, 9.0),
            ("一般公共预算", "基本支出", "合计", True, 70.0, 67.0),
            ("一般公共预算", "项目支出", "合计", True, 30.0, 29.0),  # stands for its projects
            ("政府性基金预算", None, "合计", True, 5.0, 4.0),  # a type stated only as a total
        ]
    )
    rows = [q("产出指标", "数量指标", "甲", "≥", 1, 1, 90)]
    funds = score_year({"spending": spending, "targets": targets_frame(rows)}).funds
    assert funds.budget == pytest.approx(60 + 10 + 30 + 5)
    assert funds.actual == pytest.approx(58 + 9 + 29 + 4)


def test_weights_not_adding_to_ninety_stop_cleaning_with_the_sums(tmp_path):
    """01 applies the scoring's weight rule (90 for the indicators), not another one."""
    from selfeval.clean import clean_year

    targets = [list(row) for row in WORKBOOK_TARGETS]
    targets[0][7] = 25  # 20 → 25: the indicators now add to 95
    write_workbook(tmp_path / "2024", targets)
    with pytest.raises(InputError) as info:
        clean_year(tmp_path / "2024", 2024)
    (problem,) = info.value.problems
    assert problem.sheet == "绩效目标" and problem.column == "分值"
    assert "合计为95" in problem.message and "应为90" in problem.message


def unit_frame(**items: str) -> pd.DataFrame:
    """A processed 单位概况 table with the given items (the unit's settings)."""
    frame = pd.DataFrame({"item": ["单位名称", *items], "value": ["测试馆", *items.values()]})
    frame["src_file"], frame["src_sheet"] = "单位概况.csv", "单位概况"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def test_weights_of_a_province_scheme_and_other_grades():
    """A 部门整体 scheme of 30/30/25/15: 预算执行率 30 (a setting), indicators 30 + 25 + 15."""
    rows = [
        q("产出指标", "数量指标", "甲", "≥", 10, 8, 30),  # 30 × 8/10 = 24
        q("效益指标", "社会效益指标", "乙", "≥", 1, 1, 25),  # 25
        q("满意度指标", "服务对象满意度指标", "丙", "≥", 90, 95, 15),  # 15
    ]
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 50.0, 45.0)])
    tables = {
        "unit": unit_frame(预算执行率分值="30", 等级标准="优85 良75 中60"),
        "spending": spending,
        "targets": targets_frame(rows),
    }
    result = score_year(tables)
    assert result.funds.weight == 30.0
    assert result.funds.score == pytest.approx(27.0)  # 45 / 50 × 30
    assert result.total == 91.0  # 27 + 24 + 25 + 15
    assert result.grade == "优" and result.weight_total == 100.0
    rules = _render(result).find(string=lambda s: s and s.startswith("评分规则："))
    # the weights and grades this unit applies, as written under its table
    assert rules.startswith(
        "评分规则：预算执行率30分，产出指标30分、效益指标25分、满意度指标15分；"
        "预算执行率 = 全年执行数 ÷ 全年预算数，"
    )
    assert rules.endswith("等级：优（≥85分）、良（≥75分）、中（≥60分）、差（<60分）。")
    assert "50分" not in rules and "90分" not in rules
    tables["targets"] = targets_frame(rows[:2])  # 55 + 30 ≠ 100
    with pytest.raises(InputError) as info:
        score_year(tables)
    assert "应为70" in info.value.problems[0].message
    tables["targets"] = targets_frame(rows)
    tables["unit"] = unit_frame(预算执行率分值="30", 等级标准="优95 良90 中60")
    assert score_year(tables).grade == "良"  # 91 under bounds 95/90/60


def test_rate_over_the_funds_received_when_the_unit_says_so():
    """执行率口径 = 实际到位资金: the rate divides by 收入合计's 本年数, not by the budget."""
    income = pd.DataFrame(
        {"item": ["收入合计"], "is_total": [True], "current": [40.0], "previous": [None]}
    )
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 50.0, 36.0)])
    rows = [q("产出指标", "数量指标", "甲", "≥", 1, 1, 90)]
    result = score_year(
        {
            "unit": unit_frame(执行率口径="实际到位资金"),
            "income": income,
            "spending": spending,
            "targets": targets_frame(rows),
        }
    )
    assert result.funds.rate_base == "实际到位资金"
    assert result.funds.rate == pytest.approx(90.0)  # 36 / 40, not 36 / 50 = 72
    assert result.funds.score == pytest.approx(9.0)
    assert result.total == 99.0
    rules = _render(result).find(string=lambda s: s and s.startswith("评分规则："))
    assert "预算执行率 = 全年执行数 ÷ 实际到位资金，" in rules
    assert "产出指标90分" in rules


def test_a_table_for_each_project_with_its_own_funds():
    from selfeval.scoring import score_tables

    rows = [*TARGETS.itertuples(index=False)]
    frame = targets_frame([tuple(r)[: len(TARGET_COLUMNS)] for r in rows])
    project_rows = targets_frame(
        [q("产出指标", "数量指标", "送书场次", "≥", 10, 5, 90, "场", reason="天气")]
    )
    project_rows["src_row"] = range(20, 20 + len(project_rows))
    targets = pd.concat([frame.assign(project=None), project_rows.assign(project="送书专项")])
    spending = spending_frame(
        [
            *[tuple(r)[:6] for r in SPENDING.itertuples(index=False)],
            ("一般公共预算", "项目支出", "送书专项", False, 8.0, 6.0),
        ]
    )
    unit, project = score_tables({"spending": spending, "targets": targets})
    assert unit.project is None and len(unit.indicators) == len(TARGETS)
    assert project.project == "送书专项"
    assert project.funds.budget == pytest.approx(8.0) and project.funds.actual == pytest.approx(6.0)
    assert project.funds.score == pytest.approx(7.5)  # 6 / 8 × 10
    assert project.total == 52.5  # 7.5 + 90 × 5/10
    assert project.grade == "差"
    assert [d.cause for d in project.deviations if d.kind == "未达成"] == ["天气"]


def _income(**items: float | None) -> pd.DataFrame:
    """A processed 收入 table: item → 本年数 (None: not given)."""
    return pd.DataFrame(
        {
            "item": list(items),
            "is_total": [k == "收入合计" for k in items],
            "current": pd.array(list(items.values()), dtype="float64"),
            "previous": [None] * len(items),
        }
    )


def _by_source(funds) -> dict[str, tuple]:
    return {r.label: (r.original_budget, r.budget, r.actual) for r in funds.sources}


NOT_GIVEN_ROW = (None, None, None)


def test_income_is_never_put_in_the_funds_block_by_source():
    """收入 states what came in, not a budget: 财政拨款收入 90 (a figure), 0 (stated as none) or
    absent never fills a 预算数 or 执行数 cell of the form's rows by source; with other money
    stated (事业收入, 上年结转结余) the split of the spending is unknown, so 当年财政拨款 is not
    given either."""
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, 105.0, 100.0)])
    for fiscal in (90.0, 0.0, None):
        income = _income(收入合计=100.0, 财政拨款收入=fiscal, 事业收入=6.0, 上年结转结余=5.0)
        funds = score_year({"income": income, "spending": spending}).funds
        rows = _by_source(funds)
        assert list(rows) == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
        assert rows["年度资金总额"] == (None, 105.0, 100.0)  # the 支出 table's own figures
        assert rows["其中：当年财政拨款"] == NOT_GIVEN_ROW
        assert rows["上年结转资金"] == NOT_GIVEN_ROW and rows["其他资金"] == NOT_GIVEN_ROW
        assert funds.fiscal_types == []
        assert (
            scoring_view(score_year({"income": income, "spending": spending})).funds_derivation
            == ""
        )


@pytest.mark.parametrize(
    ("budget", "shown"),
    [(105.0, "105.00"), (0.0, "0.00"), (None, "未填报")],
)
def test_this_years_fiscal_funds_derived_from_the_budget_types_and_said_in_the_review(
    budget, shown
):
    """Every counted 支出 row is 财政拨款 (一般公共预算, 政府性基金预算) and 收入 names no other
    money (its other sources stated as 0): 当年财政拨款 is 年度资金总额, cell for cell (the
    预算数 given, stated as 0, not given), and the 底稿 says so; 上年结转资金 and 其他资金 stay
    未填报. A 社会保险基金预算 row that states no spending (执行数 0) changes nothing."""
    spending = spending_frame(
        [
            ("一般公共预算", "项目支出", "项目一", False, budget, 100.0),
            ("政府性基金预算", None, "合计", True, None, 0.0),
            ("社会保险基金预算", None, "合计", True, None, 0.0),
        ]
    )
    income = _income(收入合计=100.0, 财政拨款收入=100.0, 事业收入=0.0, 上年结转结余=0.0)
    for given in (income, None):
        tables = (
            {"spending": spending} if given is None else {"income": given, "spending": spending}
        )
        result = score_year(tables)
        rows = _by_source(result.funds)
        assert rows["其中：当年财政拨款"] == rows["年度资金总额"] == (None, budget, 100.0)
        assert rows["上年结转资金"] == NOT_GIVEN_ROW and rows["其他资金"] == NOT_GIVEN_ROW
        soup = _render(result)
        funds = soup.select("table.scoring tr.funds")
        assert _cells(funds[1])[:4] == ["其中：当年财政拨款", "未填报", shown, "100.00"]
        assert _cells(funds[2])[1:4] == ["未填报"] * 3
        note = soup.find(string=lambda s: s and s.startswith("「其中：当年财政拨款」各数取自"))
        assert "预算类型均为财政拨款（一般公共预算）" in note
        assert note.find_parent(class_="review") is not None  # the 底稿's, not the 报送稿's


def test_no_fiscal_funds_when_a_row_is_not_fiscal_money():
    """A 社会保险基金预算 row that spent 3 is not 财政拨款: the split is not known."""
    spending = spending_frame(
        [
            ("一般公共预算", "项目支出", "项目一", False, 105.0, 100.0),
            ("社会保险基金预算", None, "合计", True, 3.0, 3.0),
        ]
    )
    result = score_year({"spending": spending})
    assert _by_source(result.funds)["其中：当年财政拨款"] == NOT_GIVEN_ROW
    assert _render(result).find(string=lambda s: s and "当年财政拨款」各数取自" in s) is None


#: A form without a separate execution-rate score (Jiangxi's 管理30/产出25/效果35/满意度10).
JIANGXI_TARGETS = [
    ["管理指标", "预算管理", "预算编制规范", "≥", "1", "1", "项", 30, None, None, None, None],
    ["产出指标", "数量指标", "送图书次数", "≥", "5", "5", "次", 25, None, None, None, None],
    ["效果指标", "社会效益指标", "活动场次", "≥", "8", "8", "场", 35, None, None, None, None],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90%", "98%", "%", 10] + [None] * 4,
]


def _with_funds_points(path: Path, value: object) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["单位概况"].append(["预算执行率分值", value])
    book.save(path)


@pytest.mark.parametrize("stated", [0, "0"])
def test_a_funds_weight_of_zero_is_a_weight_and_the_rules_list_only_what_applies(tmp_path, stated):
    """预算执行率分值 0: the indicators' 30 + 25 + 35 + 10 = 100 are accepted, the total is the
    indicators' (all met: 100), and neither the rules nor the form give the rate any points."""
    from selfeval.clean import clean_year

    _with_funds_points(write_workbook(tmp_path / "2024", JIANGXI_TARGETS), stated)
    result = score_year(clean_year(tmp_path / "2024", 2024).tables)
    assert result.funds.weight == 0.0
    assert result.funds.rate == pytest.approx(109.17 / 117 * 100)  # still stated
    assert result.total == 100.0 and result.grade == "优"
    assert result.weight_total == 100.0  # 0 + 30 + 25 + 35 + 10
    rules = _render(result).find(string=lambda s: s and s.startswith("评分规则："))
    assert rules.startswith(
        "评分规则：管理指标30分、产出指标25分、效果指标35分、满意度指标10分；"
        "预算执行率 = 全年执行数 ÷ 全年预算数（不计分）；"
    )
    assert "预算执行率0分" not in rules and "预算执行率10分" not in rules
    funds = scoring_view(result).funds[0]
    assert (funds.weight, funds.rate, funds.score) == ("—", "93.31%", "—")


def test_a_funds_weight_of_zero_needs_no_budget_for_the_total():
    """Without any 预算数 the rate cannot be computed; at 0 points that costs no total."""
    rows = [q(*r[:3], r[3], float(r[4].rstrip("%")), float(r[5].rstrip("%")), r[7]) for r in
            JIANGXI_TARGETS]  # fmt: skip
    spending = spending_frame([("一般公共预算", "项目支出", "项目一", False, None, 45.0)])
    tables = {"unit": unit_frame(预算执行率分值="0"), "spending": spending}
    result = score_year({**tables, "targets": targets_frame(rows)})
    assert result.funds.marker == BUDGET_MISSING and result.funds.score is None
    assert result.total == 100.0 and result.unscored_reason is None
    assert not any("预算执行率无法计算" in w for w in result.warnings)
    view = scoring_view(result)
    assert view.funds_note == "支出数据未提供预算数，预算执行率无法计算。"
    # the same data under the default weight (10, not given) has no total: the rate is missing
    tables["unit"] = unit_frame()
    rows[0] = q("管理指标", "预算管理", "预算编制规范", "≥", 1, 1, 20)  # 10 + 20 + 25 + 35 + 10
    unscored = score_year({**tables, "targets": targets_frame(rows)})
    assert unscored.total is None
    assert unscored.unscored_reason == "预算执行率不计分（预算数缺失），未计算总分"


@pytest.mark.parametrize("stated", [None, 10])
def test_the_default_or_a_stated_funds_weight_of_ten_refuses_weights_of_a_hundred(tmp_path, stated):
    from selfeval.clean import clean_year

    path = write_workbook(tmp_path / "2024", JIANGXI_TARGETS)
    if stated is not None:
        _with_funds_points(path, stated)
    with pytest.raises(InputError) as info:
        clean_year(tmp_path / "2024", 2024)
    (problem,) = info.value.problems
    assert "合计为100" in problem.message and "应为90" in problem.message


def test_a_projects_own_rate_and_funds_score_from_its_funds_row():
    """A project's 预算执行率 row states 实际值 95 and 得分 9 where its 支出 gives 6 / 8 = 75%
    (7.5): the project's table keeps the unit's (total 9 + 90 × 5/10 = 54), the program's
    stays beside it; without them the program's 7.5 + 45 = 52.5."""
    from selfeval.scoring import score_tables

    funds_row = list(q("预算执行率", "", "预算执行率", "≥", 100, 95, 10, "%"))
    funds_row[11] = 9.0  # 得分
    rows = [
        q("产出指标", "数量指标", "送书场次", "≥", 10, 5, 90, "场", reason="天气"),
        tuple(funds_row),
    ]
    spending = spending_frame([("一般公共预算", "项目支出", "送书专项", False, 8.0, 6.0)])
    targets = targets_frame(rows).assign(project="送书专项")
    _, project = score_tables({"spending": spending, "targets": targets})
    assert project.funds.rate == pytest.approx(75.0) and project.funds.score == pytest.approx(7.5)
    assert (project.funds.stated_rate.value, project.funds.stated_rate.decimals) == (95.0, 0)
    assert project.funds.stated_score.value == 9.0
    assert project.computed_total == 52.5 and project.total == 54.0
    view = scoring_view(project).funds[0]
    assert (view.rate, view.score) == ("95%", "9")
    without = targets_frame(rows[:1]).assign(project="送书专项")
    _, plain = score_tables({"spending": spending, "targets": without})
    assert plain.total == plain.computed_total == 52.5
