"""The nine 决算 tables as published are recognised by their titles and read as laid out, every
figure with its cell, heading and 栏次."""

from __future__ import annotations

import openpyxl

from selfeval.read import find_raw_files
from selfeval.read.published.final_accounts import read_final_accounts, table_key
from tests.unit.read.final_accounts_book import table3, table7, write_book


def test_titles_name_the_tables_with_spaces_years_units_and_provincial_names():
    assert table_key("收 入 支 出 决 算 总 表") == "表1"
    assert table_key("云溪区图书馆2024年度财政拨款收入支出决算总表") == "表4"
    assert table_key("支出决算表（公开03表）") == "表3"
    assert table_key("一般公共预算财政拨款“三公”经费支出决算表") == "表7"
    assert table_key("基本支出决算明细表") == "表6"  # Hunan, Guangxi
    assert table_key("项目") is None and table_key("支出") is None
    # tables of the 13- and 15-table sets are not taken for one of the nine
    assert table_key("一般公共预算财政拨款项目支出决算表") is None
    assert table_key("机关运行经费支出决算表") is None
    assert table_key("部门决算说明：本表反映单位全年支出，含基本支出和项目支出情况等") is None


def test_the_nine_tables_are_read_with_their_cells_and_lanci(tmp_path):
    write_book(tmp_path / "决算.xlsx")
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "published"
    accounts = read_final_accounts(raw.published["final_accounts"])
    assert sorted(accounts.tables) == [f"表{n}" for n in range(1, 10)]
    t1 = accounts.tables["表1"]
    assert (t1.unit, t1.unit_cell, t1.year, t1.sheet) == ("万元", "F2", 2024, "公开01表")
    cell = t1.line("本年支出合计", "支出").cells["金额"]
    assert (cell.ref, cell.lanci, cell.value) == ("F14", "2", 560.9)
    t3 = accounts.tables["表3"]
    total = t3.total_line()
    assert total.row == 6 and total.cells["基本支出"].value == 410.3
    assert [(ln.code, ln.label) for ln in t3.coded()][:3] == [
        ("207", "文化旅游体育与传媒支出"),
        ("20702", "文化和旅游"),
        ("2070204", "图书馆"),
    ]
    t5 = accounts.tables["表5"].total_line()
    assert t5.cell("本年支出", "基本").ref == "E6" and t5.cell("年初预算").value == 500
    t6 = accounts.tables["表6"]
    assert [(ln.code, ln.side) for ln in t6.lines if len(ln.code) == 3] == [
        ("301", "人员经费"),
        ("302", "公用经费"),
        ("310", "公用经费"),
        ("303", "人员经费"),
    ]
    # 公用经费合计 is merged over D11:H11; its figure is I11
    assert t6.line("公用经费合计").cells["决算数"].ref == "I11"
    (row,) = accounts.tables["表7"].lines  # three header rows, numbers for 栏次
    car = row.cell("决算数", "公务用车购置及运行费", "小计")
    assert (car.ref, car.lanci, car.value) == ("I7", "9", 7.3)
    assert accounts.tables["表8"].empty and accounts.tables["表9"].empty
    assert not accounts.tables["表3"].empty


def test_tables_in_several_workbooks_and_a_second_copy_of_one(tmp_path):
    write_book(tmp_path / "决算一.xlsx", tables=(table3,))
    write_book(tmp_path / "决算二.xlsx", tables=(table7, table3))
    raw = find_raw_files(tmp_path)
    accounts = read_final_accounts(raw.published["final_accounts"])
    assert sorted(accounts.tables) == ["表3", "表7"]
    ((first, second),) = accounts.duplicates
    assert (first.file, second.file) == ("决算一.xlsx", "决算二.xlsx")


def test_an_unknown_table_of_a_recognised_workbook_is_ignored(tmp_path):
    path = write_book(tmp_path / "决算.xlsx", tables=(table3,))
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("封面")["A1"] = "2024年度部门决算公开"
    wb.save(path)
    accounts = read_final_accounts(find_raw_files(tmp_path).published["final_accounts"])
    assert accounts.ignored == [("决算.xlsx", "封面", "2024年度部门决算公开")]


def test_tables_pasted_into_the_units_own_workbook_leave_it_the_units(tmp_path):
    path = write_book(tmp_path / "数据.xlsx", tables=(table3,))
    wb = openpyxl.load_workbook(path)
    unit = wb.create_sheet("单位概况")
    unit.append(["项目", "内容"])
    unit.append(["单位名称", "云溪区图书馆"])
    wb.save(path)
    raw = find_raw_files(tmp_path)
    assert raw.published == {} and "单位概况" in raw.sheets
    assert {p.code for p in raw.problems} == {"merged_cells"}  # where the pasted table is


def _copy_down(ws, into, offset: int) -> None:
    """Copy a sheet's values and merged ranges into `into`, `offset` rows further down."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                into.cell(cell.row + offset, cell.column, cell.value)
    for m in ws.merged_cells.ranges:
        into.merge_cells(
            start_row=m.min_row + offset,
            start_column=m.min_col,
            end_row=m.max_row + offset,
            end_column=m.max_col,
        )


def stack_on_one_sheet(path, gap: int = 2) -> None:
    """Move the book's tables onto one sheet, one under another with `gap` blank rows between
    them, as some units paste their 决算 set (values and merged ranges kept)."""
    wb = openpyxl.load_workbook(path)
    sheets = list(wb.worksheets)
    one = wb.create_sheet("决算公开表", 0)
    offset = 0
    for ws in sheets:
        _copy_down(ws, one, offset)
        offset += ws.max_row + gap
        wb.remove(ws)
    wb.save(path)


def test_nine_tables_one_under_another_on_one_sheet_are_nine_tables(tmp_path):
    stack_on_one_sheet(write_book(tmp_path / "决算.xlsx"))
    accounts = read_final_accounts(find_raw_files(tmp_path).published["final_accounts"])
    assert sorted(accounts.tables) == [f"表{n}" for n in range(1, 10)]
    assert accounts.duplicates == [] and accounts.ignored == []
    # 表1 fills rows 1-17, 表2 rows 20-31 (its rows 1-12), so 表3 starts at row 34 and its
    # 合计 (its row 6) is row 39 of the sheet
    t3 = accounts.tables["表3"]
    assert (t3.sheet, t3.title_row, t3.unit_cell) == ("决算公开表", 34, "H35")
    assert t3.total_line().cells["本年支出合计"].ref == "C39"
    assert t3.total_line().cells["本年支出合计"].value == 560.9
    # 表1 reads only its own rows: its 总计 is still row 17, no line of 表2 below it
    t1 = accounts.tables["表1"]
    assert max(line.row for line in t1.lines) == 17


def test_the_units_own_merged_sheet_is_its_merges_alone_not_its_cells_problems(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "单位概况"
    wb.active.append(["项目", "内容"])
    wb.active.append(["单位名称", "云溪区图书馆"])
    ws = wb.create_sheet("支出")
    ws.append(["类别", "项目", "执行数"])
    ws.append(["基本支出", "合计", "=SUM(C3:C4)"])  # no result saved, on a sheet unread anyway
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "数据.xlsx")
    raw = find_raw_files(tmp_path)
    assert [(p.sheet, p.code) for p in raw.problems] == [("支出", "merged_cells")]


def test_a_note_naming_a_table_under_another_is_no_further_table(tmp_path):
    path = write_book(tmp_path / "决算.xlsx", tables=(table3,))
    wb = openpyxl.load_workbook(path)
    wb.active["A14"] = "注：本单位2024年度无国有资本经营预算财政拨款支出决算表"
    wb.save(path)
    accounts = read_final_accounts(find_raw_files(tmp_path).published["final_accounts"])
    assert sorted(accounts.tables) == ["表3"] and accounts.duplicates == []


def test_a_label_printed_above_the_title_does_not_hide_the_table(tmp_path):
    path = write_book(tmp_path / "决算.xlsx")
    wb = openpyxl.load_workbook(path)
    for n, ws in enumerate(list(wb.worksheets), start=1):  # 「公开01表」 in A1, the table below
        labelled = wb.create_sheet(f"表{n}")
        labelled["A1"] = f"公开{n:02d}表"
        _copy_down(ws, labelled, 1)
        wb.remove(ws)
    wb.save(path)
    raw = find_raw_files(tmp_path)
    assert raw.problems == [] and raw.kind == "published"
    accounts = read_final_accounts(raw.published["final_accounts"])
    assert sorted(accounts.tables) == [f"表{n}" for n in range(1, 10)]
    t1 = accounts.tables["表1"]
    assert (t1.title_row, t1.unit_cell, t1.year) == (2, "F3", 2024)
    assert t1.line("本年支出合计", "支出").cells["金额"].ref == "F15"


def test_tables_under_a_cover_on_one_sheet_are_recognised(tmp_path):
    path = write_book(tmp_path / "决算.xlsx")
    stack_on_one_sheet(path)
    wb = openpyxl.load_workbook(path)
    cover = wb.create_sheet("封面")
    cover["A1"] = "云溪区图书馆2024年度部门决算公开"
    _copy_down(wb["决算公开表"], cover, 8)  # the cover's lines above, the tables from row 9
    wb.remove(wb["决算公开表"])
    wb.save(path)
    raw = find_raw_files(tmp_path)
    assert raw.kind == "published"
    accounts = read_final_accounts(raw.published["final_accounts"])
    assert sorted(accounts.tables) == [f"表{n}" for n in range(1, 10)]
    assert accounts.ignored == [("决算.xlsx", "封面", "云溪区图书馆2024年度部门决算公开")]
