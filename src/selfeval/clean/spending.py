"""支出 and 三公经费: budget and actual per row, stated 合计 against their parts."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import norm_key
from selfeval.contract import sheets as sc
from selfeval.rules import parts_tolerance


def clean_spending(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
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
    return frame(
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


def _reconcile_spending(  # noqa: C901, PLR0912 - grouping and comparing stay in one reading
    sh: BoundSheet, ctx: Context, records: list[dict]
) -> None:
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
            tol = parts_tolerance([m[f"{field_name}_decimals"] for m in members])
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


def clean_sangong(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
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
    return frame(
        records,
        {
            "item": "str",
            "budget": "float64",
            "budget_decimals": "Int64",
            "actual": "float64",
            "actual_decimals": "Int64",
        },
    )
