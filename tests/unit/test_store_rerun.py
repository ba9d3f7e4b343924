"""Cleaning a year again (01 run alone, in JupyterLab) keeps what 02 computed when the cleaned
tables did not change, so the next `make report` finds the year as its stamp recorded it."""

from __future__ import annotations

import shutil
from pathlib import Path

from selfeval import store
from selfeval.clean import clean_year

REPO = Path(__file__).resolve().parents[2]


def _analysed_year(tmp_path: Path) -> tuple[Path, Path]:
    """2024 cleaned, with the results and summary 02 would have written: (raw, processed)."""
    raw = tmp_path / "raw" / "2024"
    shutil.copytree(REPO / "data" / "raw" / "2024", raw)
    processed = tmp_path / "processed" / "2024"
    store.write_processed(clean_year(raw, 2024), processed)
    store.write_results('{"figures": 1}\n', processed)
    store.write_summary({"year": 2024}, processed)
    return raw, processed


def test_cleaning_an_unchanged_year_again_keeps_results_and_summary(tmp_path):
    raw, processed = _analysed_year(tmp_path)
    before = store.hash_tree(processed)

    store.write_processed(clean_year(raw, 2024), processed)  # a fresh cleaning, same input

    assert (processed / "results.json").read_text(encoding="utf-8") == '{"figures": 1}\n'
    assert (processed / "summary.json").is_file()
    assert store.hash_tree(processed) == before  # what the batch's stamp compares


def test_cleaning_a_changed_year_drops_the_stale_results(tmp_path):
    raw, processed = _analysed_year(tmp_path)
    meta_before = (processed / "meta.json").read_bytes()
    # Saved again by another program: the same rows, other bytes (meta.json's sources change).
    texts = raw / "文字说明.csv"
    texts.write_bytes(texts.read_bytes() + b"\r\n")
    result = clean_year(raw, 2024)
    store.write_processed(result, processed)

    assert (processed / "meta.json").read_bytes() != meta_before
    assert not (processed / "results.json").exists()
    assert not (processed / "summary.json").exists()
