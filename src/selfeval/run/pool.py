"""The local executor of run.scheduler: one forked worker process per unit-year, speaking over a
pipe; the default (a LocalCluster costs ~1.4 s to start, forking ~0.03 s, see run.remote).

Each worker launches its kernel first thing; when every slot is busy, one more worker may be
started "held": its kernel boots and it runs 01 and 02 while the others work, and it goes on to
03 once a slot frees (the next year's kernel boot, cleaning and analysis are off the critical
path, and the batch's last year analyses as soon as year-1 has). A batch
of several years forks those kernels from one server that has imported what a kernel needs
(run.zygote), so no year pays those imports again.

Pipe protocol (worker → pool): ("stage", name, index), ("wait",) stopped before 02 until
year-1's data is ready, ("done", result), ("error", message, traceback); pool → worker: ("go",
gate) with a `scheduler.Gate`'s value, sent once, before or after the worker reaches that gate
(it keeps what comes early). The pool turns the worker's messages into `scheduler.Event`s.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.errors import BuildError
from selfeval.run.discovery import raw_dir, shown_paths
from selfeval.run.plan import BUILD_LOG, NEEDS_PREVIOUS_STAGE, NEEDS_SLOT_STAGE, Key, YearPlan
from selfeval.run.scheduler import Event, Gate, Kind

DEFAULT_BUILDER = "selfeval.run.notebooks:build_year"


class _Gate:
    """Where a worker stops for the batch: before 02 until year-1's data is complete (a
    pipelined year), and, when it was started held (every slot busy), before 03 until a slot
    frees. 01 reads nothing of year-1 and 02 only year-1's data, so a held worker runs both
    while its slot is not free yet: the cores' gaps (a year waiting for its kernel or for
    year-1, the batch's first and last years) do work a slot would otherwise do later."""

    def __init__(self, task: dict, conn) -> None:
        self.task = task
        self.conn = conn
        self.parent = task["parent_pid"]
        self.seen = 0
        self.open: set[str] = set()  # gates the pool opened before the worker got there

    def _until(self, gate: Gate) -> None:
        while gate.value not in self.open:
            # a batch killed outright sends nothing, and its pipe never reads as closed (workers
            # forked after this one hold its end too): stop with it, as between notebooks
            while not self.conn.poll(1.0):
                if os.getppid() != self.parent:
                    os._exit(3)
            message = self.conn.recv()
            if message[0] != "go":
                os._exit(3)
            self.open.add(message[1])

    def before_previous(self) -> None:
        if self.task["waits"]:
            self.conn.send(("wait",))
            self._until(Gate.PREVIOUS)

    def before_report(self) -> None:
        if self.task["held"]:
            self._until(Gate.SLOT)

    def on_stage(self, stage: object = None, *args: object, **kwargs: object) -> None:
        if os.getppid() != self.parent:  # the batch died: stop between notebooks
            os._exit(3)
        if self.seen == NEEDS_PREVIOUS_STAGE:
            self.before_previous()
        if self.seen == NEEDS_SLOT_STAGE:
            self.before_report()
        self.conn.send(("stage", str(stage), self.seen))
        self.seen += 1


def _worker_main(task: dict, conn) -> None:  # runs in a child process
    """Build one unit-year into its staging folders, reporting stages through `conn`.

    The kernel is launched first, so that it boots while this process imports papermill (when
    the parent did not, see LocalPool.prepare) and while a held worker waits for a slot.
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
    gate = _Gate(task, conn)
    kernel = None
    try:
        module, _, name = task["builder"].partition(":")
        extra: dict = {}
        if task["builder"] == DEFAULT_BUILDER:
            # here: jupyter_client and zmq (~0.1 s) only when a year is built, not on the no-op path
            from selfeval.run.kernel import SharedKernel

            kernel = SharedKernel(cwd=config.NOTEBOOKS_DIR, zygote_path=task["zygote"]).launch()
            extra["kernel"] = kernel
        if task.get("units") is not None:
            extra["units"] = task["units"]
        if task["builder"] == DEFAULT_BUILDER and task.get("shown_paths"):
            extra["shown_paths"] = task["shown_paths"]
        build_year = getattr(import_module(module), name)
        if task["import_here"]:  # the parent did not: do it while the kernel boots
            from selfeval.run.notebooks import warm_exporter  # papermill's: as above

            warm_exporter()
        result = build_year(
            task["year"],
            Path(task["raw_dir"]),
            Path(task["processed_dir"]),
            Path(task["output_dir"]),
            previous_processed_dir=(Path(task["previous_dir"]) if task["previous_dir"] else None),
            on_stage=gate.on_stage,
            build_root=Path(task["build_root"]),
            **extra,
        )
        if gate.seen <= NEEDS_PREVIOUS_STAGE:  # a builder without stages: it still must not
            gate.before_previous()  # finish before year-1, nor before a slot is its
        if gate.seen <= NEEDS_SLOT_STAGE:
            gate.before_report()
        conn.send(("done", _jsonable(result)))
    except BaseException as exc:  # report every failure, then exit
        import traceback  # only on a failure: not on the no-op path

        detail = traceback.format_exc()
        shown = str(exc) if isinstance(exc, BuildError) else f"{type(exc).__name__}: {exc}"
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


class LocalPool:
    """`jobs` worker processes at once, forked (spawned where fork does not exist)."""

    def __init__(self, roots: Roots, jobs: int, builder: str = DEFAULT_BUILDER) -> None:
        self.roots = roots
        self.slots = max(1, jobs)
        self.builder = builder
        self.ahead = builder == DEFAULT_BUILDER  # a held worker boots a real kernel ahead
        self.procs: dict[Key, tuple[object, object]] = {}  # key -> (process, conn)
        self.ctx = None
        self.connection = None
        self.import_here = False
        self.zygote = None  # the kernel fork server of a batch of several years (run.zygote)

    def prepare(self, n_build: int) -> None:
        """Choose fork, and import papermill/nbconvert here or in each worker.

        With more than one year to build, the parent starts the kernel fork server (run.zygote,
        so that no year pays the kernels' imports), imports papermill and nbconvert and warms
        the HTML exporter once, and every forked worker inherits them. A single year imports
        them in its worker instead, while its kernel boots: nothing waits for the import then.
        No kernel and no event loop is started here before forking.
        """
        self.import_here = n_build <= 1
        if not self.import_here:
            if self.builder == DEFAULT_BUILDER:
                # first: its imports (2 s of CPU) run while this process imports its own; here,
                # since the no-op path starts no server
                from selfeval.run.zygote import start_server

                self.zygote = start_server()
            for module in (self.builder.partition(":")[0], "papermill", "nbconvert"):
                with contextlib.suppress(ImportError):
                    import_module(module)
            if self.builder == DEFAULT_BUILDER:
                # here, as above: jupyter_client, zmq and nbconvert, inherited by every worker
                from selfeval.run import kernel  # noqa: F401
                from selfeval.run.notebooks import warm_exporter

                warm_exporter()
        import multiprocessing  # here: ~7 ms of imports the no-op path (nothing built) skips
        from multiprocessing import connection

        self.ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.connection = connection

    def start(self, plan: YearPlan, held: bool) -> None:
        key = plan.key
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
        self.procs[key] = (proc, parent_conn)

    def go(self, key: Key, gate: Gate) -> None:
        with contextlib.suppress(OSError):
            self.procs[key][1].send(("go", gate.value))

    def kill(self, key: Key) -> None:
        _kill_group(self.procs[key][0])

    def reap(self, key: Key) -> None:
        proc, conn = self.procs.pop(key)
        with contextlib.suppress(OSError):
            conn.close()
        proc.join(timeout=5)
        if proc.is_alive():
            _kill_group(proc)
            proc.join()

    def events(self) -> Iterator[Event]:
        """Messages of the workers that spoke, then the deaths of those that ended (after what
        they said last); a worker reaped meanwhile is skipped."""
        conns = {conn: key for key, (_, conn) in self.procs.items()}
        sentinels = {proc.sentinel: key for key, (proc, _) in self.procs.items()}
        ready = self.connection.wait(list(conns) + list(sentinels), timeout=1.0)
        for obj in ready:
            key = conns.get(obj)
            if key in self.procs:
                try:
                    message = obj.recv()
                except (EOFError, OSError):
                    continue  # the sentinel reports the death
                yield from _event(key, message)
        for obj in ready:
            key = sentinels.get(obj)
            if key in self.procs and self.procs[key][0].sentinel == obj:
                proc, conn = self.procs[key]
                while key in self.procs and conn.poll():
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        break
                    yield from _event(key, message)
                if key in self.procs:
                    # It died without a word (the OOM killer, a kill -9): what it started (its
                    # kernel) would write on into the staged folders the batch now discards. Its
                    # group goes too, before the join frees its pid (the group's id).
                    _kill_group(proc)
                    proc.join(timeout=5)
                    yield Event(key, Kind.EXIT, exitcode=proc.exitcode)

    def close(self) -> None:
        for proc, _ in list(self.procs.values()):
            _kill_group(proc)
            proc.join()
        self.procs.clear()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None


def _event(key: Key, message: tuple) -> Iterator[Event]:
    kind = message[0]
    if kind == "stage":
        yield Event(key, Kind.STAGE, stage=str(message[1]), index=message[2])
    elif kind == "wait":
        yield Event(key, Kind.WAIT)
    elif kind == "done":
        yield Event(key, Kind.DONE, result=message[1])
    elif kind == "error":
        yield Event(key, Kind.ERROR, error=message[1], detail=message[2])


def _kill_group(proc) -> None:
    for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
        with contextlib.suppress(OSError, ProcessLookupError, AttributeError):
            kill()
