"""pandera models of the processed tables: what `data/processed/<year>/` holds, checked on write."""

from __future__ import annotations

import pandera.pandas as pa

from selfeval.contract.sheets import (
    ASSESSMENTS,
    BUDGET_TYPES,
    COUNT_MEASURES,
    DIRECTIONS,
    PERIODS,
    QUALIFIERS,
    SANGONG_ITEMS,
    SPENDING_CATEGORIES,
)

_SRC = {
    "src_file": pa.Column(str),
    "src_sheet": pa.Column(str),
    "src_row": pa.Column("int64", pa.Check.ge(1)),
}


def _s(**kw) -> pa.Column:
    return pa.Column(str, **kw)


def _money(name: str) -> dict[str, pa.Column]:
    """An amount in 万元 (null = not given) and the decimals the source stated, in 万元 terms."""
    return {
        name: pa.Column("float64", pa.Check.ge(0), nullable=True),
        f"{name}_decimals": pa.Column("Int64", nullable=True),
    }


def _amount(nullable: bool = True) -> dict[str, pa.Column]:
    return {**_money("budget"), **_money("actual")}


def _count(name: str) -> dict[str, pa.Column]:
    return {
        name: pa.Column("Int64", pa.Check.ge(0), nullable=True),
        f"{name}_q": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        f"{name}_text": pa.Column(str, nullable=True),
    }


def _schema(name: str, columns: dict) -> pa.DataFrameSchema:
    internal = {"internal_note": pa.Column(str, nullable=True)}
    return pa.DataFrameSchema(
        {**columns, **internal, **_SRC}, name=name, strict=False, coerce=False
    )


PROCESSED: dict[str, pa.DataFrameSchema] = {
    "unit": _schema("unit", {"item": _s(), "value": _s(nullable=True)}),
    "income": _schema(
        "income",
        {
            "item": _s(),
            "is_total": pa.Column("bool"),
            **_money("current"),
            **_money("previous"),
            "note": _s(nullable=True),
        },
    ),
    "spending": _schema(
        "spending",
        {
            "budget_type": _s(checks=pa.Check.isin(BUDGET_TYPES)),
            "category": _s(checks=pa.Check.isin(SPENDING_CATEGORIES), nullable=True),
            "item": _s(),
            "is_total": pa.Column("bool"),
            **_money("original_budget"),
            **_amount(),
            **_money("previous_actual"),
            "project": _s(nullable=True),
            "note": _s(nullable=True),
        },
    ),
    "sangong": _schema("sangong", {"item": _s(checks=pa.Check.isin(SANGONG_ITEMS)), **_amount()}),
    "activities": _schema(
        "activities",
        {
            "event_id": _s(),
            "category": _s(),
            "category_order": pa.Column("int64", pa.Check.ge(1)),
            "listing_order": pa.Column("int64", pa.Check.ge(1)),
            "name": _s(),
            "start_date": pa.Column("datetime64[ns]", nullable=True),
            "end_date": pa.Column("datetime64[ns]", nullable=True),
            "timeframe": _s(nullable=True),
            "period": _s(checks=pa.Check.isin(PERIODS), nullable=True),
            "place": _s(nullable=True),
            **{k: v for m, _ in COUNT_MEASURES for k, v in _count(m).items()},
            "books_verb": _s(nullable=True),
            "materials_name": _s(nullable=True),
            "effect": _s(nullable=True),
            "includes": _s(nullable=True),
            "note": _s(nullable=True),
        },
    ),
    "holdings": _schema(
        "holdings",
        {
            "year": pa.Column("int64"),
            "holdings": pa.Column("Int64", pa.Check.ge(0)),
            "added": pa.Column("Int64", nullable=True),
            "note": _s(nullable=True),
        },
    ),
    "digital": _schema(
        "digital",
        {
            "service": _s(),
            "indicator": _s(nullable=True),
            "value": pa.Column("float64", nullable=True),
            "unit": _s(nullable=True),
            "note": _s(nullable=True),
        },
    ),
    "satisfaction": _schema(
        "satisfaction",
        {
            "survey": _s(),
            "sample": pa.Column("Int64", pa.Check.ge(0), nullable=True),
            "satisfied": pa.Column("Int64", pa.Check.ge(0), nullable=True),
            "rate": pa.Column("float64", [pa.Check.ge(0), pa.Check.le(100)]),
            "rate_decimals": pa.Column("Int64", nullable=True),
            "rate_stated": pa.Column("bool"),
        },
    ),
    "targets": _schema(
        "targets",
        {
            "project": _s(nullable=True),
            "level1": _s(nullable=True),
            "level2": _s(nullable=True),
            "level3": _s(),
            "direction": _s(checks=pa.Check.isin(DIRECTIONS)),
            "target": pa.Column("float64", nullable=True),
            "target_text": _s(),
            "actual": pa.Column("float64", nullable=True),
            "actual_text": _s(nullable=True),
            "unit": _s(nullable=True),
            "weight": pa.Column("float64", pa.Check.ge(0), nullable=True),
            "assessment": _s(checks=pa.Check.isin(ASSESSMENTS), nullable=True),
            "score": pa.Column("float64", nullable=True),
            "deviation_reason": _s(nullable=True),
            "measures": _s(nullable=True),
        },
    ),
    "texts": _schema(
        "texts",
        {
            "section": _s(),
            "custom": pa.Column("bool"),
            "title": _s(nullable=True),
            "content": _s(),
            "order": pa.Column("int64", pa.Check.ge(1)),
        },
    ),
    # the approved 申报表's 年度主要任务 (only with a 申报表 that lists them)
    "tasks": _schema(
        "tasks",
        {
            "name": _s(),
            "content": _s(nullable=True),
            **_money("amount"),
            "src_cell": _s(),
        },
    ),
    "stated": _schema(
        "stated",
        {
            "indicator": _s(),
            "value": pa.Column("float64"),
            # the decimals the source wrote (98 → 0, 103.21 → 2): a stated figure is restated
            # at its own precision
            "value_decimals": pa.Column("Int64", pa.Check.ge(0), nullable=True),
            "unit": _s(nullable=True),
            "note": _s(nullable=True),
        },
    ),
}
