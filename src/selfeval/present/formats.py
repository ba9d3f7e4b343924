"""The one formatter: numbers, amounts, percentages, counts and dates as official documents
write them (half-up rounding, amounts in the unit's own unit and at the source's precision,
2月18—20日). A figure the data lacks is 「未填报」, never 0 and never 「无」."""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval.figures import Count, Total
from selfeval.figures.year import YoyRow
from selfeval.present.draft import NOT_GIVEN
from selfeval.rules import ESTIMATE, is_missing, money_str, quantize_half_up

CN_DIGITS = "零一二三四五六七八九"
#: Decimals of an amount whose source precision is unknown (sums of known parts keep theirs).
AMOUNT_DECIMALS = 2


def cn_number(n: int) -> str:
    """Chinese numeral for 1–99 as used in headings (1 → 一, 12 → 十二)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def decimal_text(value: float | None, decimals: int = 2) -> str:
    """`value` rounded half-up to `decimals` places, e.g. 63.44 → "63.44"; None → ""."""
    if value is None or is_missing(value):
        return ""
    return f"{quantize_half_up(value, decimals):f}"


def fixed(value: float | None, decimals: int = 2, missing: str = "—") -> str:
    """`decimal_text`, with `missing` for an unknown value (tables that need a mark)."""
    text = decimal_text(value, decimals)
    return text if text else missing


def grouped(value: float | None, decimals: int = 0, missing: str = "—") -> str:
    """A figure with thousands separators (index tables): 12,345 or 1,234.50."""
    if not isinstance(value, int | float) or isinstance(value, bool) or is_missing(value):
        return missing
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}"
    return f"{quantize_half_up(value, decimals):,.{decimals}f}"


def wan(value: float | None) -> str:
    """Amount in 万元 with two decimals: 69.78 → "69.78万元"."""
    text = decimal_text(value, 2)
    return f"{text}万元" if text else NOT_GIVEN


def money_number(value: float | None, decimals: Any = None, unit: str = "万元") -> str:
    """An amount held in 万元, as a number in `unit` at the precision the source stated.

    元: the 元 figure to the fen with thousands separators, 989,312.11 and 510,000.00.
    万元: at most two decimals, and never more than the source has (a source 0 stays 0, not
    0.00; 634400 元 is 63.44). Unknown precision: two decimals.
    """
    if value is None or is_missing(value):
        return NOT_GIVEN
    known = None if decimals is None or is_missing(decimals) else int(decimals)
    if unit == "元":  # 元 to the fen, as books in 元 are kept: 510,000.00
        return money_str(value, unit)
    places = AMOUNT_DECIMALS if known is None else min(known, AMOUNT_DECIMALS)
    return f"{quantize_half_up(value, places):.{places}f}"


def money(value: float | None, decimals: Any = None, unit: str = "万元") -> str:
    """`money_number` with its unit: 69.78万元, 989,312.11元, or 未填报."""
    text = money_number(value, decimals, unit)
    return text if text == NOT_GIVEN else f"{text}{unit}"


def pct(value: float | None, decimals: int = 2) -> str:
    """Percentage with two decimals: 98.92 → "98.92%"."""
    text = decimal_text(value, decimals)
    return f"{text}%" if text else "—"


def signed_pct(value: float) -> str:
    """A change as a percentage with its sign: +8.20%, -42.94%, 0.00%."""
    return ("+" if value > 0 else "") + pct(value)


def yoy_numbers(row: YoyRow, unit: str = "万元") -> tuple[str, str, str, str]:
    """上年, 本年, 增减 and 增减率 of a 同比 row, as every table and chart writes them: an
    amount in `unit` at the precision its source stated (`money_number`: 120.5 stays 120.5, 759
    stays 759), a count whole; 增减 at the precision of a sum of its two figures
    (`YoyRow.change_decimals`), signed; 增减率 with two decimals, as every rate (「—」 when the
    previous figure is 0)."""
    if row.unit == "万元":
        previous = money_number(row.previous, row.previous_decimals, unit)
        current = money_number(row.current, row.current_decimals, unit)
        change = money_number(row.change, row.change_decimals, unit)
    else:
        previous = _count_of(row.previous, row.previous_qualifier)
        current = _count_of(row.current, row.current_qualifier)
        change = whole(row.change)
    if row.change > 0 and change.strip("0.,"):  # +20.5; a change that rounds to 0 has no sign
        change = f"+{change}"
    rate = "—" if row.change_pct is None else signed_pct(row.change_pct)
    if row.approximate:  # the change of an approximate figure is approximate: 约+400, 约+1.74%
        change, rate = f"约{change}", (rate if rate == "—" else f"约{rate}")
    return previous, current, change, rate


def _count_of(value: float, qualifier: str) -> str:
    """A count of the 同比: whole, or an approximate sum as the text states it (23000余)."""
    return approximate_sum(round(value), qualifier) if qualifier else whole(value)


def whole(value: float | None) -> str:
    """A count of things (books, people, sessions) as whole things, rounded half up: an average
    of 4308.67册 a year is written 4309册, never 4308.67 (nobody adds two thirds of a book);
    "" when unknown."""
    return decimal_text(value, 0)


def count_text(count: Count | Total | int | None, unit: str = "") -> str:
    """A count with its qualifier and unit, as the source wrote it: "约300人次", "4000多份"."""
    if count is None:
        return ""
    if isinstance(count, Count):
        if not count.known:
            return ""
        return f"{count.text}{unit}"
    if isinstance(count, Total):
        return approximate_sum(count.value, count.qualifier) + unit
    return f"{int(count)}{unit}"


#: Significant figures an approximate sum is stated to: 4000多+400余+110+近千+2000 is not known
#: to the copy, so a clerk writes 7500余, not 约7510.
SUM_FIGURES = 2


def approximate_sum(value: int, qualifier: str) -> str:
    """A sum as a clerk states it. Exact parts: exact (3580). With a qualified part (约, 近, 余,
    多, 上 — `rules.combine_qualifiers`): two significant figures; when that drops non-zero digits
    the sum is 「N余」 (约7280 → 7200余, 1200多+300 → 1500余), else it keeps its own qualifier
    (约850, 6000余)."""
    if not qualifier:
        return str(value)
    step = 10 ** max(len(str(abs(value))) - SUM_FIGURES, 0)
    kept = value // step * step
    if kept != value:
        return f"{kept}余"
    return f"约{value}" if qualifier in ESTIMATE else f"{value}余"


def partial_note(total: Total | None, what: str = "项") -> str:
    """「（其中N项未填报）」 for a sum that leaves out parts the data does not give."""
    if total is None or not total.unknown_parts:
        return ""
    return f"（其中{total.unknown_parts}{what}未填报）"


def cn_date(start: Any, end: Any = None) -> str:
    """Dates as official documents write them: 2月2日, 2月18—20日, 4月30日—5月2日."""
    if start is None or is_missing(start):
        return ""
    start = pd.Timestamp(start)
    text = f"{start.month}月{start.day}日"
    if end is None or is_missing(end):
        return text
    end = pd.Timestamp(end)
    if end == start:
        return text
    if end.month == start.month:
        return f"{start.month}月{start.day}—{end.day}日"
    return f"{text}—{end.month}月{end.day}日"
