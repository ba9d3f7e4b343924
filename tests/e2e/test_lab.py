"""The notebooks as an analyst uses them: JupyterLab (started as `make lab` starts it, with its
save hook) driven by Playwright in the system Chromium, on a temporary project (issue 28).

01 for a year with a typo shows the Chinese problem table and no traceback; 02 for 2024 reads
as Chinese tables with charts; saving the three notebooks leaves them as git holds them, and
the next `make report` finds 2024 unchanged.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import REPO, run_build

from selfeval import config
from selfeval.run import lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.no_pdf]
NOTEBOOKS = ("01_clean.ipynb", "02_analyze.ipynb", "03_report.ipynb")
RUN_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(
        ["git", "-C", str(folder), *args], env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture(scope="module")
def lab_project(tmp_path_factory):
    """A built project (2024), a year 2031 whose workbook holds 「3O.2」, and a git clone of
    the notebooks folder that JupyterLab serves."""
    root = tmp_path_factory.mktemp("lab-project")
    raw = root / "data" / "raw"
    shutil.copytree(REPO / "data" / "raw" / "2024", raw / "2024")
    proc = run_build(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.copytree(raw / "2024", raw / "2031")
    spending = raw / "2031" / "支出.csv"
    spending.write_text(
        spending.read_text(encoding="utf-8").replace("63.44", "3O.2"), encoding="utf-8"
    )
    books = root / "notebooks"
    books.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(config.NOTEBOOKS_DIR / name, books / name)
    shutil.copy(REPO / ".gitignore", books / ".gitignore")  # as the repository ignores
    _git(books, "init", "-q")
    _git(books, "add", ".")
    _git(books, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notebooks")
    return root


@pytest.fixture(scope="module")
def jupyterlab(lab_project):
    """JupyterLab on 127.0.0.1 serving the notebooks' clone; its URL with the token."""
    port, token = _free_port(), secrets.token_hex(16)
    home = lab_project / "jupyter-home"
    env = {
        **os.environ,
        "SELFEVAL_ROOT": str(lab_project),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    log = (lab_project / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            f"--notebook-dir={lab_project / 'notebooks'}",
            *lab.LAB_ARGS,  # as `make lab` starts it
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.allow_root=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((lab_project / "jupyterlab.log").read_text(encoding="utf-8"))
                time.sleep(0.5)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


OPEN = """async (name) => {
  const app = window.jupyterapp;
  await app.restored;
  let panel = app.shell.currentWidget;
  while (!panel || !panel.sessionContext || panel.context.path !== name) {
    await new Promise(r => setTimeout(r, 200));
    panel = app.shell.currentWidget;
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  return panel.sessionContext.kernelDisplayName;
}"""
SET_YEAR = """(year) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel;
  cell.setSource(cell.getSource().replace(/^year: int = \\d+/, `year: int = ${year}`));
}"""
RUN_ALL = "async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')"
SAVE = "async () => await window.jupyterapp.commands.execute('docmanager:save')"
OUTPUT_TEXT = """() => Array.from(
  window.jupyterapp.shell.currentWidget.node.querySelectorAll('.jp-OutputArea-output')
).map(n => n.textContent).join('\\n')"""


def _open(browser, jupyterlab, name: str):
    base, token = jupyterlab
    page = browser.local_page(base)
    page.set_default_timeout(RUN_TIMEOUT_MS)
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: no other notebook open
    page.wait_for_function("() => window.jupyterapp !== undefined")
    assert page.evaluate(OPEN, name) == "Python (selfeval)"  # the project's kernel, no dialog
    return page


def _wait_idle(page) -> None:
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status"
        " === 'idle'"
    )


def _assert_unchanged(root: Path) -> None:
    proc = run_build(root, "--years", "2024")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "未变化" in proc.stdout and "已生成" not in proc.stdout, proc.stdout


def test_notebooks_in_jupyterlab(browser, lab_project, jupyterlab):
    # 01 for a year with a typo: the problem table, no traceback, no source path.
    page = _open(browser, jupyterlab, "01_clean.ipynb")
    page.evaluate(SET_YEAR, 2031)
    page.evaluate(RUN_ALL)
    _wait_idle(page)
    page.wait_for_selector("table.selfeval-problems")
    page.locator("table.selfeval-problems").scroll_into_view_if_needed()
    page.screenshot(path=str(lab_project / "01_clean.png"))  # for a person to look at
    shown = page.evaluate(OUTPUT_TEXT)
    assert "文件" in shown and "应填写" in shown and "3O.2" in shown
    assert "不是金额数字：含有字母O，应为数字0" in shown
    assert "Traceback" not in shown and not re.search(r"\.py\b", shown), shown
    assert not (lab_project / "data" / "processed" / "2031").exists()
    # the year the report is for, run and saved as it is
    page.evaluate(SET_YEAR, 2024)
    page.evaluate(RUN_ALL)
    _wait_idle(page)
    page.evaluate(SAVE)
    page.close()
    # 01 alone cleaned 2024 again: its results are kept, the build has nothing to do.
    _assert_unchanged(lab_project)

    # 02 for 2024: Chinese tables, 未填报 where the data has nothing, charts; nothing raw.
    page = _open(browser, jupyterlab, "02_analyze.ipynb")
    assert page.evaluate(RUN_ALL) is True
    _wait_idle(page)
    page.screenshot(path=str(lab_project / "02_analyze.png"))
    headers = page.eval_on_selector_all(
        ".jp-OutputArea-output th", "ns => ns.map(n => n.textContent)"
    )
    for header in ("预算类型", "执行数（万元）", "占一般公共预算支出", "活动类别", "检查项"):
        assert header in headers, headers
    shown = page.evaluate(OUTPUT_TEXT)
    assert "未填报" in shown
    for raw in ("NaN", "PosixPath", "{'", "'data_date'", "'total_income'", "Traceback"):
        assert raw not in shown, raw
    charts = page.eval_on_selector_all(
        ".jp-OutputArea-output img", "ns => ns.filter(n => n.naturalWidth > 0).length"
    )
    assert charts >= 1
    page.evaluate(SAVE)
    page.close()

    # 03: the report, its print preview, and where the files are.
    page = _open(browser, jupyterlab, "03_report.ipynb")
    assert page.evaluate(RUN_ALL) is True
    _wait_idle(page)
    page.wait_for_selector("iframe[title='打印预览']")
    page.locator("iframe[title='打印预览']").scroll_into_view_if_needed()
    page.screenshot(path=str(lab_project / "03_report.png"))
    shown = page.evaluate(OUTPUT_TEXT)
    assert "报告文件在 " in shown and "PosixPath" not in shown
    page.evaluate(SAVE)
    page.close()

    # Saved as git holds them; the next build has nothing to do for 2024.
    books = lab_project / "notebooks"
    assert _git(books, "status", "--porcelain") == ""
    for name in NOTEBOOKS:
        assert (books / name).read_bytes() == (config.NOTEBOOKS_DIR / name).read_bytes()
    _assert_unchanged(lab_project)
    summary = json.loads(
        (lab_project / "data" / "processed" / "2024" / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["year"] == 2024
