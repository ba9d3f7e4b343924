"""What a submitted report states besides its figures: the 自评结论, the 结果应用 and the 落款.

The 自评结论 is worded from the 自评表's score, grade, execution and indicators (computed in
`selfeval.scoring`, only worded here); the 结果应用 is the unit's own text (文字说明 章节
「结果应用」); the 落款 is the unit's name and the 成文日期 (单位概况 「填报日期」, written with
Arabic numerals as GB/T 9704-2012 7.3.5.1 asks). A part the data cannot give is left out here;
the gate of the 报送稿 lists it for the reviewer.
"""

from __future__ import annotations

from selfeval.present.blocks.common import amount, p, texts
from selfeval.present.context import ReportContext
from selfeval.present.document import Block, Paragraph, ParagraphRole
from selfeval.present.draft import MISSING_TEXT


def _indicators_sentence(indicators: list[dict]) -> str:
    """「设定绩效指标12项，已完成11项；未完成的为：图书流通人次。」"""
    if not indicators:
        return ""
    unmet = [r["三级指标"] for r in indicators if not r["met"]]
    text = f"设定绩效指标{len(indicators)}项，"
    if not unmet:
        return text + "均已完成。"
    text += f"已完成{len(indicators) - len(unmet)}项"
    return text + f"；未完成的为：{'、'.join(unmet)}。"


def conclusion(ctx: ReportContext, anchor: str) -> list[Block]:
    """「经自评，2023年度部门整体支出绩效自评得分94.44分，等级为“优”。」 and the figures
    behind it; nothing when no total could be computed (no 绩效目标)."""
    result = ctx.scoring
    if result is None or result.total is None:
        return []
    view = ctx.scoring_view  # the unit's own total and rate, at its precision, where stated
    text = f"经自评，{ctx.year}年度部门整体支出绩效自评得分{view.total}分" + (
        f"，等级为“{result.grade}”。" if result.grade else "。"
    )
    funds = result.funds
    if funds.rate is not None:
        budget = amount(ctx, funds.budget, funds.budget_decimals)
        actual = amount(ctx, funds.actual, funds.actual_decimals)
        text += f"{funds.rate_base}{budget}，全年执行数{actual}，"
    if funds.rate is not None or funds.stated_rate is not None:
        text += f"预算执行率{view.funds[0].rate}。"
    text += _indicators_sentence(result.indicators)
    return [p(text, kind="conclusion")]


def application(ctx: ReportContext, anchor: str) -> list[Block]:
    """The unit's 结果应用 text (how the self-evaluation's results are used and published)."""
    return [p(x) for x in texts(ctx, "结果应用")]


def signature(ctx: ReportContext, anchor: str) -> list[Block]:
    """The 落款: the unit's name and the 成文日期, each on its own line at the right."""
    lines = [ctx.unit_name]
    if ctx.data_date:
        lines.append(ctx.data_date)
    blank = Paragraph.of("", ParagraphRole.NOINDENT, kind="signature-space")
    return [blank, *(Paragraph.of(x, ParagraphRole.SIGNATURE, kind="signature") for x in lines)]


def missing_texts(missing: list[str]) -> tuple[str, ...]:
    """The 报送稿's missing items in plain Chinese, in the frame's order."""
    return tuple(MISSING_TEXT[item] for item in missing)
