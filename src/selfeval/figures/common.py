"""Small helpers of the figures layer: a table of the year, numbers from cells."""

from __future__ import annotations

from typing import Any

import pandas as pd

from selfeval.rules import is_missing


def num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    """The table `name`, or None when the year lacks it (or it has no rows)."""
    frame = tables.get(name)
    if frame is None or len(frame) == 0:
        return None
    return frame
