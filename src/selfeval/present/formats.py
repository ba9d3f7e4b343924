"""The one formatter: numbers, amounts, percentages, counts and dates as official documents
write them (half-up rounding, 万元 with two decimals, 2月18—20日)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval.figures import Count, Total
from selfeval.rules import is_missing, quantize_half_up

CN_DIGITS = "零一二三四五六七八九"


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
    return f"{text}万元" if text else "未填报"


def pct(value: float | None, decimals: int = 2) -> str:
    """Percentage with two decimals: 98.92 → "98.92%"."""
    text = decimal_text(value, decimals)
    return f"{text}%" if text else "—"


def count_text(count: Count | Total | int | None, unit: str = "") -> str:
    """A count with its qualifier and unit, as the source wrote it: "约300人次", "4000多份"."""
    if count is None:
        return ""
    if isinstance(count, Count):
        if not count.known:
            return ""
        return f"{count.text}{unit}"
    if isinstance(count, Total):
        return f"{'约' if count.approximate else ''}{count.value}{unit}"
    return f"{int(count)}{unit}"


def cn_date(start: Any, end: Any = None) -> str:
    """Dates as official documents write them: 2月2日, 2月18—20日, 4月30日—5月2日."""
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
