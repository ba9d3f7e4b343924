"""附录's list of suspected typos in the unit's text (`figures.typos`): the 审核底稿 names each —
file, row, column, the activity's 编号, the words and the suggested ones — so that the unit
corrects its data; the 报送稿 keeps the unit's words as written (issue #30)."""

from __future__ import annotations

from selfeval.figures.typos import Typo
from selfeval.present.blocks.common import p
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Note


def typo_text(typo: Typo) -> str:
    """「疑似笔误：数字服务.csv 第4行「说明」「…在国家公信部已备案…」中的「公信部」，疑为「工信部」
    （工业和信息化部简称“工信部”）。」"""
    event = f"（编号{typo.event_id}）" if typo.event_id else ""
    why = f"（{typo.why}）" if typo.why else ""
    return (
        f"疑似笔误：{typo.where}{event}「{typo.excerpt}」中的「{typo.found}」，"
        f"疑为「{typo.right}」{why}。"
    )


def typos(ctx: ReportContext, anchor: str) -> list[Block]:
    """The flags, one note each after a lead sentence; nothing when there are none."""
    if not ctx.typos:
        return []
    lead = (
        f"单位填报的文字中有{len(ctx.typos)}处疑似笔误。报送稿保留单位原文，"
        "请单位核实后在填报数据中更正："
    )
    return [p(lead, kind="typos-summary"), *(Note(typo_text(t), review=True) for t in ctx.typos)]
