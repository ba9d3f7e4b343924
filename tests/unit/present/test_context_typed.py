"""The report context is typed (issue #25): a context lacking a field, or a builder reading a
field that does not exist, fails loudly — never the silent None a dict's `.get` gave."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from selfeval.present import build
from selfeval.present import context as context_module
from selfeval.present.blocks import BLOCKS
from selfeval.present.context import ListingView, ReportContext
from selfeval.present.frames import parse_frame
from tests.unit.present.contexts import context

PRESENT = Path(context_module.__file__).parent
FIELDS = {f.name for f in dataclasses.fields(ReportContext)}


def _without(ctx: ReportContext, name: str) -> SimpleNamespace:
    """Everything `ctx` holds but the field `name`: what a builder sees when a context lacks it."""
    return SimpleNamespace(**{f: getattr(ctx, f) for f in FIELDS if f != name})


def test_a_context_cannot_be_made_without_a_field():
    fields = {f: getattr(context(), f) for f in FIELDS if f != "department"}
    with pytest.raises(TypeError, match="department"):
        ReportContext(**fields)
    with pytest.raises(TypeError, match="departmnet"):
        dataclasses.replace(context(), departmnet=None)  # a misspelt field


def test_a_builder_given_a_context_missing_a_field_fails_loudly():
    # With the dict, ctx.get("department") read None for a context that lacked it, and the
    # 主管部门 section silently vanished; now the missing field is an error that names it.
    with pytest.raises(AttributeError, match="department"):
        BLOCKS["department"](_without(context(), "department"), "department")
    # so did a 草稿's list of what it lacks (ctx.get("missing", []))
    frame = parse_frame("t", 'title = "{unit}"\n[[sections]]\nkey = "a"\ntitle = "甲"\nblocks = []')
    with pytest.raises(AttributeError, match="missing"):
        build.document_from_context(_without(context(), "missing"), frame)


def test_the_context_is_read_only():
    ctx = context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.year = 2030  # type: ignore[misc]


def test_a_listings_measure_is_named_from_the_known_ones():
    texts = dict.fromkeys(f.name for f in dataclasses.fields(ListingView))
    listing = ListingView(**(texts | {"offline": "200人次", "also_in": [], "members": []}))
    assert listing.measure("offline") == "200人次"
    with pytest.raises(KeyError, match="ofline"):
        listing.measure("ofline")
    with pytest.raises(KeyError, match="name"):
        listing.measure("name")  # a field, but no measure


def _reads(path: Path) -> list[tuple[int, str]]:
    """(line, what) of every read of `ctx` in a module: `ctx.a`, `ctx.a.b`, `ctx[...]`,
    `ctx.get(...)`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        named_ctx = isinstance(getattr(node, "value", None), ast.Name) and node.value.id == "ctx"
        if isinstance(node, ast.Subscript) and named_ctx:
            out.append((node.lineno, "ctx[...]"))
        if isinstance(node, ast.Attribute) and named_ctx:
            out.append((node.lineno, node.attr))
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "ctx"
        ):
            out.append((node.lineno, f"{node.value.attr}.{node.attr}"))
    return out


def test_every_field_a_builder_reads_is_a_field_of_the_context():
    """What a type checker would say, checked without one: each `ctx.name` the present layer
    reads exists, and so does each `ctx.part.name` of a typed part (SpendingView, …)."""
    hints = {f.name: f.type for f in dataclasses.fields(ReportContext)}
    parts = {
        name: {f.name for f in dataclasses.fields(getattr(context_module, kind))}
        for name, kind in hints.items()
        if dataclasses.is_dataclass(getattr(context_module, str(kind), None))
    }
    assert {"spending", "words"} <= set(parts)
    wrong = []
    for path in sorted(PRESENT.rglob("*.py")):
        for line, what in _reads(path):
            first, _, second = what.partition(".")
            known = first in FIELDS  # never ctx.get(...) nor ctx[...]
            if first in parts and second:
                known = second in parts[first]
            if not known:
                wrong.append(f"{path.relative_to(PRESENT)}:{line} ctx.{what}")
    assert wrong == []
