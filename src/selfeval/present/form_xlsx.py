"""自评表.xlsx: the 绩效自评表 of a year's 报送稿 as a workbook, for the clerk who pastes it
into the finance office's 一体化 system instead of retyping it.

It is written from the very `Table`s of the document (`kind == "scoring"`: the unit's form and
each project's), laid out by the rule pack, so the workbook, report.docx and report.html state
the same facts cell for cell: the same headings, merged cells and column order. A number is a
number (with the decimals the report prints as its number format, a percentage as a
percentage), so a pasted cell sums; a figure the data lacks is blank, as in the 报送稿.

Written with openpyxl (already pinned in requirements.txt: the template and the tests use it):
it writes merged cells, number formats, column widths and the print setup, and its package is
plain XML that `normalize_zip` makes byte-reproducible (fixed member order and timestamps);
the core properties carry the document's date, never the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from selfeval.present.document import Document, Placed, Table
from selfeval.present.docx import normalize_zip
from selfeval.present.formats import NOT_GIVEN
from selfeval.present.layout import text_em
from selfeval.template import set_text_cell

FILE_NAME = "自评表.xlsx"
FONT = "宋体"
#: Excel column width units per character of the table's text: a CJK character is two units.
UNITS_PER_EM = 2.0
#: Points per line of 10.5 pt text, its leading included.
LINE_PT = 15.0
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.(\d+))?")
_PERCENT = re.compile(r"(-?\d+(\.(\d+))?)%")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
#: Digits that are no figure: a leading zero (联系电话 023…, a code) or more than Excel's 15
#: significant digits. As a number Excel would drop the zero or the last digits.
_CODE_LIKE = re.compile(r"0\d+|\d{16,}")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def cell_value(text: str) -> tuple[object, str]:
    """(the value a worksheet cell holds, its number format) for a cell's text as the report
    prints it: 「1,234.50」 → 1234.5 as #,##0.00, 「98.92%」 → 0.9892 as 0.00%, 「10」 → 10 as 0,
    「未填报」 → blank (the 报送稿 leaves what the data lacks blank), digits that are no figure
    (「023…」, 16 digits or more) and anything else as text."""
    if text == NOT_GIVEN or text == "":
        return None, "General"
    if _CODE_LIKE.fullmatch(text):
        return text, "@"
    if m := _NUMBER.fullmatch(text):
        decimals = len(m.group(4) or "")
        number = Decimal(text.replace(",", ""))
        pattern = ("#,##0" if "," in text else "0") + ("." + "0" * decimals if decimals else "")
        return (int(number) if not decimals else float(number)), pattern
    if m := _PERCENT.fullmatch(text):
        decimals = len(m.group(3) or "")
        return float(Decimal(m.group(1)) / 100), "0" + (
            "." + "0" * decimals if decimals else ""
        ) + "%"
    return text, "General"


def _title(caption: str, taken: set[str]) -> str:
    """A sheet's name: the form's title without the year, as Excel allows (31 characters, no
    []:*?/\\, no apostrophe first or last), unique as Excel compares names (ignoring case):
    a project named 「'图书'」 or two named 「Abc」 and 「ABC」 would make Excel repair the file."""
    base = _BAD_TITLE.sub("_", re.sub(r"（\d{4}年度）$", "", caption))[:31].strip("'") or "自评表"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    taken.add(name.casefold())
    return name


def _alignment(placed: Placed, table: Table) -> Alignment:
    if placed.heading:
        horizontal = "center"
    else:
        horizontal = (placed.cell.align or table.columns[placed.col].align).value
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


def _lines(placed: Placed, table: Table) -> int:
    """Lines a one-row cell needs in its columns' width (Excel does not fit merged cells)."""
    if placed.cell.rowspan > 1 or not placed.cell.text:
        return 1
    room = sum(c.width for c in table.columns[placed.col : placed.col + placed.cell.colspan])
    parts = placed.cell.text.split("\n")
    return sum(max(1, math.ceil(text_em(p) / max(room - 1.0, 1.0))) for p in parts)


def _write_table(ws: Worksheet, table: Table) -> None:
    ncols = len(table.columns)
    ws.cell(1, 1, table.caption).font = Font(name=FONT, size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 24
    top = 2  # the table's first row
    lines: dict[int, int] = {}
    for placed in table.grid():
        row, col, cell = top + placed.row, 1 + placed.col, placed.cell
        value, pattern = cell_value(cell.text) if not placed.heading else (cell.text, "General")
        target = ws.cell(row, col)
        set_text_cell(target, value)  # openpyxl takes a text 「=…」 for a formula
        target.number_format = pattern
        bold = placed.heading or cell.bold or table.rows[placed.row].total
        target.font = Font(name=FONT, size=10.5, bold=bold)
        target.alignment = _alignment(placed, table)
        for r in range(row, row + cell.rowspan):
            for c in range(col, col + cell.colspan):
                ws.cell(r, c).border = _BORDER
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + cell.rowspan - 1,
                end_column=col + cell.colspan - 1,
            )
        lines[row] = max(lines.get(row, 1), _lines(placed, table))
    for row, n in lines.items():
        ws.row_dimensions[row].height = LINE_PT * n
    below = top + len(table.rows)
    for note in table.notes:
        set_text_cell(ws.cell(below, 1), note.text)
        ws.cell(below, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(below, 1).font = Font(name=FONT, size=10.5)
        ws.merge_cells(start_row=below, start_column=1, end_row=below, end_column=ncols)
        room = sum(c.width for c in table.columns)
        ws.row_dimensions[below].height = LINE_PT * max(1, math.ceil(text_em(note.text) / room))
        below += 1
    for n, column in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = round(column.width * UNITS_PER_EM, 2)
    _print_setup(ws, top, len(table.header))


def _print_setup(ws: Worksheet, top: int, header_rows: int) -> None:
    """A4 landscape, one page wide, the form's header rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = f"{top}:{top + header_rows - 1}"


def build_xlsx(document: Document) -> bytes:
    """自评表.xlsx of `document`'s 报送稿: a sheet per 自评表, in document order."""
    submitted = document.submitted()
    tables = [t for t in submitted.tables() if t.kind == "scoring"]
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables:
        _write_table(wb.create_sheet(_title(table.caption, taken)), table)
    if not tables:  # a frame without the 自评表: the workbook says so rather than being empty
        wb.create_sheet("自评表").cell(1, 1, "本报告没有绩效自评表。")
    stamp = dt.datetime.combine(document.date, dt.time())
    wb.properties.creator = document.author or None
    wb.properties.title = f"{document.plain_title}：绩效自评表"
    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps `modified` with the clock
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalize_zip(buffer.getvalue())
