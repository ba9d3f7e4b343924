"""What the reader recognises in an approved 绩效目标申报表 (`selfeval.read.published.target_form`):
its titles, label cells and headings, in one place, so that `docs/data-contract.md` says exactly
what is read and what is ignored (`target_form_markdown`, written by `selfeval.contract.doc`).

Labels are compared without spaces and with half-width parentheses and colons as full-width ones
(`label_key`), because typesetters space out characters and exports mix both widths.
"""

from __future__ import annotations

import re

#: Titles as printed: the national form's and the shorter ones of the 一体化 system's export. A
#: 自评表 (绩效自评表) never matches.
TITLE = re.compile(r"(部门（单位）|部门|单位)整体(支出)?绩效目标(申报)?表")
TITLE_EXAMPLES = (
    "部门（单位）整体支出绩效目标申报表",
    "部门整体支出绩效目标表",
    "单位整体绩效目标表",
)
UNIT_LABELS = ("部门（单位）名称", "单位名称", "部门名称", "预算单位")
GOAL_LABELS = ("年度总体目标", "总体目标", "整体绩效目标", "年度绩效目标")
TASK_LABELS = ("年度主要任务", "主要任务")
TASK_HEADINGS = {"任务名称": "name", "任务": "name", "主要内容": "content", "任务内容": "content"}
#: Under a 预算金额 merged over several columns, the one read as the task's amount.
AMOUNT_TOTALS = ("总额", "合计", "小计", "资金总额")
#: Rows of the task block that are totals, not tasks.
TOTAL_ROWS = ("合计", "金额合计", "总计")
#: Indicator block headings -> field; the block's header row is the one with 三级指标, and the row
#: under it when headings continue there (指标值 merged over 指标性质 | 指标值 | 度量单位).
HEADINGS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "level3",
    "指标值": "value",
    "年度指标值": "value",
    "目标值": "value",
    "指标性质": "nature",
    "指标方向": "nature",
    "度量单位": "unit",
    "计量单位": "unit",
    "分值": "weight",
    "权重": "weight",
    "权重（分）": "weight",
}
#: 指标性质 as the forms write it -> the contract's 方向 (`sheets.DIRECTIONS`).
NATURES = {
    "≥": "≥",
    ">=": "≥",
    "＞": "≥",
    ">": "≥",
    "大于等于": "≥",
    "大于": "≥",
    "不低于": "≥",
    "正向": "≥",
    "≤": "≤",
    "<=": "≤",
    "＜": "≤",
    "<": "≤",
    "小于等于": "≤",
    "小于": "≤",
    "不高于": "≤",
    "反向": "≤",
    "=": "=",
    "＝": "=",
    "等于": "=",
    "定性": "定性",
}
#: What such forms also carry and the reader leaves alone (for the doc).
IGNORED = (
    "填报人、联系电话、审核意见等表尾",
    "指标值说明、指标解释、评（扣）分标准等其他列",
    "预算金额中总额以外的列（财政拨款、其他资金）和金额合计行",
    "一体化系统导出的预算编码、项目代码等",
)


def label_key(text: str) -> str:
    """A label as compared: no whitespace, full-width parentheses and colons, no trailing colon."""
    t = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）").replace(":", "：")
    return t.rstrip("：")


BEGIN = "<!-- BEGIN GENERATED: target_form (python -m selfeval.contract.doc) -->"
END = "<!-- END GENERATED: target_form -->"


def _natures() -> str:
    by_direction: dict[str, list[str]] = {}
    for written, direction in NATURES.items():
        by_direction.setdefault(direction, []).append(written)
    return "；".join(f"{d}：{'、'.join(w)}" for d, w in by_direction.items())


def target_form_markdown() -> str:
    """The 申报表's recognised titles, labels and headings as a Chinese Markdown block."""
    heads: dict[str, list[str]] = {}
    for heading, name in HEADINGS.items():
        heads.setdefault(name, []).append(heading)
    fields = {
        "level1": "一级指标",
        "level2": "二级指标",
        "level3": "三级指标（与绩效目标表对应的名称）",
        "value": "年度指标值",
        "nature": "方向",
        "unit": "单位",
        "weight": "分值",
    }
    out = [
        BEGIN,
        "",
        "| 部分 | 识别的写法 | 读取为 |",
        "| --- | --- | --- |",
        f"| 标题（前5行） | {'、'.join(TITLE_EXAMPLES)}（字间可有空格，可带年度） "
        "| 识别为申报表；标题中的年度须为本年度 |",
        f"| 单位名称 | {'、'.join(UNIT_LABELS)}（右侧单元格，或同一格冒号后） "
        "| 与单位概况的单位名称不同时提示 ⚠ |",
        f"| 年度总体目标 | {'、'.join(GOAL_LABELS)} | 文字说明未写「总体目标」时作为总体目标 |",
        f"| 年度主要任务 | {'、'.join(TASK_LABELS)}，其下 {'、'.join(TASK_HEADINGS)}、预算金额"
        f"（合并表头下取 {'、'.join(AMOUNT_TOTALS)}） "
        f"| 任务名称、内容和金额（{'、'.join(TOTAL_ROWS)}行不计） |",
    ]
    out += [f"| 指标表头 | {'、'.join(heads[name])} | {label} |" for name, label in fields.items()]
    out += [
        f"| 指标性质的写法 | {_natures()} | 方向 |",
        "",
        "不读取：" + "；".join(IGNORED) + "。",
        "",
        END,
    ]
    return "\n".join(out)
