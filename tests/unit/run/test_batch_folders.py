"""Year and unit folders the batch accepts, ignores or refuses (issue 17, issue 19), through the
real command line on a temporary project; no notebook runs in any of these."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from selfeval.config import Roots
from selfeval.rules import YEAR_EXPECTED
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


# --------------------------------------------------------------------------- issue 27: one year
# rule, unit folder names


NOT_YEARS = ("0", "99999", "-1", "0999", "２０２４", "٢٠٢٤", "2024 ")


def test_one_year_rule_for_folders_command_line_and_index(tmp_path):
    from selfeval.rules import is_year_folder
    from selfeval.run.batch import check_years
    from selfeval.run.site import year_folders

    roots = Roots.of(tmp_path)
    for name in NOT_YEARS:
        assert not is_year_folder(name), name
        if name == name.strip():  # the command line takes " 2024" as 2024
            assert check_years([name]) == ([], [f"年度「{name}」无效：{YEAR_EXPECTED}"])
        (roots.raw / name).mkdir(parents=True)
        (roots.outputs / name).mkdir(parents=True)
        (roots.outputs / name / "report.html").write_text("x", encoding="utf-8")
    assert is_year_folder("1000") and is_year_folder("9999") and check_years(["2024"])[0] == [2024]
    keys, ignored = discover(roots.raw)
    assert keys == []
    for name in ("0999", "２０２４", "٢٠٢٤"):  # digits, but not a year: said, with the rule
        assert any(f"data/raw/{name}：" in line and "1000–9999" in line for line in ignored)
    assert year_folders(roots.outputs) == []  # the index reads no other years than the batch


def test_template_refuses_a_year_outside_the_rule_and_creates_nothing(tmp_path):
    for bad in ("0", "99999", "-1", "0999", "２０２４"):
        proc = _build(tmp_path, "template", "--year", bad)
        assert proc.returncode == 2, (bad, proc.stdout, proc.stderr)
        assert "1000–9999" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists(), sorted(p.name for p in tmp_path.rglob("*"))


#: Unit folder names a project must not hold, and what the refusal says of each.
BAD_UNITS = {
    "library\n": ("library\\n", "控制字符"),
    "lib\x1b[31mred": ("lib\\x1b[31mred", "控制字符"),
    "zero\u200bwidth": ("zero\\u200bwidth", "不可见字符"),
    "a<b": ("a<b", "Windows 不允许的字符 <"),
    'say"hi"': ('say"hi"', 'Windows 不允许的字符 "'),
    "trailing.": ("trailing.", "以点或空格结尾"),
    "CON": ("CON", "保留的设备名"),
    "lpt1.old": ("lpt1.old", "保留的设备名"),
    "图书 分馆": ("图书 分馆", "含空格"),
    "图" * 67: ("图" * 67, "201 字节"),  # 3 bytes each: over the 200-byte bound
    "𠀀" * 51: ("𠀀" * 51, "204 字节"),  # astral: 4 bytes (2 UTF-16 units) each
}


def test_unit_folders_with_bad_names_are_refused_naming_them_visibly(tmp_path):
    roots = Roots.of(tmp_path)
    for name in BAD_UNITS:
        (roots.raw / name / "2024").mkdir(parents=True)
    keys, _ = discover(roots.raw)
    assert sorted(k.unit for k in keys) == sorted(BAD_UNITS)  # listed, not skipped
    for key in keys:
        shown, reason = BAD_UNITS[key.unit]
        problem = raw_problem(roots, key)
        assert problem and f"data/raw/{shown} " in problem and reason in problem, problem
        assert problem.isprintable(), problem
    proc = _build(tmp_path, "build")
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    for shown, reason in BAD_UNITS.values():
        assert f"data/raw/{shown} " in proc.stdout and reason in proc.stdout, (shown, proc.stdout)
    assert "\x1b" not in proc.stdout and "library\n" not in proc.stdout
    assert not [p for p in roots.outputs.iterdir() if p.is_dir()]  # nothing built or staged


def test_long_unit_names_within_the_bound_are_units_and_empty_folders_are_said(tmp_path):
    roots = Roots.of(tmp_path)
    long_ascii, long_chinese = "x" * 65, "图" * 66  # 65 and 198 bytes: used to be skipped
    for name in (long_ascii, long_chinese):
        (roots.raw / name / "2024").mkdir(parents=True)
    (roots.raw / "CON").mkdir()  # a refused name without years: said in the ignored lines
    keys, ignored = discover(roots.raw)
    assert keys == [Key(long_ascii, 2024), Key(long_chinese, 2024)]
    assert all(raw_problem(roots, k) is None for k in keys)
    assert ignored == ["忽略 data/raw/CON：单位目录名不可用：「CON」是 Windows 保留的设备名"]


def test_nfc_and_nfd_spellings_of_one_unit_are_an_error_naming_both(tmp_path):
    import unicodedata

    roots = Roots.of(tmp_path)
    nfc, nfd = (unicodedata.normalize(form, "Café图书馆") for form in ("NFC", "NFD"))
    assert nfc != nfd
    for name in (nfc, nfd, "Museum", "museum"):
        (roots.raw / name / "2024").mkdir(parents=True)
    keys, _ = discover(roots.raw)
    assert len(keys) == 4
    for key in keys:
        problem = raw_problem(roots, key)
        twin = {nfc: nfd, nfd: nfc, "Museum": "museum", "museum": "Museum"}[key.unit]
        assert problem and f"data/raw/{key.unit} 与 data/raw/{twin} " in problem, problem
        assert "同一名称的两种写法" in problem


def test_outputs_or_processed_being_a_file_is_said_not_a_traceback(tmp_path):
    roots = Roots.of(tmp_path)
    (roots.raw / "2024").mkdir(parents=True)
    (roots.raw / "2024" / "支出.csv").write_text("x\n", encoding="utf-8")
    roots.outputs.write_text("my notes", encoding="utf-8")
    proc = _build(tmp_path, "build")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert f"{roots.outputs} 是一个文件，不是文件夹：outputs/ 须是文件夹" in proc.stderr
    assert f"mv {roots.outputs} {roots.outputs}.bak" in proc.stderr
    assert roots.outputs.read_text(encoding="utf-8") == "my notes"
    roots.outputs.unlink()
    roots.processed.write_text("my notes", encoding="utf-8")
    for command in (["build"], ["clean", "--year", "2024"]):
        proc = _build(tmp_path, *command)
        assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, command
        assert f"{roots.processed} 是一个文件，不是文件夹：data/processed/ 须是" in proc.stderr
        assert "磁盘已满" not in proc.stdout + proc.stderr  # one cause, said once
    assert roots.processed.read_text(encoding="utf-8") == "my notes"
    assert not roots.outputs.exists()  # refused before anything was written
