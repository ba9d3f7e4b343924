"""CSV files as finance staff save them: UTF-8 (with or without BOM) or GB18030, comma or tab."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from selfeval.errors import problem
from selfeval.read.sheet import RawInput, split_rows, trim_name


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
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
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
    into.sheets[sheet] = split_rows(name, sheet, matrix)
