"""绩效目标: indicators, directions, target and actual values, weights, assessments.

Targets are read the way units publish them: 「≥360天」, 「≥10万人次」, 「95%」 (a leading ≥ ≤ ＞ ＜
gives the direction, which must agree with 方向 when both are given; 万 and 亿 multiply). 一级/二级
指标 may be blank (a plain list of targets), and so may 分值 (the indicator is listed, not scored).

The 绩效自评表's rules on the sheet are checked here, in 01, so that no later stage finds an input
error: the weights (every indicator's 分值 plus the 预算执行率's make 100, for the unit and for each
project), qualitative scores inside the band of their 评价, quantitative targets with a number.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import NUM, norm_key, to_halfwidth
from selfeval.contract import sheets as sc
from selfeval.errors import InputError, Problem, problem
from selfeval.packs import rules_for
from selfeval.rules import (
    EPS,
    FUNDS_KEY,
    FUNDS_WEIGHT,
    QUALITATIVE,
    QUALITATIVE_BANDS,
    as_text,
    band_text,
    in_band,
    is_missing,
    number_str,
    plain_str,
)

#: Everything (预算执行率 and indicators) adds to this.
TOTAL_POINTS = 100.0
_OPERATORS = {"≥": "≥", ">=": "≥", ">": "≥", "≤": "≤", "<=": "≤", "<": "≤", "=": "="}
_VALUE = re.compile(r"^(?P<op>≥|≤|>=|<=|>|<|=)?\s*(?P<rest>.*)$")
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_ASSESSMENTS = {norm_key(a): a for a in sc.ASSESSMENTS}
_ASSESSMENTS.update({norm_key(k): v for k, v in sc.ASSESSMENT_SHORT.items()})
_SHEET = "绩效目标"
_COLUMNS = {
    "project": "str",
    "level1": "str",
    "level2": "str",
    "level3": "str",
    "direction": "str",
    "target": "float64",
    "target_text": "str",
    "actual": "float64",
    "actual_text": "str",
    "unit": "str",
    "original_target": "str",
    "adjusted_target": "str",
    "core": "str",
    "not_applicable": "str",
    "weight": "float64",
    "assessment": "str",
    "score": "float64",
    "deviation_reason": "str",
    "measures": "str",
}


def parse_indicator_value(text: str | None) -> tuple[float | None, str | None]:
    """(number, direction) of a target or actual as written: 「≥10万人次」 → (100000, ≥).

    The number is the one number of the text (none or several: None), times 万/亿 written right
    after it; the direction is that of a leading ≥ ≤ ＞ ＜ (＞ counts as ≥, ＜ as ≤).
    """
    if text is None:
        return None, None
    t = to_halfwidth(text).strip()
    m = _VALUE.match(t)
    op = _OPERATORS.get(m.group("op") or "") if m else None
    found = list(re.finditer(NUM, t))
    if len(found) != 1:
        return None, op
    number = float(found[0].group(0).replace(",", ""))
    after = t[found[0].end() : found[0].end() + 1]
    return number * _MULTIPLIERS.get(after, 1), op


def funds_weight(ctx: Context) -> float:
    """The 预算执行率's points: the unit's setting (单位概况 预算执行率分值), else its rule
    pack's (「自评表格式」; 10 nationally, 0 for 江西's form)."""
    try:
        return rules_for(ctx.settings).execution_weight
    except (ValueError, InputError):  # reported where 单位概况 is cleaned
        return FUNDS_WEIGHT


def _assessment(sh: BoundSheet, number: int, values: list[Any]) -> str | None:
    raw = sh.get(values, "assessment")
    if raw is None:
        return None
    found = _ASSESSMENTS.get(norm_key(str(raw)))
    if found is None:
        sh.err(
            number,
            "assessment",
            "不是可选的值",
            value=raw,
            expected="、".join(sc.ASSESSMENTS) + "（也可写 达成、部分达成、未达成）",
        )
    return found


def _direction(sh: BoundSheet, number: int, values: list[Any], target_text: str | None):
    """(direction, ok): 方向 as given, else from the target's sign, else by whether it has a
    number (定性 when not, ≥ when it has)."""
    given = sh.enum(number, values, "direction", sc.DIRECTIONS)
    if sh.get(values, "direction") is not None and given is None:
        return None, False
    target, op = parse_indicator_value(target_text)
    if given is not None and op is not None and given not in (op, QUALITATIVE):
        sh.err(
            number,
            "direction",
            f"与目标值「{target_text}」的「{op}」不一致",
            value=given,
            expected=f"方向填「{op}」，或不填",
        )
        return None, False
    if given is not None:
        return given, True
    if op is not None:
        return op, True
    return (QUALITATIVE if target is None else "≥"), True


def _quantitative_problems(sh, number, values, target_text, actual_text) -> bool:
    ok = True
    target, _ = parse_indicator_value(target_text)
    actual, _ = parse_indicator_value(actual_text)
    if target_text is not None and target is None:
        sh.err(
            number,
            "target",
            "定量指标的目标值须是一个数字",
            value=target_text,
            expected="一个数字，如 95、95%、≥360天 或 ≥10万人次",
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
    # A 得分 entered for a quantitative indicator is the unit's own: the report keeps it (the
    # 审核底稿 sets the program's beside it when they differ, `selfeval.scoring`).
    return ok


def _target_row(sh: BoundSheet, ctx: Context, number: int, values: list[Any]) -> dict | None:
    ok = all([sh.required(number, values, k) for k in ("level3", "target")])
    target_text = sh.text(number, values, "target")
    actual_text = sh.text(number, values, "actual")
    direction, direction_ok = _direction(sh, number, values, target_text)
    weight, _ = sh.number(number, values, "weight")
    if sh.get(values, "weight") is not None and weight is None:
        ok = False
    assessment = _assessment(sh, number, values)
    score, _ = sh.number(number, values, "score")
    ok = ok and direction_ok and not (sh.get(values, "assessment") and assessment is None)
    if direction == QUALITATIVE:
        if assessment is None and sh.get(values, "assessment") is None:
            sh.err(
                number,
                "assessment",
                "定性指标须填写评价",
                show_value=False,
                expected="、".join(sc.ASSESSMENTS),
            )
            ok = False
    elif direction is not None:
        ok = _quantitative_problems(sh, number, values, target_text, actual_text) and ok
    if not ok:
        return None
    return {
        "project": sh.text(number, values, "project", prose=True),
        "level1": sh.text(number, values, "level1", prose=True),
        "level2": sh.text(number, values, "level2", prose=True),
        "level3": sh.text(number, values, "level3", prose=True),
        "direction": direction,
        "target": parse_indicator_value(target_text)[0],
        "target_text": target_text,
        "actual": parse_indicator_value(actual_text)[0],
        "actual_text": actual_text,
        "unit": sh.text(number, values, "unit"),
        "original_target": sh.text(number, values, "original_target"),
        "adjusted_target": sh.text(number, values, "adjusted_target"),
        "core": sh.enum(number, values, "core", sc.YES_NO),
        "not_applicable": sh.enum(number, values, "not_applicable", sc.YES_NO),
        "weight": weight,
        "assessment": assessment,
        "score": score,
        "deviation_reason": sh.text(number, values, "deviation_reason", prose=True),
        "measures": sh.text(number, values, "measures", prose=True),
        **sh.src(number, values),
    }


def clean_targets(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    before = len(ctx.problems)
    for number, values in sh.raw.rows:
        rec = _target_row(sh, ctx, number, values)
        if rec is not None:
            records.append(rec)
    table = frame(records, _COLUMNS)
    # weights add up only over rows that could be read
    if len(ctx.problems) == before and not sh.rejected():
        ctx.problems.extend(target_problems(table, funds_weight(ctx)))
    return table


# ---------------------------------------------------------------------------------------------
# The 绩效自评表's rules


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def is_funds_row(row: pd.Series) -> bool:
    """The row that carries the 预算执行率's 偏差原因 (not an indicator)."""
    return FUNDS_KEY in {as_text(row.get("level1")), as_text(row.get("level3"))}


def _src(row: pd.Series) -> dict[str, Any]:
    return {
        "file": as_text(row.get("src_file")) or _SHEET,
        "sheet": as_text(row.get("src_sheet")) or _SHEET,
        "row": int(row["src_row"]) if not is_missing(row.get("src_row")) else None,
    }


def _problem(row: pd.Series | None, column: str, value: Any, expected: str, message: str):
    where = _src(row) if row is not None else {"file": _SHEET, "sheet": _SHEET, "row": None}
    return problem(
        where["file"],
        where["sheet"],
        where["row"],
        column,
        message,
        expected=expected,
        value=value,
        show_value=True,
    )


def _weight_problems(indicators: pd.DataFrame, funds_rows: pd.DataFrame, points: float, whose: str):
    """Every indicator's 分值 plus the 预算执行率's make 100 (checked when every 分值 is given)."""
    problems: list[Problem] = []
    for _, row in funds_rows.iterrows():
        weight = _num(row.get("weight"))
        if weight is not None and abs(weight - points) > EPS:
            problems.append(
                _problem(
                    row,
                    "分值",
                    number_str(weight),
                    f"预算执行率分值为{number_str(points)}（单位概况「预算执行率分值」）",
                    f"预算执行率的分值应为{number_str(points)}，填写的是{number_str(weight)}",
                )
            )
    weights = indicators["weight"]
    if problems or indicators.empty or weights.isna().any():
        return problems  # without every 分值 the table is listed, not scored (scoring warns)
    total = float(weights.astype(float).sum())
    expected_total = TOTAL_POINTS - points
    if abs(total - expected_total) > 1e-6:
        sums = indicators.assign(w=weights.astype(float)).groupby(
            indicators["level1"].fillna("（未分级）"), sort=False
        )["w"]
        detail = "，".join(f"{k}{number_str(float(v))}" for k, v in sums.sum().items())
        problems.append(
            _problem(
                indicators.iloc[0],
                "分值",
                number_str(total),
                f"各指标分值合计应为{number_str(expected_total)}"
                f"（预算执行率另占{number_str(points)}，合计100）",
                f"{whose}绩效目标各指标分值合计为{number_str(total)}（{detail}），"
                f"应为{number_str(expected_total)} / weights add to {number_str(total)}, "
                f"expected {number_str(expected_total)}",
            )
        )
    return problems


def _qualitative_problems(row: pd.Series, weight: float | None) -> list[Problem]:
    assessment = as_text(row.get("assessment"))
    assessment = sc.ASSESSMENT_SHORT.get(assessment, assessment)
    score = _num(row.get("score"))
    name = as_text(row.get("level3"))
    if assessment not in QUALITATIVE_BANDS:
        return [
            _problem(
                row,
                "评价",
                assessment,
                "、".join(sc.ASSESSMENTS),
                f"定性指标「{name}」的评价无效 / invalid assessment",
            )
        ]
    if weight is None:
        return []  # listed, not scored
    band = band_text(assessment, weight)
    if score is None:
        return [
            _problem(
                row,
                "得分",
                "",
                f"{assessment}的得分在{band}之间 / a score in {band}",
                f"定性指标「{name}」缺少得分 / score missing",
            )
        ]
    if not in_band(assessment, score, weight):
        return [
            _problem(
                row,
                "得分",
                plain_str(score),
                f"{assessment}的得分在{band}之间（分值{plain_str(weight)}）",
                f"定性指标「{name}」评价为{assessment}，得分{plain_str(score)}"
                f"不在{band}之内 / score outside the band of its assessment",
            )
        ]
    return []


def target_problems(targets: pd.DataFrame, points: float = FUNDS_WEIGHT) -> list[Problem]:
    """Every problem of the 绩效目标 rows against the 绩效自评表's rules, for the unit as a whole
    and for each project (`project` column): weights, qualitative bands, numeric targets."""
    if targets.empty:
        return []
    targets = targets.reset_index(drop=True)
    if "project" not in targets.columns:
        targets = targets.assign(project=None)
    problems: list[Problem] = []
    for project, rows in targets.groupby(targets["project"].fillna(""), sort=False):
        is_funds = rows.apply(is_funds_row, axis=1).astype(bool)
        whose = f"项目「{project}」的" if project else ""
        found = _weight_problems(rows[~is_funds], rows[is_funds], points, whose)
        problems += found
        if found:
            continue
        for _, row in rows[~is_funds].iterrows():
            weight = _num(row.get("weight"))
            if as_text(row.get("direction")) == QUALITATIVE:
                problems += _qualitative_problems(row, weight)
            elif _num(row.get("target")) is None:
                problems.append(
                    _problem(
                        row,
                        "年度指标值",
                        as_text(row.get("target_text")),
                        "定量指标须有数值型年度指标值 / a numeric target",
                        f"定量指标「{as_text(row.get('level3'))}」缺少年度指标值 / target missing",
                    )
                )
    return problems
