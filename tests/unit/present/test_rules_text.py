"""Issue 30, 「A default imposed on a form without it」: the 底稿's 评分规则 lists only the parts
that apply, and a form with neither weights nor a rate rule (江西, 预算执行率分值 0, no 绩效目标)
starts with the rules that apply, not with 「评分规则：；」. Hand-made CSVs built as 03 builds
them (`test_report_states.report`)."""

from __future__ import annotations

from test_report_states import SPEND, UNIT, report


def test_rules_without_weights_or_a_rate_rule_have_no_empty_clause(tmp_path):
    unit = [*UNIT, ["自评表格式", "江西"], ["预算执行率分值", "0"]]
    sheets = {
        "单位概况": unit,
        "支出": [SPEND, ["一般公共预算", "基本支出", "人员支出", 50, 45, ""]],
    }
    _, soup = report(tmp_path, sheets)
    (rules,) = [
        p.get_text(strip=True) for p in soup.select("p.review") if "评分规则" in p.get_text()
    ]
    assert rules.startswith("评分规则：定量指标完成即得满分"), rules
    assert "预算执行率10分" not in rules and "：；" not in rules
