"""Built reports opened in headless system Chromium with every network request blocked (issue 6).

Outside CI a missing Chromium skips these tests with the install command; under CI=true it fails.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from support import HOSTILE_TEXTS, HOSTILE_YEAR, SYNTHETIC_YEARS, build_project  # noqa: F401

from tools import browser as br

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

# ---------------------------------------------------------------------------------------------
# Fixtures


def _write(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


def _png_data_uri() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


SECTION_HTML = "".join(
    f"<h2>{numeral}、某某{phrase}情况</h2><p>正文内容。</p>" for numeral, phrase in br.SECTIONS
)


# ---------------------------------------------------------------------------------------------
# The harness itself: each check must catch what it is there to catch.


def test_find_chromium_honours_env_and_reports_missing(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(br.CHROMIUM_ENV, str(tmp_path / "no-such-browser"))
    assert br.find_chromium() is None
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(br.CHROMIUM_ENV, str(fake))
    assert br.find_chromium() == fake
    assert "apt-get install" in br.INSTALL_HINT and "chromium" in br.INSTALL_HINT


def test_screenshots_cli_without_browser_says_how_to_install(monkeypatch, tmp_path, capsys):
    (tmp_path / "2024").mkdir()
    _write(tmp_path / "2024" / "report.html", "<title>t</title>")
    monkeypatch.setenv(br.CHROMIUM_ENV, str(tmp_path / "missing"))
    assert br.screenshots_cli(tmp_path) == 1
    assert "apt-get install -y chromium" in capsys.readouterr().err
    assert not (tmp_path / "2024" / "screenshot.png").exists()


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_browser_skips_outside_ci_and_fails_in_ci(tmp_path, ci: str) -> None:
    env = {**os.environ, br.CHROMIUM_ENV: str(tmp_path / "no-chromium"), "CI": ci}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-k",
            "clean_page_passes",
            "-rs",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert "apt-get install -y chromium fonts-noto-cjk" in output
    if ci:
        assert proc.returncode == 1, output
        assert "1 error" in output or "1 failed" in output, output
    else:
        assert proc.returncode == 0, output
        assert "1 skipped" in output, output


def test_clean_page_passes_every_check(browser, tmp_path) -> None:
    page = _write(
        tmp_path / "ok.html",
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>自评报告</title>'
        "</head><body><h1>2024年度某单位整体支出绩效自评报告</h1>"
        f'{SECTION_HTML}<img alt="图" src="{_png_data_uri()}"></body></html>',
    )
    result = browser.check(page)
    assert result.problems() == []
    assert result.title == "自评报告"
    assert len(result.images) == 1 and result.images[0]["width"] > 0
    assert result.pdf_a4 and result.pdf_size > 1000
    # Chinese drawn by a CJK font, one em per ideograph (tofu boxes are narrower).
    assert result.cjk and all(0.9 < s.width_em < 1.1 for s in result.cjk)
    assert all(s.cjk_glyphs >= s.chars for s in result.cjk), [s.fonts for s in result.cjk]


def test_network_is_blocked_and_recorded(browser, tmp_path) -> None:
    page = _write(
        tmp_path / "net.html",
        '<html><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="https://cdn.example.invalid/a.css">'
        '<script src="http://127.0.0.1:9/x.js"></script></head>'
        '<body><img src="https://img.example.invalid/p.png">'
        "<script>fetch('https://api.example.invalid/beacon').catch(() => {});</script>"
        "</body></html>",
    )
    result = browser.check(page)
    assert set(result.blocked_requests) >= {
        "https://cdn.example.invalid/a.css",
        "http://127.0.0.1:9/x.js",
        "https://img.example.invalid/p.png",
        "https://api.example.invalid/beacon",
    }
    assert any("blocked" in p for p in result.problems(report=False))


def test_dialogs_errors_broken_images_and_overflow_are_caught(browser, tmp_path) -> None:
    (tmp_path / "neighbour.css").write_text("body{}")
    page = _write(
        tmp_path / "bad.html",
        '<html><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="neighbour.css"></head><body>'
        "<h2>一、部门（单位）概况</h2>"
        '<img src="data:image/png;base64,AAAA">'
        '<table style="width:1500px"><tr><td>宽表</td></tr></table>'
        "<script>console.error('boom'); alert('hi'); undefinedFunction();</script>"
        "</body></html>",
    )
    result = browser.check(page)
    assert result.dialogs == ["alert: hi"]
    assert "boom" in result.console_errors
    assert any("undefinedFunction" in e for e in result.page_errors)
    assert result.broken_images == ["data:image/png;base64,AAAA"]
    assert any(o.startswith("table") for o in result.overflow)
    assert result.local_requests == [(tmp_path / "neighbour.css").as_uri()]
    missing = result.missing_sections()
    assert len(missing) == 8 and not any(m.startswith("一、") for m in missing)


def test_a_landscape_section_may_be_as_wide_as_its_own_pages(browser, tmp_path) -> None:
    """The 自评表 prints on landscape pages (243 mm, 918 px between 28 and 26 mm margins): a table
    wider than a portrait page (590 px) is no overflow there; wider than its landscape page, or
    as wide in a portrait section, it is (Chromium would shrink the whole printout)."""
    css = (
        "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }"
        "@page landscape { size: A4 landscape; margin: 37mm 26mm 35mm 28mm; }"
        "@media print { section.landscape { page: landscape; } }"
    )

    def page(name: str, portrait_px: int, landscape_px: int) -> Path:
        return _write(
            tmp_path / f"{name}.html",
            f'<html><head><meta charset="utf-8"><title>t</title><style>{css}</style></head>'
            f'<body><section><h2>一、部门（单位）概况</h2><table style="width:{portrait_px}px">'
            "<tr><td>表</td></tr></table></section>"
            f'<section class="landscape"><table style="width:{landscape_px}px">'
            "<tr><td>自评表</td></tr></table></section></body></html>",
        )

    assert browser.check(page("fits", 580, 900)).overflow == []
    wide = browser.check(page("too-wide", 580, 1000)).overflow
    assert wide and wide[0].startswith("table:") and wide[0].endswith("> 918 px"), wide
    portrait = browser.check(page("portrait", 700, 700)).overflow
    assert portrait and portrait[0].startswith("table:") and portrait[0].endswith("> 590 px")


def test_screenshot_is_written_atomically(browser, tmp_path) -> None:
    page = _write(tmp_path / "p.html", "<title>截图</title><h1>首屏</h1>")
    shot = tmp_path / "out" / "screenshot.png"
    result = browser.check(page, screenshot=shot)
    assert result.screenshot == shot
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (br.VIEWPORT["width"], br.VIEWPORT["height"])
    assert [p.name for p in shot.parent.iterdir()] == ["screenshot.png"]
    umask = os.umask(0)
    os.umask(umask)
    assert shot.stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------------------------------------
# nbconvert export of a small executed notebook (render.export_html), charts in Chinese.


def test_exported_notebook_with_chinese_chart_renders(browser, tmp_path) -> None:
    from selfeval import config
    from selfeval.run import notebooks as render

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": config.KERNEL_NAME,
        "language": "python",
        "display_name": "selfeval",
    }
    heading_cells = "\n".join(
        f"display(HTML('<h2>{n}、示例{p}情况</h2><p>说明文字。</p>'))" for n, p in br.SECTIONS
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from IPython.display import HTML, display\n"
            "display(HTML('<h1>2024年度示例单位整体支出绩效自评报告</h1>'))\n" + heading_cells
        ),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nimport seaborn as sns\n"
            "from IPython.display import HTML, display\n"
            "from selfeval.present import charts\n"
            "charts.set_theme()\n"
            "fig, ax = plt.subplots(figsize=(6, 3))\n"
            "sns.barplot(x=['人员支出', '公用支出', '项目支出'], y=[63.44, 6.33, 39.39], ax=ax)\n"
            "ax.set_title('支出构成（万元）')\n"
            'display(HTML(f\'<img alt="支出构成" src="{charts.png_data_uri(fig)}">\'))'
        ),
    ]
    src = tmp_path / "small.ipynb"
    nbformat.write(nb, src)
    executed = render.run_notebook(src, tmp_path / "executed.ipynb", {}, build_root=tmp_path)
    html = render.export_html(executed, tmp_path / "small.html")
    result = browser.check(html)
    assert result.problems() == []
    assert result.blocked_requests == [] and result.local_requests == []
    assert len(result.images) == 1 and result.images[0]["src"].startswith("data:image/png")
    assert "示例单位" in result.text


# ---------------------------------------------------------------------------------------------
# A fresh real build: the 2024 data and synthetic years, built once into a temporary project.


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Root of a freshly built temporary project."""
    return build_project(tmp_path_factory)


@pytest.fixture(scope="session")
def report_checks(built: Path, browser, tmp_path_factory) -> dict[int, br.PageCheck]:
    """Every built report checked once, with the browser's print kept for inspection — outside
    the outputs, whose report.pdf (from the Word file) the stamp covers."""
    checks = {}
    prints = tmp_path_factory.mktemp("browser-print")
    for year, report in br.built_reports(built / "outputs"):
        checks[year] = browser.check(report, pdf=prints / f"{year}.pdf")
    return checks


@pytest.mark.slow
def test_every_year_was_built(built: Path, report_checks) -> None:
    assert sorted(report_checks) == sorted([2024, *SYNTHETIC_YEARS])


@pytest.mark.slow
@pytest.mark.parametrize("year", [2024, *SYNTHETIC_YEARS])
def test_report_passes_browser_checks(report_checks, year: int) -> None:
    result = report_checks[year]
    assert result.blocked_requests == []
    assert result.local_requests == []
    assert result.console_errors == [] and result.page_errors == [] and result.dialogs == []
    assert result.images and result.broken_images == []
    assert result.missing_sections() == []
    assert result.overflow == []
    assert result.pdf_a4
    assert result.problems() == []


@pytest.mark.slow
def test_real_report_title_and_headings(report_checks) -> None:
    result = report_checks[2024]
    assert "2024" in result.title and "自评报告" in result.title
    assert "云溪区图书馆" in result.text
    assert any("2024年度" in h and "自评报告" in h for h in result.headings)
    for sample in result.cjk:
        assert 0.9 < sample.width_em < 1.1, sample
        assert sample.cjk_glyphs >= sample.chars, sample


@pytest.mark.slow
def test_index_page_opens_offline(built: Path, browser) -> None:
    index = built / "outputs" / "index.html"
    result = browser.check(index)
    assert result.problems(report=False) == []
    for year in [2024, *SYNTHETIC_YEARS]:
        assert str(year) in result.text


@pytest.mark.slow
def test_screenshots_cli_writes_first_screen_of_each_report(built: Path) -> None:
    env = {**os.environ, "SELFEVAL_ROOT": str(built)}
    proc = subprocess.run(
        [sys.executable, "-m", "tools.browser"],  # `make screenshots`, from the repo root
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for year in [2024, *SYNTHETIC_YEARS]:
        shot = built / "outputs" / str(year) / "screenshot.png"
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG")
        assert int.from_bytes(data[16:20], "big") == br.VIEWPORT["width"]
