"""Issue 30, 「读者满意度调查满意度为97.38%」 → 「经问卷调查，读者满意度为97.38%」, for a survey
whose name ends with a bracketed qualifier: the qualifier stays with the rate's name and the
method is still the unit's own word, never 「…调查（线上）满意度」. Hand-made CSVs built as 03
builds them (`test_report_states.report`); every expected sentence is written by hand."""

from __future__ import annotations

from test_report_states import UNIT, report, texts

HEAD = ["调查", "样本数", "满意数", "满意度（%）"]


def test_a_bracketed_qualifier_stays_with_the_rates_name(tmp_path):
    rows = [
        # 491 ÷ 492 = 99.797…% → 99.80%
        ["读者满意度调查（线上）", 492, 491, ""],
        ["活动现场满意度问卷调查（2025年）", "", "", "96.5"],
        ["群众满意度（抽样）", "", "", "98.92"],
    ]
    _, soup = report(tmp_path, {"单位概况": UNIT, "满意度": [HEAD, *rows]})
    said = texts(soup, "s6")
    assert "经调查，读者满意度（线上）为99.80%（调查样本492份，满意491份）。" in said
    # the unit's 96.5 at its own precision, never 96.50
    assert "经问卷调查，活动现场满意度（2025年）为96.5%。" in said
    assert "群众满意度（抽样）为98.92%。" in said
    assert not any("调查（" in t or "）满意度" in t for t in said), said
