"""The bundled Chinese font: located in the pinned `mplfonts` wheel, registered with matplotlib.

Only the SIL-OFL licensed Noto Sans CJK SC of that wheel is used; no system font is relied on.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    """Path of the Noto Sans CJK SC file shipped by `mplfonts`, without importing that package."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少字体包 mplfonts，请运行 make venv / font package mplfonts missing")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"字体文件不存在 / font file missing: {path}")
    return path


@cache
def register_font() -> str:
    """Register the CJK font with matplotlib once per process and return its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return FONT_FAMILY
