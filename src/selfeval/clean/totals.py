"""A stated total against the sum of its parts, within the rounding the stated digits allow.

One rule for every sheet that states totals (支出 合计 rows, a project and its uses, 收入合计):
the difference may be at most half a unit of the last stated digit of each part. Beyond that it
is an input problem; within it, the reconciliation is recorded for 数据核对 and the stated figure
is the one the report uses. A part that is not given, or that a problem already rejected, makes
no comparison: the total is then known only as stated (one root cause, one message).
"""

from __future__ import annotations

import re
from decimal import Decimal

from selfeval.clean.binder import BoundSheet, Context
from selfeval.rules import money_str, parts_tolerance


def compare_total(
    sh: BoundSheet,
    ctx: Context,
    label: str,
    total: dict,
    members: list[dict],
    fields: tuple[str, ...],
) -> None:
    """Compare `total[field]` with the sum of `members[field]` for each field given."""
    if not members:
        return
    unit = ctx.amount_unit
    for field_name in fields:
        stated = total.get(field_name)
        vals = [m.get(field_name) for m in members]
        if stated is None or any(v is None for v in vals):
            continue
        computed = sum(Decimal(repr(v)) for v in vals)
        diff = float(Decimal(repr(stated)) - computed)
        tol = parts_tolerance([m.get(f"{field_name}_decimals") for m in members])
        col = sh.header.get(field_name, field_name)
        name = re.sub(r"[（(][^（）()]*[）)]$", "", col)  # 本年数（元） → 本年数
        entry = {
            "item": f"{label}{name}与分项之和（{unit}）",
            "money": True,  # amounts held in 万元, written in the report's 金额单位
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
                field_name,
                f"{label}与分项之和不符：分项之和为 {float(computed):g} 万元，相差 "
                f"{diff:+.6g} 万元，超出舍入误差 {tol:g} 万元",
                value=f"{stated:g}",
                expected="合计等于各分项之和",
            )
        elif abs(diff) > 1e-9:
            entry["message"] = (
                f"原表为 {money_str(stated, unit)} {unit}，分项之和为"
                f" {money_str(float(computed), unit)} {unit}，相差"
                f" {'+' if diff > 0 else ''}{money_str(diff, unit)} {unit}，在舍入误差内，"
                "报告采用原表数字"
            )
            ctx.reconciled.append(entry)
        else:
            entry["message"] = "与分项之和一致"
            ctx.reconciled.append(entry)
