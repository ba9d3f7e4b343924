"""绩效目标: indicators, directions, target and actual values, weights, assessments."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import NUM, to_halfwidth
from selfeval.contract import sheets as sc
from selfeval.errors import Problem, problem
from selfeval.rules import (
    EPS,
    FUNDS_KEY,
    FUNDS_WEIGHT,
    INDICATOR_WEIGHT_TOTAL,
    QUALITATIVE,
    QUALITATIVE_BANDS,
    as_text,
    in_band,
    is_missing,
)


def _number_in_text(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.findall(NUM, to_halfwidth(text))
    if len(found) != 1:
        return None
    return float(found[0].replace(",", ""))


def clean_targets(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    before = len(ctx.problems)
    for number, values in sh.raw.rows:
        ok = all(
            [
                sh.required(number, values, k)
                for k in ("level1", "level2", "level3", "direction", "target", "weight")
            ]
        )
        direction = sh.enum(number, values, "direction", sc.DIRECTIONS)
        target_text = sh.text(number, values, "target")
        actual_text = sh.text(number, values, "actual")
        target, actual = _number_in_text(target_text), _number_in_text(actual_text)
        weight, _ = sh.number(number, values, "weight")
        assessment = sh.enum(number, values, "assessment", sc.ASSESSMENTS)
        score, _ = sh.number(number, values, "score")
        if direction is None or weight is None:
            ok = False
        elif direction == "定性":
            if assessment is None and sh.get(values, "assessment") is None:
                sh.err(
                    number,
                    "assessment",
                    "定性指标须填写评价",
                    show_value=False,
                    expected="、".join(sc.ASSESSMENTS),
                )
                ok = False
            if score is not None and score > weight:
                sh.err(
                    number, "score", f"得分超过分值 {weight:g}", value=score, expected="不超过分值"
                )
                ok = False
        else:
            if target_text is not None and target is None:
                sh.err(
                    number,
                    "target",
                    "定量指标的目标值须是一个数字",
                    value=target_text,
                    expected="一个数字，如 95 或 95%",
                )
                ok = False
            if actual_text is not None and actual is None:
                sh.err(
                    number,
                    "actual",
                    "定量指标的实际值须是一个数字",
                    value=actual_text,
                    expected="一个数字，未知时留空",
                )
                ok = False
            if score is not None:
                ctx.warn(
                    f"{sh.raw.file}「绩效目标」第{number}行：定量指标的得分由程序计算，"
                    "所填得分仅保留不使用",
                    file=sh.raw.file,
                    sheet=sh.raw.sheet,
                    row=number,
                )
        if not ok:
            continue
        records.append(
            {
                "level1": sh.text(number, values, "level1", prose=True),
                "level2": sh.text(number, values, "level2", prose=True),
                "level3": sh.text(number, values, "level3", prose=True),
                "direction": direction,
                "target": target,
                "target_text": target_text,
                "actual": actual,
                "actual_text": actual_text,
                "unit": sh.text(number, values, "unit"),
                "weight": weight,
                "assessment": assessment,
                "score": score,
                "deviation_reason": sh.text(number, values, "deviation_reason", prose=True),
                "measures": sh.text(number, values, "measures", prose=True),
                **sh.src(number),
            }
        )
    table = frame(
        records,
        {
            "level1": "str",
            "level2": "str",
            "level3": "str",
            "direction": "str",
            "target": "float64",
            "target_text": "str",
            "actual": "float64",
            "actual_text": "str",
            "unit": "str",
            "weight": "float64",
            "assessment": "str",
            "score": "float64",
            "deviation_reason": "str",
            "measures": "str",
        },
    )
    if len(ctx.problems) == before:  # weights add up only over rows that could be read
        ctx.problems.extend(target_problems(table))
    return table


# ---------------------------------------------------------------------------------------------
# The 绩效自评表's rules on the sheet: checked in 01, so that no later stage finds an input error

_SHEET = "绩效目标"


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def _fmt_plain(value: float | None) -> str:
    """A count or stated figure without trailing zeros (6.0 → '6', 98.5 → '98.5')."""
    if value is None:
        return "—"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


def is_funds_row(row: pd.Series) -> bool:
    """The row that carries the 预算执行率's 偏差原因 (not an indicator)."""
    return FUNDS_KEY in {as_text(row.get("level1")), as_text(row.get("level3"))}


def _src(row: pd.Series) -> dict[str, Any]:
    return {
        "file": as_text(row.get("src_file")) or None,
        "sheet": as_text(row.get("src_sheet")) or _SHEET,
        "row": int(row["src_row"]) if not is_missing(row.get("src_row")) else None,
    }


def _problem(
    *,
    file: str | None,
    sheet: str | None,
    row: int | None,
    column: str,
    value: Any,
    expected: str,
    message: str,
) -> Problem:
    """A located problem; an empty value is shown as （空）."""
    return problem(
        file or _SHEET,
        sheet,
        row,
        column,
        message,
        expected=expected,
        value=value,
        show_value=True,
    )


def _check_weights(targets: pd.DataFrame, funds_rows: pd.DataFrame) -> list[Problem]:
    """The 90-point rule, and a 10-point 预算执行率 row when one is given."""
    problems: list[Problem] = []
    for _, row in targets.iterrows():
        if _num(row.get("weight")) is None:
            problems.append(
                _problem(
                    **_src(row),
                    column="分值",
                    value="",
                    expected="每个指标须填写分值（数字）/ every indicator needs a weight",
                    message=f"指标「{as_text(row.get('level3'))}」缺少分值 / weight missing",
                )
            )
    for _, row in funds_rows.iterrows():
        weight = _num(row.get("weight"))
        if weight is not None and abs(weight - FUNDS_WEIGHT) > EPS:
            problems.append(
                _problem(
                    **_src(row),
                    column="分值",
                    value=_fmt_plain(weight),
                    expected="预算执行率分值为10 / the execution rate weighs 10",
                    message=f"预算执行率的分值应为10，填写的是{_fmt_plain(weight)}",
                )
            )
    if problems:
        return problems
    weights = targets["weight"].astype(float)
    total = float(weights.sum())
    if abs(total - INDICATOR_WEIGHT_TOTAL) > 1e-6:
        sums = targets.assign(w=weights).groupby("level1", sort=False)["w"].sum()
        detail = "，".join(f"{k}{_fmt_plain(float(v))}" for k, v in sums.items())
        first = targets.iloc[0] if not targets.empty else funds_rows.iloc[0]
        problems.append(
            _problem(
                file=_src(first)["file"],
                sheet=_src(first)["sheet"],
                row=None,
                column="分值",
                value=_fmt_plain(total),
                expected=(
                    "各指标分值合计应为90（预算执行率另占10）/ indicator weights must add to 90"
                ),
                message=(
                    f"绩效目标各指标分值合计为{_fmt_plain(total)}（{detail}），应为90"
                    f"（预算执行率10 + 产出指标50 + 效益指标30 + 满意度指标10）"
                    f" / weights add to {_fmt_plain(total)}, expected 90"
                ),
            )
        )
    return problems


def _band_text(assessment: str, weight: float) -> str:
    low, high, low_open = QUALITATIVE_BANDS[assessment]
    left = "(" if low_open else "["
    return f"{left}{_fmt_plain(low * weight)}, {_fmt_plain(high * weight)}]"


def _qualitative_problems(row: pd.Series, weight: float) -> list[Problem]:
    assessment = as_text(row.get("assessment"))
    score = _num(row.get("score"))
    name = as_text(row.get("level3"))
    if assessment not in QUALITATIVE_BANDS:
        return [
            _problem(
                **_src(row),
                column="评价",
                value=assessment,
                expected="达成、部分达成 或 未达成 / one of 达成, 部分达成, 未达成",
                message=f"定性指标「{name}」的评价无效 / invalid assessment",
            )
        ]
    band = _band_text(assessment, weight)
    if score is None:
        return [
            _problem(
                **_src(row),
                column="得分",
                value="",
                expected=f"{assessment}的得分在{band}之间 / a score in {band}",
                message=f"定性指标「{name}」缺少得分 / score missing",
            )
        ]
    if not in_band(assessment, score, weight):
        return [
            _problem(
                **_src(row),
                column="得分",
                value=_fmt_plain(score),
                expected=f"{assessment}的得分在{band}之间（分值{_fmt_plain(weight)}）",
                message=(
                    f"定性指标「{name}」评价为{assessment}，得分{_fmt_plain(score)}"
                    f"不在{band}之内 / score outside the band of its assessment"
                ),
            )
        ]
    return []


def target_problems(targets: pd.DataFrame) -> list[Problem]:
    """Every problem of the 绩效目标 rows against the 绩效自评表's rules: weights (90 for the
    indicators, 10 for a 预算执行率 row), qualitative scores inside the band of their 评价,
    quantitative indicators with a numeric target."""
    if targets.empty:
        return []
    targets = targets.reset_index(drop=True)
    is_funds = targets.apply(is_funds_row, axis=1).astype(bool)
    funds_rows, indicators = targets[is_funds], targets[~is_funds]
    problems = _check_weights(indicators, funds_rows)
    if problems:
        return problems
    for _, row in indicators.iterrows():
        weight = float(row["weight"])
        if as_text(row.get("direction")) == QUALITATIVE:
            problems += _qualitative_problems(row, weight)
        elif _num(row.get("target")) is None:
            problems.append(
                _problem(
                    **_src(row),
                    column="年度指标值",
                    value=as_text(row.get("target_text")),
                    expected="定量指标须有数值型年度指标值 / a numeric target",
                    message=(
                        f"定量指标「{as_text(row.get('level3'))}」缺少年度指标值 / target missing"
                    ),
                )
            )
    return problems
