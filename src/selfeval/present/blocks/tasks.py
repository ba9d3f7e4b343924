"""年度主要任务: what the approved 绩效目标申报表 set the unit to do this year, with each task's
预算金额, stated in the 部门（单位）概况 where a clerk states the year's work, before the money
the year received and spent. Only a year with a 申报表 that lists them has this block."""

from __future__ import annotations

from selfeval.present.blocks.common import amount, number, p, sentence
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Column, Note, Row, Table


def annual_tasks(ctx: ReportContext, anchor: str) -> list[Block]:
    """The 年度主要任务 in one sentence and a table (任务名称, 主要内容, 预算金额); the 审核底稿
    names the form's cell of each. Nothing without them."""
    tasks = ctx.tasks
    if tasks is None or not tasks.items:
        return []
    count = len(tasks.items)
    text = f"根据批复的部门（单位）整体支出绩效目标申报表，{ctx.year}年度主要任务{count}项"
    if tasks.total is not None:
        text += f"，预算金额合计{amount(ctx, tasks.total, tasks.total_decimals)}"
    text += "：" + "；".join(t.name for t in tasks.items)
    rows = [
        Row.of(
            t.name,
            sentence(t.content) if t.content else "",
            number(ctx, t.amount, t.amount_decimals),
        )
        for t in tasks.items
    ]
    if tasks.total is not None:
        rows.append(Row.of("合计", "", number(ctx, tasks.total, tasks.total_decimals), total=True))
    sources = "；".join(f"{t.name}：{t.source}" for t in tasks.items if t.source)
    return [
        p(sentence(text), kind="tasks"),
        Table(
            caption=f"{ctx.year}年度主要任务（单位：{ctx.amount_unit}）",
            columns=(Column(width=1.6), Column(width=3.2), Column.numeric()),
            header=(Row.of("任务名称", "主要内容", "预算金额"),),
            body=tuple(rows),
            kind="tasks",
            row_headers=True,
        ),
        Note(f"年度主要任务来源：{sources}。", review=True),
    ]
