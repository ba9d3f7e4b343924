"""What a 主管部门's sums read of each member's year: typed, read from the stored JSON once.

A department's figures (`figures.department`) are summed over 本级 and its units from their
stored results (results.json, which the batch ships to the department's build in units.json,
see run.department). Those files are JSON; this module is the one place that reads them: each
`from_json` checks the shape of what the sums use (keys present, numbers numbers) and raises a
`MemberResultsError` naming the unit and the file, so a malformed or outdated file is said once,
in Chinese, instead of being summed as "not given" or failing deep inside a sum.

Only the parts a sum reads are kept. A key is required when the producing dataclass
(figures.spending.Amount, figures.income.IncomeLine, scoring.Funds, …) has no default; a key
added later with a default has the same default here, so a year stored before it reads the
same as it did. Values are strict (pydantic's Strict types): a text where a figure belongs is
refused, not converted, since 「109,17」 read leniently is 10917.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter, ValidationError

from selfeval.errors import MemberResultsError

#: A member's figure: (value in 万元, decimals) — value None when not given.
Figure = tuple[float | None, int | None]
NONE: Figure = (None, None)

Number = StrictFloat | None
Decimals = StrictInt | None


@dataclass(frozen=True)
class MemberLine:
    """A spending line as stored (figures.spending.Amount): 预算数, 执行数 and their decimals."""

    label: StrictStr
    actual: Number
    budget: Number = None
    actual_decimals: Decimals = None
    budget_decimals: Decimals = None

    def figure(self, measure: str) -> Figure:
        """`measure` ("budget"/"actual") with its decimals."""
        if measure == "budget":
            return self.budget, self.budget_decimals
        return self.actual, self.actual_decimals


@dataclass(frozen=True)
class MemberType:
    """One 预算类型 as stored (figures.spending.BudgetTypeSpending)."""

    total: MemberLine
    categories: Mapping[StrictStr, MemberLine] = field(default_factory=dict)
    items: Mapping[StrictStr, tuple[MemberLine, ...]] = field(default_factory=dict)
    basic_groups: Mapping[StrictStr, MemberLine] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberIncomeLine:
    """A 收入 line as stored (figures.income.IncomeLine): 本年数 and its parts."""

    label: StrictStr
    current: Number
    current_decimals: Decimals = None
    parts: tuple[MemberIncomeLine, ...] = ()

    @property
    def figure(self) -> Figure:
        return self.current, self.current_decimals


@dataclass(frozen=True)
class MemberIncome:
    """收入 as stored (figures.income.Income)."""

    total: MemberIncomeLine | None
    parts: tuple[MemberIncomeLine, ...]
    carried_over: MemberIncomeLine | None = None


@dataclass(frozen=True)
class _StatedRate:
    value: StrictFloat


@dataclass(frozen=True)
class _Funds:
    rate: Number
    stated_rate: _StatedRate | None = None


@dataclass(frozen=True)
class _StatedTotal:
    value: StrictFloat
    decimals: StrictInt | None = None


@dataclass(frozen=True)
class _Scoring:
    funds: _Funds
    total: Number
    grade: StrictStr | None
    stated_total: _StatedTotal | None = None


@dataclass(frozen=True)
class _Check:
    ok: StrictBool


@dataclass(frozen=True)
class _Spending:
    types: Mapping[StrictStr, MemberType | None]


@dataclass(frozen=True)
class _Figures:
    year: StrictInt
    unit_name: StrictStr
    unit: Mapping[StrictStr, StrictStr]
    spending: _Spending
    income: MemberIncome | None = None
    amount_unit: StrictStr = "万元"


@dataclass(frozen=True)
class _Stored:
    """The shape of the parts of results.json a department reads (validated by pydantic)."""

    figures: _Figures
    scoring: _Scoring
    checks: tuple[_Check, ...]


@dataclass(frozen=True)
class MemberYear:
    """What a department sum reads of one member's year (本级 or a unit), from its results.json."""

    unit_name: str
    year: int
    #: How the member states amounts (its 单位概况 金额单位); stored figures are in 万元.
    amount_unit: str
    #: Its 单位概况 items (a department's 部门合计预算数/执行数, as written).
    unit: Mapping[str, str]
    #: Its spending by 预算类型 (the types it states).
    types: Mapping[str, MemberType]
    income: MemberIncome | None
    #: The 自评表's 总分 and 等级, the program's 执行率 and the one the unit states (声明数).
    score: float | None
    grade: str | None
    rate: float | None
    stated_rate: float | None
    #: How many of its 数据核对 rows are flagged ⚠.
    flagged_checks: int
    #: The decimals of a 总分 the unit states itself (98 → 0): restated as written, never
    #: 98.00; None for the program's total (two decimals).
    score_decimals: int | None = None

    @classmethod
    def from_json(cls, results: Any, where: str, advice: str = "") -> MemberYear:
        """A member's year from its results.json as a JSON value; `where` names the unit and
        the file, `advice` what to run, in the `MemberResultsError` of a shape not the stored
        one."""
        stored = _validate(_stored_adapter(), results, where, advice or _REBUILD_UNIT)
        fig, scoring = stored.figures, stored.scoring
        stated = scoring.funds.stated_rate
        own_total = scoring.stated_total
        return cls(
            unit_name=fig.unit_name,
            year=fig.year,
            amount_unit=fig.amount_unit,
            unit=dict(fig.unit),
            types={t: e for t, e in fig.spending.types.items() if e is not None},
            income=fig.income,
            score=scoring.total,
            grade=scoring.grade,
            rate=scoring.funds.rate,
            stated_rate=None if stated is None else stated.value,
            flagged_checks=sum(1 for c in stored.checks if not c.ok),
            score_decimals=None if own_total is None else own_total.decimals,
        )


@dataclass(frozen=True)
class _Entry:
    """One entry of units.json as run.department.units_payload writes it."""

    declared: StrictStr
    unit_name: StrictStr
    folder: StrictStr | None = None
    year: StrictInt | None = None
    results: dict[StrictStr, Any] | None = None


@dataclass(frozen=True)
class MemberUnit:
    """A declared unit of a department: its name (its own 单位名称, else as declared) and its
    year's results (None: the unit has no built year, nothing of it is in any sum)."""

    name: str
    results: MemberYear | None
    declared: str = ""
    folder: str | None = None

    @classmethod
    def from_json(cls, entry: Any, source: str, number: int = 1) -> MemberUnit:
        """A unit from entry `number` (from 1) of units.json; `source` names that file."""
        where = f"{source} 中的第 {number} 项下属单位"
        unit = _validate(_entry_adapter(), entry, where, _REBUILD_DEPARTMENT)
        name = unit.unit_name or unit.declared
        results = None
        if unit.results is not None:
            where, advice = f"下属单位「{name}」的分析结果（{source}）", ""
            if unit.folder:  # the file it was copied from, and the command that rebuilds both
                stored = f"data/processed/{unit.folder}/{unit.year}/results.json"
                where = f"下属单位「{name}」的分析结果（{source}，来自 {stored}）"
                advice = (
                    f'请重新生成该单位的该年度（make report UNITS="{unit.folder}"'
                    f' YEARS="{unit.year}"，其主管部门随之重新生成）'
                )
            results = MemberYear.from_json(unit.results, where, advice)
        return cls(name, results, unit.declared, unit.folder)


def units_from_json(payload: Any, source: str = "units.json") -> list[MemberUnit] | None:
    """A department's units from units.json as read (None: the year is no department's)."""
    if payload is None:
        return None
    if not isinstance(payload, list):
        raise MemberResultsError(
            f"{source} 格式不符：应为下属单位的列表，{_REBUILD_DEPARTMENT}"
            f" / {source} is not a list of units"
        )
    return [MemberUnit.from_json(entry, source, n) for n, entry in enumerate(payload, 1)]


# ------------------------------------------------------------------------------ validation

_REBUILD_UNIT = "请重新生成该单位的该年度（make report），再生成主管部门"
_REBUILD_DEPARTMENT = "请重新生成主管部门的该年度（make report）"
#: pydantic's error types, said in Chinese.
_EXPECTED = {
    "missing": "缺少此项",
    "float_type": "应为数字",
    "int_type": "应为整数",
    "string_type": "应为文字",
    "bool_type": "应为 true 或 false",
    "dict_type": "应为键值对象",
    "dataclass_type": "应为键值对象",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
}


@cache
def _stored_adapter() -> TypeAdapter:
    return TypeAdapter(_Stored)


@cache
def _entry_adapter() -> TypeAdapter:
    return TypeAdapter(_Entry)


def _validate(adapter: TypeAdapter, value: Any, where: str, advice: str) -> Any:
    """`value` validated by `adapter`, or one MemberResultsError listing each problem's key."""
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        found = [(".".join(map(str, e["loc"])) or "（整体）", e) for e in error.errors()]
        more = f" 等 {len(found)} 处" if len(found) > 5 else ""
        shown = "；".join(f"{k} {_EXPECTED.get(e['type'], e['msg'])}" for k, e in found[:5])
        english = "; ".join(f"{k}: {e['msg']}" for k, e in found[:5])
        raise MemberResultsError(
            f"{where}格式不符，无法计入部门整体：{shown}{more}。该文件可能由旧版本生成或被改动过，"
            f"{advice} / malformed stored results of a department's member: {english}"
        ) from None
