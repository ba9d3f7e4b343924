""".xlsx/.xlsm workbooks, read by streaming each part's XML through pyexpat callbacks: no element
tree is built, so memory does not grow with the sheet (and it is faster than iterparse).

* Bounded: every limit of `selfeval.contract.limits` is checked from the zip central directory
  before anything is inflated and again while streaming (bytes really inflated, XML elements,
  longest token), so a hostile file costs seconds and tens of MB and ends as one problem naming
  the file (and sheet).
* What Excel means: a percent format makes a `Percent`, a date format a ``datetime`` (an
  impossible serial such as 20240202 is a located problem), a text format keeps a number as
  text; the zh-CN built-in date formats (ids 27-36, 50-58) are known. Formulas are never
  evaluated: their cached results are read.
* Never raises for bad input: every bad cell is a `ReadProblem` with file, sheet, Excel row,
  column (header, or letter) and value, and the cell holds a `BadCell` so that the cleaner skips
  it without reporting it again.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers import expat

from selfeval.contract.limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    MAX_ABS_NUMBER,
    MAX_CELL_TEXT,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_MERGED_RANGES,
    MAX_META_BYTES,
    MAX_NUMBER_CHARS,
    MAX_PART_BYTES,
    MAX_PROBLEMS_PER_SHEET,
    MAX_ROWS,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    MAX_SHEETS,
    MAX_STYLES,
    MAX_TOKEN_BYTES,
    MAX_TOTAL_BYTES,
    MAX_XML_ELEMENTS,
    MAX_ZIP_ENTRIES,
    RATIO_MIN_BYTES,
    MiB,
)
from selfeval.read.sheet import (
    BadCell,
    Percent,
    RawInput,
    RawSheet,
    ReadProblem,
    is_blank,
    trim_name,
)
from selfeval.read.source import read_source

#: Cell problems a clerk can make in Excel itself (a 20-digit number in a General cell,
#: 20240202 typed into a date cell): left in the `BadCell` for the cleaner, which reports them
#: where the contract uses the column, so that a stray ID number in an ignored column or sheet
#: does not fail the year. Everything else (NaN, 400 digits, a bad shared-string index) is a
#: damaged or crafted file, reported at once.
DEFERRED_CODES = frozenset(["number_too_large", "bad_date"])
CHUNK_BYTES = 64 * 1024
_NAN = float("nan")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"
_RESAVE = "用 Excel 打开并另存为 .xlsx 工作簿"
_SHRINK = "只保留约定的表、列和数据行（每表不超过 10 万行），删除多余内容后用 Excel 另存为 .xlsx"
#: Codes whose problem tells the clerk to shrink the workbook rather than just re-save it.
_SHRINK_CODES = frozenset(
    ["file_too_large", "part_too_large", "total_too_large", "too_many_elements", "too_many_cells",
     "too_many_strings", "too_many_sheets", "too_many_styles", "too_many_entries"]
)  # fmt: skip


def _problem(
    code: str,
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    message: str,
    *,
    expected: str = "",
    value: Any = None,
) -> ReadProblem:
    return ReadProblem(
        file, sheet, row, column, value, expected, message, has_value=value is not None, code=code
    )


class _Fatal(Exception):
    """Stops reading the whole workbook; becomes one problem."""

    def __init__(self, code: str, message: str, expected: str = "", value: Any = None):
        super().__init__(code, message)
        expected = expected or (_SHRINK if code in _SHRINK_CODES else _RESAVE)
        self.code, self.message, self.expected, self.value = code, message, expected, value
        self.sheet: str | None = None

    def problem(self, file: str) -> ReadProblem:
        return _problem(
            self.code,
            file,
            self.sheet,
            None,
            None,
            self.message,
            expected=self.expected,
            value=self.value,
        )


class _SheetFatal(_Fatal):
    """Stops reading one sheet (marked unreadable); the other sheets are read."""


# ---------------------------------------------------------------- number formats

_KIND_DATE = ("date",)
_KIND_TEXT = ("text",)
_BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: "#,##0", 6: "#,##0", 7: "#,##0.00", 8: "#,##0.00",
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    37: "#,##0", 38: "#,##0", 39: "#,##0.00", 40: "#,##0.00",
    41: "#,##0", 42: "#,##0", 43: "#,##0.00", 44: "#,##0.00",
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
    # zh-CN built-ins: Chinese Excel writes these ids without a <numFmt> definition.
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}  # fmt: skip
_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKETS = re.compile(r"\[(?!h+\]|m+\]|s+\])[^\]]*\]", re.IGNORECASE)
_DECIMALS = re.compile(r"\.([0#?]+)")


def classify_format(code: str | None) -> tuple | None:
    """Kind of a number format: ``("date",)``, ``("text",)``, ``("percent", decimals, n%)``, or
    None for a plain number. Only the first section (positive numbers) decides, as in Excel."""
    if not code:
        return None
    section = _first_section(code)
    s = _BRACKETS.sub("", _LITERALS.sub("", section))
    low = s.lower().replace("general", "")
    if re.search(r"[dmyhs]", low) or "上午/下午" in section:
        return _KIND_DATE
    if "@" in s and not re.search(r"[0#?]", s):
        return _KIND_TEXT
    if "%" in s:
        m = _DECIMALS.search(s.split("%", 1)[0])
        return ("percent", len(m.group(1)) if m else 0, s.count("%"))
    return None


def _first_section(code: str) -> str:
    quoted = False
    for i, ch in enumerate(code):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return code[:i]
    return code


# ---------------------------------------------------------------- zip access and budgets


@dataclass
class _Budget:
    """What the workbook has used so far, across all parts."""

    inflated: int = 0
    elements: int = 0
    cells: int = 0


def _check_zip_directory(stream: io.BytesIO) -> None:
    """Entry count from the end-of-central-directory record, before ZipFile parses every entry."""
    end = zipfile._EndRecData(stream)  # private but stable since Python 2; handles zip64
    if end is None:
        raise _Fatal("not_xlsx", "不是有效的 .xlsx 工作簿（文件已损坏：找不到压缩包目录）")
    entries = end[zipfile._ECD_ENTRIES_TOTAL]
    if entries > MAX_ZIP_ENTRIES:
        raise _Fatal(
            "too_many_entries",
            f"压缩包内有 {entries} 个文件，超过上限 {MAX_ZIP_ENTRIES}",
        )


def _check_declared(info: zipfile.ZipInfo, limit: int, sheet: str | None = None) -> None:
    """Limits on the sizes the central directory declares (before inflating); a worksheet's
    part is named by its sheet, as the clerk knows it."""
    size = info.file_size
    part = f"工作表「{sheet}」（{info.filename}）" if sheet else f"「{info.filename}」"
    if size > limit:
        raise _Fatal(
            "part_too_large",
            f"{part}解压后有 {size / MiB:,.0f} MB，超过上限 {limit / MiB:.0f} MB（可能是压缩炸弹）",
        )
    if size > RATIO_MIN_BYTES and size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        ratio = size / max(info.compress_size, 1)
        raise _Fatal(
            "compression_ratio",
            f"{part}的压缩比为 {ratio:,.0f} 倍，超过上限 {MAX_COMPRESSION_RATIO} 倍"
            "（可能是压缩炸弹）",
        )


def _new_parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 65536

    def no_dtd(*_args: Any) -> None:
        raise _Fatal("dtd", "文件中含有 DTD（实体声明），正常的工作簿不会有")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _feed(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    parser: Any,
    progress: Any,
    budget: _Budget,
    limit: int,
) -> None:
    """Stream one member into ``parser`` while enforcing the byte, token and element limits.

    ``progress()`` returns how many elements the parser's handlers have seen so far: a chunk
    after which it has not moved means a single token (text, attribute, tag) keeps growing.
    """
    name = info.filename
    part_bytes = 0
    stalled = 0
    last = -1
    base_elements = budget.elements
    try:
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK_BYTES)
                if not chunk:
                    break
                part_bytes += len(chunk)
                budget.inflated += len(chunk)
                if part_bytes > min(limit, info.file_size):
                    # zipfile stops at the declared size; this guards the total all the same.
                    raise _Fatal("part_too_large", f"「{name}」解压后超过 {limit / MiB:.0f} MB")
                if budget.inflated > MAX_TOTAL_BYTES:
                    raise _Fatal(
                        "total_too_large",
                        f"工作簿解压后合计超过 {MAX_TOTAL_BYTES / MiB:.0f} MB",
                    )
                parser.Parse(chunk, False)
                seen = progress()
                if seen == last:
                    stalled += len(chunk)
                    if stalled > MAX_TOKEN_BYTES:
                        raise _Fatal(
                            "token_too_long",
                            f"「{name}」中有超过 {MAX_TOKEN_BYTES // MiB} MB 的单个文本或标记"
                            f"（单元格文字最多 {MAX_CELL_TEXT} 个字符）",
                        )
                else:
                    last, stalled = seen, 0
                if base_elements + seen > MAX_XML_ELEMENTS:
                    raise _Fatal(
                        "too_many_elements",
                        f"工作簿中的 XML 元素超过 {MAX_XML_ELEMENTS:,} 个（「{name}」）",
                    )
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Fatal(
            "xml_error", f"不是有效的 .xlsx 工作簿（「{name}」的 XML 格式错误：{exc}）"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _Fatal(
            "zip_corrupt",
            f"「{name}」的压缩数据已损坏，或与压缩包目录记录的大小、校验值不符（{exc}）",
        ) from None
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted member
        raise _Fatal("zip_corrupt", f"「{name}」无法解压（{exc}）") from None
    budget.elements = base_elements + progress()


def _prefix(name: str) -> str:
    """Namespace prefix of a qualified element name (``x:row`` -> ``x:``)."""
    return name[: name.index(":") + 1] if ":" in name else ""


# ---------------------------------------------------------------- small parts


def _parse_rels(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> dict[str, tuple]:
    """Relationship id -> (type, target)."""
    out: dict[str, tuple[str, str]] = {}
    count = 0

    def start(name: str, attrs: dict) -> None:
        nonlocal count
        count += 1
        if name.endswith("Relationship") and attrs.get("TargetMode") != "External":
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

    parser = _new_parser()
    parser.StartElementHandler = start
    _feed(zf, info, parser, lambda: count, budget, MAX_META_BYTES)
    return out


def _parse_workbook(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget
) -> tuple[list[tuple[str, str]], bool]:
    """Sheets as (title, relationship id) in workbook order, and whether dates use 1904."""
    sheets: list[tuple[str, str]] = []
    date1904 = False
    count = 0

    def start(name: str, attrs: dict) -> None:
        nonlocal count, date1904
        count += 1
        local = name.rpartition(":")[2]
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")
            sheets.append((attrs.get("name", ""), rid))
            if len(sheets) > MAX_SHEETS:
                raise _Fatal("too_many_sheets", f"工作簿有超过 {MAX_SHEETS} 张工作表")
        elif local == "workbookPr":
            date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

    parser = _new_parser()
    parser.StartElementHandler = start
    _feed(zf, info, parser, lambda: count, budget, MAX_META_BYTES)
    return sheets, date1904


def _parse_styles(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> dict[str, tuple]:
    """``s`` attribute (as written) -> format kind, for cell formats that are not plain numbers."""
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    count = 0
    in_xfs = False

    def number(text: str | None) -> int:
        return int(text) if text and text.isdigit() and len(text) < 10 else 0

    def start(name: str, attrs: dict) -> None:
        nonlocal count, in_xfs
        count += 1
        local = name.rpartition(":")[2]
        if local == "numFmt":
            custom[number(attrs.get("numFmtId"))] = attrs.get("formatCode", "")[:1000]
        elif local == "cellXfs":
            in_xfs = True
        elif local == "xf" and in_xfs:
            xf_formats.append(number(attrs.get("numFmtId")))
            if len(xf_formats) > MAX_STYLES:
                raise _Fatal("too_many_styles", f"单元格格式超过 {MAX_STYLES} 个")

    def end(name: str) -> None:
        nonlocal in_xfs
        if name.endswith("cellXfs"):
            in_xfs = False

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _feed(zf, info, parser, lambda: count, budget, MAX_META_BYTES)
    kinds: dict[str, tuple] = {}
    by_format: dict[int, tuple | None] = {}
    for idx, fmt_id in enumerate(xf_formats):
        if fmt_id not in by_format:
            by_format[fmt_id] = classify_format(custom.get(fmt_id) or _BUILTIN_FORMATS.get(fmt_id))
        kind = by_format[fmt_id]
        if kind is not None:
            kinds[str(idx)] = kind
    return kinds


class _LongText(str):
    """A shared string longer than MAX_CELL_TEXT (kept truncated; reported where it is used)."""

    __slots__ = ("length",)
    length: int


def _parse_shared(  # noqa: C901 - pyexpat callbacks sharing the parse state of one part
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget
) -> list[str]:
    """Shared strings: plain and rich-text runs concatenated, phonetic (rPh) runs skipped."""
    out: list[str] = []
    count = 0
    collecting = False
    in_rph = False
    text: str | None = None
    length = 0
    total = 0
    si = t = rph = ""

    def start(name: str, attrs: dict) -> None:
        nonlocal count, collecting, in_rph, text, length, si, t, rph
        count += 1
        if count == 1:
            p = _prefix(name)
            si, t, rph = p + "si", p + "t", p + "rPh"
        if name == t:
            collecting = not in_rph
        elif name == si:
            text, length, in_rph = None, 0, False
        elif name == rph:
            in_rph = True

    def chars(data: str) -> None:
        nonlocal text, length
        if collecting:
            length += len(data)
            if length <= MAX_CELL_TEXT:
                text = data if text is None else text + data

    def end(name: str) -> None:
        nonlocal collecting, in_rph, total
        if name == t:
            collecting = False
        elif name == si:
            value = text or ""
            if length > MAX_CELL_TEXT:
                value = _LongText(value)
                value.length = length
            out.append(value)
            total += length
            if len(out) > MAX_SHARED_STRINGS:
                raise _Fatal("too_many_strings", f"共享字符串超过 {MAX_SHARED_STRINGS:,} 个")
            if total > MAX_SHARED_CHARS:
                raise _Fatal("too_many_strings", f"共享字符串合计超过 {MAX_SHARED_CHARS:,} 个字符")
        elif name == rph:
            in_rph = False

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    _feed(zf, info, parser, lambda: count, budget, MAX_PART_BYTES)
    return out


# ---------------------------------------------------------------- dates

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_MAX_SERIAL_1900 = 2_958_466  # 10000-01-01
_MAX_SERIAL_1904 = 2_957_004


def _serial_to_datetime(number: float, date1904: bool) -> dt.datetime | dt.time | None:
    """Excel serial -> datetime (time for 0 <= x < 1, as openpyxl); None if impossible."""
    if not 0 <= number < (_MAX_SERIAL_1904 if date1904 else _MAX_SERIAL_1900):
        return None
    day, fraction = divmod(number, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if number < 1 and diff.days == 0:
        return (dt.datetime.min + diff).time()
    if not date1904 and 0 < number < 60:
        day += 1  # Excel's phantom 1900-02-29
    try:
        return (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(days=day) + diff
    except OverflowError:
        return None


def _looks_like_yyyymmdd(number: float) -> str:
    text = str(int(number)) if number.is_integer() else ""
    if len(text) == 8:
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        except ValueError:
            return ""
    return ""


# ---------------------------------------------------------------- sheets


def column_letter(idx: int) -> str:
    """Excel column letters of a 0-based index (0 -> A, 26 -> AA)."""
    out = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


def _column_index(letters: str) -> int:
    """0-based index of 1-3 column letters up to XFD; -1 if not a valid Excel column."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return -1
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1 if n <= EXCEL_MAX_COLUMNS else -1


@dataclass
class _SheetResult:
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row_blank: bool = True
    problems: list[ReadProblem] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)


@dataclass
class _Context:
    file: str
    zf: zipfile.ZipFile
    budget: _Budget
    shared: list[str]
    kinds: dict[str, tuple]
    date1904: bool


def _parse_sheet(  # noqa: C901, PLR0915 - pyexpat callbacks share the parse state as closure cells
    ctx: _Context, info: zipfile.ZipInfo, sheet: str
) -> _SheetResult:
    """Stream one worksheet: values (cached formula results), merged ranges, cell problems."""
    file, shared, kinds, date1904 = ctx.file, ctx.shared, ctx.kinds, ctx.date1904
    n_shared = len(shared)
    result = _SheetResult()
    rows, problems, merges = result.rows, result.problems, result.merges
    headers: list[str] = []
    width = 0
    cells_before = ctx.budget.cells
    cells = 0
    extra_problems = 0
    col_cache: dict[str, int] = {}
    date_cache: dict[str, Any] = {}
    digits = "0123456789"
    elements = 0
    row_num = 0
    row_text = ""
    values: list[Any] = []
    last_col = -1
    data_rows = 0
    c_ref: str | None = None
    c_type: str | None = None
    c_style: str | None = None
    text: str | None = None
    length = 0
    formula: str | None = None
    has_formula = False
    collecting = 0  # 0: nothing, 1: cell value (<v>, inline <t>), 2: formula
    in_is = in_rph = False
    tag_c = tag_v = tag_row = tag_t = tag_f = tag_is = tag_rph = tag_merge = "\0"

    def column_name(col: int) -> str:
        if row_num > 1 and col < len(headers) and headers[col]:
            return headers[col]
        return f"{column_letter(col)}列"

    def cell_problem(code: str, col: int, ref: str, message: str, expected: str, value: Any):
        nonlocal extra_problems
        if len(problems) >= MAX_PROBLEMS_PER_SHEET:
            extra_problems += 1
            return
        problems.append(
            _problem(
                code,
                file,
                sheet,
                row_num,
                column_name(col),
                f"{message}（单元格 {ref}）",
                expected=expected,
                value=value,
            )
        )

    def bad(code: str, col: int, raw: str, message: str, expected: str) -> BadCell:
        ref = c_ref or f"{column_letter(col)}{row_num}"
        shown = raw if len(raw) <= 60 else raw[:57] + "…"
        if code in DEFERRED_CODES:
            pending = _problem(
                code,
                file,
                sheet,
                row_num,
                column_name(col),
                f"{message}（单元格 {ref}）",
                expected=expected,
                value=shown,
            )
            return BadCell(shown, code, pending)
        cell_problem(code, col, ref, message, expected, shown)
        return BadCell(shown, code)

    def number_value(col: int, raw: str) -> Any:
        """A numeric cell (t="n" or none), with its number format applied."""
        if len(raw) > MAX_NUMBER_CHARS:
            return bad(
                "bad_number",
                col,
                raw,
                f"数值有 {len(raw)} 位，不是有效的数值",
                "不超过 15 位有效数字的数值",
            )
        try:
            number = float(raw)
        except ValueError:
            return bad("bad_number", col, raw, "不是有效的数值", "数值")
        if not -MAX_ABS_NUMBER < number < MAX_ABS_NUMBER:
            if number != number or number in (float("inf"), float("-inf")):
                return bad("bad_number", col, raw, "不是有效的数值（NaN 或无穷大）", "数值")
            return bad(
                "number_too_large",
                col,
                raw,
                "数值过大（超过 15 位数字，Excel 无法精确保存）",
                "绝对值小于 10^15 的数值；编号等长数字请设为文本格式后填写",
            )
        kind = kinds.get(c_style) if c_style is not None else None
        if kind is None:
            return int(number) if number.is_integer() else number
        if kind is _KIND_DATE:
            value = date_cache.get(raw)
            if value is None:
                value = _serial_to_datetime(number, date1904)
                if value is None:
                    hint = _looks_like_yyyymmdd(number)
                    hint = f"；看起来是 {hint}，请按日期重新输入" if hint else ""
                    return bad(
                        "bad_date",
                        col,
                        raw,
                        f"单元格设置为日期格式，但其中的数值不是有效的 Excel 日期{hint}",
                        "日期，如 2024-02-02（直接在单元格中输入日期）",
                    )
                date_cache[raw] = value
            return value
        if kind is _KIND_TEXT:
            return str(int(number)) if number.is_integer() else f"{number:.15g}"
        _, decimals, n_percent = kind
        dec = Decimal(f"{number:.15g}").scaleb(2 * n_percent)
        if dec.as_tuple().exponent > 0:
            dec = dec.quantize(Decimal(1))
        return Percent(dec, decimals)

    def finish_cell() -> None:  # noqa: C901, PLR0912, PLR0915 - one branch per cell type, inlined
        nonlocal last_col
        if c_ref is not None:
            letters = c_ref.rstrip(digits)
            col = col_cache.get(letters, -2)
            if col == -2:
                col = col_cache[letters] = _column_index(letters)
            if (
                col < 0
                or len(letters) + len(row_text) != len(c_ref)
                or not c_ref.endswith(row_text)
            ):
                raise _SheetFatal(
                    "bad_cell_ref",
                    f"第{row_num}行的单元格引用「{c_ref[:40]}」无效"
                    f"（Excel 最多到 XFD 列、第 {EXCEL_MAX_ROWS} 行）",
                )
            if col <= last_col:
                raise _SheetFatal("row_order", f"第{row_num}行的单元格 {c_ref} 顺序错乱或重复")
        else:
            col = last_col + 1
            if col >= EXCEL_MAX_COLUMNS:
                raise _SheetFatal("bad_cell_ref", f"第{row_num}行的单元格超过 XFD 列")
        last_col = col
        raw = text
        kind = c_type
        if raw is None:
            if has_formula and kind != "inlineStr":
                ref = c_ref or f"{column_letter(col)}{row_num}"
                shown = f"={formula}" if formula else "（共享公式）"
                cell_problem(
                    "missing_cache",
                    col,
                    ref,
                    f"是公式 {shown}，但文件中没有保存计算结果",
                    "在 Excel 中打开并保存一次，或把公式改为数值",
                    None,
                )
            return
        if kind is None or kind == "n":
            # Fast path: a plain number (no number format) of sane length and size.
            if (c_style is None or c_style not in kinds) and len(raw) <= MAX_NUMBER_CHARS:
                try:
                    number = float(raw)
                except ValueError:
                    number = _NAN
                if -MAX_ABS_NUMBER < number < MAX_ABS_NUMBER:
                    value = int(number) if number.is_integer() else number
                else:
                    value = number_value(col, raw)
            else:
                value = number_value(col, raw)
        elif kind == "s":
            idx = int(raw) if raw.isdigit() and len(raw) < 10 else -1
            if 0 <= idx < n_shared:
                value = shared[idx]
                if value.__class__ is _LongText:
                    value = bad(
                        "text_too_long",
                        col,
                        value,
                        f"文字有 {value.length:,} 个字符，超过 Excel 的上限 {MAX_CELL_TEXT}",
                        f"不超过 {MAX_CELL_TEXT} 个字符",
                    )
            else:
                value = bad(
                    "bad_shared_index",
                    col,
                    raw,
                    f"共享字符串索引无效（共有 {n_shared} 个字符串）",
                    f"0 到 {n_shared - 1} 之间的索引（文件已损坏，请用 Excel 另存）",
                )
        elif kind == "inlineStr" or kind == "str":
            value = raw
            if length > MAX_CELL_TEXT:
                value = bad(
                    "text_too_long",
                    col,
                    raw,
                    f"文字有 {length:,} 个字符，超过 Excel 的上限 {MAX_CELL_TEXT}",
                    f"不超过 {MAX_CELL_TEXT} 个字符",
                )
        elif kind == "b":
            if raw in ("1", "true"):
                value = True
            elif raw in ("0", "false"):
                value = False
            else:
                value = bad("bad_bool", col, raw, "不是有效的逻辑值", "TRUE 或 FALSE")
        elif kind == "e":
            value = raw  # "#DIV/0!" etc.: the cleaner reports Excel errors
        elif kind == "d":
            try:
                value = dt.datetime.fromisoformat(raw) if len(raw) <= 40 else None
            except ValueError:
                value = None
            if value is None:
                value = bad("bad_date", col, raw, "不是有效的 ISO 日期", "日期，如 2024-02-02")
        else:
            value = bad("bad_type", col, raw, f"单元格类型「{kind[:20]}」无法识别", _RESAVE)
        if col >= MAX_COLUMNS:
            ref = c_ref or f"{column_letter(col)}{row_num}"
            shown = str(value)
            cell_problem(
                "column_out_of_range",
                col,
                ref,
                f"在第 {col + 1} 列，超出读取范围（只读 A–{column_letter(MAX_COLUMNS - 1)}"
                f" 列，共 {MAX_COLUMNS} 列）",
                "数据只填在有表头的列中；删除右侧多余的内容",
                shown if len(shown) <= 60 else shown[:57] + "…",
            )
            return
        n = len(values)
        if col > n:
            values.extend([None] * (col - n))
        values.append(value)

    def finish_row() -> None:
        nonlocal headers, width, data_rows, cells
        if not values:
            return
        if row_num == 1:
            headers = ["" if is_blank(v) else trim_name(str(v)) for v in values]
            result.header_row_blank = all(h == "" for h in headers)
            while headers and headers[-1] == "":
                headers.pop()
            width = len(headers)
            result.headers = headers
            return
        if all(is_blank(v) for v in values):
            return
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _SheetFatal(
                "too_many_rows", f"数据行超过 {MAX_ROWS:,} 行", "每张表不超过 10 万行"
            )
        if len(values) < width:
            values.extend([None] * (width - len(values)))
        cells += len(values)
        if cells_before + cells > MAX_CELLS:
            raise _Fatal(
                "too_many_cells", f"工作簿的单元格超过 {MAX_CELLS:,} 个（在工作表「{sheet}」）"
            )
        rows.append((row_num, values))

    def start(name: str, attrs: dict) -> None:
        nonlocal elements, c_ref, c_type, c_style, text, length, has_formula, formula
        nonlocal collecting, in_is, in_rph, row_num, row_text, values, last_col
        elements += 1
        if name == tag_c:
            c_ref = attrs.get("r")
            c_type = attrs.get("t")
            c_style = attrs.get("s")
            text = None
            length = 0
            has_formula = False
        elif name == tag_v:
            collecting = 1
        elif name == tag_row:
            r = attrs.get("r")
            number = row_num + 1 if r is None else int(r) if r.isdigit() and len(r) < 8 else -1
            if not row_num < number <= EXCEL_MAX_ROWS:
                if number < 0 or number > EXCEL_MAX_ROWS:
                    raise _SheetFatal("bad_cell_ref", f"行号「{str(r)[:20]}」无效")
                raise _SheetFatal("row_order", f"第{number}行出现在第{row_num}行之后（行顺序错乱）")
            row_num = number
            row_text = str(number)
            values = []
            last_col = -1
        elif name == tag_t:
            if in_is and not in_rph:
                collecting = 1
        elif name == tag_f:
            has_formula = True
            formula = None
            collecting = 2
        elif name == tag_is:
            in_is = True
        elif name == tag_rph:
            in_rph = True
        elif name == tag_merge and len(merges) < MAX_MERGED_RANGES:
            merges.append(attrs.get("ref", "")[:40])

    def chars(data: str) -> None:
        nonlocal text, length, formula
        if collecting == 1:
            length += len(data)
            if length <= MAX_CELL_TEXT:
                text = data if text is None else text + data
        elif collecting == 2:
            if formula is None:
                formula = data[:200]
            elif len(formula) < 200:
                formula = (formula + data)[:200]

    def end(name: str) -> None:
        nonlocal collecting, in_is, in_rph
        if name == tag_v:
            collecting = 0
        elif name == tag_c:
            finish_cell()
        elif name == tag_row:
            finish_row()
        elif name in (tag_t, tag_f):
            collecting = 0
        elif name == tag_is:
            in_is = False
        elif name == tag_rph:
            in_rph = False

    def first(name: str, attrs: dict) -> None:
        nonlocal tag_c, tag_v, tag_row, tag_t, tag_f, tag_is, tag_rph, tag_merge
        p = _prefix(name)
        tag_c, tag_v, tag_row, tag_t, tag_f = p + "c", p + "v", p + "row", p + "t", p + "f"
        tag_is, tag_rph, tag_merge = p + "is", p + "rPh", p + "mergeCell"
        parser.StartElementHandler = start
        start(name, attrs)

    parser = _new_parser()
    parser.StartElementHandler = first
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        _feed(ctx.zf, info, parser, lambda: elements, ctx.budget, MAX_PART_BYTES)
    except _Fatal as exc:
        exc.sheet = sheet
        raise
    finally:
        ctx.budget.cells = cells_before + cells
    if extra_problems:
        problems.append(
            _problem(
                "more_problems",
                file,
                sheet,
                None,
                None,
                f"还有 {extra_problems} 个单元格问题未列出（只列出前 {MAX_PROBLEMS_PER_SHEET} 个）",
            )
        )
    return result


def merge_problems(file: str, sheet: str, merges: list[str]) -> list[ReadProblem]:
    """One problem per merged range of a sheet read as a table (the first
    `MAX_PROBLEMS_PER_SHEET`)."""
    out = []
    for ref in merges[:MAX_PROBLEMS_PER_SHEET]:
        m = re.match(r"^([A-Z]+)(\d+)$", ref.split(":")[0])
        first_row = int(m.group(2)) if m else None
        if first_row == 1:
            msg, expected = (
                f"表头有合并单元格（{ref}）",
                "表头只占第1行，每列一个标题，不合并单元格",
            )
        else:
            msg = f"有合并单元格（{ref}），合并后只有第一个单元格有值"
            expected = "取消合并，每个单元格分别填写"
        out.append(_problem("merged_cells", file, sheet, first_row, None, msg, expected=expected))
    return out


# ---------------------------------------------------------------- the workbook


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _read(
    data: bytes, name: str, keep_merged: bool = False
) -> tuple[list[tuple[str, RawSheet, list[ReadProblem]]], list[ReadProblem]]:
    head = data[:8]
    if head.startswith(OLE_MAGIC):
        raise _Fatal(
            "encrypted_or_xls",
            "是加密（设有打开密码）的工作簿，或改了扩展名的旧版 .xls 文件，无法按 .xlsx 读取",
            "取消密码保护并另存为普通 .xlsx 工作簿（旧版文件请保留 .xls 扩展名）",
        )
    if not head.startswith(ZIP_MAGIC):
        raise _Fatal("not_xlsx", "不是有效的 .xlsx 工作簿（文件已损坏或格式不对）")
    stream = io.BytesIO(data)
    _check_zip_directory(stream)
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _Fatal("not_xlsx", f"不是有效的 .xlsx 工作簿（{exc}）") from None
    with zf:
        return _read_zip(zf, name, keep_merged)


@dataclass
class _Parts:
    """The members of a workbook that are read, located through its relationships."""

    sheets: list[tuple[str, zipfile.ZipInfo]]
    styles: zipfile.ZipInfo | None
    shared: zipfile.ZipInfo | None
    date1904: bool


def _locate_parts(zf: zipfile.ZipFile, budget: _Budget) -> _Parts:
    """Workbook, relationships, sheets, styles and shared strings, each checked against its
    declared-size limits before anything but the small relationship parts is inflated."""
    # Excel treats part names case-insensitively; zipfile does not.
    members = {info.filename.lower(): info for info in zf.infolist()}

    def member(
        name: str, limit: int, required: bool = True, sheet: str | None = None
    ) -> zipfile.ZipInfo | None:
        info = members.get(name.lower())
        if info is None:
            if required:
                raise _Fatal("not_xlsx", f"不是有效的 .xlsx 工作簿（缺少「{name}」）")
            return None
        _check_declared(info, limit, sheet)
        return info

    wb_name = "xl/workbook.xml"
    root_rels = member("_rels/.rels", MAX_META_BYTES, required=False)
    if root_rels is not None:
        for rel_type, target in _parse_rels(zf, root_rels, budget).values():
            if rel_type.endswith("/officeDocument"):
                wb_name = _resolve("", target)
    wb_info = member(wb_name, MAX_META_BYTES)
    rels_name = posixpath.join(posixpath.dirname(wb_name), "_rels", "workbook.xml.rels")
    rels = _parse_rels(zf, member(rels_name, MAX_META_BYTES), budget)
    sheet_list, date1904 = _parse_workbook(zf, wb_info, budget)

    # Some generators write these parts without their relationships: the conventional names.
    styles_name, shared_name = "xl/styles.xml", "xl/sharedStrings.xml"
    for rel_type, target in rels.values():
        if rel_type.endswith("/styles"):
            styles_name = _resolve(wb_name, target)
        elif rel_type.endswith("/sharedStrings"):
            shared_name = _resolve(wb_name, target)
    styles_info = member(styles_name, MAX_META_BYTES, required=False)
    shared_info = member(shared_name, MAX_PART_BYTES, required=False)
    sheet_infos = []
    for title, rid in sheet_list:
        rel = rels.get(rid)
        if rel is None:
            raise _Fatal("not_xlsx", f"不是有效的 .xlsx 工作簿（工作表「{title}」没有对应的数据）")
        sheet_infos.append(
            (title, member(_resolve(wb_name, rel[1]), MAX_PART_BYTES, sheet=trim_name(title)))
        )
    _check_total([styles_info, shared_info, *(i for _, i in sheet_infos)])
    return _Parts(sheet_infos, styles_info, shared_info, date1904)


def _check_total(infos: list[zipfile.ZipInfo | None]) -> None:
    """The declared sizes of the parts to read, added up (a part read twice counts once)."""
    unique = {id(x): x for x in infos if x is not None}
    declared = sum(i.file_size for i in unique.values())
    if declared > MAX_TOTAL_BYTES:
        raise _Fatal(
            "total_too_large",
            f"工作簿解压后合计 {declared / MiB:,.0f} MB，超过上限 {MAX_TOTAL_BYTES / MiB:.0f} MB",
        )


def _read_zip(
    zf: zipfile.ZipFile, file: str, keep_merged: bool = False
) -> tuple[list[tuple[str, RawSheet, list[ReadProblem]]], list[ReadProblem]]:
    budget = _Budget()
    parts = _locate_parts(zf, budget)
    kinds = _parse_styles(zf, parts.styles, budget) if parts.styles else {}
    shared = _parse_shared(zf, parts.shared, budget) if parts.shared else []
    ctx = _Context(file, zf, budget, shared, kinds, parts.date1904)
    out: list[tuple[str, RawSheet, list[ReadProblem]]] = []
    problems: list[ReadProblem] = []
    for title, info in parts.sheets:
        sheet = trim_name(title)
        try:
            res = _parse_sheet(ctx, info, sheet)
        except _SheetFatal as exc:
            problems.append(exc.problem(file))
            out.append((title, RawSheet(file, sheet, [], [], unreadable=True), []))
            continue
        if res.merges:
            raw = RawSheet(file, sheet, [], [], unreadable=True)
            found = merge_problems(file, sheet, res.merges)
            if keep_merged:  # the rows and ranges, for a published table (`read.grid`)
                raw.headers, raw.rows, raw.merges = res.headers, res.rows, tuple(res.merges)
                # and its cells' problems (a formula without its result), which matter once it
                # is read as one; `read.files` drops them if it is the unit's own after all
                found += res.problems
            out.append((title, raw, found))
            continue
        raw = RawSheet(file, sheet, res.headers, res.rows, res.header_row_blank)
        out.append((title, raw, res.problems))
    return out, problems


def read_workbook(path: Path, into: RawInput) -> None:
    """Read every sheet of the workbook at ``path`` into ``into`` (its bytes read once, their
    hash in ``into.digests``)."""
    data = read_source(Path(path), MAX_FILE_BYTES, into)
    if data is not None:
        read_workbook_bytes(data, Path(path).name, into)


def read_workbook_bytes(data: bytes, name: str, into: RawInput, keep_merged: bool = False) -> None:
    """Read every sheet of an .xlsx workbook's bytes into ``into``.

    With ``keep_merged`` a sheet with merged cells is still unreadable as a table (and its
    merges are still problems), but keeps its rows and ranges, so that the caller can take the
    workbook as a published table (`selfeval.read.grid`) and drop those problems instead.

    A workbook-level limit or corruption gives exactly one problem and no sheets; a sheet-level
    one (bad cell reference, too many rows) one problem and that sheet marked unreadable; bad
    cells one problem each, their value replaced by a `BadCell`.
    """
    try:
        sheets, problems = _read(data, name, keep_merged)
    except _Fatal as exc:
        into.problems.append(exc.problem(name))
        return
    except (OSError, MemoryError, RecursionError) as exc:  # last resort: still one problem
        into.problems.append(
            _problem(
                "not_xlsx",
                name,
                None,
                None,
                None,
                f"无法读取工作簿（{type(exc).__name__}）",
                expected=_RESAVE,
            )
        )
        return
    into.problems.extend(problems)
    for _title, raw, sheet_problems in sheets:
        if raw.sheet in into.sheets:
            into.problems.append(
                _problem(
                    "duplicate_sheet",
                    name,
                    raw.sheet,
                    None,
                    None,
                    "有两张工作表名称去掉空格后相同",
                )
            )
            continue
        into.sheets[raw.sheet] = raw
        into.problems.extend(sheet_problems)
