"""Issue 30, the 主管部门's part as a clerk writes it: a unit without any data is named once (the
part's first sentence), not again inside every sum; a part that says nothing but 「未填报」 (no
member states income, the department states no totals) and how the sums count are the 底稿's,
with no empty heading in the 报送稿; the subsections are numbered （一）（二）… without a gap; a
总分 the unit states keeps its precision in the units' table. The members' figures are
hand-made results (`test_department`) or a year built as 03 builds it; the expected texts are
written by hand."""

from __future__ import annotations

from test_department import _general, _project, _results, _unit

from selfeval import results
from selfeval.clean import clean_year
from selfeval.figures.department import department_figures
from selfeval.figures.members import MemberUnit
from selfeval.present.blocks.department import department
from selfeval.present.document import Heading, Note, Paragraph, Table
from tests.unit.present.contexts import context
from tests.unit.present.test_report_states import SPEND, UNIT, YEAR, write_csvs


def _blocks(own, units):
    d = department_figures(own, units)
    return department(context(year=2024, amount_unit="万元", unit_name="文旅局", department=d), "x")


def test_a_unit_without_data_is_named_once_and_not_in_every_sum():
    own, units = _project()
    blocks = _blocks(own, units)
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert "文管所本年度没有可用的数据，未计入合计" in texts[0]
    spending = next(t for t in texts if t.startswith("2024年部门整体支出"))
    # 执行数 45.5 + 90.25 + 25 = 160.75 (文管所 has no data: said once, above); 预算数 50 + 100
    # = 150 (the parts are stated to two decimals), 文化馆 gives none: named, since the first
    # sentence does not say it
    assert spending.startswith(
        "2024年部门整体支出执行数合计160.75万元，预算数合计150.00万元（文化馆未填报"
    )
    assert "文管所" not in spending
    income = next(t for t in texts if t.startswith("2024年部门整体收入合计"))
    assert "文管所" not in income


def test_parts_that_only_say_not_given_are_the_review_layers_and_numbers_have_no_gap():
    own = _results("文旅局", {"一般公共预算": _general((50.0, 45.5))})  # no 收入, no 部门合计
    library = _results("图书馆", {"一般公共预算": _general((100.0, 90.25))})
    blocks = _blocks(own, [_unit("图书馆", library)])
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings == ["（一）本级及下属单位绩效自评情况", "（二）部门整体支出情况"]
    submitted = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert not any("未填报" in t or "未作核对" in t for t in submitted), submitted
    notes = [b.text for b in blocks if isinstance(b, Note) and b.review]
    assert "本级及各下属单位均未填报2024年收入情况。" in notes
    assert "单位概况未填报部门合计预算数、部门合计执行数，未作核对。" in notes
    # how the sums count is the 底稿's (计数口径), under the spending table
    spending = next(b for b in blocks if isinstance(b, Table) and b.kind == "department-spending")
    assert [n.review for n in spending.notes] == [True]
    assert spending.notes[0].text.startswith("注：合计只计入填报了该项数字的单位")


def test_a_total_score_the_unit_states_keeps_its_precision_in_the_units_table(tmp_path):
    sheets = {
        "单位概况": [*UNIT, ["下属单位", "规划办"]],
        "支出": [SPEND, ["一般公共预算", "基本支出", "人员支出", 50, 45, ""]],
        "声明数": [["指标", "数值", "单位"], ["自评得分", "98", "分"]],
    }
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    # 规划办 declared, no data of its own (as the batch passes a unit it found no folder for)
    units = [MemberUnit("规划办", None, declared="规划办")]
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR, units=units)
    d = results.from_json(results.to_json(computed)).department
    blocks = department(context(year=YEAR, unit_name="测试县文化馆", department=d), "x")
    table = next(b for b in blocks if isinstance(b, Table) and b.kind == "department-units")
    own = [c.text for c in table.body[0].cells]
    # 本级: budget 50, 执行数 45, 45 ÷ 50 = 90.00%; the unit's 总分 98 as it wrote it, never 98.00
    assert own[:6] == ["测试县文化馆（本级）", "50", "45", "90.00%", "98", "优"]
