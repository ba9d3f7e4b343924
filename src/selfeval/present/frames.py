"""Report frames: the sections of a report, in order, with their titles.

The nine-section prose frame is what units publish as 部门整体支出绩效自评报告; the browser
checks and the report context both read it from here.
"""

from __future__ import annotations

#: The nine sections: (key, title), numbered 一 … 九 in this order.
NINE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("unit", "部门（单位）概况"),
    ("general", "一般公共预算支出情况"),
    ("fund", "政府性基金预算支出情况"),
    ("capital", "国有资本经营预算支出情况"),
    ("social", "社会保险基金预算支出情况"),
    ("performance", "部门整体支出绩效情况"),
    ("problems", "存在的问题及原因分析"),
    ("measures", "下一步改进措施"),
    ("other", "其他需要说明的情况"),
)
