"""A raw sheet bound to its contract: headers found (any order, amount units read from them),
each cell read through `selfeval.clean.values` with problems located by file, sheet, Excel row
and column; `Context` collects the problems, normalisation notes, reconciliations and warnings
of a year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.clean.values import (
    _FULLWIDTH_ALNUM,
    INVISIBLE,
    XML_ILLEGAL,
    norm_key,
    parse_amount,
    parse_count,
    parse_date,
    parse_number,
    trim,
    xml_illegal_problem,
)
from selfeval.contract import sheets as sc
from selfeval.contract.limits import MAX_PROBLEMS_PER_SHEET
from selfeval.errors import ParseError, Problem, problem
from selfeval.read import BadCell, RawSheet
from selfeval.read.xlsx import column_letter
from selfeval.rules import visible


@dataclass
class Context:
    """What cleaning a year collects: problems, notes, reconciliations, warnings, and the unit's
    settings (单位概况 items that later sheets' rules depend on, e.g. 预算执行率分值)."""

    year: int
    problems: list[Problem] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    normalised: dict[tuple, dict] = field(default_factory=dict)
    reconciled: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def note_normalised(self, sheet: BoundSheet, column: str, what: str, example: str) -> None:
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

    @property
    def amount_unit(self) -> str:
        """The unit the report states amounts in (单位概况 金额单位: 万元 unless it says 元): a
        数据核对 label names it, as its figures are shown in it."""
        return "元" if self.settings.get("金额单位") == "元" else "万元"

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


def headerless_columns(raw: RawSheet) -> list[int]:
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


class BoundSheet:
    """A raw sheet bound to its spec: column index by key, amount units, row access."""

    def __init__(self, raw: RawSheet, spec: sc.SheetSpec, ctx: Context):
        self.raw = raw
        self.spec = spec
        self.ctx = ctx
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        self.unit: dict[str, str] = {}
        #: (Excel row, column index) of cells holding a `BadCell`: reported once, by the reader
        #: or by `_report_pending`, so nothing the cleaner says about them is said again.
        self.bad: set[tuple[int, int]] = set()
        self.ok = self._bind()
        if self.ok:
            self._report_pending()

    def _report_pending(self) -> None:
        """Report the reader's deferred cell problems in the columns the contract uses."""
        used = set(self.index.values())
        pending = []
        for number, values in self.raw.rows:
            for idx, value in enumerate(values):
                if type(value) is BadCell:
                    self.bad.add((number, idx))
                    if value.pending is not None and idx in used:
                        pending.append(value.pending)
                elif idx in used and isinstance(value, str) and XML_ILLEGAL.search(value):
                    pending.append(self._illegal_text(number, idx, value))
                    values[idx] = BadCell(visible(value), "xml-illegal")  # filled, unusable
                    self.bad.add((number, idx))
        self.ctx.problems.extend(pending[:MAX_PROBLEMS_PER_SHEET])
        if len(pending) > MAX_PROBLEMS_PER_SHEET:
            self.ctx.problems.append(
                problem(
                    self.raw.file,
                    self.raw.sheet,
                    None,
                    None,
                    f"还有 {len(pending) - MAX_PROBLEMS_PER_SHEET} 个单元格问题未列出"
                    f"（只列出前 {MAX_PROBLEMS_PER_SHEET} 个）",
                )
            )

    def _illegal_text(self, number: int, idx: int, value: str) -> Problem:
        """A cell holding characters report.docx cannot store: said here, located, rather than
        the whole year failing at the Word writer with no cell named."""
        exc = xml_illegal_problem(value)
        assert exc is not None
        return problem(
            self.raw.file,
            self.raw.sheet,
            number,
            self.raw.headers[idx] if idx < len(self.raw.headers) else None,
            exc.args[0],
            expected=exc.args[1],
            value=visible(value),
            cell=f"{column_letter(idx)}{number}",
        )

    def rejected(self, row: int | None = None) -> bool:
        """Whether the reader rejected a cell (a `BadCell`) in a column the contract uses, in
        `row` or anywhere in the sheet: a check over rows (合计, 满意度) would then only repeat
        that problem in other words (one root cause, one message)."""
        used = set(self.index.values())
        return any(idx in used and (row is None or r == row) for r, idx in self.bad)

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
        if row is not None and key in self.index and (row, self.index[key]) in self.bad:
            return  # the cell's value was already reported (a `BadCell`)
        column = self.header.get(key, None) if key else None
        if key and column is None:
            column = self.spec.column(key).display()
        cell = None
        if key in self.index and row is not None:
            cell = f"{column_letter(self.index[key])}{row}"
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
                cell=cell,
            )
        )

    def _bind(self) -> bool:  # noqa: C901 - every header rule of the contract, in reading order
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
        wanted = {
            norm_key(h): c for c in spec.columns if not c.has_unit for h in (c.header, *c.aliases)
        }
        amount = {
            norm_key(h): c for c in spec.columns if c.has_unit for h in (c.header, *c.aliases)
        }
        unknown = []
        ok = True
        for idx in headerless_columns(raw):
            self.ctx.problems.append(
                problem(
                    raw.file,
                    raw.sheet,
                    1,
                    None,
                    f"第{idx + 1}列（{column_letter(idx)}列）有数据但没有表头"
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
                    and any(
                        norm_key(h).startswith(norm_key(name))
                        for h in raw.headers
                        for name in (col.header, *col.aliases)
                    )
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
        """The trimmed cell value (None when blank). A `BadCell` is returned as it is: it is
        filled (never 「不能为空」) but unusable, and every typed accessor below skips it."""
        idx = self.index.get(key)
        if idx is None or idx >= len(values):
            return None
        value = values[idx]
        if isinstance(value, str) and INVISIBLE.search(value):
            # Zero-width and bidi controls make two identical-looking 类别 or 编号 differ, and
            # a shown value look right while it is not: removed, and said so.
            cleaned = INVISIBLE.sub("", value)
            self.ctx.note_normalised(
                self, self.header.get(key, key), "去掉不可见字符（零宽、方向控制）", repr(value)
            )
            value = cleaned
        return trim(value)

    def text(self, number: int, values: list[Any], key: str, *, prose: bool = False) -> str | None:
        """A text cell: trimmed; short fields also get full-width digits normalised. A percent
        cell reads as Excel shows it (``95.00%``)."""
        value = self.get(values, key)
        if value is None or type(value) is BadCell:
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
        if value is None or type(value) is BadCell:
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
        value = self.get(values, key)
        if type(value) is BadCell:
            return False  # filled, and already reported
        if value is None:
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
        if type(raw_value) is BadCell:
            return None, "", None
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
        if type(raw_value) is BadCell:
            return None, None
        try:
            return parse_number(raw_value)
        except ParseError as exc:
            self.err(number, key, exc.args[0], value=raw_value, expected=exc.args[1])
            return None, None

    def amount(self, number: int, values: list[Any], key: str) -> tuple[float | None, int | None]:
        raw_value = self.get(values, key)
        if type(raw_value) is BadCell:
            return None, None
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
        if type(raw_value) is BadCell:
            return None
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
        if type(raw_value) is BadCell:
            return None
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

    def src(self, number: int, values: list[Any] | None = None) -> dict[str, Any]:
        """Where a record comes from, and the clerk's 内部备注 (kept, never printed)."""
        out: dict[str, Any] = {
            "src_file": self.raw.file,
            "src_sheet": self.raw.sheet,
            "src_row": number,
        }
        if values is not None:
            out["internal_note"] = self.text(number, values, "internal_note", prose=True)
        return out


# ---------------------------------------------------------------- frame helpers


def frame(records: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """DataFrame with fixed columns and dtypes (str, Int64, float64, int64, bool, date)."""
    data = {}
    for name, kind in {
        **columns,
        "internal_note": "str",
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
