"""Small helpers of the figures layer: a table of the year, numbers from cells."""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval.errors import Problem
from selfeval.rules import as_text, is_missing


def num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    """The table `name`, or None when the year lacks it (or it has no rows)."""
    frame = tables.get(name)
    if frame is None or len(frame) == 0:
        return None
    return frame


def row_source(r: Any) -> str:
    """The input row a processed row came from (「支出.csv 第2行」,
    「数据.xlsx 工作表「活动」第5行」, 「决算.xlsx 工作表「公开05表」第6行「基本支出（栏次3）」
    （E6）」), in the words the input errors use, for the 审核底稿;
    "" when the row records none."""
    file = as_text(getattr(r, "src_file", None))
    if not file:
        return ""
    row = getattr(r, "src_row", None)
    sheet = as_text(getattr(r, "src_sheet", None)) or None
    # a figure read from a published table (决算) also names its column and cell
    column = as_text(getattr(r, "src_column", None)) or None
    cell = as_text(getattr(r, "src_cell", None)) or None
    return Problem(file, sheet, None if is_missing(row) else int(row), column, cell=cell).location()
