"""A project copied with `cp -a` (or moved) never works on the original's folders.

The copy's .venv keeps an editable install that points at the original `src/`: before the
check, `make report` in the copy rebuilt the ORIGINAL's data/processed and outputs. Here a real
project folder is made (the package's source, notebooks, scripts, the real 2024 data, and a
.venv whose editable install points at it, as `pip install -e` writes it), copied with `cp -a`,
and the copy's command line and set-up script are run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from support import snapshot

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]


def make_project(root: Path) -> Path:
    """A project folder with a venv of its own whose editable install points at its src/."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "src", root / "src", ignore=skip)
    shutil.copytree(REPO / "scripts", root / "scripts", ignore=skip)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "data" / "raw" / "2024", root / "data" / "raw" / "2024")
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy2(REPO / name, root / name)
    venv = root / ".venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # What `pip install -e .` writes, and (second, by name) the test's own packages.
    (site / "__editable__.selfeval-0.1.0.pth").write_text(f"{root / 'src'}\n", encoding="utf-8")
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("copied") / "project")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SELFEVAL_ROOT", "PYTHONPATH")}
    env["MPLBACKEND"] = "Agg"
    return env


def load_bootstrap(project: Path):
    spec = importlib.util.spec_from_file_location(
        f"bootstrap_{project.name}", project / "scripts" / "bootstrap.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_copy_refuses_to_build_and_nothing_changes(original):
    copy = original.parent / "project-2025"
    subprocess.run(["cp", "-a", str(original), str(copy)], check=True, timeout=120)
    before = snapshot(original), snapshot(copy)
    proc = subprocess.run(
        [str(copy / ".venv" / "bin" / "python"), "-m", "selfeval", "build", "--years", "2024"],
        cwd=copy,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(copy) in proc.stderr and str(original / "src") not in proc.stdout
    assert str(original) in proc.stderr and "make venv" in proc.stderr
    assert (snapshot(original), snapshot(copy)) == before
    assert not (original / "outputs").exists() and not (copy / "outputs").exists()


def test_the_original_itself_is_not_refused(original):
    """The same check in the project the venv was made for lets the command run."""
    proc = subprocess.run(
        [
            str(original / ".venv" / "bin" / "python"),
            "-c",
            "from selfeval import config; print(config.project_mismatch())",
        ],
        cwd=original,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "None", proc.stderr


def test_set_up_in_the_copy_rebuilds_its_venv(original, capsys, monkeypatch):
    """`make venv` (scripts/bootstrap.py) in the copy sees the venv belongs to the original and
    rebuilds it for the copy, installing the copy's own src/; in the original it does nothing."""
    copy = original.parent / "project-copy-2"
    subprocess.run(["cp", "-a", str(original), str(copy)], check=True, timeout=120)
    for project in (original, copy):  # the venvs were set up: their stamps match
        module = load_bootstrap(project)
        module.STAMP.write_text(module.fingerprint())
    subprocess.run(
        ["cp", "-a", str(original / ".venv" / ".selfeval-stamp"), str(copy / ".venv")], check=True
    )

    def fake_run(*cmd: object) -> None:
        calls.append([str(c) for c in cmd])
        if cmd[1:3] == ("-m", "venv"):
            Path(cmd[3]).mkdir()

    calls: list[list[str]] = []
    untouched = load_bootstrap(original)
    monkeypatch.setattr(untouched, "run", fake_run)
    assert untouched.main() == 0 and calls == []

    moved = load_bootstrap(copy)
    assert moved.moved_from() == original
    monkeypatch.setattr(moved, "run", fake_run)
    assert moved.main() == 0
    printed = capsys.readouterr().out
    assert f"从 {original} 复制或移动来的" in printed
    assert calls[0][1:] == ["-m", "venv", str(copy / ".venv")]
    assert ["-e", str(copy)] == calls[2][-2:]  # pip install -e <the copy>
    assert (original / ".venv" / "bin" / "python").exists()  # the original's venv is kept


def test_a_moved_project_is_seen_as_moved(original, tmp_path):
    moved = tmp_path / "moved"
    subprocess.run(["cp", "-a", str(original), str(moved)], check=True, timeout=120)
    assert load_bootstrap(moved).moved_from() == original
