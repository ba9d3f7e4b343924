"""Issue 30, 「numbering 一、（一）1.（1） with no space after 「1.」」, in the 岳阳市附件2-1 frame:
二's own headings, demoted under the overview's （一）, read 「1.基本支出情况」, never
「1. 基本支出情况」. A hand-made year built as 03 builds it (`test_report_states.report`)."""

from __future__ import annotations

from test_report_states import SPEND, UNIT, report


def test_the_demoted_headings_have_no_space_after_the_point(tmp_path):
    sheets = {
        "单位概况": [*UNIT, ["报告格式", "岳阳市附件2-1"]],
        "支出": [
            SPEND,
            ["一般公共预算", "基本支出", "人员支出", 60, 55, ""],
            ["一般公共预算", "项目支出", "图书购置", 20, 18.2, ""],
        ],
    }
    _, soup = report(tmp_path, sheets)
    headings = [h.get_text() for h in soup.find_all(["h3", "h4", "h5"])]
    assert "1.基本支出情况" in headings and "2.项目支出情况" in headings, headings
    assert not any(h.startswith(("1. ", "2. ")) for h in headings)
