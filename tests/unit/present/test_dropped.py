"""Issue 30, 「Data dropped」 and 「Precision invented」: what the unit stated reaches the report,
in its own words, unit and precision — each case with the figure stated, stated as zero, and not
given. Hand-made CSVs are cleaned, computed, stored as JSON, read back and built as 03 builds
them (`test_report_states.report`); every expected text is written by hand from the cells."""

from __future__ import annotations

from test_report_states import UNIT, report, texts

# --------------------------------------------------------------------------- 编制人数


def test_the_staff_count_is_stated_beside_the_units_staffing_words(tmp_path):
    words = ["编制说明", "全额拨款事业编制，其中馆长1名、副馆长1名"]
    _, stated = report(tmp_path / "a", {"单位概况": [*UNIT, ["编制人数", "12"], words]})
    assert texts(stated, "s1") == [
        "测试县文化馆。编制人数12名。全额拨款事业编制，其中馆长1名、副馆长1名。"
    ]
    _, zero = report(
        tmp_path / "b", {"单位概况": [*UNIT, ["编制人数", "0"], ["编制说明", "暂未核定编制"]]}
    )
    assert texts(zero, "s1") == ["测试县文化馆。编制人数0名。暂未核定编制。"]
    _, absent = report(tmp_path / "c", {"单位概况": [*UNIT, words]})
    assert texts(absent, "s1") == ["测试县文化馆。全额拨款事业编制，其中馆长1名、副馆长1名。"]
    # the unit's words already give the count (the 2024 wording): not said twice
    restated = ["编制说明", "核定全额拨款事业编制4名，其中馆长1名，副馆长1名"]
    _, once = report(tmp_path / "d", {"单位概况": [*UNIT, ["编制人数", "4"], restated]})
    assert texts(once, "s1") == ["测试县文化馆。核定全额拨款事业编制4名，其中馆长1名，副馆长1名。"]
    # ... but a count its words contradict (14名 is not 4名) is stated too
    _, other = report(
        tmp_path / "e", {"单位概况": [*UNIT, ["编制人数", "4"], ["编制说明", "编制14名"]]}
    )
    assert texts(other, "s1") == ["测试县文化馆。编制人数4名。编制14名。"]


def test_the_forms_staffing_cell_holds_the_count_and_the_words(tmp_path):
    sheets = {
        "单位概况": [
            *UNIT,
            ["报告格式", "岳阳市附件2-1"],
            ["编制人数", "12"],
            ["编制说明", "全额拨款事业编制"],
        ]
    }
    _, soup = report(tmp_path, sheets)
    rows = {
        tr.th.get_text(): tr.td.get_text() for tr in soup.select_one("table.unit-facts").tbody("tr")
    }
    assert rows["人员编制"] == "12名；全额拨款事业编制"
