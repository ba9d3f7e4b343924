"""二 至 五: spending of each 预算类型, in three states — stated, stated as none (0 → 「无」),
not given (「未填报」) — with 年初/全年 budgets, economic classes grouped as 人员经费/公用经费,
projects and their uses, and the parts a total leaves out named."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from selfeval.contract.sheets import BASIC_ITEMS
from selfeval.present.blocks.common import (
    BlockBuilder,
    actual_of,
    amount,
    budget_clauses,
    budget_part,
    figure,
    missing_note,
    not_given,
    number,
    p,
    sentence,
    t,
)
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Cell, Column, Heading, Note, Row, Table
from selfeval.present.formats import NOT_GIVEN, pct
from selfeval.present.scoring_view import stated_rate_note, stated_text

BASIC, PROJECT = "基本支出", "项目支出"
#: A detail table with this many columns is printed on landscape pages.
WIDE_COLUMNS = 8


def _is_none(line: Any, items: list) -> bool:
    """A stated none: the line's 执行数 is 0 and no item under it spent anything."""
    return line.actual == 0 and all(not a.actual for a in items)


def _reason(line: Any, said: str) -> str:
    """The unit's 说明 of a 合计 row it stated (often why 执行数 differs from 预算数), in its own
    words, after the sentence that states that total; nothing when the 说明 only names what
    the sentence already says (「财政拨款基本支出」)."""
    note = line.note.strip() if line.stated and line.note else ""
    if not note or note.rstrip("。.；;") in said:
        return ""
    return sentence(note)


def _stated_funds(ctx: ReportContext, total: Any) -> Any | None:
    """The 自评表's funds when the unit states a 预算执行率 (声明数, or the 自评表's 预算执行率
    row) of this very total — the 自评表's 年度资金总额 is the 一般公共预算 total, same 执行数
    and same budget (or none, when the program cannot compute the rate) — so that the 报送稿
    states the unit's figure, not a recomputed one; None otherwise."""
    funds = getattr(ctx.scoring, "funds", None)
    if funds is None or funds.stated_rate is None or total.actual is None:
        return None

    def agree(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return abs(a - b) < 0.005

    if agree(funds.budget, total.budget) and agree(funds.actual, total.actual):
        return funds
    return None


def _stated_rate(ctx: ReportContext, total: Any) -> str | None:
    """The unit's own 预算执行率 of this total, as it wrote it (91.5%), or None."""
    funds = _stated_funds(ctx, total)
    return None if funds is None else f"{stated_text(funds.stated_rate)}%"


def _general_summary(ctx: ReportContext, general: Any) -> str:
    shares = ctx.spending.shares
    total = general.total
    year = ctx.year
    if total.actual is None:
        text = f"{year}年一般公共预算支出"
    else:
        text = f"{year}年一般公共预算支出{actual_of(ctx, total)}"
    clauses = budget_clauses(ctx, total, rate="预算执行率", stated_rate=_stated_rate(ctx, total))
    if clauses:
        text += ("，" if total.actual is not None else "") + "，".join(clauses)
    if not general.categories:
        return text + "。"
    parts = []
    for name, line in general.categories.items():
        if line.actual is None:  # left out here; _gaps tells the 底稿
            continue
        part = f"{name}{actual_of(ctx, line)}"
        if shares.get(name) is not None:
            part += f"，占{pct(shares[name])}"
        parts.append(part)
    return text + ("，其中：" + "；".join(parts) if parts else "") + "。"


def _gaps(ctx: ReportContext, *lines: Any) -> list[Block]:
    """For the 审核底稿: the 执行数 a line lacks and the parts its sum leaves out (the 报送稿
    states what is given and leaves the rest out, never 「未填报」 inside a sentence)."""
    notes = []
    for line in lines:
        if line is None:
            continue
        if line.actual is None:
            notes.append(not_given(f"{ctx.year}年{line.label}执行数{NOT_GIVEN}。"))
        elif line.missing_actual:
            notes.append(not_given(f"{line.label}{missing_note(line)}。"))
    return notes


def _basic_items(ctx: ReportContext, general: Any, items: list) -> str:
    """「其中：人员支出…，公用支出…」 for the two items, or the economic classes in their two
    groups: 「人员经费X（工资福利支出A、对个人和家庭的补助B），公用经费Y（…）」."""
    shares = ctx.spending.shares
    items = [a for a in items if a.actual is not None]  # the others: the 底稿's (_gaps)
    if not items:
        return ""
    if all(a.label in BASIC_ITEMS for a in items):
        parts = []
        for a in items:
            part = f"{a.label}{actual_of(ctx, a)}{budget_part(ctx, a)}"
            if shares.get(a.label) is not None:
                part += f"，占一般公共预算支出的{pct(shares[a.label])}"
            parts.append(part)
        return "，其中：" + "，".join(parts)
    groups = []
    for name, group in general.basic_groups.items():
        members = [a for a in items if a.group == name]
        if group.actual is None or not members:
            continue
        inner = "、".join(f"{a.label}{actual_of(ctx, a)}" for a in members)
        groups.append(f"{name}{actual_of(ctx, group)}（{inner}）")
    return "，其中：" + "，".join(groups)


def _opening(
    ctx: ReportContext, general: Any, key: str, lead: str
) -> tuple[Any, list, str | Block]:
    """The category, its items and the opening of its sentence; or, in the third place, the
    finished paragraph when the category is not given (未填报) or stated as none (无)."""
    category = general.categories.get(key)
    if category is None:
        return None, [], not_given(f"{key}{NOT_GIVEN}。")
    items = general.items.get(key, [])
    if _is_none(category, items):
        none = f"本单位{ctx.year}年无{key}。"
        return None, [], p(none + _reason(category, none))
    if category.actual is None:
        text = f"{ctx.year}年{lead}"
        clauses = budget_clauses(ctx, category)
        return category, items, text + "，".join(clauses)
    text = f"{ctx.year}年{lead}{actual_of(ctx, category)}"
    return category, items, text + budget_part(ctx, category)


def _basic(ctx: ReportContext, general: Any) -> list[Block]:
    basic, items, text = _opening(ctx, general, BASIC, "财政拨款基本支出")
    if basic is None:
        return [text]
    if items:
        text += _basic_items(ctx, general, items)
    text += "。"
    blocks: list[Block] = [p(text + _reason(basic, text))]
    difference = basic.parts_difference
    if basic.stated and difference and number(ctx, basic.parts_sum) != number(ctx, basic.actual):
        # the unit's own 合计 is what the report states; the rounding question is the reviewer's
        blocks.append(
            Note(
                f"分项之和为{amount(ctx, basic.parts_sum)}，与所列合计数相差"
                f"{amount(ctx, difference)}，属舍入差异，报告采用所列合计数。",
                review=True,
            )
        )
    blocks += _gaps(ctx, replace(basic, label=BASIC))
    total = ctx.sangong_total
    if total is not None:
        blocks += _sangong(ctx, total, ctx.sangong)
    return blocks


def _sangong(ctx: ReportContext, total: Any, items: list) -> list[Block]:
    """「“三公”经费预算0.30万元，实际支出0.19万元，均为公务接待费。」: the parts that spent
    something named (a stated all-zero year lists its zeros, as units write it); the parts
    without a 执行数 go to the 底稿."""
    origins = [_origin(ctx, a, []) for a in items]
    notes: list[Block] = [Note("“三公”经费数据来源：" + "；".join(origins) + "。", review=True)]
    notes += _gaps(ctx, replace(total, label="“三公”经费"))
    if total.actual is None:
        return notes
    spent = actual_of(ctx, total)
    if total.budget is not None:
        text = f"“三公”经费预算{amount(ctx, total.budget, total.budget_decimals)}，实际支出{spent}"
    else:
        text = f"“三公”经费支出{spent}"
    known = [a for a in items if a.actual is not None]
    nonzero = [a for a in known if a.actual]
    if not nonzero:  # all stated as 0: the parts as the unit wrote them
        text += f"（{'，'.join(f'{a.label}{actual_of(ctx, a)}' for a in known)}）"
    elif len(nonzero) == 1 and not total.missing_actual:
        text += f"，均为{nonzero[0].label}"
    else:
        text += "，其中：" + "，".join(f"{a.label}{actual_of(ctx, a)}" for a in nonzero)
    return [p(text + "。"), *notes]


def _uses(ctx: ReportContext, project: Any) -> str:
    if not project.uses:
        return ""
    return "，其中" + "、".join(f"{u.label}{actual_of(ctx, u)}" for u in project.uses)


def _project(ctx: ReportContext, general: Any) -> list[Block]:
    project, items, text = _opening(ctx, general, PROJECT, "项目支出")
    if project is None:
        return [text]
    if items:
        text += f"，共{len(items)}个项目：" + "；".join(
            f"{a.label}{actual_of(ctx, a) if a.actual is not None else ''}"
            f"{budget_part(ctx, a)}{_uses(ctx, a)}"
            for a in items
        )
    missing = [a for a in items if a.actual is None]
    gaps = _gaps(ctx, replace(project, label=PROJECT), *missing)
    return [p(text + "。" + _reason(project, text)), *gaps]


def _origin(ctx: ReportContext, line: Any, parts: list) -> str:
    """Where a line's 执行数 comes from: its input row, or the sum of the parts it was made of."""
    figure = f"{line.label} {number(ctx, line.actual, line.actual_decimals)}"
    if line.source:
        return f"{figure}：{line.source}「执行数」"
    known = [a for a in parts if a.actual is not None]
    if known:
        terms = " + ".join(f"{a.label} {number(ctx, a.actual, a.actual_decimals)}" for a in known)
        return f"{figure} = {terms}"
    return f"{figure}：{NOT_GIVEN}"


def _sources_note(ctx: ReportContext, general: Any) -> Note:
    """For the 审核底稿: each row's 执行数 with the input cell it comes from, or its sum."""
    lines = []
    for name, line in general.categories.items():
        items = general.items.get(name, [])
        lines += [_origin(ctx, a, a.uses) for a in items]
        lines.append(_origin(ctx, replace(line, label=f"{name}小计"), items))
    categories = list(general.categories.values())
    lines.append(_origin(ctx, replace(general.total, label="合计"), categories))
    return Note("数据来源：" + "；".join(lines) + "。", review=True)


def _spending_table(ctx: ReportContext, general: Any) -> Table:
    budget = ctx.spending.any_budget
    original = ctx.spending.any_original

    def cells(lead: tuple[Cell, ...], line: Any, share: str) -> tuple[Cell, ...]:
        numbers = []
        if original:
            numbers.append(number(ctx, line.original_budget, line.original_decimals))
        if budget:
            numbers.append(number(ctx, line.budget, line.budget_decimals))
        numbers.append(number(ctx, line.actual, line.actual_decimals))
        if budget:
            numbers.append(pct(line.rate))
        numbers.append(share)
        return (*lead, *(Cell(n) for n in numbers), Cell(t(line.note)))

    def share(value: float | None) -> str:
        return "—" if value is None else pct(value)

    body: list[Row] = []
    for name, line in general.categories.items():
        for a in general.items.get(name, []):
            body.append(Row(cells((Cell(name), Cell(a.label)), a, share(a.share))))
            for u in a.uses:
                body.append(Row(cells((Cell(name), Cell(f"　其中：{u.label}")), u, "—")))
        subtotal = cells((Cell(name), Cell("小计")), line, share(line.share))
        body.append(Row(subtotal, kind="subtotal"))
    total = general.total
    whole = pct(100) if total.actual else "—"
    body.append(Row(cells((Cell("合计", colspan=2),), total, whole), total=True))
    headers = ["支出类别", "支出项目"]
    headers += ["年初预算数"] if original else []
    headers += [("全年预算数" if original else "预算数")] if budget else []
    headers += ["执行数", *(["执行率"] if budget else []), "占比", "说明"]
    return Table(
        notes=(_sources_note(ctx, general),),
        caption=f"一般公共预算支出明细（单位：{ctx.amount_unit}）",
        columns=(
            Column(width=1.6),
            Column(width=1.6),
            *(Column.numeric() for _ in range(len(headers) - 3)),
            Column(width=2.2),
        ),
        header=(Row.of(*headers),),
        body=tuple(body),
        kind="spending",
        # eight columns (年初 and 全年 budgets): more room in print (see Table.wide)
        wide=len(headers) >= WIDE_COLUMNS,
    )


def general_spending(ctx: ReportContext, anchor: str) -> list[Block]:
    """二、一般公共预算支出情况: totals, 基本支出 and 项目支出, the detail table, charts."""
    general = ctx.spending.general
    year = ctx.year
    if general is None:
        return [not_given(f"{year}年一般公共预算支出情况{NOT_GIVEN}。")]
    items = [a for ls in general.items.values() for a in ls]
    if _is_none(general.total, [*items, *general.categories.values()]):
        none = f"本单位{year}年无一般公共预算支出。"
        return [p(none + _reason(general.total, none))]
    summary = _general_summary(ctx, general)
    blocks: list[Block] = [p(summary + _reason(general.total, summary))]
    funds = _stated_funds(ctx, general.total)
    if funds is not None:  # the unit's rate is stated: the program's beside it, ⚠ or ✓
        blocks.append(Note(str(stated_rate_note(funds)), review=True))
    blocks += _gaps(ctx, replace(general.total, label="一般公共预算支出"))
    if not ctx.spending.any_budget and not ctx.spending.any_original:
        blocks.append(Note(f"本年度支出数据{NOT_GIVEN}预算数，未计算预算执行率。", review=True))
    if not general.categories:
        blocks.append(
            not_given(f"支出数据只列一般公共预算合计数，基本支出和项目支出的构成{NOT_GIVEN}。")
        )
        return blocks
    blocks.append(Heading(2, "（一）基本支出情况"))
    blocks += _basic(ctx, general)
    blocks.append(Heading(2, "（二）项目支出情况"))
    blocks += _project(ctx, general)
    blocks.append(_spending_table(ctx, general))
    blocks += [figure(fig) for fig in ctx.spending_figures]
    return blocks


def other_budget(budget_type: str) -> BlockBuilder:
    """Builder of 三/四/五: 未填报 when the type has no rows, 无 for a stated none."""

    def block(ctx: ReportContext, anchor: str) -> list[Block]:
        spend = ctx.spending.types.get(budget_type)
        if spend is None:
            return [not_given(f"{ctx.year}年{budget_type}支出情况{NOT_GIVEN}。")]
        total = spend.total
        items = [a for ls in spend.items.values() for a in ls]
        year = ctx.year
        clauses = budget_clauses(ctx, total)
        if _is_none(total, items) and not clauses:
            # stated as none: what a clerk writes, never 「0万元。无。」
            blocks: list[Block] = [p(f"本单位{year}年无{budget_type}支出。")]
        elif total.actual is None:
            blocks = [p(f"{year}年{budget_type}支出{'，'.join(clauses)}。")] if clauses else []
        else:
            text = f"{year}年{budget_type}支出{actual_of(ctx, total)}"
            blocks = [p(text + ("，" + "，".join(clauses) if clauses else "") + "。")]
        blocks += _gaps(ctx, replace(total, label=f"{budget_type}支出"))
        for name, lines in spend.items.items():
            blocks += [
                p(f"{name}{a.label}{actual_of(ctx, a)}{budget_part(ctx, a)}。")
                for a in lines
                if a.actual is not None
            ]
            blocks += _gaps(ctx, *(replace(a, label=f"{name}{a.label}") for a in lines))
        # the unit's note, unless it only repeats the none just stated (「说明：无」)
        if total.note and not (_is_none(total, items) and total.note.strip("。 ") == "无"):
            blocks.append(Note(f"说明：{total.note}"))
        return blocks

    block.__doc__ = f"{budget_type}支出: total, each item, the note."
    return block


def budget_overview(ctx: ReportContext, anchor: str) -> list[Block]:
    """All four 预算类型 in one part (frames that have no section per type): 二's content
    under （一）, then one heading per other type."""
    blocks: list[Block] = [Heading(2, "（一）一般公共预算支出情况"), *general_spending(ctx, anchor)]
    numerals = "二三四"
    for i, budget_type in enumerate(("政府性基金预算", "国有资本经营预算", "社会保险基金预算")):
        blocks.append(Heading(2, f"（{numerals[i]}）{budget_type}支出情况"))
        blocks += other_budget(budget_type)(ctx, anchor)
    return [_demote(b) for b in blocks]


def _demote(block: Block) -> Block:
    """二's own headings (基本支出, 项目支出) become level 3 under the overview's headings."""
    if isinstance(block, Heading) and block.text in ("（一）基本支出情况", "（二）项目支出情况"):
        return Heading(3, block.text.replace("（一）", "1.").replace("（二）", "2."), block.anchor)
    return block
