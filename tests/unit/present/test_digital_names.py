"""Issue 30, the clerk's 「每月推送好书、新书4期，全年共48期」 for a 数字服务 row without words of
its own: the indicator's name is no label of a form (「年推送期数48期」) but the sentence's words,
without what the figure's unit already says. Hand-made CSVs built as 03 builds them
(`test_report_states.report`); every expected sentence is written by hand from the cells."""

from __future__ import annotations

from test_report_states import UNIT, report, texts

HEAD = ["服务", "指标", "数值", "单位", "说明"]


def test_an_indicator_is_worded_without_what_its_unit_says(tmp_path):
    rows = [
        # 期数 is what 期 says; the bare 年 of a name is 全年 in a sentence
        ["微信公众号", "年推送期数", 52, "期", "开通了微信公众号"],
        # 人次 twice (in the name and as the unit); the bare 月 is 每月
        ["数字资源平台", "月访问人次数", 1200, "人次", ""],
        # 天数 with the unit 天: 开放300天
        ["电子阅览室", "开放天数", 300, "天", ""],
        # nothing to drop: the name as the unit wrote it
        ["电子借阅机", "可借电子书", 3000, "册", ""],
        # no unit: the name keeps the word that says what the figure counts
        ["少儿数字馆", "年访问量", 800, "", ""],
    ]
    _, soup = report(tmp_path, {"单位概况": UNIT, "数字服务": [HEAD, *rows]})
    assert texts(soup, "s6")[-5:] == [
        "1.开通了微信公众号，全年推送52期。",
        "2.数字资源平台：每月访问1200人次。",
        "3.电子阅览室：开放300天。",
        "4.电子借阅机：可借电子书3000册。",
        "5.少儿数字馆：年访问量800。",
    ]
