"""六、部门整体支出绩效情况: one subsection per kind of data the year has (activities, service
evaluation, digital services, holdings, grassroots services), the unit's own subsections in
sheet order, then the comparison with the previous year."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from selfeval.present.blocks.common import (
    clerk_text,
    figure,
    get,
    not_given,
    p,
    paragraphs,
    sentence,
    t,
    texts,
)
from selfeval.present.context import (
    DEFAULT_BOOKS_VERB,
    ActivityCategory,
    ActivityWords,
    ListingView,
    ReportContext,
    Subsection,
)
from selfeval.present.document import Block, Column, Heading, Note, Paragraph, Row, Run, Table
from selfeval.present.formats import (
    NOT_GIVEN,
    cn_number,
    count_text,
    decimal_text,
    pct,
    whole,
    yoy_numbers,
)
from selfeval.present.wording import word_lists
from selfeval.rules import plain_str

#: How a name that is a sentence's predicate begins (「向云街小学捐书」, 「在文化活动中心送图书」).
_PREDICATE_HEADS = ("在", "向", "为", "到", "赴", "于", "给")
#: Nouns a predicate-name may end with whose count then follows it (「捐书500册」).
_MEASURE_NOUNS = {"books": ("书",), "materials": ("资料", "宣传单", "读本")}
#: Words an effect may begin with that leave its sentence without a subject (「为首届…」).
_SUBJECTLESS = ("为", "对", "使", "让")
#: The word lists the rules below act on (result verbs, the vague 送), kept as data.
_WORDS = "prose"
#: The plain verb of a class that only gives books (「全年送图书5次」), when the unit names none
#: (the listings' own default, `DEFAULT_BOOKS_VERB`).
_GIVE = "送"


def quoted(name: str) -> str:
    """A title in quotation marks, quotes inside it single: “文化科技卫生‘三下乡’活动”."""
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def _totals_basis(totals: Any) -> list[Block]:
    """For the 审核底稿: which totals leave out activities that do not state the figure, and
    the sum of the parts where the 报送稿 states an approximate sum to two figures (7200余)."""
    measures = (
        ("线下参与人次", totals.offline, "人次"),
        ("线上参与人次", totals.online, "人次"),
        ("赠书册数", totals.books, "册"),
        ("发放资料份数", totals.materials, "份"),
    )
    parts = [
        f"{label}的合计不含未填报该数的{total.unknown_parts}项活动"
        for label, total, _ in measures
        if total.known_parts and total.unknown_parts
    ]
    parts += [
        f"{label}各项之和为{total.value}{unit}（部分为概数），正文按两位有效数字写作{shown}"
        for label, total, unit in measures
        if total.known_parts and str(total.value) not in (shown := count_text(total, unit))
    ]
    return [Note("；".join(parts) + "。", review=True)] if parts else []


def _totals_line(totals: Any, words: ActivityWords) -> str:
    """The year in one sentence. 场次 add up (the contract counts a blank as one); distinct
    activities do not (sessions of one programme are not separate events), so no 「N项」."""
    text = f"全年举办各类活动{count_text(totals.sessions, '场次')}"
    online = totals.online.known_parts
    if totals.offline.known_parts:
        text += f"，{'线下参与' if online else '参与'}{count_text(totals.offline, '人次')}"
    if online:
        text += f"{'、' if totals.offline.known_parts else '，'}线上参与"
        text += count_text(totals.online, "人次")
    if totals.books.known_parts:
        text += f"，{words.books_verb}图书{count_text(totals.books, '册')}"
    if totals.materials.known_parts:
        text += f"，发放{words.materials_name}{count_text(totals.materials, '份')}"
    return text + "。"


def _category_summary(group: ActivityCategory) -> str:
    """「全年开展知识技能培训与讲座活动6场，参与约850人次。」: only the figures every listing of the
    category states (a sum over some of them is the 底稿's), none for a single listing; a class
    that states only books is 「全年送图书5次，共计2800册。」."""
    cs = group.summary
    stated = cs.stated  # the unit's own figures (声明数) come first, as the unit's
    complete = cs.complete

    def figure_of(key: str, name: str) -> str:
        return stated.get(name) or (cs.measure(key) if key in complete else "")

    offline, online = figure_of("offline", "线下参与人次"), figure_of("online", "线上参与人次")
    books, materials = figure_of("books", "赠书册数"), figure_of("materials", "资料份数")
    sessions = "场次" in stated or cs.sessions_stated
    times = stated.get("次数") or f"{cs.listings}次"
    if books and not (offline or online or materials or sessions):
        # giving books N times, M books in all (the unit's own words for such a class)
        verb = _GIVE if cs.books_verb == DEFAULT_BOOKS_VERB else cs.books_verb
        return f"全年{verb}图书{times}，共计{books}。"
    if "场次" in stated and "次数" not in stated:
        count = stated["场次"]  # 「知识技能培训与讲座活动6场」
    else:
        count = times + (f"、共{stated.get('场次') or str(cs.sessions) + '场'}" if sessions else "")
    text = f"全年开展{group.category}{count}"
    if offline:
        text += f"，{'线下参与' if online else '参与'}{offline}"
    if online:
        text += f"，线上参与{online}"
    if books:
        text += f"，{cs.books_verb}图书{books}"
    if materials:
        text += f"，发放{cs.materials_name}{materials}"
    return text + "。"


def _predicate(e: ListingView) -> tuple[str, set[str]]:
    """What was done where, and the measures it already states. A name that holds its place is
    no title but the predicate itself (「向云街小学捐书500册」), never 「在X开展“在X…”」."""
    name, place = e.name, e.place
    if place and place in name:
        if name.startswith(_PREDICATE_HEADS):
            if e.books and (head := _vague_giving(name, place)):
                return f"{head}{e.books_verb}图书{e.books}", {"books"}
            for measure, nouns in _MEASURE_NOUNS.items():
                if e.measure(measure) and name.endswith(nouns):
                    return name + e.measure(measure), {measure}
            return name, set()
        return f"开展{quoted(name)}", set()
    return (f"在{place}" if place else "") + f"开展{quoted(name)}", set()


def _vague_giving(name: str, place: str) -> str:
    """What precedes the vague 送 of a name that gives books right at its place (「在文化活动中心」
    of 「在文化活动中心送图书」), or "": 送 alone says less than the books figure's own verb
    (赠送, or the unit's 免费赠送); a two-character verb the unit chose (赠送图书, 捐书) stays."""
    for phrase in word_lists(_WORDS)["vague_book_phrases"]:
        head = name.removesuffix(phrase)
        if head != name and head.endswith(place):
            return head
    return ""


def _measures(e: ListingView, stated: set[str]) -> list[str]:
    """The clauses of an activity's figures, each in the words its measure takes."""
    parts = [f"共{e.sessions}"] if e.sessions else []
    if e.offline:
        parts.append(f"{'线下参与' if e.online else '参与'}{e.offline}")
    if e.online:
        parts.append(f"线上参与{e.online}")
    if e.books and "books" not in stated:
        parts.append(f"{e.books_verb}图书{e.books}")
    if e.materials and "materials" not in stated:
        parts.append(f"发放{e.materials_name}{e.materials}")
    return parts


def _effect(effect: str) -> str:
    """The unit's effect sentence, given a subject when it starts without one."""
    effect = t(effect)
    if not effect:
        return ""
    if effect.startswith(_SUBJECTLESS):
        effect = "活动" + _completed(effect)
    return sentence(effect)


def _completed(effect: str) -> str:
    """An effect the report gives a subject, its aspect completed as that subject's sentence
    needs: its first result verb (`prose.toml`) gets 了 unless it has one already —
    「为首届民俗闹新春活动丰富文化内涵」 → 「…丰富了文化内涵」. A verb used as no verb there
    (丰富多彩, 推动作用) is passed over."""
    words = word_lists(_WORDS)
    found = [
        (at + len(verb), verb)
        for verb in words["result_verbs"]
        for at in _occurrences(effect, verb)
        if _is_verb(effect[at + len(verb) :], words["not_verb_before"])
    ]
    if not found:
        return effect
    end = min(found)[0]
    return effect if effect.startswith("了", end) else effect[:end] + "了" + effect[end:]


def _is_verb(rest: str, not_verb: tuple[str, ...]) -> bool:
    """Whether a result verb followed by `rest` is a verb: its object or 了 follows, not the
    end of a clause (「得到提升。」) nor what makes it a modifier (丰富多彩, 推动作用)."""
    return bool(rest) and rest[0] not in "。，；、！？" and not rest.startswith(not_verb)


def _occurrences(text: str, word: str) -> list[int]:
    """Where `word` starts in `text`, every time."""
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _series(items: list[str]) -> str:
    """「A和B」, 「A、B和C」."""
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def _same_programme(a: ListingView, b: ListingView) -> bool:
    """Listings that a clerk states once: same name, effect and note, different days, each
    dated, and stating the same measures."""
    keys = ("offline", "online", "sessions", "books", "materials")
    return (
        a.name == b.name
        and a.effect == b.effect
        and a.note == b.note
        and a.books_verb == b.books_verb
        and a.materials_name == b.materials_name
        and bool(a.date and b.date)
        and a.period == b.period
        and all(bool(a.measure(k)) == bool(b.measure(k)) for k in keys)
        and not (a.members or b.members)
    )


def _runs(listings: list[ListingView]) -> list[list[ListingView]]:
    """Consecutive listings of one programme together (two sessions of one lecture)."""
    runs: list[list[ListingView]] = []
    for e in listings:
        if runs and _same_programme(runs[-1][0], e):
            runs[-1].append(e)
        else:
            runs.append([e])
    return runs


def _programme_text(run: list[ListingView]) -> str:
    """Sessions of one programme in one sentence, as the source states them:
    「10月29日和10月31日分别在A、B开展“…”，参与人次分别为200人次和350人次。」"""
    first = run[0]
    text = _series([e.date for e in run]) + t(first.period)
    places = [e.place for e in run]
    if all(places) and len(set(places)) > 1:
        text += f"分别在{'、'.join(places)}"
    elif places[0] and all(p == places[0] for p in places):
        text += f"在{places[0]}"
    text += f"开展{quoted(first.name)}"
    labels = {
        "sessions": "场次",
        "offline": "参与人次" if not first.online else "线下参与人次",
        "online": "线上参与人次",
        "books": f"{first.books_verb}图书",
        "materials": f"发放{first.materials_name}",
    }
    for key, label in labels.items():
        if first.measure(key):
            values = [e.measure(key) for e in run]
            if len(set(values)) == 1:
                text += f"，{label}均为{values[0]}"
            else:
                text += f"，{label}分别为{_series(values)}"
    return text + "。" + _effect(first.effect)


def _event_text(e: ListingView) -> str:
    """One listing in one sentence. A 说明 that itself says where the activity was held
    (「线上线下相结合，线下在县文化广场开展」) states the place: the predicate does not say it
    too, and a one-clause 说明 follows the name as the unit wrote it, before the figures."""
    when = e.date or e.timeframe
    note = t(e.note)
    placed = bool(e.place) and e.place in note and e.place not in e.name
    if placed:
        predicate, stated = f"开展{quoted(e.name)}", set()
    else:
        predicate, stated = _predicate(e)
    text = f"{when}{t(e.period)}{predicate}"
    clause = note.rstrip("。；，;, ")
    if placed and not re.search(r"[。！？；;]", clause):
        text += "，" + clause
        note = ""
    parts = _measures(e, stated)
    if parts:
        text += "，" + "，".join(parts)
    text += "。"
    if note:
        text += sentence(note)
    return text + _effect(e.effect)


def _working(run: list[ListingView]) -> list[str]:
    """How a listing was counted: the reviewer's, not the unit's text."""
    working = []
    for e in run:
        when = e.date or e.timeframe
        if not when and not e.members:
            working.append(f"日期{NOT_GIVEN}。")
        if e.members:
            working.append(f"本条为汇总，包含：{'、'.join(e.members)}。")
        if e.also_in:
            working.append(f"该活动同时列入“{'”“'.join(e.also_in)}”，年度合计只计一次。")
        if e.source:
            working.append(f"来源：{e.source}。")
    if len(run) > 1:
        working.append(f"以上{len(run)}行为同一活动的不同场次，合并表述。")
    return working


def _event(number_: int | None, run: list[ListingView]) -> list[Block]:
    """One activity (or the sessions of one programme), numbered （1） among siblings only."""
    text = _event_text(run[0]) if len(run) == 1 else _programme_text(run)
    text = text if number_ is None else f"（{number_}）{text}"
    paragraph = Paragraph((Run(clerk_text(text)),), kind="event")
    working = _working(run)
    return [paragraph] + ([Note("".join(working), review=True)] if working else [])


def _activities(ctx: ReportContext, sub: Subsection) -> list[Block]:
    blocks = paragraphs(texts(ctx, "活动"))
    if ctx.totals is not None:
        blocks.append(p(_totals_line(ctx.totals, ctx.words), kind="totals"))
        blocks += _totals_basis(ctx.totals)
        blocks.append(
            Note(
                "合计口径：同一活动列入多个类别的只计一次；汇总条目与其所含活动按两者中较大者计；"
                "未填场次的活动按1场计；未填人次、册数、份数的活动不计入相应合计；"
                "各活动是否为同一项目的不同场次无从判断，故只合计场次，不合计项数。",
                review=True,
            )
        )
        if ctx.undated:
            blocks.append(
                Note(
                    f"另有{ctx.undated}项活动未填具体日期（按期间列示），不计入各月统计。",
                    review=True,
                )
            )
    for i, group in enumerate(ctx.categories, 1):
        blocks.append(Heading(3, f"{i}.{group.category}"))
        if group.summary.listings > 1 or group.summary.stated:
            blocks.append(p(_category_summary(group), kind="category-summary"))
            stated = group.summary.stated
            if stated:  # for the reviewer: which figures are the unit's, not the listings' sum
                said = "、".join(f"{k}{v}" for k, v in stated.items())
                blocks.append(
                    Note(
                        f"本类{said}为单位在声明数表中填报的数字（与明细的核对见数据核对）。",
                        review=True,
                    )
                )
        if group.summary.offline_basis:
            blocks.append(Note(group.summary.offline_basis, review=True))
        runs = _runs(group.listings)
        numbered = len(runs) > 1
        blocks += [b for n, run in enumerate(runs, 1) for b in _event(n if numbered else None, run)]
    return blocks + [figure(fig) for fig in ctx.activity_figures]


def _satisfaction(ctx: ReportContext, sub: Subsection) -> list[Block]:
    blocks = paragraphs(texts(ctx, "服务评价"), numbered=True)
    for sv in ctx.satisfaction:
        rate = get(sv, "rate")
        method, name = _survey(get(sv, "survey"))
        if rate is None:
            blocks.append(not_given(f"{name}{NOT_GIVEN}。"))
            continue
        # how it was surveyed only when the unit says so (never an invented 「经调查」)
        text = (f"经{method}，" if method else "") + f"{name}为{pct(rate, get(sv, 'decimals'))}"
        sample, satisfied = get(sv, "sample"), get(sv, "satisfied")
        if sample is not None and satisfied is not None:
            counted = "有效问卷" if "问卷" in method else "调查样本"
            text += f"（{counted}{sample}份，满意{satisfied}份）"
        blocks.append(p(text + "。"))
        origin = "单位填报" if get(sv, "rate_stated") else f"= 满意{satisfied} ÷ 样本{sample}"
        source = get(sv, "source")
        blocks.append(
            Note(f"{name}{pct(rate, get(sv, 'decimals'))}：{origin}（{source}）。", review=True)
            if source
            else Note(f"{name}{pct(rate, get(sv, 'decimals'))}：{origin}。", review=True)
        )
    return blocks


#: Endings of an indicator's name that say what kind of figure it is (期数, 数量), not what.
_INDICATOR_KINDS = ("期数", "次数", "数量", "人数", "册数", "数", "量")


def _in_order(short: str, text: str) -> bool:
    """Whether the characters of `short` occur in `text` in order (每月推送 in 每月定期推送…)."""
    rest = iter(text)
    return bool(short) and all(ch in rest for ch in short)


#: How a survey's name may say it was made (the longest first).
_SURVEY_METHODS = ("问卷调查", "电话回访", "抽样调查", "调查")


def _survey(survey: str) -> tuple[str, str]:
    """(method, rate's name) of a survey as the unit named it: 「读者满意度问卷调查」 →
    (问卷调查, 读者满意度); 「群众满意度」 → ("", 群众满意度); never 「…调查满意度」. A bracketed
    qualifier at the end stays with the rate's name: 「读者满意度调查（线上）」 → (调查,
    读者满意度（线上）)."""
    qualifier = re.search(r"（[^（）]*）$", survey)
    tail = qualifier.group(0) if qualifier else ""
    survey = survey[: len(survey) - len(tail)]
    method = next((m for m in _SURVEY_METHODS if survey.endswith(m)), "")
    name = survey[: len(survey) - len(method)] if method else survey
    name = name.removesuffix("的")
    if not name.endswith("满意度"):
        name += "满意度"
    return method, name + tail


def _digital_row(r: Any) -> tuple[str, bool]:
    """A row of a digital service as a clause, and whether its figure sits inside its note.

    A note that already says what the indicator counts takes the figure right after it
    (「每月定期推送好书、新书4期」); otherwise the indicator and figure follow the note as a
    clause of their own (「…，每月更新图书1500册」). An indicator without a figure is left out
    (the 底稿 lists it)."""
    note, indicator, value = t(get(r, "note")), t(get(r, "indicator")), get(r, "value")
    if value is None:
        return note, False
    unit = t(get(r, "unit"))
    shown = (decimal_text(value, 0) if value == int(value) else decimal_text(value)) + unit
    what = _what_it_counts(indicator)
    if note and _in_order(what, note.rsplit("，", 1)[-1]):
        return _without_routine(note) + shown, True
    clause = _named(indicator, unit) + shown
    return (f"{note}，{clause}" if note else clause), False


def _named(indicator: str, unit: str) -> str:
    """How a sentence names an indicator before its figure: without the words the figure's unit
    says (「年推送期数」 48期 → 「全年推送48期」, 「开放天数」 300天 → 「开放300天」); as it is
    when the figure has no unit, or nothing of the name is left."""
    if not unit:
        return indicator
    for ending in (*(unit + kind for kind in _INDICATOR_KINDS), *_INDICATOR_KINDS, unit):
        if indicator.endswith(ending) and len(indicator) > len(ending):
            return _period_words(indicator[: -len(ending)])
    return indicator


def _what_it_counts(indicator: str) -> str:
    """An indicator's name without the ending that says what kind of figure it is:
    「年推送期数」 → 「年推送」 (the figure's unit, 48期, says it is a number of issues)."""
    for kind in _INDICATOR_KINDS:
        if indicator.endswith(kind) and len(indicator) > len(kind):
            return indicator[: -len(kind)]
    return indicator


#: A bare period an indicator's name may begin with, and how a sentence says it.
_BARE_PERIODS = {"年": "全年", "月": "每月", "周": "每周"}


def _period_words(what: str) -> str:
    """「年推送」 → 「全年推送」: the bare period of an indicator's name as a sentence says it
    (「年推送期数：48期」 is written 「全年推送48期」); other names as they are."""
    head = _BARE_PERIODS.get(what[:1])
    if head and not what.startswith(("年度", "年末", "年初", "月度", "周年")):
        return head + what[1:]
    return what


#: Words a note may open with that say over which period its figure runs.
_PERIODS = ("全年", "每年", "年度", "每季度", "每月", "每周", "每天")


#: A word that says a figure recurs, which a period word before it already says (每月定期推送).
_ROUTINE = "定期"


def _without_routine(note: str) -> str:
    """A per-period figure's phrase without 「定期」 right after its period word: 每月 already
    says the pushes recur (「每月定期推送好书、新书」 → 「每月推送好书、新书」, 每周定期开放 →
    每周开放). Over a whole period (全年定期开展) 定期 says something and stays."""
    for period in _PERIODS:
        if period.startswith("每"):
            note = note.replace(period + _ROUTINE, period)
    return note


def _period_total(note: str, clause: str, before: str) -> str:
    """「全年推送48期」 after 「每月…推送…4期」 is 「全年共48期」: the period's total, its verb
    not said twice."""
    period = next((w for w in _PERIODS if note.startswith(w)), "")
    rest = note[len(period) :]
    if period and rest and rest in before:
        return f"{period}共{clause[len(note) :]}"
    return clause


def _digital(ctx: ReportContext, sub: Subsection) -> list[Block]:
    blocks = paragraphs(texts(ctx, "数字服务"), numbered=True)
    services = ctx.digital
    for i, d in enumerate(services, 1):
        name = get(d, "service")
        text = ""
        for row in get(d, "rows"):
            clause, inside = _digital_row(row)
            if not clause:
                continue
            if inside and text:
                clause = _period_total(_without_routine(t(get(row, "note"))), clause, text)
            if text:
                text += "，" if "，" not in clause else "；"
            text += clause
        # the service's name as a label only when its text does not name it already
        text = text if name in text else f"{name}：{text}" if text else name
        head = f"{i}." if len(services) > 1 else ""
        blocks.append(p(head + sentence(text.rstrip("；，"))))
        missing = [get(r, "indicator") for r in get(d, "rows") if get(r, "value") is None]
        missing = [m for m in missing if m]
        if missing:
            blocks.append(not_given(f"{name}：{'、'.join(missing)}{NOT_GIVEN}。"))
    return blocks


def _holdings_base(h: Any) -> tuple[str, str]:
    """The clause of the first year known and the 审核底稿's computed growth since then.

    A base year whose row carries the unit's 说明 is stated as the unit qualifies it, not as a
    year-end (「2021年（图书管理系统数据录入初始阶段）为3590册」), and is no base of a compound
    growth rate: a figure the unit marks as a start of records says nothing of a yearly rate.
    Over one year 本年新增 already says the increase: no 共增加 and no average repeat it."""
    note = h.notes.get(h.first_year)
    if note:
        text = f"；{h.first_year}年（{note}）为{h.first_holdings}册"
    else:
        text = f"；{h.first_year}年末为{h.first_holdings}册"
    if h.year - h.first_year == 1 and h.added == h.increase:
        return text, ""
    text += f"，{h.first_year}—{h.year}年共增加{h.increase}册"
    if h.stated_average is None:
        text += f"，年均增加{whole(h.average_increase)}册"
    computed = f"按馆藏表计算，{h.first_year}—{h.year}年年均增加{whole(h.average_increase)}册"
    if h.compound_growth is not None and not note:
        computed += f"，年均复合增长率{pct(h.compound_growth)}"
    return text, computed


def _holdings(ctx: ReportContext, sub: Subsection) -> list[Block]:
    blocks = paragraphs(texts(ctx, "馆藏建设"), numbered=True)
    h = ctx.holdings
    if h is not None:
        text = f"截至{h.year}年末，馆藏图书{h.holdings}册"
        if h.notes.get(h.year):
            text += f"（{h.notes[h.year]}）"
        if h.added is not None:
            text += f"，本年新增{h.added}册"
        computed = ""
        if h.first_year is not None:
            base, computed = _holdings_base(h)
            text += base
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
    return blocks + [figure(fig) for fig in ctx.holdings_figures]


def _yoy(ctx: ReportContext, sub: Subsection) -> list[Block]:
    previous, year = ctx.previous_year, ctx.year
    rows = []
    origins = []
    for r in ctx.yoy:
        unit = get(r, "unit")
        money = unit == "万元"
        origins.append(
            f"{get(r, 'label')}的上年数"
            + (
                f"取自本年表中填报的上年数（{previous}年数据未生成）"
                if get(r, "source") == "上年数"
                else f"取自{previous}年已生成的报告数据"
            )
        )
        label = f"{get(r, 'label')}（{ctx.amount_unit if money else unit}）"
        rows.append(Row.of(label, *yoy_numbers(r, ctx.amount_unit)))
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
    lead = p(f"与{previous}年相比，主要指标变化如下（同一单位的上年数据）。")
    if ctx.yoy_figures:  # the chart states every figure; the table is its data (底稿)
        return [lead, *(figure(fig, data=table) for fig in ctx.yoy_figures)]
    return [lead, table]


def _custom(ctx: ReportContext, sub: Subsection) -> list[Block]:
    return paragraphs(texts(ctx, sub.text_key))


_SUBSECTIONS: dict[str, Callable[[ReportContext, Subsection], list[Block]]] = {
    "活动": _activities,
    "服务评价": _satisfaction,
    "数字服务": _digital,
    "馆藏建设": _holdings,
    "基层服务": lambda ctx, sub: paragraphs(texts(ctx, "基层服务"), numbered=True),
    "custom": _custom,
    "同比": _yoy,
}


def performance(ctx: ReportContext, anchor: str) -> list[Block]:
    """六、部门整体支出绩效情况: one subsection per kind of data the year has."""
    charts = [figure(fig) for fig in ctx.indicator_figures]  # 目标值 against 完成值
    if not ctx.subsections:
        return charts or [not_given(f"本部分{NOT_GIVEN}。")]
    blocks: list[Block] = charts
    for i, sub in enumerate(ctx.subsections, 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{sub.title}", anchor=f"{anchor}-{i}"))
        blocks += _SUBSECTIONS[sub.key](ctx, sub)
    return blocks
