"""Build the report of many unit-years: parallel worker processes, incremental, atomic, locked.

The no-op path (every unit-year unchanged) imports neither pandas nor papermill: it only hashes
files.

Layout this module maintains (all under the project root, or an explicit root); ``<rel>`` is
``<YYYY>`` in a single-unit project (data/raw/<YYYY>/) and ``<unit>/<YYYY>`` in a project of
several units (data/raw/<unit>/<YYYY>/), both may be mixed:

- ``outputs/<rel>/`` report.html, report.docx, report.pdf (when LibreOffice is installed),
  report.ipynb (the products: run.plan.PRODUCTS), ``stamp.json`` (content hashes of what the
  year was built from: the raw bytes 01 read, code, year-1's and, for a 主管部门, its units'
  processed data; and of each product) and, after a failed attempt, ``failed/`` (executed
  notebook, error.txt).
- ``outputs/.tmp-<slug>-<token>`` / ``data/processed/.tmp-<slug>-<token>``: a year in progress
  (``<slug>`` = ``<YYYY>`` or ``<unit>-<YYYY>``).
- ``outputs/.swap-<slug>.json``: journal of a swap in progress; a crash between the renames of
  the pair (outputs, processed) is rolled forward by the next run.
- ``outputs/.batch.lock``: one batch at a time.

Workers are forked one per unit-year. Each launches its kernel first thing; when every slot is
busy, one more worker may be started "held": its kernel boots while the others work, and it
starts its notebooks once a slot frees (the next year's kernel starts while one runs: its
boot is off the critical path). A batch of several years forks those kernels from one server
that has imported what a kernel needs (run.zygote), so no year pays those imports again. A
主管部门's unit-years are built after all others (run.department).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from selfeval import config, folders
from selfeval.config import Roots
from selfeval.errors import ChangedDuringBuild, FrameError, LockError
from selfeval.rules import (
    YEAR_EXPECTED,
    folder_key,
    is_year_folder,
    unit_folder_problem,
    visible,
    year_problem,
)
from selfeval.run.plan import (
    BUILD_LOG,
    BUILT,
    CHANGED_DURING_BUILD,
    FAILED,
    FAILED_DIR,
    LOCK_FILE,
    NEEDS_PREVIOUS_STAGE,
    OPTIONAL_PRODUCTS,
    PREVIOUS_READY_STAGE,
    PRODUCTS,
    STAMP_FILE,
    STAMP_VERSION,
    UNCHANGED,
    Key,
    YearPlan,
)
from selfeval.run.progress import (
    Progress,
    draft_lines,
    pdf_failures,
    pdf_lines,
    rel_path,
    summary_table,
    warning_lines,
)
from selfeval.store import (
    folder_problems,
    hash_notebooks,
    hash_tree,
    load_json,
    recover,
    swap_in,
    write_json_atomic,
)

DEFAULT_BUILDER = "selfeval.run.notebooks:build_year"


# --------------------------------------------------------------------------- discovery, roots


def discover(raw_root: Path) -> tuple[list[Key], list[str]]:
    """Unit-years with a raw folder, and one message per entry that was ignored (naming it).

    ``data/raw/<YYYY>/`` is a year of the single unit (unit ""); ``data/raw/<unit>/<YYYY>/`` a
    year of unit `<unit>`. Symlinked folders and unit folders whose name is refused
    (`rules.unit_folder_problem`, spellings of one name) are listed: their build is refused by
    `raw_problem`, so that the refusal is said and the batch fails rather than the folder being
    silently skipped. Names are shown escaped (`rules.visible`).
    """
    keys: list[Key] = []
    ignored: list[str] = []
    if not raw_root.is_dir():
        return keys, ignored
    for entry in sorted(raw_root.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")):
            continue
        if name.isdigit() and entry.is_dir():  # ２０２４ is meant as a year: say why it is not
            problem = year_problem(name)
            if problem:
                ignored.append(f"忽略 data/raw/{visible(name)}：{problem}，{YEAR_EXPECTED}")
            else:
                keys.append(Key("", int(name)))
            continue
        found = _unit_years(entry, name, ignored) if entry.is_dir() else []
        if found:
            keys += found
            continue
        problem = unit_folder_problem(name) if entry.is_dir() else None
        why = f"单位目录名不可用：{problem}" if problem else NOT_A_FOLDER
        ignored.append(f"忽略 data/raw/{visible(name)}：{why}")
    return keys, ignored


#: Said of an entry of data/raw/ that is neither a year nor a unit with years.
NOT_A_FOLDER = "不是年度目录（如 2024）或单位目录（如 图书馆/2024）"


def _unit_years(folder: Path, unit: str, ignored: list[str]) -> list[Key]:
    keys = []
    if folder.is_symlink():  # listed, refused by raw_problem with where it points
        return [Key(unit, int(e.name)) for e in sorted(folder.iterdir()) if is_year_folder(e.name)]
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "~$")) or not entry.is_dir():
            continue
        problem = year_problem(entry.name)
        if problem:
            where = f"data/raw/{visible(unit)}/{visible(entry.name)}"
            ignored.append(f"忽略 {where}：{problem}，{YEAR_EXPECTED}")
        else:
            keys.append(Key(unit, int(entry.name)))
    return keys


def unit_folder_refusal(raw_root: Path, unit: str) -> str | None:
    """Why unit folder data/raw/<unit>/ is not built (its name, or a second spelling of it)."""
    problem = unit_folder_problem(unit)
    if problem:
        return (
            f"单位目录 data/raw/{visible(unit)} 的名称不可用：{problem}。请改名后重新生成"
            " / unit folder name refused"
        )
    key = folder_key(unit)
    names = os.listdir(raw_root) if raw_root.is_dir() else []
    twins = [n for n in names if n != unit and folder_key(n) == key]
    if twins:
        return (
            f"单位目录 data/raw/{visible(unit)} 与 data/raw/{visible(twins[0])}"
            " 是同一名称的两种写法（Unicode 组合方式 NFC/NFD 或大小写不同，看起来相同，"
            "在 Windows 和 macOS 上是同一个目录），两者都不生成：请合并为一个目录"
            " / two spellings of one unit folder"
        )
    return None


def discover_years(raw_root: Path) -> tuple[list[int], list[str]]:
    """Years of the single-unit layout (data/raw/<YYYY>/), and ignored entries' messages."""
    keys, ignored = discover(raw_root)
    return [k.year for k in keys if not k.unit], ignored


def raw_dir(roots: Roots, key: Key) -> Path:
    return roots.raw / key.rel


def raw_problem(roots: Roots, key: Key) -> str | None:
    """Why a unit-year's raw folder cannot be built from (missing, or a symlink), or None.

    A symlinked year or unit folder is refused, as the reading layer refuses symlinked data
    files: what a report is built from must be inside the project's data folder, and be what
    the stamp hashes. The message says where the link points; nothing points at a failed/
    folder, since no notebook ran.
    """
    if key.unit:
        refused = unit_folder_refusal(roots.raw, key.unit)
        if refused:
            return refused
    shown = f"data/raw/{key.rel}"
    for path in (roots.raw / key.unit, raw_dir(roots, key)) if key.unit else (raw_dir(roots, key),):
        if path.is_symlink():
            target = os.readlink(path)
            where = path.relative_to(roots.raw).as_posix()
            return (
                f"data/raw/{where} 是符号链接（指向 {target}），不予读取：请把数据文件复制到"
                f" {shown}/ 中 / data/raw/{where} is a symlink to {target}, refused"
            )
    if not raw_dir(roots, key).is_dir():
        return f"找不到原始数据目录 / raw folder missing: {shown}"
    return None


def shown_paths(key: Key, previous_dir: Path | None, roots: Roots) -> dict[str, str]:
    """What report.ipynb's parameters show: the project-relative places the year ends up in,
    not the staging folders it was built in (which carry a random token)."""
    shown = {
        "raw_dir": f"data/raw/{key.rel}",
        "processed_dir": f"data/processed/{key.rel}",
        "output_dir": f"outputs/{key.rel}",
    }
    if previous_dir is not None:
        shown["previous_processed_dir"] = f"data/processed/{key.prev.rel}"
    return shown


def _as_key(value: Key | int) -> Key:
    return value if isinstance(value, Key) else Key("", int(value))


# --------------------------------------------------------------------------- hashing


def code_hashes() -> dict[str, str | None]:
    """Hashes of what every year depends on: notebooks, package source and templates, pins, and
    the report frames (SELFEVAL_FRAMES_DIR may name a folder outside the package)."""
    code_root = config.PACKAGE_DIR.parents[1]
    return {
        "notebooks": hash_notebooks(config.NOTEBOOKS_DIR),
        "package": hash_tree(config.PACKAGE_DIR),
        "requirements": hash_tree(code_root / "requirements.txt"),
        "frames": hash_tree(config.FRAMES_DIR),
    }


def _unit_name(processed_dir: Path) -> str | None:
    meta = load_json(processed_dir / "meta.json")
    return meta.get("unit_name") if isinstance(meta, dict) else None


def compares_with_previous(processed_dir: Path, previous_dir: Path) -> bool:
    """Whether a year's processed data compares with the previous year's (same unit, both built)."""
    unit = _unit_name(processed_dir)
    return unit is not None and unit == _unit_name(previous_dir)


# --------------------------------------------------------------------------- atomic swap


def keep_failed(key: Key | int, staged_out: Path, outputs_root: Path, error: str) -> Path:
    """Put a failed attempt's notebooks and error under outputs/<rel>/failed/, report untouched."""
    target_dir = folders.claim(outputs_root / _as_key(key).rel, folders.OUTPUTS)
    new = target_dir / f".failed-{os.urandom(4).hex()}"
    src = staged_out / FAILED_DIR
    if src.is_dir():
        os.rename(src, new)
    else:
        new.mkdir()
    (new / "error.txt").write_text(error, encoding="utf-8")
    if (staged_out / BUILD_LOG).is_file():
        os.replace(staged_out / BUILD_LOG, new / BUILD_LOG)
    failed = target_dir / FAILED_DIR
    old = target_dir / f".failed-old-{os.urandom(4).hex()}"
    if failed.exists():
        os.rename(failed, old)
    os.rename(new, failed)
    shutil.rmtree(old, ignore_errors=True)
    return failed


# --------------------------------------------------------------------------- stamps


def own_inputs(key: Key | int, roots: Roots, code: dict[str, str | None]) -> dict[str, object]:
    """Hashes of a year's own dependencies (everything but year-1's and its units' data)."""
    key = _as_key(key)
    return {"raw": hash_tree(raw_dir(roots, key)), **code}


def stamp_state(key: Key | int, roots: Roots, inputs: dict[str, object]) -> tuple[bool, dict]:
    """Whether the stored stamp matches the year's own inputs and products; and the stamp."""
    key = _as_key(key)
    out_dir = roots.outputs / key.rel
    stamp = load_json(out_dir / STAMP_FILE)
    if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION:
        return False, {}
    if (out_dir / FAILED_DIR).exists():
        return False, stamp
    if any(stamp.get("inputs", {}).get(k) != v for k, v in inputs.items()):
        return False, stamp
    products = stamp.get("products", {})
    if products.get("processed") != hash_tree(roots.processed / key.rel):
        return False, stamp
    for name in PRODUCTS:
        if products.get(name) != hash_tree(out_dir / name):
            return False, stamp
    # An optional product the stamp records must still be there; a PDF never made (no
    # LibreOffice) is `make pdf`'s.
    for name in OPTIONAL_PRODUCTS:
        recorded = products.get(name)
        if recorded is not None and recorded != hash_tree(out_dir / name):
            return False, stamp
    return True, stamp


def previous_hash(key: Key | int, roots: Roots) -> str | None:
    """Hash of year-1's processed data when the year compares with it, else None."""
    key = _as_key(key)
    prev = roots.processed / key.prev.rel
    if compares_with_previous(roots.processed / key.rel, prev):
        return hash_tree(prev)
    return None


def read_as_stamped(raw: Path, processed: Path, started_raw: object) -> str:
    """The raw folder's hash if it still holds exactly what 01 read, else ChangedDuringBuild.

    01 records the sha256 of every file it parsed in meta.json's ``sources``. The folder must
    hash now as it did when the build started (no file added, removed or replaced since), and
    every file 01 read must still have the bytes it read: then the stamp's raw hash is the hash
    of what was read. An analyst saving the workbook mid-build fails the check.
    """
    now = hash_tree(raw)
    meta = load_json(processed / "meta.json")
    sources = meta.get("sources") if isinstance(meta, dict) else None
    if now is None or now != started_raw or not isinstance(sources, list):
        raise ChangedDuringBuild(CHANGED_DURING_BUILD)
    for source in sources:
        name = source.get("file") if isinstance(source, dict) else None
        if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
            raise ChangedDuringBuild(CHANGED_DURING_BUILD)
        if hash_tree(raw / name) != source.get("sha256"):
            raise ChangedDuringBuild(f"{CHANGED_DURING_BUILD}（{name}）")
    return now


# --------------------------------------------------------------------------- worker


def _worker_main(task: dict, conn) -> None:  # noqa: C901 - runs in a child process
    """Build one unit-year into its staging folders, reporting stages through `conn`.

    The kernel is launched first, so that it boots while this process imports papermill (when
    the parent did not, see _Batch.run) and while a held worker waits for a slot.
    """
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
    kernel = None

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
        extra: dict = {}
        if task["builder"] == DEFAULT_BUILDER:
            from selfeval.run.kernel import SharedKernel

            kernel = SharedKernel(cwd=config.NOTEBOOKS_DIR, zygote_path=task["zygote"]).launch()
            extra["kernel"] = kernel
        if task.get("units") is not None:
            extra["units"] = task["units"]
        if task["builder"] == DEFAULT_BUILDER and task.get("shown_paths"):
            extra["shown_paths"] = task["shown_paths"]
        build_year = getattr(import_module(module), name)
        if task["import_here"]:  # the parent did not: do it while the kernel boots
            from selfeval.run.notebooks import warm_exporter

            warm_exporter()
        if task["held"]:  # every slot is busy: wait with the kernel booting
            conn.send(("held",))
            if conn.recv() != ("go",):
                os._exit(3)
        result = build_year(
            task["year"],
            Path(task["raw_dir"]),
            Path(task["processed_dir"]),
            Path(task["output_dir"]),
            previous_processed_dir=(Path(task["previous_dir"]) if task["previous_dir"] else None),
            on_stage=on_stage,
            build_root=Path(task["build_root"]),
            **extra,
        )
        if seen <= NEEDS_PREVIOUS_STAGE and task["waits"]:
            conn.send(("wait",))  # a builder without stages still must not finish before year-1
            conn.recv()
        conn.send(("done", _jsonable(result)))
    except BaseException as exc:  # report every failure, then exit
        import traceback  # only on a failure: not on the no-op path

        detail = traceback.format_exc()
        shown = str(exc) if type(exc).__name__ == "BuildError" else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            conn.send(("error", shown, detail))
    finally:
        if kernel is not None:
            kernel.shutdown(now=True)
        conn.close()


def _jsonable(value: object) -> object:
    try:
        json.dumps(value, default=str)
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- the batch


class _Batch:
    """One run of the scheduler: decides, runs workers, commits each unit in year order."""

    def __init__(
        self,
        roots: Roots,
        jobs: int,
        force: bool,
        builder: str,
        tty: bool | None,
        code: dict[str, str | None] | None = None,
        departments: dict[Key, list[tuple[str, str | None]]] | None = None,
        problems: dict[Key, str] | None = None,
    ):
        self.code = code
        self.roots = roots
        self.jobs = max(1, jobs)
        self.force = force
        self.builder = builder
        self.tty = tty
        self.departments = departments or {}
        self.problems = problems or {}  # unit-years failed before building (run.department)
        self.plans: dict[Key, YearPlan] = {}
        self.queue: list[Key] = []  # unit-years to start, in (unit, year) order
        self.deferred: list[Key] = []  # own inputs unchanged; wait for year-1's outcome
        self.running: dict[Key, tuple[object, object]] = {}  # key -> (process, conn)
        self.finished_ok: set[Key] = set()  # built into staging, not yet committed
        self.waiting: set[Key] = set()  # workers blocked until year-1's data is ready
        self.held: set[Key] = set()  # workers started ahead, kernel booting, not yet released
        self.progress: Progress | None = None
        self.ctx = None
        self.import_here = False
        self.zygote = None  # the kernel fork server of a batch of several years (run.zygote)

    # ---- decisions

    def decide(self, keys: list[Key]) -> None:
        code = self.code or code_hashes()
        for key in keys:
            plan = self.plans[key] = YearPlan(key)
            problem = raw_problem(self.roots, key) or self.problems.get(key)
            if problem:
                plan.status = FAILED
                plan.error = problem
                continue
            plan.inputs = own_inputs(key, self.roots, code)
            if key in self.departments:
                from selfeval.run.department import units_inputs

                plan.inputs["units"] = units_inputs(self.roots, key, self.departments[key])
            own_ok, stamp = False, {}
            if not self.force:
                own_ok, stamp = stamp_state(key, self.roots, plan.inputs)
            if not own_ok:
                self.schedule(key)
            elif self._pending(key.prev):
                self.deferred.append(key)
            else:
                self._resolve_deferred(key, stamp)

    def _pending(self, key: Key) -> bool:
        plan = self.plans.get(key)
        return (
            plan is not None
            and plan.status == ""
            and (
                key in self.queue
                or key in self.running
                or key in self.finished_ok
                or key in self.deferred
            )
        )

    def _resolve_deferred(self, key: Key, stamp: dict | None = None) -> None:
        if stamp is None:
            _, stamp = stamp_state(key, self.roots, self.plans[key].inputs)
        if stamp.get("inputs", {}).get("previous") == previous_hash(key, self.roots):
            self.plans[key].status = UNCHANGED
            if self.progress is not None:
                self.progress.skipped()
        else:
            self.schedule(key)

    def schedule(self, key: Key) -> None:
        plan = self.plans[key]
        prev = self.plans.get(key.prev)
        plan.waits = (
            prev is not None
            and prev.status == ""
            and (key.prev in self.queue or key.prev in self.running or key.prev in self.finished_ok)
        )  # pipelined: use year-1's staged data once it is complete
        self.queue.append(key)
        self.queue.sort()

    # ---- workers

    def start(self, key: Key, held: bool = False) -> None:
        plan = self.plans[key]
        token = os.urandom(4).hex()
        plan.staged_out = self.roots.outputs / f".tmp-{key.slug}-{token}"
        plan.staged_proc = self.roots.processed / f".tmp-{key.slug}-{token}"
        plan.staged_out.mkdir(parents=True)
        plan.staged_proc.mkdir(parents=True)
        folders.mark(plan.staged_out, folders.OUTPUTS)  # the worker's build.log goes in first
        # What 01 will read is checked against this at commit (read_as_stamped).
        plan.inputs["raw"] = hash_tree(raw_dir(self.roots, key))
        prev = self.plans.get(key.prev)
        if (
            prev is not None
            and prev.status == ""
            and (key.prev in self.running or key.prev in self.finished_ok)
        ):
            plan.waits = True  # pipelined on year-1's staged data, released once it is complete
            plan.previous_dir = prev.staged_proc
        else:
            plan.waits = False
            plan.previous_dir = self.roots.processed / key.prev.rel
        plan.stages_seen = 0
        plan.released = not plan.waits
        plan.tainted = False
        plan.held = held
        plan.started = time.monotonic()
        if key in self.departments:
            from selfeval.run.department import units_payload

            plan.units = units_payload(self.roots, key, self.departments[key])
        task = {
            "year": key.year,
            "raw_dir": str(raw_dir(self.roots, key)),
            "processed_dir": str(plan.staged_proc),
            "output_dir": str(plan.staged_out),
            "previous_dir": str(plan.previous_dir),
            "waits": plan.waits,
            "held": held,
            "import_here": self.import_here,
            "units": plan.units,
            "shown_paths": shown_paths(key, plan.previous_dir, self.roots),
            "builder": self.builder,
            "build_root": str(self.roots.outputs.parent),
            "parent_pid": os.getpid(),
            "zygote": self.zygote.path if self.zygote is not None else None,
        }
        parent_conn, child_conn = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(task, child_conn), daemon=False)
        proc.start()
        child_conn.close()
        self.running[key] = (proc, parent_conn)
        if held:
            self.held.add(key)

    def release_held(self) -> bool:
        """Let the earliest held worker start its notebooks (a slot freed); whether one was."""
        if not self.held:
            return False
        key = min(self.held)
        self.held.discard(key)
        plan = self.plans[key]
        plan.held = False
        plan.started = time.monotonic()
        with contextlib.suppress(OSError):
            self.running[key][1].send(("go",))
        return True

    def _previous_ready(self, key: Key) -> bool:
        prev = self.plans.get(key.prev)
        if prev is None or prev.status != "":
            return True
        return key.prev in self.finished_ok or prev.stages_seen > PREVIOUS_READY_STAGE

    def _release(self, key: Key) -> None:
        if key in self.waiting and self._previous_ready(key):
            self.waiting.discard(key)
            plan = self.plans[key]
            prev = self.plans.get(key.prev)
            if prev is not None and prev.status == FAILED:
                self._substitute_committed(key.prev, plan.previous_dir)
            plan.released = True
            _, conn = self.running[key]
            with contextlib.suppress(OSError):
                conn.send(("go",))

    def _substitute_committed(self, prev_key: Key, staged: Path | None) -> None:
        """Year-1 failed before its data was ready: its staged folder becomes the committed one."""
        if staged is None:
            return
        shutil.rmtree(staged, ignore_errors=True)
        committed = self.roots.processed / prev_key.rel
        if committed.is_dir():
            shutil.copytree(committed, staged)

    def on_message(self, key: Key, message: tuple) -> None:
        plan = self.plans[key]
        kind = message[0]
        if kind == "stage":
            plan.stages_seen = message[2] + 1
            plan.stage = str(message[1])
            self.progress.stage(key, message[1], message[2])
            if plan.stages_seen > PREVIOUS_READY_STAGE:
                self._release(key.next)
        elif kind == "wait":
            self.waiting.add(key)
            self._release(key)
        elif kind == "done":
            plan.result = message[1] if isinstance(message[1], dict) else {}
            self._finish(key, None)
        elif kind == "error":
            self._finish(key, (message[1], message[2]))

    def on_exit(self, key: Key, proc) -> None:
        """A worker ended without reporting (killed): its year failed."""
        proc.join(timeout=5)
        code = proc.exitcode
        stage = self.plans[key].stage or "prepare"
        self._finish(
            key,
            (
                f"{key} 年度报告在「{stage}」阶段失败：工作进程异常退出（退出码 {code}）"
                f" / year {key} failed at stage {stage!r}: worker died (exit code {code})",
                "",
            ),
        )

    def _finish(self, key: Key, error: tuple[str, str] | None) -> None:
        proc, conn = self.running.pop(key)
        self.waiting.discard(key)
        self.held.discard(key)
        with contextlib.suppress(OSError):
            conn.close()
        proc.join(timeout=5)
        if proc.is_alive():
            _kill_group(proc)
            proc.join()
        plan = self.plans[key]
        plan.seconds += time.monotonic() - plan.started
        if plan.tainted:  # built on data of a year that then failed: build again
            self._rebuild(key)
            return
        if error is None:
            self.finished_ok.add(key)
        else:
            self._fail(key, error)
        self.commit_ready()

    def _rebuild(self, key: Key) -> None:
        self._taint_dependents(key, rebuilt=True)
        self._discard_staging(self.plans[key])
        self.schedule(key)

    def _fail(self, key: Key, error: tuple[str, str]) -> None:
        plan = self.plans[key]
        plan.status = FAILED
        error = tuple(self._final_paths(plan, text) for text in error)
        plan.error = error[0]
        try:
            keep_failed(key, plan.staged_out, self.roots.outputs, f"{error[0]}\n\n{error[1]}")
        except OSError as exc:
            plan.error += f"（失败记录无法写入 / could not keep failed/: {exc}）"
        self._taint_dependents(key)
        self._release(key.next)
        if not self._read_by_dependent(key):
            self._discard_staging(plan)
        self.progress.finished(plan)

    def _final_paths(self, plan: YearPlan, text: str) -> str:
        """Rewrite paths inside the staging folder to where keep_failed puts the files."""
        if plan.staged_out is None:
            return text
        final = (self.roots.outputs / plan.key.rel / FAILED_DIR).resolve()
        for staged in {plan.staged_out.resolve() / FAILED_DIR, plan.staged_out / FAILED_DIR}:
            text = text.replace(str(staged), str(final))
        return text

    def _taint_dependents(self, key: Key, rebuilt: bool = False) -> None:
        """Year+1 read (or is about to read) staged data of `key` that will not be swapped in.

        When `key` failed, a year+1 still waiting is given the committed data instead (see
        _release); when `key` is rebuilt in new folders, year+1 must be rebuilt as well.
        """
        nxt_key = key.next
        nxt = self.plans.get(nxt_key)
        if nxt is None or nxt.status != "":
            return
        if nxt_key in self.queue:  # not started: start() picks its previous data then
            return
        if nxt.previous_dir != self.plans[key].staged_proc:
            return
        if nxt_key in self.running and (nxt.released or rebuilt):
            nxt.tainted = True
            _kill_group(self.running[nxt_key][0])
        elif nxt_key in self.finished_ok:
            self.finished_ok.discard(nxt_key)
            self._taint_dependents(nxt_key, rebuilt=True)
            self._discard_staging(nxt)
            self.schedule(nxt_key)

    def _read_by_dependent(self, key: Key) -> bool:
        nxt = self.plans.get(key.next)
        return (
            nxt is not None
            and key.next in self.running
            and nxt.previous_dir is not None
            and nxt.previous_dir == self.plans[key].staged_proc
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
            for key in sorted(self.finished_ok):
                plan = self.plans[key]
                if self._pending_before(key) or self._read_by_dependent(key):
                    continue
                self.finished_ok.discard(key)
                self._commit_one(plan)
                progress = True
            for key in list(self.deferred):
                if not self._pending(key.prev):
                    self.deferred.remove(key)
                    self._resolve_deferred(key)
                    progress = True

    def _commit_one(self, plan: YearPlan) -> None:
        key = plan.key
        try:
            self.commit(plan)
        except ChangedDuringBuild as exc:
            if not plan.rebuilt_for_change:  # rebuild once from what the folder holds now
                plan.rebuilt_for_change = True
                self.progress.note(f"[{key}] 原始数据在生成过程中被修改，重新生成一次")
                self._rebuild(key)
                return
            self._fail(key, (f"{key} 年度：{exc} / raw data changed during the build", ""))
        except OSError as exc:  # nothing swapped, or a journal recover() finishes
            plan.status = FAILED
            plan.error = f"无法替换输出目录 / cannot swap the outputs in: {exc}"
            if not (self.roots.outputs / f".swap-{key.slug}.json").exists():
                self._discard_staging(plan)
            self.progress.finished(plan)

    def _pending_before(self, key: Key) -> bool:
        prev = self.plans.get(key.prev)
        return (
            prev is not None
            and prev.status == ""
            and self.plans[key].previous_dir == (prev.staged_proc)
        )

    def _fail_early(self, key: Key, exc: OSError) -> None:
        """A year that could not even start (its staging folders could not be made)."""
        plan = self.plans[key]
        plan.status = FAILED
        plan.error = (
            f"{key} 年度报告在「prepare」阶段失败：无法创建临时构建目录（目录只读或磁盘已满？）"
            f" / year {key} failed at stage 'prepare', cannot create the build folders: {exc}"
        )
        self._discard_staging(plan)
        self.progress.finished(plan)

    def commit(self, plan: YearPlan) -> None:
        key = plan.key
        inputs = dict(plan.inputs)
        inputs["raw"] = read_as_stamped(
            raw_dir(self.roots, key), plan.staged_proc, plan.inputs.get("raw")
        )
        prev_dir = self.roots.processed / key.prev.rel
        inputs["previous"] = (
            hash_tree(prev_dir) if compares_with_previous(plan.staged_proc, prev_dir) else None
        )
        products = {"processed": hash_tree(plan.staged_proc)}
        products.update(
            {n: hash_tree(plan.staged_out / n) for n in (*PRODUCTS, *OPTIONAL_PRODUCTS)}
        )
        stamp = {
            "version": STAMP_VERSION,
            "unit": key.unit,
            "year": key.year,
            "inputs": inputs,
            "products": products,
            "seconds": round(plan.seconds, 2),
        }
        (plan.staged_out / BUILD_LOG).unlink(missing_ok=True)
        write_json_atomic(plan.staged_out / STAMP_FILE, stamp)
        targets = (self.roots.outputs / key.rel, self.roots.processed / key.rel)
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
        with _signals_deferred():  # Ctrl-C / SIGTERM wait until both renames are done
            swap_in(
                key.slug,
                [(plan.staged_out, targets[0]), (plan.staged_proc, targets[1])],
                self.roots.outputs,
            )
        plan.status = BUILT
        self.progress.finished(plan)

    # ---- main loop

    def _prepare_processes(self, n_build: int) -> None:
        """Choose fork, and import papermill/nbconvert here or in each worker.

        With more than one year to build, the parent starts the kernel fork server (run.zygote,
        so that no year pays the kernels' imports), imports papermill and nbconvert and warms
        the HTML exporter once, and every forked worker inherits them. A single year imports
        them in its worker instead, while its kernel boots: nothing waits for the import then.
        No kernel and no event loop is started here before forking.
        """
        import multiprocessing

        self.import_here = n_build <= 1
        if not self.import_here:
            if self.builder == DEFAULT_BUILDER:
                # first: its imports (2 s of CPU) run while this process imports its own
                from selfeval.run.zygote import start_server

                self.zygote = start_server()
            for module in (self.builder.partition(":")[0], "papermill", "nbconvert"):
                with contextlib.suppress(ImportError):
                    __import__(module)
            if self.builder == DEFAULT_BUILDER:
                from selfeval.run import kernel  # noqa: F401 - jupyter_client, zmq: inherited
                from selfeval.run.notebooks import warm_exporter

                warm_exporter()
        self.ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")

    def _start_workers(self) -> None:
        """Fill free slots (releasing a held worker first), then start one held worker ahead."""
        while len(self.running) - len(self.held) < self.jobs:
            if self.release_held():
                continue
            if not self._start_next(held=False):
                return
        if not self.held and self.builder == DEFAULT_BUILDER:
            self._start_next(held=True)

    def _start_next(self, held: bool) -> bool:
        startable = [k for k in self.queue if k.prev not in self.deferred]
        if not startable:
            return False
        key = startable[0]
        self.queue.remove(key)
        try:
            self.start(key, held=held)
        except OSError as exc:  # read-only or full outputs: that year fails
            self._fail_early(key, exc)
        return True

    def run(self, keys: list[Key]) -> list[YearPlan]:
        self.decide(keys)
        n_build = len(self.queue) + len(self.deferred)
        if self.queue or self.deferred:
            # A frame problem is one message before any year starts (not one per year); here,
            # not on the no-op path, which imports no pandas (the block registry does).
            from selfeval.present.build import check_frames

            check_frames()
            self._prepare_processes(len(self.queue))
            from multiprocessing import connection  # not on the no-op path: ~7 ms of imports
        self.progress = Progress(n_build, self.tty)
        try:
            while self.queue or self.running or self.finished_ok or self.deferred:
                self._start_workers()
                if not self.running:
                    before = (list(self.queue), set(self.finished_ok), list(self.deferred))
                    if not any(before):  # every remaining year failed to start
                        break
                    self.commit_ready()
                    if before == (list(self.queue), set(self.finished_ok), list(self.deferred)):
                        raise RuntimeError(f"批处理调度停滞 / scheduler stalled: {before}")
                    continue
                self._wait_and_dispatch(connection)
        except KeyboardInterrupt:
            for key in sorted(self.running):
                stage = self.plans[key].stage or "prepare"
                print(
                    f"[{key}] 已中断：「{stage}」阶段未完成，已有报告和数据未被替换"
                    f" / year {key} interrupted at stage {stage!r}, nothing replaced",
                    flush=True,
                )
            raise
        finally:
            for proc, _ in list(self.running.values()):
                _kill_group(proc)
                proc.join()
            if self.zygote is not None:
                self.zygote.close()
                self.zygote = None
            for plan in self.plans.values():
                if plan.status != BUILT:  # a built year's staging folders were renamed away
                    self._discard_staging(plan)
            self.progress.close()
        return [self.plans[k] for k in sorted(self.plans)]

    def _wait_and_dispatch(self, connection) -> None:  # noqa: C901 - messages, then deaths
        conns = {conn: key for key, (_, conn) in self.running.items()}
        sentinels = {proc.sentinel: key for key, (proc, _) in self.running.items()}
        ready = connection.wait(list(conns) + list(sentinels), timeout=1.0)
        for obj in ready:
            if obj in conns:
                key = conns[obj]
                if key not in self.running:
                    continue
                try:
                    message = obj.recv()
                except (EOFError, OSError):
                    continue  # the sentinel reports the death
                if message[0] != "held":
                    self.on_message(key, message)
        for obj in ready:
            if obj in sentinels:
                key = sentinels[obj]
                if key in self.running and self.running[key][0].sentinel == obj:
                    conn = self.running[key][1]
                    while key in self.running and conn.poll():
                        try:
                            message = conn.recv()
                        except (EOFError, OSError):
                            break
                        if message[0] != "held":
                            self.on_message(key, message)
                    if key in self.running:
                        self.on_exit(key, self.running[key][0])


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


class _Busy(Exception):
    """The lock is held by another batch."""


#: Seconds a second batch waits for the lock before it gives up (issue 27: never forever).
LOCK_TIMEOUT_ENV = "SELFEVAL_LOCK_TIMEOUT"
LOCK_TIMEOUT_DEFAULT = 300.0
_LOCK_POLL = 0.2


class _PosixLock:
    """An exclusive `fcntl.flock` on the lock file, as filelock's UnixFileLock takes it (the
    kernel drops it when the holder dies, so a dead holder's lock is simply taken; the
    descriptor is not inherited by kernels started with exec), without filelock's import: 25 ms,
    an eighth of a no-op build. The holder writes who it is into the file (flock is advisory,
    the bytes are free): a waiting batch names it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise _Busy (never blocks: the caller bounds the wait)."""
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _Busy from None
        except OSError:
            os.close(fd)
            raise
        self.fd = fd
        with contextlib.suppress(OSError):  # who holds it is a courtesy, not a condition
            data = json.dumps(_holder(), ensure_ascii=False).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)

    def holder(self) -> dict | None:
        try:
            with open(self.path, encoding="utf-8") as f:
                found = json.loads(f.read(4096))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def release(self) -> None:
        import fcntl

        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class _PortableLock:
    """filelock's FileLock where fcntl does not exist (Windows); the holder is not recorded."""

    def __init__(self, path: str) -> None:
        from filelock import FileLock

        self.lock = FileLock(path)

    def acquire(self) -> None:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            raise _Busy from None

    def holder(self) -> dict | None:
        return None

    def release(self) -> None:
        self.lock.release()


def _holder() -> dict[str, object]:
    """Who takes the lock: pid, host, start time and command, shown to a batch that waits."""
    import shlex
    import socket

    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "command": shlex.join(argv)[:300],
    }


def _holder_text(holder: dict | None) -> str:
    if not holder:
        return "持有者未知 / holder unknown"
    return (
        f"进程 {holder.get('pid')}，主机 {holder.get('host')}，开始于 {holder.get('started')}，"
        f"命令 {holder.get('command')}"
    )


def lock_timeout() -> float:
    """SELFEVAL_LOCK_TIMEOUT in seconds (default 300); a value that is no number is a LockError."""
    try:
        return config.env_seconds(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT_DEFAULT, zero=True, most=1e9)
    except ValueError as exc:
        raise LockError(str(exc)) from None


@contextlib.contextmanager
def batch_lock(outputs_root: Path, say=print):
    """Hold the batch lock; a second batch says who holds it and waits, at most
    SELFEVAL_LOCK_TIMEOUT seconds (then a LockError naming the holder: a forgotten build must not
    make the next one wait forever without a word).

    A lock path that is a folder (or unusable otherwise) is a LockError naming it, never a
    traceback: the batch cannot know whether that folder is someone's, so it does not remove it.
    """
    outputs_root.mkdir(parents=True, exist_ok=True)
    path = outputs_root / LOCK_FILE
    shown = rel_path(path)
    if path.is_dir() and not path.is_symlink():
        raise LockError(
            f"锁文件 {shown} 是一个目录，批量生成无法加锁：请删除或改名该目录后重试"
            f" / the lock path {shown} is a folder: remove or rename it"
        )
    timeout = lock_timeout()
    lock = _PosixLock(str(path)) if os.name == "posix" else _PortableLock(str(path))
    try:
        _acquire(lock, shown, timeout, say)
    except OSError as exc:
        raise LockError(
            f"无法使用锁文件 {shown}（{exc.strerror or exc}）：请检查该路径的权限或删除它后重试"
            f" / cannot use the lock file {shown}: {exc}"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _acquire(lock, shown: str, timeout: float, say) -> None:
    try:
        lock.acquire()
        return
    except _Busy:
        pass
    say(
        f"另一个批量生成正在运行（{_holder_text(lock.holder())}），等待其结束，"
        f"最多 {timeout:g} 秒（{LOCK_TIMEOUT_ENV}）… / another batch is running, waiting for it"
    )
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(max(0.0, min(_LOCK_POLL, deadline - time.monotonic())))
        try:
            lock.acquire()
            return
        except _Busy:
            if time.monotonic() >= deadline:
                break
    raise LockError(
        f"等待 {timeout:g} 秒后锁文件 {shown} 仍被另一个批量生成占用"
        f"（{_holder_text(lock.holder())}）：未生成任何报告，已有输出未改动。请等它结束，或确认该进程已不再需要后结束它再重试；"
        f"等待时间可用环境变量 {LOCK_TIMEOUT_ENV}（秒）设置"
        f" / the batch lock {shown} is still held after {timeout:g} s; nothing was built"
    )


@dataclass
class BatchResult:
    """Outcome of one batch: a plan per unit-year (status, time, error) and an index failure."""

    plans: list[YearPlan]
    index_error: str | None = None

    @property
    def exit_status(self) -> int:
        """0 when every year is built or unchanged, its PDF converted or LibreOffice absent,
        and the index was written; else 1."""
        failed = any(p.status == FAILED for p in self.plans)
        return 1 if failed or self.index_error or pdf_failures(self.plans) else 0


def run_batch(
    years: list[Key | int],
    jobs: int | None = None,
    force: bool = False,
    *,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
    code: dict[str, str | None] | None = None,
) -> BatchResult:
    """Under the lock: recover, build what changed among the unit-years, refresh the index.

    `years`: Keys, or ints for the single-unit layout. A 主管部门's unit-years (see
    run.department) are built in a later wave than their units, since they read their units'
    processed data of this run. `code` pins the
    hashes of notebooks, package and pins (default: hashed now), for callers that must not see
    concurrent edits of a shared working tree. Raises
    KeyboardInterrupt when interrupted (running years are discarded, nothing is swapped in
    half-way) and LockError when the lock cannot be used.
    """
    from selfeval.run.department import plan_departments

    roots = Roots.of(root)
    jobs = jobs or os.cpu_count() or 1
    keys = sorted({_as_key(k) for k in years})
    with batch_lock(roots.outputs):
        for note in recover(roots):
            print(note)
        order = plan_departments(roots, keys, discover(roots.raw)[0])
        plans: list[YearPlan] = []
        for wave in order.waves:  # each department after its units, from their new results
            batch = _Batch(roots, jobs, force, builder, tty, code, order.members, order.problems)
            plans += batch.run(wave)
        for note in order.stale_notes(plans):
            print(note)
        result = finish(plans, roots, index)
    return result


def finish(plans: list, roots: Roots, index: bool) -> BatchResult:
    """The batch's result, its plans in key order, after writing the index page (a failed index
    is said, not raised: the reports stand). Local and cluster batches end alike."""
    result = BatchResult(sorted(plans, key=lambda p: p.key))
    if index:
        from selfeval.run.site import write_index_if_changed

        try:
            write_index_if_changed(roots)
        except Exception as exc:  # the reports stand; say the index failed
            result.index_error = f"{type(exc).__name__}: {exc}"
    return result


def select(
    found: list[Key], years: list[int] | None, units: list[str] | None
) -> tuple[list[Key], list[str]]:
    """The unit-years asked for, and a message per asked unit or year that is not there.

    A year asked for that no unit has is still tried in the single-unit layout (it then fails
    with "raw folder missing", as before); an asked unit with no year folder is said.
    """
    notes: list[str] = []
    chosen = [k for k in found if (not units or k.unit in units) and (not years or k.year in years)]
    if units:
        have = {k.unit for k in found}
        for unit in units:
            if unit not in have:
                notes.append(f"data/raw/{unit}/ 下没有年度数据 / no such unit: {unit}")
    if years:
        for year in years:
            if not any(k.year == year for k in chosen) and not units:
                chosen.append(Key("", year))
    return sorted(set(chosen)), notes


def check_years(values: list[str]) -> tuple[list[int], list[str]]:
    """Years given on the command line (`rules.year_problem`); a message per bad one."""
    good, bad = [], []
    for value in values:
        text = str(value).strip()
        if year_problem(text):
            bad.append(f"年度「{visible(text)}」无效：{YEAR_EXPECTED}")
        else:
            good.append(int(text))
    return good, bad


def build(  # noqa: C901, PLR0912 - one entry point: local or cluster, every failure a message
    years: list[int] | None = None,
    jobs: int | None = None,
    force: bool = False,
    *,
    units: list[str] | None = None,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
    scheduler: str | None = None,
) -> int:
    """Build the given unit-years (default: all found) in parallel, incrementally; exit status.

    `scheduler`: a dask scheduler's address (``tcp://host:8786``): each unit-year is built on
    the cluster (run.remote) and committed here; without, local worker processes build them.
    """
    roots = Roots.of(root)
    blocked = folder_problems(roots)
    if blocked:
        print("\n".join(blocked), file=sys.stderr)
        return 1
    found, ignored = discover(roots.raw)
    for line in ignored:
        print(line)
    todo, notes = select(found, years, units) if (years or units) else (found, [])
    for line in notes:
        print(line)
    if not todo:
        if notes:
            return 1
        print("data/raw/ 下还没有任何年度数据（例如 data/raw/2024/），没有需要生成的报告。")
        print("No year under data/raw/ yet: nothing to build.")
        return 0
    previous = signal.getsignal(signal.SIGTERM)
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if scheduler:
            from selfeval.run.remote import run_remote

            result = run_remote(todo, scheduler, force, root=root, tty=tty, index=index)
        else:
            result = run_batch(todo, jobs, force, root=root, builder=builder, tty=tty, index=index)
    except KeyboardInterrupt:
        print("已中断：未完成的年度没有替换任何已有报告 / interrupted, nothing half-written")
        return 130
    except (LockError, FrameError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except _remote_errors() as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
    print(summary_table(result.plans, roots))
    for line in warning_lines(result.plans, roots):
        print(line)
    for line in draft_lines(result.plans, roots):
        print(line)
    for line in pdf_lines(result.plans, roots):
        print(line)
    if result.index_error:
        print(f"索引页生成失败 / index page failed: {result.index_error}", file=sys.stderr)
    elif index:
        print(f"索引页 / index: {rel_path(roots.outputs / 'index.html')}")
    return result.exit_status


def _remote_errors() -> tuple[type[BaseException], ...]:
    """Errors of the cluster path that are messages for the user (no traceback)."""
    import sys as _sys

    remote = _sys.modules.get("selfeval.run.remote")
    return remote.CLUSTER_ERRORS if remote is not None else ()
