"""绩效目标: indicators, directions, target and actual values, weights, assessments."""

from __future__ import annotations

import re

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import NUM, to_halfwidth
from selfeval.contract import sheets as sc


def _number_in_text(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.findall(NUM, to_halfwidth(text))
    if len(found) != 1:
        return None
    return float(found[0].replace(",", ""))


def clean_targets(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    total_weight = 0.0
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
        total_weight += weight
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
    if total_weight > 100 + 1e-9:
        sh.err(
            None,
            "weight",
            f"分值合计 {total_weight:g} 超过 100",
            value=f"{total_weight:g}",
            expected="分值合计不超过 100",
        )
    return frame(
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
