"""支出 and 三公经费: amounts per row, stated 合计 and projects against their parts, rates.

Every amount has three states: a figure, a stated zero (0 or 「无」), or not given (blank).
A row must give at least one amount. Under 基本支出 the items are 人员支出/公用支出 or the
economic classes of 决算; under 项目支出 each row is a project, and rows with 所属项目
break a project down by use. An execution rate above 100% is a warning; above 150% it is
almost always a unit mistake (元 typed into a 万元 column), so the row must explain it in
说明 or cleaning stops and asks for it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.totals import compare_total
from selfeval.clean.values import norm_key
from selfeval.contract import sheets as sc
from selfeval.rules import execution_rate

AMOUNTS = ("original_budget", "budget", "actual", "previous_actual")
#: Execution rates (percent) above these warn, and above the second need a 说明.
RATE_WARNING = 100.0
RATE_NEEDS_NOTE = 150.0
_BASIC = {norm_key(x): x for x in (*sc.BASIC_ITEMS, *sc.ECONOMIC_CLASSES)}
COLUMNS = {
    "budget_type": "str",
    "category": "str",
    "item": "str",
    "is_total": "bool",
    **{k: t for a in AMOUNTS for k, t in ((a, "float64"), (f"{a}_decimals", "Int64"))},
    "project": "str",
    "fund_source": "str",
    "note": "str",
}


def _amounts(sh: BoundSheet, number: int, values: list[Any], keys: tuple[str, ...]) -> dict | None:
    """The row's amounts (value, decimals) by key; None when one could not be read."""
    out: dict[str, Any] = {}
    ok = True
    for key in keys:
        raw = sh.get(values, key)
        value, decimals = sh.amount(number, values, key)
        if raw is not None and value is None:
            ok = False
        out[key], out[f"{key}_decimals"] = value, decimals
    if not ok:
        return None
    present_keys = [k for k in keys if k in sh.index]
    if present_keys and all(out[k] is None for k in present_keys):
        present = [sh.header.get(k) for k in present_keys]
        sh.err(
            number,
            next((k for k in ("actual", "budget", "original_budget") if k in sh.index), None),
            "该行没有填写任何金额",
            show_value=False,
            expected="至少填写一个金额（" + "、".join(h for h in present if h) + "）；没有支出填 0",
        )
        return None
    return out


def _check_rate(sh: BoundSheet, ctx: Context, rec: dict, label: str) -> None:
    budget, actual = rec.get("budget"), rec.get("actual")
    rate = execution_rate(actual, budget)
    if rate is None:
        return
    if rate > RATE_NEEDS_NOTE and not rec.get("note"):
        sh.err(
            rec["src_row"],
            "actual",
            f"{label}执行率为 {rate:.2f}%（执行数 {actual:g} ÷ 预算数 {budget:g} 万元），"
            "超过 150%：多为金额单位填错（元与万元），请核对",
            value=f"{actual:g}",
            expected="核对金额与表头单位；确属超支时在本行「说明」中写明原因",
        )
    elif rate > RATE_WARNING:
        ctx.warn(
            f"{sh.raw.file}「{sh.raw.sheet}」第{rec['src_row']}行：{label}执行率 {rate:.2f}% "
            "超过 100%",
            file=sh.raw.file,
            sheet=sh.raw.sheet,
            row=rec["src_row"],
            column=sh.header.get("actual", "执行数"),
        )


def _item(sh: BoundSheet, number: int, values: list[Any], category: str | None, item: str):
    """The canonical name of a 基本支出 item, or None after reporting an unknown one."""
    if category != "基本支出":
        return item
    canon = _BASIC.get(norm_key(item))
    if canon is None and norm_key(item).startswith(sc.OTHER_PREFIX):
        canon = item
    if canon is None:
        sh.err(
            number,
            "item",
            "不是基本支出的项目",
            value=item,
            expected="、".join((*sc.BASIC_ITEMS, *sc.ECONOMIC_CLASSES, sc.TOTAL_ITEM))
            + "，或以「其他」开头的项目",
        )
    return canon


def _spending_row(sh: BoundSheet, number: int, values: list[Any]) -> dict | None:
    ok = all([sh.required(number, values, "budget_type"), sh.required(number, values, "item")])
    btype = sh.enum(number, values, "budget_type", sc.BUDGET_TYPES)
    category = sh.enum(number, values, "category", sc.SPENDING_CATEGORIES)
    item = sh.text(number, values, "item")
    is_total = item is not None and norm_key(item) == sc.TOTAL_ITEM
    if is_total:
        item = sc.TOTAL_ITEM
    if btype == sc.BUDGET_TYPES[0] and category is None and not is_total and item is not None:
        if sh.get(values, "category") is None:
            sh.err(
                number,
                "category",
                "一般公共预算的支出行须填写支出类别",
                show_value=False,
                expected="、".join(sc.SPENDING_CATEGORIES),
            )
        ok = False
    if item is not None and not is_total:
        item = _item(sh, number, values, category, item)
        ok = ok and item is not None
    project = sh.text(number, values, "project", prose=True)
    if project is not None and (category != "项目支出" or is_total):
        sh.err(
            number,
            "project",
            "只有项目支出的明细行可以填写所属项目",
            value=project,
            expected="支出类别为项目支出、支出项目为用途（如办公费）的行",
        )
        ok = False
    fund_source = sh.enum(number, values, "fund_source", sc.FUND_SOURCES)
    ok = ok and not (fund_source is None and sh.get(values, "fund_source") is not None)
    amounts = _amounts(sh, number, values, AMOUNTS)
    if not ok or btype is None or amounts is None:
        return None
    return {
        "budget_type": btype,
        "category": category,
        "item": item,
        "is_total": is_total,
        **amounts,
        "project": project,
        "fund_source": fund_source,
        "note": sh.text(number, values, "note", prose=True),
        **sh.src(number, values),
    }


def _no_amount_column(sh: BoundSheet, keys: tuple[str, ...]) -> bool:
    if any(k in sh.index for k in keys):
        return False
    headers = "、".join(
        sh.spec.column(k).display().replace("（万元）", "（万元或元）") for k in keys
    )
    sh.err(1, None, "没有任何金额列", expected=f"至少一列：{headers}")
    return True


def clean_spending(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    if _no_amount_column(sh, AMOUNTS):
        return frame(records, COLUMNS)
    before = len(ctx.problems)
    for number, values in sh.raw.rows:
        rec = _spending_row(sh, number, values)
        if rec is not None:
            records.append(rec)
    for rec in records:
        label = rec["budget_type"] + (f"·{rec['category']}" if rec["category"] else "")
        _check_rate(sh, ctx, rec, f"{label}·{rec['item']}")
    # a rejected row (by the cleaner or the reader) would only make its 合计 disagree again
    if len(ctx.problems) == before and not sh.rejected():
        _reconcile_spending(sh, ctx, records)
        _reconcile_projects(sh, ctx, records)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_type[rec["budget_type"]].append(rec)
    for lines in by_type.values():
        zeros_as_neighbours(lines, AMOUNTS)
    return frame(records, COLUMNS)


def zeros_as_neighbours(records: list[dict], keys: tuple[str, ...]) -> None:
    """Give each stated 0 the precision of the figures stated beside it.

    A 0 carries no digits of its own: typed 0 or 0.00, or 0 under a （元） header (0.0000万元),
    it is the same none. Read as typed, one unit's 0 was 「0万元」 in one year and 「0.00万元」 in
    the next. It takes the precision of its neighbours — the non-zero amounts of the same
    预算类型 (the whole sheet for 三公经费 and 收入), in any amount column — and none when they
    are all 0 (「“三公”经费支出0万元」, as the published report writes it). Applied after the
    totals are reconciled, so a problem is found on the figures as typed.
    """
    digits = [
        int(rec[f"{key}_decimals"])
        for rec in records
        for key in keys
        if rec.get(key) not in (None, 0) and rec.get(f"{key}_decimals") is not None
    ]
    precision = max(digits, default=0)
    for rec in records:
        for key in keys:
            if rec.get(key) == 0:
                rec[f"{key}_decimals"] = precision


def _groups(sh: BoundSheet, records: list[dict]) -> tuple[dict, dict]:
    """(stated 合计 rows, part rows) by (预算类型, 支出类别); duplicates are reported."""
    totals: dict[tuple, dict] = {}
    parts: dict[tuple, list[dict]] = defaultdict(list)
    items: dict[tuple, int] = {}
    for rec in records:
        key = (rec["budget_type"], rec["category"])
        item_key = (*key, rec["item"], rec["project"])
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
        elif rec["project"] is None:  # a project's uses are reconciled with the project
            parts[key].append(rec)
    return totals, parts


def _reconcile_spending(sh: BoundSheet, ctx: Context, records: list[dict]) -> None:
    """Compare each stated 合计 with the sum of its parts (rounding tolerance per part)."""
    totals, parts = _groups(sh, records)
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
        label = f"{btype}" + (f"·{category}" if category else "") + "合计"
        compare_total(sh, ctx, label, total, members, ("actual", "budget", "original_budget"))


def _reconcile_projects(sh: BoundSheet, ctx: Context, records: list[dict]) -> None:
    """Each project broken down by use (所属项目) against the project's own row."""
    projects = {
        (r["budget_type"], r["item"]): r
        for r in records
        if r["category"] == "项目支出" and not r["is_total"] and r["project"] is None
    }
    uses: dict[tuple, list[dict]] = defaultdict(list)
    for rec in records:
        if rec["project"] is not None:
            uses[(rec["budget_type"], rec["project"])].append(rec)
    for key, members in uses.items():
        project = projects.get(key)
        if project is None:
            names = [k[1] for k in projects if k[0] == key[0]]
            for rec in members:
                sh.err(
                    rec["src_row"],
                    "project",
                    f"所属项目「{key[1]}」在本表的项目支出中不存在",
                    value=key[1],
                    expected="项目支出中的项目：" + ("、".join(names) or "（无）"),
                )
            continue
        label = f"{key[0]}·项目「{key[1]}」"
        compare_total(sh, ctx, label, project, members, ("actual", "budget", "original_budget"))


#: The processed 三公经费 table's columns (the 决算's 表7 feeds the same table).
SANGONG_COLUMNS = {
    "item": "str",
    "budget": "float64",
    "budget_decimals": "Int64",
    "actual": "float64",
    "actual_decimals": "Int64",
}


def clean_sangong(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    columns = SANGONG_COLUMNS
    if _no_amount_column(sh, ("budget", "actual")):
        return frame(records, columns)
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "item")
        item = sh.enum(number, values, "item", sc.SANGONG_ITEMS)
        amounts = _amounts(sh, number, values, ("budget", "actual"))
        if ok and item is not None and amounts is not None:
            records.append(
                {
                    "item": item,
                    **amounts,
                    **sh.src(number, values),
                }
            )
    zeros_as_neighbours(records, ("budget", "actual"))
    return frame(records, columns)
