"""馆藏: year-end holdings over the years, yearly additions."""

from __future__ import annotations

import itertools

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame


def clean_holdings(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    seen: dict[int, int] = {}
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, "year"), sh.required(number, values, "holdings")])
        year = sh.integer(number, values, "year")
        holdings = sh.integer(number, values, "holdings")
        added = sh.integer(number, values, "added")
        if year is not None and year > ctx.year:
            sh.err(
                number,
                "year",
                f"晚于报告年度 {ctx.year}",
                value=year,
                expected=f"不晚于 {ctx.year} 的年份",
            )
            ok = False
        if year is not None and year in seen:
            sh.err(number, "year", f"与第{seen[year]}行重复", value=year, expected="每年一行")
            ok = False
        for key, v in (("holdings", holdings), ("added", added)):
            if v is not None and v < 0:
                sh.err(number, key, "不能为负数", value=v, expected="不小于0的整数")
                ok = False
        if not ok or year is None or holdings is None:
            continue
        seen[year] = number
        records.append(
            {
                "year": year,
                "holdings": holdings,
                "added": added,
                "note": sh.text(number, values, "note", prose=True),
                **sh.src(number, values),
            }
        )
    if records and ctx.year not in seen:
        ctx.warn(f"「馆藏」没有报告年度 {ctx.year} 的数据", file=sh.raw.file, sheet=sh.raw.sheet)
    records.sort(key=lambda r: r["year"])
    for prev, rec in itertools.pairwise(records):
        if rec["added"] is None or rec["year"] != prev["year"] + 1:
            continue
        growth = rec["holdings"] - prev["holdings"]
        if growth != rec["added"]:
            ctx.warn(
                f"「馆藏」{rec['year']} 年本年新增 {rec['added']} 册，与年末藏量之差 {growth} 册"
                "不同（可能有剔旧或统计口径变化）",
                file=sh.raw.file,
                sheet=sh.raw.sheet,
                row=rec["src_row"],
                column=sh.header.get("added", "本年新增（册）"),
                stated=rec["added"],
                computed=growth,
                difference=rec["added"] - growth,
            )
    return frame(records, {"year": "int64", "holdings": "Int64", "added": "Int64", "note": "str"})
