"""Format-neutral layout rules shared by the writers: text widths and table column widths.

A column must never be narrower than its header: a two-character header such as 「结果」 in a
squeezed column wraps one character per line. Short headers (up to `HEADER_NOWRAP_CHARS`
characters) are kept on one line; longer ones may wrap onto lines of at least that many
characters. Formatted numbers never wrap.
"""

from __future__ import annotations

import math
import unicodedata

from selfeval.present.document import Align, Table

HEADER_NOWRAP_CHARS = 6


def text_em(text: str) -> float:
    """Width of `text` in em: CJK and full-width characters 1 em, others about 0.55 em."""
    width = 0.0
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        width += 1.0 if wide else 0.55
    return width


def header_min_em(text: str) -> float:
    """Narrowest line a header may be broken into, in em."""
    longest = max((text_em(line) for line in text.split("\n")), default=0.0)
    if longest <= HEADER_NOWRAP_CHARS:
        return longest
    lines = math.ceil(longest / HEADER_NOWRAP_CHARS)
    return math.ceil(longest / lines)


def min_column_em(table: Table) -> list[float]:
    """Minimum content width of each column in em (cell padding not included)."""
    mins = [column.min_em for column in table.columns]
    for placed in table.grid():
        if placed.cell.colspan != 1:
            continue
        column = table.columns[placed.col]
        if placed.heading:
            need = header_min_em(placed.cell.text)
        elif (placed.cell.align or column.align) is Align.RIGHT:
            need = max((text_em(line) for line in placed.cell.text.split("\n")), default=0.0)
        else:
            continue
        mins[placed.col] = max(mins[placed.col], need)
    return mins


def column_widths(table: Table, total: float, em: float, padding: float) -> list[float]:
    """Column widths summing to `total` (any unit), in proportion to the columns' weights but
    none below its minimum content width (`em` and `padding` in the same unit as `total`).

    Raises ValueError when the minimums alone do not fit.
    """
    n = len(table.columns)
    mins = [m * em + 2 * padding + 0.5 * em for m in min_column_em(table)]
    if sum(mins) > total:
        raise ValueError(
            f"表「{table.caption}」的表头放不下：至少需要 {sum(mins):.0f}，可用 {total:.0f}"
            f" / table headers need {sum(mins):.0f} of {total:.0f}"
        )
    weights = [c.width for c in table.columns]
    widths = [total * w / sum(weights) for w in weights]
    for _ in range(n):
        short = [i for i in range(n) if widths[i] < mins[i] - 1e-9]
        if not short:
            break
        need = sum(mins[i] - widths[i] for i in short)
        for i in short:
            widths[i] = mins[i]
        donors = [i for i in range(n) if widths[i] > mins[i] + 1e-9]
        slack = sum(widths[i] - mins[i] for i in donors)
        for i in donors:
            widths[i] -= need * (widths[i] - mins[i]) / slack
    return widths
