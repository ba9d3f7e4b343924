"""xlsx workbooks, read by streaming the sheet XML: cached formula results (never evaluated),
shared strings, date styles; per-cell work kept small so that large activity sheets read quickly.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from selfeval.errors import Problem, problem
from selfeval.read.sheet import RawInput, RawSheet, split_rows, trim_name

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


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


def _parse_sheet(  # noqa: C901, PLR0912, PLR0915 - the per-cell hot loop is inlined for speed
    stream: Any, shared: list[str], date_styles: set[int], epoch: Any
) -> _ParsedSheet:
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
        raw = split_rows(name, sheet, sheet_data.rows)
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
