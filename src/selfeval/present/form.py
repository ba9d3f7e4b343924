"""The 绩效自评表 laid out as a rule pack's `[form]` says (`src/selfeval/packs/<id>.toml`).

Each province's finance office accepts its own form, cell for cell: its blocks, headings, funds
rows by source and merged cells differ, while the facts are the same. So the layout is data —
one declarative table per pack — and this module is the one renderer: a `[form]` and a
自评表's view (`selfeval.present.scoring_view`) make the format-neutral `Table` that the HTML
and Word writers render and the xlsx export (`selfeval.present.form_xlsx`) copies, so every
format of every pack states the same figures. A new province is a new file, not new code.

The `national` form reproduces the table this tool has always printed (its reports are
byte-identical to those before the packs). A field the data lacks is 「未填报」: the writers
leave it blank in the 报送稿 and print it in the 审核底稿.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from selfeval.errors import PackFormError
from selfeval.packs import DEFAULT_PACK, PACK_IDS, load_pack
from selfeval.present.document import Align, Cell, Column, Note, Row, Scope, Table
from selfeval.present.formats import NOT_GIVEN
from selfeval.present.layout import text_em
from selfeval.present.scoring_view import FormHeader, FundsRow, IndicatorRow, ScoringView
from selfeval.rules import decimal_str

#: Fields every cell may name: the form's header, goals, totals; what the data does not give
#: (the 单位概况 items a form asks for, a 调整后 goal) is 「未填报」 until an input provides it.
FIELDS = (
    "label", "name", "主管部门", "实施单位", "amount_unit", "goal", "adjusted_goal", "achieved",
    "weight_total", "total", "grade", "联系人", "联系电话", "财政处室", "填报日期", "评价结论",
    "存在问题", "改进措施", "项目负责人", "财务负责人",
)  # fmt: skip
#: Fields of a row of the funds block (`each = "funds"`), beside FIELDS: `reason` is the unit's
#: 偏差原因 of the execution rate, `method` the 得分计算方法 (the execution score's working).
FUNDS_FIELDS = (
    "label", "original_budget", "budget", "actual", "weight", "rate", "score", "reason", "method",
)  # fmt: skip
#: Fields of an indicator row (`each = "indicators"`), beside FIELDS: `direction` is the
#: 指标性质 (≥, ≤, =, 定性), `unit` the 度量单位, `ratio` the 得分系数 (得分 ÷ 分值, %);
#: `target_value`/`actual_value` are the values without the 指标性质 and 度量单位 that `target`/
#: `actual` carry (「≥360天」 → 「360」), for forms with columns of their own for those.
INDICATOR_FIELDS = (
    "level1", "level2", "level3", "target", "target_value", "original_target", "adjusted_target",
    "actual", "actual_value",
    "direction", "unit", "weight", "score", "ratio", "reason", "method", "core",
)  # fmt: skip
#: Sources of the funds block; the scoring result gives the first four (in this order), 支出's
#: 资金来源 四川's 财政专户管理资金 and 单位资金, a split execution score 贵州's 基本支出, 项目支出.
SOURCES = ("total", "fiscal", "carryover", "other", "special", "unit", "basic", "project")
#: The 资金来源 of 支出 rows (`ScoringView.funds_by_source`) by the source key a form names.
BY_SOURCE = {
    "财政资金": "fiscal",
    "财政专户管理资金": "special",
    "单位资金": "unit",
    "其他资金": "other",
}
#: The parts of a split execution score (`ScoringView.funds_by_category`) by source key.
BY_CATEGORY = {"基本支出": "basic", "项目支出": "project"}
EACH = ("funds", "indicators")
_SCOPES = {s.value: s for s in Scope}
_ALIGNS = {a.value: a for a in Align}


@dataclass(frozen=True)
class Form:
    """One pack's `[form]`, as read and checked: `source` names the file for messages."""

    pack: str
    name: str
    source: str
    spec: dict[str, Any]


def _problem(source: str, what: str, english: str) -> PackFormError:
    return PackFormError(f"自评表格式文件 {source}：{what} / {english}")


def _fields(text: str, source: str, where: str, allowed: tuple[str, ...]) -> None:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise _problem(source, f"{where} 的文字「{text}」中的花括号不成对", str(exc)) from exc
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise _problem(
            source,
            f"{where} 的文字「{text}」中有未知的字段 {'、'.join(unknown)}"
            f"（可用：{'、'.join(allowed)}）",
            f"unknown fields {unknown}",
        )


def _check(spec: dict, source: str) -> None:
    """Every cell's fields known, every `each`, source, scope and alignment one of the allowed:
    a layout mistake is one message naming the file and the place, before any year is built."""
    for n, col in enumerate(spec.get("columns", []), 1):
        if col.get("fit") and col["fit"] not in INDICATOR_FIELDS:
            raise _problem(source, f"columns 第 {n} 列的 fit「{col['fit']}」未知", "unknown fit")
    for row in spec.get("funds", []):
        if row.get("source") not in SOURCES:
            raise _problem(
                source,
                f"funds 的「{row.get('label')}」的 source 须为 {'、'.join(SOURCES)} 之一",
                "unknown funds source",
            )
    rows = [("header", r, None) for r in spec.get("header", [])]
    for b, block in enumerate(spec.get("blocks", []), 1):
        rows += [(f"blocks 第 {b} 块", r, r.get("each")) for r in block.get("rows", [])]
        _fields(block.get("label", ""), source, f"blocks 第 {b} 块的 label", FIELDS)
    for where, row, each in rows:
        if each is not None and each not in EACH:
            raise _problem(source, f"{where} 的 each「{each}」须为 funds 或 indicators", "each")
        extra = {"funds": FUNDS_FIELDS, "indicators": INDICATOR_FIELDS}.get(each or "", ())
        for cell in row.get("cells", []):
            _fields(cell.get("text", ""), source, where, FIELDS + extra)
            _check_cell(cell, source, where)


def _check_cell(cell: dict, source: str, where: str) -> None:
    colspan, rowspan = cell.get("colspan", 1), cell.get("rowspan", 1)
    known = (
        cell.get("scope", "row") in _SCOPES
        and cell.get("align", "left") in _ALIGNS
        and cell.get("merge", "level1") in ("level1", "level2")
        and isinstance(colspan, int)
        and colspan >= 1
        and (rowspan == "block" or (isinstance(rowspan, int) and rowspan >= 1))
    )
    if not known:
        raise _problem(
            source,
            f"{where} 的单元格「{cell.get('text')}」的 scope、align、merge、colspan 或 rowspan "
            "不可用（scope：row、col、rowgroup、colgroup；align：left、center、right；merge："
            "level1、level2；colspan 为正整数；rowspan 为正整数或 block）",
            f"unusable cell {cell!r}",
        )


def _trial_view() -> ScoringView:
    """A 自评表 view of two funds rows and two indicators under one label, to lay a form out
    once when it is read: a row whose cells do not fill the grid is found then."""
    row = IndicatorRow(
        level1="一级", level1_span=2, level2="二级", level2_span=2, level3="三级", target="≥1",
        actual="1", weight="1", score="1.00", score_review="", reason="", met=True,
        over_achieved=False, missing_reason=False, source="",
    )  # fmt: skip
    funds = FundsRow("总额", "1", "1", "1", "1", "100%", "1")
    return ScoringView(
        title="自评表", header=FormHeader("名称", "单位", "部门", "单位"), unit="万元",
        funds=[funds, funds], funds_note="", funds_by_source=[], funds_derivation="",
        unscored_funds=False, goal="", achieved="",
        rows=[row, replace(row, level1_span=0, level2_span=0)], targets_given=True,
        weight_total="2", total="2.00", total_stated=False, stated_notes=[], funds_working="",
        grade="优", unscored_reason="", rules="", warnings=[],
    )  # fmt: skip


@functools.cache
def load_form(pack: str = DEFAULT_PACK) -> Form:
    """The `[form]` of pack `pack` (an id of `selfeval.packs.PACK_IDS`), checked."""
    source = f"packs/{pack}.toml"
    if pack not in PACK_IDS:
        raise PackFormError(f"没有自评表格式文件 {source} / no such pack: {pack!r}")
    data = load_pack(pack)
    if not isinstance(data.get("form"), dict):
        raise _problem(source, "缺少 [form] 表", "no [form] table")
    return check_form(Form(pack, str(data.get("name", pack)), source, data["form"]))


def check_form(form: Form) -> Form:
    """`form`, once its fields, sources, cells and spans are known good: else PackFormError
    naming its file and the place."""
    _check(form.spec, form.source)
    source = form.source
    try:
        _render(_trial_view(), 0, form)
    except (ValueError, KeyError, TypeError) as exc:  # spans that do not fill the grid
        raise _problem(
            source, f"版式排不成表格：各行单元格须正好铺满 columns 的列（{exc}）", str(exc)
        ) from exc
    return form


# -- values ---------------------------------------------------------------------------------


def _view_fields(v: ScoringView, facts: Mapping[str, str]) -> dict[str, str]:
    h = v.header
    unit = "（元）" if v.unit == "元" else f"（{v.unit}）"
    given = {
        "label": h.label,
        "name": h.name,
        "主管部门": h.department,
        "实施单位": h.implementer,
        "amount_unit": unit,
        "goal": v.goal,
        "achieved": v.achieved,
        "weight_total": v.weight_total,
        "total": v.total,
        "grade": v.grade,
    }
    return {f: given[f] if f in given else str(facts.get(f) or NOT_GIVEN) for f in FIELDS}


def _funds_values(v: ScoringView, form: Form) -> list[dict[str, str]]:
    """The pack's funds rows: its labels, the figures of the source each names. A form whose
    rows are by 资金来源 (四川: 财政资金, 财政专户管理资金, 单位资金, 其他资金) takes them from the
    支出 rows' 资金来源 when every counted row states one (`ScoringView.funds_by_source`)."""
    have = {s: asdict(row) for s, row in zip(SOURCES, v.funds, strict=False)}
    if {row["source"] for row in form.spec.get("funds", [])} & {"special", "unit"}:
        for part in v.funds_by_source:
            if part.label in BY_SOURCE:
                have[BY_SOURCE[part.label]] = asdict(part)
    # the parts of a split execution score (贵州: 基本支出, 项目支出), each with its own
    # 分值, 得分 and 得分计算方法
    for part in v.funds_by_category:
        if part.label in BY_CATEGORY:
            have[BY_CATEGORY[part.label]] = asdict(part)
    out = []
    for row in form.spec.get("funds", []):
        figures = have.get(row["source"], {})
        values = {k: figures.get(k, NOT_GIVEN) for k in FUNDS_FIELDS}
        values["label"] = row["label"]
        values["reason"] = v.funds_reason or NOT_GIVEN
        # 得分计算方法 of the execution score, on the row that holds the score
        if row["source"] == "total":
            values["method"] = v.funds_working or NOT_GIVEN
        elif row["source"] not in BY_CATEGORY.values():
            values["method"] = ""  # a row that holds no score has no working
        out.append(values)
    return out


def reason_cell(r: IndicatorRow) -> str:
    """The 偏差原因分析及改进措施 cell: the unit's words; a deviation whose cause the unit did not
    write is a cell the data lacks — blank in the 报送稿, 「未填报」 in the 审核底稿 (whose
    warnings name the indicator)."""
    if r.missing_reason and not r.reason:
        return NOT_GIVEN
    return r.reason


def _ratio(r: IndicatorRow) -> str:
    """得分系数: 得分 ÷ 分值 in percent, from the cells as printed (the unit's entered 得分 too)."""
    try:
        return decimal_str(float(r.score) / float(r.weight) * 100)
    except (ValueError, ZeroDivisionError):
        return NOT_GIVEN


def _bare(text: str, direction: str, unit: str) -> str:
    """A value as written (「≥360天」) without its 指标性质 and 度量单位 (「360」)."""
    if direction in ("≥", "≤", "=") and text.startswith(direction):
        text = text[len(direction) :]
    if unit and text.endswith(unit) and text != unit:
        text = text[: -len(unit)]
    return text


def indicator_values(r: IndicatorRow) -> dict[str, str]:
    """An indicator row's fields; those no input gives yet are 「未填报」."""
    direction, unit = r.direction, r.unit
    return {
        "level1": r.level1,
        "level2": r.level2,
        "level3": r.level3,
        "target": r.target,
        "target_value": _bare(r.target, direction, unit),
        "actual": r.actual,
        "actual_value": _bare(r.actual, direction, unit),
        "direction": direction or NOT_GIVEN,
        "unit": unit or NOT_GIVEN,
        "weight": r.weight,
        "score": r.score,
        "ratio": _ratio(r),
        "reason": reason_cell(r),
        # what some forms show beside an indicator, as the unit wrote it (重庆)
        "original_target": r.original_target or NOT_GIVEN,
        "adjusted_target": r.adjusted_target or NOT_GIVEN,
        "core": r.core or NOT_GIVEN,
        # 得分计算方法: the score's working (「19 ÷ 15 × 10 = 12.67，按分值上限计10」)
        "method": r.working or NOT_GIVEN,
    }


# -- columns --------------------------------------------------------------------------------


def share_width(room: float, mins: dict[str, float], needs: dict[str, float], spare_to: str):
    """`room` characters over the text columns: each its minimum, then the rest raised evenly
    ("water-filling") until a column holds its longest text on one line; what no column needs
    widens `spare_to`, the form's widest text. Fewer wrapped lines, a shorter form."""
    em = dict(mins)
    spare = room - sum(mins.values())
    open_ = sorted((k for k in mins if needs[k] > mins[k]), key=lambda k: needs[k] - mins[k])
    while open_ and spare > 1e-9:
        step = min(spare / len(open_), needs[open_[0]] - em[open_[0]])
        for k in open_:
            em[k] += step
        spare -= step * len(open_)
        open_ = [k for k in open_ if needs[k] - em[k] > 1e-9]
    if spare_to:
        em[spare_to] += max(0.0, spare)
    return em


def _columns(form: Form, rows: list[dict[str, str]]) -> tuple[Column, ...]:
    """Widths in characters: fixed ones, label columns wide enough for their labels on one line
    (「服务对象满意度指标」, so a label is never broken over two lines and two pages), and the
    text columns sharing the rest as their longest texts need."""
    cols = form.spec["columns"]
    em = {c["key"]: float(c["em"]) for c in cols if "em" in c}
    for c in cols:
        if "bounds" in c:
            low, high = c["bounds"]
            texts = [r[c["fit"]] for r in rows]
            em[c["key"]] = min(high, max([low, *(text_em(t) for t in texts)]))
    texts = {c["key"]: [r[c["fit"]] for r in rows] for c in cols if "min" in c}
    # a character to spare: Word and LibreOffice set digits wider than `text_em` counts them
    needs = {k: max([0.0, *(text_em(t) + 1.0 for t in ts)]) for k, ts in texts.items()}
    mins = {c["key"]: float(c["min"]) for c in cols if "min" in c}
    spare_to = next((c["key"] for c in cols if c.get("spare")), "")
    em |= share_width(form.spec["width_em"] - sum(em.values()), mins, needs, spare_to)
    # A weight is the column's characters plus one for its padding; the label columns are
    # never squeezed below their labels by wide amounts elsewhere.
    return tuple(
        Column(_ALIGNS[c.get("align", "left")], em[c["key"]] + 1.0, em[c["key"]] * ("bounds" in c))
        for c in cols
    )


# -- rows -----------------------------------------------------------------------------------


def _cell(spec: dict, values: dict[str, str], left: int, text: str | None = None) -> Cell:
    """A cell of the spec; `left` = the block's rows from this one to its last."""
    rowspan = spec.get("rowspan", 1)
    return Cell(
        spec.get("text", "").format_map(values) if text is None else text,
        colspan=spec.get("colspan", 1),
        rowspan=left if rowspan == "block" else rowspan,
        align=_ALIGNS[spec["align"]] if "align" in spec else None,
        scope=_SCOPES[spec["scope"]] if "scope" in spec else None,
    )


def _kept(rows: list[IndicatorRow]) -> list[bool]:
    """Whether each indicator row is kept on the page of the next: every row of a merged 二级指标
    group but its last, so a page never breaks inside the group its label names."""
    return [not following.level2_span for following in rows[1:]] + [False] * bool(rows)


def _indicator_kind(r: IndicatorRow) -> str:
    flags = (("indicator", True), ("not-met", not r.met), ("over-achieved", r.over_achieved))
    return " ".join(k for k, on in flags if on)


def _expand(row: dict, v: ScoringView, base: dict[str, str], funds: list[dict]) -> list[tuple]:
    """(the cells' values, the Row's options, the view's row) of one spec row: one, or one per
    funds row or indicator."""
    kind = row.get("kind", "")
    if row.get("each") == "funds":
        unscored = v.unscored_funds
        return [
            (base | f, {"kind": kind + " budget-missing" * (i == 0 and unscored)},
             {"first": i == 0})
            for i, f in enumerate(funds)
        ]  # fmt: skip
    if row.get("each") == "indicators":
        keep = _kept(v.rows)
        return [
            (
                base | indicator_values(r),
                {"kind": _indicator_kind(r), "keep_with_next": k},
                {"level1_span": r.level1_span, "level2_span": r.level2_span},
            )
            for r, k in zip(v.rows, keep, strict=True)
        ]
    total = bool(row.get("total"))
    return [(base, {"kind": kind, "keep_with_next": bool(row.get("keep")), "total": total}, {})]


def _cells(spec: dict, values: dict[str, str], src: dict, left: int) -> list[Cell]:
    cells = []
    for c in spec.get("cells", []):
        merge = c.get("merge")
        if merge:  # a label merged down its equal neighbours; 0: covered by the cell above
            if src.get(f"{merge}_span"):
                cells.append(
                    Cell(c.get("text", "").format_map(values), rowspan=src[f"{merge}_span"])
                )
            continue
        text = c["rest"] if "rest" in c and not src.get("first", True) else None
        cells.append(_cell(c, values, left, text))
    return cells


def _block_rows(block: dict, v: ScoringView, base: dict[str, str], funds: list[dict]) -> list[Row]:
    """A block's rows; its `label` merged down all of them at the left."""
    expanded = [(row, *x) for row in block.get("rows", []) for x in _expand(row, v, base, funds)]
    out = []
    for i, (spec, values, options, src) in enumerate(expanded):
        left = len(expanded) - i
        if spec.get("each") == "funds":  # kept with the rows below them in their block
            options = options | {"keep_with_next": left > 1}
        label = []
        if i == 0 and "label" in block:
            label = [Cell(block["label"].format_map(base), rowspan=left, scope=Scope.ROWGROUP)]
        out.append(Row((*label, *_cells(spec, values, src, left)), **options))
    return out


def form_table(
    v: ScoringView, year: int, pack: str | None = None, facts: Mapping[str, str] | None = None
) -> Table:
    """The 自评表 of one view (`selfeval.present.scoring_view`) in pack `pack`'s layout (default:
    the pack that scored it, `ScoringView.pack`); `facts` fill the fields the view has not
    (联系人, 填报日期, …)."""
    return _render(v, year, load_form(pack or v.pack), facts)


def _render(v: ScoringView, year: int, form: Form, facts: Mapping[str, str] | None = None) -> Table:
    base = _view_fields(v, facts or {})
    funds = _funds_values(v, form)
    header = tuple(_block_rows({"rows": form.spec.get("header", [])}, v, base, funds))
    body: list[Row] = []
    for block in form.spec.get("blocks", []):
        if block.get("when") == "indicators" and not v.rows:
            continue
        body += _block_rows(block, v, base, funds)
    return Table(
        caption=f"{v.title}（{year}年度）",
        columns=_columns(form, [indicator_values(r) for r in v.rows]),
        header=header,
        body=tuple(body),
        notes=(Note(v.funds_note),) if v.funds_note else (),
        kind="scoring",
        wide=True,
        numbered=False,  # the form's own title; the 附表's heading numbers it
    )
