"""单位概况 items and 文字说明 by section."""

from __future__ import annotations

import pandas as pd

from selfeval.figures.common import table
from selfeval.rules import as_text


def unit_info(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """单位概况 as an ordered mapping item → value (items not given are absent)."""
    unit = table(tables, "unit")
    if unit is None:
        return {}
    return {as_text(r.item): as_text(r.value) for r in unit.itertuples(index=False)}


def texts(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """文字说明 by section key, in sheet order: {"title": first stated title or None,
    "paragraphs": [...], "custom": whether the key is a unit's own subsection title of 六}."""
    frame = table(tables, "texts")
    out: dict[str, dict] = {}
    if frame is None:
        return out
    for r in frame.sort_values("order", kind="stable").itertuples(index=False):
        custom = bool(getattr(r, "custom", False))
        entry = out.setdefault(str(r.section), {"title": None, "paragraphs": [], "custom": custom})
        title = as_text(r.title)
        if title and entry["title"] is None:
            entry["title"] = title
        for para in as_text(r.content).splitlines():
            if para.strip():
                entry["paragraphs"].append(para.strip())
    return out
