"""七 八 九 and the appendix: deviations and the analyst's prose (「未填报」 when the data says
nothing), the 数据核对 table, and where the report comes from."""

from __future__ import annotations

import re
from typing import Any

from selfeval.present.blocks.common import amount, not_given, p, sentence, t, texts
from selfeval.present.context import ReportContext
from selfeval.present.document import Align, Block, Cell, Column, Note, Row, Table
from selfeval.present.formats import NOT_GIVEN, cn_number, pct
from selfeval.present.scoring_view import deviation_problem
from selfeval.present.wording import whose
from selfeval.rules import plain_str

_TEXT_KEYS = {"problems": "存在问题", "measures": "改进措施", "other": "其他说明"}


def _problem(ctx: ReportContext, deviation: Any) -> str:
    """What deviated; an 执行率 deviation in the unit's own 金额单位."""
    f = deviation.figures
    if not f:
        return deviation_problem(deviation)
    return (
        f"{whose(f.get('project'))}预算执行率为{pct(f['rate'])}（{f['rate_base']}"
        f"{amount(ctx, f['budget'], f.get('budget_decimals'))}，"
        f"全年执行数{amount(ctx, f['actual'], f.get('actual_decimals'))}），"
        f"低于{plain_str(f['threshold'])}%。"
    )


def _core(text: str) -> str:
    return re.sub(r"\s", "", text).strip("。；，")


def _distinct(items: list[str]) -> list[str]:
    """The items without one that only says what another says: its words all inside a longer
    sibling, or the same as an earlier one (e.g. a deviation's measure also in 文字说明)."""
    cores = [_core(x) for x in items]
    kept = []
    for i, (x, c) in enumerate(zip(items, cores, strict=True)):
        if c and any(c in o and (len(o) > len(c) or j < i) for j, o in enumerate(cores) if j != i):
            continue
        kept.append(x)
    return kept


def _closing(ctx: ReportContext, key: str) -> list[Block]:
    """七 八 九: the 自评表s' deviations, then the unit's paragraphs, numbered （一）（二） when
    several (the items directly under a numbered part, as 一、（一）1.（1） has it); a cause the
    unit did not give is the 底稿's note, and a paragraph that only repeats another is left out."""
    paras = [sentence(x) for x in texts(ctx, _TEXT_KEYS[key])]
    deviations = ctx.deviations
    working: list[Block] = []
    if key == "problems":
        auto = []
        for d in deviations:
            auto.append(_problem(ctx, d) + (f"原因：{sentence(d.cause)}" if d.cause else ""))
            if not d.cause:
                working.append(not_given(f"偏差原因{NOT_GIVEN}：{_problem(ctx, d)}"))
    elif key == "measures":
        auto = [sentence(d.measure) for d in deviations if d.measure]
    else:
        auto = []
    items = _distinct(auto + paras)
    blocks: list[Block] = []
    numbered = len(items) > 1
    for i, x in enumerate(items, 1):
        kind = "deviation" if x in auto else ""
        blocks.append(p(f"（{cn_number(i)}）{x}" if numbered else x, kind=kind))
    if not items:
        if key == "problems" and ctx.targets_given:
            blocks.append(p(f"{ctx.year}年我单位无预算支出执行偏离绩效目标的情况。"))
        else:
            blocks.append(not_given(f"本部分{NOT_GIVEN}。"))
    return blocks + working


def problems(ctx: ReportContext, anchor: str) -> list[Block]:
    """七、存在的问题及原因分析: the 自评表s' deviations first, then the analyst's prose."""
    return _closing(ctx, "problems")


def measures(ctx: ReportContext, anchor: str) -> list[Block]:
    """八、下一步改进措施: the deviations' measures first, then the analyst's prose."""
    return _closing(ctx, "measures")


def other(ctx: ReportContext, anchor: str) -> list[Block]:
    """九、其他需要说明的情况: the analyst's prose, or 未填报."""
    return _closing(ctx, "other")


def reconciliation(ctx: ReportContext, anchor: str) -> list[Block]:
    """附录：数据核对: how many checks, how many flagged, and the table of every check."""
    checks = ctx.reconciliation.to_dict("records")
    warned = [c for c in checks if c["结果"] == "⚠"]
    if not checks:
        summary = "本年度数据中没有可核对的合计数或声明数。"
    elif warned:
        summary = (
            f"共核对{len(checks)}项，其中{len(warned)}项标记为“⚠”（来源数字与明细计算结果不一致，"
            "或无法核对），报告正文按说明中的口径采用数字。"
        )
    else:
        summary = f"共核对{len(checks)}项，均一致（“✓”；差异在舍入范围内者列示差异）。"
    blocks: list[Block] = [p(summary, kind="reconciliation-summary")]
    if not checks:
        return blocks
    rows = tuple(
        Row(
            (
                Cell(t(c["检查项"])),
                Cell(c["结果"], align=Align.CENTER),
                *(Cell(t(c[k])) for k in ("来源数", "计算数", "差异")),
                Cell(t(c["说明"])),
            ),
            kind="check-warn" if c["结果"] == "⚠" else "check-ok",
        )
        for c in checks
    )
    blocks.append(
        Table(
            caption="数据核对结果",
            columns=(
                Column(width=2.4),
                Column(Align.CENTER, 0.5),
                *(Column.numeric() for _ in range(3)),
                Column(width=3.0),
            ),
            header=(Row.of("检查项", "结果", "来源数", "计算数", "差异", "说明"),),
            body=rows,
            notes=(
                Note(
                    f"注：差异 = 来源数 − 计算数；金额单位为{ctx.amount_unit}。"
                    "同一活动列于多个类别、汇总条目与其所含活动，在年度合计中均只计一次。"
                ),
            ),
            kind="reconciliation",
        )
    )
    return blocks


def colophon(ctx: ReportContext, anchor: str) -> list[Block]:
    """Where the report comes from (last line of the document)."""
    return [Note(f"本报告由 selfeval 根据{ctx.source}自动生成；文中数字均由处理后的数据计算。")]
