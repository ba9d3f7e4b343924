"""数据核对 as a table: each `selfeval.checks.Check` with its figures written out and its codes
worded (``present/wording/checks.toml``)."""

from __future__ import annotations

import pandas as pd

from selfeval.checks import Check, Figure
from selfeval.present.formats import money_number
from selfeval.present.wording import render
from selfeval.rules import decimal_str, number_str, signed_str

CHECK_COLUMNS = ["检查项", "结果", "来源数", "计算数", "差异", "说明"]
OK = "✓"
WARN = "⚠"


def figure_text(figure: Figure, unit: str = "万元") -> str:
    """A check's figure as the table shows it ('—' when unknown); an amount in the report's
    金额单位 `unit` (989,312.11 in a report kept in 元, never 98.93)."""
    value = figure.value
    if figure.kind == "text" or isinstance(value, str):
        text = "—" if value is None else str(value)
    elif figure.kind == "money":
        text = "—" if value is None else money_number(value, None, unit)
    elif figure.kind == "dec" or (
        figure.kind == "any" and value is not None and not float(value).is_integer()
    ):
        text = decimal_str(value)
    else:
        text = number_str(value)
    return signed_str(text) if figure.signed else text


def check_item(check: Check, unit: str = "万元") -> str:
    """The 检查项 of a check, worded."""
    return render("checks", check.item, check.facts, unit)


def check_note(check: Check, unit: str = "万元") -> str:
    """The 说明 of a check, worded."""
    return render("checks", check.note, check.facts, unit)


def checks_table(checks: list[Check], unit: str = "万元") -> pd.DataFrame:
    """The appendix table (columns `CHECK_COLUMNS`), one row per check, amounts in `unit`."""
    rows = [
        {
            "检查项": check_item(c, unit),
            "结果": OK if c.ok else WARN,
            "来源数": figure_text(c.stated, unit),
            "计算数": figure_text(c.computed, unit),
            "差异": figure_text(c.difference, unit),
            "说明": check_note(c, unit),
        }
        for c in checks
    ]
    return pd.DataFrame(rows, columns=CHECK_COLUMNS).astype(object)
