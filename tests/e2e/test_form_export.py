"""自评表.xlsx from a real build: `python -m selfeval build` of a temporary project (the real 2024
data and a synthetic 2023 with 绩效目标), as `make report` runs it.

The workbook is a product like report.docx: stamped, rebuilt to the same bytes, and left byte
for byte when a later build of its year fails.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import docx
import openpyxl
import pytest
from support import REPO, run_build

from selfeval import synthetic

pytestmark = pytest.mark.slow
XLSX = "自评表.xlsx"


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _word_form(path) -> list[list[str]]:
    word = docx.Document(str(path))
    table = next(t for t in word.tables if "年度资金总额" in [c.text for c in t.columns[1].cells])
    return [[c.text for c in row.cells] for row in table.rows]


def test_every_build_writes_the_form_workbook_stamped_reproducible_and_kept_on_failure(
    tmp_path,
):
    raw = tmp_path / "data" / "raw"
    shutil.copytree(REPO / "data" / "raw" / "2024", raw / "2024")
    synthetic.write_synthetic_years(raw, [2023])
    first = run_build(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    out = {y: tmp_path / "outputs" / str(y) for y in (2023, 2024)}

    for year, folder in out.items():
        book = openpyxl.load_workbook(folder / XLSX)
        assert book.sheetnames[0] == "部门整体支出绩效自评表", year
        ws = book.worksheets[0]
        assert ws["A1"].value == f"部门整体支出绩效自评表（{year}年度）"
        # the funds rows' labels where the Word table has them (the title row above them)
        word = _word_form(folder / "report.docx")
        funds = [r for r, row in enumerate(word) if row[1] == "年度资金总额"]
        assert [ws.cell(r + 2, 2).value for r in funds] == ["年度资金总额"], year
        stamp = json.loads((folder / "stamp.json").read_text(encoding="utf-8"))
        assert XLSX in stamp["products"], year
    # 2023 has 绩效目标: its 总分 is a number in the workbook, the same the Word table shows
    ws = openpyxl.load_workbook(out[2023] / XLSX).worksheets[0]
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    word_total = next(row for row in _word_form(out[2023] / "report.docx") if row[0] == "总分")
    assert isinstance(ws.cell(total, 8).value, float)
    assert f"{ws.cell(total, 8).value:.2f}" == word_total[7]

    before = {y: _sha(f / XLSX) for y, f in out.items()}
    again = run_build(tmp_path, "--force")
    assert again.returncode == 0, again.stdout + again.stderr
    assert {y: _sha(f / XLSX) for y, f in out.items()} == before  # same inputs, same bytes

    spending = next((raw / "2023").glob("支出*"))
    spending.write_text("这不是支出表\n1,2,3\n", encoding="utf-8")
    failed = run_build(tmp_path, "--force")
    assert failed.returncode != 0
    assert _sha(out[2023] / XLSX) == before[2023]  # the failed year keeps its workbook
