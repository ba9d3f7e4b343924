"""The streaming xlsx reader of selfeval.read.xlsx agrees with openpyxl on real workbooks."""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from selfeval.read import find_raw_files


def _openpyxl_rows(path: Path, sheet: str) -> list[tuple[int, list]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    out = []
    for number, row in enumerate(wb[sheet].iter_rows(values_only=True), start=1):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if number > 1 and values:
            out.append((number, values))
    return out


def _ours(folder: Path, sheet: str) -> list[tuple[int, list]]:
    raw = find_raw_files(folder)
    assert raw.problems == []
    rows = []
    for number, values in raw.sheets[sheet].rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        rows.append((number, values))
    return rows


def test_cell_types_match_openpyxl(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["文字", "整数", "小数", "日期", "日期时间", "布尔", "空", "大数"])
    ws.append(
        [
            "约300",
            3600,
            63.44,
            dt.date(2024, 2, 18),
            dt.datetime(2024, 2, 18, 9, 30),
            True,
            None,
            1234567890123,
        ]
    )
    ws.append(["  两端空格　", 0, 0.1 + 0.2, dt.date(2024, 12, 31), None, False, None, -5])
    ws.append([None, None, None])  # a blank row is skipped, numbering kept
    ws.append(["第5行", 1e-7, 1.5e20, None, None, None, None, 7])
    ws["A7"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
    ws["AB7"] = "远处的列"
    path = tmp_path / "2024" / "数据.xlsx"
    path.parent.mkdir()
    wb.save(path)
    ours = _ours(path.parent, "活动")
    assert ours == _openpyxl_rows(path, "活动")
    assert [n for n, _ in ours] == [2, 3, 5, 7]
    assert ours[0][1][3] == dt.datetime(2024, 2, 18)
    assert ours[2][1][0] == "第5行"
    assert ours[3][1][0] == "富文本" and ours[3][1][27] == "远处的列"


def _rewrite(path: Path, member_filter, edit) -> None:
    with zipfile.ZipFile(path) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    for name in members:
        if member_filter(name):
            members[name] = edit(members[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in members.items():
            zout.writestr(name, content)


def test_cells_and_rows_without_references_and_inline_strings(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["名称", "人次"])
    ws.append(["讲座", 60])
    ws.append(["展览", 300])
    path = tmp_path / "2024" / "数据.xlsx"
    path.parent.mkdir()
    wb.save(path)
    # Some generators omit r= on rows and cells and write inline strings.
    _rewrite(
        path,
        lambda n: n.startswith("xl/worksheets/sheet"),
        lambda x: re.sub(r' r="[A-Z]*\d+"', "", x),
    )
    text = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert ' r="' not in text and "inlineStr" in text
    rows = _ours(path.parent, "活动")
    assert rows == [(2, ["讲座", 60]), (3, ["展览", 300])]


def test_1904_date_system(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["开始日期"])
    ws.append([dt.date(2024, 2, 18)])
    path = tmp_path / "2024" / "数据.xlsx"
    path.parent.mkdir()
    wb.save(path)
    serial_1900 = (dt.date(2024, 2, 18) - dt.date(1899, 12, 30)).days
    serial_1904 = (dt.date(2024, 2, 18) - dt.date(1904, 1, 1)).days
    _rewrite(
        path,
        lambda n: n == "xl/worksheets/sheet1.xml",
        lambda x: x.replace(f"<v>{serial_1900}</v>", f"<v>{serial_1904}</v>"),
    )
    _rewrite(
        path,
        lambda n: n == "xl/workbook.xml",
        lambda x: re.sub(r"<workbookPr([^>]*)/>", r'<workbookPr\1 date1904="1"/>', x),
    )
    assert b'date1904="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")
    assert _ours(path.parent, "活动") == [(2, [dt.datetime(2024, 2, 18)])]


def test_shared_strings_as_excel_writes_them(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["名称", "地点"])
    ws.append(["讲座", "社区"])
    ws.append(["讲座", "学校"])
    path = tmp_path / "2024" / "数据.xlsx"
    path.parent.mkdir()
    wb.save(path)
    strings: list[str] = []

    def to_shared(xml: str) -> str:
        def repl(m: re.Match) -> str:
            text = html.unescape(m.group(2))  # openpyxl with lxml writes &#21517; entities
            if text not in strings:
                strings.append(text)
            return f'<c{m.group(1)} t="s"><v>{strings.index(text)}</v></c>'

        return re.sub(r'<c([^>]*?) t="inlineStr"><is><t>([^<]*)</t></is></c>', repl, xml)

    _rewrite(path, lambda n: n == "xl/worksheets/sheet1.xml", to_shared)
    items = [f"<si><t>{s}</t></si>" for s in strings]
    # Excel's rich text and phonetic guide (rPh, skipped) in the string of 学校:
    items[strings.index("学校")] = (
        "<si><r><t>学</t></r><r><rPr><b/></rPr><t>校</t></r>"
        '<rPh sb="0" eb="1"><t>xue</t></rPh></si>'
    )
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(items)}" uniqueCount="{len(items)}">' + "".join(items) + "</sst>"
    )
    with zipfile.ZipFile(path) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    members["xl/sharedStrings.xml"] = sst.encode()
    with zipfile.ZipFile(path, "w") as zout:
        for name, content in members.items():
            zout.writestr(name, content)
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert 't="s"' in sheet_xml and "inlineStr" not in sheet_xml
    assert _ours(path.parent, "活动") == [(2, ["讲座", "社区"]), (3, ["讲座", "学校"])]
