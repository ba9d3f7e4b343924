"""A 主管部门's figures over 本级 and its units: sums only over known figures, lacking members
named, the precision of the parts kept, the stated 部门合计 reconciled in the 金额单位.

Expected sums are worked out by hand in each test from the figures written into it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from selfeval.figures.department import department_figures, unit_row
from selfeval.figures.members import (
    MemberIncome,
    MemberIncomeLine,
    MemberLine,
    MemberType,
    MemberUnit,
    MemberYear,
)
from selfeval.present.blocks.department import department
from selfeval.present.document import Heading, Note, Paragraph, Table
from tests.unit.present.contexts import context


def _line(label, budget=None, actual=None, budget_decimals=2, actual_decimals=2):
    return MemberLine(
        label,
        actual,
        budget,
        None if actual is None else actual_decimals,
        None if budget is None else budget_decimals,
    )


def _general(total, basic=None, project=None, items=(), groups=None):
    """A member's 一般公共预算: its 合计, 基本支出/项目支出 and 基本支出's items and groups."""
    categories = {}
    if basic is not None:
        categories["基本支出"] = _line("基本支出", *basic)
    if project is not None:
        categories["项目支出"] = _line("项目支出", *project)
    return MemberType(
        _line("合计", *total),
        categories,
        {"基本支出": tuple(_line(label, *values) for label, values in items)},
        {g: _line(g, *values) for g, values in (groups or {}).items()},
    )


def _results(
    name, types, score=None, grade=None, rate=None, checks=(True,), unit_items=None, income=None
):
    """What the department reads of a member's year."""
    unit = unit_items or {"单位名称": name}
    return MemberYear(
        unit_name=name,
        year=2024,
        amount_unit=unit.get("金额单位", "万元"),
        unit=unit,
        types=types,
        income=income,
        score=score,
        grade=grade,
        rate=rate,
        stated_rate=None,
        flagged_checks=sum(1 for ok in checks if not ok),
    )


def _income(total, parts, carried=None):
    def line(label, current, decimals=2):
        return MemberIncomeLine(label, current, decimals)

    return MemberIncome(
        line("收入合计", total),
        tuple(line(label, value) for label, value in parts),
        None if carried is None else line("上年结转结余", carried),
    )


def _unit(name, results):
    return MemberUnit(name, results, declared=name)


def _project():
    own = _results(
        "文旅局",
        {
            "一般公共预算": _general(
                (50.0, 45.5),
                basic=(40.0, 38.5),
                project=(10.0, 7.0),
                items=[("工资福利支出", (30.0, 29.0)), ("商品和服务支出", (10.0, 9.5))],
                groups={"人员经费": (30.0, 29.0), "公用经费": (10.0, 9.5)},
            )
        },
        unit_items={"单位名称": "文旅局", "部门合计预算数": "180.00", "部门合计执行数": "160.5"},
        income=_income(60.0, [("财政拨款收入", 55.0), ("其他收入", 5.0)]),
    )
    library = _results(
        "图书馆",
        {
            "一般公共预算": _general(
                (100.0, 90.25),
                basic=(70.0, 65.25),
                project=(30.0, 25.0),
                items=[("工资福利支出", (50.0, 48.0)), ("商品和服务支出", (20.0, 17.25))],
                groups={"人员经费": (50.0, 48.0), "公用经费": (20.0, 17.25)},
            ),
            # a 预算类型 stated as none: 执行数 0, no 预算数
            "政府性基金预算": MemberType(_line("合计", None, 0.0, actual_decimals=0)),
        },
        88.5,
        "良",
        90.25,
        income=_income(100.0, [("财政拨款收入", 95.0), ("事业收入", 5.0)], carried=3.0),
    )
    culture = _results(  # gives no 预算数 and no 收入 sheet
        "文化馆",
        {"一般公共预算": _general((None, 25.0), basic=(None, 20.0), project=(None, 5.0))},
        checks=(True, False),
    )
    return own, [
        _unit("图书馆", library),
        _unit("文化馆", culture),
        _unit("文管所", None),
    ]


def test_members_table_has_own_unit_first_then_each_unit_with_rate_score_grade_and_checks():
    own, units = _project()
    d = department_figures(own, units)
    assert d.name == "文旅局" and d.without_data == ["文管所"]
    own_row, library, culture, museum = d.rows
    assert own_row.own and own_row.name == "文旅局（本级）"
    assert (own_row.budget, own_row.actual) == (50.0, 45.5)
    assert own_row.execution_rate == pytest.approx(91.0)  # 45.5 / 50 by hand
    assert (library.execution_rate, library.score, library.grade) == (90.25, 88.5, "良")
    assert library.budget == 100.0  # 100 + the none 政府性基金预算 (a stated none, not 未填报)
    assert library.flagged_checks == 0 and culture.flagged_checks == 1
    assert culture.execution_rate is None and culture.budget is None  # no budget: no rate
    assert museum.built is False and museum.actual is None


def test_spending_sums_count_own_and_known_units_and_name_who_lacks_each_figure():
    own, units = _project()
    d = department_figures(own, units)
    lines = {(line.level, line.label): line for line in d.spending}
    total = lines[(0, "合计")]
    # 执行数: 本级 45.5 + 图书馆 90.25 (+0 of its none fund) + 文化馆 25 = 160.75
    assert total.actual.value == pytest.approx(160.75)
    assert total.actual.counted == ["本级", "图书馆", "文化馆"]
    assert total.actual.lacking == ["文管所"] and total.actual.decimals == 2
    # 预算数: 本级 50 + 图书馆 100 = 150; 文化馆 gives none
    assert total.budget.value == 150.0 and total.budget.lacking == ["文化馆", "文管所"]
    assert total.rate is None  # 预算数 and 执行数 over different members: no rate
    general = d.by_type["一般公共预算"]
    assert general["actual"].value == pytest.approx(160.75)
    basic = lines[(2, "基本支出")]
    assert basic.actual.value == pytest.approx(38.5 + 65.25 + 20.0)  # 123.75
    personnel = lines[(3, "人员经费")]
    assert personnel.actual.value == 77.0 and personnel.budget.value == 80.0
    assert personnel.actual.lacking == ["文化馆", "文管所"]  # 文化馆 gives no breakdown
    assert personnel.rate == pytest.approx(77.0 / 80.0 * 100)  # same members: 96.25%
    assert lines[(4, "商品和服务支出")].actual.value == pytest.approx(26.75)  # 9.5 + 17.25
    order = [(line.level, line.label) for line in d.spending]
    assert order == [
        (0, "合计"),
        (1, "一般公共预算"),
        (2, "基本支出"),
        (3, "人员经费"),
        (4, "工资福利支出"),
        (3, "公用经费"),
        (4, "商品和服务支出"),
        (2, "项目支出"),
        (1, "政府性基金预算"),
    ]
    fund = lines[(1, "政府性基金预算")]
    assert (fund.budget.value, fund.actual.value) == (0.0, 0.0)
    assert fund.actual.counted == ["图书馆"] and fund.actual.lacking == ["本级", "文化馆", "文管所"]


def test_income_by_source_over_the_members_that_have_a_income_sheet():
    own, units = _project()
    income = {(i.level, i.current.label): i.current for i in department_figures(own, units).income}
    assert list(income) == [
        (0, "收入合计"),
        (1, "财政拨款收入"),
        (1, "其他收入"),
        (1, "事业收入"),
        (1, "上年结转结余"),
    ]
    assert income[(0, "收入合计")].value == 160.0  # 60 + 100
    assert income[(0, "收入合计")].lacking == ["文化馆", "文管所"]
    assert income[(1, "财政拨款收入")].value == 150.0  # 55 + 95
    assert income[(1, "事业收入")].value == 5.0 and income[(1, "事业收入")].counted == ["图书馆"]
    assert income[(1, "事业收入")].lacking == ["本级", "文化馆", "文管所"]


def test_stated_totals_are_reconciled_only_when_every_member_gives_the_figure():
    own, units = _project()
    by_label = {c.label: c for c in department_figures(own, units).reconciliation}
    actual = by_label["部门合计执行数"]
    assert actual.stated == 160.5 and actual.stated_decimals == 1
    assert actual.computed is None and actual.ok is None and actual.lacking == ["文管所"]
    # without the unit that has no data: 45.5 + 90.25 + 25 = 160.75 against 160.5 stated
    d = department_figures(own, units[:2])
    actual = {c.label: c for c in d.reconciliation}["部门合计执行数"]
    assert actual.computed == pytest.approx(160.75)
    assert actual.difference == pytest.approx(-0.25) and actual.ok is False
    budget = {c.label: c for c in d.reconciliation}["部门合计预算数"]
    assert budget.computed is None and budget.lacking == ["文化馆"]


def test_stated_totals_in_yuan_are_read_in_the_departments_own_unit():
    own = _results(
        "文旅局",
        {"一般公共预算": _general((50.0, 45.5))},
        unit_items={
            "金额单位": "元",
            "部门合计预算数": "1,500,000.00",
            "部门合计执行数": "1355000",
        },
    )
    library = _results("图书馆", {"一般公共预算": _general((100.0, 90.0))})
    d = department_figures(own, [_unit("图书馆", library)])
    assert d.amount_unit == "元"
    by_label = {c.label: c for c in d.reconciliation}
    budget = by_label["部门合计预算数"]
    assert budget.stated == 150.0 and budget.stated_decimals == 6  # 元 with fen, in 万元
    assert budget.ok is True and budget.difference == 0
    actual = by_label["部门合计执行数"]
    assert actual.stated == pytest.approx(135.5) and actual.ok is True  # 45.5 + 90 万元


def test_a_unit_without_results_is_a_row_without_figures():
    row = unit_row("某馆", None)
    assert (row.built, row.score, row.execution_rate, row.flagged_checks) == (
        False,
        None,
        None,
        None,
    )


def test_the_department_block_states_the_sums_in_the_departments_unit_with_lacking_named():
    own, units = _project()
    d = department_figures(own, units)
    ctx = context(year=2024, amount_unit="元", unit_name="文旅局", department=d)
    blocks = department(ctx, "department")
    tables = {b.kind: b for b in blocks if isinstance(b, Table)}
    assert set(tables) == {"department-units", "department-income", "department-spending"}
    members = [[c.text for c in r.cells] for r in tables["department-units"].body]
    own_row = ["文旅局（本级）", "500,000.00", "455,000.00", "91.00%", "未填报", "未填报"]
    assert members[0] == own_row
    assert members[3] == ["文管所", *["未填报"] * 5]
    # the failed checks are the 底稿's (a note), never a ⚠ column of the 报送稿
    notes = tables["department-units"].notes
    assert [n.text for n in notes if not n.review] == ["注：预算数、执行数为各单位各预算类型合计。"]
    flagged = next(n.text for n in notes if n.review and n.text.startswith("⚠核对项"))
    assert "文旅局（本级）0项" in flagged and "文管所未填报" in flagged
    spending = {
        r.cells[0].text.strip("\u3000"): [c.text for c in r.cells]
        for r in tables["department-spending"].body
    }
    # 160.75 万元 is 1,607,500.00 元; 预算数 150 万元 over 本级 and 图书馆
    # different members under 预算数 and 执行数: no rate (「—」, explained in the note)
    assert spending["合计"][1:4] == ["1,500,000.00", "1,607,500.00", "—"]
    assert spending["合计"][4] == "预算数：文化馆、文管所；执行数：文管所"
    assert spending["人员经费"][3] == "96.25%"
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings[0] == "（一）本级及下属单位绩效自评情况"
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert "文管所本年度没有可用的数据，未计入合计" in texts[0]
    # a total that cannot be summed is the reviewer's check, never the 报送稿's
    review = [b.text for b in blocks if isinstance(b, Note) and b.review]
    assert review[-1].startswith(
        "部门合计执行数：填报1,605,000.00元，本级与下属单位合计无法计算（文管所"
    )
    assert not any("部门合计执行数" in t for t in texts)
    assert department(replace(ctx, department=None), "department") == []


def test_a_stated_total_to_the_fen_agrees_only_with_the_exact_sum():
    """Members keep their books in 元 to the fen: 3,000,000.10 + 2,150,055.20 = 5,150,055.30元,
    i.e. 300.000010 + 215.005520 = 515.005530万元 (6 decimals)."""
    own = _results(
        "文旅局",
        {"一般公共预算": _general((300.00001, 300.00001, 6, 6))},
        unit_items={
            "金额单位": "元",
            "部门合计预算数": "5150055.30",
            "部门合计执行数": "5150055.29",  # one fen short
        },
    )
    library = _results(
        "图书馆",
        {"一般公共预算": _general((215.00552, 215.00552, 6, 6))},
    )
    d = department_figures(own, [_unit("图书馆", library)])
    by_label = {c.label: c for c in d.reconciliation}
    budget, actual = by_label["部门合计预算数"], by_label["部门合计执行数"]
    assert budget.ok is True and budget.difference == 0 and budget.stated_decimals == 6
    assert actual.ok is False and actual.difference == pytest.approx(-0.000001)
    ctx = context(year=2024, amount_unit="元", unit_name="文旅局", department=d)
    blocks = department(ctx, "department")
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    review = [b.text for b in blocks if isinstance(b, Note) and b.review]
    assert "部门合计预算数：填报5,150,055.30元，本级与下属单位合计5,150,055.30元，一致。" in texts
    # the difference is a check: ⚠ and 请核对 are the 底稿's, the 报送稿 states no such sentence
    differs = (
        "部门合计执行数：填报5,150,055.29元，本级与下属单位合计5,150,055.30元，"
        "相差-0.01元 ⚠，请核对。"
    )
    assert differs in review and differs not in texts
    assert not any("⚠" in t or "请核对" in t for t in texts)


def test_a_misquoted_total_in_wan_yuan_is_not_hidden_in_a_tolerance():
    own = _results(
        "文旅局",
        {"一般公共预算": _general((50.0, 45.5))},
        unit_items={"部门合计执行数": "135.76", "部门合计预算数": "150.0"},
    )
    library = _results("图书馆", {"一般公共预算": _general((100.0, 90.25))})
    d = department_figures(own, [_unit("图书馆", library)])
    by_label = {c.label: c for c in d.reconciliation}
    actual = by_label["部门合计执行数"]  # 45.50 + 90.25 = 135.75, stated 135.76
    assert actual.ok is False and actual.difference == pytest.approx(0.01)
    assert by_label["部门合计预算数"].ok is True  # 50.00 + 100.00 = 150.0 to its one decimal
    # a total written with fewer decimals is the sum rounded to them: 135.75 is 135.8
    own = replace(own, unit={**own.unit, "部门合计执行数": "135.8"})
    actual = department_figures(own, [_unit("图书馆", library)]).reconciliation[1]
    assert actual.label == "部门合计执行数" and actual.ok is True
    own = replace(own, unit={**own.unit, "部门合计执行数": "135.7"})
    assert department_figures(own, [_unit("图书馆", library)]).reconciliation[1].ok is False


@pytest.mark.parametrize(("stated", "rate"), [(103.21, 103.21), (0.0, 0.0), (None, None)])
def test_a_members_rate_is_the_one_its_report_states(stated, rate):
    """A member without budgets (no rate of the program's) that states 执行率103.21% (or 0) in
    its 声明数: the department's table and the index say the unit's, as its report does."""
    results = _results("甲馆", {"一般公共预算": _general((None, 45.0))}, score=98, grade="优")
    row = unit_row("甲馆", replace(results, stated_rate=stated))
    assert row.execution_rate == rate
    assert (row.score, row.grade) == (98, "优")
