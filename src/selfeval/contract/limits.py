"""Limits of what the readers accept: part of the data contract, so that a hostile or unlucky
file ends, within seconds and without large memory, as one problem naming the file.

Each limit is a plain constant (the readers use them in hot loops) registered with its Chinese
description; `docs/data-contract.md` shows the table `selfeval.contract.doc` generates from
`LIMITS`, and a test keeps the two in step. The numbers are far above what a budget unit's
yearly workbook needs (a large one: 20,000 activities, 10 MB) and far below what hurts.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Limit:
    """One limit as the contract doc shows it."""

    scope: str  # 适用于：文件、.xlsx、CSV、.xls/.xlsb/.ods
    what: str  # 限制什么
    shown: str  # the value as the doc shows it: "100 MB", "1,000,000 个"
    why: str = ""


LIMITS: list[Limit] = []


def _limit(value: int, scope: str, what: str, unit: str, why: str = "") -> int:
    """Register one limit; ``unit`` "MB" shows bytes in MiB, any other unit follows the number."""
    shown = f"{value // MiB:,} MB" if unit == "MB" else f"{value:,} {unit}"
    LIMITS.append(Limit(scope, what, shown, why))
    return value


# ---------------------------------------------------------------- every file

MAX_FILE_BYTES = _limit(
    100 * MiB, "文件", "一个 .xlsx/.xlsm 工作簿的文件大小", "MB", "图片等不读取的内容也计入"
)

# ---------------------------------------------------------------- .xlsx (a zip of XML parts)

MAX_ZIP_ENTRIES = _limit(
    10_000, ".xlsx", "压缩包内的文件数", "个", "在解压任何内容之前，从压缩包目录检查"
)
MAX_META_BYTES = _limit(
    16 * MiB, ".xlsx", "workbook.xml、关系文件、styles.xml 各自解压后的大小", "MB"
)
MAX_PART_BYTES = _limit(
    256 * MiB,
    ".xlsx",
    "每个工作表、共享字符串表解压后的大小",
    "MB",
    "解压前按压缩包目录检查，解压时按实际解出的字节再查一次（目录可能说谎）",
)
MAX_TOTAL_BYTES = _limit(512 * MiB, ".xlsx", "读取的各部分解压后合计", "MB")
MAX_COMPRESSION_RATIO = _limit(
    200, ".xlsx", "解压后大于 16 MB 的部分的压缩比", "倍", "正常工作表约 5–30 倍；过高是压缩炸弹"
)
RATIO_MIN_BYTES = 16 * MiB
MAX_TOKEN_BYTES = _limit(
    4 * MiB, ".xlsx", "单个 XML 文本或标记（属性、标签）", "MB", "32767 个字符的单元格约 0.1 MB"
)
MAX_XML_ELEMENTS = _limit(5_000_000, ".xlsx", "整个工作簿的 XML 元素", "个", "每个单元格约 2–3 个")
MAX_SHEETS = _limit(100, ".xlsx、.xls/.xlsb/.ods", "工作表数", "张")
MAX_STYLES = _limit(100_000, ".xlsx", "单元格格式（styles.xml 的 cellXfs）", "个")
MAX_SHARED_STRINGS = _limit(1_000_000, ".xlsx", "共享字符串的个数", "个")
MAX_SHARED_CHARS = _limit(20_000_000, ".xlsx", "共享字符串合计字符数", "字符")
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_NUMBER_CHARS = _limit(
    40, ".xlsx", "数值单元格存储的文本长度", "字符", "Excel 最多写 17 位有效数字加指数"
)

# ---------------------------------------------------------------- every sheet, every format

MAX_ROWS = _limit(100_000, "每张表", "有内容的数据行", "行")
MAX_COLUMNS = _limit(
    256,
    "每张表",
    "读取的列（A–IV 列）",
    "列",
    "更靠右的有值单元格记为问题；单元格引用超出 XFD 列或第 1,048,576 行即为文件损坏",
)
MAX_CELLS = _limit(
    1_000_000,
    "一个年度",
    "单元格（各行从 A 列到最后一个有值单元格）",
    "个",
    "工作簿或全部 CSV 合计",
)
MAX_CELL_TEXT = _limit(32_767, "每个单元格", "文字长度", "字符", "Excel 的上限")
MAX_ABS_NUMBER = 1e15
LIMITS.append(
    Limit(
        "每个单元格",
        "数值的绝对值（须小于）",
        "10^15",
        "Excel 只保留 15 位有效数字；写成文字的数字也一样；NaN、无穷大不是数值",
    )
)
MAX_PROBLEMS_PER_SHEET = _limit(100, "每张表", "逐个列出的单元格问题", "个", "其余只给出个数")
MAX_MERGED_RANGES = _limit(
    2000, "每张表", "合并单元格区域（决算表、申报表等按发布格式读取的表）", "个", "其余不读"
)

# ---------------------------------------------------------------- CSV

MAX_CSV_BYTES = _limit(32 * MiB, "CSV", "一个 CSV 文件的大小", "MB")
MAX_CSV_TOTAL_BYTES = _limit(64 * MiB, "CSV", "一个年度全部 CSV 文件合计", "MB")
MAX_CSV_LINES = _limit(1_000_000, "CSV", "一个 CSV 文件的行数（含空行、单元格内换行）", "行")

# ---------------------------------------------------------------- .xls/.xlsb/.ods (calamine)

LEGACY_MAX_FILE_BYTES = _limit(32 * MiB, ".xls/.xlsb/.ods", "文件大小", "MB")
LEGACY_MEMORY = _limit(
    400 * MiB,
    ".xls/.xlsb/.ods",
    "读取时所用内存",
    "MB",
    "在单独的子进程中读取；超过即停止，报告为一个问题",
)
LEGACY_CPU_SECONDS = _limit(10, ".xls/.xlsb/.ods", "读取所用 CPU 时间", "秒")
LEGACY_TIMEOUT = _limit(30, ".xls/.xlsb/.ods", "读取的等待时间", "秒")
