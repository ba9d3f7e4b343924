"""收入合计 is stated only when the unit gave it or when the lines are known to be all its parts
(every source of `contract.sheets.INCOME_SOURCES` given, 0 included); shares only against it.

Totals and shares are worked out by hand in each test from the figures written into it."""

from __future__ import annotations

import pandas as pd
import pytest

from selfeval.figures.income import income_figures


def _income(*rows: tuple[str, float | None]) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "item": [r[0] for r in rows],
            "current": pd.array([r[1] for r in rows], dtype="float64"),
            "previous": pd.array([None] * len(rows), dtype="float64"),
            "current_decimals": pd.array([2] * len(rows), dtype="Int64"),
            "previous_decimals": pd.array([None] * len(rows), dtype="Int64"),
            "note": [None] * len(rows),
        }
    )
    return {"income": frame}


ALL_SOURCES = [("财政拨款收入", 90.0), ("事业收入", 6.0), ("经营收入", 0.0), ("其他收入", 4.0)]


def test_a_stated_total_is_the_total_and_the_shares_are_of_it():
    income = income_figures(_income(("收入合计", 120.0), ("业务收入", 30.0)))
    assert income.total_stated and income.total.current == 120.0
    assert income.parts[0].share == pytest.approx(25.0)  # 30 / 120


def test_a_stated_total_of_zero_is_stated_and_gives_no_share():
    income = income_figures(_income(("收入合计", 0.0), ("其他收入", 0.0)))
    assert income.total_stated and income.total.current == 0.0
    assert income.parts[0].share is None


def test_every_source_listed_is_all_the_parts_and_their_sum_the_total():
    income = income_figures(_income(*ALL_SOURCES, ("上级补助收入", 10.0)))
    assert not income.total_stated
    assert income.total.current == pytest.approx(110.0)  # 90 + 6 + 0 + 4 + 10
    assert [p.share for p in income.parts] == pytest.approx(
        [90 / 110 * 100, 6 / 110 * 100, 0.0, 4 / 110 * 100, 10 / 110 * 100]
    )


@pytest.mark.parametrize(
    "rows",
    [
        [("业务收入", 77.57)],  # one line: a part, not the whole
        [("财政拨款收入", 90.0), ("其他收入", 10.0)],  # 事业收入, 经营收入 not listed
        [*ALL_SOURCES[:3], ("其他收入", None)],  # 其他收入 listed, not given
        [*ALL_SOURCES, ("业务收入", None)],  # a further line not given
    ],
)
def test_some_of_the_parts_give_no_total_and_no_share(rows):
    income = income_figures(_income(*rows))
    assert income.total is None
    assert all(p.share is None for p in income.parts)
