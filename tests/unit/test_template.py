"""The next-year template: sheets, headers, drop-downs, pre-fill, round trip, no overwrite."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from selfeval import config
from selfeval.clean import clean_year
from selfeval.cli import template_cli
from selfeval.contract import sheets as sc
from selfeval.errors import InputError
from selfeval.template import write_template

UNIT = [
    ["项目", "内容"],
    ["单位名称", "测试区文化馆（测试）"],
    ["主管部门", "测试局"],
    ["编制人数", "6"],
    ["主要职责", "开展群众文化活动。"],
    ["单位性质", '=HYPERLINK("http://example.invalid","点我")'],
    ["编制说明", "@SUM(1+1)"],
    ["填报日期", "2025-01-20"],
]

# Column order differs from the template's: rows are mapped by header.
HOLDINGS = [
    ["说明", "年度", "年末藏量（册）", "本年新增（册）"],
    ["系统录入初始阶段", "2021", "3590", ""],
    ["", "2024", "16,516", "3000"],
]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    for year, rows in ((2023, UNIT[:5]), (2024, UNIT)):
        folder = tmp_path / "data" / "raw" / str(year)
        folder.mkdir(parents=True)
        with open(folder / "单位概况.csv", "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows)
    with open(tmp_path / "data/raw/2024/馆藏.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(HOLDINGS)
    return tmp_path


def _template_path(root: Path, year: int) -> Path:
    return root / "data" / "raw" / str(year) / f"测试区文化馆（测试）{year}年度绩效自评数据.xlsx"


def test_template_has_every_sheet_header_and_dropdowns(project, capsys):
    assert template_cli(2025) == 0
    path = _template_path(project, 2025)
    assert path.is_file()
    assert "2024" in capsys.readouterr().out
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填表说明", *(s.name for s in sc.SHEETS)]
    for spec in sc.SHEETS:
        ws = wb[spec.name]
        headers = [c.value for c in ws[1]]
        assert headers == [c.display() for c in spec.columns], spec.name
        lists = {
            str(dv.sqref).split(":")[0][:-1]: dv.formula1
            for dv in ws.data_validations.dataValidation
        }
        for idx, col in enumerate(spec.columns, start=1):
            if col.enum and spec.table != "unit":
                letter = openpyxl.utils.get_column_letter(idx)
                assert lists[letter] == '"' + ",".join(col.enum) + '"', (spec.name, col.header)
    guide = "\n".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "2025" in guide and "表头" in guide


def test_unit_sheet_is_prefilled_from_latest_year(project):
    template_cli(2025)
    wb = openpyxl.load_workbook(_template_path(project, 2025))
    values = {r[0].value: r[1].value for r in wb["单位概况"].iter_rows(min_row=2)}
    assert values["单位名称"] == "测试区文化馆（测试）"
    assert values["编制人数"] == "6"
    assert values["填报日期"] is None  # the new year's date is not the old one
    assert "填报日期" in values


def test_formula_injection_is_neutralised(project):
    template_cli(2025)
    path = _template_path(project, 2025)
    wb = openpyxl.load_workbook(path)
    cells = {r[0].value: r[1] for r in wb["单位概况"].iter_rows(min_row=2)}
    for item, text in (("单位性质", UNIT[5][1]), ("编制说明", UNIT[6][1])):
        cell = cells[item]
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    with zipfile.ZipFile(path) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula element anywhere
    ref = cells["编制说明"].coordinate.encode()
    assert re.search(rb'<c r="' + ref + rb'"[^>]*t="(inlineStr|s)"', xml)  # stored as text


def test_refuses_to_overwrite(project, capsys):
    assert template_cli(2025) == 0
    path = _template_path(project, 2025)
    before = path.read_bytes()
    assert template_cli(2025) == 1
    assert "不覆盖" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_refuses_folder_with_csv_data(project, capsys):
    assert template_cli(2024) == 1
    assert "已有数据文件" in capsys.readouterr().err


def test_filled_template_round_trips(project):
    template_cli(2025)
    path = _template_path(project, 2025)
    wb = openpyxl.load_workbook(path)

    def append(sheet: str, **cells: object) -> None:
        """A row filled by header, as a clerk fills the template (columns in its order)."""
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        ws.append([cells.get(h) for h in headers])

    basic = {"预算类型": "一般公共预算", "支出类别": "基本支出"}
    append("支出", **basic, 支出项目="人员支出", **{"执行数（万元）": 60.5})
    append("支出", **basic, 支出项目="公用支出", **{"执行数（万元）": 5.25})
    append("支出", **basic, 支出项目="合计", **{"执行数（万元）": 65.75})
    append(
        "活动",
        编号="A1",
        类别="讲座",
        名称="读书讲座",
        开始日期="2025-03-05",
        时段="上午",
        地点="本馆",
        线下参与人次="约50",
        资料份数="100余",
        成效="反响良好。",
    )
    append("文字说明", 章节="存在问题", 内容="人员不足。")
    append("满意度", 调查="读者调查", 样本数=100, 满意数=98)
    append("馆藏", 年度=2025, **{"年末藏量（册）": 19000, "本年新增（册）": 2484})
    wb.save(path)
    result = clean_year(path.parent, 2025)
    assert result.meta["unit_name"] == "测试区文化馆（测试）"
    holdings = result.tables["holdings"]
    assert holdings["year"].tolist() == [2021, 2024, 2025]
    assert holdings["holdings"].tolist() == [3590, 16516, 19000]
    assert holdings["note"].iloc[0] == "系统录入初始阶段"
    assert result.tables["activities"]["materials_text"].tolist() == ["100余"]
    assert result.tables["satisfaction"]["rate"].tolist() == [98.0]
    unit = result.tables["unit"].set_index("item")["value"]
    assert unit["单位性质"] == UNIT[5][1]


def test_holdings_are_prefilled_in_template_column_order(project):
    template_cli(2025)
    ws = openpyxl.load_workbook(_template_path(project, 2025))["馆藏"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows == [
        ["2021", "3590", None, "系统录入初始阶段", None],
        ["2024", "16,516", "3000", None, None],
    ]


def test_template_without_previous_year(tmp_path):
    path = write_template(tmp_path / "2025", 2025, [], None)
    assert path.name == "2025年度绩效自评数据.xlsx"
    wb = openpyxl.load_workbook(path)
    items = [r[0].value for r in wb["单位概况"].iter_rows(min_row=2)]
    assert items[:1] == list(sc.UNIT_REQUIRED_ITEMS) == ["单位名称"]
    assert set(sc.UNIT_OPTIONAL_ITEMS) <= set(items)  # every known item offered, to fill or skip


REPO = Path(__file__).resolve().parents[2]


def _make(*args: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELFEVAL_ROOT": str(root)}
    return subprocess.run(
        ["make", "-s", "-C", str(REPO), *args], capture_output=True, text=True, env=env
    )


def test_make_template_without_year_writes_the_year_after_the_latest(project):
    done = _make("template", root=project)
    assert done.returncode == 0, done.stderr
    assert "expected one argument" not in done.stderr
    assert _template_path(project, 2025).is_file()  # data/raw/ holds 2023 and 2024
    assert "2025" in done.stdout


def test_make_template_without_year_and_without_data_says_what_to_pass(tmp_path):
    done = _make("template", root=tmp_path)
    assert done.returncode != 0
    assert "YEAR=" in done.stderr and "expected one argument" not in done.stderr


def test_instructions_of_a_2025_template_give_2025_dates(project):
    assert template_cli(2025) == 0
    wb = openpyxl.load_workbook(_template_path(project, 2025))
    text = "\n".join(
        str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value is not None
    )
    assert "2025-02-18" in text and "2025年2月18日" in text
    assert "2024-02-18" not in text and "2024年2月18日" not in text


def test_cleaning_hints_use_the_data_year(tmp_path):
    folder = tmp_path / "2026"
    folder.mkdir()
    rows = {
        "单位概况": [["项目", "内容"], ["单位名称", "某馆"], ["填报日期", "1月20日"]],
        "活动": [
            [
                "类别",
                "名称",
                "开始日期",
                "线下参与人次",
                "线上参与人次",
                "场次",
                "赠书册数",
                "资料份数",
                "成效",
            ],
            ["讲座", "讲座一", "二月十八", "", "", "", "", "", ""],
        ],
        "支出": [["预算类型", "支出类别", "支出项目", "执行数（万元）"]],
        "文字说明": [["章节", "内容"], ["其他说明", "无"]],
    }
    for name, data in rows.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(data)
    with pytest.raises(InputError) as caught:
        clean_year(folder, 2026)
    text = caught.value.report()
    assert "2026-02-18" in text  # the activity date's hint is in the data's year
    assert "2027-01-20" in text  # 填报日期 must carry its year: shown in the year after
    assert "2024" not in text


# --------------------------------------------------------------------------- issue 27


def test_a_96_character_unit_name_gives_a_bounded_file_name(tmp_path):
    name = "很" * 96  # 288 bytes: the file name used to exceed 255 bytes (ENAMETOOLONG)
    path = write_template(tmp_path / "2025", 2025, [("单位名称", name)])
    assert path.is_file() and path.name == "很" * 40 + "2025年度绩效自评数据.xlsx"  # 120 bytes
    assert len(path.name.encode()) <= 255 and len(f".{path.name}.tmp".encode()) <= 255
    assert openpyxl.load_workbook(path)["单位概况"]["B2"].value == name  # the name itself kept


def test_a_failed_template_leaves_no_year_folder(tmp_path, monkeypatch):
    import errno

    from openpyxl import Workbook

    def disk_full(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half")  # a partial file, as a full disk leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", disk_full)
    with pytest.raises(OSError):
        write_template(tmp_path / "raw" / "2025", 2025, [("单位名称", "某馆")])
    assert list(tmp_path.iterdir()) == []  # neither data/raw/2025 nor the raw folder it made


def test_template_of_a_unit_in_a_project_of_several_units(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    for unit, name in (("library", "测试区图书馆"), ("museum", "测试区文管所")):
        folder = tmp_path / "data" / "raw" / unit / "2024"
        folder.mkdir(parents=True)
        with open(folder / "单位概况.csv", "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([["项目", "内容"], ["单位名称", name]])
    assert template_cli() == 2
    said = capsys.readouterr().err
    assert "library、museum" in said and "UNIT=library" in said and "还没有任何年度" not in said
    assert not (tmp_path / "data" / "raw" / "2025").exists()
    assert template_cli(unit="museum") == 0
    path = tmp_path / "data/raw/museum/2025/测试区文管所2025年度绩效自评数据.xlsx"
    assert path.is_file(), capsys.readouterr()
    assert openpyxl.load_workbook(path)["单位概况"]["B2"].value == "测试区文管所"  # pre-filled
    assert template_cli(2026, unit="图书 馆") == 2  # a unit folder the batch would refuse
    assert "含空格" in capsys.readouterr().err
    assert not (tmp_path / "data" / "raw" / "图书 馆").exists()
