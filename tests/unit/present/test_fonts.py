"""Charts use the bundled font file whatever fonts the machine has and whatever matplotlib cached.

The "system font" is simulated by a real, different font (Noto Serif CJK SC from the same wheel)
renamed to the family "Noto Sans CJK SC", so a chart drawn with it would differ in its pixels.
Each case runs in a fresh interpreter with its own empty MPLCONFIGDIR (a cold font cache).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_pdf

REPO = Path(__file__).resolve().parents[3]

_CHARTS = r"""
import hashlib, json, sys, warnings
warnings.simplefilter("error")
from matplotlib import font_manager as fm
impostor = sys.argv[1]
if impostor:
    fm.fontManager.addfont(impostor)
    fm.fontManager.ttflist.insert(0, fm.fontManager.ttflist.pop())  # listed before the bundled
    fm.fontManager._findfont_cached.cache_clear()
import pandas as pd
from selfeval.present import charts
from selfeval.present.fonts import CHART_FAMILY, FONT_FAMILY, font_path
charts.set_theme()
figs = [
    charts.spending_structure(
        pd.DataFrame({"part": ["人员支出", "公用支出"], "actual": [63.44, 6.33]}),
        "支出结构",
        "数据",
    ),
    charts.holdings_over_years(
        pd.DataFrame({"year": [2021, 2024], "holdings": [3590, 16516]}), "历年馆藏", "数据"
    ),
]
print(json.dumps({
    "plain_name": fm.findfont(fm.FontProperties(family=FONT_FAMILY)),
    "chart_name": fm.findfont(fm.FontProperties(family=CHART_FAMILY)),
    "bundled": str(font_path()),
    "png": [hashlib.sha256(charts.png_bytes(f)).hexdigest() for f in figs],
}))
"""


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A different CJK font that claims the bundled font's family name, as Debian's does."""
    from fontTools.ttLib import TTFont

    from selfeval.present.fonts import FONT_FAMILY, font_path

    font = TTFont(str(font_path().with_name("NotoSerifCJKsc-Regular.otf")), lazy=True)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):  # family, full name, typographic family
            record.string = FONT_FAMILY
    path = tmp_path_factory.mktemp("system-fonts") / "NotoSansCJK-Regular.otf"
    font.save(str(path))
    return path


def _env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MPLCONFIGDIR"] = str(config_dir)  # an empty folder: matplotlib builds a cold cache
    env["MPLBACKEND"] = "Agg"
    return env


def _charts(tmp_path: Path, name: str, impostor: Path | None) -> dict:
    config_dir = tmp_path / f"mpl-{name}"
    config_dir.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _CHARTS, str(impostor or "")],
        capture_output=True,
        text=True,
        env=_env(config_dir),
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_charts_use_the_bundled_file_when_a_system_font_claims_its_name(
    tmp_path: Path, impostor: Path
) -> None:
    with_system = _charts(tmp_path, "with", impostor)
    without = _charts(tmp_path, "without", None)
    # The simulation bites: asked by its plain family name, matplotlib now picks the other file.
    assert with_system["plain_name"] == str(impostor)
    # Charts ask for a name only the bundled file carries.
    assert with_system["chart_name"] == with_system["bundled"]
    assert without["chart_name"] == without["bundled"]
    assert with_system["png"] == without["png"]


def _doctored_cache(config_dir: Path, impostor: Path) -> None:
    """A matplotlib font cache built on a machine where the impostor font is installed."""
    script = (
        "import sys; from pathlib import Path; import matplotlib as mpl; "
        "from matplotlib import font_manager as fm; "
        "fm.fontManager.addfont(sys.argv[1]); "
        "fm.fontManager.ttflist.insert(0, fm.fontManager.ttflist.pop()); "
        "fm.json_dump(fm.fontManager, "
        "Path(mpl.get_cachedir(), f'fontlist-v{fm.FontManager.__version__}.json'))"
    )
    subprocess.run([sys.executable, "-c", script, str(impostor)], env=_env(config_dir), check=True)
    caches = list(config_dir.glob("fontlist-*.json"))
    assert caches, "the doctored font cache was not written"
    listed = json.loads(caches[0].read_text())["ttflist"]
    assert listed[0]["fname"] == str(impostor)


def _report_pngs(root: Path, config_dir: Path) -> list[str]:
    script = (
        "import sys; from pathlib import Path; from selfeval.run import notebooks as render; "
        "root = Path(sys.argv[1]); "
        "render.build_year(2024, Path(sys.argv[2]), root / 'processed' / '2024', "
        "root / 'outputs' / '2024', previous_processed_dir=root / 'processed' / 'none', "
        "build_root=root)"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(root), str(REPO / "data" / "raw" / "2024")],
        env=_env(config_dir),
        check=True,
        capture_output=True,
    )
    html = (root / "outputs" / "2024" / "report.html").read_text(encoding="utf-8")
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert uris, "the report has no chart"
    pngs = [hashlib.sha256(base64.b64decode(u)).hexdigest() for u in uris]
    # the whole page and the Word file too, not only the charts
    files = [
        hashlib.sha256((root / "outputs" / "2024" / name).read_bytes()).hexdigest()
        for name in ("report.html", "report.docx")
    ]
    return pngs + files


@pytest.mark.slow
def test_report_pngs_are_identical_with_and_without_a_system_font(
    tmp_path: Path, impostor: Path
) -> None:
    doctored = tmp_path / "mpl-doctored"
    doctored.mkdir()
    _doctored_cache(doctored, impostor)
    clean = tmp_path / "mpl-clean"
    clean.mkdir()
    with_system = _report_pngs(tmp_path / "with", doctored)
    without = _report_pngs(tmp_path / "without", clean)
    assert with_system == without
