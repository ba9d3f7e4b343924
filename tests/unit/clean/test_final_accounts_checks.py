"""A year whose 收入, 支出 and 三公经费 come from the unit's published 决算 tables: checked across
the tables before anything is written, fed into the cleaned tables with their cells, and
compared with the unit's own sheets where it fills them too. Expected figures are copied by
hand from `final_accounts_book`."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from selfeval.checks import amount_unit, reconcile_year
from selfeval.clean import clean_year
from selfeval.errors import InputError
from selfeval.present.checks_view import check_item, check_note
from tests.unit.read.final_accounts_book import put, table5, table7, write_book
from tests.unit.read.test_final_accounts import stack_on_one_sheet

SHEET = "公开{:02d}表"
#: The contract doc quotes these messages as examples: they must stay what the checks say.
DOC = (Path(__file__).resolve().parents[3] / "docs" / "data-contract.md").read_text("utf-8")


def _year(tmp_path: Path, own: dict[str, str] | None = None, **book) -> Path:
    folder = tmp_path / "2024"
    folder.mkdir()
    (folder / "单位概况.csv").write_text("项目,内容\n单位名称,云溪区图书馆\n", encoding="utf-8")
    for name, text in (own or {}).items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    write_book(folder / "决算.xlsx", **book)
    return folder


def _rows(frame, *columns):
    """The columns' values by row, a missing text as None."""
    return [
        tuple(None if isinstance(v, float) and v != v else v for v in r)
        for r in frame[list(columns)].itertuples(index=False)
    ]


def test_the_nine_tables_become_income_spending_and_sangong_with_their_cells(tmp_path):
    result = clean_year(_year(tmp_path), 2024)
    income = result.tables["income"]
    assert _rows(income, "item", "current", "src_sheet", "src_cell") == [
        ("收入合计", 556.00, "公开01表", "C14"),
        ("财政拨款收入", 520.50, "公开02表", "D6"),
        ("一般公共预算财政拨款收入", 520.50, "公开01表", "C6"),
        ("事业收入", 30.20, "公开01表", "C10"),
        ("经营收入", 0.0, "公开01表", "C11"),
        ("其他收入", 5.30, "公开01表", "C13"),
        ("上年结转结余", 12.40, "公开01表", "C16"),
    ]
    spending = result.tables["spending"]
    assert _rows(spending, "budget_type", "category", "item", "actual", "src_cell")[:7] == [
        ("一般公共预算", None, "合计", 524.30, "D6"),
        ("一般公共预算", "基本支出", "合计", 380.30, "E6"),
        ("一般公共预算", "项目支出", "合计", 144.00, "F6"),
        ("一般公共预算", "基本支出", "工资福利支出", 300.00, "C5"),
        ("一般公共预算", "基本支出", "对个人和家庭的补助", 20.30, "C9"),
        ("一般公共预算", "基本支出", "商品和服务支出", 55.00, "F5"),
        ("一般公共预算", "基本支出", "资本性支出", 5.00, "I5"),
    ]
    assert spending["original_budget"].iloc[0] == 500.00
    assert spending["src_column"].iloc[1] == "基本支出（栏次3）"
    assert set(spending["actual_decimals"]) == {2}  # printed to the cent: 556 is 556.00
    sangong = result.tables["sangong"]
    assert _rows(sangong, "item", "budget", "actual", "src_cell") == [
        ("因公出国（境）费", 0.0, 0.0, "H7"),
        ("公务用车购置及运行费", 8.00, 7.30, "I7"),
        ("公务接待费", 4.00, 3.20, "L7"),
    ]
    checked = [e for e in result.checks["reconciled"] if e["item"].startswith("决算")]
    assert checked and all(abs(e["difference"]) < 1e-9 for e in checked)


def test_empty_tables_8_and_9_state_no_such_spending(tmp_path):
    spending = clean_year(_year(tmp_path), 2024).tables["spending"]
    stated = _rows(spending, "budget_type", "item", "actual", "src_sheet")[7:]
    assert stated == [
        ("政府性基金预算", "合计", 0.0, "公开08表"),
        ("国有资本经营预算", "合计", 0.0, "公开09表"),
    ]


def test_table3_total_against_table1_is_one_problem_naming_both_cells(tmp_path):
    folder = _year(tmp_path)
    put(folder / "决算.xlsx", SHEET.format(3), "C6", 570.9)  # 表1 F14 says 560.90
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.file, only.sheet, only.row, only.cell) == ("决算.xlsx", "公开03表", 6, "C6")
    text = str(only)
    assert "工作表「公开01表」第14行「金额（栏次2）」（F14）的 560.90 万元 不符" in text
    assert "相差 10.00 万元" in text
    assert text.split("；")[0] in DOC


def test_tables_disagreeing_within_rounding_pass(tmp_path):
    folder = _year(tmp_path)
    put(folder / "决算.xlsx", SHEET.format(3), "C6", 560.904)  # half a cent of 万元: rounding
    put(folder / "决算.xlsx", SHEET.format(3), "D6", 410.304)
    assert clean_year(folder, 2024).tables["income"] is not None


def test_a_table_in_yuan_beside_tables_in_wanyuan_is_one_unit_problem(tmp_path):
    folder = _year(tmp_path)
    wb = openpyxl.load_workbook(folder / "决算.xlsx")
    for row in wb[SHEET.format(3)].iter_rows(min_row=6):  # 表3 typed in 元 under 「单位：万元」
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.value = round(cell.value * 10000, 2)
    wb.save(folder / "决算.xlsx")
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert only.message.startswith("金额单位与数字不符")
    assert "表1「收入支出决算总表」写明「单位：万元」（F2）" in only.message
    assert "表3「支出决算表」写明「单位：万元」（H2）" in only.message
    assert "（C6）" in only.message and "万分之一" in only.message
    assert str(only).split("（应为")[0] in DOC


def test_a_table_whose_figures_are_too_small_for_its_unit_fails(tmp_path):
    folder = _year(tmp_path, units={3: "元"})  # 表3 says 元 but holds the 万元 figures
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.sheet, only.cell) == ("公开03表", "C6")
    assert "写明「单位：元」（H2）" in only.message and "像是以万元写的数字" in only.message


def test_tables_in_yuan_are_read_as_wanyuan_to_the_fen(tmp_path):
    sangong = clean_year(_year(tmp_path, tables=(table7,), unit="元"), 2024).tables["sangong"]
    car = sangong.iloc[1]
    assert (car["item"], car["actual"], car["actual_decimals"]) == (
        "公务用车购置及运行费",
        0.00073,  # 7.30 元
        6,
    )


def test_a_unit_that_fills_spending_by_hand_gets_a_warning_where_they_disagree(tmp_path):
    own = (
        "预算类型,支出类别,支出项目,执行数（万元）\n"
        "一般公共预算,基本支出,工资福利支出,310.00\n"
        "一般公共预算,基本支出,对个人和家庭的补助,20.30\n"
        "一般公共预算,基本支出,商品和服务支出,55.00\n"
        "一般公共预算,基本支出,资本性支出,5.00\n"
    )
    result = clean_year(_year(tmp_path, own={"支出": own}), 2024)
    assert result.tables["spending"]["actual"].tolist() == [310.0, 20.3, 55.0, 5.0]  # its own
    (warning,) = [w for w in result.checks["warnings"] if "决算公开表" in w["message"]]
    assert (warning["file"], warning["row"], warning["column"]) == ("支出.csv", 2, "执行数")
    assert "为 310.00 万元" in warning["message"]
    assert "工作表「公开06表」第5行「决算数」（C5）为 300.00 万元" in warning["message"]
    assert warning["message"] in DOC
    (flag,) = [e for e in result.checks["reconciled"] if e.get("ok") is False]
    assert (flag["sheet"], flag["row"], flag["stated"], flag["computed"]) == (
        "公开06表",
        5,
        310.0,
        300.0,
    )
    assert "sangong" in result.tables and "income" in result.tables  # still fed from the 决算
    flagged = [c for c in reconcile_year(result.tables, result.checks, year=2024) if not c.ok]
    # ⚠ in 数据核对, as the report words it
    assert [check_item(c) for c in flagged] == ["支出「执行数」与决算公开表（万元）"]
    note = check_note(flagged[0])
    assert "（C5）" in note and "支出.csv「支出」第2行" in note


def _long_sangong(ws, unit: str = "万元") -> None:
    """表7 as some units print it: one row per item, 预算数 and 决算数 columns."""
    ws["A1"] = "“三公”经费支出决算表"
    ws.merge_cells("A1:C1")
    ws["C2"] = f"单位：{unit}"
    rows = [
        ["项目", "预算数", "决算数"],
        ["栏次", 1, 2],
        ["合计", 12.0, 10.5],
        ["1.因公出国（境）费", 0, "-"],
        ["2.公务用车购置及运行费", 8.0, 7.3],
        ["其中：公务用车购置费", 0, "-"],
        ["公务用车运行费", 8.0, 7.3],
        ["3.公务接待费", 4.0, 3.2],
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)


def test_sangong_printed_one_row_per_item(tmp_path):
    result = clean_year(_year(tmp_path, tables=(_long_sangong,)), 2024)
    assert _rows(result.tables["sangong"], "item", "budget", "actual", "src_cell") == [
        ("因公出国（境）费", 0.0, 0.0, "C6"),
        ("公务用车购置及运行费", 8.0, 7.3, "C7"),
        ("公务接待费", 4.0, 3.2, "C10"),
    ]
    assert "spending" not in result.tables and "income" not in result.tables


def test_sangong_parts_that_do_not_add_up_fail(tmp_path):
    folder = _year(tmp_path, tables=(_long_sangong,))
    put(folder / "决算.xlsx", SHEET.format(1), "C10", 4.2)  # 接待 3.20 → 4.20: 合计 10.50 wrong
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.cell, only.row) == ("C5", 5)
    assert "（C10）" in only.message and "11.50 万元 不符" in only.message


def _detail_table6(ws, unit: str = "万元") -> None:
    """表6 as a 基本支出决算明细表 (Hunan, Guangxi): each class once, 合计/人员经费/公用经费."""
    ws["A1"] = "基 本 支 出 决 算 明 细 表"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["E2"] = "编制单位：云溪区图书馆", f"单位：{unit}"
    rows = [
        ["科目编码", "科目名称", "合计", "人员经费", "公用经费"],
        ["栏次", None, 1, 2, 3],
        ["合计", None, 380.3, 320.3, 60],
        ["301", "工资福利支出", 300, 300, "-"],
        ["302", "商品和服务支出", 55, None, 55],
        ["303", "对个人和家庭的补助", 20.3, 20.3, None],
        ["310", "资本性支出", 5, None, 5],
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws.merge_cells("A5:B5")


def test_a_basic_spending_detail_table_gives_the_classes_and_both_totals(tmp_path):
    result = clean_year(_year(tmp_path, tables=(table5, _detail_table6)), 2024)
    spending = result.tables["spending"]
    classes = spending[spending["item"] != "合计"]
    assert _rows(classes, "item", "actual", "src_cell") == [
        ("工资福利支出", 300.0, "D6"),
        ("对个人和家庭的补助", 20.3, "D8"),
        ("商品和服务支出", 55.0, "E7"),
        ("资本性支出", 5.0, "E9"),
    ]
    checked = {e["item"] for e in result.checks["reconciled"]}
    assert "决算表5基本支出与表6人员经费合计、公用经费合计之和（万元）" in checked


def test_a_detail_table_whose_classes_miss_its_total_fails_at_the_total(tmp_path):
    folder = _year(tmp_path, tables=(table5, _detail_table6))
    put(folder / "决算.xlsx", SHEET.format(2), "D6", 290)  # 工资福利支出 in the 人员经费 column
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.sheet, only.cell) == ("公开02表", "D5")
    assert "人员经费合计与各经济分类之和" in only.message and "（D6）" in only.message


def test_a_set_in_wanyuan_holding_yuan_figures_fails_on_their_size(tmp_path):
    folder = _year(tmp_path, tables=(table5,))
    put(folder / "决算.xlsx", SHEET.format(1), "D6", 52_430_000)  # 元 under 「单位：万元」
    put(folder / "决算.xlsx", SHEET.format(1), "E6", 38_030_000)
    put(folder / "决算.xlsx", SHEET.format(1), "F6", 14_400_000)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.cell, only.message[:9]) == ("D6", "金额单位与数字不符")
    assert "「单位：万元」（F2）" in only.message and "像是以元写的数字" in only.message


def test_a_hand_typed_sangong_and_income_are_compared_item_by_item(tmp_path):
    own = {
        "三公经费": "项目,预算数（万元）,执行数（万元）\n"
        "公务用车运行费,8.00,7.00\n"
        "公务接待费,4.00,3.20\n",
        "收入": "项目,本年数（万元）\n事业收入,30.20\n其他收入,5.30\n财政拨款收入,502.50\n",
    }
    result = clean_year(_year(tmp_path, own=own), 2024)
    warned = [(w["file"], w["row"], w["column"]) for w in result.checks["warnings"]]
    assert warned == [("收入.csv", 4, "本年数"), ("三公经费.csv", 2, "执行数")]  # 502.50 typed
    messages = " ".join(w["message"] for w in result.checks["warnings"])
    assert "（D6）为 520.50 万元" in messages and "（K7）为 7.30 万元" in messages


def test_a_formulas_float_residue_is_rounded_to_the_fen(tmp_path):
    folder = _year(tmp_path)
    put(folder / "决算.xlsx", SHEET.format(1), "C14", 556.000000000001)  # =SUM(…) as stored
    income = clean_year(folder, 2024).tables["income"]
    assert (income["current"].iloc[0], income["current_decimals"].iloc[0]) == (556.0, 2)


def test_table1_grand_total_against_its_year_and_balances_names_every_cell(tmp_path):
    folder = _year(tmp_path)
    # 支出 side: 本年支出合计 560.90 + 结余分配 0 + 年末结转和结余 17.50 = 578.40, not 总计 568.40
    # (both 总计 still agree, so only this check sees it)
    put(folder / "决算.xlsx", SHEET.format(1), "F16", 17.5)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.sheet, only.row, only.cell) == ("公开01表", 17, "F17")
    text = str(only)
    assert "总计（支出方）与本年支出合计、结余分配、年末结转和结余之和" in text
    for ref in ("（F14）", "（F15）", "（F16）"):
        assert ref in text
    assert "的 578.40 万元 不符（相差 10.00 万元" in text
    assert text.split("：与")[0].split(": ")[-1] in DOC


def test_table4_fund_column_against_table8_is_one_problem_naming_both_cells(tmp_path):
    folder = _year(tmp_path)
    # 表4's 合计 column stays 524.30 = 表5 + 表8 + 表9, but its 政府性基金 column says 5.00
    # where 表8 is published empty (none)
    put(folder / "决算.xlsx", SHEET.format(4), "H10", 5)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.sheet, only.row, only.cell) == ("公开04表", 10, "H10")
    text = str(only)
    assert "政府性基金财政拨款本年支出合计与表8本年支出" in text
    assert "工作表「公开08表」" in text and "本表无数据" in text
    assert "相差 5.00 万元" in text
    assert text.split("：与")[0].split(": ")[-1] in DOC


def test_the_published_tables_pass_the_grand_total_and_column_checks(tmp_path):
    checked = clean_year(_year(tmp_path), 2024).checks["reconciled"]
    items = {e["item"] for e in checked}
    # 表1: 556.00 + 0 + 12.40 = 568.40 and 560.90 + 0 + 7.50 = 568.40;
    # 表4: 520.50 + 8.00 = 528.50 and 524.30 + 4.20 = 528.50
    for key in ("表1", "表4"):
        assert any(i.startswith(f"决算{key}总计（收入方）") for i in items)
        assert any(i.startswith(f"决算{key}总计（支出方）") for i in items)
    for column, key in (("政府性基金", "表8"), ("国有资本", "表9")):
        assert f"决算表4{column}财政拨款本年支出合计与{key}本年支出（万元）" in items


def _unit_note(result) -> str:
    (row,) = [
        c
        for c in reconcile_year(result.tables, result.checks, year=2024)
        if "金额单位" in check_item(c)
    ]
    assert row.ok
    return check_note(row)


def test_tables_in_yuan_make_the_report_yuan_when_the_unit_names_no_unit(tmp_path):
    result = clean_year(_year(tmp_path, tables=(table7,), unit="元"), 2024)
    unit = result.tables["unit"]
    (row,) = unit[unit["item"] == "金额单位"].itertuples()
    # table7 is 12 columns wide: its 「单位：元」 is L2 of the only sheet
    assert (row.value, row.src_file, row.src_sheet, row.src_row) == (
        "元",
        "决算.xlsx",
        "公开01表",
        2,
    )
    assert amount_unit(result.tables) == "元"  # the report and its checks state 元
    assert "单位概况未填「金额单位」，报告采用决算公开表写明的「单位：元」" in _unit_note(result)
    assert "（L2）" in _unit_note(result)


def test_a_unit_naming_wanyuan_keeps_it_and_tables_in_yuan_are_converted(tmp_path):
    folder = _year(tmp_path, tables=(table7,), unit="元")
    (folder / "单位概况.csv").write_text(
        "项目,内容\n单位名称,云溪区图书馆\n金额单位,万元\n", encoding="utf-8"
    )
    result = clean_year(folder, 2024)
    assert amount_unit(result.tables) == "万元"
    assert result.tables["sangong"].iloc[1]["actual"] == 0.00073  # 7.30 元 in 万元
    assert "决算公开表以元列示" in _unit_note(result)
    assert "报告按单位概况「金额单位」万元换算列示" in _unit_note(result)


def test_a_unit_naming_the_tables_own_unit_gets_no_unit_row(tmp_path):
    folder = _year(tmp_path, tables=(table7,), unit="元")
    (folder / "单位概况.csv").write_text(
        "项目,内容\n单位名称,云溪区图书馆\n金额单位,元\n", encoding="utf-8"
    )
    result = clean_year(folder, 2024)
    assert not [e for e in result.checks["reconciled"] if e["item"] == "金额单位"]


def test_a_table1_with_a_row_not_known_between_its_totals_is_not_checked_against_it(tmp_path):
    # an older 表1: 用事业基金弥补收支差额 10.00 on the 收入 side makes 总计 556.00 + 10.00 +
    # 0 + 12.40 = 578.40 (both 总计 say so); its 支出 side carries the 10.00 as 年末结转和结余
    folder = _year(tmp_path)
    book = folder / "决算.xlsx"
    put(book, SHEET.format(1), "A15", "用事业基金弥补收支差额")
    put(book, SHEET.format(1), "C15", 10)
    put(book, SHEET.format(1), "C17", 578.4)
    put(book, SHEET.format(1), "F16", 17.5)
    put(book, SHEET.format(1), "F17", 578.4)
    items = {e["item"] for e in clean_year(folder, 2024).checks["reconciled"]}
    assert not any(i.startswith("决算表1总计（收入方）") for i in items)
    assert any(i.startswith("决算表1总计（支出方）") for i in items)


def test_tables_on_one_sheet_are_checked_against_each_other(tmp_path):
    folder = _year(tmp_path)
    stack_on_one_sheet(folder / "决算.xlsx")
    put(folder / "决算.xlsx", "决算公开表", "C39", 570.9)  # 表3's 合计 (表1 F14 says 560.90)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.sheet, only.row, only.cell) == ("决算公开表", 39, "C39")
    assert "第14行「金额（栏次2）」（F14）的 560.90 万元 不符" in str(only)


def test_a_whole_set_of_another_year_is_one_problem_naming_every_table(tmp_path):
    folder = _year(tmp_path)
    wb = openpyxl.load_workbook(folder / "决算.xlsx")
    for ws in wb.worksheets:  # the clerk put last year's published set in this year's folder
        ws["A1"] = "2023年度" + ws["A1"].value.replace(" ", "").replace("2024年度", "")
    wb.save(folder / "决算.xlsx")
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems
    assert (only.file, only.sheet, only.row) == ("决算.xlsx", "公开01表", 1)
    first, second = "表1「收入支出决算总表」", "表2「收入决算表」（工作表「公开02表」）"
    assert only.message.startswith(f"{first}、{second}、")
    last = "表9「国有资本经营预算财政拨款支出决算表」（工作表「公开09表」）"
    assert f"{last}的标题是 2023 年度" in only.message
    assert "放入 data/raw/2023/" in str(only)


def test_a_set_made_by_another_unit_is_one_warning_naming_the_cell(tmp_path):
    folder = _year(tmp_path)
    wb = openpyxl.load_workbook(folder / "决算.xlsx")
    for ws in wb.worksheets:  # a sister unit's published set: consistent, so every check passes
        ws["A2"] = "编制单位：云溪区文化馆"
    wb.save(folder / "决算.xlsx")
    warnings = [w["message"] for w in clean_year(folder, 2024).checks["warnings"]]
    assert [w for w in warnings if "编制单位" in w] == [
        "决算.xlsx 工作表「公开01表」（A2）的编制单位「云溪区文化馆」与单位概况的单位名称"
        "「云溪区图书馆」不同，请确认是本单位的决算公开表"
    ]


def test_the_units_own_set_gives_no_maker_warning(tmp_path):
    warnings = clean_year(_year(tmp_path), 2024).checks["warnings"]
    assert not [w for w in warnings if "编制单位" in w["message"]]


def test_a_class_is_known_by_its_code_whatever_its_label(tmp_path):
    folder = _year(tmp_path)
    put(folder / "决算.xlsx", SHEET.format(6), "B9", "对个人和家庭补助")  # 303, printed without 的
    spending = clean_year(folder, 2024).tables["spending"]
    # still a 人员 class: 工资福利支出 300.00 + 对个人和家庭的补助 20.30 = 表6 人员经费合计 320.30
    assert _rows(spending, "category", "item", "actual", "src_cell")[4] == (
        "基本支出",
        "对个人和家庭的补助",
        20.30,
        "C9",
    )


def test_a_formula_saved_without_its_result_is_one_problem_at_its_cell(tmp_path):
    folder = _year(tmp_path)
    # openpyxl (and other writers) save a formula with an empty result: Excel would show it
    put(folder / "决算.xlsx", SHEET.format(3), "C6", "=SUM(C7,C10:C12)")
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems  # not also 表3 against 表1 「相差 560.90 万元」
    assert (only.file, only.sheet, only.row) == ("决算.xlsx", "公开03表", 6)
    assert "是公式 =SUM(C7,C10:C12)，但文件中没有保存计算结果（单元格 C6）" in only.message


def test_a_check_names_the_unit_its_figures_are_shown_in(tmp_path):
    folder = _year(tmp_path)  # the tables in 万元, the report in 元
    (folder / "单位概况.csv").write_text(
        "项目,内容\n单位名称,云溪区图书馆\n金额单位,元\n", encoding="utf-8"
    )
    checked = [e["item"] for e in clean_year(folder, 2024).checks["reconciled"]]
    assert "决算表1本年收入合计（元）" in checked  # its figures shown as 5,560,000.00
    assert not [item for item in checked if "万元" in item]


def _unit_rows(folder: Path, text: str | None) -> None:
    """Replace every table's 「单位：万元」 cell (row 2) by `text`."""
    wb = openpyxl.load_workbook(folder / "决算.xlsx")
    for ws in wb.worksheets:
        for cell in ws[2]:
            if isinstance(cell.value, str) and cell.value.startswith("单位："):
                cell.value = text
    wb.save(folder / "决算.xlsx")


def test_a_set_printed_without_its_unit_row_is_one_problem(tmp_path):
    folder = _year(tmp_path)
    _unit_rows(folder, None)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2024)
    (only,) = caught.value.problems  # was one per table, nine
    assert (only.sheet, only.row) == ("公开01表", 2)
    assert only.message.startswith(
        "表1「收入支出决算总表」、表2「收入决算表」（工作表「公开02表」）、"
    )
    assert only.message.endswith("）没有写明金额单位")


def test_a_unit_written_as_renminbi_wanyuan_is_read(tmp_path):
    folder = _year(tmp_path)
    _unit_rows(folder, "单位：人民币万元")
    income = clean_year(folder, 2024).tables["income"]
    assert _rows(income, "item", "current")[0] == ("收入合计", 556.00)
