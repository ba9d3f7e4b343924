"""The bundled Chinese font: located in the pinned `mplfonts` wheel, registered with matplotlib.

Only the SIL-OFL licensed Noto Sans CJK SC of that wheel is used; no system font is relied on.

Why a private family name: Debian's ``fonts-noto-cjk`` (and most Chinese Linux desktops) carry a
``NotoSansCJK-Regular.ttc`` whose family name is also "Noto Sans CJK SC". matplotlib's font
cache lives in the user's home and is shared by every venv; when it was built after the system
font appeared, ``findfont("Noto Sans CJK SC")`` returns the system file and charts then depend on
the machine. The bundled file is therefore registered under a family name that only it carries
(`CHART_FAMILY`), so matplotlib can resolve that name to no other file, whatever its cache holds.
A project-local ``MPLCONFIGDIR`` alone would not help: the cache it builds also lists the system
fonts.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from functools import cache
from pathlib import Path

#: The font's own family name, as documents and the README name it.
FONT_FAMILY = "Noto Sans CJK SC"
#: The family name charts ask matplotlib for; carried only by the bundled file.
CHART_FAMILY = "selfeval Noto Sans CJK SC"
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
    """Register the bundled file under `CHART_FAMILY` once per process; returns that name."""
    from matplotlib import font_manager

    path = str(font_path())
    entry = font_manager.ttfFontProperty(font_manager.get_font(path))
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if f.name != CHART_FAMILY]
    manager.ttflist.append(replace(entry, name=CHART_FAMILY))
    manager._findfont_cached.cache_clear()
    return CHART_FAMILY
