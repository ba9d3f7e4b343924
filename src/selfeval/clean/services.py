"""数字服务 and 满意度."""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import ParseError, parse_number
from selfeval.read import BadCell, Percent


def clean_digital(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        ok = sh.required(number, values, "service")
        raw_value = sh.get(values, "value")
        value, _ = sh.number(number, values, "value")
        if raw_value is not None and value is None:
            ok = False
        if ok:
            records.append(
                {
                    "service": sh.text(number, values, "service", prose=True),
                    "indicator": sh.text(number, values, "indicator", prose=True),
                    "value": value,
                    "unit": sh.text(number, values, "unit"),
                    "note": sh.text(number, values, "note", prose=True),
                    **sh.src(number, values),
                }
            )
    return frame(
        records,
        {"service": "str", "indicator": "str", "value": "float64", "unit": "str", "note": "str"},
    )


def _rate(sh: BoundSheet, raw_rate: Any) -> tuple[float | None, int | None]:
    """满意度（%） in percentage points and the decimals it states.

    A percent-formatted cell is what Excel shows (0.9892 formatted 0.00% is 98.92, 2 decimals);
    a number or text is taken as percentage points (98.92, "98.92%"). Where the reader could not
    see number formats (.xls/.xlsb/.ods), a bare fraction is ambiguous and refused rather than
    reported as 「满意度为0.9892%」.
    """
    if isinstance(raw_rate, Percent):
        return float(raw_rate.value), raw_rate.decimals
    if isinstance(raw_rate, str):
        raw_rate = raw_rate.replace("%", "").replace("％", "")
    try:
        rate, decimals = parse_number(raw_rate)
    except ParseError as exc:
        raise ParseError(exc.args[0], "") from None
    numeric = isinstance(raw_rate, int | float) and not isinstance(raw_rate, bool)
    if numeric and not sh.raw.formats_known and rate is not None and 0 < rate <= 1:
        raise ParseError(
            f"可能是 {rate * 100:g}%：从 .xls/.xlsb/.ods 读取时看不到单元格的百分比格式",
            f"填写百分数的数字，如 {rate * 100:g}（不用百分比格式），或把文件另存为 .xlsx",
        )
    return rate, decimals


def clean_satisfaction(  # noqa: C901 - the rate, sample and satisfied rules of one row together
    sh: BoundSheet, ctx: Context
) -> pd.DataFrame:
    records = []
    for number, values in sh.raw.rows:
        before = len(ctx.problems)
        ok = sh.required(number, values, "survey")
        sample = sh.integer(number, values, "sample")
        satisfied = sh.integer(number, values, "satisfied")
        raw_rate = sh.get(values, "rate")
        if type(raw_rate) is BadCell:
            continue  # already reported
        try:
            rate, rate_dec = _rate(sh, raw_rate)
        except ParseError as exc:
            sh.err(
                number,
                "rate",
                exc.args[0],
                value=sh.get(values, "rate"),
                expected=exc.args[1] or "0 到 100 之间的百分数，如 98.92",
            )
            continue
        for key, v in (("sample", sample), ("satisfied", satisfied)):
            if v is not None and v < 0:
                sh.err(number, key, "不能为负数", value=v, expected="不小于0的整数")
                ok = False
        if sample is not None and satisfied is not None and satisfied > sample:
            sh.err(
                number,
                "satisfied",
                f"满意数大于样本数 {sample}",
                value=satisfied,
                expected="满意数不大于样本数",
            )
            ok = False
        if sample == 0:
            sh.err(number, "sample", "样本数为 0，无法计算满意度", value=0, expected="大于0的整数")
            ok = False
        if rate is not None and rate > 100:
            sh.err(
                number,
                "rate",
                "满意度超过 100%",
                value=sh.get(values, "rate"),
                expected="0 到 100 之间的百分数",
            )
            ok = False
        has_counts = sample is not None and satisfied is not None
        if (
            rate is None
            and not has_counts
            and len(ctx.problems) == before
            and not sh.rejected(number)
        ):
            sh.err(
                number,
                "rate",
                "既没有满意度，也没有完整的样本数和满意数",
                show_value=False,
                expected="填写样本数和满意数，或填写满意度（%）",
            )
            ok = False
        if not ok:
            continue
        stated = rate is not None
        if has_counts:
            computed = satisfied / sample * 100
            if stated:
                tol = 0.5 * 10 ** -(rate_dec or 0)
                if abs(computed - rate) > tol + 1e-9:
                    sh.err(
                        number,
                        "rate",
                        f"与满意数/样本数（{satisfied}/{sample} = {computed:.4f}%）不符",
                        value=sh.get(values, "rate"),
                        expected=f"按所填精度与 {computed:.{rate_dec or 0}f} 一致",
                    )
                    continue
            else:
                rate = computed
        records.append(
            {
                "survey": sh.text(number, values, "survey", prose=True),
                "sample": sample,
                "satisfied": satisfied,
                "rate": rate,
                "rate_decimals": rate_dec if stated else None,
                "rate_stated": stated,
                **sh.src(number, values),
            }
        )
    return frame(
        records,
        {
            "survey": "str",
            "sample": "Int64",
            "satisfied": "Int64",
            "rate": "float64",
            "rate_decimals": "Int64",
            "rate_stated": "bool",
        },
    )
