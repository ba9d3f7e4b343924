"""执行率: one function (`rules.execution_rate`) and one rule for a missing or zero 预算数, used by
the cleaner's row check, the spending figures, the 自评表, 数据核对 and a department's members.

Each case gives the 预算数 (a figure, stated as 0, not given) and expects by hand: 45 ÷ 50 = 90%,
no rate over 0 or over nothing, never a negative or infinite percentage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from selfeval.checks import check_rates
from selfeval.figures.department import Line, Sum, unit_row
from selfeval.figures.members import MemberYear
from selfeval.figures.spending import Amount
from selfeval.present.checks_view import check_item
from selfeval.rules import execution_rate
from selfeval.scoring import ACTUAL_MISSING, BUDGET_MISSING, score_funds

SRC = Path(__file__).resolve().parents[3] / "src" / "selfeval"

#: (预算数, 执行数, the rate by hand): a figure, a budget stated as 0, a budget not given, a
#: budget below 0 (no budget to speak of), a 执行数 not given.
CASES = [
    (50.0, 45.0, 90.0),
    (0.0, 45.0, None),
    (None, 45.0, None),
    (-5.0, 45.0, None),
    (50.0, None, None),
    (50.0, 0.0, 0.0),
]


@pytest.mark.parametrize(("budget", "actual", "rate"), CASES)
def test_every_layer_gives_the_same_rate(budget, actual, rate):
    assert execution_rate(actual, budget) == (None if rate is None else pytest.approx(rate))
    assert Amount("项目一", actual, budget).rate == execution_rate(actual, budget)
    members = ["本级"]
    line = Line("合计", 0, Sum("预算数", budget, members), Sum("执行数", actual, members))
    assert line.rate == execution_rate(actual, budget)
    spending = pd.DataFrame(
        {
            "budget_type": ["一般公共预算"],
            "category": ["项目支出"],
            "item": ["项目一"],
            "is_total": [False],
            "budget": [budget],
            "actual": [actual],
        },
        dtype=object,
    ).astype({"budget": "float64", "actual": "float64"})
    funds = score_funds(spending)
    assert funds.rate == execution_rate(actual, budget)
    if rate is None:
        assert funds.score is None
        # the budget is what lacks, unless a budget is given and only the 执行数 is not
        assert funds.marker == (ACTUAL_MISSING if budget and budget > 0 else BUDGET_MISSING)
    member = MemberYear("本级", 2024, "万元", {}, {}, None, None, None, None, None, 0)
    assert unit_row("本级", member).execution_rate is None  # nothing stated: nothing computed


def test_a_rate_above_100_is_flagged_only_over_a_budget_above_zero():
    frame = pd.DataFrame(
        {
            "budget_type": ["一般公共预算"] * 3,
            "category": ["项目支出"] * 3,
            "item": ["甲", "乙", "丙"],
            "budget": [40.0, 0.0, float("nan")],
            "actual": [50.0, 5.0, 5.0],
            "note": [None] * 3,
            "src_file": ["支出.csv"] * 3,
            "src_sheet": ["支出"] * 3,
            "src_row": [2, 3, 4],
        }
    )
    (flagged,) = check_rates(frame)
    assert check_item(flagged).startswith("一般公共预算·项目支出·甲")  # 50 ÷ 40 = 125%


def test_no_module_divides_by_a_budget_but_the_one_rule():
    """The rate is written once: no other module of the package divides an 执行数 by a 预算数."""
    division = re.compile(r"actual[\w.\])]*\s*/\s*[\w.(]*budget")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "rules.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if division.search(line)
    ]
    assert found == []
