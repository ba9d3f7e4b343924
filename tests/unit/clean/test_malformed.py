"""Malformed input: each test builds a real bad file and checks the Chinese message it gets.

A small valid year (CSV, or one workbook) is written into tmp_path from ``BASE``; each test
breaks one thing and asserts file, sheet, Excel row, column, value and expectation of the problem.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import openpyxl
import pytest

from selfeval.clean import clean_year
from selfeval.cli import clean_cli
from selfeval.errors import InputError, Problem

YEAR = 2023
ACT_HEAD = [
    "编号",
    "类别",
    "名称",
    "开始日期",
    "结束日期",
    "时段",
    "地点",
    "线下参与人次",
    "线上参与人次",
    "场次",
    "赠书册数",
    "资料份数",
    "成效",
    "包含",
]
BASE: dict[str, list[list[object]]] = {
    "单位概况": [
        ["项目", "内容"],
        ["单位名称", "测试区测试馆（测试）"],
        ["主管部门", "测试局"],
        ["编制人数", "5"],
        ["主要职责", "测试职责。"],
    ],
    "支出": [
        ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）", "说明"],
        ["一般公共预算", "基本支出", "人员支出", "60", "63.44", ""],
        ["一般公共预算", "基本支出", "公用支出", "", "6.33", ""],
        ["一般公共预算", "基本支出", "合计", "", "69.78", ""],
        ["一般公共预算", "项目支出", "阅读推广", "10", "9.5", ""],
    ],
    "活动": [
        ACT_HEAD,
        [
            "A1",
            "节日活动",
            "送春联",
            "2023-02-02",
            "",
            "上午",
            "中心",
            "约300",
            "78",
            "",
            "",
            "",
            "好评",
            "",
        ],
        [
            "A2",
            "节日活动",
            "迎新春",
            "2023/2/18",
            "2023年2月20日",
            "",
            "游园",
            "3600",
            "",
            "",
            "780",
            "4000多",
            "",
            "",
        ],
        ["B1", "送书活动", "捐书", "4月23日", "", "", "小学", "300", "", "", "500", "", "", ""],
        ["B1", "宣传周", "捐书", "4月23日", "", "", "小学", "300", "", "", "500", "", "", ""],
        [
            "W",
            "宣传周",
            "宣传周汇总",
            "4月22日",
            "4月23日",
            "",
            "",
            "",
            "",
            "2",
            "500多",
            "近千",
            "",
            "B1",
        ],
    ],
    "满意度": [["调查", "样本数", "满意数", "满意度（%）"], ["读者调查", "200", "195", ""]],
    "文字说明": [["章节", "标题", "内容"], ["活动", "", "全年活动丰富。"]],
}


def base() -> dict[str, list[list[object]]]:
    return copy.deepcopy(BASE)


def write_csvs(folder: Path, sheets: dict, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def write_xlsx(folder: Path, sheets: dict, name: str = "数据.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append([None if v == "" else v for v in row])
    wb.save(folder / name)
    return folder / name


def problems(raw_dir: Path, year: int = YEAR) -> list[Problem]:
    with pytest.raises(InputError) as info:
        clean_year(raw_dir, year)
    assert info.value.problems, "InputError without problems"
    return info.value.problems


def one(found: list[Problem], contains: str, **fields) -> Problem:
    """The single problem whose text contains ``contains`` and whose fields match."""
    hits = [
        p
        for p in found
        if contains in str(p) and all(getattr(p, k) == v for k, v in fields.items())
    ]
    assert len(hits) == 1, "\n".join(str(p) for p in found)
    return hits[0]


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    return tmp_path / str(YEAR)


def test_base_year_is_valid(year_dir):
    result = clean_year(write_csvs(year_dir, base()), YEAR)
    assert len(result.tables["activities"]) == 5


# ---------------------------------------------------------------- files and workbooks


def test_corrupt_workbook(year_dir):
    year_dir.mkdir(parents=True)
    (year_dir / "数据.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    found = problems(year_dir)
    assert len(found) == 1, found  # only the cause: no 「缺少工作表」 after it
    p = one(found, "已损坏", file="数据.xlsx")
    assert p.sheet is None and p.row is None
    assert "另存为 .xlsx" in p.expected


def test_garbage_bytes_named_xlsx(year_dir):
    year_dir.mkdir(parents=True)
    (year_dir / "数据.xlsx").write_bytes(bytes(range(256)) * 4)
    one(problems(year_dir), "不是有效的 .xlsx 工作簿", file="数据.xlsx")


def test_password_protected_workbook(year_dir):
    year_dir.mkdir(parents=True)
    # Excel stores an encrypted workbook as an OLE compound file (magic D0 CF 11 E0 A1 B1 1A E1).
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
    )
    (year_dir / "预算.xlsx").write_bytes(ole)
    p = one(problems(year_dir), "加密", file="预算.xlsx")
    assert "取消密码" in p.expected


def test_old_xls_file_is_a_workbook(year_dir):
    """.xls is read now (python-calamine): beside CSVs it is a second kind of input."""
    write_csvs(year_dir, base())
    (year_dir / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    p = one(problems(year_dir), "同时有工作簿和 CSV", file=str(YEAR))
    assert "旧表.xls" in p.message


def test_damaged_xls_file_alone(year_dir):
    year_dir.mkdir(parents=True)
    (year_dir / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    p = one(problems(year_dir), "无法读取", file="旧表.xls")
    assert p.sheet is None and ".xlsx" in p.expected


def test_workbook_and_csv_together(year_dir):
    write_csvs(year_dir, base())
    write_xlsx(year_dir, base())
    p = one(problems(year_dir), "同时有工作簿和 CSV", file=str(YEAR))
    assert "数据.xlsx" in p.message and "活动.csv" in p.message


def test_two_workbooks(year_dir):
    write_xlsx(year_dir, base(), "甲.xlsx")
    write_xlsx(year_dir, base(), "乙.xlsx")
    p = one(problems(year_dir), "多个工作簿")
    assert "甲.xlsx" in p.message and "乙.xlsx" in p.message


def test_folder_without_data(year_dir):
    year_dir.mkdir(parents=True)
    (year_dir / "说明.txt").write_text("x", encoding="utf-8")
    one(problems(year_dir), "没有数据文件", file=str(YEAR))


def test_missing_sheet_in_workbook(year_dir):
    """Only 单位概况 is required: a workbook without it says so."""
    sheets = base()
    del sheets["单位概况"]
    write_xlsx(year_dir, sheets)
    p = one(problems(year_dir), "缺少工作表", file="数据.xlsx", sheet="单位概况")
    assert "单位概况" in p.expected


def test_optional_sheets_may_be_missing(year_dir):
    """支出, 活动 and 文字说明 are optional (contract v2): a year without them cleans."""
    sheets = base()
    for name in ("活动", "支出", "文字说明", "声明数"):
        sheets.pop(name, None)
    write_xlsx(year_dir, sheets)
    result = clean_year(year_dir, YEAR)
    assert "activities" not in result.tables and "spending" not in result.tables


def test_missing_csv_file(year_dir):
    sheets = base()
    del sheets["单位概况"]
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "缺少文件", file="单位概况.csv", sheet="单位概况")
    assert "单位概况.csv" in p.expected


def test_empty_sheet(year_dir):
    write_csvs(year_dir, base())
    (year_dir / "单位概况.csv").write_bytes(b"")
    one(problems(year_dir), "工作表为空", file="单位概况.csv", sheet="单位概况")


def test_header_only_required_sheet(year_dir):
    sheets = base()
    sheets["单位概况"] = sheets["单位概况"][:1]
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "没有数据行", file="单位概况.csv")


def test_header_only_optional_sheet_is_no_sheet(year_dir):
    sheets = base()
    sheets["支出"] = sheets["支出"][:1]
    write_csvs(year_dir, sheets)
    assert "spending" not in clean_year(year_dir, YEAR).tables


def test_merged_header_cells(year_dir):
    path = write_xlsx(year_dir, base())
    wb = openpyxl.load_workbook(path)
    wb["活动"].merge_cells("H1:I1")
    wb.save(path)
    p = one(problems(year_dir), "表头有合并单元格", sheet="活动", row=1)
    assert "H1:I1" in p.message and "第1行" in p.expected


def test_blank_first_row(year_dir):
    path = write_xlsx(year_dir, base())
    wb = openpyxl.load_workbook(path)
    wb["支出"].insert_rows(1)
    wb.save(path)
    p = one(problems(year_dir), "第1行是空行", sheet="支出", row=1)
    assert "表头必须在第1行" in p.expected


def test_formula_without_cached_value(year_dir):
    path = write_xlsx(year_dir, base())
    wb = openpyxl.load_workbook(path)
    wb["支出"]["E4"] = "=E2+E3"  # openpyxl stores no cached result, as some tools do
    wb.save(path)
    p = one(problems(year_dir), "公式", sheet="支出", row=4, column="执行数（万元）")
    assert "E4" in p.message and "=E2+E3" in p.message
    assert "保存" in p.expected


# ---------------------------------------------------------------- headers


def test_missing_column(year_dir):
    sheets = base()
    sheets["活动"] = [[v for i, v in enumerate(r) if i != 2] for r in sheets["活动"]]
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "缺少必需的列", file="活动.csv", row=1, column="名称")
    assert "类别" in p.expected


def test_amount_header_without_unit(year_dir):
    sheets = base()
    sheets["支出"][0][4] = "执行数"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "没有注明单位", file="支出.csv", row=1, column="执行数")
    assert "执行数（万元）" in p.expected and "执行数（元）" in p.expected


def test_amount_header_with_unknown_unit(year_dir):
    sheets = base()
    sheets["支出"][0][3] = "预算数(千元)"
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "金额单位「千元」无法识别", file="支出.csv", column="预算数(千元)")


def test_duplicate_header(year_dir):
    sheets = base()
    for row in sheets["文字说明"]:
        row.append(row[2])
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "与第3列重复", file="文字说明.csv", row=1, column="内容")


# ---------------------------------------------------------------- values


def test_unknown_budget_type(year_dir):
    sheets = base()
    sheets["支出"][2][0] = "一般预算"
    write_csvs(year_dir, sheets)
    p = one(
        problems(year_dir),
        "不是可选的值",
        file="支出.csv",
        row=3,
        column="预算类型",
        value="一般预算",
    )
    assert "一般公共预算" in p.expected and "社会保险基金预算" in p.expected


def test_unknown_period(year_dir):
    sheets = base()
    sheets["活动"][1][5] = "中午"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不是可选的值", row=2, column="时段", value="中午")
    assert p.expected == "上午、下午、晚上、全天"


@pytest.mark.parametrize("text", ["若干", "abc"])
def test_text_in_count_cell(year_dir, text):
    sheets = base()
    sheets["活动"][3][7] = text
    write_csvs(year_dir, sheets)
    p = one(
        problems(year_dir),
        "不是可识别的数字",
        file="活动.csv",
        row=4,
        column="线下参与人次",
        value=text,
    )
    assert "约300" in p.expected


def test_text_in_amount_cell(year_dir):
    sheets = base()
    sheets["支出"][1][4] = "abc"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不是金额数字", row=2, column="执行数（万元）", value="abc")
    assert "万元" in p.expected


def test_negative_amount(year_dir):
    sheets = base()
    sheets["支出"][4][3] = "-10"
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "金额不能为负数", row=5, column="预算数（万元）", value="-10")


def test_negative_count(year_dir):
    sheets = base()
    sheets["活动"][2][10] = "-780"
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "不能为负数", row=3, column="赠书册数", value="-780")


def test_row_without_any_amount(year_dir):
    """A blank 执行数 is not given (allowed); a row giving no amount at all is an error."""
    sheets = base()
    sheets["支出"][4][3] = ""
    sheets["支出"][4][4] = ""
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "没有填写任何金额", row=5)


def test_date_outside_year(year_dir):
    sheets = base()
    sheets["活动"][4][3] = "2022-12-31"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不在 2023 年内", row=5, column="开始日期")
    assert str(p).startswith("活动.csv 第5行「开始日期」（D5）: 2022-12-31 不在 2023 年内")


def test_unreadable_date(year_dir):
    sheets = base()
    sheets["活动"][1][3] = "春节前"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不是可识别的日期", row=2, column="开始日期", value="春节前")
    assert "2月18日" in p.expected


def test_impossible_date(year_dir):
    sheets = base()
    sheets["活动"][1][3] = "2月30日"
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "不是有效的日期", row=2, column="开始日期", value="2月30日")


def test_end_before_start(year_dir):
    sheets = base()
    sheets["活动"][2][4] = "2月10日"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "早于开始日期 2023-02-18", row=3, column="结束日期")
    assert p.value == "2023-02-10"


def test_stated_total_mismatch(year_dir):
    sheets = base()
    sheets["支出"][3][4] = "70.5"
    write_csvs(year_dir, sheets)
    p = one(
        problems(year_dir),
        "与分项之和不符",
        file="支出.csv",
        row=4,
        column="执行数（万元）",
        value="70.5",
    )
    assert "69.77" in p.message


def test_general_budget_row_without_category(year_dir):
    sheets = base()
    sheets["支出"][4][1] = ""
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "须填写支出类别", row=5, column="支出类别")
    assert "基本支出" in p.expected


def test_unknown_basic_item(year_dir):
    sheets = base()
    sheets["支出"][2][2] = "办公费"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不是基本支出的项目", row=3, column="支出项目", value="办公费")
    assert "人员支出" in p.expected


def test_disagreeing_duplicate_event_id(year_dir):
    sheets = base()
    sheets["活动"][4][10] = "600"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "各行数字不一致", row=5, column="赠书册数", value="600")
    assert "编号「B1」" in p.message and "第4行" in p.message and "500" in p.message


def test_duplicate_event_id_in_same_category(year_dir):
    sheets = base()
    sheets["活动"][4][1] = "送书活动"
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "在同一类别下已列于第4行", row=5, column="类别")


def test_summary_includes_unknown_id(year_dir):
    sheets = base()
    sheets["活动"][5][13] = "B1、C9"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "编号「C9」在本表中不存在", row=6, column="包含")
    assert "B1" in p.expected


def test_satisfied_more_than_sample(year_dir):
    sheets = base()
    sheets["满意度"][1][2] = "205"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "满意数大于样本数 200", file="满意度.csv", row=2, column="满意数")
    assert p.value == 205


def test_rate_disagrees_with_counts(year_dir):
    sheets = base()
    sheets["满意度"][1][3] = "98.5"
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "与满意数/样本数", row=2, column="满意度（%）", value="98.5")
    assert "97.5" in p.expected


def test_rate_above_100(year_dir):
    sheets = base()
    sheets["满意度"][1] = ["读者调查", "", "", "101"]
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "满意度超过 100%", row=2, column="满意度（%）")


def test_unit_own_text_section_is_a_subsection(year_dir):
    """A 章节 outside the fixed keys is one of the unit's own subsections of 六, kept in order."""
    sheets = base()
    sheets["文字说明"].append(["群文活动", "", "组织群众文化活动。"])
    write_csvs(year_dir, sheets)
    texts = clean_year(year_dir, YEAR).tables["texts"]
    row = texts[texts["section"] == "群文活动"].iloc[0]
    assert bool(row["custom"]) and row["content"] == "组织群众文化活动。"


def test_unknown_stated_key_and_category(year_dir):
    sheets = base()
    sheets["声明数"] = [
        ["指标", "数值", "单位", "说明"],
        ["活动总数", "5", "", ""],
        ["讲座活动·次数", "3", "次", ""],
        ["送书活动·次数", "1", "次", ""],
    ]
    write_csvs(year_dir, sheets)
    found = problems(year_dir)
    p = one(found, "不是可识别的指标", file="声明数.csv", row=2, value="活动总数")
    assert "活动项数" in p.expected and "类别·度量" in p.expected
    p = one(found, "类别「讲座活动」在「活动」表中不存在", row=3, column="指标")
    assert "送书活动" in p.expected


def test_unit_sheet_missing_name_and_bad_staff_count(year_dir):
    sheets = base()
    sheets["单位概况"] = [r for r in sheets["单位概况"] if r[0] != "单位名称"]
    sheets["单位概况"][2][1] = "五人"
    write_csvs(year_dir, sheets)
    found = problems(year_dir)
    one(found, "缺少必填项目「单位名称」", file="单位概况.csv", column="项目")
    one(found, "不是数字", row=3, column="内容", value="五人")


def test_holdings_year_after_report_year(year_dir):
    sheets = base()
    sheets["馆藏"] = [
        ["年度", "年末藏量（册）", "本年新增（册）", "说明"],
        ["2024", "16516", "", ""],
    ]
    write_csvs(year_dir, sheets)
    one(problems(year_dir), "晚于报告年度 2023", file="馆藏.csv", row=2, column="年度")


def test_qualitative_target_without_assessment_and_weights_over_100(year_dir):
    sheets = base()
    head = [
        "一级指标",
        "二级指标",
        "三级指标",
        "方向",
        "目标值",
        "实际值",
        "单位",
        "分值",
        "评价",
        "得分",
        "偏差原因",
        "改进措施",
    ]
    sheets["绩效目标"] = [
        head,
        ["效益指标", "社会效益", "阅读氛围", "定性", "提升", "提升", "", "60", "", "", "", ""],
        ["产出指标", "数量指标", "活动次数", "≥", "很多", "5", "次", "50", "", "", "", ""],
    ]
    write_csvs(year_dir, sheets)
    found = problems(year_dir)
    one(found, "定性指标须填写评价", row=2, column="评价")
    one(found, "目标值须是一个数字", row=3, column="目标值", value="很多")


# ---------------------------------------------------------------- encodings, collection


def test_gb18030_csv_problem_is_reported_in_chinese(year_dir):
    sheets = base()
    sheets["活动"][3][7] = "若干"
    write_csvs(year_dir, sheets, encoding="gb18030")
    assert "若干".encode("gb18030") in (year_dir / "活动.csv").read_bytes()
    one(
        problems(year_dir),
        "不是可识别的数字",
        file="活动.csv",
        row=4,
        column="线下参与人次",
        value="若干",
    )


def test_utf8_bom_csv_first_header_is_recognised(year_dir):
    sheets = base()
    sheets["支出"][1][0] = "一般公共预算X"
    write_csvs(year_dir, sheets, encoding="utf-8-sig")
    assert (year_dir / "支出.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    found = problems(year_dir)
    # The BOM must not make 预算类型 an unknown column: only the bad value is reported.
    assert [str(p) for p in found if "缺少" in str(p)] == []
    one(found, "不是可选的值", row=2, column="预算类型", value="一般公共预算X")


def test_all_problems_of_a_file_are_reported_together(year_dir):
    sheets = base()
    sheets["活动"][1][7] = "若干"
    sheets["活动"][3][3] = "2024-01-01"
    sheets["活动"][4][5] = "傍晚"
    write_csvs(year_dir, sheets)
    found = [p for p in problems(year_dir) if p.file == "活动.csv"]
    assert {(p.row, p.column) for p in found} == {(2, "线下参与人次"), (4, "开始日期"), (5, "时段")}


def test_problems_of_several_files_are_reported_together(year_dir):
    sheets = base()
    sheets["支出"][1][4] = "-1"
    sheets["满意度"][1][2] = "300"
    sheets["单位概况"][1][1] = ""
    write_csvs(year_dir, sheets)
    files = {p.file for p in problems(year_dir)}
    assert {"支出.csv", "满意度.csv", "单位概况.csv"} <= files


def test_clean_cli_reports_and_leaves_processed_untouched(tmp_path, monkeypatch, capsys):
    from selfeval import config

    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    sheets = base()
    sheets["活动"][1][7] = "若干"
    write_csvs(tmp_path / "data" / "raw" / str(YEAR), sheets)
    processed = tmp_path / "data" / "processed" / str(YEAR)
    processed.mkdir(parents=True)
    (processed / "marker.txt").write_text("old", encoding="utf-8")
    assert clean_cli(YEAR) != 0
    err = capsys.readouterr().err
    assert "活动.csv 第2行「线下参与人次」（H2）: 若干 不是可识别的数字" in err
    assert [p.name for p in processed.iterdir()] == ["marker.txt"]


def test_excel_error_value_in_amount(year_dir):
    path = write_xlsx(year_dir, base())
    wb = openpyxl.load_workbook(path)
    wb["支出"]["E5"] = "#DIV/0!"
    assert wb["支出"]["E5"].data_type == "e"  # stored as an Excel error cell
    wb.save(path)
    p = one(
        problems(year_dir),
        "Excel 的错误值",
        file="数据.xlsx",
        sheet="支出",
        row=5,
        column="执行数（万元）",
        value="#DIV/0!",
    )
    assert "公式" in p.expected


def test_duplicate_spending_item(year_dir):
    sheets = base()
    sheets["支出"].append(["一般公共预算", "项目支出", "阅读推广", "10", "9.5", ""])
    write_csvs(year_dir, sheets)
    one(
        problems(year_dir),
        "与第5行重复",
        file="支出.csv",
        row=6,
        column="支出项目",
        value="阅读推广",
    )


def test_data_in_a_column_without_header(year_dir):
    sheets = base()
    sheets["文字说明"][1] += ["", "多出的内容"]
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "第5列（E列）有数据但没有表头", file="文字说明.csv", row=1)
    assert "第1行" in p.expected


def test_csv_in_unknown_encoding(year_dir):
    write_csvs(year_dir, base())
    (year_dir / "满意度.csv").write_bytes("调查,样本数\n".encode() + b"\x80\x80\xfe\n")
    p = one(problems(year_dir), "无法识别文件编码", file="满意度.csv", sheet="满意度")
    assert "GB18030" in p.expected


def test_utf16_unicode_text_saved_as_csv(year_dir):
    write_csvs(year_dir, base())
    text = "\n".join("\t".join(r) for r in BASE["文字说明"])
    (year_dir / "文字说明.csv").write_bytes(text.encode("utf-16"))
    p = one(problems(year_dir), "UTF-16", file="文字说明.csv")
    assert "UTF-8" in p.expected


def test_stated_total_just_beyond_rounding_tolerance(year_dir):
    sheets = base()
    sheets["支出"][3][4] = "69.79"  # parts 63.44 + 6.33 = 69.77; tolerance 2 x 0.005
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "超出舍入误差 0.01 万元", row=4, column="执行数（万元）")
    assert "+0.02" in p.message


def test_optional_sheet_missing_column_is_reported_once(year_dir):
    sheets = base()
    sheets["声明数"] = [["指标", "单位"], ["活动项数", "项"]]
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "缺少必需的列", file="声明数.csv", row=1, column="数值")
    assert "指标" in p.expected


def test_unreadable_sample_is_one_problem(year_dir):
    sheets = base()
    sheets["满意度"][1][1] = "两百"
    write_csvs(year_dir, sheets)
    found = [p for p in problems(year_dir) if p.file == "满意度.csv"]
    assert len(found) == 1, [str(p) for p in found]
    assert (found[0].row, found[0].column, found[0].value) == (2, "样本数", "两百")


def test_satisfaction_row_without_any_figure(year_dir):
    sheets = base()
    sheets["满意度"][1] = ["读者调查", "200", "", ""]
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "既没有满意度", file="满意度.csv", row=2)
    assert "样本数和满意数" in p.expected


def test_merged_data_cells(year_dir):
    path = write_xlsx(year_dir, base())
    wb = openpyxl.load_workbook(path)
    wb["活动"].merge_cells("B4:B5")
    wb.save(path)
    p = one(problems(year_dir), "有合并单元格（B4:B5）", sheet="活动", row=4)
    assert "取消合并" in p.expected


STATED_BY_CATEGORY = [
    ["指标", "数值", "单位", "说明"],
    ["送书活动·次数", "1", "次", ""],
    ["节日活动·线下参与人次", "3900", "人次", ""],
]


@pytest.mark.parametrize("activities", ["missing", "header only", "every row bad"])
def test_stated_category_figures_without_usable_activities_give_no_follow_on(year_dir, activities):
    """With no usable 活动 rows, 声明数's 类别·度量 rows cannot be checked: they are kept for
    the report as stated, and no 「类别…在「活动」表中不存在」 is added to the real cause."""
    sheets = base()
    sheets["声明数"] = STATED_BY_CATEGORY
    if activities == "missing":
        del sheets["活动"]
    elif activities == "header only":
        sheets["活动"] = [ACT_HEAD]
    else:  # a start date no one can read on every row
        sheets["活动"] = [sheets["活动"][0]] + [
            [*r[:3], "某天", *r[4:]] for r in sheets["活动"][1:]
        ]
    write_csvs(year_dir, sheets)
    if activities == "every row bad":
        found = problems(year_dir)
        assert found and all(p.file == "活动.csv" for p in found), found
        assert not any("不存在" in str(p) for p in found)
    else:
        cleaned = clean_year(year_dir, YEAR)  # 活动 is optional
        assert len(cleaned.tables["stated"]) == 2


def test_a_program_error_names_the_file_and_sheet_being_processed(year_dir, monkeypatch):
    """Not an input problem: the message says where it happened and that the data is not at
    fault, and the original exception is kept as the cause."""
    from selfeval.clean import year as year_module
    from selfeval.errors import InternalError
    from selfeval.read import files

    write_csvs(year_dir, base())

    def broken(bound, ctx):
        raise ValueError("cannot convert float NaN to integer")

    monkeypatch.setitem(year_module.CLEANERS, "spending", broken)
    with pytest.raises(InternalError) as info:
        clean_year(year_dir, YEAR)
    message = str(info.value)
    assert "「支出.csv」的工作表「支出」" in message and "不是填报数据的问题" in message
    assert "ValueError: cannot convert float NaN to integer" in message
    assert isinstance(info.value.__cause__, ValueError)
    monkeypatch.undo()

    def unreadable(data, name, result, budget):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(files, "read_csv_bytes", unreadable)
    with pytest.raises(InternalError, match=r"处理「[^」]+\.csv」时程序内部出错（OverflowError"):
        clean_year(year_dir, YEAR)


# ---------------------------------------------------------------- text Word cannot store (#27)


def test_control_characters_word_cannot_store_are_one_located_problem_per_cell(year_dir):
    sheets = base()
    sheets["活动"][1][2] = "送\x01春联"  # C2: 名称
    sheets["活动"][2][12] = "效果\x08好\x1b[0m"  # M3: 成效
    sheets["文字说明"][1][2] = "全年\x00活动"  # C2: 内容
    sheets["单位概况"][4][1] = "测试职责\ufffe。"  # B5: 主要职责
    sheets["支出"][4][5] = "说明\x0b"  # F5: 说明 (vertical tab)
    sheets["活动"][3][6] = "小学\t分校\n东区"  # tab and newline are allowed
    found = problems(write_csvs(year_dir, sheets))
    expected = [
        ("活动", 2, "名称", "C2", "\\x01", "送\\x01春联"),
        ("活动", 3, "成效", "M3", "\\x08、\\x1b", "效果\\x08好\\x1b[0m"),
        ("文字说明", 2, "内容", "C2", "\\x00", "全年\\x00活动"),
        ("单位概况", 5, "内容", "B5", "\\ufffe", "测试职责\\ufffe。"),
        ("支出", 5, "说明", "F5", "\\x0b", "说明\\x0b"),
    ]
    for sheet, row, column, cell, chars, shown in expected:
        p = one(found, f"控制字符 {chars}", sheet=sheet, row=row, column=column, cell=cell)
        assert p.value == shown and p.file == f"{sheet}.csv"
        assert "删除这些字符" in p.expected
        assert str(p).isprintable(), str(p)  # shown escaped, never raw
    assert len(found) == len(expected), "\n".join(map(str, found))  # nothing said twice


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("3O.2", "含有字母O，应为数字0"),
        ("1,2OO", "含有字母O，应为数字0"),
        ("３Ｏ.２", "含有字母O，应为数字0"),  # full-width, as a Chinese input method types it
        ("6.3l", "含有字母l，应为数字1"),
        ("6。33", "用了句号「。」，小数点应为「.」"),
        ("6.3.3", "有 2 个小数点"),
        ("1,50", "千分位逗号的位置不对"),
    ],
)
def test_typo_in_amount_says_what_is_wrong(year_dir, cell, reason):
    """A typo in a number is named (the letter O for the digit 0 …), not only «not a number»."""
    sheets = base()
    sheets["支出"][1][4] = cell
    write_csvs(year_dir, sheets)
    p = one(problems(year_dir), "不是金额数字：" + reason, row=2, column="执行数（万元）")
    assert p.value == cell


def test_typo_in_count_says_what_is_wrong_and_fullwidth_digits_are_read(year_dir):
    sheets = base()
    sheets["活动"][1][7] = "3OO"
    sheets["活动"][2][7] = "３００"  # full-width digits are a number, not a problem
    write_csvs(year_dir, sheets)
    found = problems(year_dir)
    one(found, "不是可识别的数字：含有字母O，应为数字0", row=2, column="线下参与人次")
    assert not [p for p in found if p.row == 3 and p.file == "活动.csv"], found


def test_input_error_renders_as_a_table_without_traceback(year_dir):
    """In JupyterLab (IPython) an InputError shows the problem table and one line, no traceback
    and no source path; its str() (what papermill records as evalue) stays the full list."""
    from IPython.core.interactiveshell import InteractiveShell

    sheets = base()
    sheets["支出"][1][4] = "3O.2"
    sheets["活动"][1][7] = "<b>若干</b>"
    write_csvs(year_dir, sheets)
    with pytest.raises(InputError) as caught:
        clean_year(year_dir, YEAR)
    error = caught.value
    shown: list[dict] = []
    shell = InteractiveShell.instance()
    shell.display_pub.publish = lambda data, **kw: shown.append(data)
    try:
        lines = error._render_traceback_()
    finally:
        InteractiveShell.clear_instance()
    assert lines == [
        "InputError: 2023 年度的输入数据有 2 个问题（见上表） / input problems, see above"
    ]
    table = shown[0]["text/html"]
    left = ' style="text-align: left"'
    head = ("文件", "工作表", "行", "列", "取值", "问题", "应填写")
    assert "".join(f"<th{left}>{h}</th>" for h in head) in table
    cells = (
        "支出.csv",
        "",
        "2",
        "执行数（万元）（E2）",
        "3O.2",
        "不是金额数字：含有字母O，应为数字0",
    )
    assert "<tr>" + "".join(f"<td{left}>{c}</td>" for c in cells) in table
    assert "&lt;b&gt;若干&lt;/b&gt;" in table and "<b>若干" not in table
    assert ".py" not in table + "".join(lines) and "Traceback" not in table
    assert shown[0]["text/plain"] == str(error) and "3O.2" in str(error)
