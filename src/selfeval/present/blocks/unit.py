"""部门（单位）概况 and 收入: the unit's facts as prose (nine-section frame) or as the form's
table (岳阳市附件2-1), and the year's income by source."""

from __future__ import annotations

import re
from typing import Any

from selfeval.clean.values import to_halfwidth
from selfeval.present.blocks.common import (
    amount,
    not_given,
    number,
    p,
    paragraphs,
    sentence,
    texts,
)
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Column, Note, Row, Table
from selfeval.present.formats import NOT_GIVEN, pct
from selfeval.rules import ID_JOINER, split_ids


def _restated(count: str, words: str | None) -> bool:
    """Whether the 编制说明 already states the 编制人数 as a number of posts (「…编制4名」)."""
    pattern = rf"(?<![\d.]){re.escape(count)}\s*[名人个]"
    return bool(words) and re.search(pattern, to_halfwidth(words or "")) is not None


def _staffing(unit: dict) -> str:
    """编制人数 and the unit's 编制说明, both when given: the count is a figure the reviewer looks
    for, the 说明 the unit's own words. The count is not repeated when the 说明 already states
    that very number of posts (「核定全额拨款事业编制4名」), so no sentence only repeats another."""
    count, words = unit.get("编制人数"), unit.get("编制说明")
    text = f"编制人数{count}名。" if count and not _restated(count, words) else ""
    return text + (sentence(words) if words else "")


def _units(declared: str) -> str:
    """「下属单位5个：规划办、质监站、…。」: the 下属单位 as the unit lists them (a 主管部门's
    report names its units even where the department part cannot be built from their data)."""
    names = split_ids(declared)
    return f"下属单位{len(names)}个：{ID_JOINER.join(names)}。"


def unit_overview(ctx: ReportContext, anchor: str) -> list[Block]:
    """一、部门（单位）概况: nature, department, staffing, organisation, duties, the unit's
    other items as given, the analyst's additions. An item not given is not mentioned (the
    contract makes every item but 单位名称 optional; the prose states what was given)."""
    unit = ctx.unit
    nature, dept = unit.get("单位性质", ""), unit.get("主管部门", "")
    text = ctx.unit_name
    if nature:
        text += f"为{nature}"
    if dept:
        text += ("，" if nature else "的") + f"主管部门为{dept}"
    text += "。"
    text += _staffing(unit)
    if unit.get("实有人数"):
        text += f"实有人数{unit['实有人数']}名。"
    if unit.get("内设机构"):
        text += f"内设机构：{sentence(unit['内设机构'])}"
    if unit.get("成立时间"):
        text += f"成立时间：{sentence(unit['成立时间'])}"
    if unit.get("下属单位"):
        text += _units(unit["下属单位"])
    blocks: list[Block] = [p(text)]
    if unit.get("主要职责"):
        blocks.append(p(f"主要职责：{unit['主要职责']}"))
    blocks += [p(f"{key}：{sentence(value)}") for key, value in ctx.unit_extra.items()]
    blocks += paragraphs(texts(ctx, "概况补充"))
    return blocks


#: The rows of the 岳阳市附件2-1 基本概况 table: label → 单位概况 item or 文字说明 key.
FACT_ROWS = (
    ("联系人", "unit", "联系人"),
    ("联络电话", "unit", "联系电话"),
    ("人员编制", "unit", "编制人数"),
    ("实有人数", "unit", "实有人数"),
    ("职能职责概述", "unit", "主要职责"),
    ("年度主要工作内容", "text", "总体目标"),
    ("年度部门（单位）总体运行情况及取得的成绩", "text", "总体完成情况"),
)


def _staffing_cell(unit: dict) -> str:
    """The form's 人员编制 cell: the 编制人数, the 编制说明, or both (the count only where the
    说明 does not state it)."""
    count, words = unit.get("编制人数", ""), unit.get("编制说明", "")
    if count and words and not _restated(count, words):
        return f"{count}名；{words}"
    return words or count


def unit_facts(ctx: ReportContext, anchor: str) -> list[Block]:
    """The form's 基本概况 table: each row from its 单位概况 item or 文字说明 key, 未填报 when
    the data does not give it."""
    rows = []
    for label, source, key in FACT_ROWS:
        if source == "unit":
            value = ctx.unit.get(key, "")
            if key == "编制人数":
                value = _staffing_cell(ctx.unit)
        else:
            value = "".join(texts(ctx, key))
        rows.append(Row.of(label, value or NOT_GIVEN))
    if ctx.unit.get("下属单位"):
        rows.append(Row.of("下属单位", _units(ctx.unit["下属单位"]).rstrip("。")))
    rows += [Row.of(k, v) for k, v in ctx.unit_extra.items()]
    table = Table(
        caption="部门（单位）基本概况",
        columns=(Column(width=1.6), Column(width=5.0)),
        header=(Row.of("项目", "内容"),),
        body=tuple(rows),
        kind="unit-facts",
        row_headers=True,
    )
    return [table, *paragraphs(texts(ctx, "概况补充"))]


def _income_part(ctx: ReportContext, line: Any) -> str:
    text = f"{line.label}{amount(ctx, line.current, line.current_decimals)}"
    if line.share is not None:
        text += f"，占{pct(line.share)}"
    return text


def _income_change(ctx: ReportContext, total: Any, year: int) -> str:
    """「较上年增加X（增长Y%）」, 「减少」/「下降」 for a fall, 「与上年持平」 for none (where the
    上年数 comes from is the 审核底稿's: `_income_sentence`)."""
    if total.change is None:
        return ""
    if total.change == 0:
        return f"与{year - 1}年持平"
    decimals = min(
        (d for d in (total.current_decimals, total.previous_decimals) if d is not None),
        default=None,
    )
    up = total.change > 0
    text = f"较{year - 1}年{'增加' if up else '减少'}{amount(ctx, abs(total.change), decimals)}"
    if total.change_rate is not None:
        text += f"（{'增长' if up else '下降'}{pct(abs(total.change_rate))}）"
    return text


def _income_sources(ctx: ReportContext, income: Any) -> Note:
    """For the 审核底稿: each 收入 figure's input row; a 收入合计 the unit did not state is the
    sum of the parts."""
    lines = [line for part in income.parts for line in (part, *part.parts)]
    if income.carried_over is not None:
        lines.append(income.carried_over)
    said = [
        f"{x.label} {number(ctx, x.current, x.current_decimals)}：{x.source}「本年数」"
        for x in lines
        if x.source and x.current is not None
    ]
    total = income.total
    if total is not None and total.current is not None:
        shown = number(ctx, total.current, total.current_decimals)
        if income.total_stated and total.source:
            said.insert(0, f"收入合计 {shown}：{total.source}「本年数」")
        elif not income.total_stated:
            said.insert(0, f"收入合计 {shown} 为各项收入之和（单位未填报合计数）")
    return Note("数据来源：" + "；".join(said) + "。", review=True)


def _income_sentence(ctx: ReportContext, income: Any) -> tuple[str, list[str]]:
    """The 报送稿's sentence on 收入 (only what the data gives) and the 审核底稿's notes on what it
    lacks or where a figure comes from."""
    year = ctx.year
    total = income.total
    # what the data lacks is left out of the sentence and said in the 审核底稿
    parts = [_income_part(ctx, line) for line in income.parts if line.current is not None]
    lacking = [line.label for line in income.parts if line.current is None]
    notes = []
    if total is None or total.current is None:
        notes.append(f"{year}年收入合计{NOT_GIVEN}")
        text = f"{year}年" + "；".join(parts) if parts else ""
    else:
        text = f"{year}年收入合计{amount(ctx, total.current, total.current_decimals)}"
        change = _income_change(ctx, total, year)
        if change:
            text += f"，{change}"
            if total.previous_source == "上年数":
                notes.append(f"上年数取自本年收入表所填上年数（{year - 1}年数据未生成）")
        if parts:
            text += "，其中：" + "；".join(parts)
    if lacking:
        notes.append("、".join(lacking) + NOT_GIVEN)
    if income.carried_over is not None:
        co = income.carried_over
        carried = f"上年结转结余{amount(ctx, co.current, co.current_decimals)}。"
        text = f"{text}。另有{carried}" if text else f"{year}年{carried}"
    elif text:
        text += "。"
    return text, notes


def income_overview(ctx: ReportContext, anchor: str) -> list[Block]:
    """收入: 收入合计 and its sources with their shares, the change against last year, 上年结转结余
    beside it, and the table; nothing when the year has no 收入 sheet."""
    income = ctx.income
    if income is None:
        return []
    text, notes = _income_sentence(ctx, income)
    year, total = ctx.year, income.total
    blocks: list[Block] = [p(text, kind="income")] if text else []
    blocks.append(_income_sources(ctx, income))
    if notes:
        blocks.append(not_given("；".join(notes) + "。"))
    lines = [line for part in income.parts for line in (part, *part.parts)]
    if total is not None:
        lines = [total, *lines]
    if income.carried_over is not None:
        lines.append(income.carried_over)
    rows = []
    for line in lines:
        child = any(line is x for part in income.parts for x in part.parts)
        rows.append(
            Row.of(
                f"　其中：{line.label}" if child else line.label,
                number(ctx, line.current, line.current_decimals),
                number(ctx, line.previous, line.previous_decimals),
                "—" if line.change is None else number(ctx, line.change),
                pct(line.share),
                line.note,
                total=line is total,
            )
        )
    blocks.append(
        Table(
            caption=f"{year}年收入情况（单位：{ctx.amount_unit}）",
            columns=(Column(width=2.4), *(Column.numeric() for _ in range(4)), Column(width=2.0)),
            header=(Row.of("项目", "本年数", "上年数", "增减", "占收入合计", "说明"),),
            body=tuple(rows),
            kind="income",
            row_headers=True,
        )
    )
    return blocks
