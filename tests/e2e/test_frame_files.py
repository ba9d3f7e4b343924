"""Report frames tried from another folder (SELFEVAL_FRAMES_DIR), through `python -m selfeval
build` as `make report` runs it: an edited frame rebuilds the years and an unchanged one does
not; a frame file that cannot be used stops the build before any year starts, with one Chinese
message naming the file (the line where TOML gives one, the key), no traceback, every earlier
output and the raw data byte-identical; a title never evaluates what a frame writes in braces.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support_units import tree

from selfeval import config
from selfeval.synthetic import write_synthetic_years

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]
YEAR = 2023
NINE = "nine_sections.toml"
FORM = "yueyang_form_2_1.toml"
#: Lines of the packaged default frame: the malformed line appended is three further down.
NINE_LINES = len((config.PACKAGE_DIR / "frames" / NINE).read_text(encoding="utf-8").splitlines())


def _build(root: Path, frames: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SELFEVAL_ROOT": str(root),
        "SELFEVAL_FRAMES_DIR": str(frames),
        "MPLBACKEND": "Agg",
    }
    return subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--jobs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A project built once with a copy of the packaged frames; (project root, frames folder)."""
    base = tmp_path_factory.mktemp("frames")
    root, frames = base / "project", base / "frames"
    shutil.copytree(config.PACKAGE_DIR / "frames", frames)
    write_synthetic_years(root / "data" / "raw", [YEAR], activities_per_year=4)
    proc = _build(root, frames)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root, frames


def _title(root: Path) -> str:
    html = (root / "outputs" / str(YEAR) / "report.html").read_text(encoding="utf-8")
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_frame_rebuilds_the_years_and_an_unchanged_one_does_not(built, tmp_path):
    root, frames = tmp_path / "project", tmp_path / "frames"
    shutil.copytree(built[0], root)
    shutil.copytree(built[1], frames)
    assert "年度整体支出绩效自评报告" in _title(root)

    proc = _build(root, frames)
    assert proc.returncode == 0 and "未变化" in proc.stdout, proc.stdout + proc.stderr

    _edit(
        frames / NINE, 'title = "{unit}\\n{year}年度整体支出绩效自评报告"', 'title = "{year}年试框"'
    )
    proc = _build(root, frames)
    assert proc.returncode == 0 and "已生成" in proc.stdout, proc.stdout + proc.stderr
    assert _title(root) == f"{YEAR}年试框"


def _malformed(frames: Path) -> None:
    with (frames / NINE).open("a", encoding="utf-8") as fh:
        fh.write('\n[[sections]]\nkey = "x\n')


def _gbk(frames: Path) -> None:
    path = frames / FORM
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))


def _empty(frames: Path) -> None:
    shutil.rmtree(frames)
    frames.mkdir()


def _missing(frames: Path) -> None:
    shutil.rmtree(frames)


def _cover_string(frames: Path) -> None:
    path = frames / FORM
    text = path.read_text(encoding="utf-8")
    start, end = text.index("cover = ["), text.index("]\n", text.index("cover = [")) + 2
    path.write_text(text[:start] + 'cover = "unit_name"\n' + text[end:], encoding="utf-8")


def _cover_without_field(frames: Path) -> None:
    _edit(frames / FORM, '{ field = "issuer" }', '{ label = "制表机关" }')


def _unknown_block(frames: Path) -> None:
    _edit(frames / FORM, 'blocks = ["problems"]', 'blocks = ["problems", "no_such_block"]')


def _duplicate_setting(frames: Path) -> None:
    _edit(frames / FORM, 'setting = "岳阳市附件2-1"', 'setting = "九段式"')


def _title_attribute(frames: Path) -> None:
    _edit(frames / NINE, '"{unit}\\n{year}', '"{unit.__class__.__mro__}\\n{year}')


def _title_format_spec(frames: Path) -> None:
    _edit(frames / NINE, '"{unit}\\n{year}', '"{unit}\\n{year:>20000000}')


# (what is done to the frames folder, the file or folder named, what else the message says)
BAD_FRAMES = {
    "malformed": (_malformed, NINE, [f"第 {NINE_LINES + 3} 行", "TOML 格式错误"]),
    "gbk": (_gbk, FORM, ["第 1 行", "UTF-8"]),
    "empty": (_empty, "", ["没有默认框架", NINE, "没有任何 .toml 文件"]),
    "missing": (_missing, "", ["不存在", "SELFEVAL_FRAMES_DIR"]),
    "cover_string": (_cover_string, FORM, ["cover 必须是表的列表"]),
    "cover_without_field": (_cover_without_field, FORM, ["cover 的第 6 项没有 field"]),
    "unknown_block": (_unknown_block, FORM, ["部分 problems", "no_such_block"]),
    "duplicate_setting": (_duplicate_setting, FORM, ["九段式", NINE]),
    "title_attribute": (_title_attribute, NINE, ["title", "{unit.__class__.__mro__}"]),
    "title_format_spec": (_title_format_spec, NINE, ["title", "{year:>20000000}"]),
}


@pytest.mark.parametrize("case", BAD_FRAMES)
def test_a_bad_frame_is_one_located_message_and_nothing_changes(built, tmp_path, case):
    change, named, says = BAD_FRAMES[case]
    root, frames = tmp_path / "project", tmp_path / "frames"
    shutil.copytree(built[0], root)
    shutil.copytree(built[1], frames)
    before = tree(root)
    report_bytes = len(before[f"outputs/{YEAR}/report.html"])
    change(frames)

    proc = _build(root, frames)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"报告框架 {frames / named if named else frames}："), lines[0]
    for text in says:
        assert text in lines[0], lines[0]
    after = tree(root)
    assert after == before  # earlier outputs, processed data and raw data byte-identical
    # the injections: no Python class name on the cover, no 20-million-character title
    assert "class '" not in after[f"outputs/{YEAR}/report.html"].decode("utf-8")
    assert len(after[f"outputs/{YEAR}/report.html"]) == report_bytes


@pytest.mark.parametrize("command", [["template", "--year", "2024"], ["clean", "--year", "2023"]])
def test_other_commands_say_the_same_one_message(built, tmp_path, command):
    """The contract reads the frames' 「报告格式」 at import: every command that reads data
    says what is wrong with the frames folder, in one line, and writes nothing."""
    root, frames = tmp_path / "project", tmp_path / "frames"
    shutil.copytree(built[0], root)
    shutil.copytree(built[1], frames)
    before = tree(root)
    _malformed(frames)
    env = {**os.environ, "SELFEVAL_ROOT": str(root), "SELFEVAL_FRAMES_DIR": str(frames)}
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()], proc.stderr
    assert proc.stderr.startswith(f"报告框架 {frames / NINE}：第 {NINE_LINES + 3} 行")
    assert tree(root) == before
