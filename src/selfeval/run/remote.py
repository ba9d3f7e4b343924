"""Unit-years on a Dask cluster (``make report SCHEDULER=tcp://host:8786``), no shared filesystem.

Each unit-year is one task. It carries the raw files' bytes, year-1's processed data (the
future of year-1's task when that year is built in the same batch, else the committed bytes),
a 主管部门's units payload, and the client's code version; it builds in a scratch folder under
the worker's local directory (dask removes what a killed worker left there) and returns the
products as bytes with their sha256. The client verifies every result (key, code version,
hashes), checks that the raw folder still holds the bytes that were sent, and
commits exactly as the local batch does: staging folders, stamp, journaled pair swap.

A worker lost mid-task: the scheduler runs the task again elsewhere (its
``allowed-failures``); nothing of the lost attempt reaches outputs. The scheduler lost: every
pending future is cancelled and ``SchedulerLost`` says how many unit-years were committed; what
was committed before stays, nothing else is written.

Why the local default stays the fork pool (run.batch), not a LocalCluster: measured by
``make bench`` (a LocalCluster takes ~1.4 s to start and ~2 ms per task against ~0.03 s and
~0.06 ms for forking, and its nanny'd workers may not fork the year builder's helpers), and
the pool's pipelining of year-1's staged data and its held workers have no counterpart there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import tempfile
import time
from concurrent.futures import CancelledError
from functools import cache
from pathlib import Path, PurePosixPath

from selfeval.config import Roots
from selfeval.errors import (
    ResultRejected,
    SchedulerLost,
    SchedulerUnavailable,
    UnsafePath,
    WorkersOutOfDate,
)
from selfeval.run.plan import (
    BUILT,
    FAILED,
    OPTIONAL_PRODUCTS,
    PRODUCTS,
    STAMP_FILE,
    STAMP_VERSION,
    Key,
    YearPlan,
)

CLUSTER_ERRORS = (SchedulerUnavailable, SchedulerLost, WorkersOutOfDate)


# --------------------------------------------------------------------------- both sides


@cache
def code_version() -> str:
    """One hash of what a build depends on (notebooks, package, pins): computed once per process.

    Workers must run the same commit as the client (the project installed in each worker's
    environment); the task refuses to build with other code.
    """
    from selfeval.run.batch import code_hashes

    return hashlib.sha256(json.dumps(code_hashes(), sort_keys=True).encode()).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_relpath(name: str) -> PurePosixPath:
    """`name` as a relative POSIX path that stays inside its root, else UnsafePath."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or not rel.parts or ".." in rel.parts or "\\" in name:
        raise UnsafePath(f"refused path {name!r}")
    return rel


def read_tree(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` (hidden entries skipped) as {relpath: bytes}."""
    from selfeval.store import skip_name

    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skip_name(d))
        for name in sorted(filenames):
            if not skip_name(name):
                path = Path(dirpath, name)
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root.joinpath(*safe_relpath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# --------------------------------------------------------------------------- worker side

_POOL: dict[str, object] = {}


def _kernel():
    """A kernel for this task; the next one is launched ahead, so it boots during this year.

    Kernels are forked from a server this worker process starts on its first task (run.zygote):
    a worker builds many unit-years, and none pays the kernel's imports again. The server ends
    with the worker (its standard input closes)."""
    from selfeval.run.kernel import KernelPool
    from selfeval.run.zygote import start_server

    pool = _POOL.get("pool")
    if pool is None:
        server = _POOL["zygote"] = start_server()
        pool = _POOL["pool"] = KernelPool(zygote_path=server.path if server else None)
    return pool.take(ahead=True)


def _scratch_parent() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError):  # not inside a worker (a local call, tests)
        return None


def build_task(
    unit: str,
    year: int,
    raw: dict[str, bytes],
    previous_built: dict | None,
    previous_committed: dict[str, bytes] | None,
    units: list[dict] | None,
    expected_version: str,
) -> dict:
    """Build one unit-year from bytes on this worker; return products and their sha256.

    A build that fails (bad input, a failing notebook) returns its message under ``error``
    rather than raising: it is the year's outcome, not a reason for the scheduler to retry.
    """
    from selfeval.errors import BuildError
    from selfeval.run.notebooks import build_year

    key = Key(unit, year)
    here = code_version()
    if expected_version != here:
        return {
            "key": key.rel,
            "error": f"{key}：工作节点 {socket.gethostname()} 的代码版本与提交端不同 "
            f"({here[:12]} ≠ {expected_version[:12]})，请在每个节点安装同一版本"
            " / the worker runs other code: install the same commit on every worker",
        }
    previous = previous_committed
    if previous_built and not previous_built.get("error"):
        prefix = "processed/"
        products = previous_built["products"]
        previous = {n[len(prefix) :]: d for n, d in products.items() if n.startswith(prefix)}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"build-{key.slug}-", dir=_scratch_parent()) as tmp:
        scratch = Path(tmp)
        raw_dir = scratch / "data" / "raw" / key.rel
        raw_dir.mkdir(parents=True)
        write_tree(raw_dir, raw)
        prev_dir = scratch / "data" / "processed" / key.prev.rel
        if previous:
            write_tree(prev_dir, previous)
        processed, out = scratch / "processed", scratch / "out"
        from selfeval.run.batch import shown_paths

        try:
            built = build_year(
                year,
                raw_dir,
                processed,
                out,
                previous_processed_dir=prev_dir,
                build_root=scratch,
                kernel=_kernel(),
                units=units,
                shown_paths=shown_paths(key, prev_dir, Roots.of(scratch)),
            )
        except BuildError as exc:
            return {"key": key.rel, "error": str(exc), "worker": _worker_name()}
        files = {f"processed/{n}": d for n, d in read_tree(processed).items()}
        files.update({f"outputs/{n}": (out / n).read_bytes() for n in PRODUCTS})
        for name in OPTIONAL_PRODUCTS:
            if (out / name).is_file():
                files[f"outputs/{name}"] = (out / name).read_bytes()
    return {
        "key": key.rel,
        "code_version": here,
        "products": files,
        "sha256": {name: sha256(data) for name, data in files.items()},
        "worker": _worker_name(),
        "seconds": time.monotonic() - started,
        "pdf": built.get("pdf"),
        "pdf_error": built.get("pdf_error", ""),
    }


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --------------------------------------------------------------------------- client side


def verify(result: dict, key: Key, version: str) -> dict[str, bytes]:
    """The products if the result is the one asked for and intact, else ResultRejected."""
    if result.get("key") != key.rel:
        raise ResultRejected(f"{key}: got the result of {result.get('key')!r}")
    if result.get("code_version") != version:
        raise ResultRejected(f"{key}: built with code {str(result.get('code_version'))[:12]}")
    products, hashes = result.get("products") or {}, result.get("sha256") or {}
    if set(products) != set(hashes) or not products:
        raise ResultRejected(f"{key}: products and hashes name different files")
    for name, data in products.items():
        safe_relpath(name)
        if not name.startswith(("processed/", "outputs/")) or sha256(data) != hashes[name]:
            raise ResultRejected(f"{key}: {name} does not match its sha256")
    return products


def _connect(scheduler: str, timeout: float):
    from distributed import Client

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnavailable(
            f"无法连接 Dask 调度器 {scheduler}（{timeout:.0f} 秒内无响应），已有报告未改动"
            f" / no dask scheduler at {scheduler}: {exc}"
        ) from exc


class _Remote:
    """One batch on a cluster: decide like the local batch, submit, verify, commit in order."""

    def __init__(self, roots: Roots, client, force: bool, order):
        from selfeval.run import batch

        self.batch = batch
        self.roots = roots
        self.client = client
        self.force = force
        self.departments = order.members
        self.problems = order.problems  # unit-years failed before building (run.department)
        self.version = code_version()
        self.plans: dict[Key, YearPlan] = {}
        self.futures: dict[Key, object] = {}
        self.sent: dict[Key, dict[str, bytes]] = {}
        self.done: dict[Key, dict] = {}
        self.committed: list[Key] = []

    def decide(self, keys: list[Key]) -> list[Key]:
        """Unit-years to build: own inputs changed, or year-1 rebuilt in this batch, or forced."""
        b = self.batch
        code = b.code_hashes()
        todo = []
        for key in keys:
            plan = self.plans[key] = YearPlan(key)
            problem = b.raw_problem(self.roots, key) or self.problems.get(key)
            if problem:
                plan.status, plan.error = FAILED, problem
                continue
            plan.inputs = b.own_inputs(key, self.roots, code)
            if key in self.departments:
                from selfeval.run.department import units_inputs

                plan.inputs["units"] = units_inputs(self.roots, key, self.departments[key])
            ok, stamp = (False, {}) if self.force else b.stamp_state(key, self.roots, plan.inputs)
            if ok and key.prev not in todo:
                ok = stamp.get("inputs", {}).get("previous") == b.previous_hash(key, self.roots)
            if ok:
                plan.status = b.UNCHANGED
            else:
                todo.append(key)
        return todo

    def submit(self, todo: list[Key]) -> None:
        from selfeval.run.department import units_payload

        for key in todo:  # (unit, year) order: year-1's future exists before year's
            raw = read_tree(self.roots.raw / key.rel)
            self.sent[key] = raw
            self.plans[key].inputs["raw"] = self.batch.hash_tree(self.roots.raw / key.rel)
            prev_future = self.futures.get(key.prev)
            # year-1's committed data: used when year-1 is not built now, or its task fails
            committed = read_tree(self.roots.processed / key.prev.rel) or None
            units = (
                units_payload(self.roots, key, self.departments[key])
                if key in self.departments
                else None
            )
            self.plans[key].started = time.monotonic()
            self.futures[key] = self.client.submit(
                build_task,
                key.unit,
                key.year,
                raw,
                prev_future,
                committed,
                units,
                self.version,
                key=f"selfeval-{key.slug}-{secrets.token_hex(4)}",
                pure=False,
                retries=0,
            )

    def collect(self, progress) -> None:
        from distributed import as_completed

        by_key = {f.key: k for k, f in self.futures.items()}
        started = time.monotonic()
        for future in as_completed(list(self.futures.values()), loop=self.client.loop):
            key = by_key[future.key]
            try:
                result = future.result()
            except CancelledError as exc:  # the client cancels everything on a lost scheduler
                raise SchedulerLost(
                    f"与 Dask 调度器的连接已断开（{time.monotonic() - started:.1f} 秒后）："
                    f"已提交 {len(self.committed)} 个单位年度，其余未生成，已有报告未改动"
                    f" / lost the dask scheduler: {len(self.committed)} unit-year(s) committed"
                ) from exc
            except Exception as exc:  # KilledWorker after its allowed failures, and the like
                result = {"key": key.rel, "error": f"{type(exc).__name__}: {exc}"}
            self.done[key] = result
            self.commit_ready(progress)

    def commit_ready(self, progress) -> None:
        for key in sorted(self.done):
            if (
                key.prev in self.futures
                and key.prev not in self.committed
                and (self.plans[key.prev].status == "")
            ):
                continue  # year-1 first: its committed data is what this stamp records
            result = self.done.pop(key)
            plan = self.plans[key]
            plan.seconds = time.monotonic() - plan.started
            try:
                self.commit(key, result)
            except (ResultRejected, UnsafePath, self.batch.ChangedDuringBuild, OSError) as exc:
                plan.status, plan.error = FAILED, str(exc)
            progress.finished(plan)

    def commit(self, key: Key, result: dict) -> None:
        b = self.batch
        plan = self.plans[key]
        if result.get("error"):
            plan.status, plan.error = FAILED, str(result["error"])
            return
        products = verify(result, key, self.version)
        token = secrets.token_hex(4)
        staged_out = self.roots.outputs / f".tmp-{key.slug}-{token}"
        staged_proc = self.roots.processed / f".tmp-{key.slug}-{token}"
        try:
            for name, data in products.items():
                top, _, rel = name.partition("/")
                base = staged_proc if top == "processed" else staged_out
                path = base.joinpath(*safe_relpath(rel).parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            staged_out.mkdir(parents=True, exist_ok=True)
            sent = {n: sha256(d) for n, d in self.sent[key].items()}
            raw = self.roots.raw / key.rel
            if {n: sha256(d) for n, d in read_tree(raw).items()} != sent:
                raise b.ChangedDuringBuild(b.CHANGED_DURING_BUILD)
            inputs = dict(plan.inputs)
            inputs["raw"] = b.read_as_stamped(raw, staged_proc, plan.inputs["raw"])
            prev_dir = self.roots.processed / key.prev.rel
            inputs["previous"] = (
                b.hash_tree(prev_dir) if b.compares_with_previous(staged_proc, prev_dir) else None
            )
            stamp = {
                "version": STAMP_VERSION,
                "unit": key.unit,
                "year": key.year,
                "inputs": inputs,
                "products": {
                    "processed": b.hash_tree(staged_proc),
                    **{n: b.hash_tree(staged_out / n) for n in (*PRODUCTS, *OPTIONAL_PRODUCTS)},
                },
                "seconds": round(plan.seconds, 2),
                "worker": result.get("worker"),
            }
            b.write_json_atomic(staged_out / STAMP_FILE, stamp)
            targets = (self.roots.outputs / key.rel, self.roots.processed / key.rel)
            for target in targets:
                target.parent.mkdir(parents=True, exist_ok=True)
            with b._signals_deferred():
                pairs = [(staged_out, targets[0]), (staged_proc, targets[1])]
                b.swap_in(key.slug, pairs, self.roots.outputs)
        finally:
            for path in (staged_out, staged_proc):
                shutil.rmtree(path, ignore_errors=True)
        plan.status = BUILT
        plan.result = {"pdf": result.get("pdf"), "pdf_error": result.get("pdf_error", "")}
        self.committed.append(key)


def run_remote(
    keys: list[Key],
    scheduler: str,
    force: bool = False,
    *,
    root: Path | None = None,
    tty: bool | None = None,
    index: bool = True,
    connect_timeout: float = 10,
):
    """Under the lock: recover, build what changed on the cluster, commit, refresh the index.

    Raises SchedulerUnavailable (nothing submitted), WorkersOutOfDate (nothing submitted) and
    SchedulerLost (committed unit-years stay, nothing else is written).
    """
    from selfeval.present.build import check_frames
    from selfeval.run import batch
    from selfeval.run.department import plan_departments
    from selfeval.run.progress import Progress
    from selfeval.store import recover

    roots = Roots.of(root)
    keys = sorted(set(keys))
    with batch.batch_lock(roots.outputs):
        for note in recover(roots):
            print(note)
        client = _connect(scheduler, connect_timeout)
        try:
            stale = {a: v for a, v in client.run(code_version).items() if v != code_version()}
            if stale:
                raise WorkersOutOfDate(
                    f"{len(stale)} 个工作节点的代码版本与本机不同（{', '.join(sorted(stale))}），"
                    "未提交任何任务：请在每个节点安装同一版本 / workers run other code"
                )
            order = plan_departments(roots, keys, batch.discover(roots.raw)[0])
            plans: list[YearPlan] = []
            for phase in order.waves:  # each department after its units (run.department)
                remote = _Remote(roots, client, force, order)
                todo = remote.decide(phase)
                if todo:  # a frame problem is one message, before anything is submitted
                    check_frames()
                progress = Progress(len(todo), tty)
                try:
                    remote.submit(todo)
                    remote.collect(progress)
                finally:
                    progress.close()
                plans += remote.plans.values()
        except OSError as exc:  # the comm broke outside a future (e.g. in client.run)
            raise SchedulerLost(f"与 Dask 调度器的连接已断开 / lost the scheduler: {exc}") from exc
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
        for note in order.stale_notes(plans):
            print(note)
        result = batch.finish(plans, roots, index)
    return result
