"""The block builders a frame can name, and the cover fields it can fill.

A frame (`selfeval.present.frames`) lists block keys per section and cover fields by name;
these two registries are everything a frame file can use. A new frame is a new TOML file; a
new kind of content is a new builder here.

The registries know their names without importing a builder: a batch checks every frame before
any year starts, in its own process, which builds no report itself; importing the builders
there (the context, pandas, matplotlib: 1.3 s and ~60 MiB) held up the first year's start and
sat in that process's memory for the whole batch. A builder's module is imported when a
report first asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from selfeval.present.draft import NOT_GIVEN

if TYPE_CHECKING:
    from selfeval.present.blocks.common import BlockBuilder
    from selfeval.present.context import ReportContext

#: A cover field's text from the context and the frame's defaults.
CoverText = Callable[["ReportContext", dict], str]

#: Block key (as frames name them) → (module of this package, builder, the builder factory's
#: arguments when the builder is made by one).
_BUILDERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "unit_overview": ("unit", "unit_overview", ()),
    "unit_facts": ("unit", "unit_facts", ()),
    "annual_tasks": ("tasks", "annual_tasks", ()),
    "income_overview": ("unit", "income_overview", ()),
    "general_spending": ("spending", "general_spending", ()),
    "fund_spending": ("spending", "other_budget", ("政府性基金预算",)),
    "capital_spending": ("spending", "other_budget", ("国有资本经营预算",)),
    "social_spending": ("spending", "other_budget", ("社会保险基金预算",)),
    "budget_overview": ("spending", "budget_overview", ()),
    "performance": ("performance", "performance", ()),
    "scoring_table": ("scoring", "scoring_table", ()),
    "project_tables": ("scoring", "project_tables", ()),
    "problems": ("closing", "problems", ()),
    "measures": ("closing", "measures", ()),
    "other": ("closing", "other", ()),
    "reconciliation": ("closing", "reconciliation", ()),
    "typos": ("typos", "typos", ()),
    "colophon": ("closing", "colophon", ()),
    "department": ("department", "department", ()),
    "conclusion": ("submission", "conclusion", ()),
    "application": ("submission", "application", ()),
    "signature": ("submission", "signature", ()),
}


#: The builders' modules: what a kernel that builds reports imports ahead (run.preload).
BUILDER_MODULES: tuple[str, ...] = tuple(
    sorted({f"{__name__}.{module}" for module, _, _ in _BUILDERS.values()})
)


@cache
def _builder(key: str) -> BlockBuilder:
    module, name, args = _BUILDERS[key]
    found = getattr(import_module(f"{__name__}.{module}"), name)
    return found(*args) if args else found


class _Blocks(Mapping[str, "BlockBuilder"]):
    """Block key → builder, its module imported on first use (see the module's docstring)."""

    def __getitem__(self, key: str) -> BlockBuilder:
        if key not in _BUILDERS:
            raise KeyError(key)
        return _builder(key)

    def __contains__(self, key: object) -> bool:  # Mapping's would import the builder
        return key in _BUILDERS

    def __iter__(self) -> Iterator[str]:
        return iter(_BUILDERS)

    def __len__(self) -> int:
        return len(_BUILDERS)


#: Block key (as frames name them) → builder.
BLOCKS: Mapping[str, BlockBuilder] = _Blocks()


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
