"""`make preview` end to end (issue 28 item 5): the command serves a year on 127.0.0.1, a real
Chromium shows it, a cell changed with openpyxl shows up in the open page without a manual
reload, a broken cell shows the Chinese problem in the page above the last good report, and
the report.html the build wrote has no script (the reload script is added only as served)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from selfeval import synthetic
from selfeval.config import Roots
from selfeval.run import preview as pv
from selfeval.run.plan import Key
from tools import browser as br

YEAR = 2024
#: Seconds a (re)build may take on a loaded two-core machine, including the first one.
BUILD_S = 240
#: The synthetic year states 年推送期数 48 for its 微信图书馆 (数字服务 row 2, column C); the
#: report says 「全年推送48期」. The test writes 73, then a value with a letter O.
SHEET, CELL = "数字服务", "C2"
BEFORE, AFTER, BROKEN = "全年推送48期", "全年推送73期", "7O"


class _Preview:
    """`python -m selfeval preview` of the project at `root`, its output read line by line."""

    def __init__(self, root: Path) -> None:
        env = {**os.environ, "SELFEVAL_ROOT": str(root), "MPLBACKEND": "Agg"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "selfeval", "preview", "--year", str(YEAR), "--port", "0"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"preview printed no {pattern!r}:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -9
        finally:
            self._reader.join(timeout=5)


def _set_cell(workbook: Path, value: object) -> None:
    wb = openpyxl.load_workbook(workbook)
    wb[SHEET][CELL] = value
    wb.save(workbook)


def _in_browser(chromium: Path, address: str, workbook: Path, on_disk: Path) -> dict:
    """The browser's side, in a thread of its own (Playwright's sync API allows one per thread;
    the session's shared Chromium may be running in the main thread)."""
    from playwright.sync_api import sync_playwright

    seen: dict = {}
    timeout = BUILD_S * 1000
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=list(br.LAUNCH_ARGS), headless=True
        )
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(address)
            page.locator("body", has_text=BEFORE).wait_for(timeout=timeout)
            seen["script_on_disk"] = "<script" in on_disk.read_text(encoding="utf-8").lower()
            _set_cell(workbook, 73)
            building = page.locator("#selfeval-preview-building")  # said while it rebuilds
            building.wait_for(timeout=timeout)
            seen["building"] = building.inner_text()
            page.locator("body", has_text=AFTER).wait_for(timeout=timeout)
            seen["error_after_fix"] = page.locator(f"#{_error_id()}").count()
            _set_cell(workbook, BROKEN)
            box = page.locator(f"#{_error_id()}")
            box.wait_for(timeout=timeout)
            seen["error"] = box.inner_text()
            seen["report_below"] = AFTER in page.locator("body").inner_text()
            seen["requests"] = requests
            seen["script_on_disk_after"] = "<script" in on_disk.read_text("utf-8").lower()
        finally:
            browser.close()
    return seen


def _error_id() -> str:
    return pv.ERROR_ID


@pytest.mark.slow
@pytest.mark.browser
def test_preview_reloads_the_page_on_save_and_shows_a_broken_cell(tmp_path, chromium) -> None:
    (folder,) = synthetic.write_synthetic_years(tmp_path / "data" / "raw", [YEAR], fmt="xlsx")
    (workbook,) = folder.glob("*.xlsx")
    preview = _Preview(tmp_path)
    try:
        address = preview.wait_for(r"(http://127\.0\.0\.1:\d+/)").group(1)
        on_disk = Path(preview.wait_for(r"preview file: (.+report\.html)$").group(1))
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = pool.submit(_in_browser, chromium, address, workbook, on_disk).result()
        # the page only: no Word file, 自评表.xlsx or PDF was made while editing
        made = sorted(p.name for p in on_disk.parent.iterdir())
        assert "report.html" in made
        assert not [n for n in made if n.endswith((".docx", ".xlsx", ".pdf"))], made
        status = preview.stop()
    finally:
        preview.stop()
    # the figure the cell states, after a save, in the page that was never reloaded by hand
    assert seen["building"] == "正在重新生成……"
    assert seen["error_after_fix"] == 0
    # the broken cell: the cleaner's Chinese problem (file, sheet, row, column, value) in the
    # page, the last good report still below it
    error = seen["error"]
    assert "生成失败" in error and "上次成功生成的报告" in error
    assert f"「{SHEET}」" in error and "第2行" in error and CELL in error
    assert BROKEN in error and "数字" in error  # what is wrong with it, in the cleaner's words
    assert "Traceback" not in error
    assert seen["report_below"]
    # report.html as built has no script; the page asked for nothing but the preview server
    assert not seen["script_on_disk"] and not seen["script_on_disk_after"]
    assert all(url.startswith(address) for url in seen["requests"]), seen["requests"]
    # Ctrl-C: a clean stop, the scratch folder gone, outputs/ never written
    assert status == 0, "\n".join(preview.lines)
    assert any("已停止预览" in line for line in preview.lines)
    assert not on_disk.parent.exists()
    assert not (tmp_path / "outputs" / str(YEAR)).exists()


# ---------------------------------------------------------------------------------------------
# The parts, without a build (fast)

REPORT = (
    '<!DOCTYPE html><html><head><title>t</title></head><body class="r"><p>报告</p></body></html>'
)


def test_served_page_adds_the_script_and_an_escaped_error_over_the_last_good_report() -> None:
    state = pv.PageState("2024 年度")
    version, page = state.page()
    assert version == 0 and "正在生成" in page and page.count("<script") == 1
    state.publish(REPORT, None)
    version, page = state.page()
    assert version == 1 and state.report == REPORT  # what was built is kept as built
    assert page.count("<script") == 1 and page.index("<script") > page.index("<p>报告</p>")
    assert page.endswith("</script>\n</body></html>") and pv.ERROR_ID not in page
    state.publish(None, "第2行「数值」: <b>7O</b> 不是数字")
    version, page = state.page()
    assert version == 2 and state.report == REPORT
    box = page.index(pv.ERROR_ID)
    assert page.index('<body class="r">') < box < page.index("<p>报告</p>")
    assert "&lt;b&gt;7O&lt;/b&gt;" in page and "<b>7O</b>" not in page
    assert "上次成功生成的报告" in page


def test_server_sends_the_page_and_tells_open_pages_of_builds() -> None:
    import urllib.request

    state = pv.PageState("2024 年度")
    server = pv._Server(0, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(address + pv.EVENTS_PATH, timeout=10) as events:
            assert events.readline() == b"data: 0\n"
            assert events.readline() == b"\n"
            state.begin()
            assert events.readline() == b"event: building\n"
            assert events.readline() == b"data: building\n"
            assert events.readline() == b"\n"
            state.publish(REPORT, None)
            assert events.readline() == b"data: 1\n"
        with urllib.request.urlopen(address + "/", timeout=10) as response:
            page = response.read().decode("utf-8")
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<p>报告</p>" in page and "var shown = 1;" in page
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(address + "/other", timeout=10)
    finally:
        state.stop()
        server.shutdown()
        server.server_close()
        thread.join()


def test_watcher_rebuilds_on_a_changed_cell_not_on_lock_files_or_notebook_outputs(
    tmp_path,
) -> None:
    import json

    raw, notebooks = tmp_path / "raw", tmp_path / "notebooks"
    raw.mkdir()
    notebooks.mkdir()
    (raw / "支出.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    cell = {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (notebooks / "01_clean.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    watcher = pv.Watcher(raw, notebooks)
    before = watcher.snapshot()
    (raw / "~$支出.xlsx").write_bytes(b"Excel's lock file")
    (raw / ".~lock.支出.csv#").write_bytes(b"LibreOffice's lock file")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    cell["execution_count"] = 1
    (notebooks / "01_clean.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert watcher.content() == before[1]  # nothing a build reads has changed

    done = threading.Event()
    waiting = threading.Thread(target=lambda: (watcher.wait_for_change(before), done.set()))
    waiting.daemon = True
    waiting.start()
    assert not done.wait(1.0)  # polled several times, no rebuild
    (raw / "支出.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    assert done.wait(5.0)


def test_which_year_a_project_of_units_previews(tmp_path) -> None:
    raw = tmp_path / "data" / "raw"
    for unit in ("图书馆", "文化馆"):
        (raw / unit / "2023").mkdir(parents=True)
    (raw / "图书馆" / "2024").mkdir()
    roots = Roots.of(tmp_path)
    key, message = pv.choose_key(roots, 2024, None)
    assert key is None and "图书馆、文化馆" in message and "UNIT=图书馆" in message
    assert pv.choose_key(roots, None, "图书馆") == (Key("图书馆", 2024), "")  # its latest year
    key, message = pv.choose_key(roots, 2024, "文化馆")
    assert key is None and "data/raw/文化馆/2024" in message
