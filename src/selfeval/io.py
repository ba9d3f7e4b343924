"""File I/O at the edges: reading a year's raw input (xlsx or CSV) and the processed tables."""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from selfeval.errors import Problem, problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
TRIM_CHARS = " \t\r\n\u3000\u00a0\ufeff"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass
class RawSheet:
    """One sheet as read: trimmed headers and data rows with their Excel row numbers."""

    file: str
    sheet: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row_blank: bool = False
    unreadable: bool = False


@dataclass
class RawInput:
    """A year's raw input: sheets by (trimmed) name, the source files, and file-level problems."""

    kind: str  # "xlsx" | "csv" | ""
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def trim_name(name: str) -> str:
    """Sheet or header name without surrounding (also full-width) spaces."""
    return str(name).strip(TRIM_CHARS)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip(TRIM_CHARS) == "")


def _split_rows(sheet_file: str, sheet: str, matrix: list[tuple[int, list[Any]]]) -> RawSheet:
    """Header = first row (Excel row 1); blank rows are dropped, numbering kept."""
    header_row_blank = False
    headers: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, values in matrix:
        if number == 1:
            headers = ["" if _is_blank(v) else trim_name(v) for v in values]
            header_row_blank = all(h == "" for h in headers)
            continue
        if all(_is_blank(v) for v in values):
            continue
        rows.append((number, list(values)))
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    rows = [(n, (v + [None] * width)[:width] if len(v) < width else v) for n, v in rows]
    return RawSheet(sheet_file, sheet, headers, rows, header_row_blank)


# ---------------------------------------------------------------- raw: discovery


def find_raw_files(raw_dir: Path) -> RawInput:
    """Decide whether a year folder holds one workbook or CSVs, and read it."""
    raw_dir = Path(raw_dir)
    result = RawInput(kind="")
    folder = raw_dir.name
    if not raw_dir.is_dir():
        result.problems.append(
            problem(folder, None, None, None, f"找不到年度数据目录 {raw_dir}", show_value=False)
        )
        return result
    workbooks: list[Path] = []
    csvs: list[Path] = []
    for entry in sorted(raw_dir.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")) or not entry.is_file():
            continue
        suffix = entry.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            workbooks.append(entry)
        elif suffix == ".csv":
            csvs.append(entry)
        elif suffix == ".xls":
            result.problems.append(
                problem(
                    name,
                    None,
                    None,
                    None,
                    "是旧版 .xls 格式，无法读取",
                    expected="请在 Excel 中另存为 .xlsx 工作簿",
                )
            )
        else:
            result.ignored.append(name)
    if workbooks and csvs:
        names = "、".join(p.name for p in workbooks + csvs)
        result.problems.append(
            problem(
                folder,
                None,
                None,
                None,
                f"目录中同时有工作簿和 CSV 文件（{names}）",
                expected="只保留一个 .xlsx 工作簿，或只保留每张表一个 CSV 文件",
            )
        )
        return result
    if len(workbooks) > 1:
        names = "、".join(p.name for p in workbooks)
        result.problems.append(
            problem(
                folder,
                None,
                None,
                None,
                f"目录中有多个工作簿（{names}）",
                expected="每个年度目录只放一个 .xlsx 工作簿",
            )
        )
        return result
    if not workbooks and not csvs:
        if not result.problems:
            result.problems.append(
                problem(
                    folder,
                    None,
                    None,
                    None,
                    "目录中没有数据文件",
                    expected="一个 .xlsx 工作簿，或每张表一个 <表名>.csv 文件",
                )
            )
        return result
    if workbooks:
        result.kind = "xlsx"
        result.files = workbooks
        read_workbook(workbooks[0], result)
    else:
        result.kind = "csv"
        result.files = csvs
        for path in csvs:
            read_csv_sheet(path, result)
    return result


# ---------------------------------------------------------------- raw: CSV


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: strict UTF-8 (BOM stripped) first, then GB18030; returns (text, enc)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def read_csv_sheet(path: Path, into: RawInput) -> None:
    """Read one ``<sheet>.csv`` into ``into.sheets`` (problems into ``into.problems``)."""
    name = path.name
    sheet = trim_name(path.stem)
    try:
        text, _enc = decode_csv_bytes(path.read_bytes())
    except UnicodeDecodeError:
        into.problems.append(
            problem(
                name,
                sheet,
                None,
                None,
                "无法识别文件编码",
                expected="UTF-8、带 BOM 的 UTF-8 或 GB18030（Excel 中文版另存的 CSV）",
            )
        )
        return
    # Mixed line endings (\r\n, \n, lone \r) all end a record.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        records = list(csv.reader(_io.StringIO(text)))
    except csv.Error as exc:
        into.problems.append(
            problem(name, sheet, None, None, f"CSV 格式错误：{exc}", expected="标准逗号分隔文件")
        )
        return
    matrix = [(i + 1, [None if v == "" else v for v in rec]) for i, rec in enumerate(records)]
    if sheet in into.sheets:
        into.problems.append(
            problem(name, sheet, None, None, "与另一个文件对应同一张表（文件名去掉空格后相同）")
        )
        return
    into.sheets[sheet] = _split_rows(name, sheet, matrix)


# ---------------------------------------------------------------- raw: xlsx


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> XML member path, from workbook.xml and its relationships."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{ns_pkg}Relationship")}
    out = {}
    for sh in wb.iter(f"{ns_main}sheet"):
        target = targets.get(sh.get(f"{ns_rel}id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[sh.get("name", "")] = target
    return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def read_workbook(path: Path, into: RawInput) -> None:
    """Read every sheet of a workbook (cached values of formulas, never evaluated)."""
    import openpyxl  # imported here: CSV-only years do not pay for it

    name = path.name
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC[:4]):
        into.problems.append(
            problem(
                name,
                None,
                None,
                None,
                "是加密（设有打开密码）的工作簿或旧版 Excel 文件，无法读取",
                expected="取消密码保护并另存为普通 .xlsx 工作簿",
            )
        )
        return
    if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
        into.problems.append(
            problem(
                name,
                None,
                None,
                None,
                "不是有效的 .xlsx 工作簿（文件已损坏或格式不对）",
                expected="用 Excel 重新另存为 .xlsx",
            )
        )
        return
    try:
        with zipfile.ZipFile(path) as zf:
            paths = _sheet_paths(zf)
            xml_flags = {}
            for title, member in paths.items():
                try:
                    data = zf.read(member)
                except KeyError:
                    continue
                merges = [m.groups() for m in _MERGE.finditer(data)]
                xml_flags[title] = (merges, bool(_FORMULA.search(data)))
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken packages
        into.problems.append(
            problem(
                name,
                None,
                None,
                None,
                f"不是有效的 .xlsx 工作簿（文件已损坏：{type(exc).__name__}）",
                expected="用 Excel 重新另存为 .xlsx",
            )
        )
        return
    formula_sheets = []
    try:
        for ws in wb.worksheets:
            title = ws.title
            sheet = trim_name(title)
            merges, has_formula = xml_flags.get(title, ([], False))
            problems = _merge_problems(name, sheet, merges)
            if problems:
                into.problems.extend(problems)
                into.sheets[sheet] = RawSheet(name, sheet, [], [], unreadable=True)
                continue
            matrix = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                matrix.append((number, list(values)))
            if sheet in into.sheets:
                into.problems.append(
                    problem(name, sheet, None, None, "有两张工作表名称去掉空格后相同")
                )
                continue
            into.sheets[sheet] = _split_rows(name, sheet, matrix)
            if has_formula:
                formula_sheets.append(title)
    finally:
        wb.close()
    if formula_sheets:
        _check_formula_cache(path, formula_sheets, into)


def _merge_problems(name: str, sheet: str, merges: list[tuple]) -> list[Problem]:
    out = []
    for c1, r1, c2, r2 in merges:
        ref = f"{c1.decode()}{r1.decode()}" + (f":{c2.decode()}{r2.decode()}" if c2 else "")
        if int(r1) == 1:
            msg = f"表头有合并单元格（{ref}）"
            expected = "表头只占第1行，每列一个标题，不合并单元格"
        else:
            msg = f"有合并单元格（{ref}），合并后只有第一个单元格有值"
            expected = "取消合并，每个单元格分别填写"
        out.append(problem(name, sheet, int(r1), None, msg, expected=expected))
    return out


def _check_formula_cache(path: Path, titles: list[str], into: RawInput) -> None:
    """A formula cell whose file holds no cached result is an error naming the cell."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for title in titles:
            sheet = trim_name(title)
            raw = into.sheets.get(sheet)
            cached = {n: v for n, v in raw.rows} if raw else {}
            for row in wb[title].iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if not (isinstance(value, str) and value.startswith("=")):
                        continue
                    number = cell.row
                    idx = cell.column - 1
                    got = None
                    if number == 1 and raw:
                        got = raw.headers[idx] if idx < len(raw.headers) else None
                        got = got or None
                    elif number in cached and idx < len(cached[number]):
                        got = cached[number][idx]
                    if got is None:
                        col = raw.headers[idx] if raw and idx < len(raw.headers) else None
                        into.problems.append(
                            problem(
                                path.name,
                                sheet,
                                number,
                                col or None,
                                f"单元格 {cell.coordinate} 是公式 {value}，"
                                "但文件中没有保存计算结果",
                                expected="在 Excel 中打开并保存一次，或把公式改为数值",
                            )
                        )
    finally:
        wb.close()


# ---------------------------------------------------------------- processed tables


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_json(data: Any, path: Path) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
        encoding="utf-8",
    )


def write_processed(result: Any, out_dir: Path) -> Path:
    """Validate the tables against the pandera models and replace ``out_dir`` atomically.

    The tables are written to a temporary sibling folder which is renamed into place only after
    everything was written; on any failure ``out_dir`` is left untouched.
    """
    from selfeval.schema import PROCESSED

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        for table, frame in result.tables.items():
            schema = PROCESSED.get(table)
            if schema is not None:
                schema.validate(frame, lazy=True)
            frame.to_parquet(tmp / f"{table}.parquet", index=False)
        _dump_json(result.checks, tmp / "checks.json")
        _dump_json(result.meta, tmp / "meta.json")
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def read_processed(directory: Path) -> dict[str, Any]:
    """Every ``<table>.parquet`` of a processed year, by table name."""
    import pandas as pd

    directory = Path(directory)
    return {p.stem: pd.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}


def read_json(directory: Path, name: str) -> dict:
    """``checks.json`` or ``meta.json`` of a processed year (name without extension)."""
    return json.loads((Path(directory) / f"{name}.json").read_text(encoding="utf-8"))
