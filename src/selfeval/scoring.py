"""绩效自评表 scoring: the funds block and one scored row per indicator of the 绩效目标 sheet.

Rules (national rules for project-expenditure self-evaluation):

- weights: 预算执行率 10, the sheet's indicators 90 (产出 50, 效益 30, 满意度 10 in principle;
  the rules allow another split, so only the total is enforced): indicator 分值 not adding to 90
  is an input error naming the sums found;
- 预算执行率 = 全年执行数 / 全年预算数 over the spending rows with a known budget,
  得分 = 执行率 × 10, at most 10; without any budget the block says 预算数缺失 and scores nothing;
- quantitative indicators (≥, ≤, =): met → full 分值, otherwise 分值 × 完成值/指标值
  (≤: 指标值/完成值); met by far more than planned (``OVER_ACHIEVEMENT_FACTOR``) is flagged;
- qualitative (定性) indicators: the analyst's 评价 and 得分; 达成 in (80%, 100%] of 分值,
  部分达成 in (50%, 80%], 未达成 in [0, 50%]; a 得分 outside its band is an input error;
- total = sum of unrounded scores, rounded once to two decimals; grade 优 ≥ 90, 良 ≥ 80,
  中 ≥ 60, 差 below.

An optional row of the 绩效目标 sheet whose 一级指标 (or 三级指标) is ``预算执行率`` is not an
indicator: it carries the 偏差原因 and 改进措施 of the execution rate (its 分值, if filled, must
be 10) and is excluded from the 90-point sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.clean.targets import is_funds_row, target_problems
from selfeval.errors import InputError
from selfeval.rules import (
    EPS,
    FUNDS_WEIGHT,
    OVER_ACHIEVEMENT_FACTOR,
    QUALITATIVE,
    RATE_REASON_THRESHOLD,
    decimal_str,
    grade_of,
    round_half_up,
)
from selfeval.rules import as_text as _text
from selfeval.rules import is_missing as _is_missing

BUDGET_MISSING = "预算数缺失"
#: Columns of ``ScoreResult.indicators`` in table order, then the flags.
TABLE_COLUMNS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
FLAG_COLUMNS = ["met", "over_achieved", "missing_reason"]
_SHEET = "绩效目标"


@dataclass
class Funds:
    """The 年度资金总额 block: budget and actual in 万元, rate in percent, score out of 10."""

    budget: float | None
    actual: float | None
    rate: float | None
    score: float | None
    budget_missing: bool
    weight: float = FUNDS_WEIGHT
    reason: str | None = None
    measures: str | None = None
    marker: str | None = None


@dataclass
class Deviation:
    """One deviation from the targets, for sections 七 (problem, cause) and 八 (measure)."""

    problem: str
    cause: str | None
    measure: str | None
    kind: str = "未达成"


@dataclass
class ScoreResult:
    """The scored 绩效自评表 of one year."""

    funds: Funds
    indicators: list[dict[str, Any]]  # one row per indicator: TABLE_COLUMNS, then the flags
    total: float
    grade: str
    warnings: list[str] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    #: 预算执行率's points plus every indicator's 分值 (the 分值 column's total).
    weight_total: float = 0.0


# ---------------------------------------------------------------------------------------------
# helpers


def _num(value: Any) -> float | None:
    if _is_missing(value):
        return None
    return float(value)


def _fmt(value: float | None, decimals: int = 2) -> str:
    """An official-document number: fixed decimals rounded half up, '—' when unknown."""
    return decimal_str(value, decimals)


def _fmt_plain(value: float | None) -> str:
    """A count or stated figure without trailing zeros (6.0 → '6', 98.5 → '98.5')."""
    if value is None:
        return "—"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


# ---------------------------------------------------------------------------------------------
# funds


def _fund_rows(spending: pd.DataFrame) -> pd.DataFrame:
    """Spending rows that are funds, each counted once: leaves, or a 合计 standing for its group.

    Within a budget type, each category contributes its non-total rows, or its 合计 row when it
    states no parts; a 合计 row without category stands for the whole budget type only when the
    type has no other row.
    """
    if spending.empty:
        return spending
    is_total = spending["is_total"].fillna(False).astype(bool)
    category = spending["category"].fillna("").astype(str).str.strip()
    keep = []
    for _, group in spending.groupby(spending["budget_type"].fillna(""), sort=False):
        in_category = category.loc[group.index] != ""
        for _, sub in group[in_category].groupby(category.loc[group.index][in_category]):
            parts = sub[~is_total.loc[sub.index]]
            keep.append(parts if not parts.empty else sub)
        loose = group[~in_category]
        loose_parts = loose[~is_total.loc[loose.index]]
        if not loose_parts.empty:
            keep.append(loose_parts)
        elif not in_category.any():
            keep.append(loose)
    return pd.concat(keep) if keep else spending.iloc[0:0]


def score_funds(spending: pd.DataFrame | None) -> Funds:
    """The 预算执行率 block from the spending table (missing budgets → 预算数缺失, no score)."""
    if spending is None or spending.empty:
        return Funds(None, None, None, None, True, marker=BUDGET_MISSING)
    rows = _fund_rows(spending)
    known = rows[rows["budget"].notna()]
    if known.empty:
        actual = rows["actual"].dropna()
        return Funds(
            None,
            float(actual.sum()) if not actual.empty else None,
            None,
            None,
            True,
            marker=BUDGET_MISSING,
        )
    budget = float(known["budget"].sum())
    actual = float(known["actual"].fillna(0).sum())
    if budget <= 0:
        return Funds(budget, actual, None, None, True, marker=BUDGET_MISSING)
    rate = actual / budget * 100
    score = min(rate / 100, 1.0) * FUNDS_WEIGHT
    return Funds(budget, actual, rate, score, False)


# ---------------------------------------------------------------------------------------------
# indicators


def _score_quantitative(
    direction: str, target: float | None, actual: float | None, weight: float
) -> tuple[float, bool, bool]:
    """(score, met, over_achieved) of a ≥, ≤ or = indicator; unknown values score 0."""
    if target is None or actual is None:
        return 0.0, False, False
    if direction == "≤":
        if actual <= target + EPS:
            over = actual * OVER_ACHIEVEMENT_FACTOR <= target - EPS
            return weight, True, over
        return weight * target / actual, False, False
    if direction == "=":
        if abs(actual - target) <= EPS * max(1.0, abs(target)):
            return weight, True, False
        big, small = max(abs(actual), abs(target)), min(abs(actual), abs(target))
        return (weight * small / big if big > 0 else 0.0), False, False
    # ≥ (default)
    if actual >= target - EPS:
        over = target > 0 and actual >= target * OVER_ACHIEVEMENT_FACTOR - EPS
        return weight, True, over
    return (weight * actual / target if target > 0 else 0.0), False, False


def _value_text(text: str, value: float | None, unit: str) -> str:
    shown = text or ("" if value is None else _fmt_plain(value))
    if shown and unit and not shown.endswith(unit):
        shown = f"{shown}{unit}"
    return shown


def _reason_text(reason: str, measures: str) -> str:
    if reason and measures:
        return f"{reason}；改进措施：{measures}"
    if measures:
        return f"改进措施：{measures}"
    return reason


def score_indicators(
    targets: pd.DataFrame,
) -> tuple[list[dict[str, Any]], list[str], list[Deviation]]:
    """Score every (validated) indicator row: (table rows, warnings, deviations)."""
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    deviations: list[Deviation] = []
    for _, row in targets.iterrows():
        direction = _text(row.get("direction")) or "≥"
        weight = float(row["weight"])
        unit = _text(row.get("unit"))
        target, actual = _num(row.get("target")), _num(row.get("actual"))
        target_text = _value_text(_text(row.get("target_text")), target, unit)
        actual_text = _value_text(_text(row.get("actual_text")), actual, unit)
        name = _text(row.get("level3"))
        over = False
        if direction == QUALITATIVE:
            assessment = _text(row.get("assessment"))
            score = _num(row.get("score")) or 0.0
            met = assessment == "达成"
            if assessment and assessment not in actual_text:
                actual_text = f"{actual_text}（{assessment}）" if actual_text else assessment
        else:
            if actual is None:
                warnings.append(f"指标「{name}」缺少实际完成值，按0分计。")
            score, met, over = _score_quantitative(direction, target, actual, weight)
            if target_text and not target_text.startswith(direction):
                target_text = f"{direction}{target_text}"
        reason = _text(row.get("deviation_reason"))
        measures = _text(row.get("measures"))
        needs_reason = (not met) or over
        missing_reason = needs_reason and not reason
        if missing_reason:
            what = "未达成年度指标值" if not met else "大幅超额完成（指标值可能偏低）"
            warnings.append(f"指标「{name}」{what}，但未填写偏差原因分析。")
        if needs_reason:
            if not met:
                problem = (
                    f"{_text(row.get('level1'))}「{name}」年度指标值{target_text or '—'}，"
                    f"实际完成值{actual_text or '—'}，未达成年度目标。"
                )
                kind = "未达成"
            else:
                problem = (
                    f"{_text(row.get('level1'))}「{name}」年度指标值{target_text}，"
                    f"实际完成值{actual_text}，大幅超过年度目标，指标值设定偏低。"
                )
                kind = "超额"
            deviations.append(Deviation(problem, reason or None, measures or None, kind))
        rows.append(
            {
                "一级指标": _text(row.get("level1")),
                "二级指标": _text(row.get("level2")),
                "三级指标": name,
                "年度指标值": target_text,
                "实际完成值": actual_text,
                "分值": weight,
                "得分": score,
                "偏差原因分析及改进措施": _reason_text(reason, measures),
                "met": met,
                "over_achieved": over,
                "missing_reason": missing_reason,
            }
        )
    for r in rows:
        r["分值"], r["得分"] = float(r["分值"]), float(r["得分"])
        for flag in FLAG_COLUMNS:
            r[flag] = bool(r[flag])
    return rows, warnings, deviations


# ---------------------------------------------------------------------------------------------
# the year


def score_year(tables: dict[str, pd.DataFrame]) -> ScoreResult | None:
    """Score the year's 绩效自评表; None when the year has no (or an empty) ``targets`` table.

    Raises:
        InputError: weights not adding to 90, a 定性 得分 outside its band, or an unusable row.
    """
    targets = tables.get("targets")
    if targets is None or targets.empty:  # an empty 绩效目标 sheet is no sheet
        return None
    targets = targets.reset_index(drop=True)
    problems = target_problems(targets)
    if problems:  # 01 stops on these; a table not made by the cleaner is checked again here
        raise InputError(problems)
    is_funds = targets.apply(is_funds_row, axis=1).astype(bool)
    funds_rows, indicators = targets[is_funds], targets[~is_funds]
    table, warnings, deviations = score_indicators(indicators)

    funds = score_funds(tables.get("spending"))
    if not funds_rows.empty:
        first = funds_rows.iloc[0]
        funds.reason = _text(first.get("deviation_reason")) or None
        funds.measures = _text(first.get("measures")) or None
    if funds.budget_missing:
        warnings.insert(0, "支出表中没有任何预算数：预算执行率无法计算，该项（10分）不计分。")
    elif funds.rate is not None and funds.rate < RATE_REASON_THRESHOLD - EPS:
        problem = (
            f"预算执行率为{_fmt(funds.rate)}%（全年预算数{_fmt(funds.budget)}万元，"
            f"全年执行数{_fmt(funds.actual)}万元），低于{_fmt_plain(RATE_REASON_THRESHOLD)}%。"
        )
        deviations.insert(0, Deviation(problem, funds.reason, funds.measures, "执行率"))
        if not funds.reason:
            warnings.insert(
                0,
                f"预算执行率{_fmt(funds.rate)}%低于{_fmt_plain(RATE_REASON_THRESHOLD)}%，"
                "但未填写偏差原因分析（绩效目标表中“预算执行率”行）。",
            )

    raw_total = float(sum(r["得分"] for r in table)) + (funds.score or 0.0)
    total = round_half_up(raw_total, 2)
    return ScoreResult(
        funds=funds,
        indicators=table,
        total=total,
        grade=grade_of(total),
        warnings=warnings,
        deviations=deviations,
        weight_total=FUNDS_WEIGHT + float(sum(r["分值"] for r in table)),
    )


def build_warnings(result: ScoreResult | None, checks: dict) -> list[str]:
    """Warnings for the build summary: the cleaner's, then the 绩效自评表's."""
    found = [w["message"] for w in checks.get("warnings", []) if w.get("message")]
    if result is not None:
        found += list(result.warnings)
    return found
