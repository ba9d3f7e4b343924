"""Issue 30, 「A unit's own figure overridden」 and 「a sentence that only repeats another」, for
馆藏: the base year stated as the unit qualifies it (no invented 年末), no compound growth rate
from a figure the unit marks as a start of records, and over one year the increase said once.
Hand-made CSVs built as 03 builds them (`test_report_states.report`); every expected text is
written by hand from the cells."""

from __future__ import annotations

from test_report_states import UNIT, report, review_notes, texts

HEAD = ["年度", "年末藏量（册）", "本年新增（册）", "说明"]


def _build(tmp_path, rows: list[list]) -> tuple[str, list[str]]:
    """The 报送稿's holdings sentence and the 审核底稿's notes of 六."""
    _, soup = report(tmp_path, {"单位概况": UNIT, "馆藏": [HEAD, *rows]})
    sentence = next(t for t in texts(soup, "s6") if t.startswith("截至"))
    return sentence, review_notes(soup, "s6")


def test_a_base_year_the_unit_qualifies_is_stated_as_it_says_not_as_a_year_end(tmp_path):
    start = "图书管理系统数据录入初始阶段"
    sentence, notes = _build(tmp_path / "a", [[2021, 3590, "", start], [2025, 16516, "", ""]])
    # 16516 − 3590 = 12926 over 2021—2025; 12926 ÷ 4 = 3231.5 → 3232 (half up)
    assert sentence == (
        f"截至2025年末，馆藏图书16516册；2021年（{start}）为3590册，"
        "2021—2025年共增加12926册，年均增加3232册。"
    )
    assert "2021年末" not in sentence
    # the 底稿 keeps the average, but no compound rate from a start of records
    computed = next(n for n in notes if n.startswith("按馆藏表计算"))
    assert computed == "按馆藏表计算，2021—2025年年均增加3232册。"
    # a plain year-end base: its compound rate is the 底稿's, (16516 ÷ 3590)^(1/4) − 1 = 46.45%
    plain, notes = _build(tmp_path / "b", [[2021, 3590, "", ""], [2025, 16516, "", ""]])
    assert "；2021年末为3590册，2021—2025年共增加12926册" in plain
    assert "按馆藏表计算，2021—2025年年均增加3232册，年均复合增长率46.45%。" in notes


def test_over_one_year_the_increase_is_said_once(tmp_path):
    # 11871 − 8037 = 3834: 本年新增, and nothing that says 3834 again (共增加, 年均增加)
    for name, added in (("a", ""), ("b", 3834)):
        sentence, notes = _build(tmp_path / name, [[2024, 8037, "", ""], [2025, 11871, added, ""]])
        assert sentence == "截至2025年末，馆藏图书11871册，本年新增3834册；2024年末为8037册。"
        assert not any("年均" in n for n in notes), notes
    # a 本年新增 that is not the difference of the two year-ends keeps both figures
    sentence, _ = _build(tmp_path / "c", [[2024, 8037, "", ""], [2025, 11871, 3000, ""]])
    assert "本年新增3000册；2024年末为8037册，2024—2025年共增加3834册" in sentence
