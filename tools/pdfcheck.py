"""Checks of a finished PDF with poppler-utils (pdfinfo, pdftotext, pdffonts), for the tests and
for anyone looking at a report.pdf or at the print of report.html.

`sparse_pages_before_tables` finds the layout fault that `break-inside: avoid` on whole tables
(or on a row whose cell spans many rows, or keep-with-next chains) produces: a page left nearly
empty because the table that follows was pushed onto the next page. "Nearly empty" is judged
by line count and by how far down the text block the text reaches (a page holding only a
heading, a caption and an orphaned header row has ten short lines but is 15 % full). A short
page before a change of orientation is not a fault (the section break forces the new page),
nor is the document's last page.

A QA tool, outside the installed package (README: tools/). The structure check the product
itself needs before it replaces a report.pdf, with no poppler, is `selfeval.run.pdfstructure`.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from selfeval.present import style
from selfeval.present.draft import DRAFT_MARK

A4_PT = (595.3, 841.9)
_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+) x ([\d.]+) pts", re.MULTILINE)
_PAGE_NUMBER = re.compile(r"^[—–-]\s*\d+\s*[—–-]$")
#: pdftotext joins a line that ends in a hyphen with the next, dropping the hyphen; at a page's
#: foot the next line is the page number: 「…alert('xss—6—」 on page 6.
_GLUED_PAGE_NUMBER = re.compile(r"[—–]\s*(\d+)\s*[—–]$")
#: A table's caption (表N, or 图N数据 for a figure's data table). A page that starts with a figure
#: (图N caption below an image too tall for the page before) is not a stranded table.
_CAPTION = re.compile(r"^(表\d+|图\d+数据)")
#: A figure's own caption (图N and its title), not the caption of its data table (图N数据).
_FIGURE_CAPTION = re.compile(r"^图\d+(?!\d*数据)")
_XHTML = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4
#: Tolerance (pt) around the text block when telling body lines from running head and footer.
_EDGE = 6.0


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def available() -> bool:
    """Whether poppler-utils are installed."""
    return all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdffonts", "pdfimages"))


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.MULTILINE)
    assert match, f"pdfinfo gave no page count for {pdf}"
    return int(match.group(1))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = _run("pdfinfo", "-f", "1", "-l", str(page_count(pdf)), str(pdf))
    return [(float(w), float(h)) for _, w, h in _SIZE.findall(out)]


def is_a4(size: tuple[float, float], tolerance: float = 1.5) -> bool:
    """Portrait or landscape A4."""
    w, h = sorted(size)
    return abs(w - A4_PT[0]) <= tolerance and abs(h - A4_PT[1]) <= tolerance


def page_texts(pdf: Path, layout: bool = False) -> list[str]:
    """Text of each page (pdftotext splits pages with form feeds: one call for all pages,
    equivalent to `pdftotext -f N -l N` per page); in reading order, or with `layout` line by
    line as laid out on the page (`pdftotext -layout`)."""
    options = ["-layout"] if layout else []
    pages = _run("pdftotext", *options, "-enc", "UTF-8", str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def text(pdf: Path, layout: bool = False) -> str:
    """All text without any whitespace, without the page numbers and without a 草稿's running
    header: a fact may be broken across lines or pages, and pdftotext puts spaces between
    Chinese and digits where the PDF positions them apart.

    Reading order depends on the fonts the machine has: where a caption's 「表1」 and its title
    are positioned apart, pdftotext may read 「表1」 with the table's first header cell and the
    title after it. With `layout` the text is read line by line as the page shows it, which
    keeps such a line whole (and splits wrapped table cells instead)."""
    lines = [
        line
        for number, page in enumerate(page_texts(pdf, layout), start=1)
        for line in _unglued(page, number).splitlines()
        if not _PAGE_NUMBER.match(line.strip()) and line.strip() != DRAFT_MARK
    ]
    return re.sub(r"\s+", "", "".join(lines))


def _unglued(page: str, number: int) -> str:
    """`page` with its number cut off the last text line it was glued to (`_GLUED_PAGE_NUMBER`)."""
    text = page.rstrip()
    glued = _GLUED_PAGE_NUMBER.search(text)
    if glued and int(glued.group(1)) == number and not _PAGE_NUMBER.match(text.splitlines()[-1]):
        return text[: glued.start()]
    return page


def tokens(pdf: Path) -> list[str]:
    """The whitespace-separated words of the text, page numbers included."""
    return "\n".join(page_texts(pdf)).split()


def cell_tokens(pdf: Path) -> list[str]:
    """The words of the text laid out as on the page (`pdftotext -layout`): table cells stay
    apart, where reading order glues a short cell to the last line of its wrapped neighbour."""
    return _run("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-").split()


@dataclass(frozen=True)
class PdfFont:
    name: str
    type: str
    embedded: bool


def fonts(pdf: Path) -> list[PdfFont]:
    """Fonts as `pdffonts` lists them."""
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    out = []
    for row in rows:
        parts = row.split()
        # name type [type2] encoding emb sub uni object ID
        if len(parts) < 7:
            continue
        emb = parts[-5]
        out.append(PdfFont(parts[0], " ".join(parts[1:-6]), emb == "yes"))
    return out


@dataclass(frozen=True)
class Line:
    """A line of text on a page, in points from the top-left corner."""

    top: float
    bottom: float
    left: float
    text: str
    right: float = 0.0
    block: int = 0  # pdftotext's text block on the page: a caption's lines share one


@dataclass(frozen=True)
class Page:
    """A page's size and its body lines (running head and page number left out)."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def fill(self) -> float:
        """How far down the text block the text reaches: 0 empty, 1 full."""
        if not self.lines:
            return 0.0
        top = style.MARGIN_TOP_MM * MM
        usable = self.height - top - style.MARGIN_BOTTOM_MM * MM
        return max(0.0, min(1.0, (max(line.bottom for line in self.lines) - top) / usable))

    @property
    def first_line(self) -> str:
        if not self.lines:
            return ""
        return min(self.lines, key=lambda line: (round(line.top), line.left)).text


def pages(pdf: Path) -> list[Page]:
    """Every page with the lines inside its text block (`pdftotext -bbox-layout`)."""
    root = ElementTree.fromstring(_run("pdftotext", "-bbox-layout", str(pdf), "-"))
    out = []
    for number, page in enumerate(root.iter(f"{_XHTML}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        low = style.MARGIN_TOP_MM * MM - _EDGE
        high = height - style.MARGIN_BOTTOM_MM * MM + _EDGE
        lines = []
        for block, node in enumerate(page.iter(f"{_XHTML}block")):
            for line in node.iter(f"{_XHTML}line"):
                top, bottom = float(line.get("yMin")), float(line.get("yMax"))
                text_ = "".join(word.text or "" for word in line.iter(f"{_XHTML}word"))
                if low <= (top + bottom) / 2 <= high and not _PAGE_NUMBER.match(text_):
                    left, right = float(line.get("xMin")), float(line.get("xMax"))
                    lines.append(Line(top, bottom, left, text_, right, block))
        out.append(Page(number, width, height, tuple(lines)))
    return out


def _squeeze(text_: str) -> str:
    return re.sub(r"\s+", "", text_)


def _reading_order(page: Page) -> list[Line]:
    return sorted(page.lines, key=lambda line: (round(line.top), line.left))


def headings_at_page_foot(pdf: Path, headings: list[str]) -> list[tuple[int, str]]:
    """(page, heading) for every page whose last body line is a heading (or a wrapped
    heading's last line): keep-with-next failed and the heading's text went on without it.
    Page 1 is left out: the cover's table of contents lists the headings' texts."""
    wanted = {_squeeze(h) for h in headings if _squeeze(h)}
    out = []
    for page in pages(pdf)[1:]:
        if not page.lines:
            continue
        last = _squeeze(_reading_order(page)[-1].text)
        if any(last == h or (len(last) >= 4 and h.endswith(last)) for h in wanted):
            out.append((page.number, last))
    return out


def image_pages(pdf: Path) -> set[int]:
    """Numbers of the pages that show an image (`pdfimages -list`; soft masks not counted)."""
    rows = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    return {int(row.split()[0]) for row in rows if row.split()[2:3] == ["image"]}


def captions_parted_from_figures(pdf: Path) -> list[int]:
    """Pages that start with a figure's caption (图N, not 图N数据) and show no image: the
    picture stayed at the foot of the page before."""
    with_images = image_pages(pdf)
    return [
        page.number
        for page in pages(pdf)
        if _FIGURE_CAPTION.match(_squeeze(page.first_line)) and page.number not in with_images
    ]


def short_caption_ends(pdf: Path, min_share: float = 0.25) -> list[str]:
    """Figure captions whose last line is shorter than `min_share` of the line above it (a
    lone 「据。」 under a full line), by their first line."""
    out = []
    for page in pages(pdf):
        ordered = _reading_order(page)
        for i, line in enumerate(ordered):
            if not _FIGURE_CAPTION.match(_squeeze(line.text)):
                continue
            caption = [other for other in ordered[i:] if other.block == line.block]
            if len(caption) < 2:
                continue
            last, above = caption[-1], caption[-2]
            if last.right - last.left < min_share * (above.right - above.left):
                out.append(line.text)
    return out


def table_start_markers(first_header_cells: list[str]) -> set[str]:
    """Texts a page starting with a table begins with: the first header cell of each table."""
    return {text.split("\n")[0] for text in first_header_cells if text}


def starts_with_table(page: Page, markers: set[str]) -> bool:
    first = page.first_line
    return bool(first) and (
        bool(_CAPTION.match(first)) or any(first.startswith(m) for m in markers)
    )


def sparse_pages_before_tables(
    pdf: Path,
    first_header_cells: list[str],
    *,
    min_lines: int = 5,
    min_fill: float = 0.5,
) -> list[int]:
    """1-based numbers of pages that are nearly empty (fewer than `min_lines` lines, or text
    ending above `min_fill` of the text block) and are followed, on a page of the same
    orientation, by a page that starts with a table, its caption or its repeated header."""
    markers = table_start_markers(first_header_cells)
    found = pages(pdf)
    bad = []
    for page, following in itertools.pairwise(found):
        sparse = len(page.lines) < min_lines or page.fill < min_fill
        if (
            sparse
            and page.landscape == following.landscape
            and starts_with_table(following, markers)
        ):
            bad.append(page.number)
    return bad
