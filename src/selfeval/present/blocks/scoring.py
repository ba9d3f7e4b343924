"""附表: the 绩效自评表 as ONE table, cell for cell, in a rule pack's layout
(`selfeval.present.form`; by default the national form, 财预〔2020〕10号 附1) — the header
block, 年度资金情况 by source, 年度总体目标, the indicators with their merged 一级/二级 cells,
总分 and grade — for the unit as a whole (always: its funds block stands without 绩效目标)
and for each project; the rules applied go to the 审核底稿.

The form's blocks share one grid, so that a column reads down: the funds block's 分值 (10) sits
in the indicators' 分值 column and 10 + the indicators' 分值 is the 总分's 分值 below them; the
indicators' 得分 spans two grid columns, under which the funds block has its 执行率 and 得分.
"""

from __future__ import annotations

from collections.abc import Mapping

from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Heading, Note, Paragraph
from selfeval.present.form import form_table
from selfeval.present.formats import cn_number
from selfeval.present.scoring_view import IndicatorRow, ScoringView


def _row_sources(r: IndicatorRow) -> str:
    """Where an indicator comes from: its row, or for a 申报表's indicator the form's 指标值
    cell and the clerk's 绩效目标 row that gave its 实际完成值 (a reviewer checks both)."""
    if r.result_source:
        return f"{r.level3}：指标值见{r.source}，实际完成值见{r.result_source}"
    return f"{r.level3}：{r.source}"


#: 文字说明 sections a form may hold in a cell of its own (四川's 评价结论, 存在问题, 改进措施).
FORM_TEXTS = ("评价结论", "存在问题", "改进措施")


def self_evaluation(
    v: ScoringView, year: int, pack: str | None = None, facts: Mapping[str, str] | None = None
) -> list[Block]:
    """One 自评表 in pack `pack`'s form (default: the pack the unit chose, 单位概况
    「自评表格式」, which scored it), from its view (`selfeval.present.scoring_view`);
    `facts` (the 单位概况's items) fill what a province's form asks beyond the view (填报日期,
    联系人, …)."""
    blocks: list[Block] = []
    # What the unit still has to explain is the reviewer's list, not part of the form.
    blocks += [Note(f"需补充说明：{w}", review=True) for w in v.warnings]
    blocks.append(form_table(v, year, pack, facts))
    if v.funds_derivation:
        blocks.append(Note(v.funds_derivation, review=True))
    sources = [_row_sources(r) for r in v.rows if r.source]
    if sources:
        blocks.append(Note("绩效指标来源：" + "；".join(sources) + "。", review=True))
    blocks += [Note(n, review=True) for n in v.stated_notes]
    if v.unscored_reason and not v.total_stated:
        blocks.append(Paragraph.of(f"{v.unscored_reason}。", kind="unscored"))
    blocks.append(Note(v.rules, review=True))
    return blocks


def scoring_table(ctx: ReportContext, anchor: str) -> list[Block]:
    """附表：部门整体支出绩效自评表."""
    facts = {**ctx.unit, "填报日期": ctx.data_date or ""}  # the date as the 落款 writes it
    # a form's cells 评价结论, 存在问题, 改进措施 (四川) hold the 文字说明 sections so named
    facts |= {k: "".join(ctx.texts[k]["paragraphs"]) for k in FORM_TEXTS if k in ctx.texts}
    return self_evaluation(ctx.scoring_view, ctx.year, facts=facts)


def project_tables(ctx: ReportContext, anchor: str) -> list[Block]:
    """附表：项目支出绩效自评表, one per project with targets (nothing when there is none)."""
    blocks: list[Block] = []
    for i, v in enumerate(ctx.project_views, 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{v.header.name}", f"{anchor}-{i}"))
        blocks += self_evaluation(v, ctx.year)
    return blocks
