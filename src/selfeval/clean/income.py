"""收入: 收入合计 and its sources (本年数, optionally 上年数), reconciled like 支出.

Parts of 收入合计 are every row but 收入合计 itself, 上年结转结余 (stated beside it, not part of it)
and the two parts of 财政拨款收入, which are reconciled with 财政拨款收入 instead.
"""

from __future__ import annotations

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.spending import zeros_as_neighbours
from selfeval.clean.totals import compare_total
from selfeval.clean.values import norm_key
from selfeval.contract import sheets as sc

_KNOWN = {norm_key(x): x for x in sc.INCOME_ITEMS}
_KNOWN[norm_key("合计")] = sc.INCOME_TOTAL
COLUMNS = {
    "item": "str",
    "is_total": "bool",
    "current": "float64",
    "current_decimals": "Int64",
    "previous": "float64",
    "previous_decimals": "Int64",
    "note": "str",
}


def clean_income(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    seen: dict[str, int] = {}
    before = len(ctx.problems)
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "item")
        item = sh.text(number, values, "item", prose=True)
        if item is not None:
            item = _KNOWN.get(norm_key(item), item)
            if item in seen:
                sh.err(number, "item", f"与第{seen[item]}行重复", value=item, expected="每项一行")
                ok = False
            seen.setdefault(item, number)
        amounts = {}
        for key in ("current", "previous"):
            raw = sh.get(values, key)
            value, decimals = sh.amount(number, values, key)
            ok = ok and not (raw is not None and value is None)
            amounts[key], amounts[f"{key}_decimals"] = value, decimals
        if not ok or item is None:
            continue
        records.append(
            {
                "item": item,
                "is_total": item == sc.INCOME_TOTAL,
                **amounts,
                "note": sh.text(number, values, "note", prose=True),
                **sh.src(number, values),
            }
        )
    # a rejected row (by the cleaner or the reader) would only make 收入合计 disagree again
    if len(ctx.problems) > before or sh.rejected():
        zeros_as_neighbours(records, ("current", "previous"))
        return frame(records, COLUMNS)
    by_item = {r["item"]: r for r in records}
    total = by_item.get(sc.INCOME_TOTAL)
    excluded = {sc.INCOME_TOTAL, sc.CARRIED_OVER, *sc.FISCAL_PARTS}
    if total is not None:
        parts = [r for r in records if r["item"] not in excluded]
        compare_total(sh, ctx, "收入合计", total, parts, ("current", "previous"))
    fiscal = by_item.get(sc.FISCAL_INCOME)
    fiscal_parts = [by_item[p] for p in sc.FISCAL_PARTS if p in by_item]
    if fiscal is not None and fiscal_parts:
        compare_total(sh, ctx, sc.FISCAL_INCOME, fiscal, fiscal_parts, ("current", "previous"))
    zeros_as_neighbours(records, ("current", "previous"))  # a 0 reads as its neighbours
    return frame(records, COLUMNS)
