"""Checks of a finished PDF with poppler-utils (pdfinfo, pdftotext, pdffonts), for the tests and
for anyone looking at a report.pdf or at the print of report.html.

`sparse_pages_before_tables` finds the layout fault that `break-inside: avoid` on whole tables
(or on a row whose cell spans many rows, or keep-with-next chains) produces: a page left nearly
empty because the table that follows was pushed onto the next page. "Nearly empty" is judged
by line count and by how far down the text block the text reaches (a page holding only a
heading, a caption and an orphaned header row has ten short lines but is 15 % full). A short
page before a change of orientation is not a fault (the section break forces the new page),
nor is the document's last page.

`structure_pages` needs no poppler (which users' machines need not have): it reads the file's
cross-reference structure and page tree with the standard library, so a converter that wrote
a truncated file or garbage behind `%PDF-` is refused before its file replaces a report.pdf.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from selfeval.errors import PdfError
from selfeval.present import style
from selfeval.present.blocks.submission import DRAFT_MARK

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


# --------------------------------------------------------------------------- structure (no poppler)

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_REF = rb"\s+(\d+)\s+\d+\s+R"
_INT = re.compile(rb"-?\d+")


class _Pdf:
    """The cross-reference structure of a PDF held in memory: {object: offset} of objects
    stored plainly and {object: (object stream, index)} of those packed in object streams.

    Reads what PDF 1.7 (ISO 32000-1 §7.5) requires of any reader: `startxref` near the end,
    classic tables and cross-reference streams (Flate, the PNG Up predictor), `/Prev` sections.
    Every plain object the tables list must start where they say; every error is a PdfError
    saying, in Chinese, what is wrong with the file.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offsets: dict[int, int] = {}
        self.packed: dict[int, tuple[int, int]] = {}
        if not data.startswith(b"%PDF-"):
            raise PdfError("文件头不是 %PDF-，不是 PDF 文件 / no PDF header")
        found = list(_STARTXREF.finditer(data, max(0, len(data) - 2048)))
        if not found:
            raise PdfError("文件末尾没有 startxref 和 %%EOF，文件不完整 / no startxref at the end")
        self.trailer = b""
        offset: int | None = int(found[-1].group(1))
        seen: set[int] = set()
        while offset is not None:
            if offset in seen or offset >= len(data):
                raise PdfError(f"交叉引用表位置 {offset} 超出文件或循环 / bad xref offset")
            seen.add(offset)
            section = self._section(offset)
            self.trailer = self.trailer or section
            prev = re.search(rb"/Prev\s+(\d+)", section)
            offset = int(prev.group(1)) if prev else None
        for number, at in self.offsets.items():
            match = _OBJ.match(data, at)
            if match is None or int(match.group(1)) != number:
                raise PdfError(
                    f"交叉引用表说对象 {number} 在位置 {at}，那里没有这个对象 / xref points nowhere"
                )

    def _section(self, offset: int) -> bytes:
        """Read the xref section at `offset` into the maps (entries of later sections win);
        returns its trailer dictionary."""
        data = self.data
        if data.startswith(b"xref", offset):
            end = data.find(b"trailer", offset)
            if end < 0:
                raise PdfError("交叉引用表后没有 trailer / no trailer")
            tokens = data[offset + 4 : end].split()
            trailer = data[end : data.find(b"startxref", end)]
            i = 0
            while i + 1 < len(tokens):
                first, count = int(tokens[i]), int(tokens[i + 1])
                rows = tokens[i + 2 : i + 2 + 3 * count]
                if len(rows) != 3 * count:
                    raise PdfError("交叉引用表不完整 / truncated xref table")
                for n in range(count):
                    at, kind = int(rows[3 * n]), rows[3 * n + 2]
                    if kind == b"n" and first + n not in self.offsets:
                        self.offsets[first + n] = at
                i += 2 + 3 * count
            return trailer
        if _OBJ.match(data, offset) is None:
            raise PdfError(f"startxref 指向的位置 {offset} 没有交叉引用表 / no xref at startxref")
        head, body = self._stream_at(offset)
        if not re.search(rb"/Type\s*/XRef", head):
            raise PdfError(f"startxref 指向的对象不是交叉引用流 / not an xref stream ({offset})")
        self._stream_entries(head, body)
        return head

    def _stream_entries(self, head: bytes, body: bytes) -> None:
        widths = self._ints(head, rb"/W\s*\[([^\]]*)\]")
        size = re.search(rb"/Size\s+(\d+)", head)
        index = self._ints(head, rb"/Index\s*\[([^\]]*)\]") or [
            0,
            int(size.group(1)) if size else 0,
        ]
        row = sum(widths)
        if len(widths) != 3 or row == 0 or len(body) % row:
            raise PdfError("交叉引用流的 /W 与数据长度不符 / bad xref stream")
        numbers = [
            n
            for first, count in zip(index[::2], index[1::2], strict=True)
            for n in range(first, first + count)
        ]
        if len(numbers) * row != len(body):
            raise PdfError("交叉引用流的条目数与 /Index 不符 / bad xref stream")
        for i, number in enumerate(numbers):
            fields, at = [], i * row
            for width in widths:
                fields.append(int.from_bytes(body[at : at + width], "big"))
                at += width
            kind = fields[0] if widths[0] else 1
            if number in self.offsets or number in self.packed:
                continue
            if kind == 1:
                self.offsets[number] = fields[1]
            elif kind == 2:
                self.packed[number] = (fields[1], fields[2])

    @staticmethod
    def _ints(text: bytes, pattern: bytes) -> list[int]:
        match = re.search(pattern, text)
        return [int(v) for v in _INT.findall(match.group(1))] if match else []

    def _stream_at(self, offset: int) -> tuple[bytes, bytes]:
        """(dictionary, decoded data) of the stream object at `offset`."""
        data = self.data
        start = data.find(b"stream", offset)
        if start < 0:
            raise PdfError(f"位置 {offset} 的对象没有数据流 / no stream at {offset}")
        head = data[offset:start]
        start += 6
        start += 2 if data.startswith(b"\r\n", start) else 1
        length = re.search(rb"/Length\s+(\d+)(\s+\d+\s+R)?", head)
        if length is None:
            raise PdfError(f"位置 {offset} 的数据流没有 /Length / no stream length")
        size = int(length.group(1))
        if length.group(2):  # an indirect length: the integer object it names
            text = self.object(size)
            size = int(_INT.search(text, _OBJ.match(text).end()).group())
        raw = data[start : start + size]
        if re.search(rb"/Filter\s*/FlateDecode", head):
            try:
                raw = zlib.decompress(raw)
            except zlib.error as exc:
                raise PdfError(f"位置 {offset} 的数据流无法解压 / bad Flate data: {exc}") from exc
        elif re.search(rb"/Filter", head):
            raise PdfError(f"位置 {offset} 的数据流压缩方式不受支持 / unsupported filter")
        predictor = re.search(rb"/Predictor\s+(\d+)", head)
        if predictor and int(predictor.group(1)) >= 10:
            columns = re.search(rb"/Columns\s+(\d+)", head)
            raw = _unpredict(raw, int(columns.group(1)) if columns else 1)
        return head, raw

    def object(self, number: int) -> bytes:
        """The text of object `number` (its dictionary and direct values)."""
        if number in self.offsets:
            at = self.offsets[number]
            end = self.data.find(b"endobj", at)
            return self.data[at : end if end >= 0 else len(self.data)]
        if number in self.packed:
            stream, index = self.packed[number]
            if stream not in self.offsets:
                raise PdfError(f"对象流 {stream} 不在交叉引用表中 / object stream missing")
            head, body = self._stream_at(self.offsets[stream])
            first = re.search(rb"/First\s+(\d+)", head)
            pairs = [int(v) for v in body[: int(first.group(1)) if first else 0].split()]
            if 2 * index + 1 >= len(pairs) or pairs[2 * index] != number:
                raise PdfError(f"对象流 {stream} 中没有对象 {number} / object not in its stream")
            start = int(first.group(1)) + pairs[2 * index + 1]
            end = int(first.group(1)) + pairs[2 * index + 3] if 2 * index + 3 < len(pairs) else None
            return f"{number} 0 obj ".encode() + body[start:end]
        raise PdfError(f"对象 {number} 不在交叉引用表中 / object {number} missing")

    def page_count(self) -> int:
        root = re.search(rb"/Root" + _REF, self.trailer)
        if root is None:
            raise PdfError("trailer 中没有 /Root（文档目录）/ no document catalog")
        pages = re.search(rb"/Pages" + _REF, self.object(int(root.group(1))))
        if pages is None:
            raise PdfError("文档目录中没有 /Pages（页面树）/ no page tree")
        count = re.search(rb"/Count\s+(\d+)", self.object(int(pages.group(1))))
        if count is None or int(count.group(1)) < 1:
            raise PdfError("PDF 没有页面 / no pages")
        return int(count.group(1))


def _unpredict(data: bytes, columns: int) -> bytes:
    """Undo PNG row predictors as cross-reference streams use them (/Predictor 12: a filter byte
    per row, 0 None or 2 Up); other row filters are not used there and are refused."""
    out = bytearray()
    prior = bytes(columns)
    for at in range(0, len(data), columns + 1):
        kind, row = data[at], data[at + 1 : at + 1 + columns]
        if kind == 2:
            row = bytes((a + b) & 0xFF for a, b in zip(row, prior, strict=False))
        elif kind != 0:
            raise PdfError(f"交叉引用流的行预测方式 {kind} 不受支持 / unsupported predictor row")
        out += row
        prior = row
    return bytes(out)


def structure_pages(pdf: Path) -> int:
    """The number of pages of `pdf` as its cross-reference structure and page tree state them;
    PdfError (in Chinese: what is wrong) when the file is not a readable PDF."""
    try:
        return _Pdf(Path(pdf).read_bytes()).page_count()
    except (ValueError, IndexError, AttributeError, TypeError, RecursionError) as exc:
        # malformed numbers, short tables, a missing key, a stream whose length names itself
        raise PdfError(f"PDF 结构无法解析 / unreadable PDF structure: {exc}") from exc
