"""The block builders a frame can name, and the cover fields it can fill.

A frame (`selfeval.present.frames`) lists block keys per section and cover fields by name;
these two registries are everything a frame file can use. A new frame is a new TOML file; a
new kind of content is a new builder here.
"""

from __future__ import annotations

from collections.abc import Callable

from selfeval.present.blocks.closing import colophon, measures, other, problems, reconciliation
from selfeval.present.blocks.common import BlockBuilder
from selfeval.present.blocks.department import department
from selfeval.present.blocks.performance import performance
from selfeval.present.blocks.scoring import project_tables, scoring_table
from selfeval.present.blocks.spending import budget_overview, general_spending, other_budget
from selfeval.present.blocks.submission import application, conclusion, signature
from selfeval.present.blocks.tasks import annual_tasks
from selfeval.present.blocks.typos import typos
from selfeval.present.blocks.unit import income_overview, unit_facts, unit_overview
from selfeval.present.context import ReportContext
from selfeval.present.formats import NOT_GIVEN

#: A cover field's text from the context and the frame's defaults.
CoverText = Callable[[ReportContext, dict], str]

#: Block key (as frames name them) → builder.
BLOCKS: dict[str, BlockBuilder] = {
    "unit_overview": unit_overview,
    "unit_facts": unit_facts,
    "annual_tasks": annual_tasks,
    "income_overview": income_overview,
    "general_spending": general_spending,
    "fund_spending": other_budget("政府性基金预算"),
    "capital_spending": other_budget("国有资本经营预算"),
    "social_spending": other_budget("社会保险基金预算"),
    "budget_overview": budget_overview,
    "performance": performance,
    "scoring_table": scoring_table,
    "project_tables": project_tables,
    "problems": problems,
    "measures": measures,
    "other": other,
    "reconciliation": reconciliation,
    "typos": typos,
    "colophon": colophon,
    "department": department,
    "conclusion": conclusion,
    "application": application,
    "signature": signature,
}


def _item(name: str, default: str = NOT_GIVEN) -> CoverText:
    """A cover field from a 单位概况 item, with the frame's default or 未填报."""
    return lambda ctx, defaults: ctx.unit.get(name) or defaults.get(name) or default


#: Cover field (as frames name them) → its text from the context and the frame's defaults.
COVER_FIELDS: dict[str, CoverText] = {
    "unit_name": lambda ctx, defaults: ctx.unit_name,
    "year": lambda ctx, defaults: f"{ctx.year}年",
    "data_date": lambda ctx, defaults: ctx.data_date or NOT_GIVEN,
    "budget_code": _item("预算编码"),
    "evaluation_method": _item("评价方式"),
    "evaluator": _item("评价机构"),
    "issuer": lambda ctx, defaults: (
        f"{ctx.unit.get('制表机关') or defaults.get('制表机关', '')}（制）"
        if ctx.unit.get("制表机关") or defaults.get("制表机关")
        else ""
    ),
}
