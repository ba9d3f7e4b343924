"""Domain rules shared by several layers, each written once: rounding, tolerance, 编号 lists,
qualified counts, year folders, and the 绩效自评表's weights, bands and grades.

Numbers only: nothing here formats for display (see `selfeval.present.formats`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from selfeval.errors import UnsafeParameterError

# ---------------------------------------------------------------------------------------------
# Missing values


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (a scalar cell that holds no value)."""
    if value is None:
        return True
    import pandas as pd  # lazy: the batch's no-op path must not import pandas

    if value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers are values, not missing scalars
        return False


def as_text(value: Any) -> str:
    """`value` as stripped text; missing values give ""."""
    return "" if is_missing(value) else str(value).strip()


# ---------------------------------------------------------------------------------------------
# Years

#: A year folder's name: four digits (data/raw/2024, outputs/2024, data/processed/2024).
YEAR_DIR = re.compile(r"^\d{4}$")


def is_year_folder(name: str) -> bool:
    """Whether a folder name is a report year's folder."""
    return bool(YEAR_DIR.match(name))


def check_year(year: Any) -> int:
    """Return `year` if it is an int of four digits, else raise UnsafeParameterError."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise UnsafeParameterError(
            f"年度必须是四位整数，收到 {year!r} / year must be a four-digit int"
        )
    return year


# ---------------------------------------------------------------------------------------------
# Rounding and tolerance


def quantize_half_up(value: float, decimals: int = 2) -> Decimal:
    """`value` rounded half away from zero on its shortest decimal form (77.125 → 77.13), as
    official documents round; binary floats would give 77.12."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def round_half_up(value: float, decimals: int = 2) -> float:
    """`quantize_half_up` as a float."""
    return float(quantize_half_up(value, decimals))


def half_unit(decimals: Any, default: int = 2) -> float:
    """Half a unit of the last stated digit: the rounding a stated figure may carry."""
    try:
        d = int(decimals)
    except (TypeError, ValueError):  # None, NaN or NA: the source's precision is unknown
        d = default
    return 0.5 * 10.0 ** (-d)


def decimal_str(value: Any, decimals: int = 2, missing: str = "—") -> str:
    """The one written form of a number: fixed decimals rounded half up (`missing` if unknown).

    Messages of the core layers (problems, warnings, 数据核对 notes) and every display format of
    `selfeval.present.formats` are written through it.
    """
    if is_missing(value):
        return missing
    return f"{quantize_half_up(float(value), decimals):f}"


def number_str(value: Any, missing: str = "—") -> str:
    """A count or stated figure: an integer when whole, else two decimals."""
    if is_missing(value):
        return missing
    if abs(float(value) - round(float(value))) < 1e-9:
        return str(round(float(value)))
    return decimal_str(value)


def plain_str(value: Any, missing: str = "—") -> str:
    """A figure as a clerk typed it: no trailing zeros (6.0 → 6, 10.50 → 10.5)."""
    if is_missing(value):
        return missing
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


def signed_str(text: str) -> str:
    """A difference as written in 数据核对: a plus sign before a positive figure."""
    if text == "—" or text.startswith("-") or text in {"0", "0.00"}:
        return text
    return f"+{text}"


def parts_tolerance(decimals: list[Any]) -> float:
    """Rounding tolerance of a sum: half a unit of the last stated digit of each part."""
    return sum(half_unit(d, default=0) for d in decimals)


# ---------------------------------------------------------------------------------------------
# 编号 lists

#: What separates the 编号s of a 包含 cell: 、 , ， ; ； or spaces.
ID_SEPARATORS = re.compile(r"[、,，;；\s]+")
#: How the processed data joins them.
ID_JOINER = "、"


def split_ids(value: Any) -> list[str]:
    """The 编号s named by a 包含 cell (raw or processed), in order, blanks dropped."""
    return [x for x in ID_SEPARATORS.split(as_text(value)) if x]


# ---------------------------------------------------------------------------------------------
# Qualified counts (约300, 近百, 400余, 4000多)


#: Qualifiers that state a lower bound (400余, 4000多, 上千) and those that state an estimate.
AT_LEAST = ("余", "多", "上")
ESTIMATE = ("约", "近")


def combine_qualifiers(qualifiers: list[str]) -> str:
    """The qualifier of a sum of qualified counts (docs/data-contract.md has the table):

    exact + exact → exact; 余/多 (a lower bound) with exact or another lower bound → 余;
    约 or 近 anywhere → 约 (near 1000 plus exactly 300 is about 1300, not near 1300).
    """
    found = {q or "" for q in qualifiers}
    if found & set(ESTIMATE):
        return "约"
    if found & set(AT_LEAST):
        return "余"
    return ""


def qualified_matches(value: float, qualifier: str | None, computed: float) -> bool:
    """Whether ``computed`` agrees with a stated ``value`` written with ``qualifier``."""
    if qualifier in {"", None}:
        return abs(computed - value) < 1e-9
    if qualifier == "约":
        return abs(computed - value) <= 0.1 * abs(value) + 1e-9
    if qualifier == "近":
        return 0.9 * value - 1e-9 <= computed <= value + 1e-9
    if qualifier == "上":
        return computed >= value - 1e-9
    # 多, 余: from the value up to the next step of its last non-zero digit (500多 → [500, 600)).
    step = 1
    whole = int(abs(value))
    while whole and whole % (step * 10) == 0:
        step *= 10
    return value - 1e-9 <= computed < value + step


# ---------------------------------------------------------------------------------------------
# 绩效自评表: weights, bands, grades

#: Points of the 预算执行率 row; the indicators of the 绩效目标 sheet share the remaining 90.
FUNDS_WEIGHT = 10.0
INDICATOR_WEIGHT_TOTAL = 90.0
#: An execution rate (percent) below this needs a 偏差原因.
RATE_REASON_THRESHOLD = 90.0
#: A ≥ indicator whose 完成值 reaches this multiple of its 指标值 (≤: whose 完成值 is at most
#: 指标值 / factor) is flagged as over-achieved: the target may have been set too low.
OVER_ACHIEVEMENT_FACTOR = 1.5
#: 财预〔2020〕10号 第十六条: a qualitative indicator's score as a fraction of its 分值, by its
#: 评价: (low, high, high_inclusive). Finance systems check [分值×80%, 分值], [分值×60%, 分值×80%)
#: and [0, 分值×60%): exactly 80% and 60% belong to the higher band.
QUALITATIVE_BANDS = {
    "达成年度指标": (0.8, 1.0, True),
    "部分达成年度指标并具有一定效果": (0.6, 0.8, False),
    "未达成年度指标且效果较差": (0.0, 0.6, False),
}
MET = "达成年度指标"
#: The row of the 绩效目标 sheet that carries the 预算执行率's 偏差原因 (not an indicator).
FUNDS_KEY = "预算执行率"
QUALITATIVE = "定性"
EPS = 1e-9


GRADES = ("优", "良", "中")
GRADE_BOUNDS = (90.0, 80.0, 60.0)


def grade_of(total: float, bounds: tuple[float, float, float] = GRADE_BOUNDS) -> str:
    """The grade of a (rounded) total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差 (or other bounds)."""
    for grade, bound in zip(GRADES, bounds, strict=True):
        if total >= bound - EPS:
            return grade
    return "差"


def in_band(assessment: str, score: float, weight: float) -> bool:
    """Whether a qualitative indicator's 得分 lies in the band of its 评价 (low end included)."""
    low, high, high_inclusive = QUALITATIVE_BANDS[assessment]
    lo, hi = low * weight, high * weight
    below = score <= hi + EPS if high_inclusive else score < hi - EPS
    return score >= lo - EPS and below


def band_text(assessment: str, weight: float) -> str:
    """The interval of a 评价's scores as finance systems write it: [24, 30], [18, 24), [0, 18)."""
    low, high, high_inclusive = QUALITATIVE_BANDS[assessment]
    right = "]" if high_inclusive else ")"
    return f"[{number_str(low * weight)}, {number_str(high * weight)}{right}"
