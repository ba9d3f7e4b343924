"""The one scheduler of a batch: which unit-years to build, in which order, and what becomes of
each; the executors (run.pool's local worker processes, run.remote's Dask cluster) only run
builds and report what happened, as Kedro's runners get an executor from `_get_executor` and
Hamilton's `TaskExecutor` plug-ins run tasks.

Each unit-year's `YearPlan.status` is a `State` (run.plan); every decision reads it. Pipelining:
a year may start while year-1 builds; it is then given year-1's staging folder and stops before
02 until year-1 has announced stage PREVIOUS_READY_STAGE (`Gate.PREVIOUS`). A build started ahead
of a free slot ("held") stops before 03 until a slot frees (`Gate.SLOT`, sent when one does: the
worker keeps it if it has not got there yet). When year-1 fails, a waiting year gets year-1's
committed data instead, one that already read the staged data is built again. Commits go in
year order (a stamp records year-1's committed data). A raw folder that changed during the build
is built once more. A 主管部门 is built in a later wave than its units (`run_waves`).

The scheduler does no file work itself (`Project`, run.project) and starts no process
(`Executor`): both are parameters, so that it is tested as a state machine with fakes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from selfeval.errors import ChangedDuringBuild
from selfeval.run.plan import PREVIOUS_READY_STAGE, Key, State, YearPlan

#: States in which a unit-year is still to be built or being built (its outcome not known).
PENDING = (
    State.QUEUED,
    State.DEFERRED,
    State.HELD,
    State.RUNNING,
    State.WAITING,
    State.STAGED,
)
#: States in which a unit-year's worker exists (run.pool) or its task was submitted.
BUSY = (State.HELD, State.RUNNING, State.WAITING)
#: Year-1 in one of these states: its staging folder is where the year reads year-1's data.
BUILDING = (State.HELD, State.RUNNING, State.WAITING, State.STAGED)


class Gate(Enum):
    """Where a worker stops until the scheduler lets it go on (`Executor.go`), each said once:
    PREVIOUS when the worker has stopped there and year-1's data is ready, SLOT when a slot
    frees, whether or not the worker has got to its stop yet."""

    PREVIOUS = "previous"  # before 02: year-1's processed data is complete (or settled)
    SLOT = "slot"  # before 03: a held build has a slot


class Kind(Enum):
    """What an executor reports about a unit-year's build."""

    STAGE = "stage"  # a notebook stage starts (name, index)
    WAIT = "wait"  # stopped before 02 until year-1's data is complete (Gate.PREVIOUS resumes it)
    DONE = "done"  # built into the staging folders (result: the builder's dict)
    ERROR = "error"  # the build failed (error: message, detail: traceback)
    EXIT = "exit"  # the worker ended without a word (exitcode)


@dataclass(frozen=True)
class Event:
    key: Key
    kind: Kind
    stage: str = ""
    index: int = 0
    result: object = None
    error: str = ""
    detail: str = ""
    exitcode: int | None = None


class Executor(Protocol):
    """Runs builds; the scheduler says which, when, and with which folders (on the plan)."""

    #: How many builds may run at once.
    slots: int
    #: Whether one more build may be started "held" when every slot is busy (its kernel boots,
    #: 01 and 02 run off the critical path; `go(key, Gate.SLOT)` starts its 03).
    ahead: bool

    def prepare(self, n_build: int) -> None:
        """Called once before the first start, with the number of unit-years to build."""

    def start(self, plan: YearPlan, held: bool) -> None:
        """Start building `plan` (its staging folders, previous_dir, waits and units set).
        May raise OSError: that unit-year fails."""

    def go(self, key: Key, gate: Gate) -> None:
        """Let a build go on past `gate`, now or when it gets there."""

    def kill(self, key: Key) -> None:
        """Stop a build now; its end is still reported (ERROR or EXIT)."""

    def reap(self, key: Key) -> None:
        """The build's end was handled: free what it holds; no more events for it."""

    def events(self) -> Iterator[Event]:
        """The next events, waiting up to about a second; computed lazily, so that an event
        handled (and `reap`ed) is not followed by a stale one of the same build."""

    def close(self) -> None:
        """End every build still running (interrupt, error, or the batch is over)."""


class Progress(Protocol):
    def stage(self, year: object, stage: str, index: int) -> None: ...
    def finished(self, plan: YearPlan) -> None: ...
    def skipped(self) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


class Scheduler:
    """One wave of a batch: decides, starts builds, commits each unit in year order."""

    def __init__(
        self,
        project,  # run.project.Project or a fake of it
        executor: Executor,
        progress: Callable[[int], Progress],
        force: bool = False,
        before_build: Callable[[], None] = lambda: None,
        say: Callable[[str], None] = lambda text: print(text, flush=True),
    ) -> None:
        self.project = project
        self.executor = executor
        self.make_progress = progress
        self.force = force
        self.before_build = before_build
        self.say = say
        self.plans: dict[Key, YearPlan] = {}
        self.progress: Progress | None = None

    # ---- states

    def _in(self, *states: State) -> list[Key]:
        return sorted(k for k, p in self.plans.items() if p.status in states)

    def _is(self, key: Key, *states: State) -> bool:
        plan = self.plans.get(key)
        return plan is not None and plan.status in states

    # ---- decisions

    def decide(self, keys: Iterable[Key]) -> None:
        for key in sorted(keys):
            plan = self.plans[key] = YearPlan(key)
            problem = self.project.problem(key)
            if problem:
                plan.status, plan.error = State.FAILED, problem
                continue
            plan.inputs = self.project.inputs(key)
            own_ok, stamp = (False, {}) if self.force else self.project.stamp(key, plan.inputs)
            if not own_ok:
                plan.status = State.QUEUED
            elif self._is(key.prev, *PENDING):
                plan.status = State.DEFERRED  # unchanged unless year-1 changes
            else:
                self._resolve_deferred(key, stamp)

    def _resolve_deferred(self, key: Key, stamp: dict | None = None) -> None:
        plan = self.plans[key]
        if stamp is None:
            _, stamp = self.project.stamp(key, plan.inputs)
        if stamp.get("inputs", {}).get("previous") == self.project.previous_hash(key):
            plan.status = State.UNCHANGED
            if self.progress is not None:
                self.progress.skipped()
        else:
            plan.status = State.QUEUED

    # ---- starting

    def _start(self, key: Key, held: bool) -> None:
        plan = self.plans[key]
        self.project.stage(plan)
        prev = self.plans.get(key.prev)
        plan.waits = prev is not None and prev.status in BUILDING
        if plan.waits:  # pipelined on year-1's staged data, released once it is complete
            plan.previous_dir = prev.staged_proc
        else:
            plan.previous_dir = self.project.committed(key.prev)
        plan.stages_seen = 0
        plan.released = not plan.waits
        plan.stopped = False
        plan.tainted = False
        plan.started = time.monotonic()
        plan.units = self.project.units(key)
        plan.status = State.HELD if held else State.RUNNING
        self.executor.start(plan, held)

    def _start_workers(self) -> None:
        """Fill free slots (releasing a held build first), then start one held build ahead."""
        while len(self._in(*BUSY)) - len(self._in(State.HELD)) < self.executor.slots:
            if self._release_held():
                continue
            if not self._start_next(held=False):
                return
        if self.executor.ahead and not self._in(State.HELD):
            self._start_next(held=True)

    def _start_next(self, held: bool) -> bool:
        # not on a year-1 still to be built (queued behind a deferred year-2): it would read
        # year-1's committed data, which that build then replaces
        startable = [
            k for k in self._in(State.QUEUED) if not self._is(k.prev, State.DEFERRED, State.QUEUED)
        ]
        if not startable:
            return False
        key = startable[0]
        try:
            self._start(key, held=held)
        except OSError as exc:  # read-only or full outputs: that year fails
            plan = self.plans[key]
            plan.status = State.FAILED
            plan.error = (
                f"{key} 年度报告在「prepare」阶段失败：无法创建临时构建目录（目录只读或磁盘已满？）"
                f" / year {key} failed at stage 'prepare', cannot create the build folders: {exc}"
            )
            self.project.discard(plan)
            self.progress.finished(plan)
        return True

    def _release_held(self) -> bool:
        """Give the earliest held build a slot (one freed): its 03 may run; whether one was."""
        held = self._in(State.HELD)
        if not held:
            return False
        plan = self.plans[held[0]]
        plan.status = State.WAITING if plan.stopped else State.RUNNING
        self.executor.go(plan.key, Gate.SLOT)
        return True

    def _previous_ready(self, key: Key) -> bool:
        prev = self.plans.get(key.prev)
        if prev is None or prev.status.settled:
            return True
        return prev.status == State.STAGED or prev.stages_seen > PREVIOUS_READY_STAGE

    def _release(self, key: Key) -> None:
        """Let a year whose worker stopped for year-1's data read it, once that data is complete
        or settled. Only once it stopped: until then a year-1 that fails leaves it its committed
        data to read instead, with no rebuild (`released` means it may have read the staged)."""
        plan = self.plans.get(key)
        if plan is None or plan.status not in BUSY or not plan.stopped:
            return
        if self._previous_ready(key):
            if self._is(key.prev, State.FAILED):
                self.project.substitute(key.prev, plan.previous_dir)
            if plan.status == State.WAITING:
                plan.status = State.RUNNING
            plan.released = True
            plan.stopped = False
            self.executor.go(key, Gate.PREVIOUS)

    # ---- events

    def on_event(self, event: Event) -> None:
        key = event.key
        plan = self.plans.get(key)
        if plan is None or plan.status not in BUSY:
            return  # a build already ended
        if event.kind is Kind.STAGE:
            plan.stages_seen = event.index + 1
            plan.stage = event.stage
            self.progress.stage(key, event.stage, event.index)
            if plan.stages_seen > PREVIOUS_READY_STAGE:
                self._release(key.next)
        elif event.kind is Kind.WAIT:
            plan.stopped = True
            if plan.status == State.RUNNING:  # a held build stays HELD: no slot to wait in
                plan.status = State.WAITING
            self._release(key)
        elif event.kind is Kind.DONE:
            plan.result = event.result if isinstance(event.result, dict) else {}
            self._finish(key, None)
        elif event.kind is Kind.ERROR:
            self._finish(key, (event.error, event.detail))
        else:
            stage = plan.stage or "prepare"
            code = event.exitcode
            self._finish(
                key,
                (
                    f"{key} 年度报告在「{stage}」阶段失败：工作进程异常退出（退出码 {code}）"
                    f" / year {key} failed at stage {stage!r}: worker died (exit code {code})",
                    "",
                ),
            )

    def _finish(self, key: Key, error: tuple[str, str] | None) -> None:
        self.executor.reap(key)
        plan = self.plans[key]
        plan.seconds += time.monotonic() - plan.started
        if plan.tainted:  # built on data of a year that then failed: build again
            self._rebuild(key)
            return
        if error is None:
            plan.status = State.STAGED
        else:
            self._fail(key, error)
        self.commit_ready()

    def _rebuild(self, key: Key) -> None:
        self._taint_dependents(key, rebuilt=True)
        self.project.discard(self.plans[key])
        self.plans[key].status = State.QUEUED

    def _fail(self, key: Key, error: tuple[str, str]) -> None:
        plan = self.plans[key]
        plan.status = State.FAILED
        plan.error = self.project.keep_failed(plan, error)
        self._taint_dependents(key)
        self._release(key.next)
        if not self._read_by_dependent(key):
            self.project.discard(plan)
        self.progress.finished(plan)

    def _taint_dependents(self, key: Key, rebuilt: bool = False) -> None:
        """Year+1 read (or is about to read) staged data of `key` that will not be swapped in.

        When `key` failed, a year+1 still waiting is given the committed data instead (see
        _release); when `key` is rebuilt in new folders, year+1 must be rebuilt as well.
        """
        nxt = self.plans.get(key.next)
        if nxt is None or nxt.status not in BUILDING:
            return  # settled, or not started: _start picks its previous data then
        if nxt.previous_dir != self.plans[key].staged_proc:
            return
        if nxt.status in BUSY and (nxt.released or rebuilt):
            nxt.tainted = True
            self.executor.kill(nxt.key)
        elif nxt.status == State.STAGED:
            nxt.status = State.QUEUED
            self._taint_dependents(nxt.key, rebuilt=True)
            self.project.discard(nxt)

    def _read_by_dependent(self, key: Key) -> bool:
        nxt = self.plans.get(key.next)
        return (
            nxt is not None
            and nxt.status in BUSY
            and nxt.previous_dir is not None
            and nxt.previous_dir == self.plans[key].staged_proc
        )

    def _pending_before(self, key: Key) -> bool:
        prev = self.plans.get(key.prev)
        return (
            prev is not None
            and prev.status in PENDING
            and self.plans[key].previous_dir == prev.staged_proc
        )

    # ---- commits

    def commit_ready(self) -> None:
        """Swap in every built year whose year-1 is settled and no longer read from staging;
        settle every deferred year whose year-1 is."""
        moved = True
        while moved:
            moved = False
            for key in self._in(State.STAGED):
                if not self._is(key, State.STAGED):
                    continue  # sent back by a commit of this loop
                if self._pending_before(key) or self._read_by_dependent(key):
                    continue
                self._commit_one(self.plans[key])
                moved = True
            for key in self._in(State.DEFERRED):
                if not self._is(key.prev, *PENDING):
                    self._resolve_deferred(key)
                    moved = True

    def _commit_one(self, plan: YearPlan) -> None:
        key = plan.key
        try:
            self.project.commit(plan)
        except ChangedDuringBuild as exc:
            if not plan.rebuilt_for_change:  # rebuild once from what the folder holds now
                plan.rebuilt_for_change = True
                self.progress.note(f"[{key}] 原始数据在生成过程中被修改，重新生成一次")
                self._rebuild(key)
                return
            self._fail(key, (f"{key} 年度：{exc} / raw data changed during the build", ""))
            return
        except OSError as exc:  # nothing swapped, or a journal recover() finishes
            plan.status = State.FAILED
            plan.error = f"无法替换输出目录 / cannot swap the outputs in: {exc}"
            if not self.project.journal_pending(key):
                self.project.discard(plan)
            self.progress.finished(plan)
            return
        plan.status = State.BUILT
        self.progress.finished(plan)

    # ---- main loop

    def run(self, keys: Iterable[Key]) -> list[YearPlan]:
        """Build `keys` (what changed among them); their plans, in key order."""
        self.decide(keys)
        n_build = len(self._in(State.QUEUED, State.DEFERRED))
        if n_build:
            # the executor first: its kernel fork server imports (2 s of CPU) on the other core
            # while this process imports the frames' modules (1.3 s); one after the other they
            # were the batch's longest stretch with a core idle
            self.executor.prepare(len(self._in(State.QUEUED)))
            try:
                self.before_build()
            except BaseException:
                self.executor.close()
                raise
        self.progress = self.make_progress(n_build)
        try:
            self._loop()
        except KeyboardInterrupt:
            for key in self._in(*BUSY):
                stage = self.plans[key].stage or "prepare"
                self.say(
                    f"[{key}] 已中断：「{stage}」阶段未完成，已有报告和数据未被替换"
                    f" / year {key} interrupted at stage {stage!r}, nothing replaced"
                )
            raise
        finally:
            self.executor.close()
            for plan in self.plans.values():
                if plan.status != State.BUILT:  # a built year's staging folders were renamed
                    self.project.discard(plan)
            self.progress.close()
        return [self.plans[k] for k in sorted(self.plans)]

    def _loop(self) -> None:
        while self._in(*PENDING):
            self._start_workers()
            if not self._in(*PENDING):
                return  # the last unit-years failed to start
            if not self._in(*BUSY):
                before = {k: p.status for k, p in self.plans.items()}
                self.commit_ready()
                if before == {k: p.status for k, p in self.plans.items()}:
                    stuck = {str(k): str(s) for k, s in before.items() if s in PENDING}
                    raise RuntimeError(f"批处理调度停滞 / scheduler stalled: {stuck}")
                continue
            for event in self.executor.events():
                self.on_event(event)


def run_waves(waves: list[list[Key]], scheduler: Callable[[], Scheduler]) -> list[YearPlan]:
    """Each wave with a scheduler of its own, after the previous wave committed: a 主管部门
    reads its units' results of this run (run.department orders the waves)."""
    plans: list[YearPlan] = []
    for wave in waves:
        plans += scheduler().run(wave)
    return plans
