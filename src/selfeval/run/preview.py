"""`make preview`: one year's report served on 127.0.0.1, rebuilt on every save, reloaded in the
open page (what `quarto preview` gives Quarto users: analysts edit the workbook and watch the
report change).

How it works, and why so:

- The year is built by `run.notebooks.build_year`, the batch's own builder (papermill runs 01,
  02 and 03 on one kernel, nbconvert exports the offline page), into a private scratch folder.
  The preview never writes `outputs/` or `data/processed/`: a half-edited workbook must not
  replace the last real report, and the batch's stamps stay true. `make report` makes the
  products to hand in. The preview builds the page only (`build_year(word=False)`): 03 writes
  no Word file and no 自评表.xlsx (0.35 s of a 2 s rebuild, measured) and no PDF is converted
  (LibreOffice takes ~3 s, and nobody reads them while editing).
- A rebuild costs the notebooks and the export only: this process has imported papermill and
  nbconvert and compiled the exporter once, and every build runs on the same kernel
  (`_KeptKernel`), launched at start and again only after a build that failed for another
  reason than the data. A kernel that has built the year once is warm: 01 and 02 took about
  half as long on it as on a fresh one (the reset between notebooks keeps modules, fonts and
  caches). Package code edited during a preview is not reloaded: restart it.
- Watching is a poll of the year's raw folder and the notebooks every 0.2 s (names, sizes and
  mtimes, as `store.hash_tree` sees them; hidden and `~$` lock files ignored), confirmed by
  content hashes once the listing has rested 0.05 s: a save that changes nothing, or a notebook
  saved in JupyterLab with new outputs only (`store.hash_notebooks`), does not rebuild. The
  standard library suffices for one folder and three notebooks; a watcher package (watchfiles)
  would be one more pinned dependency to save ~0.1 s of a rebuild of seconds.
- The page reloads through Server-Sent Events (stdlib `http.server`, one thread per open page):
  the server adds a small script to the page *as served* only (it also shows 「正在重新生成」
  while a build runs); report.html on disk is what `build_year` wrote, with no script. A
  failed build shows its Chinese message (for bad input the cleaner's list of problems) in a
  box above the last good report.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.errors import BuildError
from selfeval.run.batch import discover, raw_problem, shown_paths, unit_folder_refusal
from selfeval.run.department import plan_departments, units_payload
from selfeval.run.kernel import SharedKernel
from selfeval.run.notebooks import build_year
from selfeval.run.plan import Key
from selfeval.store import hash_notebooks, hash_tree, skip_name

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
#: Seconds between two looks at the watched files, and how long a change must rest before the
#: build starts (a save may write a file in several steps).
POLL_S = 0.2
SETTLE_S = 0.05
EVENTS_PATH = "/__selfeval/events"
#: Seconds between keep-alive comments on an idle event stream (a closed page is then noticed).
KEEPALIVE_S = 15.0
ERROR_ID = "selfeval-preview-error"

_RELOAD_SCRIPT = """<script id="selfeval-preview-reload">
/* selfeval preview: reload when the year has been rebuilt. Added by the preview server only;
   report.html on disk has no script. */
(function () {
  var shown = %d;
  var events = new EventSource("%s");
  events.onmessage = function (e) {
    if (Number(e.data) !== shown) { events.close(); location.reload(); }
  };
  events.addEventListener("building", function () {
    if (document.getElementById("selfeval-preview-building")) { return; }
    var note = document.createElement("div");
    note.id = "selfeval-preview-building";
    note.setAttribute("role", "status");
    note.textContent = "正在重新生成……";
    note.style.cssText = "position:fixed;top:0;right:0;z-index:9;padding:.4em 1em;" +
      "background:#333;color:#fff;font:14px sans-serif";
    document.body.appendChild(note);
  });
})();
</script>
"""
_ERROR_BOX = """<div id="%s" role="alert" style="margin:1em;padding:1em 1.2em;border:3px solid \
#c00;background:#fff4f4;color:#000;font:15px/1.6 sans-serif;white-space:normal">
<style>@media print {#%s {display:none}}</style>
<strong>%s</strong>
<pre style="white-space:pre-wrap;font:inherit;margin:.6em 0 0">%s</pre>
</div>
"""
_WAITING = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title></head>
<body style="font:16px/1.6 sans-serif;margin:2em"><p>%s</p></body></html>
"""
_BODY_OPEN = re.compile(r"<body[^>]*>", re.IGNORECASE)


@dataclass
class PageState:
    """What the server shows: the last good report, the last build's error, and a version that
    changes whenever either does (the open page reloads on a new version)."""

    label: str
    version: int = 0
    building: bool = False
    report: str | None = None
    error: str | None = None
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def begin(self) -> None:
        """A build started: open pages say so until it ends."""
        with self.changed:
            self.building = True
            self.changed.notify_all()

    def publish(self, report: str | None, error: str | None) -> None:
        """A build ended: keep its report (a failed build keeps the last good one)."""
        with self.changed:
            self.building = False
            if report is not None:
                self.report = report
            self.error = error
            self.version += 1
            self.changed.notify_all()

    def wait_past(self, seen: tuple[int, bool] | None, timeout: float) -> tuple[int, bool, bool]:
        """Wait until (version, building) is not `seen`, the server stops or `timeout` passes;
        (the version, whether building, whether stopping)."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.stopping or (self.version, self.building) != seen, timeout=timeout
            )
            return self.version, self.building, self.stopping

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def page(self) -> tuple[int, str]:
        """The page as served: the report (or a waiting note), the error box, the reload script."""
        with self.changed:
            version, report, error = self.version, self.report, self.error
        if report is None:
            note = (
                f"{self.label}的报告生成失败，改正后保存即自动重新生成。"
                if error
                else f"正在生成{self.label}的报告，完成后本页自动刷新……"
            )
            report = _WAITING % (html.escape(self.label), html.escape(note))
        if error is not None:
            head = (
                f"{self.label}的报告生成失败，下面是上次成功生成的报告（改正后保存即自动重新生成）"
                if self.report is not None
                else f"{self.label}的报告生成失败（改正后保存即自动重新生成）"
            )
            box = _ERROR_BOX % (ERROR_ID, ERROR_ID, html.escape(head), html.escape(error))
            report = _insert_after_body(report, box)
        return version, _insert_before_end(report, _RELOAD_SCRIPT % (version, EVENTS_PATH))


def _insert_after_body(page: str, fragment: str) -> str:
    match = _BODY_OPEN.search(page)
    return page[: match.end()] + fragment + page[match.end() :] if match else fragment + page


def _insert_before_end(page: str, fragment: str) -> str:
    at = page.lower().rfind("</body>")
    return page[:at] + fragment + page[at:] if at >= 0 else page + fragment


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
        elif path in ("/", "/report.html"):
            _version, page = self.server.state.page()
            body = page.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def _events(self) -> None:
        """Send the current version, then each new one (and a "building" event when a build
        starts), until the page goes or we stop."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent: tuple[int, bool] | None = None
        with contextlib.suppress(OSError):  # the page was closed or reloaded
            while True:
                version, building, stopping = state.wait_past(sent, KEEPALIVE_S)
                if stopping:
                    return
                if sent is None or version != sent[0]:
                    self.wfile.write(f"data: {version}\n\n".encode())
                if building and (sent is None or not sent[1]):
                    self.wfile.write(b"event: building\ndata: building\n\n")
                if sent == (version, building):
                    self.wfile.write(b": keep-alive\n\n")
                sent = (version, building)
                self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not requests."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up Ctrl-C

    def __init__(self, port: int, state: PageState) -> None:
        self.state = state
        super().__init__((HOST, port), _Handler)


# --------------------------------------------------------------------------- watching


class Watcher:
    """Which files the year's build reads: the raw folder and the notebooks, polled."""

    def __init__(self, raw_dir: Path, notebooks: Path = config.NOTEBOOKS_DIR) -> None:
        self.raw_dir = raw_dir
        self.notebooks = notebooks

    def listing(self) -> tuple:
        """Names, sizes and mtimes of the watched files (cheap: one stat each)."""
        entries = []
        for root in (self.raw_dir, self.notebooks):
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not skip_name(d))
                if Path(dirpath) == self.notebooks:
                    dirnames[:] = []  # the notebooks folder's own files only, as hashed
                for name in sorted(filenames):
                    if skip_name(name):
                        continue
                    with contextlib.suppress(OSError):  # removed between walk and stat
                        st = os.stat(os.path.join(dirpath, name))
                        entries.append((dirpath, name, st.st_size, st.st_mtime_ns))
        return tuple(entries)

    def content(self) -> tuple[str | None, str | None]:
        """What a build depends on: the raw folder's bytes and the notebooks' cells."""
        return hash_tree(self.raw_dir), hash_notebooks(self.notebooks)

    def snapshot(self) -> tuple[tuple, tuple[str | None, str | None]]:
        """The listing and the content, taken before a build."""
        return self.listing(), self.content()

    def wait_for_change(self, built: tuple[tuple, tuple[str | None, str | None]]) -> None:
        """Return once the watched content differs from `built` (a snapshot taken before the
        build: a save during the build is a change) and the listing has settled."""
        seen, content = built
        while True:
            now = self.listing()
            if now == seen:
                time.sleep(POLL_S)
                continue
            while True:  # let the save finish: the listing must rest for SETTLE_S
                time.sleep(SETTLE_S)
                settled = self.listing()
                if settled == now:
                    break
                now = settled
            seen = now
            if self.content() != content:
                return


# --------------------------------------------------------------------------- building


class _KeptKernel(SharedKernel):
    """A kernel that outlives `build_year`'s shutdown: the next build runs on it again.

    Between notebooks, and so between builds, `kernel_side.reset()` empties the namespace and
    restores every setting (the batch relies on it for three notebooks; executed notebooks are
    byte-identical to a fresh kernel's). What survives is what makes a second build faster:
    imported modules, compiled models, fonts and caches already warm (measured here: 01 and 02
    take about half as long as on a fresh kernel).
    """

    def stop(self) -> None:
        """`build_year` calls this once the report is saved: keep the kernel."""

    def shutdown(self, now: bool = True) -> None:
        """`build_year` calls this after each build: keep the kernel."""

    def close(self) -> None:
        SharedKernel.shutdown(self, now=True)


class Builder:
    """Builds one unit-year into a scratch folder, on one kernel kept from build to build."""

    def __init__(self, key: Key, roots: Roots, scratch: Path) -> None:
        self.key = key
        self.roots = roots
        self.scratch = scratch
        self._kernel: _KeptKernel | None = None

    def prepare(self) -> None:
        """Launch the kernel if there is none (first build, or the last one was discarded), so
        that it boots while the analyst edits."""
        if self._kernel is None or not self._kernel.km.has_kernel:
            self._kernel = _KeptKernel(cwd=config.NOTEBOOKS_DIR).launch()

    def build(self) -> tuple[str | None, str | None]:
        """Build the year; (report.html's text, None) or (None, the Chinese error)."""
        key, roots = self.key, self.roots
        refused = raw_problem(roots, key)
        if refused:
            return None, refused
        previous = roots.processed / key.prev.rel
        try:
            units, problem = _department(roots, key)
            if problem:
                return None, problem
            self.prepare()
            built = build_year(
                key.year,
                roots.raw / key.rel,
                self.scratch / "processed" / key.rel,
                self.scratch / "outputs" / key.rel,
                previous_processed_dir=previous,
                build_root=self.scratch,
                kernel=self._kernel,
                units=units,
                shown_paths=shown_paths(key, previous, roots),
                word=False,  # the page is what the preview shows: no Word, xlsx or PDF
            )
        except BuildError as exc:
            if not exc.input_problems:  # not the data: the next build gets a fresh kernel
                self.close()
            return None, str(exc)
        except Exception as exc:  # a folder refused, a frames folder, a disk full: said, and
            self.close()  # the preview goes on (the next save tries again, on a fresh kernel)
            return None, f"{key} 年度报告生成失败：{exc} / build failed ({type(exc).__name__})"
        return Path(built["report_html"]).read_text(encoding="utf-8"), None

    def close(self) -> None:
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            kernel.close()


def _department(roots: Roots, key: Key) -> tuple[list[dict] | None, str | None]:
    """A 主管部门's units payload (their committed results, as the batch gives it), or its
    problem (a unit listed twice, a cycle: see run.department); (None, None) for other units."""
    if not key.unit:
        return None, None
    order = plan_departments(roots, [key], discover(roots.raw)[0])
    if key in order.problems:
        return None, order.problems[key]
    if key not in order.members:
        return None, None
    return units_payload(roots, key, order.members[key]), None


# --------------------------------------------------------------------------- the command


def choose_key(roots: Roots, year: int | None, unit: str | None) -> tuple[Key | None, str]:
    """The unit-year to preview (default year: the unit's latest), or None and the message
    saying what to pass. A project of units only needs the unit, as `make template` does."""
    keys, _ignored = discover(roots.raw)
    if unit:
        refused = unit_folder_refusal(roots.raw, unit)
        if refused:
            return None, refused
    elif keys and all(k.unit for k in keys):
        units = sorted({k.unit for k in keys})
        return None, (
            f"data/raw/ 下有多个单位（{'、'.join(units)}），请指定预览哪个单位，例如："
            f"make preview UNIT={units[0]}{f' YEAR={year}' if year else ''}"
            " / several units: pass UNIT=…"
        )
    unit = unit or ""
    if year is None:
        years = sorted(k.year for k in keys if k.unit == unit)
        if not years:
            where = f"data/raw/{unit}/" if unit else "data/raw/"
            return None, f"{where} 下还没有任何年度数据（例如 {where}2024/）/ no year to preview"
        year = years[-1]
    key = Key(unit, year)
    refused = raw_problem(roots, key)
    return (None, refused) if refused else (key, "")


def preview_cli(year: int | None = None, unit: str | None = None, port: int = DEFAULT_PORT) -> int:
    """``python -m selfeval preview [--year N] [--unit U] [--port P]``: serve and rebuild until
    Ctrl-C; the exit status (0 when stopped, 1 when it could not start)."""
    roots = Roots.of()
    key, message = choose_key(roots, year, unit)
    if key is None:
        print(message, file=sys.stderr)
        return 1
    label = f"{key.unit} {key.year} 年度" if key.unit else f"{key.year} 年度"
    state = PageState(label)
    try:
        server = _Server(port, state)
    except OSError as exc:
        print(
            f"无法在 {HOST}:{port} 上启动预览（{exc.strerror or exc}）：端口可能已被占用，"
            f"请换一个，例如 make preview PORT={port + 1 if port else DEFAULT_PORT + 1}"
            f" / cannot listen on {HOST}:{port}",
            file=sys.stderr,
        )
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="selfeval-preview-"))
    builder = Builder(key, roots, scratch)
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    try:
        with contextlib.suppress(Exception):  # if it cannot start, the build says why, in the page
            builder.prepare()  # the kernel boots while the server starts and papermill is imported
        address = f"http://{HOST}:{server.server_address[1]}/"
        print(f"预览地址 / preview: {address}", flush=True)
        print(
            f"正在监视 data/raw/{key.rel}/ 和 notebooks/：保存后自动重新生成并刷新页面；"
            "按 Ctrl-C 停止。预览只生成网页（不生成 PDF），不改动 outputs/，"
            "正式报告请运行 make report。",
            flush=True,
        )
        print(
            f"预览文件（不含脚本）/ preview file: {scratch / 'outputs' / key.rel / 'report.html'}"
        )
        _loop(builder, Watcher(roots.raw / key.rel), state, label)
    except KeyboardInterrupt:
        # Stopped mid-build, nbclient's pending cell task ends with "Kernel died" once the
        # kernel is killed below; asyncio would log it with a traceback at exit.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print("\n已停止预览 / preview stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        state.stop()
        server.shutdown()
        server.server_close()
        thread.join()
        builder.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the preview as Ctrl-C does: kernels killed, scratch folder removed."""
    raise KeyboardInterrupt


def _loop(builder: Builder, watcher: Watcher, state: PageState, label: str) -> None:
    """Build, publish, launch the next kernel, wait for a change; until interrupted."""
    while True:
        before = watcher.snapshot()  # a save during the build rebuilds again
        started = time.perf_counter()
        print(f"[{_now()}] 正在生成{label}报告 …", flush=True)
        state.begin()
        report, error = builder.build()
        took = time.perf_counter() - started
        state.publish(report, error)
        if error is None:
            print(f"[{_now()}] 已生成（{took:.1f} 秒），打开的页面自动刷新", flush=True)
        else:
            print(f"[{_now()}] 生成失败（页面中显示原因）：\n{error}", flush=True)
        builder.prepare()
        watcher.wait_for_change(before)


def _now() -> str:
    return time.strftime("%H:%M:%S")
