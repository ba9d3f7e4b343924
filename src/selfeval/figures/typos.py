"""Suspected typos in the unit's own text (issue #30): 公信部 for 工信部, 有力的推动 for 有力地推动.

The rules are data (`typos.toml` beside this module: fixed confusions and patterns); the checker
scans every text column of the processed tables that the contract declares (the 内部备注 left
out: no report shows it) and returns each hit as facts — where (the input row and column, in
the words input problems use), the 编号 of an activity, the words and their suggested
correction. The 审核底稿 words them (`present.blocks.closing`); the 报送稿 keeps the unit's words,
since only the unit may correct what it wrote.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from selfeval.contract.sheets import SHEETS_BY_TABLE
from selfeval.errors import Problem
from selfeval.rules import as_text, is_missing

#: Column kinds of the contract that hold the unit's words.
TEXT_KINDS = ("text", "prose")
#: Never shown in a report: not the unit's published words.
SKIPPED_COLUMNS = ("internal_note",)
#: Characters of text shown on each side of a hit, so the reviewer finds it in a long cell.
CONTEXT_CHARS = 8


@dataclass(frozen=True)
class Rule:
    """One typo rule: a compiled pattern, its replacement and why."""

    pattern: re.Pattern[str]
    right: str
    why: str = ""


@dataclass(frozen=True)
class Typo:
    """One suspected typo: where it is, the words, the suggested words and why."""

    #: The input cell (「数字服务.csv 第4行「说明」」), in the words input problems use.
    where: str
    #: The words as the unit wrote them, and as the rule suggests.
    found: str
    right: str
    #: The text around the words (「在国家公信部已备案」), to find them in a long cell.
    excerpt: str
    why: str = ""
    #: The 编号 of the activity the text belongs to ("" when none).
    event_id: str = ""


def parse_rules(data: dict[str, Any]) -> tuple[Rule, ...]:
    """The rules of a typo file's TOML: [[fixed]] words (matched literally) and [[pattern]]s."""
    rules = [
        Rule(re.compile(re.escape(r["wrong"])), r["right"], r.get("why", ""))
        for r in data.get("fixed", [])
    ]
    rules += [
        Rule(re.compile(r["match"]), r["right"], r.get("why", "")) for r in data.get("pattern", [])
    ]
    return tuple(rules)


@cache
def default_rules() -> tuple[Rule, ...]:
    """The package's rules (`typos.toml`), read once."""
    data = (resources.files(__package__) / "typos.toml").read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(data))


#: One hit in a text: (found, right, excerpt, why).
Hit = tuple[str, str, str, str]


def find_in_text(text: str, rules: tuple[Rule, ...] | None = None) -> list[Hit]:
    """Each hit in `text` as (found, right, excerpt, why), in the order of the text."""
    hits = []
    for rule in default_rules() if rules is None else rules:
        for m in rule.pattern.finditer(text):
            start, end = max(0, m.start() - CONTEXT_CHARS), m.end() + CONTEXT_CHARS
            excerpt = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            hits.append((m.start(), m.group(0), m.expand(rule.right), excerpt, rule.why))
    return [h[1:] for h in sorted(hits, key=lambda h: h[0])]


def _where(row: dict[str, Any], header: str) -> str:
    file = as_text(row.get("src_file"))
    if not file:
        return f"「{header}」"
    line = row.get("src_row")
    sheet = as_text(row.get("src_sheet")) or None
    return Problem(file, sheet, None if is_missing(line) else int(line), header).location()


def table_typos(
    tables: dict[str, pd.DataFrame], rules: tuple[Rule, ...] | None = None
) -> list[Typo]:
    """Every suspected typo in the text columns of a year's processed tables, by sheet in the
    contract's order, then row and column."""
    found = []
    for table, spec in SHEETS_BY_TABLE.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        columns = [
            c
            for c in spec.columns
            if c.kind in TEXT_KINDS and c.key not in SKIPPED_COLUMNS and c.key in frame.columns
        ]
        for row in frame.to_dict("records"):
            event = as_text(row.get("event_id"))
            event = "" if event.startswith("行") else event  # 「行5」: no 编号 was written
            for col in columns:
                text = as_text(row.get(col.key))
                for words, right, excerpt, why in find_in_text(text, rules) if text else ():
                    where = _where(row, col.header)
                    found.append(Typo(where, words, right, excerpt, why, event))
    return found
