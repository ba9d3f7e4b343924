""".xls/.xlsb/.ods through python-calamine in a limited child (`selfeval.read.legacy`).

The .ods files are written here by hand (`hostile_corpus.ods_workbook`); the .xls fixture
(6 KB, fixtures/legacy_src.xls) was converted by LibreOffice from an openpyxl workbook: 满意度
0.9892 as 0.00%, a date, text '0012', a text-formatted 20240202, =1/0, merged D3:D4.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import hostile_corpus as corpus
import pytest

from selfeval.clean import clean_year
from selfeval.errors import InputError
from selfeval.read import find_raw_files

REPO = Path(__file__).resolve().parents[3]
RAW_2024 = REPO / "data" / "raw" / "2024"
FIXTURES = Path(__file__).parent / "fixtures"


def _typed(text: str) -> object:
    """A CSV text as a spreadsheet holds it after typing: numbers become numbers."""
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _csv_sheets(folder: Path) -> dict[str, list[list[object]]]:
    sheets = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            sheets[path.stem] = [[_typed(v) for v in row] for row in csv.reader(fh)]
    return sheets


def test_the_2024_data_as_ods_cleans_like_the_csvs(tmp_path):
    folder = tmp_path / "2024"
    folder.mkdir()
    corpus.ods_workbook(folder / "绩效自评数据.ods", _csv_sheets(RAW_2024))
    ours = clean_year(folder, 2024)
    theirs = clean_year(RAW_2024, 2024)
    assert sorted(ours.tables) == sorted(theirs.tables)
    for name, table in theirs.tables.items():
        left = ours.tables[name].drop(columns=["src_file", "src_sheet"])
        assert left.equals(table.drop(columns=["src_file", "src_sheet"])), name
    assert ours.meta["sources"][0]["file"] == "绩效自评数据.ods"


def test_ods_values_arrive_without_number_formats(tmp_path):
    folder = tmp_path / "2024"
    folder.mkdir()
    rows = [["满意度", "日期", "编号", "名称"], [0.9892, dt.date(2024, 2, 18), "0012", "讲座"]]
    corpus.ods_workbook(folder / "数据.ods", {"活动": rows})
    raw = find_raw_files(folder)
    assert raw.problems == [] and raw.kind == "xlsx"
    sheet = raw.sheets["活动"]
    assert not sheet.formats_known
    assert sheet.rows == [(2, [0.9892, dt.datetime(2024, 2, 18), "0012", "讲座"])]


def test_a_bare_fraction_as_rate_from_a_legacy_file_is_not_guessed(tmp_path):
    """calamine cannot see that 0.9892 was formatted 0.00%: refused, never 「满意度为0.9892%」."""
    folder = tmp_path / "2024"
    folder.mkdir()
    sheets = _csv_sheets(RAW_2024)
    sheets["满意度"] = [
        ["调查", "样本数", "满意数", "满意度（%）"],
        ["读者调查", None, None, 0.9892],
    ]
    corpus.ods_workbook(folder / "数据.ods", sheets)
    with pytest.raises(InputError) as info:
        clean_year(folder, 2024)
    found = [p for p in info.value.problems if p.sheet == "满意度"]
    assert len(found) == 1, [str(p) for p in info.value.problems]
    (p,) = found
    assert (p.file, p.row, p.column) == ("数据.ods", 2, "满意度（%）")
    assert "98.92%" in p.message and "另存为 .xlsx" in p.expected


def test_xls_merged_cells_are_reported(tmp_path):
    folder = tmp_path / "2024"
    folder.mkdir()
    shutil.copy(FIXTURES / "legacy_src.xls", folder / "旧表.xls")
    raw = find_raw_files(folder)
    assert [(p.code, p.sheet, p.row) for p in raw.problems] == [("merged_cells", "活动", 3)]
    assert raw.sheets["活动"].unreadable
    assert raw.digests["旧表.xls"]  # the bytes the child parsed, hashed once
