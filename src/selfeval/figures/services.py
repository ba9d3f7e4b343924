"""满意度 and 数字服务 as the report states them."""

from __future__ import annotations

import pandas as pd

from selfeval.figures.common import num, row_source, table
from selfeval.rules import as_text, is_missing


def satisfaction(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Surveys with their rate (percent), decimals to show, sample and satisfied counts."""
    frame = table(tables, "satisfaction")
    if frame is None:
        return []
    out = []
    for r in frame.itertuples(index=False):
        rate = num(r.rate)
        stated = rate is not None
        if rate is None and not is_missing(r.sample) and int(r.sample) > 0:
            rate = int(r.satisfied) / int(r.sample) * 100
        # a rate the unit states keeps its own precision (96.5 stays 96.5%, as a stated 预算执行率
        # does); one computed from the sample has two decimals, as every computed rate
        decimals = 2 if is_missing(getattr(r, "rate_decimals", None)) else int(r.rate_decimals)
        out.append(
            {
                "survey": as_text(r.survey),
                "rate": rate,
                "decimals": decimals,
                "sample": None if is_missing(r.sample) else int(r.sample),
                "satisfied": None if is_missing(r.satisfied) else int(r.satisfied),
                "rate_stated": stated,  # else computed: 满意 ÷ 样本
                "source": row_source(r),
            }
        )
    return out


def digital_services(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Digital services in order of appearance, each with its rows (note, indicator, value)."""
    frame = table(tables, "digital")
    if frame is None:
        return []
    services: dict[str, dict] = {}
    for r in frame.itertuples(index=False):
        name = as_text(r.service)
        entry = services.setdefault(name, {"service": name, "rows": []})
        entry["rows"].append(
            {
                "note": as_text(r.note),
                "indicator": as_text(r.indicator),
                "value": num(r.value),
                "unit": as_text(r.unit),
            }
        )
    return list(services.values())
