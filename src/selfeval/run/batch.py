"""Build the report of many years: parallel worker processes, incremental, atomic, locked.

The no-op path (every year unchanged) imports neither pandas nor papermill: it only hashes files.

Layout this module maintains (all under the project root, or an explicit root):

- ``outputs/<YYYY>/`` report.html, report.docx, report.pdf (when LibreOffice is installed),
  report.ipynb, ``stamp.json`` (content hashes of what the year was built from and of each
  product) and, after a failed attempt, ``failed/`` (executed notebook, error.txt).
- ``outputs/.tmp-<YYYY>-<token>`` / ``data/processed/.tmp-<YYYY>-<token>``: a year in progress.
- ``outputs/.swap-<YYYY>.json``: journal of a swap in progress; a crash between the renames of the
  pair (outputs, processed) is rolled forward by the next run.
- ``outputs/.batch.lock``: one batch at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.rules import is_year_folder
from selfeval.run.plan import (
    BUILD_LOG,
    BUILT,
    FAILED,
    FAILED_DIR,
    LOCK_FILE,
    NEEDS_PREVIOUS_STAGE,
    PREVIOUS_READY_STAGE,
    STAMP_FILE,
    STAMP_VERSION,
    UNCHANGED,
    YearPlan,
)
from selfeval.run.progress import (
    Progress,
    pdf_failures,
    pdf_lines,
    rel_path,
    summary_table,
    warning_lines,
)
from selfeval.store import (
    hash_notebooks,
    hash_tree,
    load_json,
    recover,
    swap_in,
    write_json_atomic,
)

DEFAULT_BUILDER = "selfeval.run.notebooks:build_year"


# --------------------------------------------------------------------------- discovery, roots


def discover_years(raw_root: Path) -> tuple[list[int], list[str]]:
    """Years with a raw folder, and the names of other entries that were ignored."""
    years: list[int] = []
    ignored: list[str] = []
    if raw_root.is_dir():
        for entry in sorted(raw_root.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and is_year_folder(entry.name):
                years.append(int(entry.name))
            else:
                ignored.append(entry.name)
    return years, ignored


# --------------------------------------------------------------------------- hashing


def code_hashes() -> dict[str, str | None]:
    """Hashes of what every year depends on: notebooks, package source and templates, pins."""
    code_root = config.PACKAGE_DIR.parents[1]
    return {
        "notebooks": hash_notebooks(config.NOTEBOOKS_DIR),
        "package": hash_tree(config.PACKAGE_DIR),
        "requirements": hash_tree(code_root / "requirements.txt"),
    }


def _unit_name(processed_dir: Path) -> str | None:
    meta = load_json(processed_dir / "meta.json")
    return meta.get("unit_name") if isinstance(meta, dict) else None


def compares_with_previous(processed_dir: Path, previous_dir: Path) -> bool:
    """Whether a year's processed data compares with the previous year's (same unit, both built)."""
    unit = _unit_name(processed_dir)
    return unit is not None and unit == _unit_name(previous_dir)


# --------------------------------------------------------------------------- atomic swap


def keep_failed(year: int, staged_out: Path, outputs_root: Path, error: str) -> Path:
    """Put a failed attempt's notebooks and error under outputs/<year>/failed/, report untouched."""
    target_dir = outputs_root / str(year)
    target_dir.mkdir(parents=True, exist_ok=True)
    new = target_dir / f".failed-{secrets.token_hex(4)}"
    src = staged_out / FAILED_DIR
    if src.is_dir():
        os.rename(src, new)
    else:
        new.mkdir()
    (new / "error.txt").write_text(error, encoding="utf-8")
    if (staged_out / BUILD_LOG).is_file():
        os.replace(staged_out / BUILD_LOG, new / BUILD_LOG)
    failed = target_dir / FAILED_DIR
    old = target_dir / f".failed-old-{secrets.token_hex(4)}"
    if failed.exists():
        os.rename(failed, old)
    os.rename(new, failed)
    shutil.rmtree(old, ignore_errors=True)
    return failed


# --------------------------------------------------------------------------- stamps


def own_inputs(year: int, roots: Roots, code: dict[str, str | None]) -> dict[str, str | None]:
    """Hashes of a year's own dependencies (everything but the previous year's data)."""
    return {"raw": hash_tree(roots.raw / str(year)), **code}


def stamp_state(year: int, roots: Roots, inputs: dict[str, str | None]) -> tuple[bool, dict]:
    """Whether the stored stamp matches the year's own inputs and products; and the stamp."""
    out_dir = roots.outputs / str(year)
    stamp = load_json(out_dir / STAMP_FILE)
    if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION:
        return False, {}
    if (out_dir / FAILED_DIR).exists():
        return False, stamp
    if any(stamp.get("inputs", {}).get(k) != v for k, v in inputs.items()):
        return False, stamp
    products = stamp.get("products", {})
    if products.get("processed") != hash_tree(roots.processed / str(year)):
        return False, stamp
    for name in ("report.html", "report.docx", "report.ipynb"):
        if products.get(name) != hash_tree(out_dir / name):
            return False, stamp
    # A PDF the stamp records must still be there; one never made (no LibreOffice) is `make pdf`'s.
    pdf = products.get("report.pdf")
    if pdf is not None and pdf != hash_tree(out_dir / "report.pdf"):
        return False, stamp
    return True, stamp


def previous_hash(year: int, roots: Roots) -> str | None:
    """Hash of year-1's processed data when `year` compares with it, else None."""
    prev = roots.processed / str(year - 1)
    if compares_with_previous(roots.processed / str(year), prev):
        return hash_tree(prev)
    return None


# --------------------------------------------------------------------------- worker


def _worker_main(task: dict, conn) -> None:  # runs in a child process
    """Build one year into its staging folders, reporting stages through `conn`."""
    with contextlib.suppress(OSError):
        os.setpgrp()  # own process group: the batch can kill the worker and its kernels at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The worker's and its kernels' chatter goes to a log kept with a failure, not the terminal.
    log_fd = os.open(Path(task["output_dir"]) / BUILD_LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    parent = task["parent_pid"]
    seen = 0

    def on_stage(stage: object = None, *args: object, **kwargs: object) -> None:
        nonlocal seen
        if os.getppid() != parent:  # the batch died: stop between notebooks
            os._exit(3)
        if seen == NEEDS_PREVIOUS_STAGE and task["waits"]:
            conn.send(("wait",))
            conn.recv()
        conn.send(("stage", str(stage), seen))
        seen += 1

    try:
        from importlib import import_module

        module, _, name = task["builder"].partition(":")
        build_year = getattr(import_module(module), name)
        result = build_year(
            task["year"],
            Path(task["raw_dir"]),
            Path(task["processed_dir"]),
            Path(task["output_dir"]),
            previous_processed_dir=(Path(task["previous_dir"]) if task["previous_dir"] else None),
            on_stage=on_stage,
            build_root=Path(task["build_root"]),
        )
        if seen <= NEEDS_PREVIOUS_STAGE and task["waits"]:
            conn.send(("wait",))  # a builder without stages still must not finish before year-1
            conn.recv()
        conn.send(("done", _jsonable(result)))
    except BaseException as exc:  # report every failure, then exit
        detail = traceback.format_exc()
        shown = str(exc) if type(exc).__name__ == "BuildError" else f"{type(exc).__name__}: {exc}"
        conn.send(("error", shown, detail))
    finally:
        conn.close()


def _jsonable(value: object) -> object:
    try:
        json.dumps(value, default=str)
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- the batch


class _Batch:
    """One run of the scheduler: decides, runs workers, commits in year order."""

    def __init__(
        self,
        roots: Roots,
        jobs: int,
        force: bool,
        builder: str,
        tty: bool | None,
        code: dict[str, str | None] | None = None,
    ):
        self.code = code
        self.roots = roots
        self.jobs = max(1, jobs)
        self.force = force
        self.builder = builder
        self.tty = tty
        self.plans: dict[int, YearPlan] = {}
        self.queue: list[int] = []  # years to start, in year order
        self.deferred: list[int] = []  # own inputs unchanged; wait for year-1's outcome
        self.running: dict[int, tuple[object, object]] = {}  # year -> (process, conn)
        self.finished_ok: set[int] = set()  # built into staging, not yet committed
        self.waiting: set[int] = set()  # workers blocked until year-1's data is ready
        self.progress: Progress | None = None
        self.ctx = None

    # ---- decisions

    def decide(self, years: list[int]) -> None:
        code = self.code or code_hashes()
        for year in years:
            plan = self.plans[year] = YearPlan(year)
            plan.inputs = own_inputs(year, self.roots, code)
            if plan.inputs["raw"] is None:
                plan.status = FAILED
                plan.error = f"找不到原始数据目录 / raw folder missing: data/raw/{year}"
                continue
            own_ok, stamp = False, {}
            if not self.force:
                own_ok, stamp = stamp_state(year, self.roots, plan.inputs)
            if not own_ok:
                self.schedule(year)
            elif self._pending(year - 1):
                self.deferred.append(year)
            else:
                self._resolve_deferred(year, stamp)

    def _pending(self, year: int) -> bool:
        plan = self.plans.get(year)
        return (
            plan is not None
            and plan.status == ""
            and (
                year in self.queue
                or year in self.running
                or year in self.finished_ok
                or year in self.deferred
            )
        )

    def _resolve_deferred(self, year: int, stamp: dict | None = None) -> None:
        if stamp is None:
            _, stamp = stamp_state(year, self.roots, self.plans[year].inputs)
        if stamp.get("inputs", {}).get("previous") == previous_hash(year, self.roots):
            self.plans[year].status = UNCHANGED
            if self.progress is not None:
                self.progress.skipped()
        else:
            self.schedule(year)

    def schedule(self, year: int) -> None:
        plan = self.plans[year]
        prev = self.plans.get(year - 1)
        if (
            prev is not None
            and prev.status == ""
            and (year - 1 in self.queue or year - 1 in self.running or year - 1 in self.finished_ok)
        ):
            plan.waits = True  # pipelined: use year-1's staged data once it is complete
        else:
            plan.waits = False
        self.queue.append(year)
        self.queue.sort()

    # ---- workers

    def start(self, year: int) -> None:
        plan = self.plans[year]
        token = secrets.token_hex(4)
        plan.staged_out = self.roots.outputs / f".tmp-{year}-{token}"
        plan.staged_proc = self.roots.processed / f".tmp-{year}-{token}"
        plan.staged_out.mkdir(parents=True)
        plan.staged_proc.mkdir(parents=True)
        prev = self.plans.get(year - 1)
        if (
            prev is not None
            and prev.status == ""
            and (year - 1 in self.running or year - 1 in self.finished_ok)
        ):
            plan.waits = True  # pipelined on year-1's staged data, released once it is complete
            plan.previous_dir = prev.staged_proc
        else:
            plan.waits = False
            plan.previous_dir = self.roots.processed / str(year - 1)
        plan.stages_seen = 0
        plan.released = not plan.waits
        plan.tainted = False
        plan.started = time.monotonic()
        task = {
            "year": year,
            "raw_dir": str(self.roots.raw / str(year)),
            "processed_dir": str(plan.staged_proc),
            "output_dir": str(plan.staged_out),
            "previous_dir": str(plan.previous_dir),
            "waits": plan.waits,
            "builder": self.builder,
            "build_root": str(self.roots.outputs.parent),
            "parent_pid": os.getpid(),
        }
        parent_conn, child_conn = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(task, child_conn), daemon=False)
        proc.start()
        child_conn.close()
        self.running[year] = (proc, parent_conn)

    def _previous_ready(self, year: int) -> bool:
        prev = self.plans.get(year - 1)
        if prev is None or prev.status != "":
            return True
        return year - 1 in self.finished_ok or prev.stages_seen > PREVIOUS_READY_STAGE

    def _release(self, year: int) -> None:
        if year in self.waiting and self._previous_ready(year):
            self.waiting.discard(year)
            plan = self.plans[year]
            prev = self.plans.get(year - 1)
            if prev is not None and prev.status == FAILED:
                self._substitute_committed(year - 1, plan.previous_dir)
            plan.released = True
            _, conn = self.running[year]
            with contextlib.suppress(OSError):
                conn.send(("go",))

    def _substitute_committed(self, prev_year: int, staged: Path | None) -> None:
        """Year-1 failed before its data was ready: its staged folder becomes the committed one."""
        if staged is None:
            return
        shutil.rmtree(staged, ignore_errors=True)
        committed = self.roots.processed / str(prev_year)
        if committed.is_dir():
            shutil.copytree(committed, staged)

    def on_message(self, year: int, message: tuple) -> None:
        plan = self.plans[year]
        kind = message[0]
        if kind == "stage":
            plan.stages_seen = message[2] + 1
            plan.stage = str(message[1])
            self.progress.stage(year, message[1], message[2])
            if plan.stages_seen > PREVIOUS_READY_STAGE:
                self._release(year + 1)
        elif kind == "wait":
            self.waiting.add(year)
            self._release(year)
        elif kind == "done":
            plan.result = message[1] if isinstance(message[1], dict) else {}
            self._finish(year, None)
        elif kind == "error":
            self._finish(year, (message[1], message[2]))

    def on_exit(self, year: int, proc) -> None:
        """A worker ended without reporting (killed): its year failed."""
        proc.join(timeout=5)
        code = proc.exitcode
        stage = self.plans[year].stage or "prepare"
        self._finish(
            year,
            (
                f"{year} 年度报告在「{stage}」阶段失败：工作进程异常退出（退出码 {code}）"
                f" / year {year} failed at stage {stage!r}: worker died (exit code {code})",
                "",
            ),
        )

    def _finish(self, year: int, error: tuple[str, str] | None) -> None:
        proc, conn = self.running.pop(year)
        self.waiting.discard(year)
        with contextlib.suppress(OSError):
            conn.close()
        proc.join(timeout=5)
        if proc.is_alive():
            _kill_group(proc)
            proc.join()
        plan = self.plans[year]
        plan.seconds += time.monotonic() - plan.started
        if plan.tainted:  # built on data of a year that then failed: build again
            self._taint_dependents(year, rebuilt=True)
            self._discard_staging(plan)
            self.schedule(year)
            return
        if error is None:
            self.finished_ok.add(year)
        else:
            plan.status = FAILED
            error = tuple(self._final_paths(plan, text) for text in error)
            plan.error = error[0]
            try:
                keep_failed(year, plan.staged_out, self.roots.outputs, f"{error[0]}\n\n{error[1]}")
            except OSError as exc:
                plan.error += f"（失败记录无法写入 / could not keep failed/: {exc}）"
            self._taint_dependents(year)
            self._release(year + 1)
            if not self._read_by_dependent(year):
                self._discard_staging(plan)
            self.progress.finished(plan)
        self.commit_ready()

    def _final_paths(self, plan: YearPlan, text: str) -> str:
        """Rewrite paths inside the staging folder to where keep_failed puts the files."""
        if plan.staged_out is None:
            return text
        final = (self.roots.outputs / str(plan.year) / FAILED_DIR).resolve()
        for staged in {plan.staged_out.resolve() / FAILED_DIR, plan.staged_out / FAILED_DIR}:
            text = text.replace(str(staged), str(final))
        return text

    def _taint_dependents(self, year: int, rebuilt: bool = False) -> None:
        """Year+1 read (or is about to read) staged data of `year` that will not be swapped in.

        When `year` failed, a year+1 still waiting is given the committed data instead (see
        _release); when `year` is rebuilt in new folders, year+1 must be rebuilt as well.
        """
        nxt = self.plans.get(year + 1)
        if nxt is None or nxt.status != "":
            return
        if year + 1 in self.queue:  # not started: start() picks its previous data then
            return
        if nxt.previous_dir != self.plans[year].staged_proc:
            return
        if year + 1 in self.running and (nxt.released or rebuilt):
            nxt.tainted = True
            _kill_group(self.running[year + 1][0])
        elif year + 1 in self.finished_ok:
            self.finished_ok.discard(year + 1)
            self._taint_dependents(year + 1, rebuilt=True)
            self._discard_staging(nxt)
            self.schedule(year + 1)

    def _read_by_dependent(self, year: int) -> bool:
        nxt = self.plans.get(year + 1)
        return (
            nxt is not None
            and year + 1 in self.running
            and nxt.previous_dir is not None
            and nxt.previous_dir == self.plans[year].staged_proc
        )

    def _discard_staging(self, plan: YearPlan) -> None:
        for path in (plan.staged_out, plan.staged_proc):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)

    def commit_ready(self) -> None:
        """Swap in every finished year whose year-1 is settled and no longer read from staging."""
        progress = True
        while progress:
            progress = False
            for year in sorted(self.finished_ok):
                plan = self.plans[year]
                if self._pending_before(year) or self._read_by_dependent(year):
                    continue
                self.finished_ok.discard(year)
                try:
                    self.commit(plan)
                except OSError as exc:  # nothing swapped, or a journal recover() finishes
                    plan.status = FAILED
                    plan.error = f"无法替换输出目录 / cannot swap the outputs in: {exc}"
                    if not (self.roots.outputs / f".swap-{year}.json").exists():
                        self._discard_staging(plan)
                    self.progress.finished(plan)
                progress = True
            for year in list(self.deferred):
                if not self._pending(year - 1):
                    self.deferred.remove(year)
                    self._resolve_deferred(year)
                    progress = True

    def _pending_before(self, year: int) -> bool:
        prev = self.plans.get(year - 1)
        return (
            prev is not None
            and prev.status == ""
            and self.plans[year].previous_dir == (prev.staged_proc)
        )

    def _fail_early(self, year: int, exc: OSError) -> None:
        """A year that could not even start (its staging folders could not be made)."""
        plan = self.plans[year]
        plan.status = FAILED
        plan.error = (
            f"{year} 年度报告在「prepare」阶段失败：无法创建临时构建目录（目录只读或磁盘已满？）"
            f" / year {year} failed at stage 'prepare', cannot create the build folders: {exc}"
        )
        self._discard_staging(plan)
        self.progress.finished(plan)

    def commit(self, plan: YearPlan) -> None:
        year = plan.year
        inputs = dict(plan.inputs)
        prev_dir = self.roots.processed / str(year - 1)
        inputs["previous"] = (
            hash_tree(prev_dir) if compares_with_previous(plan.staged_proc, prev_dir) else None
        )
        stamp = {
            "version": STAMP_VERSION,
            "year": year,
            "inputs": inputs,
            "products": {
                "processed": hash_tree(plan.staged_proc),
                "report.html": hash_tree(plan.staged_out / "report.html"),
                "report.docx": hash_tree(plan.staged_out / "report.docx"),
                "report.pdf": hash_tree(plan.staged_out / "report.pdf"),
                "report.ipynb": hash_tree(plan.staged_out / "report.ipynb"),
            },
            "seconds": round(plan.seconds, 2),
        }
        (plan.staged_out / BUILD_LOG).unlink(missing_ok=True)
        write_json_atomic(plan.staged_out / STAMP_FILE, stamp)
        with _signals_deferred():  # Ctrl-C / SIGTERM wait until both renames are done
            swap_in(
                year,
                [
                    (plan.staged_out, self.roots.outputs / str(year)),
                    (plan.staged_proc, self.roots.processed / str(year)),
                ],
                self.roots.outputs,
            )
        plan.status = BUILT
        self.progress.finished(plan)

    # ---- main loop

    def run(  # noqa: C901, PLR0912, PLR0915 - the scheduler's event loop: one place decides
        self, years: list[int]
    ) -> list[YearPlan]:
        from multiprocessing import connection

        self.decide(years)
        n_build = len(self.queue) + len(self.deferred)
        if self.queue or self.deferred:
            import multiprocessing

            # Import once before forking, so that no worker pays for papermill/nbconvert again.
            for module in (self.builder.partition(":")[0], "papermill", "nbconvert"):
                with contextlib.suppress(ImportError):
                    __import__(module)
            self.ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.progress = Progress(n_build, self.tty)
        try:
            while self.queue or self.running or self.finished_ok or self.deferred:
                while len(self.running) < self.jobs:
                    startable = [y for y in self.queue if y - 1 not in self.deferred]
                    if not startable:
                        break
                    self.queue.remove(startable[0])
                    try:
                        self.start(startable[0])
                    except OSError as exc:  # read-only or full outputs: that year fails
                        self._fail_early(startable[0], exc)
                if not self.running:
                    before = (list(self.queue), set(self.finished_ok), list(self.deferred))
                    if not any(before):  # every remaining year failed to start
                        break
                    self.commit_ready()
                    if before == (list(self.queue), set(self.finished_ok), list(self.deferred)):
                        raise RuntimeError(f"批处理调度停滞 / scheduler stalled: {before}")
                    continue
                conns = {conn: year for year, (_, conn) in self.running.items()}
                sentinels = {proc.sentinel: year for year, (proc, _) in self.running.items()}
                ready = connection.wait(list(conns) + list(sentinels), timeout=1.0)
                for obj in ready:
                    if obj in conns:
                        year = conns[obj]
                        if year not in self.running:
                            continue
                        try:
                            message = obj.recv()
                        except (EOFError, OSError):
                            continue  # the sentinel reports the death
                        self.on_message(year, message)
                for obj in ready:
                    if obj in sentinels:
                        year = sentinels[obj]
                        if year in self.running and self.running[year][0].sentinel == obj:
                            conn = self.running[year][1]
                            while year in self.running and conn.poll():
                                try:
                                    self.on_message(year, conn.recv())
                                except (EOFError, OSError):
                                    break
                            if year in self.running:
                                self.on_exit(year, self.running[year][0])
        except KeyboardInterrupt:
            for year in sorted(self.running):
                stage = self.plans[year].stage or "prepare"
                print(
                    f"[{year}] 已中断：「{stage}」阶段未完成，已有报告和数据未被替换"
                    f" / year {year} interrupted at stage {stage!r}, nothing replaced",
                    flush=True,
                )
            raise
        finally:
            for proc, _ in list(self.running.values()):
                _kill_group(proc)
                proc.join()
            for plan in self.plans.values():
                if plan.status != BUILT:  # a built year's staging folders were renamed away
                    self._discard_staging(plan)
            self.progress.close()
        return [self.plans[y] for y in sorted(self.plans)]


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM back for the duration of the block (delivered afterwards)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no POSIX signal masks: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _kill_group(proc) -> None:
    for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
        with contextlib.suppress(OSError, ProcessLookupError, AttributeError):
            kill()


def _on_sigterm(signum, frame) -> None:  # pragma: no cover - exercised through subprocesses
    raise KeyboardInterrupt


@contextlib.contextmanager
def batch_lock(outputs_root: Path, say=print):
    """Hold the batch lock; a second batch says that one is running and waits for it."""
    from filelock import FileLock, Timeout

    outputs_root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(outputs_root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(
            "另一个批量生成正在运行，等待其结束… / another batch is running, waiting for it to end",
        )
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@dataclass
class BatchResult:
    """Outcome of one batch: a plan per year (status, time, error) and an index-page failure."""

    plans: list[YearPlan]
    index_error: str | None = None

    @property
    def exit_status(self) -> int:
        """0 when every year is built or unchanged, its PDF converted or LibreOffice absent,
        and the index was written; else 1."""
        failed = any(p.status == FAILED for p in self.plans)
        return 1 if failed or self.index_error or pdf_failures(self.plans) else 0


def run_batch(
    years: list[int],
    jobs: int | None = None,
    force: bool = False,
    *,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
    code: dict[str, str | None] | None = None,
) -> BatchResult:
    """Under the lock: recover, build what changed among `years`, refresh the index page.

    `code` pins the hashes of notebooks, package and pins (default: hashed now), for callers
    that must not see concurrent edits of a shared working tree. Raises KeyboardInterrupt when
    interrupted (running years are discarded, nothing is swapped in half-way).
    """
    roots = Roots.of(root)
    jobs = jobs or os.cpu_count() or 1
    with batch_lock(roots.outputs):
        for note in recover(roots):
            print(note)
        plans = _Batch(roots, jobs, force, builder, tty, code).run(sorted(set(years)))
        result = BatchResult(plans)
        if index:
            from selfeval.run.site import write_index_if_changed

            try:
                write_index_if_changed(roots)
            except Exception as exc:  # the reports stand; say the index failed
                result.index_error = f"{type(exc).__name__}: {exc}"
    return result


def build(
    years: list[int] | None = None,
    jobs: int | None = None,
    force: bool = False,
    *,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
) -> int:
    """Build the given years (default: all found) in parallel, incrementally; exit status."""
    roots = Roots.of(root)
    found, ignored = discover_years(roots.raw)
    for name in ignored:
        print(f"忽略 data/raw/{name}：不是四位年份目录 / ignored, not a year folder")
    todo = sorted(set(years)) if years else found
    if not todo:
        print("data/raw/ 下还没有任何年度数据（例如 data/raw/2024/），没有需要生成的报告。")
        print("No year under data/raw/ yet: nothing to build.")
        return 0
    previous = signal.getsignal(signal.SIGTERM)
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        result = run_batch(todo, jobs, force, root=root, builder=builder, tty=tty, index=index)
    except KeyboardInterrupt:
        print("已中断：未完成的年度没有替换任何已有报告 / interrupted, nothing half-written")
        return 130
    finally:
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
    print(summary_table(result.plans, roots))
    for line in warning_lines(result.plans, roots):
        print(line)
    for line in pdf_lines(result.plans, roots):
        print(line)
    if result.index_error:
        print(f"索引页生成失败 / index page failed: {result.index_error}", file=sys.stderr)
    elif index:
        print(f"索引页 / index: {rel_path(roots.outputs / 'index.html')}")
    return result.exit_status
