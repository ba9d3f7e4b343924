"""Hostile and feature workbooks for the reader tests, generated at test time (nothing big is
committed): ported from the reader prototype's corpus.

Every .xlsx is written with a hand-rolled zip writer (no openpyxl), so that each byte of the
package can be controlled: central-directory sizes that lie, deflate streams that inflate to
gigabytes while the file stays a few MB, XML that no spreadsheet program would write. The .ods
and CSV files at the end are written the same way, by hand.

``HOSTILE`` maps a file name to (generator, the code of the one problem the reader must give);
``FEATURES`` are well-formed files whose values the tests check.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BLOCK = 1 << 20

GiB = 1 << 30
MiB = 1 << 20


# ---------------------------------------------------------------- raw zip writer


@dataclass
class Member:
    """One zip entry: its deflate stream as chunks, with true (and maybe declared) sizes."""

    name: str
    chunks: Callable[[], Iterable[bytes]]  # raw deflate chunks, re-iterable
    size: int  # true uncompressed size
    crc: int
    declared_size: int | None = None  # what the headers claim (None: the truth)


def deflate_member(name: str, data: bytes) -> Member:
    """A normal deflated member."""
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = co.compress(data) + co.flush()
    return Member(name, lambda: [raw], len(data), zlib.crc32(data))


def repeated_member(
    name: str,
    prefix: bytes,
    block: bytes,
    count: int,
    suffix: bytes,
    *,
    declared: int | None = None,
) -> Member:
    """A member of ``prefix + block * count + suffix`` without compressing ``count`` blocks.

    After ``Z_FULL_FLUSH`` the compressor forgets its window, so compressing the same block
    again yields the same bytes: the stream is the block's compressed form repeated.
    """
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(prefix) + co.flush(zlib.Z_FULL_FLUSH)
    body = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    tail = co.compress(suffix) + co.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + len(block) * count + len(suffix)

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(count):
            yield body
        yield tail

    return Member(name, chunks, size, crc, declared)


def write_zip(path: Path, members: list[Member]) -> None:
    """Write a zip (deflate, no zip64: every size < 4 GiB) with exactly the given headers."""
    central = []
    with open(path, "wb") as fh:
        for m in members:
            offset = fh.tell()
            name = m.name.encode()
            comp = 0
            header_at = fh.tell()
            fh.write(b"\0" * (30 + len(name)))  # local header, filled in below
            for chunk in m.chunks():
                fh.write(chunk)
                comp += len(chunk)
            declared = m.size if m.declared_size is None else m.declared_size
            local = struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0x800,
                8,
                0,
                0x21,
                m.crc,
                comp,
                declared,
                len(name),
                0,
            )
            end = fh.tell()
            fh.seek(header_at)
            fh.write(local + name)
            fh.seek(end)
            central.append(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0x800,
                    8,
                    0,
                    0x21,
                    m.crc,
                    comp,
                    declared,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name
            )
        cd_start = fh.tell()
        for entry in central:
            fh.write(entry)
        cd_size = fh.tell() - cd_start
        n = len(central)
        fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, cd_size, cd_start, 0))


# ---------------------------------------------------------------- package parts


def content_types(n_sheets: int, shared: bool) -> bytes:
    over = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
    ]
    for i in range(1, n_sheets + 1):
        over.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
    if shared:
        over.append(
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(over) + "</Types>"
    ).encode()


def root_rels() -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ).encode()


def workbook_xml(names: list[str], date1904: bool = False) -> bytes:
    sheets = "".join(
        f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, start=1)
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"{pr}<sheets>{sheets}</sheets></workbook>"
    ).encode()


def workbook_rels(n_sheets: int, shared: bool) -> bytes:
    rels = [
        f'<Relationship Id="rId{i}" Type="{DOC_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    ]
    rels.append(
        f'<Relationship Id="rId{n_sheets + 1}" Type="{DOC_REL}/styles" Target="styles.xml"/>'
    )
    if shared:
        rels.append(
            f'<Relationship Id="rId{n_sheets + 2}" Type="{DOC_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        + "".join(rels)
        + "</Relationships>"
    ).encode()


#: Cell formats (``s`` attribute = index) of every generated workbook.
STYLE_GENERAL, STYLE_DATE, STYLE_PERCENT2, STYLE_PERCENT0, STYLE_TEXT = 0, 1, 2, 3, 4
STYLE_ZH_DATE, STYLE_DATETIME, STYLE_PERCENT1_CUSTOM, STYLE_ZH_CUSTOM_DATE = 5, 6, 7, 8
_XF_FORMATS = [0, 164, 10, 9, 49, 31, 22, 165, 166]


def styles_xml() -> bytes:
    num_fmts = (
        '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
        '<numFmt numFmtId="165" formatCode="0.0%;[Red]\\-0.0%"/>'
        '<numFmt numFmtId="166" '
        'formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/>'
        "</numFmts>"
    )
    xfs = "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0"/>' for n in _XF_FORMATS)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">{num_fmts}'
        '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(_XF_FORMATS)}">{xfs}</cellXfs></styleSheet>'
    ).encode()


def sheet_xml(rows: Iterable[str], extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f"<sheetData>{''.join(rows)}</sheetData>{extra}</worksheet>"
    ).encode()


def sst_xml(strings: list[str]) -> bytes:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def col_letter(idx: int) -> str:
    """Excel column letters of a 0-based index."""
    out = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell(
    ref: str,
    value: object = None,
    *,
    t: str | None = None,
    s: int | None = None,
    f: str | None = None,
) -> str:
    """One ``<c>``; a str value without ``t`` is written as an inline string."""
    attrs = f' r="{ref}"'
    if isinstance(value, str) and t is None:
        t = "inlineStr"
    if t:
        attrs += f' t="{t}"'
    if s:
        attrs += f' s="{s}"'
    inner = f"<f>{escape(f)}</f>" if f is not None else ""
    if t == "inlineStr":
        inner += f'<is><t xml:space="preserve">{escape(str(value))}</t></is>'
    elif value is not None:
        inner += f"<v>{escape(str(value))}</v>"
    return f"<c{attrs}>{inner}</c>"


def row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def header_row(*names: str) -> str:
    return row(1, [cell(f"{col_letter(i)}1", n) for i, n in enumerate(names)])


def package(
    path: Path,
    sheets: list[tuple[str, Member | bytes]],
    *,
    shared: Member | bytes | None = None,
    date1904: bool = False,
    extra: list[Member] | None = None,
) -> Path:
    """A complete workbook; sheet/shared parts given as bytes or as ready-made members."""

    def part(name: str, body: Member | bytes) -> Member:
        if isinstance(body, Member):
            body.name = name
            return body
        return deflate_member(name, body)

    members = [
        deflate_member("[Content_Types].xml", content_types(len(sheets), shared is not None)),
        deflate_member("_rels/.rels", root_rels()),
        deflate_member("xl/workbook.xml", workbook_xml([n for n, _ in sheets], date1904)),
        deflate_member("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets), bool(shared))),
        deflate_member("xl/styles.xml", styles_xml()),
    ]
    for i, (_name, body) in enumerate(sheets, start=1):
        members.append(part(f"xl/worksheets/sheet{i}.xml", body))
    if shared is not None:
        members.append(part("xl/sharedStrings.xml", shared))
    members.extend(extra or [])
    write_zip(path, members)
    return path


def simple(
    path: Path,
    data_cells: list[str],
    *,
    headers: tuple[str, ...] = ("名称", "数值"),
    shared: bytes | None = None,
    date1904: bool = False,
    title: str = "活动",
) -> Path:
    """Header row plus one data row (row 2) made of ``data_cells``."""
    xml = sheet_xml([header_row(*headers), row(2, data_cells)])
    return package(path, [(title, xml)], shared=shared, date1904=date1904)


_SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"


def _blocks_of(unit: bytes, total: int) -> tuple[bytes, int]:
    """A ~1 MiB block made of whole ``unit``s, and how many blocks make ``total`` bytes."""
    block = unit * max(1, BLOCK // len(unit))
    return block, max(1, total // len(block))


# ---------------------------------------------------------------- hostile files


def zip_bomb(path: Path) -> Path:
    """3 GiB of identical rows in one member (honest sizes): a few MB on disk."""
    block, n = _blocks_of(b"<row><c><v>1</v></c></row>", 3 * GiB)
    member = repeated_member("", _SHEET_HEAD.encode(), block, n, _SHEET_TAIL.encode())
    return package(path, [("活动", member)])


def zip_bomb_lying(path: Path) -> Path:
    """The same 3 GiB stream, but the headers claim 20 KB uncompressed (ratio looks normal)."""
    block, n = _blocks_of(b"<row><c><v>1</v></c></row>", 3 * GiB)
    member = repeated_member(
        "", _SHEET_HEAD.encode(), block, n, _SHEET_TAIL.encode(), declared=20_000
    )
    return package(path, [("活动", member)])


def zip_ratio(path: Path) -> Path:
    """120 MiB member (under the size limits) at ~1000:1: rejected by ratio before inflating."""
    block, n = _blocks_of(b" " * 4096, 120 * MiB)
    member = repeated_member("", _SHEET_HEAD.encode(), block, n, _SHEET_TAIL.encode())
    return package(path, [("活动", member)])


def zip_many_entries(path: Path) -> Path:
    """A valid workbook plus 60,000 empty entries (the central directory alone is ~4 MB)."""
    xml = sheet_xml([header_row("名称"), row(2, [cell("A2", "讲座")])])
    extra = [deflate_member(f"customXml/item{i}.xml", b"") for i in range(60_000)]
    return package(path, [("活动", xml)], extra=extra)


def huge_shared_string(path: Path) -> Path:
    """2.5 GiB in one shared string."""
    block, n = _blocks_of(b"A", int(2.5 * GiB))
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}"><si><t>'.encode()
    member = repeated_member("", head, block, n, b"</t></si></sst>")
    xml = sheet_xml([header_row("名称"), row(2, [cell("A2", 0, t="s")])])
    return package(path, [("活动", xml)], shared=member)


def long_shared_string(path: Path) -> Path:
    """12 MiB in one shared string: under every size limit, caught while streaming."""
    block, n = _blocks_of("长".encode(), 12 * MiB)
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}"><si><t>'.encode()
    member = repeated_member("", head, block, n, b"</t></si></sst>")
    xml = sheet_xml([header_row("名称"), row(2, [cell("A2", 0, t="s")])])
    return package(path, [("活动", xml)], shared=member)


def huge_rows(path: Path) -> Path:
    """2.5 GiB of 15-cell rows without references (the red-team's 7-minute MemoryError)."""
    unit = ("<row>" + "<c><v>12345</v></c>" * 15 + "</row>").encode()
    block, n = _blocks_of(unit, int(2.5 * GiB))
    member = repeated_member("", _SHEET_HEAD.encode(), block, n, _SHEET_TAIL.encode())
    return package(path, [("活动", member)])


def many_rows(path: Path) -> Path:
    """150,000 data rows (~8 MB XML): more rows than MAX_ROWS."""
    rows = [header_row("序号")] + [row(i, [cell(f"A{i}", i)]) for i in range(2, 150_002)]
    return package(path, [("活动", sheet_xml(rows))])


def many_cells(path: Path) -> Path:
    """70,000 rows x 15 numbers = 1.05 M cells: more than MAX_CELLS, under MAX_ROWS."""
    letters = [col_letter(i) for i in range(15)]
    rows = [header_row(*[f"列{i}" for i in range(15)])]
    rows += [
        f'<row r="{i}">' + "".join(f'<c r="{c}{i}"><v>{i}</v></c>' for c in letters) + "</row>"
        for i in range(2, 70_002)
    ]
    return package(path, [("活动", sheet_xml(rows))])


def many_elements(path: Path) -> Path:
    """6 M junk elements inside sheetData (no cells): bounded by MAX_XML_ELEMENTS."""
    rng = random.Random(7)
    junk = "".join(rng.choice(("<x/>", "<y/>", "<z/>")) for _ in range(6_000_000))
    xml = sheet_xml([header_row("名称"), junk])
    return package(path, [("活动", xml)])


def huge_attribute(path: Path) -> Path:
    """A 12 MiB attribute value: no parser event for megabytes."""
    block, n = _blocks_of(b"A", 12 * MiB)
    head = (_SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr" x="').encode()
    tail = ('"><is><t>名称</t></is></c></row>' + _SHEET_TAIL).encode()
    return package(path, [("活动", repeated_member("", head, block, n, tail))])


def billion_laughs(path: Path) -> Path:
    """Nested entity expansion in a DTD (OOXML never has a DTD)."""
    ents = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{ents}]><worksheet xmlns="{MAIN_NS}">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return package(path, [("活动", xml)])


def huge_cell_ref(path: Path) -> Path:
    """``ZZZZZZZZZZZZ19``: the old reader allocates a row list as wide as that column index."""
    xml = sheet_xml([header_row("名称"), row(19, [cell("ZZZZZZZZZZZZ19", 1)])])
    return package(path, [("活动", xml)])


def far_column(path: Path) -> Path:
    """A value in XFD2 (Excel's last column): valid, but beyond MAX_COLUMNS."""
    return simple(path, [cell("A2", "讲座"), cell("XFD2", "远处")])


def row_order(path: Path) -> Path:
    """Row 3 written before row 2 (Excel never does; values would silently mix)."""
    xml = sheet_xml([header_row("名称"), row(3, [cell("A3", "乙")]), row(2, [cell("A2", "甲")])])
    return package(path, [("活动", xml)])


def shared_index_negative(path: Path) -> Path:
    """``<v>-1</v>`` with t="s": Python's list[-1] would silently take the last string."""
    return simple(
        path, [cell("A2", "讲座"), cell("B2", -1, t="s")], shared=sst_xml(["甲", "乙", "最后一个"])
    )


def shared_index_out_of_range(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", 99, t="s")], shared=sst_xml(["甲"]))


def num_nan(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", "NaN", t="n")])


def num_inf(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", "INF", t="n")])


def num_1e308(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", "1E308", t="n")])


def num_400_digits(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", "9" * 400, t="n")])


def count_20_digits(path: Path) -> Path:
    """A 20-digit count typed into a General cell: Excel stores 1.2345678901234567E+19."""
    return simple(path, [cell("A2", "讲座"), cell("B2", "1.2345678901234567E+19", t="n")])


def date_format_20240202(path: Path) -> Path:
    """20240202 typed into a date-formatted cell: no valid serial date (year ~57,000)."""
    return simple(
        path, [cell("A2", "讲座"), cell("B2", 20240202, s=STYLE_DATE)], headers=("名称", "开始日期")
    )


def date_negative(path: Path) -> Path:
    return simple(
        path, [cell("A2", "讲座"), cell("B2", -5, s=STYLE_DATE)], headers=("名称", "开始日期")
    )


def text_too_long(path: Path) -> Path:
    """40,000 characters in one cell (Excel allows 32,767)."""
    return simple(path, [cell("A2", "讲座"), cell("B2", "字" * 40_000)])


def bad_bool(path: Path) -> Path:
    return simple(path, [cell("A2", "讲座"), cell("B2", 2, t="b")])


def too_many_strings(path: Path) -> Path:
    """1.1 M shared strings."""
    items = "".join(f"<si><t>{i}</t></si>" for i in range(1_100_000))
    sst = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}">{items}</sst>'.encode()
    return simple(path, [cell("A2", 0, t="s")], shared=sst)


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return path


#: Hostile file -> code of the single problem the hardened reader must report.
HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip_bomb": (zip_bomb, "part_too_large"),
    "zip_bomb_lying": (zip_bomb_lying, "zip_corrupt"),
    "zip_ratio": (zip_ratio, "compression_ratio"),
    "zip_many_entries": (zip_many_entries, "too_many_entries"),
    "huge_shared_string": (huge_shared_string, "part_too_large"),
    "long_shared_string": (long_shared_string, "token_too_long"),
    "huge_rows": (huge_rows, "part_too_large"),
    "many_rows": (many_rows, "too_many_rows"),
    "many_cells": (many_cells, "too_many_cells"),
    "many_elements": (many_elements, "too_many_elements"),
    "huge_attribute": (huge_attribute, "token_too_long"),
    "billion_laughs": (billion_laughs, "dtd"),
    "huge_cell_ref": (huge_cell_ref, "bad_cell_ref"),
    "far_column": (far_column, "column_out_of_range"),
    "row_order": (row_order, "row_order"),
    "shared_index_negative": (shared_index_negative, "bad_shared_index"),
    "shared_index_out_of_range": (shared_index_out_of_range, "bad_shared_index"),
    "num_nan": (num_nan, "bad_number"),
    "num_inf": (num_inf, "bad_number"),
    "num_1e308": (num_1e308, "number_too_large"),
    "num_400_digits": (num_400_digits, "bad_number"),
    "count_20_digits": (count_20_digits, "number_too_large"),
    "date_format_20240202": (date_format_20240202, "bad_date"),
    "date_negative": (date_negative, "bad_date"),
    "text_too_long": (text_too_long, "text_too_long"),
    "bad_bool": (bad_bool, "bad_bool"),
    "too_many_strings": (too_many_strings, "too_many_strings"),
    "not_a_zip": (not_a_zip, "not_xlsx"),
}


# ---------------------------------------------------------------- feature files


def percent(path: Path) -> Path:
    """98.92% (0.00%), 50% (0%), 12.5% (custom 0.0%;[Red]-0.0%), a formula 0.989234 shown 98.92%."""
    return simple(
        path,
        [
            cell("A2", 0.9892, s=STYLE_PERCENT2),
            cell("B2", 0.5, s=STYLE_PERCENT0),
            cell("C2", 0.125, s=STYLE_PERCENT1_CUSTOM),
            cell("D2", 0.98923456, s=STYLE_PERCENT2, f="A2+0.00003456"),
            cell("E2", "0.98919999999999997", s=STYLE_PERCENT2, t="n"),
        ],
        headers=("满意度", "比例", "自定义", "公式", "十七位"),
    )


def text_numbers(path: Path) -> Path:
    """Numbers in '@' cells: a numeric cell formatted as text after entry, and a real string."""
    return simple(
        path,
        [
            cell("A2", 20240202, s=STYLE_TEXT),
            cell("B2", 0, t="s", s=STYLE_TEXT),
            cell("C2", 12.5, s=STYLE_TEXT),
        ],
        headers=("编号", "邮编", "小数"),
        shared=sst_xml(["0012"]),
    )


def dates(path: Path) -> Path:
    """Custom yyyy-mm-dd, built-in 22 (date time), zh-CN built-in 31 and a custom 年月日 date."""
    serial = 45340  # 2024-02-18
    return simple(
        path,
        [
            cell("A2", serial, s=STYLE_DATE),
            cell("B2", serial + 0.5, s=STYLE_DATETIME),
            cell("C2", serial, s=STYLE_ZH_DATE),
            cell("D2", serial, s=STYLE_ZH_CUSTOM_DATE),
        ],
        headers=("日期", "日期时间", "内置31", "自定义年月日"),
    )


def dates_1904(path: Path) -> Path:
    serial = 45340 - 1462  # 2024-02-18 in the 1904 system
    return simple(path, [cell("A2", serial, s=STYLE_DATE)], headers=("日期",), date1904=True)


def formulas(path: Path) -> Path:
    """Cached results (number, string), a shared formula without cached value."""
    xml = sheet_xml(
        [
            header_row("甲", "乙", "合计", "文字"),
            row(
                2,
                [
                    cell("A2", 1),
                    cell("B2", 2),
                    cell("C2", 3, f="A2+B2"),
                    cell("D2", "讲座", t="str", f='"讲"&"座"'),
                ],
            ),
            row(
                3,
                [
                    cell("A3", 4),
                    cell("B3", 5),
                    '<c r="C3"><f t="shared" ref="C3:C4" si="0">A3+B3</f></c>',
                ],
            ),
            row(4, [cell("A4", 6), cell("B4", 7), '<c r="C4"><f t="shared" si="0"/></c>']),
        ]
    )
    return package(path, [("活动", xml)])


def merged(path: Path) -> Path:
    xml = sheet_xml(
        [header_row("名称", "数值"), row(2, [cell("A2", "讲座"), cell("B2", 1)])],
        '<mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>',
    )
    return package(path, [("活动", xml)])


def rich_text(path: Path) -> Path:
    """Rich-text runs and phonetic (rPh) runs, as shared and as inline strings."""
    sst = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}"><si><r><t>富</t></r>'
        '<r><rPr><b/></rPr><t>文本</t></r><rPh sb="0" eb="1"><t>フ</t></rPh>'
        '<phoneticPr fontId="1"/></si></sst>'
    ).encode()
    inline = (
        '<c r="B2" t="inlineStr"><is><r><t>东</t></r><r><t>京</t></r>'
        '<rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c>'
    )
    return simple(path, [cell("A2", 0, t="s"), inline], shared=sst)


def misc_types(path: Path) -> Path:
    """Booleans, an error value, an ISO date cell (t="d"), a string with surrounding spaces."""
    return simple(
        path,
        [
            cell("A2", 1, t="b"),
            cell("B2", "#DIV/0!", t="e"),
            cell("C2", "2024-02-18T00:00:00", t="d"),
            cell("D2", "  两端空格　"),
        ],
        headers=("布尔", "错误", "ISO日期", "空格"),
    )


def no_refs(path: Path) -> Path:
    """Rows and cells without r= (some generators), inline strings."""
    xml = sheet_xml(
        [
            '<row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>人次</t>'
            "</is></c></row>",
            '<row><c t="inlineStr"><is><t>讲座</t></is></c><c><v>60</v></c></row>',
        ]
    )
    return package(path, [("活动", xml)])


FEATURES: dict[str, Callable[[Path], Path]] = {
    "percent": percent,
    "text_numbers": text_numbers,
    "dates": dates,
    "dates_1904": dates_1904,
    "formulas": formulas,
    "merged": merged,
    "rich_text": rich_text,
    "misc_types": misc_types,
    "no_refs": no_refs,
}


# ---------------------------------------------------------------- .ods (python-calamine's path)

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: object) -> str:
    """One table cell: str as a string, bool, int/float as a float, date as a date."""
    import datetime as dt

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{flag.upper()}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def ods_workbook(path: Path, sheets: dict[str, list[list[object]]], rows_xml: str = "") -> Path:
    """An OpenDocument spreadsheet of ``sheets`` (rows of values); ``rows_xml`` is appended raw
    to the last sheet (for hostile rows)."""
    tables = []
    names = list(sheets)
    for name in names:
        rows = "".join(
            "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
            for row in sheets[name]
        )
        if name == names[-1]:
            rows += rows_xml
        tables.append(f'<table:table table:name="{escape(name)}">{rows}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.3"><office:body><office:spreadsheet>'
        + "".join(tables)
        + "</office:spreadsheet></office:body></office:document-content>"
    ).encode()
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
        b'"application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    write_zip(
        path,
        [
            deflate_member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            deflate_member("META-INF/manifest.xml", manifest),
            deflate_member("content.xml", content),
        ],
    )
    return path


def ods_repeat_bomb(path: Path) -> Path:
    """Under 1 KB: one row repeated 9,000 times with 10,000 repeated cells (90 M cells once
    expanded): calamine allocates until the allocator fails and aborts its process."""
    bomb = (
        '<table:table-row table:number-rows-repeated="9000"><table:table-cell '
        'table:number-columns-repeated="10000" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
    )
    return ods_workbook(path, {"活动": [["名称"]]}, bomb)


def xls_damaged(path: Path) -> Path:
    """An OLE header and nothing behind it."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return path


# ---------------------------------------------------------------- CSV


def csv_huge_field(path: Path) -> Path:
    """200,000 characters in one field: over the csv module's own 131,072; named as long text."""
    path.write_bytes("名称,说明\n讲座,".encode() + b"x" * 200_000 + b"\n")
    return path


def csv_long_text(path: Path) -> Path:
    """40,000 characters in one cell: under the csv module's limit, over Excel's 32,767."""
    path.write_bytes("名称,说明\n讲座,".encode() + "字".encode() * 40_000 + b"\n")
    return path


def csv_too_large(path: Path) -> Path:
    """33 MB (over the 32 MB limit): refused before a byte is decoded."""
    line = ("讲座," + "字" * 100 + "\n").encode()
    with open(path, "wb") as fh:
        fh.write("名称,说明\n".encode())
        block = line * 1000
        for _ in range(33 * MiB // len(block) + 1):
            fh.write(block)
    return path


def csv_one_wide_row(path: Path) -> Path:
    """2 M commas on one line (a few MB): the csv module would build the whole row first."""
    path.write_bytes("名称\n".encode() + b"ab," * 2_000_000 + b"\n")
    return path


def csv_many_lines(path: Path) -> Path:
    """3 M empty lines (3 MB)."""
    path.write_bytes("名称\n".encode() + b"\n" * 3_000_000)
    return path


CSV_HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv_huge_field": (csv_huge_field, "text_too_long"),
    "csv_long_text": (csv_long_text, "text_too_long"),
    "csv_too_large": (csv_too_large, "file_too_large"),
    "csv_one_wide_row": (csv_one_wide_row, "too_many_cells"),
    "csv_many_lines": (csv_many_lines, "too_many_rows"),
}
LEGACY_HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "ods_repeat_bomb.ods": (ods_repeat_bomb, "legacy_too_large"),
    "xls_damaged.xls": (xls_damaged, "legacy_unreadable"),
}
