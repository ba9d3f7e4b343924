"""How the printed pages fall: report.html printed by Chromium and report.pdf (Word through
LibreOffice). Cover and contents on page 1 with page 2 filled; nothing shrinks the printout; no
caption leaves its last characters alone on a line; no heading ends a page; every figure stays
with its caption.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from support import HOSTILE_YEAR, SYNTHETIC_YEARS, build_plain_years, build_project

from selfeval import config
from tools import pdfcheck

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: (project, year): the real 2024, the hostile year (its unit name adds a line to the cover's
#: title), and a plain synthetic year with a previous year of its unit (the 同比 table).
REPORTS = [("real", 2024), ("real", HOSTILE_YEAR), ("plain", SYNTHETIC_YEARS[-1])]
CSS = config.PACKAGE_DIR / "present" / "templates" / "nbconvert" / "report.css"

#: Print body 16pt; a section heading (h2) is 1.25 em: 20pt per full-width character.
H2_PT = 16 * 1.25
#: What the print rules would be without keep-with-next and kept figures.
NO_KEEP = (
    "<style>@media print { h1, h2, h3, h4, caption, figure, img {"
    " break-after: auto !important; break-inside: auto !important; } }</style>"
)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    if not pdfcheck.available():
        pytest.skip("poppler-utils not installed")
    return {"real": build_project(tmp_path_factory), "plain": build_plain_years(tmp_path_factory)}


@pytest.fixture(scope="module")
def printed(browser, projects, tmp_path_factory) -> dict[tuple[str, int], dict[str, Path]]:
    """Each report: its HTML, the HTML as Chromium prints it, and the Word file's PDF."""
    out = {}
    folder = tmp_path_factory.mktemp("prints")
    for project, year in REPORTS:
        year_dir = projects[project] / "outputs" / str(year)
        html = year_dir / "report.html"
        out[project, year] = {
            "html": html,
            "print": browser.print_pdf(html, folder / f"{project}-{year}.pdf"),
            "word": year_dir / "report.pdf",
        }
    return out


def _soup(html: Path):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for node in soup.select(".review"):  # the 审核底稿 is never printed
        node.decompose()
    return soup


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("key", REPORTS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_contents_fit_on_the_first_printed_page(printed, key):
    """Page 1 holds the cover and the whole contents box; page 2 starts the text and is full,
    not the box's last entry followed by a forced page break."""
    report = printed[key]
    entries = [_squeeze(li.get_text()) for li in _soup(report["html"]).select("nav.toc li")]
    assert len(entries) >= 9
    first = _squeeze(pdfcheck.page_texts(report["print"])[0])
    assert [e for e in entries if e not in first] == []
    second = pdfcheck.pages(report["print"])[1]
    assert len(second.lines) >= 10 and second.fill > 0.8, (len(second.lines), second.fill)


@pytest.mark.parametrize("key", REPORTS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_printout_is_not_shrunk(browser, printed, key):
    """No element is wider than the printable width (156 mm, 590 px), so Chromium prints at
    100 %: the heading 「一、部门（单位）概况」 (10 full-width characters) is 10 × 20pt wide."""
    report = printed[key]
    if key[0] == "plain":  # the 616 px table of this defect, now the 同比 chart's data (底稿)
        assert 'class="yoy"' in report["html"].read_text(encoding="utf-8")
    assert browser.check(report["html"]).overflow == []
    heading = [
        line
        for page in pdfcheck.pages(report["print"])[1:]  # page 1: the contents' entry
        for line in page.lines
        if _squeeze(line.text) == "一、部门（单位）概况"
    ]
    assert heading
    assert heading[0].right - heading[0].left == pytest.approx(10 * H2_PT, abs=1.0)


@pytest.mark.parametrize("key", REPORTS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_no_figure_caption_ends_in_a_lone_line(printed, key):
    report = printed[key]
    captions = [c for c in _soup(report["html"]).select("figcaption")]
    assert captions
    for pdf in (report["print"], report["word"]):
        assert pdfcheck.short_caption_ends(pdf) == [], pdf.name


@pytest.mark.parametrize("key", REPORTS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_no_heading_ends_a_printed_page(printed, key):
    report = printed[key]
    soup = _soup(report["html"])
    for node in soup.select("nav"):
        node.decompose()
    headings = [h.get_text() for h in soup.select("h2, h3, h4")]
    assert len(headings) >= 9
    for pdf in (report["print"], report["word"]):
        assert pdfcheck.headings_at_page_foot(pdf, headings) == [], pdf.name


@pytest.mark.parametrize("key", REPORTS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_figure_is_printed_with_its_caption(printed, key):
    report = printed[key]
    for pdf in (report["print"], report["word"]):
        assert pdfcheck.image_pages(pdf), pdf.name
        assert pdfcheck.captions_parted_from_figures(pdf) == [], pdf.name


# -- the print rules at work, on pages made to put a heading or a figure at a page's foot ------


def _png(width: int = 600, height: int = 260) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (47, 93, 138)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _page(path: Path, lines: int, tail: str, *, extra: str = "") -> Path:
    """A report-like page with report.css: a cover, then `lines` one-line paragraphs, `tail`."""
    filler = "".join(f"<p>第{i + 1}段，一行正文。</p>" for i in range(lines))
    path.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>'
        f"<style>{CSS.read_text(encoding='utf-8')}</style>{extra}</head><body>"
        '<main class="report"><header class="cover"><h1 class="cover-title">封面</h1></header>'
        '<nav class="toc"><h2>目　录</h2><ol><li>一、标题</li></ol></nav>'
        f"<section><h2>一、标题</h2>{filler}{tail}</section></main></body></html>",
        encoding="utf-8",
    )
    return path


HEADING_TAIL = "<h3>（一）要放在下页的小标题</h3>" + "<p>小标题下的正文。</p>" * 3


def _figure_tail() -> str:
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{_png()}" alt="图">'
        "<figcaption>图1　测试图。数据来源：测试单位2024年度填报数据。</figcaption></figure>"
        f"{'<p>图后的正文。</p>' * 3}"
    )


def test_report_css_keeps_headings_with_the_text_that_follows(browser, tmp_path):
    """Sweeping the paragraphs before a heading puts it on the last lines of a page: without
    keep-with-next the check finds it at the page's foot; with report.css never."""
    found = {"report.css": [], "no keep": []}
    for lines in range(12, 18):  # 15 one-line paragraphs put it on the last line
        for name, extra in (("report.css", ""), ("no keep", NO_KEEP)):
            page = _page(tmp_path / f"h{lines}{len(extra)}.html", lines, HEADING_TAIL, extra=extra)
            pdf = browser.print_pdf(page, tmp_path / f"h{lines}{len(extra)}.pdf")
            found[name] += pdfcheck.headings_at_page_foot(pdf, ["（一）要放在下页的小标题"])
    assert found["no keep"]  # the check sees the fault when it is there
    assert found["report.css"] == []


def test_report_css_keeps_a_figure_with_its_caption(browser, tmp_path):
    found = {"report.css": [], "no keep": []}
    tail = _figure_tail()
    for lines in range(7, 13):  # after 10, the caption alone goes over
        for name, extra in (("report.css", ""), ("no keep", NO_KEEP)):
            page = _page(tmp_path / f"f{lines}{len(extra)}.html", lines, tail, extra=extra)
            pdf = browser.print_pdf(page, tmp_path / f"f{lines}{len(extra)}.pdf")
            found[name] += pdfcheck.captions_parted_from_figures(pdf)
    assert found["no keep"]
    assert found["report.css"] == []
