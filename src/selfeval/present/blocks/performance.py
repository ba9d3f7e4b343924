"""六、部门整体支出绩效情况: one subsection per kind of data the year has (activities, service
evaluation, digital services, holdings, grassroots services), the unit's own subsections in
sheet order, then the comparison with the previous year."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selfeval.present.blocks.common import (
    figure,
    get,
    not_given,
    number,
    p,
    paragraphs,
    t,
    texts,
)
from selfeval.present.document import Block, Column, Heading, Note, Paragraph, Row, Run, Table
from selfeval.present.formats import (
    NOT_GIVEN,
    cn_number,
    count_text,
    decimal_text,
    pct,
    whole,
)
from selfeval.rules import plain_str


def _measure(total: Any, unit: str) -> str:
    """A yearly total with its qualifier (how many activities do not state it: the 底稿's)."""
    return count_text(total, unit)


def _totals_basis(totals: Any) -> list[Block]:
    """For the 审核底稿: which totals leave out activities that do not state the figure."""
    parts = [
        f"{label}的合计不含未填报该数的{total.unknown_parts}项活动"
        for label, total in (
            ("线下参与人次", totals.offline),
            ("线上参与人次", totals.online),
            ("赠书册数", totals.books),
            ("发放资料份数", totals.materials),
        )
        if total.known_parts and total.unknown_parts
    ]
    return [Note("；".join(parts) + "。", review=True)] if parts else []


def _totals_line(totals: Any) -> str:
    text = f"全年开展活动{totals.events}项、{count_text(totals.sessions, '场次')}"
    if totals.offline.known_parts:
        text += f"，线下参与{_measure(totals.offline, '人次')}"
    if totals.online.known_parts:
        text += f"、线上参与{_measure(totals.online, '人次')}"
    if totals.books.known_parts:
        text += f"，赠书{_measure(totals.books, '册')}"
    if totals.materials.known_parts:
        text += f"，发放资料{_measure(totals.materials, '份')}"
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


def _event(number_: int, e: dict) -> list[Block]:
    when = e["date"] or e["timeframe"]
    text = f"（{number_}）{when}{t(e['period'])}"
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
    effect = t(e["effect"])
    text += "。" + effect
    if effect and not effect.endswith(("。", "！")):
        text += "。"
    stated = [f"（说明：{e['note']}）"] if e["note"] else []
    # How the listing was counted is the reviewer's, not the unit's text.
    working = []
    if not when and not e["members"]:
        working.append(f"日期{NOT_GIVEN}。")
    if e["members"]:
        working.append(f"本条为汇总，包含：{'、'.join(e['members'])}。")
    if e["also_in"]:
        working.append(f"该活动同时列入“{'”“'.join(e['also_in'])}”，年度合计只计一次。")
    if e["source"]:
        working.append(f"来源：{e['source']}。")
    paragraph = Paragraph((Run(text), *(Run(n) for n in stated)), kind="event")
    return [paragraph] + ([Note("".join(working), review=True)] if working else [])


def _activities(ctx: dict, sub: dict) -> list[Block]:
    blocks = paragraphs(texts(ctx, "活动"))
    if ctx["totals"] is not None:
        blocks.append(p(_totals_line(ctx["totals"]), kind="totals"))
        blocks += _totals_basis(ctx["totals"])
        blocks.append(
            Note(
                "合计口径：同一活动列入多个类别的只计一次；汇总条目与其所含活动按两者中较大者计；"
                "未填场次的活动按1场计；未填人次、册数、份数的活动不计入相应合计。",
                review=True,
            )
        )
        if ctx["undated"]:
            blocks.append(
                Note(
                    f"另有{ctx['undated']}项活动未填具体日期（按期间列示），不计入各月统计。",
                    review=True,
                )
            )
    for i, group in enumerate(ctx["categories"], 1):
        blocks.append(Heading(3, f"{i}. {group['category']}"))
        blocks.append(p(_category_summary(group["summary"]), kind="category-summary"))
        if group["summary"].get("offline_basis"):
            blocks.append(Note(group["summary"]["offline_basis"], review=True))
        blocks += [b for n, e in enumerate(group["listings"], 1) for b in _event(n, e)]
    return blocks + [figure(fig) for fig in ctx["activity_figures"]]


def _satisfaction(ctx: dict, sub: dict) -> list[Block]:
    blocks = paragraphs(texts(ctx, "服务评价"), numbered=True)
    for sv in ctx["satisfaction"]:
        survey, rate = get(sv, "survey"), get(sv, "rate")
        name = survey + ("" if survey.endswith("满意度") else "满意度")
        if rate is None:
            blocks.append(not_given(f"{name}{NOT_GIVEN}。"))
            continue
        text = f"经调查，{name}为{pct(rate, get(sv, 'decimals'))}"
        sample, satisfied = get(sv, "sample"), get(sv, "satisfied")
        if sample is not None and satisfied is not None:
            text += f"（调查样本{sample}份，满意{satisfied}份）"
        blocks.append(p(text + "。"))
        origin = "单位填报" if get(sv, "rate_stated") else f"= 满意{satisfied} ÷ 样本{sample}"
        source = get(sv, "source")
        blocks.append(
            Note(f"{name}{pct(rate, get(sv, 'decimals'))}：{origin}（{source}）。", review=True)
            if source
            else Note(f"{name}{pct(rate, get(sv, 'decimals'))}：{origin}。", review=True)
        )
    return blocks


def _digital_row(r: Any) -> str:
    note, indicator, value = t(get(r, "note")), t(get(r, "indicator")), get(r, "value")
    if value is not None:
        shown = decimal_text(value, 0) if value == int(value) else decimal_text(value)
        inner = indicator + ("：" if indicator else "") + shown + t(get(r, "unit"))
    elif indicator:
        inner = f"{indicator}：{NOT_GIVEN}"
    else:
        return note
    return f"{note}（{inner}）" if note else inner


def _digital(ctx: dict, sub: dict) -> list[Block]:
    blocks = paragraphs(texts(ctx, "数字服务"))
    for i, d in enumerate(ctx["digital"], 1):
        rows = "；".join(_digital_row(r) for r in get(d, "rows"))
        blocks.append(p(f"{i}. {get(d, 'service')}：{rows}。"))
    return blocks


def _holdings(ctx: dict, sub: dict) -> list[Block]:
    blocks = paragraphs(texts(ctx, "馆藏建设"), numbered=True)
    h = ctx["holdings"]
    if h is not None:
        text = f"截至{h.year}年末，馆藏图书{h.holdings}册"
        if h.notes.get(h.year):
            text += f"（{h.notes[h.year]}）"
        if h.added is not None:
            text += f"，本年新增{h.added}册"
        computed = ""
        if h.first_year is not None:
            text += f"；{h.first_year}年末为{h.first_holdings}册"
            if h.notes.get(h.first_year):
                text += f"（{h.notes[h.first_year]}）"
            text += f"，{h.first_year}—{h.year}年共增加{h.increase}册"
            computed = (
                f"按馆藏表计算，{h.first_year}—{h.year}年年均增加"
                f"{whole(h.average_increase)}册"
                + (
                    f"，年均复合增长率{pct(h.compound_growth)}"
                    if h.compound_growth is not None
                    else ""
                )
            )
            if h.stated_average is None:
                text += f"，年均增加{whole(h.average_increase)}册"
        if h.stated_average is not None:  # the unit's own figure, in its own words
            text += f"，平均每年增长{plain_str(h.stated_average)}册"
            if computed:
                computed += f"；单位填报平均每年增长{plain_str(h.stated_average)}册（见数据核对）"
        blocks.append(p(text + "。"))
        if computed:
            blocks.append(Note(computed + "。", review=True))
        rows = [f"{y}年 {src}" for y, src in sorted(h.sources.items()) if src]
        if rows:
            blocks.append(Note("馆藏数据来源：" + "；".join(rows) + "。", review=True))
    return blocks + [figure(fig) for fig in ctx["holdings_figures"]]


def _yoy(ctx: dict, sub: dict) -> list[Block]:
    previous, year = ctx["previous_year"], ctx["year"]
    rows = []
    origins = []
    for r in ctx["yoy"]:
        unit, change, change_pct = get(r, "unit"), get(r, "change"), get(r, "change_pct")
        money = unit == "万元"
        origins.append(
            f"{get(r, 'label')}的上年数"
            + (
                f"取自本年表中填报的上年数（{previous}年数据未生成）"
                if get(r, "source") == "上年数"
                else f"取自{previous}年已生成的报告数据"
            )
        )

        def shown(value: float, money: bool = money) -> str:
            return number(ctx, value) if money else decimal_text(value, 0)

        signed = ("+" if change > 0 else "") + shown(change)
        rate = "—" if change_pct is None else ("+" if change_pct > 0 else "") + pct(change_pct)
        label = f"{get(r, 'label')}（{ctx['amount_unit'] if money else unit}）"
        rows.append(
            Row.of(label, shown(get(r, "previous")), shown(get(r, "current")), signed, rate)
        )
    # where each previous figure comes from is the 审核底稿's; the 报送稿 states the comparison
    notes = (Note("数据来源：" + "；".join(origins) + "；本年数同正文。", review=True),)
    table = Table(
        caption="主要指标与上年对比",
        columns=(Column(width=2.5), *(Column.numeric() for _ in range(4))),
        header=(Row.of("指标", f"{previous}年", f"{year}年", "增减", "增减率"),),
        body=tuple(rows),
        notes=notes,
        kind="yoy",
        row_headers=True,
    )
    return [p(f"与{previous}年相比，主要指标变化如下（同一单位的上年数据）。"), table]


def _custom(ctx: dict, sub: dict) -> list[Block]:
    return paragraphs(texts(ctx, sub["text_key"]))


_SUBSECTIONS: dict[str, Callable[[dict, dict], list[Block]]] = {
    "活动": _activities,
    "服务评价": _satisfaction,
    "数字服务": _digital,
    "馆藏建设": _holdings,
    "基层服务": lambda ctx, sub: paragraphs(texts(ctx, "基层服务"), numbered=True),
    "custom": _custom,
    "同比": _yoy,
}


def performance(ctx: dict, anchor: str) -> list[Block]:
    """六、部门整体支出绩效情况: one subsection per kind of data the year has."""
    if not ctx["subsections"]:
        return [not_given(f"本部分{NOT_GIVEN}。")]
    blocks: list[Block] = []
    for i, sub in enumerate(ctx["subsections"], 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{sub['title']}", anchor=f"{anchor}-{i}"))
        blocks += _SUBSECTIONS[sub["key"]](ctx, sub)
    return blocks
