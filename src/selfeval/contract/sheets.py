"""The yearly input contract: raw sheets, their headers and kinds, and the vocabularies.

`docs/data-contract.md` is generated in part from here (see `selfeval.contract.doc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTRACT_VERSION = "1.1"

BUDGET_TYPES = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
SPENDING_CATEGORIES = ("基本支出", "项目支出")
BASIC_ITEMS = ("人员支出", "公用支出")
TOTAL_ITEM = "合计"
SANGONG_ITEMS = (
    "因公出国（境）费",
    "公务接待费",
    "公务用车购置及运行费",
    "公务用车购置费",
    "公务用车运行费",
)
PERIODS = ("上午", "下午", "晚上", "全天")
QUALIFIERS = ("", "约", "近", "余", "多", "上")
DIRECTIONS = ("≥", "≤", "=", "定性")
ASSESSMENTS = ("达成", "部分达成", "未达成")
TEXT_SECTIONS = (
    "概况补充",
    "活动",
    "服务评价",
    "数字服务",
    "馆藏建设",
    "基层服务",
    "存在问题",
    "改进措施",
    "其他说明",
)
UNIT_REQUIRED_ITEMS = ("单位名称", "主管部门", "编制人数", "主要职责")
UNIT_OPTIONAL_ITEMS = ("单位性质", "编制说明", "填报日期")
#: Items of a 主管部门's 单位概况 (issue 19): its units, and its totals for the department as a
#: whole (万元), reconciled against 本级 plus its units. Not in the template of every unit.
UNIT_DEPARTMENT_ITEMS = ("下属单位", "部门合计预算数", "部门合计执行数")
#: Measures of an activity listing: (processed column, raw header).
COUNT_MEASURES = (
    ("offline", "线下参与人次"),
    ("online", "线上参与人次"),
    ("sessions", "场次"),
    ("books", "赠书册数"),
    ("materials", "资料份数"),
)
#: Yearly keys of the 声明数 sheet and the activity measure each one re-computes.
STATED_YEARLY = {
    "活动项数": "events",
    "活动场次": "sessions",
    "线下参与人次": "offline",
    "线上参与人次": "online",
    "赠书册数": "books",
    "资料份数": "materials",
}
HOLDINGS_GROWTH_KEY = "馆藏年均增长"
STATED_YEARLY_KEYS = (*STATED_YEARLY, HOLDINGS_GROWTH_KEY)
#: Measures of ``<类别>·<度量>`` keys; 次数 counts the listings of the category.
STATED_CATEGORY = {
    "次数": "listings",
    "场次": "sessions",
    "线下参与人次": "offline",
    "线上参与人次": "online",
    "赠书册数": "books",
    "资料份数": "materials",
}
STATED_CATEGORY_MEASURES = tuple(STATED_CATEGORY)
STATED_SEPARATOR = "·"
AMOUNT_UNITS = {"万元": 1, "元": 4}  # unit -> decimals added when expressed in 万元


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a raw sheet.

    Attributes:
        header: Header as users write it (amount columns without the unit suffix).
        key: Internal / processed column name.
        required: Whether the column must be present.
        kind: text, prose, int, count, amount, number, date, enum, percent, ids.
        enum: Allowed values for enumerated columns.
        doc: Chinese description for the data contract.
        needs_value: Whether every data row must fill it.
    """

    header: str
    key: str
    required: bool = True
    kind: str = "text"
    enum: tuple[str, ...] = ()
    doc: str = ""
    needs_value: bool = False

    @property
    def has_unit(self) -> bool:
        """Amount columns carry their unit in the header: ``预算数（万元）`` or ``预算数（元）``."""
        return self.kind == "amount"

    def doc_for(self, year: int | None = None) -> str:
        """The column's description with its examples in `year` (``YYYY`` when no year)."""
        return self.doc.replace("{year}", str(year) if year else "YYYY")

    def display(self) -> str:
        """Header as shown in documentation and the template."""
        return f"{self.header}（万元）" if self.has_unit else self.header


@dataclass(frozen=True)
class SheetSpec:
    """One raw sheet (or ``<name>.csv``) of a year's input."""

    name: str
    table: str
    required: bool
    columns: tuple[ColumnSpec, ...]
    doc: str = ""
    extra: dict = field(default_factory=dict)

    def column(self, key: str) -> ColumnSpec:
        """Column spec by internal key."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


def _c(header, key, required=True, kind="text", enum=(), doc="", needs_value=False):
    return ColumnSpec(header, key, required, kind, tuple(enum), doc, needs_value)


_COUNT_DOC = (
    "人次/册数/份数，可写「约300」「近百」「400余」「4000多」「1,500」；空白表示未知（不是0）"
)

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "单位概况",
        "unit",
        True,
        (
            _c(
                "项目",
                "item",
                enum=UNIT_REQUIRED_ITEMS + UNIT_OPTIONAL_ITEMS + UNIT_DEPARTMENT_ITEMS,
                needs_value=True,
                doc="必填项：单位名称、主管部门、编制人数（整数）、主要职责；"
                "选填：单位性质、编制说明、填报日期（日期）；"
                "主管部门选填：下属单位（单位目录名或单位名称，以顿号分隔）、"
                "部门合计预算数、部门合计执行数（万元，与本级及下属单位之和核对）；"
                "其他项目保留并给出提示",
            ),
            _c("内容", "value", needs_value=True, kind="prose", doc="该项目的内容"),
        ),
        "单位基本情况，两列：项目、内容。",
    ),
    SheetSpec(
        "支出",
        "spending",
        True,
        (
            _c("预算类型", "budget_type", kind="enum", enum=BUDGET_TYPES, needs_value=True),
            _c(
                "支出类别",
                "category",
                kind="enum",
                enum=SPENDING_CATEGORIES,
                doc="一般公共预算必填（该预算类型的合计行除外）",
            ),
            _c(
                "支出项目",
                "item",
                needs_value=True,
                doc="基本支出下为人员支出或公用支出；项目支出下为项目名称；"
                "「合计」表示原始资料所列的合计数",
            ),
            _c(
                "预算数",
                "budget",
                kind="amount",
                doc="表头须注明单位（万元）或（元）；空白表示未知",
            ),
            _c("执行数", "actual", kind="amount", needs_value=True, doc="表头须注明单位"),
            _c("说明", "note", required=False, kind="prose"),
        ),
        "各预算类型的预算数与执行数。合计行与分项之和在舍入误差内视为一致。",
    ),
    SheetSpec(
        "三公经费",
        "sangong",
        False,
        (
            _c("项目", "item", kind="enum", enum=SANGONG_ITEMS, needs_value=True),
            _c("预算数", "budget", kind="amount"),
            _c("执行数", "actual", kind="amount", needs_value=True),
        ),
        "（选填）“三公”经费。",
    ),
    SheetSpec(
        "活动",
        "activities",
        True,
        (
            _c(
                "编号",
                "event_id",
                required=False,
                doc="同一编号的多行是同一活动列在多个类别下，合计只算一次",
            ),
            _c("类别", "category", needs_value=True, doc="报告中类别按首次出现的顺序排列"),
            _c("名称", "name", needs_value=True),
            _c(
                "开始日期",
                "start_date",
                kind="date",
                needs_value=True,
                doc="{year}-02-18、{year}/2/18、{year}年2月18日或2月18日；须在报告年度内",
            ),
            _c("结束日期", "end_date", required=False, kind="date", doc="不早于开始日期"),
            _c("时段", "period", required=False, kind="enum", enum=PERIODS),
            _c("地点", "place", required=False),
            _c("线下参与人次", "offline", kind="count", doc=_COUNT_DOC),
            _c("线上参与人次", "online", kind="count", doc=_COUNT_DOC),
            _c("场次", "sessions", kind="count", doc="空白按1场计"),
            _c("赠书册数", "books", kind="count", doc=_COUNT_DOC),
            _c("资料份数", "materials", kind="count", doc=_COUNT_DOC),
            _c("成效", "effect", kind="prose", doc="活动成效（自由文字）"),
            _c(
                "包含",
                "includes",
                required=False,
                kind="ids",
                doc="汇总行所汇总的活动编号，用「、」「,」或「;」分隔；编号须在本表中存在",
            ),
            _c("说明", "note", required=False, kind="prose"),
        ),
        "全年开展的活动，一行一次列示。",
    ),
    SheetSpec(
        "馆藏",
        "holdings",
        False,
        (
            _c("年度", "year", kind="int", needs_value=True, doc="不晚于报告年度"),
            _c("年末藏量（册）", "holdings", kind="int", needs_value=True),
            _c("本年新增（册）", "added", required=False, kind="int"),
            _c("说明", "note", kind="prose"),
        ),
        "（选填）图书馆等单位的馆藏，可包括以前年度。",
    ),
    SheetSpec(
        "数字服务",
        "digital",
        False,
        (
            _c("服务", "service", needs_value=True, doc="如：微信图书馆"),
            _c("指标", "indicator", doc="如：年推送期数"),
            _c("数值", "value", kind="number"),
            _c("单位", "unit"),
            _c("说明", "note", kind="prose"),
        ),
        "（选填）数字服务。",
    ),
    SheetSpec(
        "满意度",
        "satisfaction",
        False,
        (
            _c("调查", "survey", needs_value=True),
            _c("样本数", "sample", kind="int"),
            _c("满意数", "satisfied", kind="int", doc="不大于样本数"),
            _c(
                "满意度（%）",
                "rate",
                kind="percent",
                doc="不大于100；同时填写样本数和满意数时须与之相符（按所填精度）",
            ),
        ),
        "（选填）满意度调查：填写样本数和满意数，或只填满意度。",
    ),
    SheetSpec(
        "绩效目标",
        "targets",
        False,
        (
            _c("一级指标", "level1", needs_value=True),
            _c("二级指标", "level2", needs_value=True),
            _c("三级指标", "level3", needs_value=True),
            _c("方向", "direction", kind="enum", enum=DIRECTIONS, needs_value=True),
            _c("目标值", "target", needs_value=True, doc="定量指标须含数值"),
            _c("实际值", "actual"),
            _c("单位", "unit"),
            _c("分值", "weight", kind="number", needs_value=True),
            _c("评价", "assessment", kind="enum", enum=ASSESSMENTS, doc="定性指标必填"),
            _c("得分", "score", kind="number", doc="仅定性指标填写"),
            _c("偏差原因", "deviation_reason", kind="prose"),
            _c("改进措施", "measures", kind="prose"),
        ),
        "（选填）绩效目标及完成情况。",
    ),
    SheetSpec(
        "文字说明",
        "texts",
        True,
        (
            _c("章节", "section", kind="enum", enum=TEXT_SECTIONS, needs_value=True),
            _c("标题", "title", required=False, doc="覆盖该小节的默认标题"),
            _c("内容", "content", kind="prose", doc="只改小节标题时可以为空"),
        ),
        "分析人员撰写的文字，按行序保留。",
    ),
    SheetSpec(
        "声明数",
        "stated",
        False,
        (
            _c(
                "指标",
                "indicator",
                needs_value=True,
                doc="年度指标（"
                + "、".join(STATED_YEARLY_KEYS)
                + "）或「类别·度量」，度量为"
                + "、".join(STATED_CATEGORY_MEASURES),
            ),
            _c("数值", "value", kind="number", needs_value=True),
            _c("单位", "unit", required=False),
            _c("说明", "note", required=False, kind="prose"),
        ),
        "（选填）原始资料中写明、本程序会重新计算以便核对的数字。",
    ),
)

SHEETS_BY_NAME = {s.name: s for s in SHEETS}
SHEETS_BY_TABLE = {s.table: s for s in SHEETS}
