"""A workbook in a published layout (merged title, headers merged over rows) beside the unit's own:
kept as laid out when recognised, refused as before when not."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from selfeval.read import find_raw_files, published
from selfeval.read.grid import Grid, parse_range


def _published_book(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表3"
    ws["A1"] = "支 出 决 算 表"
    ws.merge_cells("A1:D1")
    ws["A2"] = "编制单位：云溪区图书馆"
    ws["D2"] = "单位：万元"
    ws["A3"] = "项目"
    ws.merge_cells("A3:B3")
    ws["C3"] = "本年支出合计"
    ws.merge_cells("C3:C4")
    ws["D3"] = "基本支出"
    ws.merge_cells("D3:D4")
    ws["A4"] = "科目编码"
    ws["B4"] = "科目名称"
    ws.append(["栏次", None, 1, 2])
    ws.append(["207", "文化旅游体育与传媒支出", 520.5, 300])
    wb.save(path)


def _own_book(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位概况"
    ws.append(["项目", "内容"])
    ws.append(["单位名称", "云溪区图书馆"])
    wb.save(path)


def _is_table3(grids) -> bool:
    return any(g.title() == "支出决算表" for g in grids)


@pytest.fixture
def recognises_table3(monkeypatch):
    monkeypatch.setattr(published, "RECOGNISERS", (("final_accounts", _is_table3),))


def test_a_recognised_workbook_is_kept_as_laid_out_beside_the_units_own(
    tmp_path, recognises_table3
):
    _own_book(tmp_path / "数据.xlsx")
    _published_book(tmp_path / "决算.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.problems == []
    assert raw.kind == "xlsx"
    assert [p.name for p in raw.files] == ["数据.xlsx", "决算.xlsx"]
    assert set(raw.digests) == {"数据.xlsx", "决算.xlsx"}
    assert list(raw.sheets) == ["单位概况"]
    (grid,) = raw.published["final_accounts"]
    assert (grid.file, grid.sheet, grid.title()) == ("决算.xlsx", "表3", "支出决算表")
    # A merged header reads the same from every cell it covers; values keep their cell.
    assert grid.text(4, 3) == "本年支出合计"
    assert grid.origin(4, 3) == (3, 3)
    assert grid.value(6, 3) == 520.5 and grid.ref(6, 3) == "C6"
    assert grid.row_texts(3) == ["项目", "", "本年支出合计", "基本支出"]


def test_a_published_workbook_alone_is_no_shape_problem(tmp_path, recognises_table3):
    _published_book(tmp_path / "决算.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "published" and raw.sheets == {}
    assert [p.name for p in raw.files] == ["决算.xlsx"]


def test_an_unrecognised_merged_workbook_is_refused_as_before(tmp_path):
    _published_book(tmp_path / "决算.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.kind == "xlsx" and raw.published == {}
    assert raw.sheets["表3"].unreadable and raw.sheets["表3"].rows == []
    assert {p.code for p in raw.problems} == {"merged_cells"}
    assert len(raw.problems) == 4  # A1:D1, A3:B3, C3:C4, D3:D4


def test_two_workbooks_of_the_unit_are_still_one_shape_problem(tmp_path, recognises_table3):
    _own_book(tmp_path / "a.xlsx")
    _own_book(tmp_path / "b.xlsx")
    _published_book(tmp_path / "决算.xlsx")
    raw = find_raw_files(tmp_path)
    (only,) = raw.problems
    assert "a.xlsx、b.xlsx" in only.message and "决算" not in only.message


def test_ranges_parse_as_excel_writes_them():
    assert parse_range("B2:D3") == (2, 2, 3, 4)
    assert parse_range("$AA$10") == (10, 27, 10, 27)
    assert parse_range("not a range") is None
    grid = Grid.from_rows("f", "s", [(1, ["a", None]), (2, [None, 5])], ["A1:B1"])
    assert grid.value(1, 2) == "a" and grid.n_rows == 2 and grid.n_cols == 2
