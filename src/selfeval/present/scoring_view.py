"""The 绩效自评表 as the partial shows it: each figure of a `ScoreResult` written out, and the
row spans of 一级/二级 indicators."""

from __future__ import annotations

from typing import Any

from selfeval.rules import decimal_str
from selfeval.scoring import BUDGET_MISSING, ScoreResult, _reason_text


def _fmt(value: float | None, decimals: int = 2) -> str:
    return decimal_str(value, decimals)


def _spans(values: list[str], parents: list[str] | None = None) -> list[int]:
    """Rowspans of consecutive equal values (0 = covered by the cell above)."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        boundary = (
            i == len(values)
            or values[i] != values[start]
            or (parents is not None and parents[i] != parents[start])
        )
        if boundary:
            spans[start] = i - start
            start = i
    return spans


def scoring_view(result: ScoreResult) -> dict[str, Any]:
    """Display strings for the partial ``scoring.html.j2`` (numbers formatted, rowspans)."""
    funds = result.funds
    table = result.indicators
    level1 = [r["一级指标"] for r in table]
    level2 = [r["二级指标"] for r in table]
    span1 = _spans(level1)
    span2 = _spans(level2, parents=level1)
    rows = []
    for i, rec in enumerate(table):
        rows.append(
            {
                "level1": rec["一级指标"],
                "level1_span": span1[i],
                "level2": rec["二级指标"],
                "level2_span": span2[i],
                "level3": rec["三级指标"],
                "target": rec["年度指标值"],
                "actual": rec["实际完成值"],
                "weight": _fmt(rec["分值"]),
                "score": _fmt(rec["得分"]),
                "reason": rec["偏差原因分析及改进措施"],
                "met": bool(rec["met"]),
                "over_achieved": bool(rec["over_achieved"]),
                "missing_reason": bool(rec["missing_reason"]),
            }
        )
    if funds.budget_missing:
        funds_view = {
            "budget": BUDGET_MISSING,
            "actual": _fmt(funds.actual),
            "rate": BUDGET_MISSING,
            "weight": _fmt(funds.weight),
            "score": "不计分",
        }
    else:
        funds_view = {
            "budget": _fmt(funds.budget),
            "actual": _fmt(funds.actual),
            "rate": f"{_fmt(funds.rate)}%",
            "weight": _fmt(funds.weight),
            "score": _fmt(funds.score),
        }
    funds_view["budget_missing"] = funds.budget_missing
    funds_view["reason"] = _reason_text(funds.reason or "", funds.measures or "")
    return {
        "funds": funds_view,
        "rows": rows,
        "weight_total": _fmt(result.weight_total),
        "total": _fmt(result.total),
        "grade": result.grade or "未评定",
        "warnings": list(result.warnings),
    }
