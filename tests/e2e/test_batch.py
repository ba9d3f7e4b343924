"""The batch on the real pipeline (notebooks 01-03, export) over two small synthetic years.

One module fixture builds 2023 and 2024 once; each test works on its own copy of that root.
Code hashes are pinned (`code=`) so that edits of the shared working tree by other developers
during the run do not turn "unchanged" into "rebuilt".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup

from selfeval.config import Roots
from selfeval.run.batch import (
    BUILT,
    STAMP_FILE,
    UNCHANGED,
    build,
    code_hashes,
    own_inputs,
    run_batch,
    stamp_state,
)
from selfeval.store import hash_tree
from selfeval.synthetic import write_synthetic_years

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]
YEARS = [2023, 2024]
ACTIVITIES = 5


@pytest.fixture(scope="module")
def code():
    return code_hashes()


@pytest.fixture(scope="module")
def built(tmp_path_factory, code) -> Path:
    root = tmp_path_factory.mktemp("built")
    write_synthetic_years(root / "data" / "raw", YEARS, activities_per_year=ACTIVITIES)
    result = run_batch(YEARS, jobs=2, root=root, tty=False, code=code)
    assert [p.status for p in result.plans] == [BUILT, BUILT], [p.error for p in result.plans]
    return root


@pytest.fixture
def root(built, tmp_path) -> Path:
    copy = tmp_path / "root"
    shutil.copytree(built, copy)
    return copy


def _statuses(result) -> dict[int, str]:
    return {p.year: p.status for p in result.plans}


def _snapshot(root: Path, year: int) -> dict[str, str | None]:
    out = root / "outputs" / str(year)
    return {
        "report.html": hash_tree(out / "report.html"),
        "report.ipynb": hash_tree(out / "report.ipynb"),
        STAMP_FILE: hash_tree(out / STAMP_FILE),
        "processed": hash_tree(root / "data" / "processed" / str(year)),
    }


def _change_raw(root: Path, year: int, seed: int) -> None:
    write_synthetic_years(
        root / "data" / "raw", [year], activities_per_year=ACTIVITIES, seed=seed, overwrite=True
    )


def _leftovers(root: Path) -> list[str]:
    return [
        p.name
        for folder in (root / "outputs", root / "data" / "processed")
        for p in folder.iterdir()
        if p.name.startswith((".tmp-", ".old-", ".swap-"))
    ]


def test_built_years_have_report_stamp_and_index(built):
    for year in YEARS:
        out = built / "outputs" / str(year)
        assert (out / "report.html").stat().st_size > 10_000
        assert (out / "report.ipynb").is_file() and (out / STAMP_FILE).is_file()
        assert (built / "data" / "processed" / str(year) / "summary.json").is_file()
        assert not (out / "failed").exists() and not (out / "build.log").exists()
    assert _leftovers(built) == []
    # 2024 compares with 2023 (same unit): 2023's processed data is among its dependencies.
    stamp = (built / "outputs" / "2024" / STAMP_FILE).read_text(encoding="utf-8")
    assert hash_tree(built / "data" / "processed" / "2023") in stamp


def test_unchanged_years_are_skipped(root, code):
    before = {y: _snapshot(root, y) for y in YEARS}
    mtimes = {y: (root / "outputs" / str(y) / "report.html").stat().st_mtime_ns for y in YEARS}
    result = run_batch(YEARS, jobs=2, root=root, tty=False, code=code)
    assert _statuses(result) == {2023: UNCHANGED, 2024: UNCHANGED}
    assert {y: _snapshot(root, y) for y in YEARS} == before
    assert {
        y: (root / "outputs" / str(y) / "report.html").stat().st_mtime_ns for y in YEARS
    } == mtimes


def test_a_code_change_makes_every_year_stale(root, code):
    roots = Roots.of(root)
    for year in YEARS:
        inputs = own_inputs(year, roots, code)
        assert stamp_state(year, roots, inputs)[0]
        for key in ("notebooks", "package", "requirements"):
            assert not stamp_state(year, roots, {**inputs, key: "changed"})[0]


def test_changed_raw_rebuilds_exactly_the_years_that_depend_on_it(root, code):
    before_2023 = _snapshot(root, 2023)
    _change_raw(root, 2024, seed=1)
    result = run_batch(YEARS, jobs=2, root=root, tty=False, code=code)
    assert _statuses(result) == {2023: UNCHANGED, 2024: BUILT}
    assert _snapshot(root, 2023) == before_2023

    # 2024 compares with 2023: changing 2023's raw data rebuilds both.
    before_2024 = _snapshot(root, 2024)
    _change_raw(root, 2023, seed=2)
    result = run_batch(YEARS, jobs=2, root=root, tty=False, code=code)
    assert _statuses(result) == {2023: BUILT, 2024: BUILT}
    assert _snapshot(root, 2024)["report.html"] != before_2024["report.html"]
    assert _leftovers(root) == []


def test_one_failing_year_keeps_its_outputs_and_the_others_build(root, code, capsys):
    saved = root.parent / "raw-2023"
    shutil.copytree(root / "data" / "raw" / "2023", saved)
    before_2023 = _snapshot(root, 2023)
    spending = next((root / "data" / "raw" / "2023").glob("支出*"))
    spending.write_text("这不是支出表\n1,2,3\n", encoding="utf-8")
    _change_raw(root, 2024, seed=3)

    status = build(None, jobs=2, root=root, tty=False)
    shown = capsys.readouterr().out

    assert status == 1
    assert _snapshot(root, 2023) == before_2023  # previous report kept byte for byte
    failed = root / "outputs" / "2023" / "failed"
    assert "2023" in (failed / "error.txt").read_text(encoding="utf-8")
    assert list(failed.glob("*.ipynb")), "the failed notebook is kept for diagnosis"
    assert (root / "outputs" / "2024" / STAMP_FILE).read_text(encoding="utf-8").count(
        hash_tree(root / "data" / "raw" / "2024")
    ) == 1
    assert any(line.startswith("2023") and "failed" in line for line in shown.splitlines())
    # built: 「草稿 draft」 when its 报送稿 lacks a required item (the synthetic years do)
    built = ("built", "draft")
    assert any(
        line.startswith("2024") and any(b in line for b in built) for line in shown.splitlines()
    )
    index = BeautifulSoup(
        (root / "outputs" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    row_2023 = next(tr for tr in index.select("tbody tr") if tr.td.get_text() == "2023")
    assert "失败" in row_2023.get_text()

    # Fixing the input rebuilds 2023 and removes failed/.
    shutil.rmtree(root / "data" / "raw" / "2023")
    shutil.copytree(saved, root / "data" / "raw" / "2023")
    result = run_batch(YEARS, jobs=2, root=root, tty=False, code=code)
    assert _statuses(result)[2023] == BUILT
    assert not failed.exists()
    assert _leftovers(root) == []


def _start(root: Path) -> subprocess.Popen:
    env = {**os.environ, "SELFEVAL_ROOT": str(root)}
    return subprocess.Popen(
        [sys.executable, "-m", "selfeval", "build", "--years", "2024", "--jobs", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _read_until(proc: subprocess.Popen, text: str) -> None:
    for line in proc.stdout:
        if text in line:
            return
    raise AssertionError(f"the batch ended before printing {text!r}")


def test_killed_worker_or_batch_leave_nothing_half_written_and_next_run_recovers(root, code):
    before = _snapshot(root, 2024)
    _change_raw(root, 2024, seed=4)

    # 1. SIGKILL the worker in the middle of the year: that year fails, its outputs stay.
    batch = _start(root)
    _read_until(batch, "[2024] 开始 analyze")
    (worker,) = psutil.Process(batch.pid).children()
    worker.send_signal(signal.SIGKILL)
    rest = batch.stdout.read()
    assert batch.wait(timeout=120) == 1
    assert "工作进程异常退出" in rest
    assert _snapshot(root, 2024) == before
    assert (root / "outputs" / "2024" / "failed" / "error.txt").is_file()

    # 2. SIGTERM (as Ctrl-C) the batch: it stops its worker and removes the unfinished year.
    batch = _start(root)
    _read_until(batch, "[2024] 开始 analyze")
    batch.send_signal(signal.SIGTERM)
    rest = batch.stdout.read()
    assert batch.wait(timeout=120) == 130
    assert "已中断" in rest
    assert _snapshot(root, 2024) == before
    assert _leftovers(root) == []

    # 3. SIGKILL the batch itself mid-build: nothing is swapped in.
    batch = _start(root)
    _read_until(batch, "[2024] 开始 report")
    workers = psutil.Process(batch.pid).children()
    batch.send_signal(signal.SIGKILL)
    batch.wait(timeout=60)
    batch.stdout.close()
    assert _snapshot(root, 2024) == before
    psutil.wait_procs(workers, timeout=300)  # the orphaned worker stops at its next stage

    # 4. The next run cleans up and builds the year without any manual step.
    result = run_batch([2024], jobs=1, root=root, tty=False, code=code)
    assert _statuses(result) == {2024: BUILT}
    assert _snapshot(root, 2024)["report.html"] != before["report.html"]
    assert not (root / "outputs" / "2024" / "failed").exists()
    assert _leftovers(root) == []


def test_index_page_of_built_years_is_offline_and_links_resolve(built):
    page = built / "outputs" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("script") is None and soup.find("link") is None
    for tag in soup.find_all(href=True):
        assert "//" not in tag["href"] and (page.parent / tag["href"]).is_file(), tag["href"]
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:image/png;base64,")
    years = [tr.td.get_text() for tr in soup.select("tbody tr")]
    assert years == ["2023", "2024"]
    assert "合成" in soup.select("tbody tr")[0].find_all("td")[1].get_text()
    assert len(soup.find_all("img")) == 1  # one unit, two years: one trend chart


def _lab_save(path: Path) -> None:
    """What JupyterLab writes when an analyst opens, runs and saves a notebook unchanged."""
    import json as _json

    nb = _json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "x"}
    nb["metadata"]["widgets"] = {"state": {}}
    for n, cell in enumerate(nb["cells"], 1):
        cell["metadata"]["scrolled"] = True
        cell["metadata"]["execution"] = {"iopub.execute_input": "2026-12-01T10:00:00Z"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = n
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x\n"]}]
    path.write_text(_json.dumps(nb, indent=2, sort_keys=False), encoding="utf-8")


def test_saving_a_notebook_in_jupyterlab_does_not_change_the_code_hash(tmp_path):
    from selfeval import config
    from selfeval.store import hash_notebooks

    copy = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, copy)
    before = hash_notebooks(copy)
    assert before == hash_notebooks(config.NOTEBOOKS_DIR)
    for path in copy.glob("*.ipynb"):
        _lab_save(path)
    assert hash_notebooks(copy) == before
    # What does change the result still rebuilds: a source line, a tag, the kernel.
    import json as _json

    target = copy / "02_analyze.ipynb"
    saved = target.read_text(encoding="utf-8")
    for edit in ("source", "tags", "kernel"):
        nb = _json.loads(saved)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        if edit == "source":
            code[-1]["source"] = ["summary\n"]
        elif edit == "tags":
            code[0]["metadata"]["tags"] = []
        else:
            nb["metadata"]["kernelspec"]["name"] = "python3"
        target.write_text(_json.dumps(nb), encoding="utf-8")
        assert hash_notebooks(copy) != before, edit
    target.write_text(saved, encoding="utf-8")
    assert hash_notebooks(copy) == before


def test_a_lab_saved_notebook_leaves_every_year_unchanged(root, code, monkeypatch):
    from selfeval import config

    notebooks = root / "notebooks-lab"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    for path in notebooks.glob("*.ipynb"):
        _lab_save(path)
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    from selfeval.store import hash_notebooks

    # The package and pins stay as pinned for the module; only the notebooks are the saved copies.
    result = run_batch(
        YEARS, jobs=2, root=root, tty=False, code=dict(code, notebooks=hash_notebooks(notebooks))
    )
    assert _statuses(result) == {2023: UNCHANGED, 2024: UNCHANGED}


def test_year_folders_get_the_usual_permissions(built):
    for folder in (
        built / "outputs" / "2024",
        built / "data" / "processed" / "2024",
        built / "outputs" / "2023",
        built / "data" / "processed" / "2023",
    ):
        mode = folder.stat().st_mode & 0o777
        assert mode == 0o777 & ~_umask(), f"{folder}: {oct(mode)}"
    for path in (built / "outputs" / "2024").iterdir():
        assert path.stat().st_mode & 0o044 == 0o044, path  # readable by colleagues


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_hanging_converter_costs_its_bound_leaves_no_process_and_make_pdf_retries(root, tmp_path):
    """Issue 27: a soffice that hangs (and has started a child) is stopped after
    SELFEVAL_PDF_TIMEOUT seconds with its child; the year's HTML and Word file stand, the
    summary says the PDF was not made and that `make pdf` retries."""
    pid_file = tmp_path / "grandchild.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f'#!/bin/sh\nsleep 60 &\necho $! > "{pid_file}"\nsleep 60\n', encoding="utf-8")
    fake.chmod(0o755)
    before_2023 = _snapshot(root, 2023)
    _change_raw(root, 2024, seed=5)
    env = {
        **os.environ,
        "SELFEVAL_ROOT": str(root),
        "SELFEVAL_SOFFICE": str(fake),
        "SELFEVAL_PDF_TIMEOUT": "3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--years", "2024", "--jobs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,  # the year builds in ~10 s; the old bound was 300 s per year
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("[2024] PDF"))
    assert "未生成 PDF" in line and "运行 make pdf 重试" in line and "超过 3 秒" in line
    assert done.returncode == 1, done.stdout + done.stderr
    grandchild = int(pid_file.read_text())
    with contextlib.suppress(psutil.NoSuchProcess):
        assert psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE, "child outlived"
    out = root / "outputs" / "2024"
    assert (out / "report.html").is_file() and (out / "report.docx").is_file()
    assert not (out / "report.pdf").exists()
    assert _snapshot(root, 2023) == before_2023
