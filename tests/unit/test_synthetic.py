"""Synthetic years: valid under the contract, messy, deterministic, never in data/raw."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from selfeval.clean import clean_year
from selfeval.synthetic import UNIT_NAME, write_synthetic_years

YEARS = [2021, 2022, 2023, 2024]


@pytest.fixture(scope="module")
def csv_years(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("synthetic_csv")
    write_synthetic_years(dest, YEARS, activities_per_year=30, seed=7, fmt="csv")
    return dest


def _bytes_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_gives_identical_files(tmp_path):
    write_synthetic_years(tmp_path / "a", [2023, 2024], activities_per_year=12, seed=3)
    write_synthetic_years(tmp_path / "b", [2023, 2024], activities_per_year=12, seed=3)
    write_synthetic_years(tmp_path / "c", [2023, 2024], activities_per_year=12, seed=4)
    assert _bytes_of(tmp_path / "a") == _bytes_of(tmp_path / "b")
    assert _bytes_of(tmp_path / "a") != _bytes_of(tmp_path / "c")


def test_xlsx_bytes_do_not_depend_on_the_clock(tmp_path):
    write_synthetic_years(tmp_path / "a", [2023], activities_per_year=5, fmt="xlsx")
    time.sleep(2.1)  # zip entry times have a 2-second resolution
    write_synthetic_years(tmp_path / "b", [2023], activities_per_year=5, fmt="xlsx")
    assert _bytes_of(tmp_path / "a") == _bytes_of(tmp_path / "b")


def test_every_year_cleans_without_error(csv_years):
    for year in YEARS:
        result = clean_year(csv_years / str(year), year)
        assert result.meta["unit_name"] == UNIT_NAME
        assert "合成" in UNIT_NAME
        acts = result.tables["activities"]
        assert acts["event_id"].nunique() == 31  # 30 events plus the summary listing
        assert len(acts) == 32  # one event listed under a second category


def test_messiness_is_present(csv_years):
    raw_2023 = (csv_years / "2023" / "活动.csv").read_bytes().decode("gb18030")
    raw_all = raw_2023 + (csv_years / "2024" / "活动.csv").read_bytes().decode("utf-8-sig")
    for marker in ("约", "近", "余", "多", "年", "/", "月"):
        assert marker in raw_all, marker
    assert any(ch in raw_all for ch in "０１２３４５６７８９")
    assert (csv_years / "2024" / "活动.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    spending_2023 = (csv_years / "2023" / "支出.csv").read_bytes().decode("gb18030")
    spending_2024 = (csv_years / "2024" / "支出.csv").read_bytes().decode("utf-8-sig")
    assert "预算数（元）" in spending_2023 and "," in spending_2023.split("\n", 2)[1]
    assert "预算数（万元）" in spending_2024

    acts = clean_year(csv_years / "2024", 2024).tables["activities"]
    shared = acts[acts["event_id"].duplicated(keep=False)]
    assert shared["category"].nunique() == 2
    assert acts["offline"].isna().any()  # blanks stay unknown
    assert set(acts["offline_q"]) - {""}  # qualifiers recorded
    assert acts["includes"].notna().sum() == 1


def test_targets_weights_add_to_90_and_holdings_grow(csv_years):
    tables = clean_year(csv_years / "2024", 2024).tables
    assert tables["targets"]["weight"].sum() == 90
    holdings = tables["holdings"]
    assert holdings["year"].max() == 2024
    assert holdings["holdings"].is_monotonic_increasing
    h2023 = clean_year(csv_years / "2023", 2023).tables["holdings"]
    merged = pd.merge(h2023, holdings, on="year", suffixes=("_a", "_b"))
    assert (merged["holdings_a"] == merged["holdings_b"]).all()  # one consistent series


def test_xlsx_format_cleans(tmp_path):
    write_synthetic_years(tmp_path, [2023], activities_per_year=10, seed=1, fmt="xlsx")
    files = list((tmp_path / "2023").iterdir())
    assert [p.suffix for p in files] == [".xlsx"]
    wb = openpyxl.load_workbook(files[0], read_only=True)
    assert "活动" in wb.sheetnames
    wb.close()
    result = clean_year(tmp_path / "2023", 2023)
    assert len(result.tables["activities"]) == 12


def test_refuses_data_raw_and_existing_files(tmp_path):
    repo_raw = Path(__file__).resolve().parents[2] / "data" / "raw"
    with pytest.raises(ValueError, match=r"allow_raw"):
        write_synthetic_years(repo_raw, [2099])
    with pytest.raises(ValueError, match=r"allow_raw"):
        write_synthetic_years(repo_raw / ".." / "raw" / "sub", [2099])
    assert not (repo_raw / "2099").exists() and not (repo_raw / "sub").exists()
    write_synthetic_years(tmp_path, [2023], activities_per_year=3)
    with pytest.raises(FileExistsError):
        write_synthetic_years(tmp_path, [2023], activities_per_year=3)
    write_synthetic_years(tmp_path, [2023], activities_per_year=3, overwrite=True, fmt="xlsx")
    assert [p.suffix for p in (tmp_path / "2023").iterdir()] == [".xlsx"]
