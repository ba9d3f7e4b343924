"""What reading a raw file yields: sheets of trimmed headers and rows with Excel row numbers,
whose cells hold str, int, float, bool, datetime, or one of the two value types the cleaner must
tell apart from a plain number: `Percent` (what a percent format shows) and `BadCell` (a cell the
reader has already reported)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selfeval.errors import Problem

if TYPE_CHECKING:  # grid builds on this module's blank rule; only the annotation needs it
    from selfeval.read.grid import Grid

TRIM_CHARS = " \t\r\n\u3000\u00a0\ufeff"


@dataclass(frozen=True)
class ReadProblem(Problem):
    """A reader's `Problem` with a stable machine-readable ``code`` (tests, the contract doc)."""

    code: str = ""


@dataclass(frozen=True, slots=True)
class Percent:
    """A number shown as a percentage: ``0.9892`` formatted ``0.00%`` -> ``Percent(98.92, 2)``.

    Excel stores 98.92% as 0.9892; only the cell's number format says it is a percentage, so a
    reader that drops the format makes 「满意度为0.9892%」 out of it. ``value`` is in percentage
    points, from the stored number at Excel's 15 significant digits (it may have more digits
    than shown when a formula computed it); ``decimals`` is how many the format shows.
    ``str()`` is the text Excel displays.
    """

    value: Decimal
    decimals: int

    def __str__(self) -> str:
        return f"{self.value:.{self.decimals}f}%"


@dataclass(frozen=True, slots=True)
class BadCell:
    """A cell whose value the reader could not accept (its place in the row is kept).

    ``raw`` is its stored text (shortened), ``code`` the reader's problem code. Without
    ``pending`` the reader has already reported it; with it, the reader left the report to the
    cleaner, which adds ``pending`` when the contract uses the column (a value a clerk can type
    in Excel, such as a 20-digit number, should not fail a year from a column nobody reads).
    Either way the cleaner treats the cell as filled but unusable: never 「不能为空」, never a
    second message.
    """

    raw: str
    code: str
    pending: ReadProblem | None = None

    def __str__(self) -> str:
        return self.raw


@dataclass
class RawSheet:
    """One sheet as read: trimmed headers and data rows with their Excel row numbers."""

    file: str
    sheet: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row_blank: bool = False
    unreadable: bool = False
    #: False where the format cannot show number formats (.xls/.xlsb/.ods through calamine):
    #: a percent cell then arrives as the bare fraction (0.9892 for 98.92%).
    formats_known: bool = True
    #: Merged ranges ("A1:F1"), kept only when the reader was asked to (``keep_merged``): a
    #: published table (决算, 申报表) is laid out with them, the unit's own sheets may not be.
    merges: tuple[str, ...] = ()


@dataclass
class RawInput:
    """A year's raw input: sheets by (trimmed) name, the source files, and file-level problems."""

    kind: str  # "xlsx" (one workbook: .xlsx/.xlsm, or .xls/.xlsb/.ods) | "csv" | ""
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    #: File name -> SHA-256 of the very bytes that were parsed (each file is read once).
    digests: dict[str, str] = field(default_factory=dict)
    #: Workbooks recognised as tables the unit already has in a published layout (its 决算
    #: tables, its 绩效目标申报表), by kind (`selfeval.read.published.RECOGNISERS`): their
    #: sheets as laid out, merged cells kept; they never enter `sheets`.
    published: dict[str, list[Grid]] = field(default_factory=dict)


def trim_name(name: str) -> str:
    """Sheet or header name without surrounding (also full-width) spaces."""
    return str(name).strip(TRIM_CHARS)


def is_blank(value: Any) -> bool:
    """A cell that holds nothing but whitespace (full-width and no-break spaces, a BOM): every
    reader (xlsx, legacy formats, CSV) drops such rows and headers by this one rule."""
    return value is None or (isinstance(value, str) and value.strip(TRIM_CHARS) == "")


def split_rows(sheet_file: str, sheet: str, matrix: list[tuple[int, list[Any]]]) -> RawSheet:
    """Header = first row (Excel row 1); blank rows are dropped, numbering kept."""
    header_row_blank = True  # until a non-blank row 1 is seen
    headers: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, values in matrix:
        if number == 1:
            headers = ["" if is_blank(v) else trim_name(v) for v in values]
            header_row_blank = all(h == "" for h in headers)
            continue
        if all(is_blank(v) for v in values):
            continue
        rows.append((number, list(values)))
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    rows = [(n, (v + [None] * width)[:width] if len(v) < width else v) for n, v in rows]
    return RawSheet(sheet_file, sheet, headers, rows, header_row_blank)
