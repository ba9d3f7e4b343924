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

Nothing waits forever (issue 27): a malformed address is said before anything connects; the
scheduler must answer, and have a worker, within SELFEVAL_DASK_TIMEOUT seconds (default 60) at
the start and all along the batch (a frozen scheduler keeps its socket open, so distributed
itself never notices); a task whose workers keep dying ends after the scheduler's
``allowed-failures`` retries. Each is one message, and what was committed stays.

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
from collections import Counter
from concurrent.futures import CancelledError
from functools import cache
from pathlib import Path, PurePosixPath

from selfeval import config
from selfeval.config import Roots
from selfeval.errors import (
    ClusterSettingError,
    NoWorkers,
    ResultRejected,
    SchedulerLost,
    SchedulerUnavailable,
    SchedulerUnresponsive,
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

CLUSTER_ERRORS = (
    ClusterSettingError,
    SchedulerUnavailable,
    SchedulerLost,
    SchedulerUnresponsive,
    NoWorkers,
    WorkersOutOfDate,
)

#: Seconds without an answer from the scheduler, or without any worker, before a batch gives up.
DASK_TIMEOUT_ENV = "SELFEVAL_DASK_TIMEOUT"
DASK_TIMEOUT_DEFAULT = 60.0
#: Seconds between two looks at the scheduler while results are awaited.
CHECK_EVERY = 1.0
_NOTHING_CHANGED = "已有报告未改动 / earlier outputs are unchanged"


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
        "pdf_fonts": built.get("pdf_fonts", ""),
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


def dask_timeout() -> float:
    """SELFEVAL_DASK_TIMEOUT in seconds (default 60); anything but a positive number is said."""
    try:
        return config.env_seconds(DASK_TIMEOUT_ENV, DASK_TIMEOUT_DEFAULT, most=1e9)
    except ValueError as exc:
        raise ClusterSettingError(str(exc)) from None


def check_address(scheduler: str) -> str:
    """The scheduler's address as distributed reads it, or ClusterSettingError in one line.

    distributed finds a malformed address only inside Client(), raises it as a traceback and
    then spends twice its timeout closing the half-made client; a host name that does not
    resolve is retried until the connect timeout. Both are said here, before any connection.
    """
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    text = scheduler.strip()
    host, port = None, 0
    try:
        scheme, loc = parse_address(text, strict=False)
        registry.get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(loc)
            if not host or not 0 < port < 65536 or any(c.isspace() for c in host):
                raise ValueError(f"no host or port in {loc!r}")
    except ValueError as exc:
        raise ClusterSettingError(
            f"Dask 调度器地址「{scheduler}」无效，应形如 tcp://主机:8786（{exc}），未连接任何调度器"
            f" / invalid dask scheduler address {scheduler!r}: expected tcp://host:8786"
        ) from None
    if host is not None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise ClusterSettingError(
                f"Dask 调度器地址「{scheduler}」中的主机名 {host} 无法解析"
                f"（{getattr(exc, 'strerror', None) or exc}），未连接任何调度器"
                f" / cannot resolve the scheduler's host {host}"
            ) from None
    return f"{scheme}://{loc}"


def _unavailable(address: str, timeout: float, exc: BaseException) -> SchedulerUnavailable:
    return SchedulerUnavailable(
        f"无法连接 Dask 调度器 {address}：{timeout:g} 秒内调度器无响应（{DASK_TIMEOUT_ENV}），"
        f"未提交任何任务，{_NOTHING_CHANGED} / no dask scheduler answered at {address}"
        f" within {timeout:g} s{f' ({exc})' if str(exc) else ''}"
    )


def _probe(address: str, timeout: float) -> None:
    """Connect and finish distributed's handshake within `timeout`, else SchedulerUnavailable.

    Client(timeout=) bounds the TCP connect only: distributed.comm.connect then reads the
    peer's handshake without a limit, so a listener that accepts and never answers (a frozen
    scheduler, a host that swallows packets behind a proxy) holds Client() forever. Here the
    whole exchange runs in a private event loop under one deadline and is cancelled with it.
    """
    import asyncio

    from distributed.comm import connect

    async def hello() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(hello(), timeout))
    except (OSError, TimeoutError) as exc:
        raise _unavailable(address, timeout, exc) from exc


def _connect(address: str, timeout: float):
    """A Client of the scheduler at `address` (checked), having answered within `timeout`."""
    from distributed import Client

    _probe(address, timeout)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise _unavailable(address, timeout, exc) from exc


class _Watch:
    """Is the scheduler answering, and has it a worker? Asked with a deadline, every second.

    distributed's client notices a scheduler that closed its connection (futures are
    cancelled, SchedulerLost), but not one that stops answering while its socket stays open
    (SIGSTOP, a hung host): futures stay pending forever. And a scheduler whose last worker
    died keeps its tasks waiting for a worker that may never come. So the batch asks for the
    scheduler's workers through ``Client.sync(..., callback_timeout=)`` (the deadline
    ``Future.result(timeout=)`` uses; ``wait_for_workers`` and ``scheduler_info`` have none): no
    answer within the timeout is SchedulerUnresponsive, no worker for the timeout NoWorkers.
    Tasks whose worker died under them are counted from the scheduler's ``remove-worker``
    events (``subscribe_topic``), so that the message can say what happened to them.
    """

    def __init__(self, client, address: str, timeout: float) -> None:
        self.client = client
        self.address = address
        self.timeout = timeout
        self.lost: Counter[str] = Counter()
        self.no_worker_since: float | None = None
        self.next_check = 0.0
        client.subscribe_topic("all", self._on_event)

    def _on_event(self, event) -> None:  # runs on the client's event loop
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else None
        if (
            isinstance(msg, dict)
            and msg.get("action") == "remove-worker"
            and not msg.get("expected")
        ):
            for key in msg.get("processing-tasks") or ():
                self.lost[str(key)] += 1

    def bounded(self, make, done: str = ""):
        """`make()`'s awaitable run on the client's loop; SchedulerUnresponsive after timeout."""
        try:
            return self.client.sync(make, callback_timeout=self.timeout)
        except TimeoutError as exc:
            raise SchedulerUnresponsive(
                f"Dask 调度器 {self.address} 已 {self.timeout:g} 秒无响应（调度器无响应，"
                f"{DASK_TIMEOUT_ENV}）：{done or '未提交任何任务'}，{_NOTHING_CHANGED}"
                f" / the dask scheduler did not answer for {self.timeout:g} s"
            ) from exc

    async def _identity(self) -> dict | None:
        """The scheduler's identity; None once the client has lost its connection (then the
        cancelled futures say so at once, while a new connection would be retried until the
        connect timeout)."""
        import asyncio

        ask = asyncio.ensure_future(self.client.scheduler.identity(n_workers=-1))
        try:
            while not ask.done():
                if self.client.status != "running":
                    return None
                await asyncio.wait([ask], timeout=0.1)
            return ask.result()
        finally:
            ask.cancel()

    def workers(self, done: str = "") -> int | None:
        """How many workers the scheduler has; None when the connection is gone."""
        info = self.bounded(self._identity, done)
        return None if info is None else len(info.get("workers") or {})

    def wait_for_workers(self) -> None:
        """At least one worker within the timeout, else NoWorkers before anything is sent."""
        deadline = time.monotonic() + self.timeout
        while not (found := self.workers()):
            if found is None:
                raise SchedulerLost(
                    f"与 Dask 调度器的连接已断开，未提交任何任务，{_NOTHING_CHANGED}"
                )
            if time.monotonic() >= deadline:
                raise NoWorkers(
                    f"Dask 调度器 {self.address} 上 {self.timeout:g} 秒内没有可用的 worker"
                    f"（{DASK_TIMEOUT_ENV}）：未提交任何任务，{_NOTHING_CHANGED}"
                    f" / no dask worker joined {self.address} within {self.timeout:g} s"
                )
            time.sleep(0.2)

    def check(self, done: str, lost: list[str]) -> None:
        """Once a second at most: the scheduler answers and some worker has been there lately."""
        now = time.monotonic()
        if now < self.next_check:
            return
        self.next_check = now + CHECK_EVERY
        found = self.workers(done)
        if found is None or found:  # gone: the cancelled futures raise SchedulerLost
            self.no_worker_since = None
            return
        self.no_worker_since = self.no_worker_since or now
        if now - self.no_worker_since >= self.timeout:
            why = "；".join(lost)
            raise NoWorkers(
                f"Dask 调度器 {self.address} 上已 {self.timeout:g} 秒没有可用的 worker"
                f"（{DASK_TIMEOUT_ENV}）{'：' + why if why else ''}；{done}，{_NOTHING_CHANGED}"
                f" / no dask worker for {self.timeout:g} s"
            )


class _Remote:
    """One batch on a cluster: decide like the local batch, submit, verify, commit in order."""

    def __init__(self, roots: Roots, watch: _Watch, force: bool, order):
        from selfeval.run import batch

        self.batch = batch
        self.roots = roots
        self.watch = watch
        self.client = watch.client
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
        """Commit results as they come; between them, look at the scheduler (_Watch)."""
        from distributed import as_completed

        by_key = {f.key: k for k, f in self.futures.items()}
        started = time.monotonic()
        pending = as_completed(list(self.futures.values()), loop=self.client.loop)
        while not pending.is_empty():
            for future in pending.next_batch(block=False):
                key = by_key[future.key]
                try:
                    result = future.result(timeout=self.watch.timeout)
                except CancelledError as exc:  # the client cancels everything on a lost scheduler
                    raise SchedulerLost(
                        f"与 Dask 调度器的连接已断开（{time.monotonic() - started:.1f} 秒后）："
                        f"{self._done()}，{_NOTHING_CHANGED}"
                        f" / lost the dask scheduler: {len(self.committed)} unit-year(s) committed"
                    ) from exc
                except TimeoutError as exc:  # the result did not come from its worker
                    raise SchedulerUnresponsive(
                        f"{key} 的结果 {self.watch.timeout:g} 秒内未能取回（调度器无响应或 worker "
                        f"无响应）：{self._done()}，{_NOTHING_CHANGED} / no result for {key}"
                    ) from exc
                except Exception as exc:  # KilledWorker after its allowed failures, and the like
                    result = {"key": key.rel, "error": _task_error(exc)}
                self.done[key] = result
                self.commit_ready(progress)
            if not pending.has_ready():
                self.watch.check(self._done(), self._lost())
                time.sleep(0.05)

    def _done(self) -> str:
        return f"已提交 {len(self.committed)} 个单位年度，其余未生成"

    def _lost(self) -> list[str]:
        """`<unit-year>：任务所在 worker 退出，已重试 N 次` for each task that lost a worker."""
        lines = []
        for key, future in self.futures.items():
            if n := self.watch.lost.get(str(future.key)):
                lines.append(f"{key} 的任务所在 worker 退出，已重试 {n - 1} 次（仍在等待 worker）")
        return lines

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
        plan.result = {
            "pdf": result.get("pdf"),
            "pdf_error": result.get("pdf_error", ""),
            "pdf_fonts": result.get("pdf_fonts", ""),
        }
        self.committed.append(key)


def _task_error(exc: BaseException) -> str:
    """A task's failure as the year's message; KilledWorker said in Chinese with its count."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return (
            f"任务所在 worker 退出，已重试 {exc.allowed_failures} 次"
            "（每次运行它的 worker 都退出了，可能是内存不足或进程被结束；"
            "次数由调度器的 distributed.scheduler.allowed-failures 设定）"
            f" / the workers running this task died {exc.allowed_failures + 1} time(s)"
        )
    return f"{type(exc).__name__}: {exc}"


def run_remote(
    keys: list[Key],
    scheduler: str,
    force: bool = False,
    *,
    root: Path | None = None,
    tty: bool | None = None,
    index: bool = True,
    timeout: float | None = None,
):
    """Under the lock: recover, build what changed on the cluster, commit, refresh the index.

    `timeout`: seconds without an answer from the scheduler or without a worker (default
    SELFEVAL_DASK_TIMEOUT, else 60). Raises ClusterSettingError (a malformed address, at once),
    SchedulerUnavailable, NoWorkers and WorkersOutOfDate (nothing submitted), and SchedulerLost,
    SchedulerUnresponsive and NoWorkers during the batch (committed unit-years stay, nothing else
    is written).
    """
    import dask

    from selfeval.present.build import check_frames
    from selfeval.run import batch
    from selfeval.run.department import plan_departments
    from selfeval.run.progress import Progress
    from selfeval.store import recover

    roots = Roots.of(root)
    keys = sorted(set(keys))
    timeout = timeout or dask_timeout()
    address = check_address(scheduler)  # before the lock: a typo is said at once
    with (
        batch.batch_lock(roots.outputs),
        dask.config.set({"distributed.comm.timeouts.connect": f"{timeout}s"}),
    ):
        for note in recover(roots):
            print(note)
        client = _connect(address, timeout)
        try:
            watch = _Watch(client, address, timeout)
            watch.wait_for_workers()
            versions = watch.bounded(lambda: client.run(code_version, asynchronous=True))
            stale = {a: v for a, v in versions.items() if v != code_version()}
            if stale:
                raise WorkersOutOfDate(
                    f"{len(stale)} 个工作节点的代码版本与本机不同（{', '.join(sorted(stale))}），"
                    "未提交任何任务：请在每个节点安装同一版本 / workers run other code"
                )
            order = plan_departments(roots, keys, batch.discover(roots.raw)[0])
            plans: list[YearPlan] = []
            for phase in order.waves:  # each department after its units (run.department)
                remote = _Remote(roots, watch, force, order)
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
