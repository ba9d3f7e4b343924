"""What every block builder shares: paragraphs, the analyst's prose, amounts in the report's
unit, the clauses of a budget line, and charts with their data tables.

A block builder takes the formatted context (`selfeval.present.context`) and the anchor of its
section and returns blocks; it decides wording, never layout, and it never sums: every figure
it states comes computed from the figures layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from selfeval.present.context import NoChart, ReportContext, ReportFigure
from selfeval.present.document import Block, Column, Figure, Note, Paragraph, Row, Table
from selfeval.present.formats import NOT_GIVEN, money, money_number, pct

BlockBuilder = Callable[[ReportContext, str], list[Block]]
#: Width of a chart in the Word file and the PDF (the text block is 156 mm).
FIGURE_WIDTH_MM = 156.0


def t(value: Any) -> str:
    """Text of a value as a sentence shows it; nothing for an unknown value."""
    return "" if value is None else str(value)


def get(item: Any, name: str) -> Any:
    """A field of a figures record, stored as a dataclass or (after JSON) as a dict."""
    return item[name] if isinstance(item, dict) else getattr(item, name)


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]"
#: Half-width punctuation next to Chinese text, and its full-width form.
#: (Brackets are left as written: 「维修(护)费」 is the name of an economic class.)
_FULL_WIDTH = {";": "；", ",": "，", ":": "：", "?": "？", "!": "！"}
_HALF_IN_CJK = re.compile(rf"(?<={_CJK})\s*([;,:?!])(?!\d)")
#: A range of numbers before 年/月/日 written with a hyphen, tilde or spaced dash.
_RANGE = re.compile(r"(\d+)\s*[-–~～—－]\s*(\d+)(?=\s*[年月日号])")


def clerk_text(text: str) -> str:
    """Prose as a clerk types it: full-width punctuation in Chinese text (「服务;负责」 →
    「服务；负责」), one dash for ranges (「2021 - 2024年」 → 「2021—2024年」, as dates are
    written), and quotes inside quotes single (“…‘…’…”). The unit's words stay its own."""
    text = _HALF_IN_CJK.sub(lambda m: _FULL_WIDTH[m[1]], text)
    text = _RANGE.sub(r"\1—\2", text)
    out, depth = [], 0
    for ch in text:
        if ch == "“":
            depth += 1
            out.append("‘" if depth % 2 == 0 else ch)
        elif ch == "”" and depth:
            out.append("’" if depth % 2 == 0 else ch)
            depth -= 1
        else:
            out.append(ch)
    return "".join(out)


def p(text: str, kind: str = "") -> Paragraph:
    return Paragraph.of(clerk_text(text), kind=kind)


def sentence(text: str) -> str:
    """`text` ending in a full stop (prose from data may or may not have one; a list item the
    source closed with 「；」 or 「，」 ends as a sentence)."""
    text = re.sub(rf"(?<={_CJK})[;,]$", "", text.rstrip()).rstrip("；，、")
    return text if text.endswith(("。", "！", "？", "…")) else text + "。"


def paragraphs(items: Iterable[str], numbered: bool = False) -> list[Block]:
    """The analyst's paragraphs, each ending in a full stop; numbered 1. 2. … (no space after
    the point, as 「1.」 is written) when asked and there are several."""
    items = [sentence(text) for text in items]
    number = numbered and len(items) > 1
    return [p(f"{i}.{text}" if number else text) for i, text in enumerate(items, 1)]


def texts(ctx: ReportContext, key: str) -> list[str]:
    """The 文字说明 paragraphs of `key` (none when the data has none)."""
    return list(ctx.texts.get(key, {}).get("paragraphs", []))


# --------------------------------------------------------------------------- amounts


def amount(ctx: ReportContext, value: float | None, decimals: int | None = None) -> str:
    """An amount in the report's unit at the source's precision: 69.78万元, or 未填报."""
    return money(value, decimals, ctx.amount_unit)


def number(ctx: ReportContext, value: float | None, decimals: int | None = None) -> str:
    """An amount as a table cell (the unit is in the caption): 69.78, or 未填报."""
    return money_number(value, decimals, ctx.amount_unit)


def signed(ctx: ReportContext, value: float | None, decimals: int | None = None) -> str:
    """An amount with its sign: +3.20万元, -1.05万元."""
    text = amount(ctx, value, decimals)
    return f"+{text}" if value is not None and value > 0 else text


def actual_of(ctx: ReportContext, line: Any) -> str:
    return amount(ctx, line.actual, line.actual_decimals)


def budget_clauses(
    ctx: ReportContext, line: Any, rate: str = "执行率", stated_rate: str | None = None
) -> list[str]:
    """What a line states about its budget: 年初预算数, 全年预算数 (and the adjustment), the
    rate against 全年预算数 — or, with only 年初预算数, the difference from it. `stated_rate`
    is the rate the unit itself wrote for this line (「91.5%」), stated instead of the program's."""
    out = []
    if line.original_budget is not None:
        out.append(f"年初预算数{amount(ctx, line.original_budget, line.original_decimals)}")
    if line.budget is not None:
        label = "全年预算数" if line.original_budget is not None else "预算数"
        out.append(f"{label}{amount(ctx, line.budget, line.budget_decimals)}")
        if line.adjustment:
            decimals = _least(line.budget_decimals, line.original_decimals)
            out.append(f"预算调整{signed(ctx, line.adjustment, decimals)}")
    if stated_rate is not None:
        out.append(f"{rate}{stated_rate}")
    elif line.rate is not None:
        out.append(f"{rate}{pct(line.rate)}")
    elif line.budget is None and line.original_difference is not None:
        decimals = _least(line.actual_decimals, line.original_decimals)
        difference = f"执行数与年初预算数相差{signed(ctx, line.original_difference, decimals)}"
        if line.original_difference_rate is not None:
            difference += f"（差异率{pct(line.original_difference_rate)}）"
        out.append(difference)
    return out


def budget_part(ctx: ReportContext, line: Any, rate: str = "执行率") -> str:
    """The budget clauses in brackets after an amount, or nothing."""
    clauses = budget_clauses(ctx, line, rate)
    return f"（{'，'.join(clauses)}）" if clauses else ""


def missing_note(line: Any, what: str = "执行数") -> str:
    """「（其中A、B执行数未填报，未计入）」 for a sum over parts some of which are not given."""
    if not line.missing_actual:
        return ""
    return f"（其中{'、'.join(line.missing_actual)}{what}{NOT_GIVEN}，未计入）"


def _least(*decimals: int | None) -> int | None:
    known = [d for d in decimals if d is not None]
    return min(known) if known else None


# --------------------------------------------------------------------------- figures


def figure(fig: ReportFigure, data: Table | None = None) -> Figure | Note:
    """A chart with its data table (first column names the row, the others are numbers; or
    `data`, a table the chart states in full), or — for a chart of which the data gives no
    value — the 底稿's sentence saying why there is none. The data table is the 底稿's: the
    报送稿 shows the chart, whose labels carry its figures (`Document.submitted`)."""
    if isinstance(fig, NoChart):
        return Note(fig.note, review=True)
    if data is None:
        columns = (Column(width=2.0), *(Column.numeric() for _ in fig.headers[1:]))
        data = Table(
            caption="",
            columns=columns,
            header=(Row.of(*fig.headers),),
            body=tuple(Row.of(*row) for row in fig.rows),
            numbered=False,
            kind="chart-data",
            row_headers=True,
        )
    else:
        data = replace(data, numbered=False)
    return Figure(
        png=fig.png,
        caption=f"{fig.title}。数据来源：{fig.source}。",
        alt=f"{fig.title}：{fig.alt}",
        width_mm=FIGURE_WIDTH_MM,
        data=data,
        anchor=f"fig-{fig.key}",
    )


def not_given(text: str) -> Note:
    """A sentence saying the data gives nothing here (「…未填报。」): the 审核底稿's, since the
    报送稿 leaves out what the data lacks (a required item makes the year a 草稿 instead)."""
    return Note(text, review=True)
