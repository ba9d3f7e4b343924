"""What Excel means, through the whole cleaner (issue 17): number formats, impossible values,
crafted cells, oversized CSV fields, symlinks and the hash of what was parsed.

Each test writes a real file (openpyxl, then sometimes the sheet XML edited as a crafted file
would be), runs `clean_year` and checks the one located problem it gets: file, sheet, Excel row,
column and value, and that nothing else is said about the same cell.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_malformed import YEAR, base, problems, write_csvs, write_xlsx

from selfeval.clean import clean_year
from selfeval.errors import Problem

REPO = Path(__file__).resolve().parents[3]


def _format_cell(path: Path, sheet: str, ref: str, value: object, number_format: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = value
    wb[sheet][ref].number_format = number_format
    wb.save(path)


def _edit_sheet_xml(path: Path, sheet_index: int, edit) -> None:
    """Rewrite one worksheet's XML, as a crafted or damaged file would have it."""
    member = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    new = edit(parts[member].decode())
    assert new != parts[member].decode(), "edit did not apply"
    parts[member] = new.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _at(found: list[Problem], sheet: str, row: int) -> list[Problem]:
    return [p for p in found if p.sheet == sheet and p.row == row]


SHEET_INDEX = {name: i for i, name in enumerate(base(), start=1)}  # openpyxl's sheetN.xml


# ---------------------------------------------------------------- percent formats


def test_percent_formatted_rate_is_the_rate_excel_shows(year_dir):
    """满意度 typed 98.92% is stored 0.9892 with format 0.00%: the rate is 98.92, 2 decimals
    (it used to be reported as 「满意度为0.9892%」)."""
    sheets = base()
    sheets["满意度"][1] = ["读者调查", "", "", ""]
    path = write_xlsx(year_dir, sheets)
    _format_cell(path, "满意度", "D2", 0.9892, "0.00%")
    table = clean_year(year_dir, YEAR).tables["satisfaction"]
    assert table["rate"].tolist() == [98.92]
    assert table["rate_decimals"].tolist() == [2] and table["rate_stated"].tolist() == [True]


def test_percent_in_an_amount_column_is_a_located_problem(year_dir):
    path = write_xlsx(year_dir, base())
    _format_cell(path, "支出", "E5", 0.095, "0.00%")  # 阅读推广 执行数 typed as 9.50%
    (p,) = _at(problems(year_dir), "支出", 5)
    assert (p.file, p.column, str(p.value)) == ("数据.xlsx", "执行数（万元）", "9.50%")
    assert "百分数" in p.message and "不是金额" in p.message


def test_percent_in_a_count_column_is_a_located_problem(year_dir):
    path = write_xlsx(year_dir, base())
    _format_cell(path, "活动", "H3", 0.5, "0%")  # 迎新春 线下参与人次 shown as 50%
    (p,) = _at(problems(year_dir), "活动", 3)
    assert (p.column, str(p.value)) == ("线下参与人次", "50%")
    assert "百分数" in p.message and "不是数量" in p.message


# ---------------------------------------------------------------- dates and impossible numbers


def test_date_format_on_an_integer_is_one_located_problem(year_dir):
    """20240202 typed into a date cell is no Excel serial (it would be the year 57,000):
    one problem naming the cell, never 「不能为空」 for it (OverflowError before)."""
    path = write_xlsx(year_dir, base())
    _format_cell(path, "活动", "D2", 20240202, "yyyy-mm-dd")
    found = problems(year_dir)
    (p,) = _at(found, "活动", 2)
    assert (p.file, p.column, p.value) == ("数据.xlsx", "开始日期", "20240202")
    assert "日期格式" in p.message and "2024-02-02" in p.message and "D2" in p.message
    assert len(found) == 1, [str(x) for x in found]


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("NaN", "NaN"),
        ("INF", "无穷大"),
        ("1E308", "过大"),
        ("9" * 400, "400 位"),
    ],
)
def test_impossible_amount_is_one_located_problem(year_dir, stored, words):
    """A crafted <v> in 支出 E5 (阅读推广 执行数): ValueError, OverflowError or
    InvalidOperation before; one located problem now."""
    path = write_xlsx(year_dir, base())
    _edit_sheet_xml(
        path,
        SHEET_INDEX["支出"],
        lambda xml: re.sub(r'<c r="E5"[^>]*>.*?</c>', f'<c r="E5" t="n"><v>{stored}</v></c>', xml),
    )
    found = problems(year_dir)
    assert len(found) == 1, [str(x) for x in found]
    (p,) = found
    assert (p.file, p.sheet, p.row, p.column) == ("数据.xlsx", "支出", 5, "执行数（万元）")
    assert p.value and str(p.value)[:3] == stored[:3] and words in p.message


@pytest.mark.parametrize("stored", ["NaN", "INF", "1E308", "9" * 400])
def test_an_impossible_part_of_a_total_is_one_problem_not_two(year_dir, stored):
    """E2 (人员支出) is a part of the 基本支出 合计 on row 4: the reader rejects it, and the
    合计 is not said to disagree with its parts as well."""
    path = write_xlsx(year_dir, base())
    _edit_sheet_xml(
        path,
        SHEET_INDEX["支出"],
        lambda xml: re.sub(r'<c r="E2"[^>]*>.*?</c>', f'<c r="E2" t="n"><v>{stored}</v></c>', xml),
    )
    found = problems(year_dir)
    assert len(found) == 1, [str(x) for x in found]
    assert (found[0].sheet, found[0].row, found[0].column) == ("支出", 2, "执行数（万元）")


def test_an_impossible_sample_size_is_not_also_a_missing_rate(year_dir):
    sheets = base()
    path = write_xlsx(year_dir, sheets)
    _format_cell(path, "满意度", "B2", 12345678901234567890, "General")
    found = problems(year_dir)
    assert len(found) == 1, [str(x) for x in found]
    assert (found[0].sheet, found[0].row, found[0].column) == ("满意度", 2, "样本数")


def test_twenty_digit_count_in_a_number_cell(year_dir):
    path = write_xlsx(year_dir, base())
    _format_cell(path, "活动", "H3", 12345678901234567890, "General")
    found = problems(year_dir)
    (p,) = _at(found, "活动", 3)
    assert (p.column, "过大") == ("线下参与人次", "过大") and "过大" in p.message
    assert len(found) == 1, [str(x) for x in found]


@pytest.mark.parametrize(
    ("sheet", "row", "col", "header"),
    [
        ("活动", 2, 7, "线下参与人次"),
        ("满意度", 1, 1, "样本数"),
        ("馆藏", 1, 1, "年末藏量（册）"),
    ],
)
def test_twenty_digit_text_in_a_csv(year_dir, sheet, row, col, header):
    """OverflowError (Python int too large to convert to C long) before."""
    sheets = base()
    sheets["馆藏"] = [
        ["年度", "年末藏量（册）", "本年新增（册）", "说明"],
        [str(YEAR), "1000", "", ""],
    ]
    sheets[sheet][row][col] = "12345678901234567890"
    write_csvs(year_dir, sheets)
    found = [p for p in problems(year_dir) if p.file == f"{sheet}.csv"]
    assert len(found) == 1, [str(x) for x in found]
    (p,) = found
    assert (p.row, p.column, p.value) == (row + 1, header, "12345678901234567890")
    assert "过大" in p.message


def test_negative_shared_string_index_is_located_not_the_last_string(year_dir):
    """Python's list[-1] silently took the last shared string before."""
    path = write_xlsx(year_dir, base())
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" not in zf.namelist()  # openpyxl writes inline strings
    _edit_sheet_xml(
        path,
        SHEET_INDEX["活动"],
        lambda xml: re.sub(r'<c r="C2"[^>]*>.*?</c>', '<c r="C2" t="s"><v>-1</v></c>', xml),
    )
    found = problems(year_dir)
    (p,) = _at(found, "活动", 2)
    assert (p.file, p.column, p.value) == ("数据.xlsx", "名称", "-1")
    assert "共享字符串索引无效" in p.message
    assert not any("不能为空" in str(x) for x in found)


# ---------------------------------------------------------------- CSV limits


def test_csv_field_over_the_csv_modules_limit(year_dir):
    """csv.Error plus a contradictory 「缺少文件」 before; one problem naming the row now."""
    sheets = base()
    sheets["活动"][1][12] = "好" * 200_000
    write_csvs(year_dir, sheets)
    found = problems(year_dir)
    assert len(found) == 1, [str(x) for x in found]
    (p,) = found
    assert (p.file, p.sheet, p.row, p.column) == ("活动.csv", "活动", 2, "成效")
    assert p.value.startswith("好好好") and "200,000 个字符" in p.message


# ---------------------------------------------------------------- symlinks


def test_data_file_symlinked_outside_is_refused_not_read(year_dir, tmp_path):
    sheets = base()
    write_csvs(year_dir, sheets)
    outside = tmp_path / "elsewhere" / "活动.csv"
    outside.parent.mkdir()
    outside.write_bytes((year_dir / "活动.csv").read_bytes().replace("送春联".encode(), b"SECRET"))
    (year_dir / "活动.csv").unlink()
    (year_dir / "活动.csv").symlink_to(outside)
    found = problems(year_dir)
    assert len(found) == 1, [str(x) for x in found]
    (p,) = found
    assert p.file == "活动.csv" and "符号链接" in p.message and str(outside) in p.message
    assert not any("SECRET" in str(x) for x in found)


def test_year_folder_that_is_a_symlink_is_refused(tmp_path):
    real = write_csvs(tmp_path / "real" / str(YEAR), base())
    link = tmp_path / "raw" / str(YEAR)
    link.parent.mkdir()
    link.symlink_to(real)
    (p,) = problems(link)
    assert "符号链接" in p.message and str(real) in p.message


def _clean_cli(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELFEVAL_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "selfeval", "clean", "--year", str(YEAR)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO,
        check=False,
    )


def test_clean_cli_refuses_a_symlinked_year_folder_and_data_file(tmp_path):
    real = write_csvs(tmp_path / "real" / str(YEAR), base())
    raw = tmp_path / "project" / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / str(YEAR)).symlink_to(real)
    done = _clean_cli(tmp_path / "project")
    assert done.returncode == 1 and "符号链接" in done.stderr and str(real) in done.stderr
    assert not (tmp_path / "project" / "data" / "processed" / str(YEAR)).exists()

    (raw / str(YEAR)).unlink()
    folder = write_csvs(raw / str(YEAR), base())
    (folder / "支出.csv").unlink()
    (folder / "支出.csv").symlink_to(real / "支出.csv")
    done = _clean_cli(tmp_path / "project")
    assert done.returncode == 1, done.stdout
    assert "支出.csv" in done.stderr and "符号链接" in done.stderr
    assert str(real / "支出.csv") in done.stderr


# ---------------------------------------------------------------- the hash of what was parsed


def test_meta_hash_is_of_the_bytes_that_were_parsed(year_dir, monkeypatch):
    """The workbook saved again while 01 runs: meta.json must carry the hash of the version
    the tables came from, not of the file as it is afterwards (hashed after parsing before)."""
    from selfeval.clean import year as year_module

    path = write_xlsx(year_dir, base())
    parsed = path.read_bytes()
    clean_sheets = year_module._clean_sheets

    def save_during_build(raw, ctx):
        tables = clean_sheets(raw, ctx)
        wb = openpyxl.load_workbook(path)
        wb["活动"]["C2"] = "改过的名称"
        wb.save(path)  # the analyst saves while the build runs
        return tables

    monkeypatch.setattr(year_module, "_clean_sheets", save_during_build)
    result = clean_year(year_dir, YEAR)
    assert path.read_bytes() != parsed
    assert result.tables["activities"]["name"].iloc[0] == "送春联"
    assert result.meta["sources"] == [
        {"file": "数据.xlsx", "sha256": hashlib.sha256(parsed).hexdigest()}
    ]
    json.dumps(result.meta)  # still plain JSON


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    return tmp_path / str(YEAR)
