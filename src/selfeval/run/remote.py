"""Unit-years on a Dask cluster (``make report SCHEDULER=tcp://host:8786``), no shared filesystem.

Each unit-year is one task. It carries the raw files' bytes, year-1's processed data (the
future of year-1's task when that year is built in the same batch, else the committed bytes),
a 主管部门's units payload, and the client's code version; it builds in a scratch folder under
the worker's local directory (dask removes what a killed worker left there) and returns the
products as bytes with their sha256. The client verifies every result (key, code version,
hashes), checks that the raw folder still holds the bytes that were sent, and
commits exactly as the local batch does: `DaskPool` is an executor of run.scheduler, the one
scheduler (decisions, order, stamps, failure keeping, retries), beside run.pool's local workers.
The task itself is run.remote_task's, the connection and its watch run.remote_client's.

A worker lost mid-task: the scheduler runs the task again elsewhere (its
``allowed-failures``); nothing of the lost attempt reaches outputs. The scheduler lost: every
pending future is cancelled and ``SchedulerLost`` says how many unit-years were committed; what
was committed before stays, nothing else is written.

Nothing waits forever (issue 27): a malformed address is said before anything connects; the
scheduler must answer, and have a worker, within SELFEVAL_DASK_TIMEOUT seconds (default 60) at
the start and all along the batch (a frozen scheduler keeps its socket open, so distributed
itself never notices); a task whose workers keep dying ends after the scheduler's
``allowed-failures`` retries. Each is one message, and what was committed stays.

Why the local default stays the fork pool (run.pool), not a LocalCluster: measured by
``make bench`` (a LocalCluster takes ~1.4 s to start and ~2 ms per task against ~0.03 s and
~0.06 ms for forking, and its nanny'd workers may not fork the year builder's helpers), and
the pool's pipelining of year-1's staged data and its held workers have no counterpart there.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from pathlib import Path

from selfeval.config import Roots
from selfeval.errors import (  # noqa: F401 - SchedulerUnavailable: callers catch it from here
    ChangedDuringBuild,
    ResultRejected,
    SchedulerLost,
    SchedulerUnavailable,
    SchedulerUnresponsive,
    UnsafePath,
    WorkersOutOfDate,
)
from selfeval.run.department import plan_departments
from selfeval.run.discovery import discover
from selfeval.run.lock import batch_lock
from selfeval.run.plan import BUILT, CHANGED_DURING_BUILD, Key, YearPlan
from selfeval.run.progress import Progress
from selfeval.run.project import Project
from selfeval.run.remote_client import (
    NOTHING_CHANGED,
    Watch,
    check_address,
    dask_timeout,
    open_client,
)
from selfeval.run.remote_task import (
    build_task,
    code_version,
    read_tree,
    safe_relpath,
    sha256,
    verify,
)
from selfeval.run.result import BatchResult, finish
from selfeval.run.scheduler import Event, Gate, Kind, Scheduler, run_waves
from selfeval.store import recover


class DaskPool:
    """The cluster executor: one task per unit-year, submitted at once (the scheduler still
    orders the commits); a year whose year-1 is built in the same batch gets year-1's future."""

    slots = 1 << 30  # as many tasks as unit-years: the cluster's workers are the limit
    ahead = False  # no kernel boots on this side

    def __init__(self, roots: Roots, watch: Watch, version: str) -> None:
        self.roots = roots
        self.watch = watch
        self.client = watch.client
        self.version = version
        self.plans: dict[Key, YearPlan] = {}  # every unit-year started (its staging folders)
        self.futures: dict[Key, object] = {}  # the latest task of each (done ones too: a
        # year rebuilt while year-1 waits to be committed is given year-1's future still)
        self.live: set[Key] = set()
        self.by_future: dict[str, Key] = {}
        self.sent: dict[Key, dict[str, bytes]] = {}
        self.killed: list[Key] = []
        self.pending = None  # distributed.as_completed over the live futures
        self.began = time.monotonic()

    def prepare(self, n_build: int) -> None:
        pass

    def start(self, plan: YearPlan, held: bool) -> None:
        key = plan.key
        raw = self.sent[key] = read_tree(self.roots.raw / key.rel)
        # year-1's committed data: used when year-1 is not built now, or its task fails
        committed = read_tree(self.roots.processed / key.prev.rel) or None
        future = self.client.submit(
            build_task,
            key.unit,
            key.year,
            raw,
            self.futures.get(key.prev) if plan.waits else None,
            committed,
            plan.units,
            self.version,
            key=f"selfeval-{key.slug}-{secrets.token_hex(4)}",
            pure=False,
            retries=0,
        )
        self.plans[key], self.futures[key] = plan, future
        self.live.add(key)
        self.by_future[future.key] = key
        if self.pending is None:
            from distributed import as_completed  # here: distributed, as in remote_client

            self.pending = as_completed([future], loop=self.client.loop)
        else:
            self.pending.add(future)

    def go(self, key: Key, gate: Gate) -> None:
        pass  # a task never waits: year-1's future is its argument

    def kill(self, key: Key) -> None:
        self.futures[key].cancel()
        self.killed.append(key)

    def reap(self, key: Key) -> None:
        self.live.discard(key)

    def events(self) -> Iterator[Event]:
        """Results as they come; between them, a look at the scheduler (Watch)."""
        while self.killed:
            yield Event(self.killed.pop(0), Kind.EXIT)
        for future in self.pending.next_batch(block=False):
            key = self.by_future[future.key]
            if key not in self.live or self.futures[key] is not future:
                continue  # cancelled by kill, or a stale attempt
            yield self._arrived(key, future)
        if not self.pending.has_ready():
            self.watch.check(self._done(), self._lost())
            time.sleep(0.05)

    def _arrived(self, key: Key, future) -> Event:
        try:
            result = future.result(timeout=self.watch.timeout)
        except CancelledError as exc:  # the client cancels everything on a lost scheduler
            raise SchedulerLost(
                f"与 Dask 调度器的连接已断开（{time.monotonic() - self.began:.1f} 秒后）："
                f"{self._done()}，{NOTHING_CHANGED}"
                f" / lost the dask scheduler: {self._committed()} unit-year(s) committed"
            ) from exc
        except TimeoutError as exc:  # the result did not come from its worker
            raise SchedulerUnresponsive(
                f"{key} 的结果 {self.watch.timeout:g} 秒内未能取回（调度器无响应或 worker "
                f"无响应）：{self._done()}，{NOTHING_CHANGED} / no result for {key}"
            ) from exc
        except Exception as exc:  # KilledWorker after its allowed failures, and the like
            return Event(key, Kind.ERROR, error=_task_error(exc))
        if result.get("error"):
            return Event(key, Kind.ERROR, error=str(result["error"]))
        try:
            self._unpack(key, result)
        except (ResultRejected, UnsafePath, ChangedDuringBuild, OSError) as exc:
            return Event(key, Kind.ERROR, error=str(exc))
        self.plans[key].worker = result.get("worker")
        built = {n: result.get(n, "") for n in ("pdf_error", "pdf_fonts")}
        return Event(key, Kind.DONE, result={"pdf": result.get("pdf"), **built})

    def _unpack(self, key: Key, result: dict) -> None:
        """Write a verified result into the unit-year's staging folders; the raw folder must
        still hold the bytes that were sent."""
        plan = self.plans[key]
        for name, data in verify(result, key, self.version).items():
            top, _, rel = name.partition("/")
            base = plan.staged_proc if top == "processed" else plan.staged_out
            path = base.joinpath(*safe_relpath(rel).parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        sent = {n: sha256(d) for n, d in self.sent[key].items()}
        if {n: sha256(d) for n, d in read_tree(self.roots.raw / key.rel).items()} != sent:
            raise ChangedDuringBuild(CHANGED_DURING_BUILD)

    def _committed(self) -> int:
        return sum(p.status == BUILT for p in self.plans.values())

    def _done(self) -> str:
        return f"已提交 {self._committed()} 个单位年度，其余未生成"

    def _lost(self) -> list[str]:
        """`<unit-year>：任务所在 worker 退出，已重试 N 次` for each task that lost a worker."""
        lines = []
        for key in sorted(self.live):
            if n := self.watch.lost.get(str(self.futures[key].key)):
                lines.append(f"{key} 的任务所在 worker 退出，已重试 {n - 1} 次（仍在等待 worker）")
        return lines

    def close(self) -> None:
        self.live.clear()  # what still runs is cancelled when run_remote closes the client


def _task_error(exc: BaseException) -> str:
    """A task's failure as the year's message; KilledWorker said in Chinese with its count."""
    from distributed import KilledWorker  # here: distributed, as in remote_client

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
) -> BatchResult:
    """Under the lock: recover, build what changed on the cluster, commit, refresh the index.

    `timeout`: seconds without an answer from the scheduler or without a worker (default
    SELFEVAL_DASK_TIMEOUT, else 60). Raises ClusterSettingError (a malformed address, at once),
    SchedulerUnavailable, NoWorkers and WorkersOutOfDate (nothing submitted), and SchedulerLost,
    SchedulerUnresponsive and NoWorkers during the batch (committed unit-years stay, nothing else
    is written).
    """
    import dask  # here: dask only for a cluster batch (run.batch imports this module then)

    from selfeval.present.frames import check_frames  # here: only when a year is built

    roots = Roots.of(root)
    keys = sorted(set(keys))
    timeout = timeout or dask_timeout()
    address = check_address(scheduler)  # before the lock: a typo is said at once
    with (
        batch_lock(roots.outputs),
        dask.config.set({"distributed.comm.timeouts.connect": f"{timeout}s"}),
    ):
        for note in recover(roots):
            print(note)
        client = open_client(address, timeout)
        try:
            watch = Watch(client, address, timeout)
            watch.wait_for_workers()
            versions = watch.bounded(lambda: client.run(code_version, asynchronous=True))
            stale = {a: v for a, v in versions.items() if v != code_version()}
            if stale:
                raise WorkersOutOfDate(
                    f"{len(stale)} 个工作节点的代码版本与本机不同（{', '.join(sorted(stale))}），"
                    "未提交任何任务：请在每个节点安装同一版本 / workers run other code"
                )
            order = plan_departments(roots, keys, discover(roots.raw)[0])
            project = Project(roots, None, order.members, order.problems)

            def wave() -> Scheduler:  # each department after its units (run.department)
                pool = DaskPool(roots, watch, code_version())
                progress: Callable[[int], Progress] = lambda n: Progress(n, tty)  # noqa: E731
                return Scheduler(project, pool, progress, force, before_build=check_frames)

            plans = run_waves(order.waves, wave)
        except OSError as exc:  # the comm broke outside a future (e.g. in client.run)
            raise SchedulerLost(f"与 Dask 调度器的连接已断开 / lost the scheduler: {exc}") from exc
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
        for note in order.stale_notes(plans):
            print(note)
        result = finish(plans, roots, index)
    return result
