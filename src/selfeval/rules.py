"""Domain rules shared by several layers, each written once: rounding, tolerance, 编号 lists,
qualified counts, year folders, and the 绩效自评表's weights, bands and grades.

Numbers only: nothing here formats for display (see `selfeval.present.formats`).
"""

from __future__ import annotations

import re
import unicodedata
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

#: The lowest and highest report year: a year is written with four ASCII digits, so 0999, 0 and
#: 99999 are not years (0999 would read as 999, and data/raw/0999 would not sort as a year).
YEAR_MIN, YEAR_MAX = 1000, 9999
#: What every message about a wrong year says is expected.
YEAR_EXPECTED = "年度须为 1000–9999 的四位数字 / a year is four digits, 1000 to 9999"


def year_problem(text: Any) -> str | None:
    """Why `text` is not a report year as written, or None: THE year rule of the project.

    Four ASCII digits from 1000 to 9999. Folder names (data/raw/<YYYY>, outputs/…), the command
    line's --year/--years, the template and the notebooks' `year` all go through here, so that a
    folder the batch ignores is never one the index, the template or `clean` read as a year
    (Python's isdigit() and int() accept ２０２４ and ٢٠٢٤, which a folder listing does not sort
    or compare as 2024).
    """
    text = str(text)
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        return f"「{visible(text)}」不是四位数字"
    if not YEAR_MIN <= int(text) <= YEAR_MAX:
        return f"年度「{text}」不在 {YEAR_MIN}–{YEAR_MAX} 之间"
    return None


def is_year_folder(name: str) -> bool:
    """Whether a folder name is a report year's folder (`year_problem` finds nothing)."""
    return year_problem(name) is None


def check_year(year: Any) -> int:
    """`year` if it is an int that `year_problem` accepts, else UnsafeParameterError."""
    if isinstance(year, bool) or not isinstance(year, int) or year_problem(str(year)):
        raise UnsafeParameterError(
            f"年度必须是四位整数，收到 {year!r} / year must be a four-digit int"
        )
    return year


# ---------------------------------------------------------------------------------------------
# Names the user sees: folder names, free text


def visible(text: str) -> str:
    """`text` as a message shows it: control and invisible characters escaped (\\n, \\x1b,
    \\u200b), everything printable (Chinese included) as it is, so that a name with a newline
    or an escape sequence is visible and cannot rewrite the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


#: Characters Windows does not allow in a file or folder name (the users' colleagues copy whole
#: projects onto Windows machines and shares, where such a folder cannot be created).
WINDOWS_FORBIDDEN = '<>:"/\\|?*'
#: Device names Windows reserves, with or without an extension (CON, con.txt, LPT1).
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)]
)
#: Longest unit folder name in UTF-8 bytes. A file system allows 255 bytes per name (ext4) or
#: 255 UTF-16 units (NTFS: never more than the UTF-8 bytes), and the batch names its staging
#: folders and journals after the unit (``.swap-<unit>-<YYYY>.json.<random>.tmp``, +30 bytes).
UNIT_NAME_MAX_BYTES = 200


def unit_folder_problem(name: str) -> str | None:
    """Why `name` cannot be a unit's folder (data/raw/<unit>/), in Chinese, or None.

    The folder name is the unit's key everywhere (outputs/<unit>/, data/processed/<unit>/,
    ``make report UNITS="…"``, messages): it must print as it is, be a valid name on Windows,
    leave room for the batch's suffixes, and be one word for UNITS="a b".
    """
    hidden = sorted({c for c in name if not c.isprintable() and c != " "})
    if hidden:
        listed = "、".join(ascii(c)[1:-1] for c in hidden)
        return f"含控制字符或不可见字符（{listed}）"
    bad = sorted({c for c in name if c in WINDOWS_FORBIDDEN})
    if bad:
        return f"含 Windows 不允许的字符 {' '.join(bad)}"
    if name != name.rstrip(". "):
        return "以点或空格结尾（Windows 会去掉它们，复制后成了另一个目录）"
    if any(c.isspace() for c in name):
        return '含空格（make report UNITS="…" 用空格分隔单位），请改用 - 或 _'
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        return f"「{name.split('.')[0]}」是 Windows 保留的设备名"
    if name.startswith("-"):
        return "以 - 开头（命令行会把它当作选项）"
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > UNIT_NAME_MAX_BYTES:
        return (
            f"名称过长：{size} 字节（UTF-8），最多 {UNIT_NAME_MAX_BYTES} 字节（约 66 个汉字）："
            "文件系统的一个名称最多 255 字节，生成时还要加上年度和临时后缀"
        )
    return None


def folder_key(name: str) -> str:
    """What makes two folder names the same one on another machine: NFC and NFD spellings of
    one name (macOS writes NFD, Linux keeps both) and case (Windows ignores it)."""
    return unicodedata.normalize("NFC", name).casefold()


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


def money_str(value: Any, unit: str = "万元", missing: str = "—") -> str:
    """An amount held in 万元 as the report's 金额单位 writes it, without the unit: 元 to the fen
    with thousands separators (98.931211 → 989,312.11), 万元 with two decimals (98.93). The
    report's formatter (`present.formats.money_number`) and the 数据核对 notes write 元 alike."""
    if is_missing(value):
        return missing
    if unit == "元":
        return f"{quantize_half_up(float(value) * 10000, 2):,.2f}"
    return decimal_str(value)


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
