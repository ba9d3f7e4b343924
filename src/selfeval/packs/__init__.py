"""Rule packs: the 自评表 each province's finance office accepts, one TOML file per form.

A pack is data (`<id>.toml` beside this module): its name as the unit writes it in 单位概况
「自评表格式」, its scoring rules (`[scoring]`, read here into a typed `ScoringRules`) and its
table layout (`[form]`, read by present). A new province is a new file and a test, no code:
the ids are the files found. The national pack is today's rules exactly; the unit's own
settings in 单位概况 (预算执行率分值, 执行率口径, 等级标准) apply on top of any pack.

A pack whose rules cannot be used is the program's fault, not the unit's: an `InternalError`
naming the file and the key. An unknown 「自评表格式」 is the unit's: an `InputError` naming the
allowed values.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from selfeval.errors import InputError, InternalError, problem

DEFAULT_PACK = "national"
#: The 单位概况 item that chooses a pack.
PACK_ITEM = "自评表格式"
#: What the 预算执行率 may divide by (the unit's 执行率口径 takes the same values, but 年初预算数).
EXECUTION_BASES = ("全年预算数", "调整后预算数", "年初预算数", "实际到位资金")
#: ratio: 执行率 × 分值, at most 分值; split: the same for each 支出 category (基本支出, 项目支出)
#: with its own points, summed.
EXECUTION_FORMULAS = ("ratio", "split")
_SCORING_KEYS = frozenset(
    {
        "source",
        "level1_weights",
        "execution_weight",
        "execution_base",
        "execution_formula",
        "execution_split",
        "execution_rule",
        "equal_tolerance",
        "over_factor",
        "over_penalty",
        "reason_threshold",
        "rescale_not_applicable",
        "adjusted_target",
        "text_limits",
        "total_caps",
        "grades",
    }
)


def _pack_ids() -> tuple[str, ...]:
    files = resources.files(__name__).iterdir()
    found = sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))
    return (DEFAULT_PACK, *[i for i in found if i != DEFAULT_PACK])


#: Every pack's id (its file name), the national pack first.
PACK_IDS = _pack_ids()


@dataclass(frozen=True)
class TotalCap:
    """A cap on the total: with an 执行率 below `below` percent, at most `at_most` points."""

    below: float
    at_most: float


@dataclass(frozen=True)
class ScoringRules:
    """One pack's scoring rules, validated (what each means: the comments in national.toml)."""

    pack: str
    name: str
    source: str
    level1_weights: tuple[tuple[str, float], ...]
    execution_weight: float
    execution_base: str
    execution_formula: str
    execution_split: tuple[tuple[str, float], ...]
    execution_rule: bool
    equal_tolerance: float
    over_factor: float
    over_penalty: float
    reason_threshold: float
    rescale_not_applicable: bool
    #: Whether an indicator's 调整后指标值, where stated, is the target its 得分 is computed
    #: against (forms that print it beside the 年初 value: 重庆); else it is only shown.
    adjusted_target: bool
    #: 文字说明 sections the form holds in a cell of limited length (四川: 评价结论, 存在问题,
    #: 改进措施 within 200 characters each): (section, characters); a longer text is a ⚠.
    text_limits: tuple[tuple[str, float], ...]
    #: Strictest last: the lowest `below` that the rate is under wins.
    total_caps: tuple[TotalCap, ...]
    #: (name, lower bound), best first; the last name is every total below the others.
    grades: tuple[tuple[str, float], ...]


def _path(pack: str) -> str:
    return f"selfeval/packs/{pack}.toml"


def _bad(pack: str, key: str, what: str) -> InternalError:
    return InternalError(_path(pack), None, ValueError(f"[scoring] {key}: {what}"))


@cache
def load_pack(pack: str) -> dict[str, Any]:
    """The whole TOML table of the pack `pack` (an id of PACK_IDS)."""
    if pack not in PACK_IDS:
        raise InternalError(_path(pack), None, KeyError(f"no such pack; packs: {PACK_IDS}"))
    data = (resources.files(__name__) / f"{pack}.toml").read_bytes()
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InternalError(_path(pack), None, exc) from exc


def pack_names() -> dict[str, str]:
    """Each pack's name (「四川」) → its id, the national pack first."""
    names: dict[str, str] = {}
    for pack in PACK_IDS:
        name = load_pack(pack).get("name")
        if not isinstance(name, str) or not name.strip():
            raise InternalError(_path(pack), None, ValueError("name: a non-empty string"))
        if name in names:
            raise InternalError(_path(pack), None, ValueError(f"name: {name} twice"))
        names[name.strip()] = pack
    return names


def pack_by_name(name: str | None) -> str:
    """The id of the pack a unit's 「自评表格式」 names; none given is the national pack.

    Raises:
        InputError: a name no pack has (one problem naming the allowed values).
    """
    names = pack_names()
    text = (name or "").strip()
    if not text:
        return DEFAULT_PACK
    if text not in names:
        raise InputError(
            [
                problem(
                    "单位概况",
                    "单位概况",
                    None,
                    PACK_ITEM,
                    f"不是「{PACK_ITEM}」的可选值 / not a known form",
                    value=text,
                    expected="、".join(names),
                )
            ]
        )
    return names[text]


def _number(pack: str, key: str, value: Any, *, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise _bad(pack, key, f"a number not below {low:g}, not {value!r}")
    return float(value)


def _weights(pack: str, key: str, value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise _bad(pack, key, "a table of 名称 = 分值")
    return tuple((str(k), _number(pack, f"{key}.{k}", v)) for k, v in value.items())


def _choice(pack: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _bad(pack, key, f"one of {', '.join(allowed)}, not {value!r}")
    return value


def _caps(pack: str, value: Any) -> tuple[TotalCap, ...]:
    if not isinstance(value, list):
        raise _bad(pack, "total_caps", "a list of [执行率, 总分上限]")
    caps = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise _bad(pack, f"total_caps[{i}]", "[执行率, 总分上限]")
        caps.append(
            TotalCap(
                _number(pack, f"total_caps[{i}]", pair[0]),
                _number(pack, f"total_caps[{i}]", pair[1]),
            )
        )
    return tuple(sorted(caps, key=lambda c: -c.below))


def _grades(pack: str, value: Any) -> tuple[tuple[str, float], ...]:
    ok = isinstance(value, list) and len(value) >= 2
    ok = ok and all(isinstance(g, list) and len(g) == 2 and isinstance(g[0], str) for g in value)
    if not ok:
        raise _bad(pack, "grades", "a list of at least two [名称, 下限], best first")
    grades = tuple((g[0], _number(pack, f"grades.{g[0]}", g[1])) for g in value)
    bounds = [b for _, b in grades]
    if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
        raise _bad(pack, "grades", "lower bounds must fall strictly, best first")
    return grades


@cache
def scoring_rules(pack: str = DEFAULT_PACK) -> ScoringRules:
    """The validated `[scoring]` table of the pack `pack`.

    Raises:
        InternalError: the pack's file and the key that cannot be used.
    """
    table = load_pack(pack).get("scoring")
    if not isinstance(table, dict):
        raise _bad(pack, "(table)", "missing")
    missing = sorted(_SCORING_KEYS - set(table))
    unknown = sorted(set(table) - _SCORING_KEYS)
    if missing or unknown:
        raise _bad(pack, ", ".join(missing or unknown), "missing" if missing else "unknown key")
    formula = _choice(pack, "execution_formula", table["execution_formula"], EXECUTION_FORMULAS)
    split = _weights(pack, "execution_split", table["execution_split"])
    weight = _number(pack, "execution_weight", table["execution_weight"])
    if formula == "split" and abs(sum(w for _, w in split) - weight) > 1e-9:
        raise _bad(pack, "execution_split", "its points must add to execution_weight")
    level1 = _weights(pack, "level1_weights", table["level1_weights"])
    if level1 and abs(sum(w for _, w in level1) + weight - 100) > 1e-9:
        raise _bad(pack, "level1_weights", "with execution_weight they must add to 100")
    for key in ("execution_rule", "rescale_not_applicable", "adjusted_target"):
        if not isinstance(table[key], bool):
            raise _bad(pack, key, "true or false")
    return ScoringRules(
        pack=pack,
        name=load_pack(pack)["name"],
        source=str(table["source"]),
        level1_weights=level1,
        execution_weight=weight,
        execution_base=_choice(pack, "execution_base", table["execution_base"], EXECUTION_BASES),
        execution_formula=formula,
        execution_split=split,
        execution_rule=table["execution_rule"],
        equal_tolerance=_number(pack, "equal_tolerance", table["equal_tolerance"]),
        over_factor=_number(pack, "over_factor", table["over_factor"], low=1.0),
        over_penalty=_number(pack, "over_penalty", table["over_penalty"]),
        reason_threshold=_number(pack, "reason_threshold", table["reason_threshold"]),
        rescale_not_applicable=table["rescale_not_applicable"],
        adjusted_target=table["adjusted_target"],
        text_limits=_weights(pack, "text_limits", table["text_limits"]),
        total_caps=_caps(pack, table["total_caps"]),
        grades=_grades(pack, table["grades"]),
    )


def _overridden_grades(grades: tuple[tuple[str, float], ...], text: str) -> tuple:
    """The pack's grades with the bounds a 等级标准 such as 「优90 良80 中60」 names (by grade
    name; the last grade has no bound of its own)."""
    names = "|".join(re.escape(name) for name, _ in grades[:-1])
    found = dict(re.findall(rf"({names})\D*?(\d+(?:\.\d+)?)", text))
    return tuple((name, float(found.get(name, bound))) for name, bound in grades)


def rules_for(settings: Mapping[str, str]) -> ScoringRules:
    """The rules a unit's 单位概况 chooses: the pack its 「自评表格式」 names, then its own
    预算执行率分值, 执行率口径 and 等级标准 on top (so data written before packs scores as
    it did). A 预算执行率分值 under a split formula scales each part alike.

    Raises:
        InputError: an unknown 「自评表格式」.
    """
    rules = scoring_rules(pack_by_name(settings.get(PACK_ITEM)))
    points = settings.get("预算执行率分值")
    if points not in (None, ""):
        weight = float(points)
        old = rules.execution_weight
        split = tuple((k, w * weight / old if old else 0.0) for k, w in rules.execution_split)
        rules = replace(rules, execution_weight=weight, execution_split=split)
    base = settings.get("执行率口径")
    if base:
        rules = replace(rules, execution_base=base)
    grades = settings.get("等级标准")
    if grades:
        rules = replace(rules, grades=_overridden_grades(rules.grades, grades))
    return rules
