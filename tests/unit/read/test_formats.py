"""Number formats and cell types of the .xlsx reader: percent, dates (zh-CN built-ins, 1904),
text-formatted numbers, formulas, merged cells, rich text; files from `hostile_corpus`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import hostile_corpus as corpus
import pytest

from selfeval.read import BadCell, Percent, RawInput
from selfeval.read.xlsx import classify_format, read_workbook


def read(tmp_path: Path, name: str) -> RawInput:
    path = corpus.FEATURES[name](tmp_path / f"{name}.xlsx")
    raw = RawInput(kind="xlsx")
    read_workbook(path, raw)
    return raw


def first_row(tmp_path: Path, name: str) -> list:
    return read(tmp_path, name).sheets["活动"].rows[0][1]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("General", None),
        ("0.00", None),
        ("#,##0.00_);[Red](#,##0.00)", None),
        ("0%", ("percent", 0, 1)),
        ("0.00%", ("percent", 2, 1)),
        ("0.0%;[Red]\\-0.0%", ("percent", 1, 1)),
        ('0.00"%"', None),  # a literal % sign: the number is shown as it is
        ("yyyy-mm-dd", ("date",)),
        ('yyyy"年"m"月"d"日"', ("date",)),
        ('[$-804]yyyy"年"m"月"d"日";@', ("date",)),
        ("[h]:mm:ss", ("date",)),
        ('上午/下午h"时"mm"分"', ("date",)),
        ("@", ("text",)),
        ("[DBNum1]General", None),
        ('"Total: "0', None),
        ("0.00E+00", None),
        ("[Red]0.00", None),
    ],
)
def test_classify_format(code, kind):
    assert classify_format(code) == kind


def test_percent_cells(tmp_path):
    values = first_row(tmp_path, "percent")
    assert values[0] == Percent(Decimal("98.92"), 2) and str(values[0]) == "98.92%"
    assert values[1] == Percent(Decimal("50"), 0) and str(values[1]) == "50%"
    assert values[2] == Percent(Decimal("12.5"), 1)  # custom 0.0%;[Red]-0.0%
    assert values[3] == Percent(Decimal("98.923456"), 2) and str(values[3]) == "98.92%"
    assert values[4] == Percent(Decimal("98.92"), 2)  # 17-digit storage -> 15 digits


def test_text_formatted_numbers_stay_text(tmp_path):
    assert first_row(tmp_path, "text_numbers") == ["20240202", "0012", "12.5"]


def test_dates_including_zh_cn_builtin_and_1904(tmp_path):
    day = dt.datetime(2024, 2, 18)
    assert first_row(tmp_path, "dates") == [day, day.replace(hour=12), day, day]
    assert first_row(tmp_path, "dates_1904") == [day]


def test_formulas_cached_and_missing(tmp_path):
    raw = read(tmp_path, "formulas")
    assert raw.sheets["活动"].rows == [
        (2, [1, 2, 3, "讲座"]),
        (3, [4, 5, None, None]),
        (4, [6, 7, None, None]),
    ]
    assert [(p.code, p.row, p.column) for p in raw.problems] == [
        ("missing_cache", 3, "合计"),
        ("missing_cache", 4, "合计"),
    ]
    assert "=A3+B3" in raw.problems[0].message and "共享公式" in raw.problems[1].message


def test_merged_cells_make_the_sheet_unreadable(tmp_path):
    raw = read(tmp_path, "merged")
    assert raw.sheets["活动"].unreadable
    assert [(p.code, p.row) for p in raw.problems] == [("merged_cells", 2)]


def test_rich_text_without_phonetic_runs(tmp_path):
    """The old reader kept the phonetic runs of inline strings (东京トウキョウ)."""
    assert first_row(tmp_path, "rich_text") == ["富文本", "东京"]


def test_misc_types(tmp_path):
    values = first_row(tmp_path, "misc_types")
    assert values == [True, "#DIV/0!", dt.datetime(2024, 2, 18), "  两端空格\u3000"]


def test_rows_and_cells_without_references(tmp_path):
    raw = read(tmp_path, "no_refs")
    assert raw.sheets["活动"].headers == ["名称", "人次"]
    assert raw.sheets["活动"].rows == [(2, ["讲座", 60])]


def test_bad_cell_keeps_its_place_and_defers_what_a_clerk_can_type(tmp_path):
    """20240202 in a date cell: the reader leaves the report to the cleaner (which reports it
    only where the contract reads the column), and keeps the cell's place in the row."""
    path = corpus.date_format_20240202(tmp_path / "d.xlsx")
    raw = RawInput(kind="xlsx")
    read_workbook(path, raw)
    assert raw.problems == []
    ((number, values),) = raw.sheets["活动"].rows
    assert number == 2 and values[0] == "讲座"
    cell = values[1]
    assert isinstance(cell, BadCell) and cell.code == "bad_date" and cell.pending is not None
    assert cell.pending.value == "20240202" and "2024-02-02" in cell.pending.message
    assert (cell.pending.sheet, cell.pending.row, cell.pending.column) == ("活动", 2, "开始日期")


def test_sheet_level_problem_keeps_other_sheets(tmp_path):
    bad = corpus.sheet_xml([corpus.header_row("名称"), corpus.row(2, [corpus.cell("AAAA2", 1)])])
    good = corpus.sheet_xml([corpus.header_row("名称"), corpus.row(2, [corpus.cell("A2", "讲座")])])
    path = corpus.package(tmp_path / "two.xlsx", [("坏表", bad), ("好表", good)])
    raw = RawInput(kind="xlsx")
    read_workbook(path, raw)
    assert [p.code for p in raw.problems] == ["bad_cell_ref"]
    assert raw.sheets["坏表"].unreadable
    assert raw.sheets["好表"].rows == [(2, ["讲座"])]


def test_problems_are_capped_per_sheet(tmp_path):
    cells = [corpus.row(i, [corpus.cell(f"A{i}", "NaN", t="n")]) for i in range(2, 302)]
    path = corpus.package(tmp_path / "nan.xlsx", [("活动", corpus.sheet_xml(cells))])
    raw = RawInput(kind="xlsx")
    read_workbook(path, raw)
    assert len(raw.problems) == 101 and raw.problems[-1].code == "more_problems"
    assert "还有 200 个" in raw.problems[-1].message
