"""A score's working in words: 「19 ÷ 15 × 10 = 12.67，按分值上限计10」.

`selfeval.scoring_rules` computes each 得分 with its `Working` (numbers); this module only
words them, for the 审核底稿 and for a form's 得分计算方法 column (贵州). Under a rule pack other
than the national one the 底稿 lists every score's working and the table's rules name the pack's
own (caps, deductions, threshold); the national 底稿 stays as it was.
"""

from __future__ import annotations

from typing import Any

from selfeval.packs import DEFAULT_PACK, scoring_rules
from selfeval.rules import decimal_str, money_str, plain_str
from selfeval.scoring import ScoreResult
from selfeval.scoring_rules import ADJUSTED, FULL, RATIO, RESCALE, TOTAL_CAP, Working


def as_working(value: Any) -> Working | None:
    """A working as computed or as results.json stores it (a dict), or None."""
    if value is None or isinstance(value, Working):
        return value
    return Working.from_dict(dict(value))


def _operand(value: float | None, amount_unit: str | None) -> str:
    """An operand as written: an amount in the unit's 金额单位, else the figure itself."""
    return money_str(value, amount_unit) if amount_unit else plain_str(value)


def working_text(value: Any, amount_unit: str | None = None) -> str:
    """One working in words, without a closing 「。」; "" without one. `amount_unit` (万元 or 元)
    when the operands are amounts held in 万元 (the 预算执行率's 执行数 and 预算数)."""
    working = as_working(value)
    if working is None:
        return ""
    weight = plain_str(working.weight)
    if working.kind == RATIO:
        numerator = _operand(working.numerator, amount_unit)
        denominator = _operand(working.denominator, amount_unit)
        text = f"{numerator} ÷ {denominator} × {weight} = {decimal_str(working.raw)}"
        if working.capped:
            text += f"，按分值上限计{weight}"
    elif working.kind == FULL and working.denominator is not None:
        text = f"实际完成值为0，不超过指标值{plain_str(working.numerator)}，得满分{weight}"
    elif working.kind == FULL:
        text = f"实际完成值与指标值相符，得满分{weight}"
    elif working.kind == TOTAL_CAP:
        return (
            f"预算执行率{decimal_str(working.numerator)}%低于{plain_str(working.denominator)}%，"
            f"总分{decimal_str(working.raw)}按上限计{weight}"
        )
    elif working.kind == RESCALE:
        return (
            f"{decimal_str(working.raw)} × 100 ÷ {plain_str(working.denominator)}"
            f" = {decimal_str(working.score)}"
        )
    else:
        raise ValueError(f"unknown working kind {working.kind!r}")
    if working.penalty:
        deducted = plain_str(working.penalty)
        text += f"；超过指标值较多，扣{deducted}分，计{decimal_str(working.score)}"
    if working.basis == ADJUSTED:  # the target used is not the one in the 年度指标值 column
        text = f"按调整后指标值计：{text}"
    return f"{working.label}：{text}" if working.label else text


def working_notes(result: ScoreResult, amount_unit: str = "万元") -> list[str]:
    """For the 底稿 under a rule pack other than the national one: how each score and the
    total came about, in table order. The national 底稿 is left as it was ([])."""
    if result.pack == DEFAULT_PACK:
        return []
    notes = []
    if result.funds.weight > 0 and result.funds.workings:
        parts = "；".join(working_text(w, amount_unit) for w in result.funds.workings)
        notes.append(f"预算执行率得分：{parts}。")
    for row in result.indicators:
        text = working_text(row.get("working"))
        if text and row.get("得分") is not None:
            notes.append(f"{row['三级指标']}得分：{text}。")
    if result.rescale_working is not None:
        notes.append(f"不适用指标剔除后按100分折算：{working_text(result.rescale_working)}。")
    if result.total_working is not None:
        notes.append(f"总分：{working_text(result.total_working)}。")
    return notes


def pack_rules_text(result: ScoreResult) -> str:
    """The pack's own rules beyond the national ones, for the rules under its table: its name,
    the deduction for a result far beyond its target, the caps on the total; "" nationally."""
    if result.pack == DEFAULT_PACK:
        return ""
    rules = scoring_rules(result.pack)
    parts = [f"按{rules.name}表式评分"]
    beyond = f"{plain_str(round((rules.over_factor - 1) * 100, 6))}%"
    if rules.over_penalty:
        parts.append(
            f"实际完成值超过指标值{beyond}及以上的为偏差，需说明原因，"
            f"该指标扣{plain_str(rules.over_penalty)}分"
        )
    if rules.execution_formula == "split":
        split = "、".join(f"{k}{plain_str(v)}分" for k, v in rules.execution_split)
        parts.append(f"预算执行率得分按{split}分别计算")
    for cap in rules.total_caps:
        parts.append(f"预算执行率低于{plain_str(cap.below)}%的总分至多{plain_str(cap.at_most)}分")
    return "；".join(parts) + "。"
