"""附表: the 绩效自评表 in the national form (财预〔2020〕10号 附1) — header, funds by source,
年度总体目标, indicators with their 一级/二级 spans, 总分 and grade, the rules applied — for the
unit as a whole (always: its funds block stands without 绩效目标) and for each project."""

from __future__ import annotations

from selfeval.present.document import (
    Block,
    Cell,
    Column,
    Heading,
    Note,
    Paragraph,
    Row,
    Table,
)
from selfeval.present.formats import cn_number
from selfeval.scoring import TABLE_COLUMNS

FUNDS_HEADERS = ("项目", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")


def _header_table(v: dict, year: int) -> Table:
    h = v["header"]
    return Table(
        caption=f"{v['title']}（{year}年度）",
        columns=(Column(width=1.2), Column(width=2.6), Column(width=1.2), Column(width=2.6)),
        header=(Row((Cell("项目名称"), Cell(h["项目名称"], colspan=3))),),
        body=(Row.of("主管部门", h["主管部门"], "实施单位", h["实施单位"]),),
        kind="scoring-header",
    )


def _funds_table(v: dict) -> Table:
    rows = []
    for n, r in enumerate(v["funds"]):
        first = n == 0
        cells = [r["label"], r["original_budget"], r["budget"], r["actual"]]
        cells += [r["weight"], r["rate"], r["score"]] if first else ["—", "—", "—"]
        rows.append(Row.of(*cells, kind="budget-missing" if first and v["unscored_funds"] else ""))
    return Table(
        caption=f"年度资金情况（单位：{v['unit']}）",
        columns=(Column(width=2.0), *(Column.numeric() for _ in range(6))),
        header=(Row.of(*FUNDS_HEADERS),),
        body=tuple(rows),
        notes=(Note(v["funds_note"]),) if v["funds_note"] else (),
        kind="scoring-funds",
        row_headers=True,
    )


def _goal_table(v: dict) -> Table:
    return Table(
        caption="年度总体目标",
        columns=(Column(width=1.0), Column(width=1.0)),
        header=(Row.of("预期目标", "实际完成情况"),),
        body=(Row.of(v["goal"], v["achieved"]),),
        kind="scoring-goal",
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


def _indicators_table(v: dict) -> Table:
    total = Row(
        (
            Cell("总分", colspan=5),
            Cell(v["weight_total"]),
            Cell(v["total"]),
            Cell(f"自评等级：{v['grade']}"),
        ),
        total=True,
    )
    return Table(
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
        header=(Row.of(*TABLE_COLUMNS),),
        body=(*(_indicator_row(r) for r in v["rows"]), total),
        kind="scoring-indicators",
        wide=True,
    )


def self_evaluation(v: dict, year: int) -> list[Block]:
    """One 自评表 in the national form, from its view (`selfeval.present.scoring_view`)."""
    blocks: list[Block] = []
    # What the unit still has to explain is the reviewer's list, not part of the form.
    blocks += [Note(f"需补充说明：{w}", review=True) for w in v["warnings"]]
    blocks += [_header_table(v, year), _funds_table(v), _goal_table(v)]
    if v["rows"]:
        blocks.append(_indicators_table(v))
    if v["unscored_reason"]:
        blocks.append(Paragraph.of(f"{v['unscored_reason']}。", kind="unscored"))
    blocks.append(Note(v["rules"], review=True))
    return blocks


def scoring_table(ctx: dict, anchor: str) -> list[Block]:
    """附表：部门整体支出绩效自评表."""
    return self_evaluation(ctx["scoring_view"], ctx["year"])


def project_tables(ctx: dict, anchor: str) -> list[Block]:
    """附表：项目支出绩效自评表, one per project with targets (nothing when there is none)."""
    blocks: list[Block] = []
    for i, v in enumerate(ctx["project_views"], 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{v['header']['项目名称']}", f"{anchor}-{i}"))
        blocks += self_evaluation(v, ctx["year"])
    return blocks
