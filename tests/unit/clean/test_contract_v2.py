"""Contract v2 and truthful figures, at the cleaning and figures layers, on hand-made workbooks.

Every expected figure is worked out by hand in the test from the cells it writes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from selfeval import results
from selfeval.clean import clean_year
from selfeval.clean.targets import parse_indicator_value
from selfeval.errors import InputError
from selfeval.figures.members import units_from_json
from selfeval.present.blocks.department import department
from selfeval.present.document import Paragraph
from selfeval.present.scoring_view import unscored_text
from selfeval.rules import combine_qualifiers
from tests.unit.present.contexts import context

YEAR = 2025


def write_csvs(folder: Path, sheets: dict[str, list[list[object]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def write_xlsx(folder: Path, sheets: dict[str, list[list[object]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([None if v == "" else v for v in row])
    wb.save(folder / "数据.xlsx")
    return folder


def problems(folder: Path) -> list:
    with pytest.raises(InputError) as info:
        clean_year(folder, YEAR)
    return info.value.problems


UNIT = [["项目", "内容"], ["单位名称", "测试县文化馆"]]
SPEND_HEADER = ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）", "说明"]


# ---------------------------------------------------------------------------------------------
# A 10,000-fold error, and other implausible figures


def test_yuan_typed_into_a_wan_column_is_an_error_at_its_cell(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND_HEADER,
            ["一般公共预算", "基本支出", "人员支出", 60, 58, ""],
            ["一般公共预算", "基本支出", "公用支出", 7, "68,500元", ""],
        ],
    }
    (p,) = problems(write_xlsx(tmp_path / "y", sheets))
    assert (p.sheet, p.row, p.cell, p.column) == ("支出", 3, "E3", "执行数（万元）")
    assert "以元写的金额" in p.message and "以万元为单位" in p.message
    assert "6.85万元" in p.message  # 68,500 元 ÷ 10,000
    assert "（E3）" in str(p)


def test_thousands_separator_in_a_wan_column_reads_as_yuan(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [SPEND_HEADER, ["一般公共预算", "基本支出", "人员支出", "", "634,400", ""]],
    }
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert "千分位" in p.message and "63.44万元" in p.message
    assert "634,400" not in p.expected  # the hint no longer invites the mistake


def test_wan_typed_into_a_yuan_column_is_an_error(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "执行数（元）"]
    sheets = {
        "单位概况": UNIT,
        "支出": [header, ["一般公共预算", "项目支出", "项目甲", "6.85万元"]],
    }
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert "以万元写的金额" in p.message and "68500元" in p.message


def test_execution_rate_over_100_warns_and_over_150_needs_a_note(tmp_path):
    over = ["一般公共预算", "项目支出", "项目甲", 7.00, 9.85, ""]  # 140.71%
    folder = write_csvs(tmp_path / "a", {"单位概况": UNIT, "支出": [SPEND_HEADER, over]})
    warnings = clean_year(folder, YEAR).checks["warnings"]
    assert any("140.71%" in w["message"] and "超过 100%" in w["message"] for w in warnings)
    much = ["一般公共预算", "项目支出", "项目甲", 7.00, 11.0, ""]  # 157.14%
    folder = write_csvs(tmp_path / "b", {"单位概况": UNIT, "支出": [SPEND_HEADER, much]})
    (p,) = problems(folder)
    assert "157.14%" in p.message and "说明" in p.expected
    explained = [*much[:5], "年中追加图书采购"]
    folder = write_csvs(tmp_path / "c", {"单位概况": UNIT, "支出": [SPEND_HEADER, explained]})
    assert clean_year(folder, YEAR).tables["spending"]["note"].tolist() == ["年中追加图书采购"]


# ---------------------------------------------------------------------------------------------
# Three states: a figure, a stated zero or none, not given


def test_none_is_a_stated_zero_and_blank_is_not_given(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND_HEADER,
            ["一般公共预算", "基本支出", "人员支出", "", "无", ""],
            ["一般公共预算", "基本支出", "公用支出", 5, "", ""],
        ],
    }
    spending = clean_year(write_csvs(tmp_path / "y", sheets), YEAR).tables["spending"]
    assert spending["actual"].tolist()[0] == 0.0  # 无: none, stated
    assert spending["actual"].isna().tolist() == [False, True]  # blank: not given


def test_a_total_over_parts_some_not_given_names_them(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND_HEADER,
            ["一般公共预算", "基本支出", "人员支出", "", 60, ""],
            ["一般公共预算", "基本支出", "公用支出", 5, "", ""],
        ],
    }
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    basic = computed.figures.spending.types["一般公共预算"].categories["基本支出"]
    assert basic.actual == 60  # the known part only …
    assert basic.missing_actual == ["公用支出"]  # … and which part it leaves out
    assert basic.budget is None and basic.missing_budget == ["人员支出"]
    funds = computed.scoring.funds
    assert funds.marker == "预算数不全" and funds.score is None
    assert funds.missing_budget_rows == ["一般公共预算·基本支出·人员支出"]


def test_yuan_books_keep_their_precision(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "执行数（元）"]
    sheets = {
        "单位概况": [*UNIT, ["金额单位", "元"]],
        "支出": [header, ["一般公共预算", "基本支出", "工资福利支出", "989,312.11"]],
    }
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    row = cleaned.tables["spending"].iloc[0]
    assert row["actual"] == pytest.approx(98.931211)  # 万元
    assert row["actual_decimals"] == 6  # 2 decimals of 元 = 6 of 万元
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    assert computed.figures.amount_unit == "元"


# ---------------------------------------------------------------------------------------------
# Qualifiers


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["", ""], ""),
        (["余", "余"], "余"),
        (["多", "余"], "余"),
        (["", "余"], "余"),
        (["约", "约"], "约"),
        (["近", ""], "约"),
        (["近", "余"], "约"),
        (["约", "多", ""], "约"),
    ],
)
def test_qualifier_of_a_sum(parts, expected):
    assert combine_qualifiers(parts) == expected


def test_5000_odd_and_1000_odd_make_6000_odd(tmp_path):
    header = ["类别", "名称", "开始日期", "线下参与人次"]
    sheets = {
        "单位概况": UNIT,
        "活动": [header, ["培训", "甲", "", "5000余"], ["培训", "乙", "", "1000余"]],
    }
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    offline = computed.figures.activities.totals.offline
    assert (offline.value, offline.qualifier) == (6000, "余")


# ---------------------------------------------------------------------------------------------
# Units that state little


def test_name_a_spending_total_and_prose_build(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [SPEND_HEADER, ["一般公共预算", "", "合计", "", 120.5, ""]],
        "文字说明": [["章节", "内容"], ["概况补充", "本馆免费开放。"]],
    }
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    general = computed.figures.spending.types["一般公共预算"]
    assert general.total.actual == 120.5 and general.total.stated
    assert general.categories == {} and general.items == {}  # the split is not given
    assert computed.figures.activities.totals is None  # no 活动: nothing stated about them
    assert results.from_json(results.to_json(computed)) == computed


def test_name_and_activities_alone_build(tmp_path):
    header = ["类别", "名称", "期间", "场次"]
    sheets = {"单位概况": UNIT, "活动": [header, ["送戏下乡", "送戏下乡演出", "全年", 20]]}
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    acts = computed.figures.activities
    assert acts.totals.sessions.value == 20 and acts.undated == 1
    assert sum(r.events for r in acts.by_month) == 0  # undated: in the totals, in no month
    assert "spending" not in cleaned.tables
    assert computed.scoring.funds.marker == "预算数缺失"


# ---------------------------------------------------------------------------------------------
# What real units state: 收入, 年初/全年 budgets, economic classes, projects by use, targets


def full_unit() -> dict[str, list[list[object]]]:
    spend = ["预算类型", "支出类别", "支出项目", "年初预算数（元）", "全年预算数（元）"]
    spend += ["执行数（元）", "所属项目", "说明"]
    return {
        "单位概况": [
            *UNIT,
            ["实有人数", "9人"],
            ["内设机构", "办公室、文艺部"],
            ["金额单位", "元"],
        ],
        "收入": [
            ["项目", "本年数（元）", "上年数（元）"],
            ["收入合计", "1,000,000.00", "1,146,400.00"],
            ["财政拨款收入", "900,000.00", "1,000,000.00"],
            ["其他收入", "100,000.00", "146,400.00"],
            ["上年结转结余", "20,000.00", ""],
        ],
        "支出": [
            spend,
            ["一般公共预算", "基本支出", "工资福利支出", "500,000", "520,000", "510,000", "", ""],
            [
                "一般公共预算",
                "基本支出",
                "对个人和家庭的补助",
                "20,000",
                "20,000",
                "18,000",
                "",
                "",
            ],
            ["一般公共预算", "基本支出", "商品和服务支出", "80,000", "100,000", "90,000", "", ""],
            ["一般公共预算", "项目支出", "送戏下乡", "200,000", "250,000", "240,000", "", ""],
            ["一般公共预算", "项目支出", "办公费", "", "", "100,000", "送戏下乡", ""],
            ["一般公共预算", "项目支出", "维修(护)费", "", "", "140,000", "送戏下乡", ""],
        ],
        "活动": [["类别", "名称", "期间", "场次"], ["培训", "全年公益培训", "全年", 20]],
        "绩效目标": [
            ["项目", "一级指标", "二级指标", "三级指标", "目标值", "实际值", "单位", "分值"],
            ["", "产出指标", "数量指标", "服务人次", "≥10万", "12万", "人次", 90],
            ["送戏下乡", "", "", "演出场次", "≥20", "20", "场", ""],
        ],
        "文字说明": [["章节", "内容"], ["群文活动", "组织广场舞大赛。"]],
    }


def test_a_unit_that_states_what_reports_state(tmp_path):
    cleaned = clean_year(write_csvs(tmp_path / "y", full_unit()), YEAR)
    reconciled = [(r["item"], r["message"]) for r in cleaned.checks["reconciled"]]
    assert ("收入合计本年数与分项之和（元）", "与分项之和一致") in reconciled  # as its report: 元
    # 10 + 14 = 24 万元
    assert any("项目「送戏下乡」执行数" in i and m == "与分项之和一致" for i, m in reconciled)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    fig = computed.figures
    income = fig.income
    assert income.total.current == 100.0  # 万元
    fiscal = next(p for p in income.parts if p.label == "财政拨款收入")
    assert fiscal.share == pytest.approx(90.0)  # 90 / 100
    assert income.total.change_rate == pytest.approx((100 - 114.64) / 114.64 * 100)  # −12.77%
    assert income.carried_over.current == 2.0 and income.total.previous_source == "上年数"
    general = fig.spending.types["一般公共预算"]
    project = general.items["项目支出"][0]
    assert project.label == "送戏下乡" and [u.label for u in project.uses] == [
        "办公费",
        "维修(护)费",
    ]
    assert project.adjustment == pytest.approx(5.0)  # 25 − 20 万元
    assert project.adjustment_rate == pytest.approx(25.0)  # 5 / 20
    assert project.rate == pytest.approx(96.0)  # 24 / 25
    groups = general.basic_groups
    assert groups["人员经费"].actual == pytest.approx(52.8)  # 51 + 1.8 (工资福利 + 补助)
    assert groups["公用经费"].actual == pytest.approx(9.0)  # 商品和服务
    assert fig.unit["实有人数"] == "9" and fig.unit["内设机构"] == "办公室、文艺部"
    assert fig.texts["群文活动"]["custom"] is True
    unit_table, project_table = computed.scoring, computed.projects[0]
    (row,) = unit_table.indicators
    assert row["年度指标值"] == "≥10万人次" and row["得分"] == 90.0  # 12万 ≥ 10万
    assert project_table.project == "送戏下乡" and project_table.total is None
    assert "演出场次未填写分值" in unscored_text(project_table)
    assert results.from_json(results.to_json(computed)) == computed


def test_original_budget_without_a_full_year_budget_gives_a_difference(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "年初预算数（万元）", "执行数（万元）"]
    sheets = {"单位概况": UNIT, "支出": [header, ["一般公共预算", "项目支出", "项目甲", 40, 46]]}
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    line = computed.figures.spending.types["一般公共预算"].items["项目支出"][0]
    assert line.rate is None  # no 全年预算数, no 执行率
    assert line.original_difference == pytest.approx(6.0)
    assert line.original_difference_rate == pytest.approx(15.0)  # (46 − 40) / 40


def test_income_total_that_disagrees_is_an_error(tmp_path):
    sheets = full_unit()
    sheets["收入"][1][1] = "1,100,000.00"
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert p.sheet == "收入" and "收入合计与分项之和不符" in p.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥360天", (360.0, "≥")),
        ("≥10万人次", (100000.0, "≥")),
        ("＞95%", (95.0, "≥")),
        ("≤5", (5.0, "≤")),
        ("1.5亿", (1.5e8, None)),
        ("按时完成", (None, None)),
        # the direction in words, as 申报表 write it as often as with ≥/≤
        ("投诉率控制在5%以内", (5.0, "≤")),
        ("3个工作日以内", (3.0, "≤")),
        ("不超过3天", (3.0, "≤")),
        ("1万元以下", (1e4, "≤")),
        ("95%及以上", (95.0, "≥")),
        ("不低于95%", (95.0, "≥")),
        ("全年开展12次", (12.0, None)),
    ],
)
def test_targets_as_units_write_them(text, expected):
    assert parse_indicator_value(text) == expected


def test_a_target_within_a_limit_is_scored_lower_is_better(tmp_path):
    header = ["一级指标", "二级指标", "三级指标", "目标值", "实际值", "分值"]
    sheets = {
        "单位概况": UNIT,
        "绩效目标": [header, ["效益指标", "社会效益指标", "投诉率", "5%以内", "2%", 90]],
    }
    targets = clean_year(write_csvs(tmp_path / "y", sheets), 2024).tables["targets"]
    assert targets["direction"].tolist() == ["≤"]  # was ≥: 2% against 5% read as 40% done


def test_a_target_direction_that_disagrees_is_an_error(tmp_path):
    header = ["三级指标", "方向", "目标值", "实际值", "分值"]
    sheets = {"单位概况": UNIT, "绩效目标": [header, ["投诉天数", "≥", "≤5", "3", 90]]}
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert p.column == "方向" and "不一致" in p.message


# ---------------------------------------------------------------------------------------------
# Look-alikes and merges


def test_invisible_characters_are_removed_and_said(tmp_path):
    header = ["编号", "类别", "名称", "开始日期"]
    sheets = {
        "单位概况": UNIT,
        "活动": [
            header,
            ["A1", "讲座\u200b", "甲", "2025-03-01"],
            ["A2", "讲座", "乙", "2025-04-01"],
        ],
    }
    cleaned = clean_year(write_csvs(tmp_path / "y", sheets), YEAR)
    assert cleaned.tables["activities"]["category"].unique().tolist() == ["讲座"]
    assert any("不可见字符" in n["message"] for n in cleaned.checks["normalised"])


def test_one_id_on_rows_with_different_dates_is_an_error(tmp_path):
    header = ["编号", "类别", "名称", "开始日期"]
    sheets = {
        "单位概况": UNIT,
        "活动": [header, ["A1", "讲座", "甲", "2025-03-01"], ["A1", "送书", "乙", "2025-05-01"]],
    }
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert p.row == 3 and p.column == "编号" and p.value == "A1"
    assert p.message == (
        "与第2行（「甲」，类别「讲座」，2025-03-01）同为编号「A1」，"
        "但类别（「送书」）、名称（「乙」）、开始日期（2025-05-01）不同：不是同一活动"
    )


def test_one_id_on_another_activity_is_one_message_not_one_per_figure(tmp_path):
    """Another 类别 and another name under one 编号 (no dates): an error naming both rows,
    and not also 「各行数字不一致」 for its figures."""
    header = ["编号", "类别", "名称", "期间", "线下参与人次", "赠书册数"]
    sheets = {
        "单位概况": UNIT,
        "活动": [
            header,
            ["A1", "讲座", "甲", "全年", "约300", "20"],
            ["A1", "送书", "乙", "全年", "3600", "500"],
            ["A1", "培训", "甲", "全年", "约300", ""],  # the same activity, listed again
        ],
    }
    (p,) = problems(write_csvs(tmp_path / "y", sheets))
    assert p.row == 3 and "类别（「送书」）、名称（「乙」）不同" in p.message


def test_a_rejected_amount_does_not_also_break_its_total(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "支出": [
            SPEND_HEADER,
            ["一般公共预算", "基本支出", "人员支出", "", -5, ""],
            ["一般公共预算", "基本支出", "公用支出", "", 5, ""],
            ["一般公共预算", "基本支出", "合计", "", 10, ""],
        ],
    }
    (p,) = problems(write_csvs(tmp_path / "y", sheets))  # one root cause, one message
    assert "负数" in p.message


# ---------------------------------------------------------------------------------------------
# A 主管部门's stated totals keep the precision the unit wrote them with (issue 27)


def test_a_departments_stated_total_keeps_its_fen_through_cleaning_and_reconciles(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "预算数（元）", "执行数（元）"]

    def unit(folder: str, name: str, amount: str, items: list[list[str]]):
        sheets = {
            "单位概况": [["项目", "内容"], ["单位名称", name], ["金额单位", "元"], *items],
            "支出": [header, ["一般公共预算", "", "合计", amount, amount]],
        }
        return clean_year(write_csvs(tmp_path / folder, sheets), YEAR)

    stated = [["部门合计预算数", "5,150,055.30"], ["部门合计执行数", "5150055.3"]]
    own = unit("bureau", "测试县文旅局", "3,000,000.10", stated)
    items = dict(zip(own.tables["unit"]["item"], own.tables["unit"]["value"], strict=True))
    assert items["部门合计预算数"] == "5150055.30" and items["部门合计执行数"] == "5150055.3"
    library = unit("library", "测试县图书馆", "2,150,055.20", [])
    computed = results.compute_year(library.tables, library.meta, library.checks, YEAR)
    payload = [{"declared": "library", "unit_name": "测试县图书馆", "results": None}]
    payload[0]["results"] = json.loads(results.to_json(computed))
    units = units_from_json(payload)
    d = results.compute_year(own.tables, own.meta, own.checks, YEAR, units=units).department
    # 3,000,000.10 + 2,150,055.20 = 5,150,055.30元, by hand
    ctx = context(year=YEAR, amount_unit="元", unit_name="测试县文旅局", department=d)
    texts = [b.text for b in department(ctx, "department") if isinstance(b, Paragraph)]
    assert "部门合计预算数：填报5,150,055.30元，本级与下属单位合计5,150,055.30元，一致。" in texts
    assert "部门合计执行数：填报5,150,055.30元，本级与下属单位合计5,150,055.30元，一致。" in texts
