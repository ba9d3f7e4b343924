"""Only folders the product wrote are replaced or deleted; overlapping folders are refused.

Each case is a real folder tree in tmp_path; the checks are called as the notebooks, the
cleaner and the batch's swap call them, and every file that was there is compared by its bytes
afterwards.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from selfeval import folders, store
from selfeval.errors import FolderRefused


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (hidden ones too), by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class _Result:
    """What clean_year returns, as far as write_processed reads it."""

    def __init__(self) -> None:
        self.tables = {"notes": pd.DataFrame({"a": [1, 2]})}
        self.checks = {"warnings": []}
        self.meta = {"year": 2024}


def raw_year(root: Path) -> Path:
    raw = root / "data" / "raw" / "2024"
    raw.mkdir(parents=True)
    (raw / "支出.csv").write_text("项目,执行数（万元）\n人员支出,63.44\n", encoding="utf-8")
    (raw / "活动.csv").write_text("名称\n送图书\n", encoding="utf-8")
    return raw


def test_missing_and_empty_folders_may_be_written(tmp_path):
    assert folders.ownership_problem(tmp_path / "new", folders.PROCESSED) is None
    (tmp_path / "empty").mkdir()
    assert folders.ownership_problem(tmp_path / "empty", folders.OUTPUTS) is None


def test_a_raw_folder_is_refused_as_processed_and_nothing_is_deleted(tmp_path):
    raw = raw_year(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(FolderRefused) as caught:
        store.write_processed(_Result(), raw)
    text = str(caught.value)
    assert str(raw) in text
    assert "活动.csv" in text and "支出.csv" in text  # what it holds that is not ours
    assert "未做任何改动" in text
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in raw.parent.iterdir()) == ["2024"]  # no temporary left


def test_a_folder_holding_year_folders_is_refused(tmp_path):
    processed = tmp_path / "data" / "processed"
    store.write_processed(_Result(), processed / "2023")
    store.write_processed(_Result(), processed / "2024")
    before = snapshot(tmp_path)
    with pytest.raises(FolderRefused, match="2023、2024"):
        store.write_processed(_Result(), processed)
    assert snapshot(tmp_path) == before


def test_an_outside_folder_with_json_only_is_not_ours(tmp_path):
    """Names alone are not enough: a folder of someone's .json files has no marker."""
    other = tmp_path / "settings"
    other.mkdir()
    (other / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FolderRefused, match="不是 selfeval 生成的目录"):
        store.write_processed(_Result(), other)
    assert (other / "config.json").read_text(encoding="utf-8") == "{}"


def test_our_processed_folder_is_replaced_and_keeps_its_marker(tmp_path):
    target = tmp_path / "processed" / "2024"
    store.write_processed(_Result(), target)
    assert folders.marker_kind(target) == folders.PROCESSED
    store.write_processed(_Result(), target)  # a rebuild replaces it
    assert sorted(p.name for p in target.iterdir()) == [
        folders.MARKER,
        "checks.json",
        "meta.json",
        "notes.parquet",
    ]


def test_a_file_added_to_our_folder_stops_the_replacement(tmp_path):
    target = tmp_path / "processed" / "2024"
    store.write_processed(_Result(), target)
    (target / "说明.docx").write_bytes(b"the analyst's own notes")
    with pytest.raises(FolderRefused, match=r"说明\.docx"):
        store.write_processed(_Result(), target)
    assert (target / "说明.docx").read_bytes() == b"the analyst's own notes"


def test_a_processed_year_of_before_the_marker_is_still_ours(tmp_path):
    """Projects built before the marker existed: meta.json and products only."""
    target = tmp_path / "2024"
    target.mkdir()
    for name in ("meta.json", "checks.json", "results.json", "spending.parquet"):
        (target / name).write_text("{}", encoding="utf-8")
    assert folders.ownership_problem(target, folders.PROCESSED) is None
    assert folders.kind_of(target) == folders.PROCESSED


def test_an_outputs_folder_is_not_a_processed_one(tmp_path):
    out = folders.claim(tmp_path / "outputs" / "2024", folders.OUTPUTS)
    (out / "report.html").write_text("<html></html>", encoding="utf-8")
    problem = folders.ownership_problem(out, folders.PROCESSED)
    assert problem is not None and "报告输出目录" in problem and "清洗结果目录" in problem


def test_a_symlink_or_a_file_is_no_folder_to_write(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "符号链接" in folders.ownership_problem(tmp_path / "link", folders.OUTPUTS)
    assert "是文件" in folders.ownership_problem(tmp_path / "file", folders.OUTPUTS)


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("data/raw/2024", "data/raw/2024", "是同一个目录"),
        ("data", "data/raw/2024", "包含后者"),
        ("data/raw/2024/sub", "data/raw/2024", "位于后者之内"),
    ],
)
def test_overlapping_folders_are_named_both(tmp_path, a, b, how):
    problem = folders.overlap_problem({"甲 a_dir": tmp_path / a, "乙 b_dir": tmp_path / b})
    assert problem is not None
    assert how in problem
    assert f"甲 a_dir（{tmp_path / a}）" in problem and f"乙 b_dir（{tmp_path / b}）" in problem


def test_a_symlink_cannot_hide_an_overlap(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "raw")
    assert "是同一个目录" in folders.overlap_problem(
        {"raw_dir": tmp_path / "raw", "processed_dir": tmp_path / "alias"}
    )
    assert folders.overlap_problem({"a": tmp_path / "x", "b": tmp_path / "xy"}) is None


def test_swap_in_refuses_a_target_it_did_not_write(tmp_path):
    """The batch's last step replaces outputs/<year>: a foreign folder there stays as it was."""
    outputs = tmp_path / "outputs"
    staged = folders.claim(outputs / ".tmp-2024-abcd", folders.OUTPUTS)
    (staged / "report.html").write_text("new", encoding="utf-8")
    target = outputs / "2024"
    target.mkdir()
    (target / "我的笔记.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(FolderRefused, match=r"我的笔记\.txt"):
        store.swap_in("2024", [(staged, target)], outputs)
    assert snapshot(tmp_path) == before
    assert not list(outputs.glob(".swap-*"))


def test_swap_in_replaces_its_own_target(tmp_path):
    outputs = tmp_path / "outputs"
    target = folders.claim(outputs / "2024", folders.OUTPUTS)
    (target / "report.html").write_text("old", encoding="utf-8")
    staged = folders.claim(outputs / ".tmp-2024-abcd", folders.OUTPUTS)
    (staged / "report.html").write_text("new", encoding="utf-8")
    store.swap_in("2024", [(staged, target)], outputs)
    assert (target / "report.html").read_text(encoding="utf-8") == "new"
    assert folders.marker_kind(target) == folders.OUTPUTS


def test_write_output_marks_a_new_folder_and_refuses_a_raw_one(tmp_path):
    out = tmp_path / "outputs" / "2024"
    store.write_output(out, "report.docx", b"docx")
    assert folders.marker_kind(out) == folders.OUTPUTS
    raw = raw_year(tmp_path)
    before = snapshot(raw)
    with pytest.raises(FolderRefused):
        store.write_output(raw, "report.docx", b"docx")
    assert snapshot(raw) == before


def test_the_refusal_renders_without_a_traceback():
    """JupyterLab and papermill show `_render_traceback_` instead of Python's traceback."""
    lines = FolderRefused("清洗结果目录 x 已有内容")._render_traceback_()
    assert lines == ["FolderRefused: 清洗结果目录 x 已有内容"]
    assert not any(".py" in line for line in lines)


def test_marker_is_left_out_of_content_hashes(tmp_path):
    """A folder's hash (the stamps) must not change because the marker was added."""
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "meta.json").write_text("{}", encoding="utf-8")
    before = store.hash_tree(folder)
    folders.mark(folder, folders.PROCESSED)
    assert store.hash_tree(folder) == before
    assert os.path.exists(folder / folders.MARKER)
