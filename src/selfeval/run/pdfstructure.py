"""The PDF structure check the product relies on: `pdf.py` refuses a converter's output whose
cross-reference structure and page tree do not read back before it replaces a report.pdf.

`structure_pages` needs no poppler (which users' machines need not have): it reads the file's
cross-reference structure and page tree with the standard library, so a converter that wrote
a truncated file or garbage behind `%PDF-` is refused. The QA half (page texts, fonts, layout
checks with poppler) lives in the repo's `tools/pdfcheck.py`, outside the package.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from selfeval.errors import PdfError

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
