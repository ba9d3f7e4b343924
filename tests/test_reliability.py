"""Reliability (issue 6): bad inputs analysts really produce, and faults during a batch.

Input tests run `selfeval.clean.clean_year` on real files written here (openpyxl workbooks, CSV
bytes). Fault tests run `python -m selfeval build` as a real subprocess on a temporary project
(SELFEVAL_ROOT) and hurt it with real signals, a failing year and a read-only output folder.
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from selfeval import clean, synthetic
from selfeval.errors import InputError

REPO = Path(__file__).resolve().parents[1]
RAW_2024 = REPO / "data" / "raw" / "2024"


# ---------------------------------------------------------------------------------------------
# Helpers: the 2024 data as an analyst's workbook


def _cell(text: str):
    """A CSV text as Excel would hold it after typing: numbers become numbers."""
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _csv_rows(path: Path) -> list[list]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [[_cell(v) for v in row] for row in csv.reader(fh)]


def workbook_from_csvs(
    src: Path, dest: Path, rename: dict[str, str] | None = None, *, blank_first_row: str = ""
) -> Path:
    """Write the CSV sheets of `src` as one .xlsx in folder `dest`; returns the workbook path."""
    rename = rename or {}
    wb = Workbook()
    wb.remove(wb.active)
    for path in sorted(src.glob("*.csv")):
        ws = wb.create_sheet(rename.get(path.stem, path.stem))
        if path.stem == blank_first_row:
            ws.append([])
        for row in _csv_rows(path):
            ws.append(row)
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / "绩效自评数据.xlsx"
    wb.save(out)
    return out


def _frames_equal(a, b, ignore=("src_file", "src_sheet")) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        left = a.tables[name].drop(columns=[c for c in ignore if c in a.tables[name]])
        right = b.tables[name].drop(columns=[c for c in ignore if c in b.tables[name]])
        assert left.equals(right), name


@pytest.fixture(scope="module")
def baseline():
    """The 2024 CSVs as committed, cleaned."""
    return clean.clean_year(RAW_2024, 2024)


# ---------------------------------------------------------------------------------------------
# Workbooks: formulas, merged headers, blank first row, sheet names with spaces


def _set_formula(xlsx: Path, sheet_title: str, ref: str, formula: str, cached: str | None):
    """Turn cell `ref` of one sheet into `formula`, with `cached` as Excel's stored result."""
    with zipfile.ZipFile(xlsx) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    wb = load_workbook(xlsx, read_only=True)
    index = wb.sheetnames.index(sheet_title) + 1
    wb.close()
    member = f"xl/worksheets/sheet{index}.xml"
    xml = members[member].decode("utf-8")
    pattern = re.compile(rf'<c r="{ref}"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
    assert pattern.search(xml), f"{ref} not found in {member}"
    value = f"<v>{cached}</v>" if cached is not None else ""
    attrs = re.sub(r'\s*t="[^"]*"', "", pattern.search(xml).group(1))
    xml = pattern.sub(f'<c r="{ref}"{attrs}><f>{formula}</f>{value}</c>', xml, count=1)
    members[member] = xml.encode("utf-8")
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _cell_ref(xlsx: Path, sheet: str, row_label: str, header_prefix: str) -> str:
    wb = load_workbook(xlsx)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(headers) if h and str(h).startswith(header_prefix))
    for row in ws.iter_rows(min_row=2):
        if row_label in [c.value for c in row]:
            return row[col].coordinate
    raise AssertionError(f"{row_label} not in {sheet}")


def test_workbook_of_the_2024_data_cleans_like_the_csvs(tmp_path, baseline) -> None:
    workbook_from_csvs(RAW_2024, tmp_path / "2024")
    result = clean.clean_year(tmp_path / "2024", 2024)
    _frames_equal(result, baseline)


def test_formulas_read_cached_values_never_evaluated(tmp_path, baseline) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    ref = _cell_ref(xlsx, "支出", "人员支出", "执行数")
    # The stored result is what Excel showed; evaluating the formula would give 2.
    _set_formula(xlsx, "支出", ref, "1+1", "63.44")
    assert load_workbook(xlsx)["支出"][ref].value == "=1+1"
    result = clean.clean_year(tmp_path / "2024", 2024)
    spending = result.tables["spending"]
    staff = spending.loc[spending["item"] == "人员支出", "actual"]
    assert staff.tolist() == [63.44]
    _frames_equal(result, baseline)


def test_formula_without_cached_value_is_a_clear_error(tmp_path) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    ref = _cell_ref(xlsx, "支出", "人员支出", "执行数")
    _set_formula(xlsx, "支出", ref, "SUM(1,2)", None)  # as openpyxl or a script leaves it
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    text = str(info.value)
    assert "支出" in text and ref in text and "公式" in text


def test_merged_header_cells_name_the_sheet(tmp_path) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    wb = load_workbook(xlsx)
    wb["活动"].merge_cells("H1:I1")  # "参与人次" spread over 线下/线上, as people lay it out
    wb.save(xlsx)
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    problems = [p for p in info.value.problems if p.sheet == "活动"]
    assert problems, str(info.value)
    assert "合并" in str(problems[0]) and "H1:I1" in str(problems[0])
    assert "工作表「活动」" in str(info.value)


def test_blank_first_row_names_the_sheet(tmp_path) -> None:
    workbook_from_csvs(RAW_2024, tmp_path / "2024", blank_first_row="支出")
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    problems = info.value.problems
    assert [p.sheet for p in problems] == ["支出"], str(info.value)
    assert problems[0].row == 1 and "表头" in str(problems[0])
    assert "工作表「支出」" in str(info.value)


def test_sheet_names_with_trailing_spaces(tmp_path, baseline) -> None:
    workbook_from_csvs(
        RAW_2024, tmp_path / "2024", rename={"活动": "活动 ", "支出": "支出\u3000", "馆藏": " 馆藏"}
    )
    result = clean.clean_year(tmp_path / "2024", 2024)
    _frames_equal(result, baseline)
    assert set(result.tables["activities"]["src_sheet"]) == {"活动"}


def test_csv_file_names_with_trailing_spaces(tmp_path, baseline) -> None:
    dest = tmp_path / "2024"
    dest.mkdir()
    for path in RAW_2024.glob("*.csv"):
        name = f"{path.stem} .csv" if path.stem in ("活动", "支出") else path.name
        shutil.copyfile(path, dest / name)
    _frames_equal(clean.clean_year(dest, 2024), baseline)


# ---------------------------------------------------------------------------------------------
# CSV line endings


def test_csv_with_mixed_line_endings(tmp_path, baseline) -> None:
    dest = tmp_path / "2024"
    shutil.copytree(RAW_2024, dest)
    for path in dest.glob("*.csv"):
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
        endings = [b"\r\n", b"\n", b"\r"]
        data = b"".join(
            line.encode("utf-8") + endings[i % 3] for i, line in enumerate(lines) if line
        )
        path.write_bytes(b"\xef\xbb\xbf" + data)
    activities = (dest / "活动.csv").read_bytes()
    assert b"\r\n" in activities and re.search(rb"[^\r]\n", activities)
    assert re.search(rb"\r[^\n]", activities)
    _frames_equal(clean.clean_year(dest, 2024), baseline, ignore=())


# ---------------------------------------------------------------------------------------------
# A large workbook: ~10 MB, 20,000 activity rows, cleaned in a separate process

_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def write_large_workbook(dest: Path, year: int, rows: int, text_chars: int) -> Path:
    """A synthetic year as one workbook, its 活动 sheet `rows` long with long free text."""
    synthetic.write_synthetic_years(dest, [year], activities_per_year=rows, fmt="csv")
    folder = dest / str(year)
    rng = random.Random(year)
    wb = Workbook(write_only=True)
    for path in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if year % 2 == 0 else data.decode("gb18030")
        records = list(csv.reader(text.splitlines()))
        header = records[0]
        long_cols = {i for i, h in enumerate(header) if h in ("成效", "说明")}
        ws.append(header)
        for record in records[1:]:
            if path.stem == "活动":
                record = [
                    "".join(rng.choices(_HAN, k=text_chars)) if i in long_cols else v
                    for i, v in enumerate(record)
                ]
            ws.append([_cell(v) for v in record])
        path.unlink()
    out = folder / "大数据量.xlsx"
    wb.save(out)
    return out


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    t0 = time.perf_counter()
    from selfeval import clean
    result = clean.clean_year(Path(sys.argv[1]), int(sys.argv[2]))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak,
                      "activities": len(result.tables["activities"])}))
    """
)


@pytest.mark.slow
def test_ten_megabyte_workbook_with_20000_activities(tmp_path) -> None:
    xlsx = write_large_workbook(tmp_path, 2031, rows=20_000, text_chars=110)
    size_mb = xlsx.stat().st_size / 1e6
    assert size_mb > 9, size_mb
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(xlsx.parent), "2031"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["activities"] >= 20_000
    # Bounded memory: far below what loading the workbook several times over would take.
    assert figures["peak_mb"] < 2048, figures
    print(f"\n大工作簿 {size_mb:.1f} MB, {figures}")
