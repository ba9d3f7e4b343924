"""部门整体情况 of a 主管部门: 本级 and its units — their self-evaluation in one table,
收入 and spending summed over the members that state each figure (the others named), and the
department's stated totals reconciled against that sum. Nothing for any other unit.

Every figure comes summed from `selfeval.figures.department` (stored in results.json by 02);
amounts are written in the department's own 金额单位 at the precision of the sum's parts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from selfeval.present.blocks.common import amount, not_given, number, p
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Column, Heading, Note, Row, Table
from selfeval.present.formats import NOT_GIVEN, cn_number, fixed, pct

#: An indent per level of a line under its parent (合计 → 预算类型 → 基本支出 → 人员经费 → …).
INDENT = "　"


def _names(names: list[str]) -> str:
    return "、".join(names)


def _lacking(line: Any) -> str:
    """Who lacks a line's 预算数 or 执行数: one list when both are the same, else each."""
    budget, actual = line.budget.lacking, line.actual.lacking
    if budget == actual:
        return _names(budget) or "—"
    parts = [f"{what}：{_names(names)}" for what, names in (("预算数", budget), ("执行数", actual))]
    return "；".join(part for part, names in zip(parts, (budget, actual), strict=True) if names)


def _rate(value: float | None) -> str:
    return NOT_GIVEN if value is None else pct(value)


def _line_rate(line: Any) -> str:
    """A line's 执行率; 「—」 when both sums are known but count different members (no rate
    of one set of units against another), 未填报 when a sum is not known at all."""
    if line.rate is None and line.budget.value is not None and line.actual.value is not None:
        return "—"
    return _rate(line.rate)


def _units_table(ctx: ReportContext, d: Any) -> Table:
    rows = []
    for r in d.rows:
        rows.append(
            Row.of(
                r.name,
                number(ctx, r.budget, r.budget_decimals),
                number(ctx, r.actual, r.actual_decimals),
                _rate(r.execution_rate),
                # a 总分 the unit states at its own precision (98), the program's to two places
                fixed(r.score, 2 if r.score_decimals is None else r.score_decimals, NOT_GIVEN),
                r.grade or NOT_GIVEN,
                kind="own" if r.own else ("no-data" if not r.built else ""),
            )
        )
    return Table(
        caption=f"{ctx.year}年本级及下属单位绩效自评情况（金额单位：{ctx.amount_unit}）",
        columns=(
            Column(width=2.6),
            Column.numeric(),
            Column.numeric(),
            Column.numeric(0.9),
            Column.numeric(0.9),
            Column(width=0.7),
        ),
        header=(Row.of("单位", "预算数", "执行数", "执行率", "自评得分", "等级"),),
        body=tuple(rows),
        kind="department-units",
        row_headers=True,
        notes=(
            Note("注：预算数、执行数为各单位各预算类型合计。"),
            # the members' failed checks are the reviewer's: a column of them put ⚠ in the 报送稿
            Note(_flagged(d.rows), review=True),
            Note(
                "数据来源：本级一行取自本报告的计算结果；各下属单位一行取自该单位本年度报告的"
                "计算结果（data/processed/<单位目录>/<年度>/results.json），其每个数字的输入行见"
                "该单位报告的审核底稿。",
                review=True,
            ),
        ),
    )


def _flagged(rows: list) -> str:
    """「⚠核对项（数据核对中未通过的项数）：文旅局（本级）0项，图书馆2项，…」 for the 底稿."""
    parts = [f"{r.name}{NOT_GIVEN if r.flagged_checks is None else f'{r.flagged_checks}项'}"
             for r in rows]  # fmt: skip
    return "⚠核对项（各单位数据核对中未通过的项数）：" + "，".join(parts) + "。"


def _sum_clause(ctx: ReportContext, s: Any, said: list[str] | None = None) -> str:
    """「X（其中A未填报，未计入）」 for a sum, or 未填报 when no member states it. Members in
    `said` (those without any data, which the section's first sentence names) are not named
    again in every sum."""
    if s.value is None:
        return NOT_GIVEN
    text = amount(ctx, s.value, s.decimals)
    lacking = [n for n in s.lacking if n not in (said or [])]
    return text + (f"（{_names(lacking)}{NOT_GIVEN}，未计入）" if lacking else "")


def _income(ctx: ReportContext, d: Any) -> list[Block]:
    """部门整体收入情况; when no member states any income, only the 底稿 says so (a part of
    the 报送稿 that says nothing but 「未填报」 is none)."""
    if not d.income:
        return [not_given(f"本级及各下属单位均未填报{ctx.year}年收入情况。")]
    blocks: list[Block] = [Heading(2, "部门整体收入情况")]
    total = next((line for line in d.income if line.level == 0), None)
    if total is not None:
        clause = _sum_clause(ctx, total.current, d.without_data)
        blocks.append(p(f"{ctx.year}年部门整体收入合计{clause}。", "department"))
    rows = [
        Row.of(
            f"{INDENT * max(line.level - 1, 0)}{'其中：' if line.level == 2 else ''}{line.label}",
            number(ctx, line.current.value, line.current.decimals),
            _names(line.current.lacking) or "—",
            total=line.level == 0,
        )
        for line in d.income
    ]
    blocks.append(
        Table(
            caption=f"{ctx.year}年部门整体收入情况（金额单位：{ctx.amount_unit}）",
            columns=(Column(width=2.4), Column.numeric(), Column(width=2.4)),
            header=(Row.of("项目", "本年数合计", "未填报的单位"),),
            body=tuple(rows),
            kind="department-income",
            row_headers=True,
        )
    )
    return blocks


def _spending(ctx: ReportContext, d: Any) -> list[Block]:
    total = d.spending[0]
    said = d.without_data
    text = f"{ctx.year}年部门整体支出执行数合计{_sum_clause(ctx, total.actual, said)}"
    text += f"，预算数合计{_sum_clause(ctx, total.budget, said)}"
    if total.rate is not None:
        text += f"，预算执行率{pct(total.rate)}"
    rows = [
        Row.of(
            f"{INDENT * max(line.level - 1, 0)}{line.label}",
            number(ctx, line.budget.value, line.budget.decimals),
            number(ctx, line.actual.value, line.actual.decimals),
            _line_rate(line),
            _lacking(line),
            total=line.level == 0,
        )
        for line in d.spending
    ]
    table = Table(
        caption=f"{ctx.year}年部门整体支出情况（金额单位：{ctx.amount_unit}）",
        columns=(
            Column(width=2.4),
            Column.numeric(),
            Column.numeric(),
            Column.numeric(0.9),
            Column(width=2.2),
        ),
        header=(Row.of("项目", "预算数合计", "执行数合计", "执行率", "未填报的单位"),),
        body=tuple(rows),
        kind="department-spending",
        row_headers=True,
        notes=(
            # how the sums count (计数口径) is the reviewer's, as every counting rule
            Note(
                "注：合计只计入填报了该项数字的单位（未填报的单位列于表中，未按0计入）；"
                "执行率只在预算数与执行数计入的单位相同时计算。",
                review=True,
            ),
        ),
    )
    return [Heading(2, "部门整体支出情况"), p(text + "。", "department"), table]


def _reconciliation(ctx: ReportContext, d: Any) -> list[Block]:
    """部门合计数核对: a stated total the members' sum agrees with is stated in the 报送稿; one
    that differs (⚠, 请核对) or cannot be summed is a check for the reviewer, so it is the
    底稿's, as is the note that the department states no totals (the 报送稿 names no sheet of
    the data and asks nobody to check anything)."""
    if not d.reconciliation:
        return [not_given("单位概况未填报部门合计预算数、部门合计执行数，未作核对。")]
    agreed: list[Block] = []
    checks: list[Block] = []
    for c in d.reconciliation:
        text = f"{c.label}：填报{amount(ctx, c.stated, c.stated_decimals)}，本级与下属单位合计"
        if c.computed is None:
            lacking = f"无法计算（{_names(c.lacking)}{NOT_GIVEN}），未作核对。"
            checks.append(Note(text + lacking, review=True))
        elif c.ok:
            agreed.append(p(text + f"{amount(ctx, c.computed, c.computed_decimals)}，一致。",
                            "department-reconciliation"))  # fmt: skip
        else:
            decimals = max(d for d in (c.stated_decimals, c.computed_decimals) if d is not None)
            text += (
                f"{amount(ctx, c.computed, c.computed_decimals)}，"
                f"相差{amount(ctx, c.difference, decimals)} ⚠，请核对。"
            )
            checks.append(Note(text, review=True))
    heading: list[Block] = [Heading(2, "部门合计数核对")] if agreed else []
    return [*heading, *agreed, *checks]


def department(ctx: ReportContext, anchor: str) -> list[Block]:
    """The department as a whole, for a 主管部门 (nothing for any other unit)."""
    d = ctx.department
    if d is None:
        return []
    units = [r.name for r in d.rows[1:]]
    text = (
        f"{d.name or ctx.unit_name}作为主管部门，部门整体包括本级和下属单位{len(units)}个"
        f"（{_names(units)}）。"
    )
    if d.without_data:
        text += f"{_names(d.without_data)}本年度没有可用的数据，未计入合计。"
    blocks = [
        p(text, "department"),
        Heading(2, "本级及下属单位绩效自评情况"),
        _units_table(ctx, d),
        *_income(ctx, d),
        *_spending(ctx, d),
        *_reconciliation(ctx, d),
    ]
    return _numbered(blocks)


def _numbered(blocks: list[Block]) -> list[Block]:
    """The subsections' headings numbered （一）（二）… in the order they are present, so that a
    part left to the 底稿 leaves no gap in the numbers."""
    out: list[Block] = []
    n = 0
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2:
            n += 1
            block = replace(block, text=f"（{cn_number(n)}）{block.text}")
        out.append(block)
    return out
