"""活动: one row per listing; 编号 shared by listings of one event; 包含 of summaries."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.contract import sheets as sc
from selfeval.rules import ID_JOINER, split_ids

_ACTIVITY_COLUMNS = {
    "event_id": "str",
    "category": "str",
    "category_order": "int64",
    "listing_order": "int64",
    "name": "str",
    "start_date": "date",
    "end_date": "date",
    "timeframe": "str",
    "period": "str",
    "place": "str",
    **{
        k: t
        for m, _ in sc.COUNT_MEASURES
        for k, t in ((m, "Int64"), (f"{m}_q", "str"), (f"{m}_text", "str"))
    },
    "books_verb": "str",
    "materials_name": "str",
    "effect": "str",
    "includes": "str",
    "note": "str",
}


def clean_activities(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    year = ctx.year
    records = []
    category_order: dict[str, int] = {}
    all_ids: set[str] = set()  # also of rows with other problems: 包含 may name them
    for number, values in sh.raw.rows:
        ok = all([sh.required(number, values, k) for k in ("category", "name")])
        rec: dict[str, Any] = {}
        explicit = sh.text(number, values, "event_id")
        rec["explicit_id"] = explicit
        if explicit is not None:
            all_ids.add(explicit)
        rec["event_id"] = explicit if explicit is not None else f"行{number}"
        rec["category"] = sh.text(number, values, "category", prose=True)
        rec["name"] = sh.text(number, values, "name", prose=True)
        start = sh.date(number, values, "start_date", year)
        end = sh.date(number, values, "end_date", year)
        for key, d in (("start_date", start), ("end_date", end)):
            if d is not None and d.year != year:
                sh.err(
                    number,
                    key,
                    f"不在 {year} 年内",
                    value=d.isoformat(),
                    expected=f"{year}-01-01 至 {year}-12-31 之间的日期",
                )
                ok = False
        if start is not None and end is not None and end < start:
            sh.err(
                number,
                "end_date",
                f"早于开始日期 {start.isoformat()}",
                value=end.isoformat(),
                expected="不早于开始日期",
            )
            ok = False
        rec["start_date"], rec["end_date"] = start, end
        rec["timeframe"] = sh.text(number, values, "timeframe", prose=True)
        rec["period"] = sh.enum(number, values, "period", sc.PERIODS)
        if sh.get(values, "period") is not None and rec["period"] is None:
            ok = False
        rec["place"] = sh.text(number, values, "place", prose=True)
        for measure, header in sc.COUNT_MEASURES:
            n, q, text = sh.count(number, values, measure)
            if sh.get(values, measure) is not None and text is None:
                ok = False
            if n is not None and text is not None and _WORDED.fullmatch(text):
                q, text = _arabic(sh, header, n, text)
            rec[measure], rec[f"{measure}_q"], rec[f"{measure}_text"] = n, q, text
        rec["books_verb"] = sh.text(number, values, "books_verb", prose=True)
        rec["materials_name"] = sh.text(number, values, "materials_name", prose=True)
        rec["effect"] = sh.text(number, values, "effect", prose=True)
        raw_includes = sh.text(number, values, "includes")
        rec["include_list"] = split_ids(raw_includes)
        rec["includes"] = ID_JOINER.join(rec["include_list"]) or None
        rec["note"] = sh.text(number, values, "note", prose=True)
        rec.update(sh.src(number, values))
        if not ok:
            continue
        if rec["category"] not in category_order:
            category_order[rec["category"]] = len(category_order) + 1
        rec["category_order"] = category_order[rec["category"]]
        rec["listing_order"] = len(records) + 1
        records.append(rec)
    _check_listings(sh, ctx, records, all_ids)
    return frame(records, _ACTIVITY_COLUMNS)


#: A count written in words alone (百, 两千): reports write counts in Arabic numerals.
_WORDED = re.compile(r"[一二两三四五六七八九]?[十百千万]")


def _arabic(sh: BoundSheet, column: str, n: int, text: str) -> tuple[str, str]:
    """(qualifier, text) of a count written in words: a bare 百 or 千 is a round figure a
    clerk writes 「约100」; 两千 is 「2000」. The change is listed among the normalisations."""
    shown = f"约{n}" if len(text) == 1 else str(n)
    sh.ctx.note_normalised(sh, column, "数量写法整理", f"{text}→{shown}")
    return ("约" if len(text) == 1 else ""), shown


def _other_event(sh: BoundSheet, first: dict, rec: dict, event_id: str) -> bool:
    """Whether `rec` is another activity under `first`'s 编号; if so it is said once, naming
    both rows and everything that differs.

    Other dates: another activity. The same date: the same activity, even under another 类别
    and another name (the 2024 三下乡 and its 建设村 donation are one event). Without a date on
    one of them, another 类别 and another name are taken as another activity."""
    starts = (first["start_date"], rec["start_date"])
    dated = None not in starts
    dates_differ = dated and starts[0] != starts[1]
    name_differs = rec["name"] != first["name"]
    if not (dates_differ or (not dated and name_differs and rec["category"] != first["category"])):
        return False
    differs = []
    if rec["category"] != first["category"]:
        differs.append(f"类别（「{rec['category']}」）")
    if name_differs:
        differs.append(f"名称（「{rec['name']}」）")
    if dates_differ:
        differs.append(f"开始日期（{starts[1].isoformat()}）")
    when = f"，{starts[0].isoformat()}" if starts[0] is not None else ""
    sh.err(
        rec["src_row"],
        "event_id",
        f"与第{first['src_row']}行（「{first['name']}」，类别「{first['category']}」{when}）"
        f"同为编号「{event_id}」，但{'、'.join(differs)}不同：不是同一活动",
        value=event_id,
        expected="同一活动的各行日期和名称相同；不同的活动用不同的编号",
    )
    return True


def _check_listings(  # noqa: C901, PLR0912 - one pass over the listings of each 编号, then each 包含; the cases read best side by side
    sh: BoundSheet, ctx: Context, records: list[dict], all_ids: set[str]
) -> None:
    """Rows sharing 编号 must agree on counts; 包含 must name existing 编号s."""
    by_id: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        if rec["explicit_id"] is not None:
            by_id[rec["event_id"]].append(rec)
    for event_id, listings in by_id.items():
        if len(listings) < 2:
            continue
        first = listings[0]
        others = {id(r) for r in listings[1:] if _other_event(sh, first, r, event_id)}
        listings = [r for r in listings if id(r) not in others]  # one message for such a row
        seen_cat: dict[str, int] = {}
        for rec in listings:
            if rec["category"] in seen_cat:
                sh.err(
                    rec["src_row"],
                    "category",
                    f"编号「{event_id}」在同一类别下已列于第{seen_cat[rec['category']]}行",
                    value=rec["category"],
                    expected="同一活动在每个类别下只列一行",
                )
            seen_cat.setdefault(rec["category"], rec["src_row"])
        for measure, _header in sc.COUNT_MEASURES:
            first = None
            for rec in listings:
                if rec[measure] is None:
                    continue
                if first is None:
                    first = rec
                elif rec[measure] != first[measure] or rec[f"{measure}_q"] != first[f"{measure}_q"]:
                    sh.err(
                        rec["src_row"],
                        measure,
                        f"编号「{event_id}」的另一行（第{first['src_row']}行）填写的是 "
                        f"{first[f'{measure}_text']}，同一活动的各行数字不一致",
                        value=rec[f"{measure}_text"],
                        expected="同一编号的各行填写相同数字，或只在一行填写",
                    )
    ids = set(by_id)
    for rec in records:
        members = rec["include_list"]
        if any(m not in ids and m in all_ids for m in members):
            continue  # a member row has its own problem, already reported
        for member in members:
            if member == rec["event_id"]:
                sh.err(
                    rec["src_row"],
                    "includes",
                    "汇总行不能包含自己的编号",
                    value=member,
                    expected="本表中其他活动的编号",
                )
            elif member not in ids:
                sh.err(
                    rec["src_row"],
                    "includes",
                    f"编号「{member}」在本表中不存在",
                    value=rec["includes"],
                    expected="已有：" + "、".join(sorted(ids)[:20]),
                )
        if not members or any(m not in ids for m in members):
            continue
        for measure, header in sc.COUNT_MEASURES:
            if measure == "sessions":
                continue
            stated = rec[measure]
            member_vals = [by_id[m][0][measure] for m in members]
            known = [v for v in member_vals if v is not None]
            if stated is None or not known:
                continue
            computed = sum(known)
            if computed != stated:
                ctx.reconciled.append(
                    {
                        "file": sh.raw.file,
                        "sheet": sh.raw.sheet,
                        "row": rec["src_row"],
                        "column": sh.header.get(measure, header),
                        "stated": stated,
                        "computed": computed,
                        "difference": stated - computed,
                        "message": f"汇总行「{rec['name']}」的{header}为 {rec[f'{measure}_text']}，"
                        f"所含活动（{rec['includes']}）合计 {computed}；年度合计取两者中较大者 "
                        f"{max(stated, computed)}",
                    }
                )
