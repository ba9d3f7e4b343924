"""Raw year input -> typed, tidy tables: normalisation, validation, reconciliation of totals.

Every problem of a year is collected (not only the first) and raised together as one
`InputError`; a successful run returns a `CleanResult` that `selfeval.io.write_processed`
stores atomically.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from selfeval import io as sio
from selfeval import schema as sc
from selfeval.errors import InputError, Problem, problem

# ---------------------------------------------------------------- text normalisation

_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[0x2014] = 0x2D  # em dash sometimes typed for a minus/range
_FULLWIDTH[0xFF0E] = 0x2E
_FULLWIDTH_ALNUM = {
    k: v for k, v in _FULLWIDTH.items() if chr(v).isalnum()
}  # text fields keep Chinese punctuation such as （）
TRIM = sio.TRIM_CHARS


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (digits, letters, punctuation, ideographic space) -> half-width."""
    return text.translate(_FULLWIDTH)


def norm_key(text: str) -> str:
    """Comparison key for headers and enumerations: half-width, no spaces."""
    return re.sub(r"\s+", "", to_halfwidth(str(text)))


def trim(value: Any) -> Any:
    """Trimmed string (None for blank), other values unchanged."""
    if isinstance(value, str):
        value = value.strip(TRIM)
        return value or None
    return value


# ---------------------------------------------------------------- value parsers


class ParseError(ValueError):
    """A cell value that cannot be read; args[0] is the message, args[1] what is expected."""


_EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!")


def _reject_excel_error(value: Any) -> None:
    if isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS:
        raise ParseError("是 Excel 的错误值（公式出错）", "修正该单元格的公式，或直接填写数值")


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_COUNT_RE = re.compile(
    r"^(?P<pre>约|近|上|逾)?"
    r"(?P<core>(?:"
    + _NUM
    + r")(?P<mult>[十百千万])?|(?P<cnd>[一二两三四五六七八九])?(?P<cnu>[十百千万]))"
    r"(?P<suf>余|多)?(?:人次|人|名|册|本|份|场|次|期|个|位)?$"
)
_COUNT_EXPECTED = "非负整数，可带「约」「近」「上」「余」「多」，如 300、约300、近百、400余、1,500"


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _float_decimal(value: float) -> Decimal:
    """Decimal of an Excel float as a person typed it (63.44, not 63.4399999…)."""
    return (
        Decimal(repr(round(value, 9))).normalize() if value != int(value) else Decimal(int(value))
    )


def parse_count(value: Any) -> tuple[int | None, str, str | None]:
    """Parse a count cell into (number, qualifier, display text); blank -> (None, "", None)."""
    value = trim(value)
    if value is None:
        return None, "", None
    _reject_excel_error(value)
    if isinstance(value, bool):
        raise ParseError("不是数字", _COUNT_EXPECTED)
    if isinstance(value, int | float):
        if value < 0:
            raise ParseError("不能为负数", "不小于0的整数")
        if value != int(value):
            raise ParseError("不是整数", "整数（人次、册数、份数、场次）")
        return int(value), "", str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        raise ParseError("是日期，不是数字", _COUNT_EXPECTED)
    text = re.sub(r"\s+", "", to_halfwidth(str(value))).replace("，", ",")
    if text.startswith("-") and re.match(r"^-\d", text):
        raise ParseError("不能为负数", "不小于0的整数")
    m = _COUNT_RE.match(text)
    if not m:
        raise ParseError("不是可识别的数字", _COUNT_EXPECTED)
    if m.group("cnu"):
        number = _CN_DIGITS.get(m.group("cnd") or "", 1) * _CN_UNITS[m.group("cnu")]
        core = m.group("core")
    else:
        core = m.group("core")
        mult = m.group("mult")
        digits = core[:-1] if mult else core
        dec = _decimal(digits) * (_CN_UNITS[mult] if mult else 1)
        if dec != dec.to_integral_value():
            raise ParseError("不是整数", "整数（人次、册数、份数、场次）")
        number = int(dec)
        core = core.replace(",", "")
    pre = m.group("pre") or ""
    suf = m.group("suf") or ""
    if pre and suf:
        raise ParseError("同时带有前后两个修饰词", "只用一个：约/近/上（在前）或 余/多（在后）")
    qualifier = {"逾": "余"}.get(pre, pre) or suf
    return number, qualifier, f"{pre}{core}{suf}"


def parse_number(value: Any, *, allow_negative: bool = False) -> tuple[float | None, int | None]:
    """Parse a plain number (thousands separators allowed) into (value, stated decimals)."""
    value = trim(value)
    if value is None:
        return None, None
    _reject_excel_error(value)
    if isinstance(value, bool | dt.datetime | dt.date):
        raise ParseError("不是数字", "数字，如 63.44 或 1,500")
    if isinstance(value, int | float):
        dec = _float_decimal(float(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = re.sub(r"\s+", "", to_halfwidth(str(value)))
        m = re.match(r"^(-?)(" + _NUM + r")$", text)
        if not m:
            raise ParseError("不是数字", "数字，如 63.44 或 1,500")
        dec = _decimal(m.group(1) + m.group(2))
    if dec < 0 and not allow_negative:
        raise ParseError("不能为负数", "不小于0的数")
    exponent = dec.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return float(dec), decimals


def parse_amount(value: Any, unit: str) -> tuple[float | None, int | None]:
    """Parse an amount in ``unit`` (万元 or 元) into (万元 float, decimals in 万元 terms)."""
    value = trim(value)
    if isinstance(value, str):
        value = re.sub(r"(万元|元)$", "", value.strip(TRIM))
    try:
        number, decimals = parse_number(value)
    except ParseError as exc:
        if exc.args[0] == "不能为负数":
            raise ParseError("金额不能为负数", "不小于0的金额") from None
        if "Excel" in exc.args[0]:
            raise
        raise ParseError("不是金额数字", f"以{unit}为单位的数字，如 63.44 或 634,400") from None
    if number is None:
        return None, None
    if unit == "元":
        dec = Decimal(repr(number)) / Decimal(10000)
        return float(dec), (decimals or 0) + 4
    return number, decimals


def parse_date(value: Any, year: int | None, example_year: int | None = None) -> dt.date | None:
    """Parse an Excel date, 2024-02-18, 2024/2/18, 2024年2月18日 or 2月18日 (year from folder).

    Hints name `year` (or `example_year` when the year must be written) in their examples, so a
    clerk filling in 2025 reads 2025 dates, never a fixed year.
    """
    value = trim(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    ex = year or example_year or "YYYY"
    expected = f"日期，如 {ex}-02-18、{ex}/2/18、{ex}年2月18日" + (" 或 2月18日" if year else "")
    _reject_excel_error(value)
    if isinstance(value, int | float):
        raise ParseError("不是日期", expected)
    text = re.sub(r"\s+", "", to_halfwidth(str(value)))
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T?\d{1,2}:\d{2}(?::\d{2})?)?$", text)
    if not m:
        m = re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.match(r"^(\d{1,2})月(\d{1,2})[日号]?$", text)
        if not m:
            raise ParseError("不是可识别的日期", expected)
        if year is None:
            raise ParseError("缺少年份", f"带年份的日期，如 {ex}-01-20")
        y, mo, d = year, int(m.group(1)), int(m.group(2))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ParseError("不是有效的日期", expected) from None


# ---------------------------------------------------------------- results


@dataclass
class CleanResult:
    """Cleaned tables of one year, the checks summary and metadata (see docs/architecture.md)."""

    tables: dict[str, pd.DataFrame]
    checks: dict
    meta: dict
    year: int = 0


@dataclass
class _Ctx:
    year: int
    problems: list[Problem] = field(default_factory=list)
    normalised: dict[tuple, dict] = field(default_factory=dict)
    reconciled: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def note_normalised(self, sheet: _Sheet, column: str, what: str, example: str) -> None:
        key = (sheet.raw.file, sheet.raw.sheet, column, what)
        entry = self.normalised.setdefault(
            key,
            {
                "file": key[0],
                "sheet": key[1],
                "column": column,
                "kind": what,
                "count": 0,
                "examples": [],
            },
        )
        entry["count"] += 1
        if len(entry["examples"]) < 3:
            entry["examples"].append(example)

    def warn(self, message: str, **where: Any) -> None:
        self.warnings.append({"message": message, **where})

    def checks(self) -> dict:
        normalised = []
        for entry in self.normalised.values():
            entry = dict(entry)
            entry["message"] = (
                f"{entry['file']}「{entry['sheet']}」「{entry['column']}」：{entry['kind']} "
                f"{entry['count']} 处（例：{'；'.join(entry['examples'])}）"
            )
            normalised.append(entry)
        return {"normalised": normalised, "reconciled": self.reconciled, "warnings": self.warnings}


def _column_letter(idx: int) -> str:
    """Excel column letter of a 0-based index (0 -> A, 26 -> AA)."""
    letters = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _headerless_columns(raw: sio.RawSheet) -> list[int]:
    """0-based indexes of columns holding data but no header (blank or beyond the last one)."""
    width = len(raw.headers)
    blank = [i for i, h in enumerate(raw.headers) if h == ""]
    found: set[int] = set()
    for _number, values in raw.rows:
        extra = [*blank, *range(width, len(values))] if len(values) > width else blank
        for i in extra:
            if i < len(values) and trim(values[i]) is not None:
                found.add(i)
    return sorted(found)


class _Sheet:
    """A raw sheet bound to its spec: column index by key, amount units, row access."""

    def __init__(self, raw: sio.RawSheet, spec: sc.SheetSpec, ctx: _Ctx):
        self.raw = raw
        self.spec = spec
        self.ctx = ctx
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        self.unit: dict[str, str] = {}
        self.ok = self._bind()

    def err(
        self,
        row: int | None,
        key: str | None,
        message: str,
        *,
        value: Any = None,
        expected: str = "",
        show_value: bool | None = None,
    ) -> None:
        column = self.header.get(key, None) if key else None
        if key and column is None:
            column = self.spec.column(key).display()
        self.ctx.problems.append(
            problem(
                self.raw.file,
                self.raw.sheet,
                row,
                column,
                message,
                expected=expected,
                value=value,
                show_value=show_value,
            )
        )

    def _bind(self) -> bool:
        raw, spec = self.raw, self.spec
        if raw.header_row_blank and raw.rows:
            self.ctx.problems.append(
                problem(
                    raw.file,
                    raw.sheet,
                    1,
                    None,
                    "第1行是空行，找不到表头",
                    expected="表头必须在第1行（不要留空行，不要合并单元格）",
                )
            )
            return False
        seen: dict[str, int] = {}
        wanted = {norm_key(c.header): c for c in spec.columns if not c.has_unit}
        amount = {norm_key(c.header): c for c in spec.columns if c.has_unit}
        unknown = []
        ok = True
        for idx in _headerless_columns(raw):
            self.ctx.problems.append(
                problem(
                    raw.file,
                    raw.sheet,
                    1,
                    None,
                    f"第{idx + 1}列（{_column_letter(idx)}列）有数据但没有表头"
                    "（可能是合并单元格或表头不在第1行）",
                    expected="每列在第1行有一个标题",
                )
            )
            ok = False
        for idx, header in enumerate(raw.headers):
            if header == "":
                continue
            key = norm_key(header)
            col = wanted.get(key)
            if col is None and spec.table == "satisfaction" and key == "满意度":
                col = spec.column("rate")
            if col is None:
                m = re.match(r"^(.+?)(?:\((.*)\))?$", key)
                base, unit = (m.group(1), m.group(2)) if m else (key, None)
                if base in amount:
                    col = amount[base]
                    if unit not in sc.AMOUNT_UNITS:
                        self.ctx.problems.append(
                            problem(
                                raw.file,
                                raw.sheet,
                                1,
                                header,
                                "金额列的表头没有注明单位"
                                if unit is None
                                else f"金额单位「{unit}」无法识别",
                                expected=f"{col.header}（万元）或 {col.header}（元）",
                            )
                        )
                        ok = False
                        continue
                    self.unit[col.key] = unit
            if col is None:
                unknown.append(header)
                continue
            if col.key in seen:
                self.ctx.problems.append(
                    problem(
                        raw.file,
                        raw.sheet,
                        1,
                        header,
                        f"与第{seen[col.key] + 1}列重复",
                        expected="每个标题只出现一次",
                    )
                )
                ok = False
                continue
            seen[col.key] = idx
            self.index[col.key] = idx
            self.header[col.key] = header
        for col in spec.columns:
            if (
                col.required
                and col.key not in self.index
                and not (
                    col.has_unit
                    and any(norm_key(h).startswith(norm_key(col.header)) for h in raw.headers)
                )
            ):
                self.ctx.problems.append(
                    problem(
                        raw.file,
                        raw.sheet,
                        1,
                        col.display(),
                        "缺少必需的列",
                        expected="表头："
                        + "、".join(c.display() for c in spec.columns if c.required),
                    )
                )
                ok = False
        if unknown:
            self.ctx.warn(
                f"{raw.file}「{raw.sheet}」有未识别的列，已保留在原文件中但不使用：{'、'.join(unknown)}",
                file=raw.file,
                sheet=raw.sheet,
                columns=unknown,
            )
        return ok

    def get(self, values: list[Any], key: str) -> Any:
        idx = self.index.get(key)
        if idx is None or idx >= len(values):
            return None
        return trim(values[idx])

    def text(self, number: int, values: list[Any], key: str, *, prose: bool = False) -> str | None:
        """A text cell: trimmed; short fields also get full-width digits normalised."""
        value = self.get(values, key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date().isoformat()
        elif isinstance(value, float) and value == int(value):
            value = str(int(value))
        text = str(value)
        if not prose:
            new = (
                text.translate(_FULLWIDTH_ALNUM) if re.search(r"[０-９Ａ-Ｚａ-ｚ]", text) else text
            )
            if new != text:
                self.ctx.note_normalised(self, self.header.get(key, key), "全角字符转半角", text)
                text = new
        return text

    def enum(
        self, number: int, values: list[Any], key: str, options: tuple[str, ...]
    ) -> str | None:
        value = self.get(values, key)
        if value is None:
            return None
        lookup = {norm_key(o): o for o in options}
        found = lookup.get(norm_key(str(value)))
        if found is None:
            self.err(number, key, "不是可选的值", value=value, expected="、".join(options))
        elif found != value:
            self.ctx.note_normalised(
                self, self.header.get(key, key), "规范写法", f"{value}→{found}"
            )
        return found

    def required(self, number: int, values: list[Any], key: str) -> bool:
        if self.get(values, key) is None:
            self.err(
                number,
                key,
                "不能为空",
                show_value=False,
                expected=self.spec.column(key).doc or "填写内容",
            )
            return False
        return True

    def count(self, number: int, values: list[Any], key: str) -> tuple[int | None, str, Any]:
        raw_value = self.get(values, key)
        try:
            n, q, text = parse_count(raw_value)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected=exc.args[1])
            return None, "", None
        if isinstance(raw_value, str) and text is not None and text != raw_value:
            self.ctx.note_normalised(
                self, self.header.get(key, key), "数量写法整理", f"{raw_value}→{text}"
            )
        return n, q, text

    def number(self, number: int, values: list[Any], key: str) -> tuple[float | None, int | None]:
        raw_value = self.get(values, key)
        try:
            return parse_number(raw_value)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected=exc.args[1])
            return None, None

    def amount(self, number: int, values: list[Any], key: str) -> tuple[float | None, int | None]:
        raw_value = self.get(values, key)
        unit = self.unit.get(key, "万元")
        try:
            value, decimals = parse_amount(raw_value, unit)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected=exc.args[1])
            return None, None
        if value is not None:
            column = self.header.get(key, key)
            if unit == "元":
                self.ctx.note_normalised(self, column, "元折算为万元", f"{raw_value}→{value:g}")
            elif isinstance(raw_value, str) and "," in raw_value:
                self.ctx.note_normalised(self, column, "去掉千分位", f"{raw_value}→{value:g}")
        return value, decimals

    def budget_and_actual(
        self, number: int, values: list[Any]
    ) -> tuple[tuple[float | None, int | None], tuple[float | None, int | None], bool]:
        """预算数 (may be blank) and 执行数 (required) of one row, and whether 执行数 is filled."""
        budget = self.amount(number, values, "budget")
        filled = self.get(values, "actual") is not None
        if not filled:
            self.err(
                number,
                "actual",
                "执行数不能为空",
                show_value=False,
                expected="执行数（没有支出填 0）",
            )
        return budget, self.amount(number, values, "actual"), filled

    def integer(self, number: int, values: list[Any], key: str) -> int | None:
        raw_value = self.get(values, key)
        try:
            value, _decimals = parse_number(raw_value)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected="整数")
            return None
        if value is None:
            return None
        if value != int(value):
            self.err(number, key, "不是整数", value=raw_value, expected="整数")
            return None
        return int(value)

    def date(self, number: int, values: list[Any], key: str, year: int | None) -> dt.date | None:
        raw_value = self.get(values, key)
        try:
            # A date that must carry its year (填报日期) is usually written the year after.
            value = parse_date(raw_value, year, example_year=self.ctx.year + 1)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected=exc.args[1])
            return None
        if isinstance(raw_value, str) and value is not None and raw_value != value.isoformat():
            self.ctx.note_normalised(
                self, self.header.get(key, key), "日期写法统一", f"{raw_value}→{value.isoformat()}"
            )
        return value

    def src(self, number: int) -> dict[str, Any]:
        return {"src_file": self.raw.file, "src_sheet": self.raw.sheet, "src_row": number}


# ---------------------------------------------------------------- frame helpers


def _frame(records: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """DataFrame with fixed columns and dtypes (str, Int64, float64, int64, bool, date)."""
    data = {}
    for name, kind in {
        **columns,
        "src_file": "str",
        "src_sheet": "str",
        "src_row": "int64",
    }.items():
        values = [r.get(name) for r in records]
        if kind == "str":
            data[name] = pd.Series(values, dtype="str")
        elif kind == "date":
            data[name] = pd.Series(
                [pd.Timestamp(v) if v is not None else pd.NaT for v in values],
                dtype="datetime64[ns]",
            )
        elif kind == "float64":
            data[name] = pd.Series(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        else:
            data[name] = pd.Series(values, dtype=kind)
    return pd.DataFrame(data)


# ---------------------------------------------------------------- sheet cleaners


def _clean_unit(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    seen: dict[str, int] = {}
    known = sc.UNIT_REQUIRED_ITEMS + sc.UNIT_OPTIONAL_ITEMS
    lookup = {norm_key(k): k for k in known}
    for number, values in sh.raw.rows:
        item = sh.text(number, values, "item")
        if item is None:
            sh.err(number, "item", "不能为空", show_value=False, expected="、".join(known))
            continue
        item = lookup.get(norm_key(item), item)
        if item in seen:
            sh.err(
                number, "item", f"与第{seen[item]}行重复", value=item, expected="每个项目只填一行"
            )
            continue
        seen[item] = number
        value = sh.text(number, values, "value", prose=True)
        if value is None:
            if item in sc.UNIT_REQUIRED_ITEMS:
                sh.err(number, "value", f"「{item}」的内容不能为空", show_value=False)
            continue
        if item == "编制人数":
            try:
                n_value, _ = parse_number(re.sub(r"\s*[人名]$", "", to_halfwidth(value)))
            except ParseError as exc:
                sh.err(number, "value", exc.args[0], value=value, expected="整数，如 4")
                continue
            if n_value is None or n_value != int(n_value):
                sh.err(number, "value", "编制人数不是整数", value=value, expected="整数，如 4")
                continue
            n = int(n_value)
            if n < 0:
                sh.err(number, "value", "编制人数不能为负数", value=value, expected="不小于0的整数")
                continue
            value = str(n)
        elif item == "填报日期":
            d = sh.date(number, values, "value", None)
            if d is None:
                continue
            value = d.isoformat()
        elif item not in known:
            ctx.warn(
                f"{sh.raw.file}「单位概况」第{number}行：项目「{item}」不是约定的项目，已保留",
                file=sh.raw.file,
                sheet=sh.raw.sheet,
                row=number,
            )
        records.append({"item": item, "value": value, **sh.src(number)})
    for item in sc.UNIT_REQUIRED_ITEMS:
        if item not in seen:
            sh.err(
                None,
                "item",
                f"缺少必填项目「{item}」",
                show_value=False,
                expected="必填项目：" + "、".join(sc.UNIT_REQUIRED_ITEMS),
            )
    return _frame(records, {"item": "str", "value": "str"})


def _amount_tolerance(decimals: list[int | None]) -> float:
    return sum(0.5 * 10 ** -(d or 0) for d in decimals)


def _clean_spending(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, "budget_type"), sh.required(number, values, "item")])
        btype = sh.enum(number, values, "budget_type", sc.BUDGET_TYPES)
        category = sh.enum(number, values, "category", sc.SPENDING_CATEGORIES)
        item = sh.text(number, values, "item")
        is_total = item is not None and norm_key(item) == sc.TOTAL_ITEM
        if is_total:
            item = sc.TOTAL_ITEM
        if btype == "一般公共预算" and category is None and not is_total and item is not None:
            if sh.get(values, "category") is None:
                sh.err(
                    number,
                    "category",
                    "一般公共预算的支出行须填写支出类别",
                    show_value=False,
                    expected="、".join(sc.SPENDING_CATEGORIES),
                )
            ok = False
        if category == "基本支出" and item is not None and not is_total:
            canon = {norm_key(x): x for x in sc.BASIC_ITEMS}.get(norm_key(item))
            if canon is None:
                sh.err(
                    number,
                    "item",
                    "不是基本支出的项目",
                    value=item,
                    expected="、".join((*sc.BASIC_ITEMS, sc.TOTAL_ITEM)),
                )
                ok = False
            item = canon or item
        (budget, bdec), (actual, adec), has_actual = sh.budget_and_actual(number, values)
        ok = ok and has_actual
        if not ok or btype is None or actual is None:
            continue
        records.append(
            {
                "budget_type": btype,
                "category": category,
                "item": item,
                "is_total": is_total,
                "budget": budget,
                "budget_decimals": bdec,
                "actual": actual,
                "actual_decimals": adec,
                "note": sh.text(number, values, "note", prose=True),
                **sh.src(number),
            }
        )
    _reconcile_spending(sh, ctx, records)
    return _frame(
        records,
        {
            "budget_type": "str",
            "category": "str",
            "item": "str",
            "is_total": "bool",
            "budget": "float64",
            "budget_decimals": "Int64",
            "actual": "float64",
            "actual_decimals": "Int64",
            "note": "str",
        },
    )


def _reconcile_spending(sh: _Sheet, ctx: _Ctx, records: list[dict]) -> None:
    """Compare each stated 合计 with the sum of its parts (rounding tolerance per part)."""
    totals: dict[tuple, dict] = {}
    parts: dict[tuple, list[dict]] = defaultdict(list)
    items: dict[tuple, int] = {}
    for rec in records:
        key = (rec["budget_type"], rec["category"])
        item_key = (*key, rec["item"])
        if not rec["is_total"] and item_key in items:
            sh.err(
                rec["src_row"],
                "item",
                f"与第{items[item_key]}行重复",
                value=rec["item"],
                expected="同一预算类型、支出类别下每个支出项目只列一行",
            )
            continue
        items.setdefault(item_key, rec["src_row"])
        if rec["is_total"]:
            if key in totals:
                sh.err(
                    rec["src_row"],
                    "item",
                    f"与第{totals[key]['src_row']}行重复的合计行",
                    value=sc.TOTAL_ITEM,
                    expected="每个预算类型/支出类别只列一个合计",
                )
                continue
            totals[key] = rec
        else:
            parts[key].append(rec)
    for (btype, category), total in totals.items():
        if category is not None:
            members = parts.get((btype, category), [])
        else:
            members = []
            cats = {c for (b, c) in set(parts) | set(totals) if b == btype and c is not None}
            for cat in sorted(cats):
                if (btype, cat) in totals:
                    members.append(totals[(btype, cat)])
                else:
                    members.extend(parts.get((btype, cat), []))
            members.extend(parts.get((btype, None), []))
        if not members:
            continue
        label = f"{btype}" + (f"·{category}" if category else "") + "合计"
        for field_name, header_key in (("actual", "actual"), ("budget", "budget")):
            stated = total[field_name]
            vals = [m[field_name] for m in members]
            if stated is None or any(v is None for v in vals):
                continue
            computed = sum(Decimal(repr(v)) for v in vals)
            diff = float(Decimal(repr(stated)) - computed)
            # Half a unit of the last stated digit per part (the rule).
            tol = _amount_tolerance([m[f"{field_name}_decimals"] for m in members])
            col = sh.header.get(header_key, header_key)
            entry = {
                "file": sh.raw.file,
                "sheet": sh.raw.sheet,
                "row": total["src_row"],
                "column": col,
                "stated": stated,
                "computed": float(computed),
                "difference": round(diff, 6),
                "tolerance": round(tol, 6),
            }
            if abs(diff) > tol + 1e-9:
                sh.err(
                    total["src_row"],
                    header_key,
                    f"{label}与分项之和不符：分项之和为 {float(computed):g} 万元，相差 "
                    f"{diff:+.6g} 万元，超出舍入误差 {tol:g} 万元",
                    value=f"{stated:g}",
                    expected="合计等于各分项之和",
                )
            elif abs(diff) > 1e-9:
                entry["message"] = (
                    f"{label}（{col}）原表为 {stated:g} 万元，分项之和为 {float(computed):g} 万元，"
                    f"相差 {diff:+.6g} 万元，在舍入误差内，报告采用原表数字"
                )
                ctx.reconciled.append(entry)
            else:
                entry["message"] = f"{label}（{col}）{stated:g} 万元与分项之和一致"
                ctx.reconciled.append(entry)


def _clean_sangong(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "item")
        item = sh.enum(number, values, "item", sc.SANGONG_ITEMS)
        (budget, bdec), (actual, adec), has_actual = sh.budget_and_actual(number, values)
        ok = ok and has_actual
        if ok and item is not None and actual is not None:
            records.append(
                {
                    "item": item,
                    "budget": budget,
                    "budget_decimals": bdec,
                    "actual": actual,
                    "actual_decimals": adec,
                    **sh.src(number),
                }
            )
    return _frame(
        records,
        {
            "item": "str",
            "budget": "float64",
            "budget_decimals": "Int64",
            "actual": "float64",
            "actual_decimals": "Int64",
        },
    )


_ID_SPLIT = re.compile(r"[、,，;；\s]+")
_ACTIVITY_COLUMNS = {
    "event_id": "str",
    "category": "str",
    "category_order": "int64",
    "listing_order": "int64",
    "name": "str",
    "start_date": "date",
    "end_date": "date",
    "period": "str",
    "place": "str",
    **{
        k: t
        for m, _ in sc.COUNT_MEASURES
        for k, t in ((m, "Int64"), (f"{m}_q", "str"), (f"{m}_text", "str"))
    },
    "effect": "str",
    "includes": "str",
    "note": "str",
}


def _clean_activities(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    year = ctx.year
    records = []
    category_order: dict[str, int] = {}
    all_ids: set[str] = set()  # also of rows with other problems: 包含 may name them
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, k) for k in ("category", "name", "start_date")])
        rec: dict[str, Any] = {}
        explicit = sh.text(number, values, "event_id")
        rec["explicit_id"] = explicit
        if explicit is not None:
            all_ids.add(explicit)
        rec["event_id"] = explicit if explicit is not None else f"行{number}"
        rec["category"] = sh.text(number, values, "category", prose=True)
        rec["name"] = sh.text(number, values, "name", prose=True)
        start = sh.date(number, values, "start_date", year)
        end = sh.date(number, values, "end_date", year)
        for key, d in (("start_date", start), ("end_date", end)):
            if d is not None and d.year != year:
                sh.err(
                    number,
                    key,
                    f"不在 {year} 年内",
                    value=d.isoformat(),
                    expected=f"{year}-01-01 至 {year}-12-31 之间的日期",
                )
                ok = False
        if start is not None and end is not None and end < start:
            sh.err(
                number,
                "end_date",
                f"早于开始日期 {start.isoformat()}",
                value=end.isoformat(),
                expected="不早于开始日期",
            )
            ok = False
        rec["start_date"], rec["end_date"] = start, end
        rec["period"] = sh.enum(number, values, "period", sc.PERIODS)
        if sh.get(values, "period") is not None and rec["period"] is None:
            ok = False
        rec["place"] = sh.text(number, values, "place", prose=True)
        for measure, _header in sc.COUNT_MEASURES:
            n, q, text = sh.count(number, values, measure)
            if sh.get(values, measure) is not None and text is None:
                ok = False
            rec[measure], rec[f"{measure}_q"], rec[f"{measure}_text"] = n, q, text
        rec["effect"] = sh.text(number, values, "effect", prose=True)
        raw_includes = sh.text(number, values, "includes")
        rec["include_list"] = [i for i in _ID_SPLIT.split(raw_includes or "") if i]
        rec["includes"] = "、".join(rec["include_list"]) or None
        rec["note"] = sh.text(number, values, "note", prose=True)
        rec.update(sh.src(number))
        if not ok or start is None:
            continue
        if rec["category"] not in category_order:
            category_order[rec["category"]] = len(category_order) + 1
        rec["category_order"] = category_order[rec["category"]]
        rec["listing_order"] = len(records) + 1
        records.append(rec)
    _check_listings(sh, ctx, records, all_ids)
    return _frame(records, _ACTIVITY_COLUMNS)


def _check_listings(sh: _Sheet, ctx: _Ctx, records: list[dict], all_ids: set[str]) -> None:
    """Rows sharing 编号 must agree on counts; 包含 must name existing 编号s."""
    by_id: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        if rec["explicit_id"] is not None:
            by_id[rec["event_id"]].append(rec)
    for event_id, listings in by_id.items():
        if len(listings) < 2:
            continue
        seen_cat: dict[str, int] = {}
        for rec in listings:
            if rec["category"] in seen_cat:
                sh.err(
                    rec["src_row"],
                    "category",
                    f"编号「{event_id}」在同一类别下已列于第{seen_cat[rec['category']]}行",
                    value=rec["category"],
                    expected="同一活动在每个类别下只列一行",
                )
            seen_cat.setdefault(rec["category"], rec["src_row"])
        for measure, _header in sc.COUNT_MEASURES:
            first = None
            for rec in listings:
                if rec[measure] is None:
                    continue
                if first is None:
                    first = rec
                elif rec[measure] != first[measure] or rec[f"{measure}_q"] != first[f"{measure}_q"]:
                    sh.err(
                        rec["src_row"],
                        measure,
                        f"编号「{event_id}」的另一行（第{first['src_row']}行）填写的是 "
                        f"{first[f'{measure}_text']}，同一活动的各行数字不一致",
                        value=rec[f"{measure}_text"],
                        expected="同一编号的各行填写相同数字，或只在一行填写",
                    )
    ids = set(by_id)
    for rec in records:
        members = rec["include_list"]
        if any(m not in ids and m in all_ids for m in members):
            continue  # a member row has its own problem, already reported
        for member in members:
            if member == rec["event_id"]:
                sh.err(
                    rec["src_row"],
                    "includes",
                    "汇总行不能包含自己的编号",
                    value=member,
                    expected="本表中其他活动的编号",
                )
            elif member not in ids:
                sh.err(
                    rec["src_row"],
                    "includes",
                    f"编号「{member}」在本表中不存在",
                    value=rec["includes"],
                    expected="已有：" + "、".join(sorted(ids)[:20]),
                )
        if not members or any(m not in ids for m in members):
            continue
        for measure, header in sc.COUNT_MEASURES:
            if measure == "sessions":
                continue
            stated = rec[measure]
            member_vals = [by_id[m][0][measure] for m in members]
            known = [v for v in member_vals if v is not None]
            if stated is None or not known:
                continue
            computed = sum(known)
            if computed != stated:
                ctx.reconciled.append(
                    {
                        "file": sh.raw.file,
                        "sheet": sh.raw.sheet,
                        "row": rec["src_row"],
                        "column": sh.header.get(measure, header),
                        "stated": stated,
                        "computed": computed,
                        "difference": stated - computed,
                        "message": f"汇总行「{rec['name']}」的{header}为 {rec[f'{measure}_text']}，"
                        f"所含活动（{rec['includes']}）合计 {computed}；年度合计取两者中较大者 "
                        f"{max(stated, computed)}",
                    }
                )


def _clean_holdings(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    seen: dict[int, int] = {}
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, "year"), sh.required(number, values, "holdings")])
        year = sh.integer(number, values, "year")
        holdings = sh.integer(number, values, "holdings")
        added = sh.integer(number, values, "added")
        if year is not None and year > ctx.year:
            sh.err(
                number,
                "year",
                f"晚于报告年度 {ctx.year}",
                value=year,
                expected=f"不晚于 {ctx.year} 的年份",
            )
            ok = False
        if year is not None and year in seen:
            sh.err(number, "year", f"与第{seen[year]}行重复", value=year, expected="每年一行")
            ok = False
        for key, v in (("holdings", holdings), ("added", added)):
            if v is not None and v < 0:
                sh.err(number, key, "不能为负数", value=v, expected="不小于0的整数")
                ok = False
        if not ok or year is None or holdings is None:
            continue
        seen[year] = number
        records.append(
            {
                "year": year,
                "holdings": holdings,
                "added": added,
                "note": sh.text(number, values, "note", prose=True),
                **sh.src(number),
            }
        )
    if records and ctx.year not in seen:
        ctx.warn(f"「馆藏」没有报告年度 {ctx.year} 的数据", file=sh.raw.file, sheet=sh.raw.sheet)
    records.sort(key=lambda r: r["year"])
    for prev, rec in itertools.pairwise(records):
        if rec["added"] is None or rec["year"] != prev["year"] + 1:
            continue
        growth = rec["holdings"] - prev["holdings"]
        if growth != rec["added"]:
            ctx.warn(
                f"「馆藏」{rec['year']} 年本年新增 {rec['added']} 册，与年末藏量之差 {growth} 册"
                "不同（可能有剔旧或统计口径变化）",
                file=sh.raw.file,
                sheet=sh.raw.sheet,
                row=rec["src_row"],
                column=sh.header.get("added", "本年新增（册）"),
                stated=rec["added"],
                computed=growth,
                difference=rec["added"] - growth,
            )
    return _frame(records, {"year": "int64", "holdings": "Int64", "added": "Int64", "note": "str"})


def _clean_digital(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "service")
        raw_value = sh.get(values, "value")
        value, _ = sh.number(number, values, "value")
        if raw_value is not None and value is None:
            ok = False
        if ok:
            records.append(
                {
                    "service": sh.text(number, values, "service", prose=True),
                    "indicator": sh.text(number, values, "indicator", prose=True),
                    "value": value,
                    "unit": sh.text(number, values, "unit"),
                    "note": sh.text(number, values, "note", prose=True),
                    **sh.src(number),
                }
            )
    return _frame(
        records,
        {"service": "str", "indicator": "str", "value": "float64", "unit": "str", "note": "str"},
    )


def _clean_satisfaction(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        before = len(ctx.problems)
        ok = sh.required(number, values, "survey")
        sample = sh.integer(number, values, "sample")
        satisfied = sh.integer(number, values, "satisfied")
        raw_rate = sh.get(values, "rate")
        if isinstance(raw_rate, str):
            raw_rate = raw_rate.replace("%", "").replace("％", "")
        try:
            rate, rate_dec = parse_number(raw_rate)
        except ParseError as exc:
            sh.err(
                number,
                "rate",
                exc.args[0],
                value=sh.get(values, "rate"),
                expected="0 到 100 之间的百分数，如 98.92",
            )
            continue
        for key, v in (("sample", sample), ("satisfied", satisfied)):
            if v is not None and v < 0:
                sh.err(number, key, "不能为负数", value=v, expected="不小于0的整数")
                ok = False
        if sample is not None and satisfied is not None and satisfied > sample:
            sh.err(
                number,
                "satisfied",
                f"满意数大于样本数 {sample}",
                value=satisfied,
                expected="满意数不大于样本数",
            )
            ok = False
        if sample == 0:
            sh.err(number, "sample", "样本数为 0，无法计算满意度", value=0, expected="大于0的整数")
            ok = False
        if rate is not None and rate > 100:
            sh.err(
                number,
                "rate",
                "满意度超过 100%",
                value=sh.get(values, "rate"),
                expected="0 到 100 之间的百分数",
            )
            ok = False
        has_counts = sample is not None and satisfied is not None
        if rate is None and not has_counts and len(ctx.problems) == before:
            sh.err(
                number,
                "rate",
                "既没有满意度，也没有完整的样本数和满意数",
                show_value=False,
                expected="填写样本数和满意数，或填写满意度（%）",
            )
            ok = False
        if not ok:
            continue
        stated = rate is not None
        if has_counts:
            computed = satisfied / sample * 100
            if stated:
                tol = 0.5 * 10 ** -(rate_dec or 0)
                if abs(computed - rate) > tol + 1e-9:
                    sh.err(
                        number,
                        "rate",
                        f"与满意数/样本数（{satisfied}/{sample} = {computed:.4f}%）不符",
                        value=sh.get(values, "rate"),
                        expected=f"按所填精度与 {computed:.{rate_dec or 0}f} 一致",
                    )
                    continue
            else:
                rate = computed
        records.append(
            {
                "survey": sh.text(number, values, "survey", prose=True),
                "sample": sample,
                "satisfied": satisfied,
                "rate": rate,
                "rate_decimals": rate_dec if stated else None,
                "rate_stated": stated,
                **sh.src(number),
            }
        )
    return _frame(
        records,
        {
            "survey": "str",
            "sample": "Int64",
            "satisfied": "Int64",
            "rate": "float64",
            "rate_decimals": "Int64",
            "rate_stated": "bool",
        },
    )


def _number_in_text(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.findall(_NUM, to_halfwidth(text))
    if len(found) != 1:
        return None
    return float(found[0].replace(",", ""))


def _clean_targets(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    total_weight = 0.0
    for number, values in sh.raw.rows:
        ok = all(
            [
                sh.required(number, values, k)
                for k in ("level1", "level2", "level3", "direction", "target", "weight")
            ]
        )
        direction = sh.enum(number, values, "direction", sc.DIRECTIONS)
        target_text = sh.text(number, values, "target")
        actual_text = sh.text(number, values, "actual")
        target, actual = _number_in_text(target_text), _number_in_text(actual_text)
        weight, _ = sh.number(number, values, "weight")
        assessment = sh.enum(number, values, "assessment", sc.ASSESSMENTS)
        score, _ = sh.number(number, values, "score")
        if direction is None or weight is None:
            ok = False
        elif direction == "定性":
            if assessment is None and sh.get(values, "assessment") is None:
                sh.err(
                    number,
                    "assessment",
                    "定性指标须填写评价",
                    show_value=False,
                    expected="、".join(sc.ASSESSMENTS),
                )
                ok = False
            if score is not None and score > weight:
                sh.err(
                    number, "score", f"得分超过分值 {weight:g}", value=score, expected="不超过分值"
                )
                ok = False
        else:
            if target_text is not None and target is None:
                sh.err(
                    number,
                    "target",
                    "定量指标的目标值须是一个数字",
                    value=target_text,
                    expected="一个数字，如 95 或 95%",
                )
                ok = False
            if actual_text is not None and actual is None:
                sh.err(
                    number,
                    "actual",
                    "定量指标的实际值须是一个数字",
                    value=actual_text,
                    expected="一个数字，未知时留空",
                )
                ok = False
            if score is not None:
                ctx.warn(
                    f"{sh.raw.file}「绩效目标」第{number}行：定量指标的得分由程序计算，"
                    "所填得分仅保留不使用",
                    file=sh.raw.file,
                    sheet=sh.raw.sheet,
                    row=number,
                )
        if not ok:
            continue
        total_weight += weight
        records.append(
            {
                "level1": sh.text(number, values, "level1", prose=True),
                "level2": sh.text(number, values, "level2", prose=True),
                "level3": sh.text(number, values, "level3", prose=True),
                "direction": direction,
                "target": target,
                "target_text": target_text,
                "actual": actual,
                "actual_text": actual_text,
                "unit": sh.text(number, values, "unit"),
                "weight": weight,
                "assessment": assessment,
                "score": score,
                "deviation_reason": sh.text(number, values, "deviation_reason", prose=True),
                "measures": sh.text(number, values, "measures", prose=True),
                **sh.src(number),
            }
        )
    if total_weight > 100 + 1e-9:
        sh.err(
            None,
            "weight",
            f"分值合计 {total_weight:g} 超过 100",
            value=f"{total_weight:g}",
            expected="分值合计不超过 100",
        )
    return _frame(
        records,
        {
            "level1": "str",
            "level2": "str",
            "level3": "str",
            "direction": "str",
            "target": "float64",
            "target_text": "str",
            "actual": "float64",
            "actual_text": "str",
            "unit": "str",
            "weight": "float64",
            "assessment": "str",
            "score": "float64",
            "deviation_reason": "str",
            "measures": "str",
        },
    )


def _clean_texts(sh: _Sheet, ctx: _Ctx) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "section")
        section = sh.enum(number, values, "section", sc.TEXT_SECTIONS)
        title = sh.text(number, values, "title", prose=True)
        content = sh.text(number, values, "content", prose=True)
        if content is None and title is None:
            sh.err(
                number,
                "content",
                "内容和标题都为空",
                show_value=False,
                expected="填写内容（只改小节标题时可只填标题）",
            )
            ok = False
        if ok and section is not None:
            records.append(
                {
                    "section": section,
                    "title": title,
                    "content": content or "",
                    "order": len(records) + 1,
                    **sh.src(number),
                }
            )
    return _frame(records, {"section": "str", "title": "str", "content": "str", "order": "int64"})


_STATED_SEP = re.compile(r"[·•・.．]")


def _clean_stated(sh: _Sheet, ctx: _Ctx, categories: list[str]) -> pd.DataFrame:
    records = []
    forms = (
        "年度指标："
        + "、".join(sc.STATED_YEARLY_KEYS)
        + "；或「类别·度量」，度量为："
        + "、".join(sc.STATED_CATEGORY_MEASURES)
    )
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, "indicator"), sh.required(number, values, "value")])
        indicator = sh.text(number, values, "indicator")
        value, _ = sh.number(number, values, "value")
        if indicator is not None:
            parts = _STATED_SEP.split(indicator)
            if len(parts) == 1 and indicator in sc.STATED_YEARLY_KEYS:
                pass
            elif len(parts) == 2 and parts[1] in sc.STATED_CATEGORY_MEASURES:
                if parts[0] not in categories:
                    sh.err(
                        number,
                        "indicator",
                        f"类别「{parts[0]}」在「活动」表中不存在",
                        value=indicator,
                        expected="「活动」表中的类别：" + "、".join(categories),
                    )
                    ok = False
                indicator = f"{parts[0]}{sc.STATED_SEPARATOR}{parts[1]}"
            else:
                sh.err(number, "indicator", "不是可识别的指标", value=indicator, expected=forms)
                ok = False
        if ok and value is not None:
            records.append(
                {
                    "indicator": indicator,
                    "value": value,
                    "unit": sh.text(number, values, "unit"),
                    "note": sh.text(number, values, "note", prose=True),
                    **sh.src(number),
                }
            )
    return _frame(records, {"indicator": "str", "value": "float64", "unit": "str", "note": "str"})


_CLEANERS = {
    "unit": _clean_unit,
    "spending": _clean_spending,
    "sangong": _clean_sangong,
    "activities": _clean_activities,
    "holdings": _clean_holdings,
    "digital": _clean_digital,
    "satisfaction": _clean_satisfaction,
    "targets": _clean_targets,
    "texts": _clean_texts,
}


# ---------------------------------------------------------------- the year


def clean_year(raw_dir: Path, year: int) -> CleanResult:
    """Clean one year's raw input into typed tables; raises `InputError` with every problem."""
    raw_dir = Path(raw_dir)
    raw = sio.find_raw_files(raw_dir)
    ctx = _Ctx(year=year)
    ctx.problems.extend(raw.problems)
    tables: dict[str, pd.DataFrame] = {}
    stated: _Sheet | None = None
    if raw.kind:
        where = raw.files[0].name if raw.kind == "xlsx" else None
        for spec in sc.SHEETS:
            sheet = raw.sheets.get(spec.name)
            file_name = where or f"{spec.name}.csv"
            if sheet is None:
                if spec.required:
                    ctx.problems.append(
                        problem(
                            file_name,
                            spec.name,
                            None,
                            None,
                            "缺少工作表" if raw.kind == "xlsx" else "缺少文件",
                            expected=(
                                "工作簿中应有工作表「" if raw.kind == "xlsx" else "目录中应有「"
                            )
                            + (spec.name if raw.kind == "xlsx" else f"{spec.name}.csv")
                            + "」",
                        )
                    )
                continue
            if sheet.unreadable:
                continue
            if not sheet.headers and not sheet.rows:
                if spec.required:
                    ctx.problems.append(
                        problem(
                            sheet.file,
                            sheet.sheet,
                            None,
                            None,
                            "工作表为空",
                            expected="第1行为表头，其下为数据",
                        )
                    )
                continue
            bound = _Sheet(sheet, spec, ctx)
            if not bound.ok:
                continue
            if not sheet.rows:
                if spec.required:
                    ctx.problems.append(
                        problem(
                            sheet.file,
                            sheet.sheet,
                            None,
                            None,
                            "只有表头，没有数据行",
                            expected="至少一行数据",
                        )
                    )
                continue
            if spec.table == "stated":
                stated = bound  # checked against the activities' categories below
                continue
            tables[spec.table] = _CLEANERS[spec.table](bound, ctx)
        if stated is not None:
            cats: list[str] = []
            if "activities" in tables:
                cats = list(dict.fromkeys(tables["activities"]["category"].tolist()))
            tables["stated"] = _clean_stated(stated, ctx, cats)
        known = set(sc.SHEETS_BY_NAME) | {"填表说明"}
        for name, sheet in raw.sheets.items():
            if name not in known and (sheet.rows or sheet.headers):
                ctx.warn(
                    f"{sheet.file}：表「{name}」不是约定的表，已忽略", file=sheet.file, sheet=name
                )
    for name in raw.ignored:
        ctx.warn(f"{raw_dir.name}/{name} 不是 .xlsx 或 .csv 文件，已忽略", file=name)
    if ctx.problems or not raw.kind:
        raise InputError(ctx.problems, year)
    unit = tables["unit"].set_index("item")["value"]
    meta = {
        "year": year,
        "unit_name": unit.get("单位名称"),
        "data_date": unit.get("填报日期") if "填报日期" in unit.index else None,
        "sources": [{"file": p.name, "sha256": sio.sha256_file(p)} for p in raw.files],
        "contract_version": sc.CONTRACT_VERSION,
    }
    return CleanResult(tables=tables, checks=ctx.checks(), meta=meta, year=year)


def clean_cli(year: int) -> int:
    """``python -m selfeval clean --year N``: clean data/raw/N into data/processed/N atomically."""
    from selfeval import config

    raw_dir = config.raw_root() / str(year)
    out_dir = config.processed_root() / str(year)
    try:
        result = clean_year(raw_dir, year)
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        print(f"未写入 {out_dir}（原有内容保持不变）/ nothing written", file=sys.stderr)
        return 1
    write_path = sio.write_processed(result, out_dir)
    checks = result.checks
    print(f"{year} 年度数据清洗完成 / cleaned: {write_path}")
    for name, frame in result.tables.items():
        print(f"  {name}: {len(frame)} 行")
    print(
        f"  规范化 {len(checks['normalised'])} 类，核对 {len(checks['reconciled'])} 项，"
        f"提示 {len(checks['warnings'])} 条"
    )
    for warning in checks["warnings"]:
        print(f"  提示：{warning['message']}")
    return 0
