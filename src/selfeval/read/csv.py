"""CSV files as finance staff save them: UTF-8 (with or without BOM) or GB18030, comma or tab.

Bounded like the workbooks (`selfeval.contract.limits`): file size (checked before reading),
lines and cells (counted before parsing, so that one enormous row cannot be built), data rows,
and each cell's text. A limit hit, a field the csv module refuses, or an undecodable file is one
problem naming the file (and row); the sheet is then marked unreadable, so that the cleaner does
not add a contradictory 「缺少文件」 for a file that is there.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from selfeval.contract.limits import (
    MAX_CELL_TEXT,
    MAX_CELLS,
    MAX_CSV_LINES,
    MAX_CSV_TOTAL_BYTES,
    MAX_PROBLEMS_PER_SHEET,
    MAX_ROWS,
    MiB,
)
from selfeval.errors import problem
from selfeval.read.sheet import BadCell, RawInput, RawSheet, ReadProblem, split_rows, trim_name

_SHRINK = "只保留约定的表、列和数据行（每表不超过 10 万行）"


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


@dataclass
class CsvBudget:
    """What the CSVs of one year have used so far (bytes read, cells kept)."""

    bytes: int = 0
    cells: int = 0


class _Refused(Exception):
    """One CSV cannot be read; carries its single problem."""

    def __init__(self, code: str, message: str, expected: str = "", row: int | None = None):
        super().__init__(message)
        self.code, self.message, self.expected, self.row = code, message, expected, row


def read_csv_bytes(data: bytes, name: str, into: RawInput, budget: CsvBudget | None = None) -> None:
    """Read one ``<sheet>.csv``'s bytes into ``into.sheets`` (problems into ``into.problems``)."""
    budget = budget or CsvBudget()
    sheet = trim_name(name.rsplit(".", 1)[0])
    if sheet in into.sheets:
        into.problems.append(
            problem(name, sheet, None, None, "与另一个文件对应同一张表（文件名去掉空格后相同）")
        )
        return
    cell_problems: list[ReadProblem] = []
    try:
        budget.bytes += len(data)
        if budget.bytes > MAX_CSV_TOTAL_BYTES:
            raise _Refused(
                "total_too_large",
                f"一个年度的 CSV 文件合计超过 {MAX_CSV_TOTAL_BYTES // MiB} MB",
                _SHRINK,
            )
        records = _records(data, name, sheet, budget, cell_problems)
    except _Refused as exc:
        into.problems.append(
            ReadProblem(name, sheet, exc.row, None, None, exc.expected, exc.message, code=exc.code)
        )
        into.sheets[sheet] = RawSheet(name, sheet, [], [], unreadable=True)
        return
    into.problems.extend(cell_problems)
    into.sheets[sheet] = split_rows(name, sheet, records)


def _decode(data: bytes) -> str:
    try:
        text, _enc = decode_csv_bytes(data)
    except UnicodeDecodeError as exc:
        if exc.encoding == "utf-16":
            raise _Refused(
                "bad_encoding",
                "是 UTF-16 编码的 Unicode 文本，不是 CSV",
                "UTF-8、带 BOM 的 UTF-8 或 GB18030（Excel 中文版另存的 CSV）",
            ) from None
        raise _Refused(
            "bad_encoding",
            "无法识别文件编码",
            "UTF-8、带 BOM 的 UTF-8 或 GB18030（Excel 中文版另存的 CSV）",
        ) from None
    # Mixed line endings (\r\n, \n, lone \r) all end a record.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _records(
    data: bytes, name: str, sheet: str, budget: CsvBudget, cell_problems: list[ReadProblem]
) -> list[tuple[int, list[Any]]]:
    """Non-blank records as (Excel-style row number, values), within every limit."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    # Excel's "text (tab delimited)" saved under a .csv name is read as such.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # Counted before parsing: the csv module builds a whole record before we see it, so one
    # line of a million commas must be refused here, not after it has been built.
    lines = text.count("\n")
    if lines > MAX_CSV_LINES:
        raise _Refused("too_many_rows", f"文件超过 {MAX_CSV_LINES:,} 行", _SHRINK)
    if text.count(delimiter) > MAX_CELLS:
        raise _Refused("too_many_cells", f"单元格超过 {MAX_CELLS:,} 个", _SHRINK)
    # The csv module refuses a field over its limit (128 Ki characters) without saying which
    # column; the file is already bounded (MAX_CSV_BYTES), so let any field through and let
    # `_cell` name the column and show the start of the value.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(max(len(text) + 1, MAX_CELL_TEXT + 1))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out: list[tuple[int, list[Any]]] = []
    number = 0
    try:
        for record in reader:
            number += 1
            values = [
                _cell(v, number, i, name, sheet, out, cell_problems) for i, v in enumerate(record)
            ]
            if number > 1 and all(v is None for v in values):
                continue
            out.append((number, values))
            budget.cells += len(values)
            if len(out) > MAX_ROWS + 1:
                raise _Refused("too_many_rows", f"数据行超过 {MAX_ROWS:,} 行", _SHRINK)
            if budget.cells > MAX_CELLS:
                raise _Refused(
                    "too_many_cells", f"一个年度的 CSV 单元格合计超过 {MAX_CELLS:,} 个", _SHRINK
                )
    except csv.Error as exc:
        raise _Refused("csv_error", *_csv_error(exc), row=number + 1) from None
    return out


def _csv_error(exc: csv.Error) -> tuple[str, str]:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"有超过 {csv.field_size_limit():,} 个字符的单元格（单元格文字最多 "
            f"{MAX_CELL_TEXT:,} 个字符）",
            "缩短该单元格的文字",
        )
    if "NUL" in text:
        return "文件中含有空字符（NUL），不是文本文件", "用 Excel 重新另存为 CSV"
    return f"CSV 格式错误：{text}", "标准逗号分隔文件"


def _cell(
    value: str,
    number: int,
    col: int,
    name: str,
    sheet: str,
    out: list[tuple[int, list[Any]]],
    cell_problems: list[ReadProblem],
) -> Any:
    if value == "":
        return None
    if len(value) <= MAX_CELL_TEXT:
        return value
    shown = value[:57] + "…"
    headers = out[0][1] if out and out[0][0] == 1 else []
    header = headers[col] if number > 1 and col < len(headers) else None
    if len(cell_problems) < MAX_PROBLEMS_PER_SHEET:
        cell_problems.append(
            ReadProblem(
                name,
                sheet,
                number,
                trim_name(header) if header else f"第{col + 1}列",
                shown,
                f"不超过 {MAX_CELL_TEXT:,} 个字符",
                f"文字有 {len(value):,} 个字符，超过上限 {MAX_CELL_TEXT:,}",
                has_value=True,
                code="text_too_long",
            )
        )
    return BadCell(shown, "text_too_long")
