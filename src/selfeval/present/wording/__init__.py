"""The words of the core layers' findings: templates keyed by code, in TOML files beside this
module, loaded and validated once.

`selfeval.checks` and `selfeval.scoring` return data (a code and the names and numbers it
concerns); the sentences a reviewer reads live here, so that wording is edited in one
declarative place and the core stays free of prose. A placeholder is ``{fact}`` or
``{fact:spec}``; the spec names how a figure is written (`SPECS`), always through the one
formatter of the rules and `selfeval.present.formats`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from selfeval.rules import decimal_str, money_str, number_str, plain_str

HERE = Path(__file__).resolve().parent
_FORMATTER = string.Formatter()


def _where(parts: Iterable[Any]) -> str:
    """文件 工作表 第N行 of an input row ([file, sheet, row]; blanks left out)."""
    file, sheet, row = [*parts, None, None, None][:3]
    words = [str(file or ""), str(sheet or ""), f"第{int(row)}行" if row not in (None, "") else ""]
    return " ".join(w for w in words if w)


def whose(project: str | None) -> str:
    """Whose table a finding is about: 项目「…」 for a project's, blank for the unit's own."""
    return f"项目「{project}」" if project else ""


def _money_terms(terms: Iterable[Any], unit: str) -> str:
    return " + ".join(f"{name}{money_str(float(value), unit)}" for name, value in terms)


#: How a placeholder's value is written, by spec (`unit`: the amounts' 金额单位).
SPECS: dict[str, Callable[[Any, str], str]] = {
    "": lambda v, _u: str(v),
    "money": lambda v, u: money_str(v, u),
    "count": lambda v, _u: number_str(v),
    "dec": lambda v, _u: decimal_str(v),
    "plain": lambda v, _u: plain_str(v),
    "int": lambda v, _u: str(int(v)),
    "names": lambda v, _u: "、".join(str(x) for x in v),
    # 分值 by 一级指标 as a form fixes them: [(name, weight), …] → 管理指标30分、产出指标25分
    "weights": lambda v, _u: "、".join(f"{k}{plain_str(w)}分" for k, w in v),
    "dot": lambda v, _u: "·".join(str(x) for x in v),
    "quoted": lambda v, _u: "".join(f"「{x}」" for x in v),
    "quoted_names": lambda v, _u: "、".join(f"「{x}」" for x in v),
    "counts": lambda v, _u: " + ".join(number_str(x) for x in v),
    "money_terms": lambda v, u: _money_terms(v, u),
    "where": lambda v, _u: _where(v),
    "dash": lambda v, _u: str(v) if v else "—",
    # whose table a finding is about: a project's, or (blank) the unit's own
    "whose": lambda v, _u: whose(v),
    "whose_or_unit": lambda v, _u: whose(v) or "本单位",
}


def placeholders(template: str) -> list[tuple[str, str]]:
    """The (fact, spec) pairs of a template, in order."""
    return [(name, spec or "") for _, name, spec, _ in _FORMATTER.parse(template) if name]


@cache
def templates(name: str) -> dict[str, str]:
    """The templates of `name`.toml (code -> template), validated: every spec known."""
    with (HERE / f"{name}.toml").open("rb") as handle:
        found = tomllib.load(handle)
    for code, template in found.items():
        if not isinstance(template, str):
            raise TypeError(f"wording {name}.toml: {code} is not a template string")
        for fact, spec in placeholders(template):
            if spec not in SPECS:
                raise KeyError(f"wording {name}.toml: {code} uses unknown spec {fact}:{spec}")
    return found


def render(name: str, codes: Iterable[str], facts: Mapping[str, Any], unit: str = "万元") -> str:
    """The sentence of `codes` (templates of `name`.toml, concatenated) with `facts` filled in;
    amounts written in `unit` unless the facts name their own."""
    unit = str(facts.get("unit") or unit)
    words = templates(name)
    out = []
    for code in codes:
        for literal, fact, spec, _ in _FORMATTER.parse(words[code]):
            out.append(literal)
            if fact:
                out.append(SPECS[spec or ""](facts[fact], unit))
    return "".join(out)


@cache
def word_lists(name: str) -> dict[str, tuple[str, ...]]:
    """The word lists of `name`.toml (key -> words), validated: each a list of non-empty
    strings. A rule of the prose acts on the words listed there, so that a word is added in
    the data, not in the code."""
    with (HERE / f"{name}.toml").open("rb") as handle:
        found = tomllib.load(handle)
    for key, words in found.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise TypeError(f"wording {name}.toml: {key} is not a list of words")
    return {key: tuple(words) for key, words in found.items()}
