"""Year and unit folders the batch accepts, ignores or refuses (issue 17, issue 19), through the
real command line on a temporary project; no notebook runs in any of these."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from selfeval.config import Roots
from selfeval.run.batch import discover, raw_problem, select
from selfeval.run.plan import Key


def _build(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELFEVAL_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "selfeval", *args], env=env, capture_output=True, text=True
    )


def test_a_year_folder_0000_is_named_not_read_as_year_0(tmp_path):
    roots = Roots.of(tmp_path)
    (roots.raw / "0000").mkdir(parents=True)
    (roots.raw / "notes").mkdir()
    keys, ignored = discover(roots.raw)
    assert keys == []
    assert any("data/raw/0000" in line and "1000–9999" in line for line in ignored), ignored
    proc = _build(tmp_path, "build")
    assert "data/raw/0000" in proc.stdout and "data/raw/0\n" not in proc.stdout
    assert "raw folder missing" not in proc.stdout


def test_years_on_the_command_line_must_be_1000_to_9999(tmp_path):
    for bad in ("0000", "0", "99999", "２０２４"):
        proc = _build(tmp_path, "build", "--years", bad)
        assert proc.returncode == 2, bad
        assert f"年度「{bad}」无效" in proc.stderr and "Traceback" not in proc.stderr


def test_clean_names_a_year_folder_0000_as_it_is_written(tmp_path):
    (Roots.of(tmp_path).raw / "0000").mkdir(parents=True)
    for bad, said in (("0000", "年度「0000」不在 1000–9999 之间"), ("12", "「12」不是四位数字")):
        proc = _build(tmp_path, "clean", "--year", bad)
        assert proc.returncode == 2 and said in proc.stderr, proc.stderr
        assert "data/raw/0" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_symlinked_year_folder_is_refused_saying_where_it_points(tmp_path):
    roots = Roots.of(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    (elsewhere / "支出.csv").write_text("x\n", encoding="utf-8")
    roots.raw.mkdir(parents=True)
    (roots.raw / "2024").symlink_to(elsewhere)
    problem = raw_problem(roots, Key("", 2024))
    assert "符号链接" in problem and str(elsewhere) in problem
    proc = _build(tmp_path, "build")
    assert proc.returncode == 1
    assert "符号链接" in proc.stdout and str(elsewhere) in proc.stdout
    assert "outputs/2024/failed" not in proc.stdout  # nothing points at a failed/ never made
    assert not (roots.outputs / "2024" / "failed").exists()
    # `clean --year` applies the same rule
    proc = _build(tmp_path, "clean", "--year", "2024")
    assert proc.returncode == 1 and "符号链接" in proc.stderr
    assert not (roots.processed / "2024").exists()


def test_a_symlinked_unit_folder_is_refused_too(tmp_path):
    roots = Roots.of(tmp_path)
    (tmp_path / "other" / "2024").mkdir(parents=True)
    roots.raw.mkdir(parents=True)
    (roots.raw / "library").symlink_to(tmp_path / "other")
    keys, _ = discover(roots.raw)
    assert keys == [Key("library", 2024)]
    assert "data/raw/library 是符号链接" in raw_problem(roots, keys[0])


def test_units_and_years_are_discovered_and_selected(tmp_path):
    roots = Roots.of(tmp_path)
    for rel in ("2023", "library/2023", "library/2024", "museum/2024", "museum/0000"):
        (roots.raw / rel).mkdir(parents=True)
    keys, ignored = discover(roots.raw)
    assert keys == [Key("", 2023), Key("library", 2023), Key("library", 2024), Key("museum", 2024)]
    assert any("data/raw/museum/0000" in line for line in ignored)
    chosen, notes = select(keys, [2024], None)
    assert chosen == [Key("library", 2024), Key("museum", 2024)] and notes == []
    chosen, notes = select(keys, None, ["museum", "nowhere"])
    assert chosen == [Key("museum", 2024)] and any("nowhere" in n for n in notes)
