"""Cleaning of valid input: parsing, normalisation, reconciliation, atomic processed writes."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from selfeval import folders
from selfeval.clean import CleanResult, clean_year
from selfeval.clean.values import parse_count, parse_date
from selfeval.store import hash_tree as sha256_file
from selfeval.store import read_json, read_processed, write_processed

YEAR = 2024
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
    "说明",
]


def sheets() -> dict[str, list[list[object]]]:
    return {
        "单位概况": [
            ["项目", "内容"],
            ["单位名称", "测试区测试馆（测试）"],
            ["主管部门", "测试局"],
            ["编制人数", "４"],
            ["主要职责", "测试职责。"],
            ["填报日期", "2025年1月20日"],
        ],
        "支出": [
            ["预算类型", "支出类别", "支出项目", "预算数（元）", "执行数(元)", "说明"],
            ["一般公共预算", "基本支出", "人员支出", "", "634,400", ""],
            ["一般公共预算", "基本支出", "公用支出", "", "63,300", ""],
            ["一般公共预算", "基本支出", "合计", "", "697,700", ""],
            ["政府性基金预算", "", "合计", "", "0", "无"],
        ],
        "活动": [
            ACT_HEAD,
            [
                "",
                "节日活动",
                "送春联",
                "2月2日",
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
                "",
            ],
            [
                "A14",
                "送书活动",
                "向建设村捐书",
                "2024-06-11",
                "",
                "",
                "建设村",
                "",
                "",
                "",
                "500",
                "",
                "",
                "",
                "",
            ],
            [
                "A9",
                "讲座",
                "法律讲座",
                "2024/10/29",
                "",
                "下午",
                "社区",
                "200",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "A14",
                "三下乡",
                "三下乡活动",
                "2024年6月11日",
                "",
                "下午",
                "建设村",
                "1000",
                "",
                "",
                "500",
                "2000",
                "",
                "",
                "",
            ],
            [
                "A10",
                "讲座",
                "法律讲座",
                "10月31日",
                "",
                "",
                "社区",
                "350",
                "",
                "",
                "",
                "",
                "",
                "",
                "地名原文有误",
            ],
            [
                "W",
                "宣传周",
                "宣传周",
                "4月22日",
                "4月23日",
                "",
                "",
                "",
                "",
                "4",
                "500多",
                "近千",
                "",
                "A9，A10",
                "",
            ],
        ],
        "文字说明": [
            ["章节", "标题", "内容"],
            ["活动", "提升服务效能重在实", ""],
            ["存在问题", "", "人员不足。"],
        ],
    }


def write_csvs(folder: Path, data: dict, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in data.items():
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def write_xlsx(folder: Path, data: dict, name: str = "数据.xlsx", titles=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in data.items():
        ws = wb.create_sheet((titles or {}).get(sheet, sheet))
        for row in rows:
            ws.append([None if v == "" else v for v in row])
    wb.save(folder / name)
    return folder / name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("约300", (300, "约", "约300")),
        ("近百", (100, "近", "近百")),
        ("百", (100, "", "百")),
        ("上千", (1000, "上", "上千")),
        ("400余", (400, "余", "400余")),
        ("4000多", (4000, "多", "4000多")),
        ("1,500", (1500, "", "1500")),
        ("３００", (300, "", "300")),
        ("  60 ", (60, "", "60")),
        ("300人次", (300, "", "300")),
        ("两千", (2000, "", "两千")),
        (3600, (3600, "", "3600")),
        (78.0, (78, "", "78")),
        ("", (None, "", None)),
        (None, (None, "", None)),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-18",
        "2024/2/18",
        "2024年2月18日",
        "2月18日",
        "２０２４－０２－１８",
        dt.datetime(2024, 2, 18),
        "2024-02-18 00:00:00",
    ],
)
def test_parse_date_formats(value):
    assert parse_date(value, 2024) == dt.date(2024, 2, 18)


def test_csv_year_is_cleaned_into_typed_tables(tmp_path):
    result = clean_year(write_csvs(tmp_path / str(YEAR), sheets()), YEAR)
    assert isinstance(result, CleanResult)
    unit = result.tables["unit"].set_index("item")["value"]
    assert unit["编制人数"] == "4"
    assert result.meta["unit_name"] == "测试区测试馆（测试）"
    assert result.meta["data_date"] == "2025-01-20"
    assert result.meta["year"] == YEAR

    spending = result.tables["spending"]
    personnel = spending[spending["item"] == "人员支出"].iloc[0]
    assert personnel["actual"] == pytest.approx(63.44)
    assert personnel["actual_decimals"] == 4  # 0 decimals in 元 = 4 in 万元
    assert pd.isna(personnel["budget"])  # blank budget is unknown, never 0
    assert spending["is_total"].tolist() == [False, False, True, True]

    acts = result.tables["activities"]
    assert acts["event_id"].tolist() == ["行2", "A14", "A9", "A14", "A10", "W"]
    assert acts["category_order"].tolist() == [1, 2, 3, 4, 3, 5]
    assert acts["listing_order"].tolist() == [1, 2, 3, 4, 5, 6]
    first = acts.iloc[0]
    assert (first["offline"], first["offline_q"], first["offline_text"]) == (300, "约", "约300")
    assert pd.isna(first["sessions"]) and pd.isna(first["books"])
    assert first["start_date"] == pd.Timestamp("2024-02-02")
    assert acts.iloc[5]["includes"] == "A9、A10"
    assert acts.iloc[4]["note"] == "地名原文有误"
    assert acts["src_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert set(acts["src_file"]) == {"活动.csv"}

    texts = result.tables["texts"]
    assert texts["content"].tolist() == ["", "人员不足。"]
    assert texts["title"].iloc[0] == "提升服务效能重在实"
    assert "holdings" not in result.tables


def test_stated_total_within_rounding_is_kept_and_noted(tmp_path):
    data = sheets()
    data["支出"][0][3:5] = ["预算数（万元）", "执行数（万元）"]
    data["支出"][1][4], data["支出"][2][4], data["支出"][3][4] = "63.44", "6.33", "69.78"
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    total = result.tables["spending"].query("is_total and category == '基本支出'").iloc[0]
    assert total["actual"] == pytest.approx(69.78)
    entry = next(e for e in result.checks["reconciled"] if e["row"] == 4)
    assert entry["stated"] == pytest.approx(69.78)
    assert entry["computed"] == pytest.approx(69.77)
    assert entry["difference"] == pytest.approx(0.01)
    assert entry["tolerance"] == pytest.approx(0.01)  # half a unit of 0.01 per part, two parts
    assert "舍入误差内" in entry["message"]


def test_summary_listing_reconciliation_is_recorded(tmp_path):
    data = sheets()
    data["活动"][6][7] = "600"  # the summary states 600 offline, its members add to 550
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    entry = next(e for e in result.checks["reconciled"] if e["row"] == 7)
    assert (entry["stated"], entry["computed"]) == (600, 550)
    assert entry["column"] == "线下参与人次"


def test_workbook_with_dates_floats_trimmed_sheet_names_and_extra_columns(tmp_path):
    data = sheets()
    data["活动"][1][3] = dt.datetime(2024, 2, 2)
    data["支出"][0][3:5] = ["预算数（万元）", "执行数（万元）"]
    data["支出"][1][4], data["支出"][2][4], data["支出"][3][4] = 63.44, 6.33, 69.78
    data["文字说明"][0].append("备注")  # extra column: kept in the file, ignored
    data["文字说明"][1].append("内部备注")
    folder = tmp_path / str(YEAR)
    write_xlsx(folder, data, titles={"活动": " 活动\u3000", "支出": "支出 "})
    result = clean_year(folder, YEAR)
    acts = result.tables["activities"]
    assert acts["src_sheet"].iloc[0] == "活动"
    assert acts["start_date"].iloc[0] == pd.Timestamp("2024-02-02")
    spending = result.tables["spending"]
    assert spending["actual_decimals"].tolist()[:3] == [2, 2, 2]
    assert any("备注" in w["message"] for w in result.checks["warnings"])
    assert result.meta["sources"] == [
        {"file": "数据.xlsx", "sha256": sha256_file(folder / "数据.xlsx")}
    ]


def test_formula_cells_are_read_from_cached_values(tmp_path):
    data = sheets()
    data["支出"][0][3:5] = ["预算数（万元）", "执行数（万元）"]
    data["支出"][1][4], data["支出"][2][4], data["支出"][3][4] = 63.44, 6.33, 69.77
    folder = tmp_path / str(YEAR)
    path = write_xlsx(folder, data)
    # Turn E4 into a formula with its cached result, as Excel saves it.
    with zipfile.ZipFile(path) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    sheet_xml = next(
        n for n in members if n.startswith("xl/worksheets/sheet") and b"69.77" in members[n]
    )
    xml = members[sheet_xml].decode()
    xml, n = re.subn(
        r'<c r="E4"([^>]*)><v>69.77</v></c>', r'<c r="E4"\1><f>SUM(E2:E3)</f><v>69.77</v></c>', xml
    )
    assert n == 1
    members[sheet_xml] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in members.items():
            zout.writestr(name, content)
    result = clean_year(folder, YEAR)
    total = result.tables["spending"].query("is_total and category == '基本支出'").iloc[0]
    assert total["actual"] == pytest.approx(69.77)


def test_mixed_line_endings_and_gb18030(tmp_path):
    folder = write_csvs(tmp_path / str(YEAR), sheets(), encoding="gb18030")
    raw = (folder / "活动.csv").read_bytes()
    lines = raw.split(b"\r\n")
    mixed = (
        b"\r\n".join(lines[:2]) + b"\n" + b"\r".join(lines[2:4]) + b"\n" + b"\r\n".join(lines[4:])
    )
    (folder / "活动.csv").write_bytes(mixed)
    acts = clean_year(folder, YEAR).tables["activities"]
    assert acts["name"].tolist() == [
        "送春联",
        "向建设村捐书",
        "法律讲座",
        "三下乡活动",
        "法律讲座",
        "宣传周",
    ]
    assert acts["src_row"].tolist() == [2, 3, 4, 5, 6, 7]


def test_optional_sheet_with_only_headers_counts_as_absent(tmp_path):
    data = sheets()
    data["馆藏"] = [["年度", "年末藏量（册）", "本年新增（册）", "说明"]]
    data["声明数"] = [
        ["指标", "数值", "单位", "说明"],
        ["讲座·场次", "2", "场", ""],
        ["馆藏年均增长", "3,231", "册", "原文"],
    ]
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    assert "holdings" not in result.tables
    stated = result.tables["stated"]
    assert stated["indicator"].tolist() == ["讲座·场次", "馆藏年均增长"]
    assert stated["value"].tolist() == [2.0, 3231.0]


def test_write_processed_round_trip_and_atomic_replace(tmp_path):
    result = clean_year(write_csvs(tmp_path / "raw" / str(YEAR), sheets()), YEAR)
    out = tmp_path / "processed" / str(YEAR)
    out.mkdir(parents=True)
    folders.mark(out, folders.PROCESSED)  # an earlier build's folder
    (out / "stale.parquet").write_bytes(b"old")
    write_processed(result, out)
    assert not (out / "stale.parquet").exists()
    tables = read_processed(out)
    assert set(tables) == set(result.tables)
    acts = tables["activities"]
    assert str(acts["offline"].dtype) == "Int64"
    assert str(acts["start_date"].dtype).startswith("datetime64")
    pd.testing.assert_frame_equal(acts, result.tables["activities"])
    assert read_json(out, "meta")["unit_name"] == "测试区测试馆（测试）"
    assert set(read_json(out, "checks")) == {"normalised", "reconciled", "warnings"}
    assert [p.name for p in tmp_path.joinpath("processed").iterdir()] == [str(YEAR)]


def test_write_processed_rejects_invalid_table_and_keeps_old_folder(tmp_path):
    import pandera.errors

    result = clean_year(write_csvs(tmp_path / "raw" / str(YEAR), sheets()), YEAR)
    result.tables["activities"].loc[0, "offline"] = -5  # violates the pandera model
    out = tmp_path / "processed" / str(YEAR)
    out.mkdir(parents=True)
    folders.mark(out, folders.PROCESSED)  # an earlier build's folder
    (out / "unit.parquet").write_bytes(b"previous")
    with pytest.raises(pandera.errors.SchemaErrors):
        write_processed(result, out)
    assert sorted(p.name for p in out.iterdir()) == [folders.MARKER, "unit.parquet"]
    assert (out / "unit.parquet").read_bytes() == b"previous"
    assert [p.name for p in tmp_path.joinpath("processed").iterdir()] == [str(YEAR)]


def test_normalisations_are_summarised(tmp_path):
    data = sheets()
    data["活动"][3][7] = "２００"
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    kinds = {(e["column"], e["kind"]) for e in result.checks["normalised"]}
    assert ("线下参与人次", "数量写法整理") in kinds
    entry = next(e for e in result.checks["normalised"] if e["column"] == "线下参与人次")
    assert "２００→200" in entry["examples"]


def test_holdings_growth_differing_from_added_is_a_warning(tmp_path):
    data = sheets()
    data["馆藏"] = [
        ["年度", "年末藏量（册）", "本年新增（册）", "说明"],
        ["2023", "13000", "", ""],
        ["2024", "16,516", "3000", ""],
    ]
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    assert result.tables["holdings"]["holdings"].tolist() == [13000, 16516]
    warning = next(w for w in result.checks["warnings"] if w.get("sheet") == "馆藏")
    assert (warning["stated"], warning["computed"], warning["row"]) == (3000, 3516, 3)


def test_unit_and_date_normalisations_are_noted(tmp_path):
    result = clean_year(write_csvs(tmp_path / str(YEAR), sheets()), YEAR)
    by_kind = {(e["column"], e["kind"]): e for e in result.checks["normalised"]}
    assert by_kind[("执行数(元)", "元折算为万元")]["count"] == 4
    dates = by_kind[("开始日期", "日期写法统一")]
    assert dates["count"] == 5  # every start date but the ISO one
    assert "2月2日→2024-02-02" in dates["examples"]


def test_strict_ooxml_namespaces_are_read(tmp_path):
    folder = tmp_path / str(YEAR)
    path = write_xlsx(folder, sheets())
    with zipfile.ZipFile(path) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    swaps = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in members.items():
            if name.startswith("xl/") and name.endswith(".xml"):
                for old, new in swaps.items():
                    content = content.replace(old, new)
            zout.writestr(name, content)
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("xl/workbook.xml")
    result = clean_year(folder, YEAR)
    assert result.tables["activities"]["name"].iloc[0] == "送春联"
    assert result.tables["spending"]["actual"].iloc[0] == pytest.approx(63.44)


def test_fullwidth_digits_in_text_fields_keep_chinese_punctuation(tmp_path):
    data = sheets()
    data["支出"].insert(
        4, ["一般公共预算", "项目支出", "２０２４年阅读推广（专项）", "", "1,000", ""]
    )
    data["活动"][6][13] = "Ａ９，Ａ１０"
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    assert "2024年阅读推广（专项）" in result.tables["spending"]["item"].tolist()
    assert result.tables["activities"]["includes"].iloc[5] == "A9、A10"


def test_staff_count_may_carry_its_unit(tmp_path):
    data = sheets()
    data["单位概况"][3][1] = "５人"
    result = clean_year(write_csvs(tmp_path / str(YEAR), data), YEAR)
    assert result.tables["unit"].set_index("item")["value"]["编制人数"] == "5"


def test_padded_csv_name_and_unknown_sheets(tmp_path):
    folder = write_csvs(tmp_path / str(YEAR), sheets())
    (folder / "活动.csv").rename(folder / " 活动\u3000.csv")
    (folder / "草稿.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "空表.csv").write_text("", encoding="utf-8")
    result = clean_year(folder, YEAR)
    assert result.tables["activities"]["src_file"].iloc[0] == " 活动\u3000.csv"
    ignored = [w["message"] for w in result.checks["warnings"] if "已忽略" in w["message"]]
    assert len(ignored) == 1 and "草稿" in ignored[0]


def test_excel_lock_file_is_ignored(tmp_path):
    folder = tmp_path / str(YEAR)
    write_xlsx(folder, sheets())
    (folder / "~$数据.xlsx").write_bytes(b"\x00owner lock file")  # left by an open Excel
    result = clean_year(folder, YEAR)
    assert result.meta["sources"][0]["file"] == "数据.xlsx"


def test_tab_delimited_text_saved_as_csv(tmp_path):
    folder = write_csvs(tmp_path / str(YEAR), sheets())
    with open(folder / "文字说明.csv", "w", encoding="gb18030", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows(sheets()["文字说明"])
    texts = clean_year(folder, YEAR).tables["texts"]
    assert texts["section"].tolist() == ["活动", "存在问题"]
    assert texts["content"].tolist() == ["", "人员不足。"]
