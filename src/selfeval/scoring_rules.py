"""A rule pack's scoring rules applied to numbers: each 得分 with its working, as data.

`scoring.py` wires these into the 绩效自评表; `present.working` words a `Working` as
「19 ÷ 15 × 10 = 12.67，按分值上限计10」. The rules come from the pack the unit chose
(`selfeval.packs.rules_for`); with the national pack every score is the one `scoring.py`
computed before packs existed, operation for operation, so existing reports do not change.

- 「≥」: 实际值 ÷ 指标值 × 分值; 「≤」: 指标值 ÷ 实际值 × 分值 (a ≤ indicator whose result is 0
  met it: full marks, never a deduction; it is flagged as far below its ceiling, as
  nationally); 「=」: met within the pack's tolerance, else the smaller ÷ the larger × 分值;
  every one at most 分值;
- a result at or beyond 指标值 × over_factor (≤: at or below 指标值 ÷ over_factor) is a deviation
  needing a reason; the pack's over_penalty is then deducted (never below 0);
- 预算执行率: 执行数 ÷ 预算数 × 分值, at most 分值; under a split formula the same per 支出
  category with its own points, summed;
- the total at most the cap of the lowest band the 执行率 falls below; indicators marked 不适用
  dropped and the total rescaled to 100 (packs that say so); the grade by the pack's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from selfeval.packs import ScoringRules
from selfeval.rules import EPS, execution_rate

#: A working's `basis` when the 得分 was computed against the indicator's 调整后指标值 (packs
#: with `adjusted_target`); "" is the 年度指标值 (目标值).
ADJUSTED = "adjusted"
#: Working kinds: a quotient times the weight; met outright (no quotient: a ≤ result of 0, an
#: 「=」 within tolerance); the total capped by the 执行率; the total rescaled after dropping
#: indicators that do not apply.
RATIO, FULL, TOTAL_CAP, RESCALE = "ratio", "full", "total_cap", "rescale"


@dataclass(frozen=True)
class Working:
    """How one 得分 came about: `numerator` ÷ `denominator` × `weight` = `raw`, then at most
    `weight` (`capped`), less `penalty`: `score`. For TOTAL_CAP, `numerator` is the 执行率 and
    `weight` the cap; for RESCALE, `numerator` is 100 and `denominator` the 分值 that apply."""

    kind: str
    weight: float
    raw: float
    score: float
    numerator: float | None = None
    denominator: float | None = None
    capped: bool = False
    penalty: float = 0.0
    #: What the weight belongs to when a score has parts (贵州: 基本支出, 项目支出).
    label: str = ""
    #: Which target the 得分 was computed against: "" the 年度指标值, ADJUSTED the 调整后指标值.
    basis: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Working:
        """A working as results.json stores it (the row's 「working」)."""
        return cls(**data)


@dataclass(frozen=True)
class IndicatorScore:
    """A quantitative indicator's 得分, whether it met its target, whether it exceeded it by the
    pack's deviation factor, and the working."""

    score: float
    met: bool
    over: bool
    working: Working | None


def _ratio(numerator: float, denominator: float, weight: float, met: bool) -> Working:
    """numerator ÷ denominator × weight, at most weight; `met` scores weight exactly (as the
    national rules always have, with no rounding through the quotient)."""
    raw = weight * numerator / denominator
    score = weight if met else min(raw, weight)
    return Working(RATIO, weight, raw, score, numerator, denominator, capped=raw > weight + EPS)


def _penalised(result: IndicatorScore, penalty: float) -> IndicatorScore:
    if not (result.over and penalty > 0) or result.working is None:
        return result
    score = max(0.0, result.score - penalty)
    working = Working(
        result.working.kind,
        result.working.weight,
        result.working.raw,
        score,
        result.working.numerator,
        result.working.denominator,
        result.working.capped,
        penalty=result.score - score,
    )
    return IndicatorScore(score, result.met, result.over, working)


def indicator_score(
    rules: ScoringRules,
    direction: str,
    target: float | None,
    actual: float | None,
    weight: float,
    adjusted: float | None = None,
) -> IndicatorScore:
    """The 得分 of a ≥, ≤ or = indicator; an unknown 指标值 or 实际值 scores 0 (no working).
    Under a pack with `adjusted_target`, a stated 调整后指标值 (`adjusted`) is the target: the
    approved target at year end is what the result is measured against, and the working says
    so (`basis`)."""
    if rules.adjusted_target and adjusted is not None:
        scored = indicator_score(rules, direction, adjusted, actual, weight)
        if scored.working is None:
            return scored
        return IndicatorScore(
            scored.score, scored.met, scored.over, replace(scored.working, basis=ADJUSTED)
        )
    if target is None or actual is None:
        return IndicatorScore(0.0, False, False, None)
    factor = rules.over_factor
    if direction == "≤":
        if actual <= target + EPS:
            over = actual * factor <= target - EPS
            if actual <= 0:  # a result of 0 met any ≤ target: full marks, never a deduction
                working = Working(FULL, weight, weight, weight, target, actual)
                return IndicatorScore(weight, True, over, working)
            working = _ratio(target, actual, weight, True)
            return _penalised(IndicatorScore(weight, True, over, working), rules.over_penalty)
        working = _ratio(target, actual, weight, False)
        return IndicatorScore(working.score, False, False, working)
    if direction == "=":
        tolerance = max(EPS * max(1.0, abs(target)), rules.equal_tolerance * abs(target))
        if abs(actual - target) <= tolerance:
            return IndicatorScore(weight, True, False, Working(FULL, weight, weight, weight))
        big, small = max(abs(actual), abs(target)), min(abs(actual), abs(target))
        if big <= 0:
            return IndicatorScore(0.0, False, False, None)
        working = _ratio(small, big, weight, False)
        return IndicatorScore(working.score, False, False, working)
    # ≥ (default)
    if actual >= target - EPS:
        over = target > 0 and actual >= target * factor - EPS
        working = _ratio(actual, target, weight, True) if target > 0 else None
        return _penalised(IndicatorScore(weight, True, over, working), rules.over_penalty)
    if target <= 0:
        return IndicatorScore(0.0, False, False, None)
    working = _ratio(actual, target, weight, False)
    return IndicatorScore(working.score, False, False, working)


def execution_score(
    actual: float, budget: float, rate: float, weight: float, label: str = ""
) -> Working:
    """执行数 ÷ 预算数 × 分值, at most 分值; the score is computed from the rate in percent, as
    the national rules always have."""
    raw = rate / 100 * weight
    score = min(rate / 100, 1.0) * weight
    return Working(
        RATIO, weight, raw, score, actual, budget, capped=raw > weight + EPS, label=label
    )


def split_execution(
    rules: ScoringRules, parts: dict[str, tuple[float | None, float | None]]
) -> tuple[float | None, list[Working]]:
    """The 预算执行率 score under a split formula: each category of `rules.execution_split`
    (its (预算数, 执行数) in `parts`) scored on its own points, summed. None when a category
    with points has no rate (its 预算数 or 执行数 not given, or no budget)."""
    workings = []
    for label, weight in rules.execution_split:
        budget, actual = parts.get(label, (None, None))
        if budget is None or actual is None or budget <= 0:
            return None, workings
        rate = execution_rate(actual, budget)
        workings.append(execution_score(actual, budget, rate, weight, label))
    return float(sum(w.score for w in workings)), workings


def capped_total(
    rules: ScoringRules, total: float, rate: float | None
) -> tuple[float, Working | None]:
    """The total at most the cap of the lowest band the 执行率 falls below (70–80% → 89 …);
    unchanged, with no working, when no cap applies."""
    if rate is None:
        return total, None
    applies = [cap for cap in rules.total_caps if rate < cap.below - EPS]
    if not applies:
        return total, None
    cap = applies[-1]  # the caps are sorted by `below`, falling: the last is the strictest
    if total <= cap.at_most + EPS:
        return total, None
    return cap.at_most, Working(
        TOTAL_CAP, cap.at_most, total, cap.at_most, rate, cap.below, capped=True
    )


def rescaled_total(total: float, applicable_weight: float) -> tuple[float, Working | None]:
    """The total of the indicators that apply (and the rate's), rescaled to 100: total × 100 ÷
    the 分值 that apply. Unchanged when every indicator applies."""
    if applicable_weight <= 0 or abs(applicable_weight - 100) <= EPS:
        return total, None
    score = total * 100 / applicable_weight
    return score, Working(RESCALE, 100.0, total, score, 100.0, applicable_weight)


def needs_reason(rules: ScoringRules, rate: float | None) -> bool:
    """Whether an 执行率 below the pack's threshold needs a reason (exactly 90% does not); a
    form that states no 执行率 rule (江西) has no place for one."""
    if not rules.execution_rule:
        return False
    return rate is not None and rate < rules.reason_threshold - EPS


def grade(rules: ScoringRules, total: float) -> str:
    """The grade of a (rounded) total by the pack's bounds, best first."""
    for name, bound in rules.grades[:-1]:
        if total >= bound - EPS:
            return name
    return rules.grades[-1][0]
