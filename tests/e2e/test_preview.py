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
from selfeval.run import browser as br

pytestmark = [pytest.mark.slow, pytest.mark.browser]

YEAR = 2024
#: Seconds a (re)build may take on a loaded two-core machine, including the first one.
BUILD_S = 240
#: The synthetic year states 年推送期数 48 for its 微信图书馆 (数字服务 row 2, column C); the
#: report says 「年推送期数：48期」. The test writes 73, then a value with a letter O.
SHEET, CELL = "数字服务", "C2"
BEFORE, AFTER, BROKEN = "年推送期数：48期", "年推送期数：73期", "7O"


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
    from selfeval.run.preview import ERROR_ID

    return ERROR_ID


def test_preview_reloads_the_page_on_save_and_shows_a_broken_cell(tmp_path, chromium) -> None:
    (folder,) = synthetic.write_synthetic_years(tmp_path / "data" / "raw", [YEAR], fmt="xlsx")
    (workbook,) = folder.glob("*.xlsx")
    preview = _Preview(tmp_path)
    try:
        address = preview.wait_for(r"(http://127\.0\.0\.1:\d+/)").group(1)
        on_disk = Path(preview.wait_for(r"preview file: (.+report\.html)$").group(1))
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = pool.submit(_in_browser, chromium, address, workbook, on_disk).result()
        status = preview.stop()
    finally:
        preview.stop()
    # the figure the cell states, after a save, in the page that was never reloaded by hand
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
