"""Names a project holds (issue 27): a long unit folder builds, a refused one says why, a cell
Word cannot store fails its unit at cleaning with the cell named; the other units still build.
One real batch through the command line."""

from __future__ import annotations

import pytest
from support import run_build
from support_units import set_unit_items

from selfeval.synthetic import write_synthetic_years

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]
YEAR = 2024
LONG = "图" * 66  # 198 bytes: within the bound, and longer than the 64 characters once allowed


def test_long_refused_and_unstorable_names_in_one_batch(tmp_path):
    raw = tmp_path / "data" / "raw"
    for seed, unit in enumerate((LONG, "lib\n", "ctrl"), start=1):
        write_synthetic_years(raw / unit, [YEAR], activities_per_year=4, seed=seed)
    set_unit_items(raw / "ctrl" / str(YEAR), {"主要职责": "开展\x01阅读推广。"})
    proc = run_build(tmp_path)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1, said
    assert (tmp_path / "outputs" / LONG / str(YEAR) / "report.docx").is_file(), said
    assert "data/raw/lib\\n 的名称不可用：含控制字符或不可见字符（\\n）" in said
    assert "lib\n" not in said and not (tmp_path / "outputs" / "lib\n").exists()
    error = (tmp_path / "outputs" / "ctrl" / str(YEAR) / "failed" / "error.txt").read_text(
        encoding="utf-8"
    )
    assert "单位概况.csv" in error and "「内容」" in error and "控制字符 \\x01" in error, error
    assert "XML compatible" not in error and "\x01" not in error
    assert not (tmp_path / "outputs" / "ctrl" / str(YEAR) / "report.html").exists()
