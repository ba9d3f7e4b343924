"""File I/O at the edges: reading a year's raw input (xlsx or CSV) and the processed tables."""

from __future__ import annotations

import csv
import datetime as _dt
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

from selfeval.errors import Problem, StageOrderError, problem

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
    header_row_blank = True  # until a non-blank row 1 is seen
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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 and tab-separated, not a CSV.
        raise UnicodeDecodeError("utf-16", data[:2], 0, 2, "UTF-16 text, not CSV")
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
    except UnicodeDecodeError as exc:
        utf16 = exc.encoding == "utf-16"
        into.problems.append(
            problem(
                name,
                sheet,
                None,
                None,
                "是 UTF-16 编码的 Unicode 文本，不是 CSV" if utf16 else "无法识别文件编码",
                expected="UTF-8、带 BOM 的 UTF-8 或 GB18030（Excel 中文版另存的 CSV）",
            )
        )
        return
    # Mixed line endings (\r\n, \n, lone \r) all end a record.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        first = text.split("\n", 1)[0]
        # Excel's "text (tab delimited)" saved under a .csv name is read as such.
        delimiter = "\t" if "\t" in first and "," not in first else ","
        records = list(csv.reader(_io.StringIO(text), delimiter=delimiter))
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


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> XML member path, from workbook.xml and its relationships.

    Namespace-agnostic, so that transitional and strict OOXML files both read.
    """
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    out = {}
    for sh in wb.iter():
        if _local(sh.tag) != "sheet":
            continue
        rid = next((v for k, v in sh.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        if not target:
            continue
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[sh.get("name", "")] = target
    return out


def _col_index(ref: str) -> int:
    """0-based column index of a cell reference such as ``AB12``."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + (ord(ch) - 64)
        else:
            break
    return n - 1


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        stream = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    with stream:
        for _event, elem in ElementTree.iterparse(stream, events=("end",)):
            tag = elem.tag.rpartition("}")[2]
            if tag == "si":
                parts = []
                for child in elem:
                    ctag = child.tag.rpartition("}")[2]
                    if ctag == "t":
                        parts.append(child.text or "")
                    elif ctag == "r":  # rich-text run; phonetic runs (rPh) are skipped
                        parts.extend(t.text or "" for t in child if t.tag.endswith("}t"))
                out.append("".join(parts))
                elem.clear()
    return out


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of cell formats (``s`` attribute) that display a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    try:
        root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {}
    for elem in root.iter():
        if elem.tag.endswith("}numFmt"):
            custom[int(elem.get("numFmtId", "0"))] = elem.get("formatCode", "")
    dates = set()
    for elem in root.iter():
        if elem.tag.endswith("}cellXfs"):
            for idx, xf in enumerate(x for x in elem if x.tag.endswith("}xf")):
                fmt_id = int(xf.get("numFmtId", "0"))
                code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
                if code and is_date_format(code):
                    dates.add(idx)
    return dates


def _date1904(zf: zipfile.ZipFile) -> bool:
    try:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    except KeyError:
        return False
    for elem in root.iter():
        if elem.tag.endswith("}workbookPr"):
            return elem.get("date1904", "0").lower() in ("1", "true")
    return False


#: Elements of the main spreadsheet namespace that come before or inside the cell data.
_MAIN_ELEMENTS = frozenset(
    [
        "sheetPr",
        "tabColor",
        "outlinePr",
        "pageSetUpPr",
        "dimension",
        "sheetViews",
        "sheetView",
        "selection",
        "pane",
        "sheetFormatPr",
        "cols",
        "col",
        "sheetData",
        "row",
        "c",
        "v",
        "f",
        "is",
        "t",
    ]
)


@dataclass
class _ParsedSheet:
    rows: list[tuple[int, list[Any]]]
    merges: list[str]
    missing_cache: list[tuple[int, int, str, str]]  # row, column index, reference, formula


def _parse_sheet(stream: Any, shared: list[str], date_styles: set[int], epoch: Any) -> _ParsedSheet:
    """Stream one worksheet XML: values (cached results of formulas), merged ranges."""
    from openpyxl.utils.datetime import from_excel

    rows: list[tuple[int, list[Any]]] = []
    merges: list[str] = []
    missing: list[tuple[int, int, str, str]] = []
    ns = None
    t_c = t_row = t_v = t_f = t_t = t_merge = ""
    cells: dict[int, Any] = {}
    col_cache: dict[str, int] = {}
    row_number = 0
    col_pos = -1
    for _event, elem in ElementTree.iterparse(stream, events=("end",)):
        tag = elem.tag
        if ns is None and _local(tag) in _MAIN_ELEMENTS:
            ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
            t_c, t_row, t_v, t_f = ns + "c", ns + "row", ns + "v", ns + "f"
            t_t, t_merge = ns + "t", ns + "mergeCell"
        if tag == t_c:
            ref = elem.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col_pos = col_cache.get(letters, -1)
                if col_pos < 0:
                    col_pos = col_cache[letters] = _col_index(letters)
            else:
                col_pos += 1
            kind = elem.get("t", "n")
            raw = None
            f_elem = None
            for child in elem:
                ctag = child.tag
                if ctag == t_v:
                    raw = child.text
                elif ctag == t_f:
                    f_elem = child
            if kind == "s":
                value: Any = shared[int(raw)] if raw is not None else None
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in elem.iter(t_t))
            elif kind == "b":
                value = None if raw is None else raw.strip() in ("1", "true")
            elif kind in ("str", "e"):
                value = raw
            elif kind == "d":
                value = None if raw is None else _dt.datetime.fromisoformat(raw)
            elif raw is None:
                value = None
            else:
                number = float(raw)
                style = elem.get("s") if date_styles else None
                if style is not None and int(style) in date_styles:
                    value = from_excel(number, epoch)
                elif number.is_integer() and abs(number) < 1e15:
                    value = int(number)
                else:
                    value = number
            if f_elem is not None and raw is None and kind != "inlineStr":
                missing.append((-1, col_pos, ref or "", f_elem.text or ""))  # row set below
            if value is not None:
                cells[col_pos] = value
            elem.clear()
        elif tag == t_row:
            r = elem.get("r")
            row_number = int(r) if r else row_number + 1
            if missing and missing[-1][0] == -1:
                missing[:] = [(row_number if m[0] == -1 else m[0], *m[1:]) for m in missing]
            if cells:
                width = max(cells) + 1
                values = [None] * width
                for idx, value in cells.items():
                    values[idx] = value
                rows.append((row_number, values))
            cells = {}
            col_pos = -1
            elem.clear()
        elif tag == t_merge:
            merges.append(elem.get("ref", ""))
    return _ParsedSheet(rows, merges, missing)


def read_workbook(path: Path, into: RawInput) -> None:
    """Read every sheet of a workbook by streaming its XML (cached formula results, never
    evaluated); per-cell work stays small so that large activity sheets read quickly."""
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
    broken = problem(
        name,
        None,
        None,
        None,
        "不是有效的 .xlsx 工作簿（文件已损坏或格式不对）",
        expected="用 Excel 重新另存为 .xlsx",
    )
    if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
        into.problems.append(broken)
        return
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    parsed: list[tuple[str, _ParsedSheet]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            paths = _sheet_paths(zf)
            if not paths:
                into.problems.append(broken)
                return
            shared = _shared_strings(zf)
            date_styles = _date_styles(zf)
            epoch = MAC_EPOCH if _date1904(zf) else WINDOWS_EPOCH
            for title, member in paths.items():
                with zf.open(member) as stream:
                    parsed.append((title, _parse_sheet(stream, shared, date_styles, epoch)))
    except (
        zipfile.BadZipFile,
        KeyError,
        ElementTree.ParseError,
        ValueError,
        IndexError,
        OSError,
        EOFError,
    ) as exc:
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
    for title, sheet_data in parsed:
        sheet = trim_name(title)
        if sheet in into.sheets:
            into.problems.append(problem(name, sheet, None, None, "有两张工作表名称去掉空格后相同"))
            continue
        merge_problems = _merge_problems(name, sheet, sheet_data.merges)
        if merge_problems:
            into.problems.extend(merge_problems)
            into.sheets[sheet] = RawSheet(name, sheet, [], [], unreadable=True)
            continue
        raw = _split_rows(name, sheet, sheet_data.rows)
        into.sheets[sheet] = raw
        for number, idx, ref, formula in sheet_data.missing_cache:
            column = raw.headers[idx] if idx < len(raw.headers) and number != 1 else None
            into.problems.append(
                problem(
                    name,
                    sheet,
                    number,
                    column or None,
                    f"单元格 {ref} 是公式 {'=' + formula if formula else '（共享公式）'}，"
                    "但文件中没有保存计算结果",
                    expected="在 Excel 中打开并保存一次，或把公式改为数值",
                )
            )


def _merge_problems(name: str, sheet: str, merges: list[str]) -> list[Problem]:
    out = []
    for ref in merges:
        m = _CELL_REF.match(ref.split(":")[0])
        first_row = int(m.group(2)) if m else None
        if first_row == 1:
            msg = f"表头有合并单元格（{ref}）"
            expected = "表头只占第1行，每列一个标题，不合并单元格"
        else:
            msg = f"有合并单元格（{ref}），合并后只有第一个单元格有值"
            expected = "取消合并，每个单元格分别填写"
        out.append(problem(name, sheet, first_row, None, msg, expected=expected))
    return out


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
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would hide the year from colleagues
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
        try:
            os.replace(tmp, out_dir)
        except BaseException:
            if old is not None:
                os.replace(old, out_dir)  # put the previous year back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def require_cleaned(directory: Path) -> Path:
    """`directory` if it holds a cleaned year (its meta.json), else a StageOrderError saying
    what to run first."""
    directory = Path(directory)
    if not (directory / "meta.json").is_file():
        year = directory.name if re.fullmatch(r"\d{4}", directory.name) else "该"
        target = f" YEARS={year}" if year != "该" else ""
        raise StageOrderError(
            f"{year} 年度还没有清洗结果（{directory} 中没有 meta.json）。"
            "请先运行 notebooks/01_clean.ipynb（参数 year 相同），"
            f"或在终端运行 make report{target}。"
            f" / year not cleaned yet: run 01_clean first"
        )
    return directory


def read_processed(directory: Path) -> dict[str, Any]:
    """Every ``<table>.parquet`` of a processed year, by table name."""
    import pandas as pd

    directory = require_cleaned(directory)
    return {p.stem: pd.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}


def read_json(directory: Path, name: str) -> dict:
    """``checks.json`` or ``meta.json`` of a processed year (name without extension)."""
    return json.loads((require_cleaned(directory) / f"{name}.json").read_text(encoding="utf-8"))
