"""单位概况: only 单位名称 is required; known items are read by their kind, others kept as given.

Items that later sheets' rules need (预算执行率分值, 金额单位, …) are also put into the year's
`Context.settings`, so that the sheets cleaned after this one apply the unit's own settings.
"""

from __future__ import annotations

import re

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import ParseError, norm_key, parse_number, to_halfwidth
from selfeval.contract import sheets as sc
from selfeval.rules import ID_JOINER, split_ids

_KNOWN = sc.UNIT_REQUIRED_ITEMS + sc.UNIT_OPTIONAL_ITEMS
_LOOKUP = {norm_key(k): k for k in _KNOWN}


def _integer(sh: BoundSheet, number: int, item: str, value: str) -> str | None:
    try:
        n_value, _ = parse_number(re.sub(r"\s*[人名个]$", "", to_halfwidth(value)))
    except ParseError as exc:
        sh.err(number, "value", exc.args[0], value=value, expected="整数，如 4")
        return None
    if n_value is None or n_value != int(n_value):
        sh.err(number, "value", f"{item}不是整数", value=value, expected="整数，如 4")
        return None
    if n_value < 0:
        sh.err(number, "value", f"{item}不能为负数", value=value, expected="不小于0的整数")
        return None
    return str(int(n_value))


def _typed(sh: BoundSheet, number: int, values: list, item: str, value: str) -> str | None:
    """The value of a known item in its kind's form, or None after reporting a problem."""
    kind = sc.UNIT_ITEM_KINDS.get(item, "text")
    if kind == "int":
        return _integer(sh, number, item, value)
    if kind == "date":
        d = sh.date(number, values, "value", None)
        return None if d is None else d.isoformat()
    if kind == "number":
        try:
            n_value, decimals = parse_number(value)
        except ParseError as exc:
            sh.err(number, "value", exc.args[0], value=value, expected="数字，如 10")
            return None
        # as written, at its own precision: a 部门合计 of 5,150,055.30 is not 5.15006e+06
        return None if n_value is None else f"{n_value:.{decimals}f}"
    if kind.startswith("enum:"):
        options = tuple(kind[5:].split("|"))
        found = {norm_key(o): o for o in options}.get(norm_key(value))
        if found is None:
            sh.err(
                number, "value", f"不是「{item}」的可选值", value=value, expected="、".join(options)
            )
        return found
    if kind == "list":
        return ID_JOINER.join(split_ids(value)) or None
    return value


def clean_unit(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    seen: dict[str, int] = {}
    for number, values in sh.raw.rows:
        item = sh.text(number, values, "item")
        if item is None:
            sh.err(number, "item", "不能为空", show_value=False, expected="、".join(_KNOWN))
            continue
        canonical = _LOOKUP.get(norm_key(item), item)
        if canonical != item:
            ctx.note_normalised(
                sh, sh.header.get("item", "项目"), "规范写法", f"{item}→{canonical}"
            )
        item = canonical
        if item in seen:
            sh.err(
                number, "item", f"与第{seen[item]}行重复", value=item, expected="每个项目只填一行"
            )
            continue
        seen[item] = number
        value = sh.text(number, values, "value", prose=True)
        if value is None:  # an item left blank is not given: simply not mentioned
            if item in sc.UNIT_REQUIRED_ITEMS:
                sh.err(number, "value", f"「{item}」的内容不能为空", show_value=False)
            continue
        value = _typed(sh, number, values, item, value)
        if value is None:
            continue
        ctx.settings[item] = value
        records.append(
            {
                "item": item,
                "value": value,
                **sh.src(number, values),
            }
        )
    for item in sc.UNIT_REQUIRED_ITEMS:
        if item not in seen:
            sh.err(
                None,
                "item",
                f"缺少必填项目「{item}」",
                show_value=False,
                expected="必填项目：" + "、".join(sc.UNIT_REQUIRED_ITEMS),
            )
    return frame(records, {"item": "str", "value": "str"})
