"""单位概况: items, their values, the required ones."""

from __future__ import annotations

import re

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import ParseError, norm_key, parse_number, to_halfwidth
from selfeval.contract import sheets as sc


def clean_unit(sh: BoundSheet, ctx: Context) -> pd.DataFrame:  # noqa: C901 - one rule per item
    records = []
    seen: dict[str, int] = {}
    known = sc.UNIT_REQUIRED_ITEMS + sc.UNIT_OPTIONAL_ITEMS + sc.UNIT_DEPARTMENT_ITEMS
    lookup = {norm_key(k): k for k in known}
    for number, values in sh.raw.rows:
        item = sh.text(number, values, "item")
        if item is None:
            sh.err(number, "item", "不能为空", show_value=False, expected="、".join(known))
            continue
        item = lookup.get(norm_key(item), item)
        if item in seen:
            sh.err(
                number, "item", f"与第{seen[item]}行重复", value=item, expected="每个项目只填一行"
            )
            continue
        seen[item] = number
        value = sh.text(number, values, "value", prose=True)
        if value is None:
            if item in sc.UNIT_REQUIRED_ITEMS:
                sh.err(number, "value", f"「{item}」的内容不能为空", show_value=False)
            continue
        if item == "编制人数":
            try:
                n_value, _ = parse_number(re.sub(r"\s*[人名]$", "", to_halfwidth(value)))
            except ParseError as exc:
                sh.err(number, "value", exc.args[0], value=value, expected="整数，如 4")
                continue
            if n_value is None or n_value != int(n_value):
                sh.err(number, "value", "编制人数不是整数", value=value, expected="整数，如 4")
                continue
            n = int(n_value)
            if n < 0:
                sh.err(number, "value", "编制人数不能为负数", value=value, expected="不小于0的整数")
                continue
            value = str(n)
        elif item == "填报日期":
            d = sh.date(number, values, "value", None)
            if d is None:
                continue
            value = d.isoformat()
        elif item not in known:
            ctx.warn(
                f"{sh.raw.file}「单位概况」第{number}行：项目「{item}」不是约定的项目，已保留",
                file=sh.raw.file,
                sheet=sh.raw.sheet,
                row=number,
            )
        records.append({"item": item, "value": value, **sh.src(number)})
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
