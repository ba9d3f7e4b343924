"""The report of a year as a `Document`: the frame's sections filled by block builders.

`build_document(results)` formats the stored results once (`selfeval.present.context`) and walks
the frame (`selfeval.present.frames`): for each section it calls the block builder of each
block key in `BLOCKS` and gives the numbered sections their numerals. Every writer (HTML, Word)
then walks the same document, so the formats state the same facts.

A block builder takes the formatted context and the anchor of its section and returns blocks;
it decides wording, never layout. The wording is that of the published reports (and of the
jinja templates these builders replaced), clause by clause.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from selfeval.errors import FrameError
from selfeval.present.context import build_context
from selfeval.present.document import (
    Align,
    Block,
    Cell,
    Column,
    CoverField,
    Document,
    Figure,
    Heading,
    Note,
    Paragraph,
    ParagraphRole,
    Row,
    Run,
    Section,
    Table,
)
from selfeval.present.formats import cn_number, count_text, decimal_text, pct, wan
from selfeval.present.frames import DEFAULT_FRAME, Frame, load_frame
from selfeval.results import YearResults

#: Characters of the title that fit one line at 二号 on the 156 mm text block.
TITLE_LINE_CHARS = 20
#: Width of a chart in the Word file and the PDF (the text block is 156 mm).
FIGURE_WIDTH_MM = 156.0

BlockBuilder = Callable[[dict, str], list[Block]]


def _t(value: Any) -> str:
    """Text of a value as a sentence shows it; nothing for an unknown value."""
    return "" if value is None else str(value)


def _get(item: Any, name: str) -> Any:
    """A field of a figures record, stored as a dataclass or (after JSON) as a dict."""
    return item[name] if isinstance(item, dict) else getattr(item, name)


def _p(text: str, kind: str = "") -> Paragraph:
    return Paragraph.of(text, kind=kind)


def _paragraphs(items: Iterable[str], numbered: bool = False) -> list[Block]:
    """The analyst's paragraphs; numbered 1. 2. … when asked and there are several."""
    items = list(items)
    number = numbered and len(items) > 1
    return [_p(f"{i}. {text}" if number else text) for i, text in enumerate(items, 1)]


def _texts(ctx: dict, key: str) -> list[str]:
    return list(ctx["texts"].get(key, {}).get("paragraphs", []))


def _budget_part(item: Any, budget: str = "预算数", rate: str = "执行率") -> str:
    if item.budget is None:
        return ""
    return f"（{budget}{wan(item.budget)}，{rate}{pct(item.rate)}）"


# --------------------------------------------------------------------------- figures


def _figure(fig: dict) -> Figure:
    """A chart with its data table (first column names the row, the others are numbers)."""
    columns = (Column(width=2.0), *(Column.numeric() for _ in fig["headers"][1:]))
    data = Table(
        caption="",
        columns=columns,
        header=(Row.of(*fig["headers"]),),
        body=tuple(Row.of(*row) for row in fig["rows"]),
        numbered=False,
        kind="chart-data",
        row_headers=True,
    )
    return Figure(
        png=fig["png"],
        caption=f"{fig['title']}。数据来源：{fig['source']}。",
        alt=f"{fig['title']}：{fig['alt']}",
        width_mm=FIGURE_WIDTH_MM,
        data=data,
        anchor=f"fig-{fig['key']}",
    )


# --------------------------------------------------------------------------- 一 至 五


def unit_overview(ctx: dict, anchor: str) -> list[Block]:
    """一、部门（单位）概况: nature, department, staffing, duties, the analyst's additions."""
    unit = ctx["unit"]
    nature, dept = unit.get("单位性质", ""), unit.get("主管部门", "")
    text = ctx["unit_name"]
    if nature:
        text += f"为{nature}"
    if dept:
        text += ("，" if nature else "的") + f"主管部门为{dept}"
    text += "。"
    staffing = unit.get("编制说明")
    if staffing:
        text += staffing + ("" if staffing.endswith("。") else "。")
    elif unit.get("编制人数"):
        text += f"编制人数{unit['编制人数']}名。"
    blocks: list[Block] = [_p(text)]
    if unit.get("主要职责"):
        blocks.append(_p(f"主要职责：{unit['主要职责']}"))
    return blocks + _paragraphs(_texts(ctx, "概况补充"))


def _general_summary(ctx: dict, general: Any) -> str:
    shares = ctx["spending"]["shares"]
    total = general.total
    text = f"{ctx['year']}年一般公共预算支出{wan(total.actual)}"
    if total.budget is not None:
        text += f"，预算数{wan(total.budget)}，预算执行率{pct(total.rate)}"
    cats = general.categories
    if not cats:
        return text + "。"
    parts = []
    for name, line in cats.items():
        part = f"{name}{wan(line.actual)}"
        if shares.get(name) is not None:
            part += f"，占{pct(shares[name])}"
        parts.append(part)
    return text + "，其中：" + "；".join(parts) + "。"


def _basic(ctx: dict, general: Any) -> list[Block]:
    basic = general.categories.get("基本支出")
    if basic is None:
        return [_p("本年度无基本支出。")]
    shares = ctx["spending"]["shares"]
    items = general.items.get("基本支出", [])
    text = f"{ctx['year']}年财政拨款基本支出{wan(basic.actual)}{_budget_part(basic)}"
    if items:
        parts = []
        for a in items:
            part = f"{a.label}{wan(a.actual)}{_budget_part(a)}"
            if shares.get(a.label) is not None:
                part += f"，占一般公共预算支出的{pct(shares[a.label])}"
            parts.append(part)
        text += "，其中：" + "，".join(parts)
    text += "。"
    if (
        basic.stated
        and basic.parts_sum is not None
        and decimal_text(basic.parts_sum) != decimal_text(basic.actual)
    ):
        text += (
            f"分项之和为{wan(basic.parts_sum)}，与所列合计数相差{wan(basic.parts_difference)}，"
            "属舍入差异，报告采用所列合计数。"
        )
    blocks: list[Block] = [_p(text)]
    if ctx["sangong"]:
        parts = [
            f"{a.label}{wan(a.actual)}" + ("" if a.budget is None else f"，预算{wan(a.budget)}")
            for a in ctx["sangong"]
        ]
        blocks.append(_p(f"“三公”经费支出{wan(ctx['sangong_total'])}（{'，'.join(parts)}）。"))
    return blocks


def _project(ctx: dict, general: Any) -> list[Block]:
    project = general.categories.get("项目支出")
    if project is None:
        return [_p("本年度无项目支出。")]
    items = general.items.get("项目支出", [])
    text = f"{ctx['year']}年项目支出{wan(project.actual)}{_budget_part(project)}"
    if items:
        text += "，其中：" + "；".join(f"{a.label}{wan(a.actual)}{_budget_part(a)}" for a in items)
    return [_p(text + "。")]


def _spending_table(ctx: dict, general: Any) -> Table:
    budget = ctx["spending"]["any_budget"]

    def cells(first: Cell | tuple[Cell, ...], line: Any, share: str) -> tuple[Cell, ...]:
        lead = first if isinstance(first, tuple) else (first,)
        numbers = [decimal_text(line.budget)] if budget else []
        numbers.append(decimal_text(line.actual))
        if budget:
            numbers.append(pct(line.rate) if line.rate is not None else "")
        numbers.append(share)
        return (*lead, *(Cell(n) for n in numbers), Cell(_t(line.note)))

    def share(value: float | None) -> str:
        return pct(value) if value is not None else ""

    body: list[Row] = []
    for name, line in general.categories.items():
        for a in general.items.get(name, []):
            body.append(Row(cells((Cell(name), Cell(a.label)), a, share(a.share))))
        subtotal = cells((Cell(name), Cell("小计")), line, share(line.share))
        body.append(Row(subtotal, kind="subtotal"))
    total = general.total
    body.append(
        Row(cells(Cell("合计", colspan=2), total, pct(100) if total.actual else ""), total=True)
    )
    headers = ["支出类别", "支出项目", *(["预算数"] if budget else []), "执行数"]
    headers += [*(["执行率"] if budget else []), "占比", "说明"]
    numeric = len(headers) - 3
    return Table(
        caption="一般公共预算支出明细（单位：万元）",
        columns=(
            Column(width=1.6),
            Column(width=1.6),
            *(Column.numeric() for _ in range(numeric)),
            Column(width=2.2),
        ),
        header=(Row.of(*headers),),
        body=tuple(body),
        kind="spending",
    )


def general_spending(ctx: dict, anchor: str) -> list[Block]:
    """二、一般公共预算支出情况: totals, 基本支出 and 项目支出, the detail table, charts."""
    general = ctx["spending"]["general"]
    if general is None:
        return [_p("无。")]
    blocks: list[Block] = [_p(_general_summary(ctx, general))]
    if not ctx["spending"]["any_budget"]:
        blocks.append(Note("本年度支出数据未填报预算数，未计算预算执行率。"))
    blocks.append(Heading(2, "（一）基本支出情况"))
    blocks += _basic(ctx, general)
    blocks.append(Heading(2, "（二）项目支出情况"))
    blocks += _project(ctx, general)
    blocks.append(_spending_table(ctx, general))
    blocks += [_figure(fig) for fig in ctx["spending_figures"]]
    return blocks


def _other_budget(budget_type: str) -> BlockBuilder:
    def block(ctx: dict, anchor: str) -> list[Block]:
        spend = ctx["spending"]["types"].get(budget_type)
        if spend is None:
            return [_p("无。")]
        total = spend.total
        text = f"{ctx['year']}年{budget_type}支出{wan(total.actual)}"
        if total.budget is not None:
            text += f"，预算数{wan(total.budget)}，执行率{pct(total.rate)}"
        text += "。" + ("" if total.actual else "无。")
        blocks: list[Block] = [_p(text)]
        for name, items in spend.items.items():
            blocks += [_p(f"{name}{a.label}{wan(a.actual)}{_budget_part(a)}。") for a in items]
        if total.note:
            blocks.append(Note(f"说明：{total.note}"))
        return blocks

    block.__doc__ = f"{budget_type}支出: total, each item, the note."
    return block


# --------------------------------------------------------------------------- 六


def _totals_line(totals: Any) -> str:
    text = f"全年开展活动{totals.events}项、{count_text(totals.sessions, '场次')}"
    if totals.offline.known_parts:
        text += f"，线下参与{count_text(totals.offline, '人次')}"
    if totals.online.known_parts:
        text += f"、线上参与{count_text(totals.online, '人次')}"
    if totals.books.known_parts:
        text += f"，赠书{count_text(totals.books, '册')}"
    if totals.materials.known_parts:
        text += f"，发放资料{count_text(totals.materials, '份')}"
    return text + "。"


def _category_summary(cs: dict) -> str:
    text = f"本类列入活动{cs['listings']}次、{cs['sessions']}场次"
    for key, label in (("offline", "线下参与"), ("online", "线上参与")):
        if cs[key]:
            text += f"，{label}{cs[key]}"
    if cs["books"]:
        text += f"，赠书{cs['books']}"
    if cs["materials"]:
        text += f"，发放资料{cs['materials']}"
    return text + "。"


def _event(number: int, e: dict) -> Paragraph:
    text = f"（{number}）{e['date']}{_t(e['period'])}"
    if e["place"]:
        text += f"在{e['place']}"
    text += f"开展“{e['name']}”"
    if e["sessions"]:
        text += f"，共{e['sessions']}"
    for key, label in (
        ("offline", "线下参与"),
        ("online", "线上参与"),
        ("books", "赠送图书"),
        ("materials", "发放资料"),
    ):
        if e[key]:
            text += f"，{label}{e[key]}"
    effect = _t(e["effect"])
    text += "。" + effect
    if effect and not effect.endswith(("。", "！")):
        text += "。"
    notes = []
    if e["members"]:
        notes.append(f"（本条为汇总，包含：{'、'.join(e['members'])}。）")
    if e["also_in"]:
        notes.append(f"（该活动同时列入“{'”“'.join(e['also_in'])}”，年度合计只计一次。）")
    if e["note"]:
        notes.append(f"（说明：{e['note']}）")
    return Paragraph((Run(text), *(Run(n) for n in notes)), kind="event")


def _activities(ctx: dict) -> list[Block]:
    blocks = _paragraphs(_texts(ctx, "活动"))
    if ctx["totals"] is not None:
        blocks.append(_p(_totals_line(ctx["totals"]), kind="totals"))
        blocks.append(
            Note(
                "合计口径：同一活动列入多个类别的只计一次；汇总条目与其所含活动按两者中较大者计；"
                "未填场次的活动按1场计。"
            )
        )
    for i, group in enumerate(ctx["categories"], 1):
        blocks.append(Heading(3, f"{i}. {group['category']}"))
        blocks.append(_p(_category_summary(group["summary"]), kind="category-summary"))
        blocks += [_event(n, e) for n, e in enumerate(group["listings"], 1)]
    return blocks + [_figure(fig) for fig in ctx["activity_figures"]]


def _satisfaction(ctx: dict) -> list[Block]:
    blocks = _paragraphs(_texts(ctx, "服务评价"), numbered=True)
    for sv in ctx["satisfaction"]:
        survey, rate = _get(sv, "survey"), _get(sv, "rate")
        if rate is None:
            continue
        text = f"经调查，{survey}" + ("" if survey.endswith("满意度") else "满意度")
        text += f"为{pct(rate, _get(sv, 'decimals'))}"
        sample, satisfied = _get(sv, "sample"), _get(sv, "satisfied")
        if sample is not None and satisfied is not None:
            text += f"（调查样本{sample}份，满意{satisfied}份）"
        blocks.append(_p(text + "。"))
    return blocks


def _digital_row(r: Any) -> str:
    note, indicator, value = _t(_get(r, "note")), _t(_get(r, "indicator")), _get(r, "value")
    if value is not None:
        number = decimal_text(value, 0) if value == int(value) else decimal_text(value)
        inner = indicator + ("：" if indicator else "") + number + _t(_get(r, "unit"))
    elif indicator:
        inner = indicator
    else:
        return note
    return f"{note}（{inner}）" if note else inner


def _digital(ctx: dict) -> list[Block]:
    blocks = _paragraphs(_texts(ctx, "数字服务"))
    for i, d in enumerate(ctx["digital"], 1):
        rows = "；".join(_digital_row(r) for r in _get(d, "rows"))
        blocks.append(_p(f"{i}. {_get(d, 'service')}：{rows}。"))
    return blocks


def _holdings(ctx: dict) -> list[Block]:
    blocks = _paragraphs(_texts(ctx, "馆藏建设"), numbered=True)
    h = ctx["holdings"]
    if h is not None:
        text = f"截至{h.year}年末，馆藏图书{h.holdings}册"
        if h.notes.get(h.year):
            text += f"（{h.notes[h.year]}）"
        if h.added is not None:
            text += f"，本年新增{h.added}册"
        if h.first_year is not None:
            text += f"；{h.first_year}年末为{h.first_holdings}册"
            if h.notes.get(h.first_year):
                text += f"（{h.notes[h.first_year]}）"
            text += (
                f"，{h.first_year}—{h.year}年共增加{h.increase}册，"
                f"年均增加{decimal_text(h.average_increase)}册"
            )
            if h.compound_growth is not None:
                text += f"，年均复合增长率{pct(h.compound_growth)}"
        blocks.append(_p(text + "。"))
    return blocks + [_figure(fig) for fig in ctx["holdings_figures"]]


def _yoy(ctx: dict) -> list[Block]:
    previous, year = ctx["previous_year"], ctx["year"]
    rows = []
    for r in ctx["yoy"]:
        unit, change, change_pct = _get(r, "unit"), _get(r, "change"), _get(r, "change_pct")
        d = 2 if unit == "万元" else 0
        signed = ("+" if change > 0 else "") + decimal_text(change, d)
        rate = "—" if change_pct is None else ("+" if change_pct > 0 else "") + pct(change_pct)
        rows.append(
            Row.of(
                f"{_get(r, 'label')}（{unit}）",
                decimal_text(_get(r, "previous"), d),
                decimal_text(_get(r, "current"), d),
                signed,
                rate,
            )
        )
    table = Table(
        caption="主要指标与上年对比",
        columns=(Column(width=2.5), *(Column.numeric() for _ in range(4))),
        header=(Row.of("指标", f"{previous}年", f"{year}年", "增减", "增减率"),),
        body=tuple(rows),
        kind="yoy",
        row_headers=True,
    )
    return [_p(f"与{previous}年相比，主要指标变化如下（同一单位的上年数据）。"), table]


_SUBSECTIONS: dict[str, Callable[[dict], list[Block]]] = {
    "活动": _activities,
    "服务评价": _satisfaction,
    "数字服务": _digital,
    "馆藏建设": _holdings,
    "基层服务": lambda ctx: _paragraphs(_texts(ctx, "基层服务"), numbered=True),
    "同比": _yoy,
}


def performance(ctx: dict, anchor: str) -> list[Block]:
    """六、部门整体支出绩效情况: one subsection per kind of data the year has."""
    if not ctx["subsections"]:
        return [_p("无。")]
    blocks: list[Block] = []
    for i, sub in enumerate(ctx["subsections"], 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{sub['title']}", anchor=f"{anchor}-{i}"))
        blocks += _SUBSECTIONS[sub["key"]](ctx)
    return blocks


# --------------------------------------------------------------------------- 附表 绩效自评表


def _funds_table(v: dict) -> Table:
    funds = v["funds"]
    if funds["budget_missing"]:
        notes = (Note("支出数据未提供预算数，预算执行率无法计算，该项不计分。"),)
    elif funds["reason"]:
        notes = (Note(f"偏差原因分析及改进措施：{funds['reason']}"),)
    else:
        notes = ()
    return Table(
        caption="年度资金总额（单位：万元）",
        columns=(Column(width=2.0), *(Column.numeric() for _ in range(5))),
        header=(Row.of("项目", "全年预算数", "全年执行数", "执行率", "分值", "得分"),),
        body=(
            Row(
                tuple(
                    Cell(t)
                    for t in (
                        "年度资金总额",
                        funds["budget"],
                        funds["actual"],
                        funds["rate"],
                        funds["weight"],
                        funds["score"],
                    )
                ),
                kind="budget-missing" if funds["budget_missing"] else "",
            ),
        ),
        notes=notes,
        kind="scoring-funds",
        row_headers=True,
    )


def _indicator_row(r: dict) -> Row:
    cells = []
    if r["level1_span"]:
        cells.append(Cell(r["level1"], rowspan=r["level1_span"]))
    if r["level2_span"]:
        cells.append(Cell(r["level2"], rowspan=r["level2_span"]))
    reason = ("（未填写偏差原因）" if r["missing_reason"] else "") + r["reason"]
    cells += [Cell(r["level3"]), Cell(r["target"]), Cell(r["actual"])]
    cells += [Cell(r["weight"]), Cell(r["score"]), Cell(reason)]
    flags = (("not-met", not r["met"]), ("over-achieved", r["over_achieved"]))
    kind = " ".join(k for k, on in flags if on)
    return Row(tuple(cells), kind=kind)


def scoring_table(ctx: dict, anchor: str) -> list[Block]:
    """附表：部门整体支出绩效自评表 (when the year has 绩效目标): funds, indicators, rules."""
    v = ctx["scoring_view"]
    if v is None:
        return []
    blocks: list[Block] = []
    if v["warnings"]:
        blocks.append(
            Paragraph((Run("提示：", bold=True), Run("以下事项需补充说明。")), kind="warnings")
        )
        blocks += [Paragraph.of(w, ParagraphRole.NOINDENT, kind="warning") for w in v["warnings"]]
    blocks.append(_funds_table(v))
    total = Row(
        (
            Cell("总分（含预算执行率）", colspan=5),
            Cell(v["weight_total"]),
            Cell(v["total"]),
            Cell(f"自评等级：{v['grade']}"),
        ),
        total=True,
    )
    blocks.append(
        Table(
            caption="年度绩效指标",
            columns=(
                Column(width=1.0),
                Column(width=1.0),
                Column(width=2.0),
                Column(width=1.4),
                Column(width=1.4),
                Column.numeric(0.7),
                Column.numeric(0.7),
                Column(width=3.0),
            ),
            header=(
                Row.of(
                    "一级指标",
                    "二级指标",
                    "三级指标",
                    "年度指标值",
                    "实际完成值",
                    "分值",
                    "得分",
                    "偏差原因分析及改进措施",
                ),
            ),
            body=(*(_indicator_row(r) for r in v["rows"]), total),
            kind="scoring-indicators",
            wide=True,
        )
    )
    blocks.append(
        Note(
            "评分规则：预算执行率10分，产出指标50分，效益指标30分，满意度指标10分；定量指标完成即得"
            "满分，未完成按完成比例计分；定性指标“达成”得分在分值的80%（不含）至100%，“部分达成”在"
            "50%（不含）至80%，“未达成”在0至50%。总分为各项未经四舍五入的得分之和，只在最后保留两位"
            "小数。等级：优（≥90分）、良（80–90分）、中（60–80分）、差（<60分）。"
        )
    )
    return blocks


# --------------------------------------------------------------------------- 七 八 九


def _closing(ctx: dict, key: str) -> list[Block]:
    text_key = {"problems": "存在问题", "measures": "改进措施", "other": "其他说明"}[key]
    paras = _texts(ctx, text_key)
    deviations = ctx["deviations"]
    if key == "problems":
        auto = [
            _p(
                f"{i}. {d.problem}" + (f"原因：{d.cause}" if d.cause else "（未填写偏差原因）"),
                kind="deviation",
            )
            for i, d in enumerate(deviations, 1)
        ]
    elif key == "measures":
        auto = [
            _p(f"{i}. {d.measure}", kind="deviation")
            for i, d in enumerate([d for d in deviations if d.measure], 1)
        ]
    else:
        auto = []
    blocks: list[Block] = list(auto)
    if paras:
        number = len(paras) > 1 or bool(auto)
        blocks += [_p(f"{i + len(auto)}. {p}" if number else p) for i, p in enumerate(paras, 1)]
    elif not auto:
        if key == "problems" and ctx["scoring"] is not None:
            blocks.append(_p(f"{ctx['year']}年我单位无预算支出执行偏离绩效目标的情况。"))
        else:
            blocks.append(_p("无。"))
    return blocks


def problems(ctx: dict, anchor: str) -> list[Block]:
    """七、存在的问题及原因分析: the 自评表's deviations first, then the analyst's prose."""
    return _closing(ctx, "problems")


def measures(ctx: dict, anchor: str) -> list[Block]:
    """八、下一步改进措施: the deviations' measures first, then the analyst's prose."""
    return _closing(ctx, "measures")


def other(ctx: dict, anchor: str) -> list[Block]:
    """九、其他需要说明的情况: the analyst's prose, or 无。"""
    return _closing(ctx, "other")


# --------------------------------------------------------------------------- 附录


def reconciliation(ctx: dict, anchor: str) -> list[Block]:
    """附录：数据核对: how many checks, how many flagged, and the table of every check."""
    checks = ctx["reconciliation"].to_dict("records")
    warned = [c for c in checks if c["结果"] == "⚠"]
    if not checks:
        summary = "本年度数据中没有可核对的合计数或声明数。"
    elif warned:
        summary = (
            f"共核对{len(checks)}项，其中{len(warned)}项标记为“⚠”（来源数字与明细计算结果不一致，"
            "或无法核对），报告正文按说明中的口径采用数字。"
        )
    else:
        summary = f"共核对{len(checks)}项，均一致（“✓”；差异在舍入范围内者列示差异）。"
    blocks: list[Block] = [_p(summary, kind="reconciliation-summary")]
    if not checks:
        return blocks
    rows = tuple(
        Row(
            (
                Cell(_t(c["检查项"])),
                Cell(c["结果"], align=Align.CENTER),
                *(Cell(_t(c[k])) for k in ("来源数", "计算数", "差异")),
                Cell(_t(c["说明"])),
            ),
            kind="check-warn" if c["结果"] == "⚠" else "check-ok",
        )
        for c in checks
    )
    blocks.append(
        Table(
            caption="数据核对结果",
            columns=(
                Column(width=2.4),
                Column(Align.CENTER, 0.5),
                *(Column.numeric() for _ in range(3)),
                Column(width=3.0),
            ),
            header=(Row.of("检查项", "结果", "来源数", "计算数", "差异", "说明"),),
            body=rows,
            notes=(
                Note(
                    "注：差异 = 来源数 − 计算数；金额单位为万元。同一活动列于多个类别、"
                    "汇总条目与其所含活动，在年度合计中均只计一次。"
                ),
            ),
            kind="reconciliation",
        )
    )
    return blocks


def colophon(ctx: dict, anchor: str) -> list[Block]:
    """Where the report comes from (last line of the document)."""
    return [Note(f"本报告由 selfeval 根据{ctx['source']}自动生成；文中数字均由处理后的数据计算。")]


#: Block key (as frames name them) → builder.
BLOCKS: dict[str, BlockBuilder] = {
    "unit_overview": unit_overview,
    "general_spending": general_spending,
    "fund_spending": _other_budget("政府性基金预算"),
    "capital_spending": _other_budget("国有资本经营预算"),
    "social_spending": _other_budget("社会保险基金预算"),
    "performance": performance,
    "scoring_table": scoring_table,
    "problems": problems,
    "measures": measures,
    "other": other,
    "reconciliation": reconciliation,
    "colophon": colophon,
}

#: Cover field (as frames name them) → its text from the context.
COVER_FIELDS: dict[str, Callable[[dict], str]] = {
    "unit_name": lambda ctx: ctx["unit_name"],
    "year": lambda ctx: f"{ctx['year']}年",
    "data_date": lambda ctx: ctx["data_date"] or "未填报",
}


# --------------------------------------------------------------------------- the document


def _title(frame: Frame, ctx: dict) -> str:
    """The frame's title; its line break kept only where the title is longer than a line."""
    title = frame.title.format(unit=ctx["unit_name"], year=ctx["year"])
    if len(title.replace("\n", "")) <= TITLE_LINE_CHARS:
        return title.replace("\n", "")
    return title


def _document_date(ctx: dict) -> dt.date:
    """The date every timestamp of a written file carries: the data's date, else 31 December."""
    stamp = ctx.get("data_day")
    if stamp is not None:
        return pd.Timestamp(stamp).date()
    return dt.date(ctx["year"], 12, 31)


def check_frame(frame: Frame) -> None:
    """Raise FrameError when the frame names a block or cover field no builder makes."""
    unknown = [b for s in frame.sections for b in s.blocks if b not in BLOCKS]
    unknown += [c.field for c in frame.cover if c.field not in COVER_FIELDS]
    if unknown:
        raise FrameError(
            f"报告框架 {frame.key} 使用了未知的块或封面字段：{'、'.join(unknown)}"
            f"（可用的块：{'、'.join(BLOCKS)}） / unknown blocks or cover fields"
        )


def document_from_context(ctx: dict, frame: Frame) -> Document:
    """The report of `frame` filled from a formatted context (`build_context`)."""
    check_frame(frame)
    sections = []
    number = 0
    for fs in frame.sections:
        if fs.numbered:
            number += 1
            title, anchor = f"{cn_number(number)}、{fs.title}", fs.anchor or f"s{number}"
        else:
            title, anchor = fs.title, fs.anchor or fs.key
        blocks = [b for key in fs.blocks for b in BLOCKS[key](ctx, anchor)]
        if fs.optional and not blocks:
            if fs.numbered:
                number -= 1
            continue
        sections.append(Section(title, anchor, tuple(blocks), fs.landscape, fs.key))
    return Document(
        title=_title(frame, ctx),
        sections=tuple(sections),
        date=_document_date(ctx),
        cover=tuple(CoverField(c.label, COVER_FIELDS[c.field](ctx)) for c in frame.cover),
        author=ctx["unit_name"],
        subject=frame.name,
        keywords=(f"{ctx['year']}年度", "整体支出绩效自评"),
        toc=frame.toc,
    )


def build_document(results: YearResults, frame: str = DEFAULT_FRAME) -> Document:
    """The report of one year, from its stored results, in the frame `frame`."""
    return document_from_context(build_context(results), load_frame(frame))
