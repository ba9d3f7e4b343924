"""`make template`'s empty 决算 set: the nine tables in the published layout, which the reader
recognises, ignores while unfilled and reads once filled (a round trip)."""

from __future__ import annotations

import openpyxl

from selfeval.clean import clean_year
from selfeval.read import find_raw_files
from selfeval.read.published.final_accounts import read_final_accounts
from selfeval.template import write_template
from selfeval.template_final_accounts import FILE_NAME, write_final_accounts_template


def _unit(folder):
    (folder / "单位概况.csv").write_text("项目,内容\n单位名称,云溪区图书馆\n", encoding="utf-8")


def test_the_empty_set_is_read_back_as_nine_empty_tables(tmp_path):
    path = write_final_accounts_template(tmp_path, 2025, "云溪区图书馆")
    assert path == tmp_path / FILE_NAME
    wb = openpyxl.load_workbook(path)
    assert "A1:F1" in {str(r) for r in wb["表1"].merged_cells.ranges}  # merged title
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "published"
    accounts = read_final_accounts(raw.published["final_accounts"])
    assert sorted(accounts.tables) == [f"表{n}" for n in range(1, 10)]
    assert all(t.unit == "万元" and t.year == 2025 for t in accounts.tables.values())
    assert all(t.empty for t in accounts.tables.values())
    assert accounts.tables["表6"].line("人员经费合计") is not None
    assert write_final_accounts_template(tmp_path, 2025) is None  # never overwritten


def test_unfilled_it_is_ignored_and_filled_it_feeds_the_year(tmp_path):
    folder = tmp_path / "2025"
    folder.mkdir()
    _unit(folder)
    path = write_final_accounts_template(folder, 2025, "云溪区图书馆")
    result = clean_year(folder, 2025)
    assert "sangong" not in result.tables
    assert any("未填写的模板" in w["message"] for w in result.checks["warnings"])
    wb = openpyxl.load_workbook(path)
    # 表7's row under its 栏次 row: 预算数 then 决算数 (合计, 出国, 车小计, 购置, 运行, 接待)
    for col, value in enumerate([6, 0, 4, 0, 4, 2, 5.5, 0, 3.5, 0, 3.5, 2], start=1):
        wb["表7"].cell(7, col, value)
    wb.save(path)
    sangong = clean_year(folder, 2025).tables["sangong"]
    assert sangong[["item", "budget", "actual"]].values.tolist() == [
        ["因公出国（境）费", 0.0, 0.0],
        ["公务用车购置及运行费", 4.0, 3.5],
        ["公务接待费", 2.0, 2.0],
    ]


def test_make_template_writes_the_set_beside_the_input_workbook(tmp_path):
    written = write_template(tmp_path / "2025", 2025, [("单位名称", "云溪区图书馆")])
    assert (written.parent / FILE_NAME).is_file()
    raw = find_raw_files(written.parent)
    assert list(raw.published) == ["final_accounts"] and raw.kind == "xlsx"
