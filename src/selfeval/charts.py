"""Charts for the report: one place sets theme, palette and font; plot functions return figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns

from selfeval.fonts import register_font

PALETTE = ["#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f"]


def set_theme() -> None:
    """Apply the report's single theme: seaborn style, palette and the bundled CJK font."""
    family = register_font()
    sns.set_theme(style="whitegrid", palette=PALETTE, font=family)
    plt.rcParams.update(
        {
            "font.family": [family],
            "font.sans-serif": [family],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "svg.hashsalt": "selfeval",
        }
    )
