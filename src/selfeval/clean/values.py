"""Cell values as clerks type them → typed values: half-width text, counts with qualifiers
(约300, 近百, 400余), numbers and amounts (万元 or 元), dates (with or without the year).

A value that cannot be read raises `ParseError` (message, expected); the binder turns it into a
located `Problem`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from selfeval.contract.limits import MAX_ABS_NUMBER
from selfeval.errors import ParseError
from selfeval.read import TRIM_CHARS, Percent

_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[0x2014] = 0x2D  # em dash sometimes typed for a minus/range
_FULLWIDTH[0xFF0E] = 0x2E
_FULLWIDTH_ALNUM = {
    k: v for k, v in _FULLWIDTH.items() if chr(v).isalnum()
}  # text fields keep Chinese punctuation such as （）
TRIM = TRIM_CHARS


#: Characters that show as nothing: zero-width spaces and joiners, bidi marks and overrides.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


#: Characters XML 1.0 does not allow (C0 controls but tab, newline and carriage return; lone
#: surrogates; U+FFFE, U+FFFF): report.docx (python-docx, lxml) cannot hold them and refuses the
#: whole document, so a cell holding one is a problem of its own, found while cleaning.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_illegal_problem(text: str) -> ParseError | None:
    """The problem of a text holding characters a Word file cannot store, or None: which ones
    (escaped: \\x01, \\ufffe) and where, as they cannot be seen in Excel."""
    found = XML_ILLEGAL.search(text)
    if found is None:
        return None
    chars = "、".join(dict.fromkeys(ascii(c)[1:-1] for c in XML_ILLEGAL.findall(text)))
    return ParseError(
        f"含 Word 文件不能保存的控制字符 {chars}（第 {found.start() + 1} 个字符起，"
        "Excel 中看不见，多由其他系统复制粘贴带入）",
        "删除这些字符，只保留文字",
    )


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (digits, letters, punctuation, ideographic space) -> half-width."""
    return text.translate(_FULLWIDTH)


def norm_key(text: str) -> str:
    """Comparison key for headers and enumerations: half-width, no spaces."""
    return re.sub(r"\s+", "", to_halfwidth(str(text)))


def trim(value: Any) -> Any:
    """Trimmed string (None for blank), other values unchanged."""
    if isinstance(value, str):
        value = value.strip(TRIM)
        return value or None
    return value


_EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!")


def reject_excel_error(value: Any) -> None:
    if isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS:
        raise ParseError("是 Excel 的错误值（公式出错）", "修正该单元格的公式，或直接填写数值")


NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

#: Letters typed for the digits they look like (the O beside the 0 key, l for 1).
_LOOKALIKES = {"O": "0", "o": "0", "l": "1", "I": "1"}


def number_typo(text: str, *, words: bool = False) -> str | None:
    """What is wrong with a number as typed, when a typo explains it, else None: a letter for
    the digit it looks like (3O.2), a full stop 「。」 or two decimal points, thousands commas
    out of place; with ``words`` False any other character is named too. One rule for every
    number, count and amount parser, so that each message says what to change, not only that
    the cell is no number. ``text`` is already half-width (full-width digits are fine).
    """
    if not re.search(r"\d", text):
        return None
    for letter, digit in _LOOKALIKES.items():
        if letter in text:
            return f"含有字母{letter}，应为数字{digit}"
    if "。" in text:
        return "用了句号「。」，小数点应为「.」"
    if text.count(".") > 1:
        return f"有 {text.count('.')} 个小数点"
    if re.fullmatch(r"-?[\d,]+(?:\.\d+)?", text) and not re.fullmatch(r"-?(?:" + NUM + ")", text):
        return "千分位逗号的位置不对（从个位起每三位一个，如 1,500），也可以不写逗号"
    if words:
        return None
    others = "".join(dict.fromkeys(re.findall(r"[^\d.,\-]", text)))
    return f"含有非数字字符「{others}」" if others else None


def _with_typo(message: str, text: str, *, words: bool = False) -> str:
    reason = number_typo(text, words=words)
    return f"{message}：{reason}" if reason else message


_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_COUNT_RE = re.compile(
    r"^(?P<pre>约|近|上|逾)?"
    r"(?P<core>(?:"
    + NUM
    + r")(?P<mult>[十百千万])?|(?P<cnd>[一二两三四五六七八九])?(?P<cnu>[十百千万]))"
    r"(?P<suf>余|多)?(?:人次|人|名|册|本|份|场|次|期|个|位)?$"
)
_COUNT_EXPECTED = "非负整数，可带「约」「近」「上」「余」「多」，如 300、约300、近百、400余、1,500"


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


_TOO_LARGE = "数值过大（超过 15 位数字）"
_TOO_LARGE_EXPECTED = "绝对值小于 10^15 的数；编号等长数字请填在文字列中"


def _check_number(value: int | float | Decimal) -> None:
    """Refuse what no count or amount can be, before it becomes an int64 or a float: NaN,
    infinity, and 16 or more digits (typed as a number or as text alike)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ParseError("不是有效的数字（NaN 或无穷大）", "数字，如 63.44 或 1,500")
    if not -MAX_ABS_NUMBER < value < MAX_ABS_NUMBER:
        raise ParseError(_TOO_LARGE, _TOO_LARGE_EXPECTED)


def _reject_percent(value: Any, what: str, expected: str) -> None:
    """A percent-formatted cell (0.5 shown as 50%) where a count or an amount is meant."""
    if isinstance(value, Percent):
        raise ParseError(f"是百分数（单元格格式为百分比），不是{what}", expected)


def _float_decimal(value: float) -> Decimal:
    """Decimal of an Excel float as a person typed it (63.44, not 63.4399999…)."""
    return (
        Decimal(repr(round(value, 9))).normalize() if value != int(value) else Decimal(int(value))
    )


def parse_count(value: Any) -> tuple[int | None, str, str | None]:  # noqa: C901 - each written form
    """Parse a count cell into (number, qualifier, display text); blank -> (None, "", None).

    「无」 (and dashes) state none: a count of 0, unlike a blank cell, which is not given.
    """
    value = trim(value)
    if value is None:
        return None, "", None
    if isinstance(value, str) and value in NONE_WORDS:
        return 0, "", "0"
    reject_excel_error(value)
    _reject_percent(value, "数量", _COUNT_EXPECTED)
    if isinstance(value, bool):
        raise ParseError("不是数字", _COUNT_EXPECTED)
    if isinstance(value, int | float):
        _check_number(value)
        if value < 0:
            raise ParseError("不能为负数", "不小于0的整数")
        if value != int(value):
            raise ParseError("不是整数", "整数（人次、册数、份数、场次）")
        return int(value), "", str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        raise ParseError("是日期，不是数字", _COUNT_EXPECTED)
    text = re.sub(r"\s+", "", to_halfwidth(str(value))).replace("，", ",")
    if text.startswith("-") and re.match(r"^-\d", text):
        raise ParseError("不能为负数", "不小于0的整数")
    m = _COUNT_RE.match(text)
    if not m:
        raise ParseError(_with_typo("不是可识别的数字", text, words=True), _COUNT_EXPECTED)
    if m.group("cnu"):
        number = _CN_DIGITS.get(m.group("cnd") or "", 1) * _CN_UNITS[m.group("cnu")]
        core = m.group("core")
    else:
        core = m.group("core")
        mult = m.group("mult")
        digits = core[:-1] if mult else core
        dec = _decimal(digits) * (_CN_UNITS[mult] if mult else 1)
        if dec != dec.to_integral_value():
            raise ParseError("不是整数", "整数（人次、册数、份数、场次）")
        _check_number(dec)
        number = int(dec)
        core = core.replace(",", "")
    pre = m.group("pre") or ""
    suf = m.group("suf") or ""
    if pre and suf:
        raise ParseError("同时带有前后两个修饰词", "只用一个：约/近/上（在前）或 余/多（在后）")
    qualifier = {"逾": "余"}.get(pre, pre) or suf
    return number, qualifier, f"{pre}{core}{suf}"


def parse_number(value: Any, *, allow_negative: bool = False) -> tuple[float | None, int | None]:
    """Parse a plain number (thousands separators allowed) into (value, stated decimals)."""
    value = trim(value)
    if value is None:
        return None, None
    reject_excel_error(value)
    _reject_percent(value, "普通数字", "数字，如 63.44 或 1,500（不用百分比格式）")
    if isinstance(value, bool | dt.datetime | dt.date):
        raise ParseError("不是数字", "数字，如 63.44 或 1,500")
    if isinstance(value, int | float):
        _check_number(value)
        dec = _float_decimal(float(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = re.sub(r"\s+", "", to_halfwidth(str(value)))
        m = re.match(r"^(-?)(" + NUM + r")$", text)
        if not m:
            raise ParseError(_with_typo("不是数字", text), "数字，如 63.44 或 1,500")
        dec = _decimal(m.group(1) + m.group(2))
        _check_number(dec)
    if dec < 0 and not allow_negative:
        raise ParseError("不能为负数", "不小于0的数")
    exponent = dec.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return float(dec), decimals


#: Written in a cell, these state "none": a stated zero, not a figure left blank.
NONE_WORDS = ("无", "—", "——", "-", "/", "／")
_AMOUNT_EXAMPLE = {"万元": "如 63.44", "元": "如 634400 或 634,400.00"}


def _other_unit(number: Decimal, column_unit: str) -> str:
    """The figure a clerk typed in the other unit, expressed in the column's unit."""
    if column_unit == "万元":
        return f"{(number / 10000).normalize():f}万元"
    return f"{(number * 10000).normalize():f}元"


def parse_amount(value: Any, unit: str) -> tuple[float | None, int | None]:
    """Parse an amount in ``unit`` (万元 or 元) into (万元 float, decimals in 万元 terms).

    A value written in the other unit is refused with what it would be in the column's unit:
    ``68,500元`` or ``68,500`` (thousands separators are how 元 are written) in a 万元 column, or
    ``6.85万元`` in a 元 column, are 10,000-fold errors that no total would catch.
    """
    value = trim(value)
    _reject_percent(
        value, "金额", f"以{unit}为单位的数字，{_AMOUNT_EXAMPLE[unit]}（不用百分比格式）"
    )
    if isinstance(value, str) and value in NONE_WORDS:
        return 0.0, 0
    if isinstance(value, str):
        text = re.sub(r"\s+", "", to_halfwidth(value)).replace("，", ",")
        suffix = re.search(r"(万元|元)$", text)
        core = text[: suffix.start()] if suffix else text
        written = suffix.group(1) if suffix else None
        how = f"是以{written}写的金额"
        grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", core)
        if written is None and unit == "万元" and grouped:
            written, how = "元", "带千分位，像是以元写的金额"
        if written is not None and written != unit:
            try:
                number = Decimal(core.replace(",", ""))
            except ArithmeticError:
                number = None
            if number is not None:
                raise ParseError(
                    f"{how}，本列以{unit}为单位：折合 {_other_unit(number, unit)}",
                    f"按{unit}填写（{_AMOUNT_EXAMPLE[unit]}），或把表头的单位改为（{written}）",
                )
        value = core
    try:
        number, decimals = parse_number(value)
    except ParseError as exc:
        if exc.args[0] == "不能为负数":
            raise ParseError("金额不能为负数", "不小于0的金额") from None
        if "Excel" in exc.args[0] or exc.args[0] == _TOO_LARGE or "无穷大" in exc.args[0]:
            raise
        text = re.sub(r"\s+", "", to_halfwidth(str(value))) if isinstance(value, str) else ""
        raise ParseError(
            _with_typo("不是金额数字", text),
            f"以{unit}为单位的数字，{_AMOUNT_EXAMPLE[unit]}；没有支出填 0",
        ) from None
    if number is None:
        return None, None
    if unit == "元":
        dec = Decimal(repr(number)) / Decimal(10000)
        return float(dec), (decimals or 0) + 4
    return number, decimals


def parse_date(value: Any, year: int | None, example_year: int | None = None) -> dt.date | None:
    """Parse an Excel date, 2024-02-18, 2024/2/18, 2024年2月18日 or 2月18日 (year from folder).

    Hints name `year` (or `example_year` when the year must be written) in their examples, so a
    clerk filling in 2025 reads 2025 dates, never a fixed year.
    """
    value = trim(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    ex = year or example_year or "YYYY"
    expected = f"日期，如 {ex}-02-18、{ex}/2/18、{ex}年2月18日" + (" 或 2月18日" if year else "")
    reject_excel_error(value)
    if isinstance(value, int | float):
        raise ParseError("不是日期", expected)
    text = re.sub(r"\s+", "", to_halfwidth(str(value)))
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T?\d{1,2}:\d{2}(?::\d{2})?)?$", text)
    if not m:
        m = re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.match(r"^(\d{1,2})月(\d{1,2})[日号]?$", text)
        if not m:
            raise ParseError("不是可识别的日期", expected)
        if year is None:
            raise ParseError("缺少年份", f"带年份的日期，如 {ex}-01-20")
        y, mo, d = year, int(m.group(1)), int(m.group(2))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ParseError("不是有效的日期", expected) from None
