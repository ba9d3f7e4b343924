"""文字说明 and 声明数 (figures a source states, re-computed for 数据核对)."""

from __future__ import annotations

import re

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import norm_key
from selfeval.contract import sheets as sc

_SECTIONS = {norm_key(k): k for k in sc.TEXT_SECTIONS}


def clean_texts(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    """The analyst's prose by 章节, in sheet order: a fixed key of the report's frame, or, under
    六, the title of one of the unit's own subsections (a 文化馆's 群文活动, 非遗保护)."""
    records = []
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "section")
        written = sh.text(number, values, "section", prose=True)
        section = _SECTIONS.get(norm_key(written)) if written else None
        custom = written is not None and section is None
        if custom:
            section = written
        title = sh.text(number, values, "title", prose=True)
        content = sh.text(number, values, "content", prose=True)
        if content is None and title is None:
            sh.err(
                number,
                "content",
                "内容和标题都为空",
                show_value=False,
                expected="填写内容（只改小节标题时可只填标题）",
            )
            ok = False
        if ok and section is not None:
            records.append(
                {
                    "section": section,
                    "custom": custom,
                    "title": title,
                    "content": content or "",
                    "order": len(records) + 1,
                    **sh.src(number, values),
                }
            )
    return frame(
        records,
        {"section": "str", "custom": "bool", "title": "str", "content": "str", "order": "int64"},
    )


_STATED_SEP = re.compile(r"[·•・.．]")


def clean_stated(sh: BoundSheet, ctx: Context, categories: list[str] | None) -> pd.DataFrame:
    """声明数 rows; a 类别·度量 key names a category of 活动 — checked only when the year has
    activities to check against (without them, 数据核对 says there is nothing to compare)."""
    records = []
    forms = (
        "年度指标："
        + "、".join(sc.STATED_YEARLY_KEYS)
        + "；或「类别·度量」，度量为："
        + "、".join(sc.STATED_CATEGORY_MEASURES)
    )
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, "indicator"), sh.required(number, values, "value")])
        indicator = sh.text(number, values, "indicator")
        value, decimals = sh.number(number, values, "value")
        if indicator is not None:
            parts = _STATED_SEP.split(indicator)
            if len(parts) == 1 and indicator in sc.STATED_YEARLY_KEYS:
                pass
            elif len(parts) == 2 and parts[1] in sc.STATED_CATEGORY_MEASURES:
                if categories is not None and parts[0] not in categories:
                    sh.err(
                        number,
                        "indicator",
                        f"类别「{parts[0]}」在「活动」表中不存在",
                        value=indicator,
                        expected="「活动」表中的类别：" + "、".join(categories),
                    )
                    ok = False
                indicator = f"{parts[0]}{sc.STATED_SEPARATOR}{parts[1]}"
            else:
                sh.err(number, "indicator", "不是可识别的指标", value=indicator, expected=forms)
                ok = False
        if ok and value is not None:
            records.append(
                {
                    "indicator": indicator,
                    "value": value,
                    "value_decimals": decimals,
                    "unit": sh.text(number, values, "unit"),
                    "note": sh.text(number, values, "note", prose=True),
                    **sh.src(number, values),
                }
            )
    columns = {"indicator": "str", "value": "float64", "value_decimals": "Int64"}
    return frame(records, {**columns, "unit": "str", "note": "str"})
