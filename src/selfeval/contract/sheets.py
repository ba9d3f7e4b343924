"""The yearly input contract: raw sheets, their headers and kinds, and the vocabularies.

`docs/data-contract.md` is generated in part from here (see `selfeval.contract.doc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selfeval.contract.frames import frame_settings
from selfeval.packs import pack_names

CONTRACT_VERSION = "2.0"

BUDGET_TYPES = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
#: The 预算类型 whose spending is 财政拨款 (决算's 财政拨款支出); 社会保险基金预算 is not.
FISCAL_BUDGET_TYPES = BUDGET_TYPES[:3]
SPENDING_CATEGORIES = ("基本支出", "项目支出")
BASIC_ITEMS = ("人员支出", "公用支出")
#: The economic classes that 决算 use for 基本支出, and which of the two groups each belongs to.
ECONOMIC_CLASSES = {
    "工资福利支出": "人员支出",
    "对个人和家庭的补助": "人员支出",
    "商品和服务支出": "公用支出",
    "资本性支出": "公用支出",
}
#: A 基本支出 item outside these may be written 其他… (其他支出, 其他资本性支出): it counts as 公用.
OTHER_PREFIX = "其他"
TOTAL_ITEM = "合计"
SANGONG_ITEMS = (
    "因公出国（境）费",
    "公务接待费",
    "公务用车购置及运行费",
    "公务用车购置费",
    "公务用车运行费",
)
INCOME_TOTAL = "收入合计"
#: 收入 items of 决算 reports: parts of 收入合计, the two parts of 财政拨款收入, and 上年结转结余
#: (stated beside 收入合计, not part of it). Other names are kept as given, as parts.
FISCAL_INCOME = "财政拨款收入"
FISCAL_PARTS = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入")
CARRIED_OVER = "上年结转结余"
#: The sources of 收入合计 a 决算 lists, 其他收入 the catch-all: when the 收入 sheet gives each of
#: them a 本年数 (0 included) and every other line one too, its lines are all the parts of
#: 收入合计, which is then their sum. Fewer lines are some of the parts: no total, no shares.
INCOME_SOURCES = (FISCAL_INCOME, "事业收入", "经营收入", "其他收入")
INCOME_ITEMS = (
    INCOME_TOTAL,
    FISCAL_INCOME,
    *FISCAL_PARTS,
    "事业收入",
    "经营收入",
    "其他收入",
    CARRIED_OVER,
)
PERIODS = ("上午", "下午", "晚上", "全天")
QUALIFIERS = ("", "约", "近", "余", "多", "上")
DIRECTIONS = ("≥", "≤", "=", "定性")
#: 资金来源 of a 支出 row, as 四川's 自评表 lists the funds (总额, then these).
FUND_SOURCES = ("财政资金", "财政专户管理资金", "单位资金", "其他资金")
#: A yes/no column (是否核心指标, 不适用): blank is not given (否 where it matters).
YES_NO = ("是", "否")
#: 财预〔2020〕10号 第十六条's three qualitative labels, with the short forms still accepted.
ASSESSMENTS = ("达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差")
ASSESSMENT_SHORT = {"达成": ASSESSMENTS[0], "部分达成": ASSESSMENTS[1], "未达成": ASSESSMENTS[2]}
#: Fixed keys of 文字说明; any other 章节 is a subsection title of 六 in sheet order.
TEXT_SECTIONS = (
    "概况补充",
    "总体目标",
    "总体完成情况",
    "活动",
    "服务评价",
    "数字服务",
    "馆藏建设",
    "基层服务",
    "存在问题",
    "改进措施",
    "结果应用",
    "其他说明",
)
AMOUNT_UNIT_CHOICES = ("万元", "元")


#: The 「报告格式」 values the frame files declare (their `setting`), the default frame's first: a
#: new frame file is a new accepted value, with no change here. A frames folder that cannot be
#: used is a FrameError here, at import, naming the file (selfeval.contract.frames).
REPORT_FRAMES = tuple(frame_settings())
RATE_BASES = ("全年预算数", "调整后预算数", "实际到位资金")
#: The 「自评表格式」 values: the rule packs' names (selfeval/packs/*.toml), 全国 first; a new pack
#: file is a new accepted value, with no change here.
SELF_EVAL_FORMS = tuple(pack_names())
UNIT_REQUIRED_ITEMS = ("单位名称",)
#: Known 单位概况 items and their kinds; any other item is kept as given, with a note.
UNIT_ITEM_KINDS = {
    "主管部门": "text",
    "单位性质": "text",
    "编制人数": "int",
    "实有人数": "int",
    "编制说明": "text",
    "主要职责": "text",
    "内设机构": "text",
    "成立时间": "text",
    "预算编码": "text",
    "联系人": "text",
    "联系电话": "text",
    "填报日期": "date",
    "金额单位": "enum:" + "|".join(AMOUNT_UNIT_CHOICES),
    "报告格式": "enum:" + "|".join(REPORT_FRAMES),
    "自评表格式": "enum:" + "|".join(SELF_EVAL_FORMS),
    "评价方式": "text",
    "评价机构": "text",
    "制表机关": "text",
    "下属单位": "list",
    # a 主管部门's totals for the department as a whole (本级 + 下属单位), reconciled
    "部门合计预算数": "number",
    "部门合计执行数": "number",
    "预算执行率分值": "number",
    "执行率口径": "enum:" + "|".join(RATE_BASES),
    "等级标准": "text",
}
UNIT_OPTIONAL_ITEMS = tuple(UNIT_ITEM_KINDS)
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
#: The unit's own 自评表 figures for the unit as a whole: its total score (分) and its 预算执行率
#: (percent, 103.21 for 103.21%). The report states them as the unit's; where the program
#: computes the figure too and gets another, the 审核底稿 shows both.
STATED_SCORE_KEY = "自评得分"
STATED_RATE_KEY = "预算执行率"
STATED_YEARLY_KEYS = (*STATED_YEARLY, HOLDINGS_GROWTH_KEY, STATED_SCORE_KEY, STATED_RATE_KEY)
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
AMOUNT_UNITS = {"万元": 0, "元": 4}  # unit -> decimals added when the amount is expressed in 万元


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
    #: Other headers clerks use for the same column (全年预算数 for 预算数).
    aliases: tuple[str, ...] = ()

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


def _c(header, key, required=True, kind="text", enum=(), doc="", needs_value=False, aliases=()):
    return ColumnSpec(header, key, required, kind, tuple(enum), doc, needs_value, tuple(aliases))


def _internal() -> ColumnSpec:
    return _c(
        "内部备注",
        "internal_note",
        required=False,
        kind="prose",
        doc="填表人的内部记录（如转录说明）：保留在清洗结果和审计笔记本中，报告中不显示",
    )


_COUNT_DOC = (
    "人次/册数/份数，可写「约300」「近百」「400余」「4000多」「1,500」；空白表示未知（不是0）"
)

_UNIT_DOC = "".join(
    [
        "必填：单位名称；其余均选填：",
        "、".join(UNIT_OPTIONAL_ITEMS),
        "。编制人数、实有人数为整数；填报日期为日期；金额单位为",
        "或".join(AMOUNT_UNIT_CHOICES),
        "（报告中金额的单位，默认万元）；报告格式为",
        "或".join(REPORT_FRAMES),
        "（默认九段式）；自评表格式为",
        "、".join(SELF_EVAL_FORMS),
        "之一（绩效自评表的表式和评分规则，默认全国，见 docs/packs.md）；",
        "下属单位用「、」分隔（填写后本单位为主管部门，报告另有部门整体情况）；",
        "部门合计预算数、部门合计执行数为本级与下属单位的合计，按金额单位填写，与各单位之和核对；",
        "预算执行率分值默认10，可填0（表式不单列预算执行率分值时）；执行率口径为",
        "、".join(RATE_BASES),
        "之一（默认全年预算数）；等级标准形如「优90 良80 中60」（默认）。",
        "其他项目照填写保留并在概况中列出",
    ]
)
_AMOUNT_DOC = "表头须注明单位（万元）或（元）；空白表示未填报（不是0），没有支出填 0"

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "单位概况",
        "unit",
        True,
        (
            _c("项目", "item", needs_value=True, doc=_UNIT_DOC),
            _c("内容", "value", kind="prose", doc="该项目的内容；空白表示未填报"),
            _internal(),
        ),
        "单位基本情况，两列：项目、内容。只有「单位名称」必填。",
    ),
    SheetSpec(
        "收入",
        "income",
        False,
        (
            _c(
                "项目",
                "item",
                needs_value=True,
                doc="收入合计、" + "、".join(INCOME_ITEMS[1:]) + "，或按原资料写的其他收入项目",
            ),
            _c("本年数", "current", kind="amount", doc=_AMOUNT_DOC),
            _c("上年数", "previous", required=False, kind="amount", doc="（选填）上年同项收入"),
            _c("说明", "note", required=False, kind="prose"),
            _internal(),
        ),
        "（选填）本年收入：收入合计与各来源；各来源之和与收入合计在舍入误差内视为一致"
        "（上年结转结余不计入收入合计；一般公共预算、政府性基金预算财政拨款收入与财政拨款收入核对）。"
        "未填收入合计时，只有" + "、".join(INCOME_SOURCES) + "都填了本年数（没有的填0）、"
        "其他各行也都填了时，才以各行之和为收入合计并计算各来源的占比；只列部分来源时不写合计。",
    ),
    SheetSpec(
        "支出",
        "spending",
        False,
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
                doc="基本支出下为人员支出、公用支出，或经济分类"
                + "、".join(ECONOMIC_CLASSES)
                + "（及以「其他」开头的项目）；项目支出下每行一个项目；"
                "「合计」表示原始资料所列的合计数",
            ),
            _c(
                "年初预算数",
                "original_budget",
                required=False,
                kind="amount",
                doc="（选填）年初批复的预算数",
            ),
            _c(
                "预算数",
                "budget",
                kind="amount",
                required=False,
                aliases=("全年预算数",),
                doc="全年预算数（调整后）；表头也可写「全年预算数」；" + _AMOUNT_DOC,
            ),
            _c("执行数", "actual", kind="amount", required=False, doc=_AMOUNT_DOC),
            _c(
                "上年执行数",
                "previous_actual",
                required=False,
                kind="amount",
                doc="（选填）上年同项执行数，用于同比",
            ),
            _c(
                "资金来源",
                "fund_source",
                required=False,
                kind="enum",
                enum=FUND_SOURCES,
                doc="（选填）该行资金的来源；计入自评表的各行都填写时，自评表按来源列出年初预算数、"
                "调整后预算数和执行数（如四川表式）",
            ),
            _c(
                "所属项目",
                "project",
                required=False,
                doc="（选填）按用途分解某个项目时填写该项目的名称（与该项目行的支出项目相同），"
                "各用途之和与项目行核对",
            ),
            _c(
                "说明",
                "note",
                required=False,
                kind="prose",
                doc="执行率超过150%时必须说明原因",
            ),
            _internal(),
        ),
        "（选填）各预算类型的预算数与执行数，每行至少填写一个金额；"
        "合计行与分项之和在舍入误差内视为一致；只有合计行也可以。",
    ),
    SheetSpec(
        "三公经费",
        "sangong",
        False,
        (
            _c("项目", "item", kind="enum", enum=SANGONG_ITEMS, needs_value=True),
            _c("预算数", "budget", kind="amount", required=False, doc=_AMOUNT_DOC),
            _c("执行数", "actual", kind="amount", doc=_AMOUNT_DOC),
            _internal(),
        ),
        "（选填）“三公”经费。",
    ),
    SheetSpec(
        "活动",
        "activities",
        False,
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
                required=False,
                kind="date",
                doc="{year}-02-18、{year}/2/18、{year}年2月18日或2月18日；须在报告年度内；"
                "全年汇总的活动可以不填，改填「期间」",
            ),
            _c("结束日期", "end_date", required=False, kind="date", doc="不早于开始日期"),
            _c(
                "期间",
                "timeframe",
                required=False,
                doc="（选填）没有具体日期时的时间范围，如 全年、上半年、第三季度",
            ),
            _c("时段", "period", required=False, kind="enum", enum=PERIODS),
            _c("地点", "place", required=False),
            _c("线下参与人次", "offline", required=False, kind="count", doc=_COUNT_DOC),
            _c("线上参与人次", "online", required=False, kind="count", doc=_COUNT_DOC),
            _c("场次", "sessions", required=False, kind="count", doc="空白按1场计"),
            _c("赠书册数", "books", required=False, kind="count", doc=_COUNT_DOC),
            _c(
                "赠书方式",
                "books_verb",
                required=False,
                doc="（选填）原文怎样写赠书，如 免费赠送、捐赠：报告写作「免费赠送图书780册」；"
                "空白写作「赠送图书」",
            ),
            _c("资料份数", "materials", required=False, kind="count", doc=_COUNT_DOC),
            _c(
                "资料名称",
                "materials_name",
                required=False,
                doc="（选填）发放的是什么，按原文写，如 宣传图册资料、法律法规宣传读本：报告写作"
                "「发放宣传图册资料4000多份」；空白写作「资料」",
            ),
            _c("成效", "effect", required=False, kind="prose", doc="活动成效（自由文字）"),
            _c(
                "包含",
                "includes",
                required=False,
                kind="ids",
                doc="汇总行所汇总的活动编号，用「、」「,」或「;」分隔；编号须在本表中存在",
            ),
            _c("说明", "note", required=False, kind="prose", doc="报告中显示的补充说明"),
            _internal(),
        ),
        "（选填）全年开展的活动，一行一次列示；全年汇总的活动（如「全年公益培训20场」）"
        "可以不填日期。",
    ),
    SheetSpec(
        "馆藏",
        "holdings",
        False,
        (
            _c("年度", "year", kind="int", needs_value=True, doc="不晚于报告年度"),
            _c("年末藏量（册）", "holdings", kind="int", needs_value=True),
            _c("本年新增（册）", "added", required=False, kind="int"),
            _c("说明", "note", required=False, kind="prose"),
            _internal(),
        ),
        "（选填）图书馆等单位的馆藏，可包括以前年度。",
    ),
    SheetSpec(
        "数字服务",
        "digital",
        False,
        (
            _c("服务", "service", needs_value=True, doc="如：微信图书馆"),
            _c("指标", "indicator", required=False, doc="如：年推送期数"),
            _c("数值", "value", required=False, kind="number"),
            _c("单位", "unit", required=False),
            _c("说明", "note", required=False, kind="prose"),
            _internal(),
        ),
        "（选填）数字服务。",
    ),
    SheetSpec(
        "满意度",
        "satisfaction",
        False,
        (
            _c("调查", "survey", needs_value=True),
            _c("样本数", "sample", required=False, kind="int"),
            _c("满意数", "satisfied", required=False, kind="int", doc="不大于样本数"),
            _c(
                "满意度（%）",
                "rate",
                required=False,
                kind="percent",
                doc="不大于100；同时填写样本数和满意数时须与之相符（按所填精度）",
            ),
            _internal(),
        ),
        "（选填）满意度调查：填写样本数和满意数，或只填满意度。",
    ),
    SheetSpec(
        "绩效目标",
        "targets",
        False,
        (
            _c(
                "项目",
                "project",
                required=False,
                doc="（选填）指标所属的项目（与支出表的项目名称相同）；空白为单位整体",
            ),
            _c("一级指标", "level1", required=False, doc="如：产出指标；不分级时可不填"),
            _c("二级指标", "level2", required=False, doc="如：数量指标"),
            _c("三级指标", "level3", needs_value=True),
            _c(
                "方向",
                "direction",
                required=False,
                kind="enum",
                enum=DIRECTIONS,
                doc="目标值已写「≥」「≤」时可不填，两者都写时须一致",
            ),
            _c(
                "目标值",
                "target",
                needs_value=True,
                doc="定量指标须含一个数值，可写「≥360天」「≥10万人次」「95%」；目录中有绩效目标"
                "申报表时可不填（以申报表为准）",
            ),
            _c("实际值", "actual", required=False, doc="同目标值；空白表示未填报"),
            _c("单位", "unit", required=False),
            _c(
                "年初指标值",
                "original_target",
                required=False,
                doc="（选填）年初设定的指标值，表式有此列时列示（如重庆）；计分按目标值",
            ),
            _c(
                "调整后指标值",
                "adjusted_target",
                required=False,
                doc="（选填）年中调整后的指标值，表式有此列时列示；自评表格式为重庆时按此值计分，"
                "其他表式计分按目标值（请在目标值中填调整后的值）",
            ),
            _c(
                "是否核心指标",
                "core",
                required=False,
                kind="enum",
                enum=YES_NO,
                doc="（选填）表式有此列时列示（如重庆）",
            ),
            _c(
                "不适用",
                "not_applicable",
                required=False,
                kind="enum",
                enum=YES_NO,
                doc="（选填）填「是」的指标不计分，其余得分按100分折算（自评表格式规定折算时，"
                "见 docs/packs.md；否则照常计分并提示）",
            ),
            _c(
                "分值",
                "weight",
                required=False,
                kind="number",
                doc="空白时该指标只列示、不计分（不计算总分和等级）",
            ),
            _c(
                "评价",
                "assessment",
                required=False,
                kind="enum",
                enum=ASSESSMENTS,
                doc="定性指标必填；也可写 达成、部分达成、未达成",
            ),
            _c(
                "得分",
                "score",
                required=False,
                kind="number",
                doc="定性指标必填；定量指标可填单位自评的得分：报告按所填的写，与按评分规则计算的"
                "不同时审核底稿并列两者",
            ),
            _c("偏差原因", "deviation_reason", required=False, kind="prose"),
            _c("改进措施", "measures", required=False, kind="prose"),
            _internal(),
        ),
        "（选填）绩效目标及完成情况。",
    ),
    SheetSpec(
        "文字说明",
        "texts",
        False,
        (
            _c(
                "章节",
                "section",
                needs_value=True,
                doc="固定章节：" + "、".join(TEXT_SECTIONS) + "；其他写法作为「部门整体支出绩效"
                "情况」下的小节标题，按行序排列",
            ),
            _c("标题", "title", required=False, doc="覆盖该小节的默认标题"),
            _c("内容", "content", required=False, kind="prose", doc="只改小节标题时可以为空"),
            _internal(),
        ),
        "（选填）分析人员撰写的文字，按行序保留。",
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
            _internal(),
        ),
        "（选填）原始资料中写明、本程序会重新计算以便核对的数字。"
        f"「{STATED_SCORE_KEY}」（单位自评的总分，如 98）和「{STATED_RATE_KEY}」"
        "（单位所写的预算执行率，填 103.21、单位 %）是单位自评的数字：报告按单位所填的写，"
        "程序算出的数不同时，报送稿仍写单位的数字，审核底稿并列两者并标 ⚠。",
    ),
)

SHEETS_BY_NAME = {s.name: s for s in SHEETS}
SHEETS_BY_TABLE = {s.table: s for s in SHEETS}
