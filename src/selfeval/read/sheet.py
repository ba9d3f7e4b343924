"""What reading a raw file yields: sheets of trimmed headers and rows with Excel row numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfeval.errors import Problem

TRIM_CHARS = " \t\r\n\u3000\u00a0\ufeff"


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


def split_rows(sheet_file: str, sheet: str, matrix: list[tuple[int, list[Any]]]) -> RawSheet:
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
