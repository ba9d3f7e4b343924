"""run.scheduler as a pure state machine: a fake project (no files) and a fake executor whose
builds step through the worker's protocol (stages, a stop before 02 when pipelined on year-1
and before 03 when started held, done, error, death), one event per build per look, so that
every run is deterministic. What
each test expects is worked out by hand from that protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval.errors import ChangedDuringBuild
from selfeval.run.plan import (
    BUILT,
    FAILED,
    N_STAGES,
    NEEDS_PREVIOUS_STAGE,
    NEEDS_SLOT_STAGE,
    UNCHANGED,
    Key,
    State,
    YearPlan,
)
from selfeval.run.scheduler import Event, Gate, Kind, Scheduler, run_waves

Y22, Y23, Y24 = Key("", 2022), Key("", 2023), Key("", 2024)


class FakeProject:
    """What run.project.Project does, in memory: stamps, staging names, commits, failures."""

    def __init__(self, stamps=None, previous=None, problems=None, changes=None, log=None):
        self.stamps = stamps or {}  # key -> (own inputs unchanged, stamp)
        self.previous = previous or {}  # key -> hash of year-1's committed data now
        self.problems = problems or {}
        self.changes = dict(changes or {})  # key -> how many commits find the raw data changed
        self.log = log if log is not None else []
        self.kept: dict[Key, tuple[str, str]] = {}
        self.staged = 0

    def problem(self, key):
        return self.problems.get(key)

    def inputs(self, key):
        return {"raw": f"raw {key}"}

    def stamp(self, key, inputs):
        return self.stamps.get(key, (False, {}))

    def previous_hash(self, key):
        return self.previous.get(key)

    def stage(self, plan):
        if self.problems.get("read-only"):
            raise PermissionError(13, "Permission denied", "/outputs/.tmp-2024-0")
        self.staged += 1
        plan.staged_out = Path(f"/staged/{plan.key.slug}-{self.staged}/out")
        plan.staged_proc = Path(f"/staged/{plan.key.slug}-{self.staged}/processed")

    def committed(self, key):
        return Path(f"/committed/{key.rel}")

    def units(self, key):
        return None

    def substitute(self, prev_key, staged):
        self.log.append(("substitute", prev_key, staged))

    def commit(self, plan):
        if self.changes.get(plan.key):
            self.changes[plan.key] -= 1
            raise ChangedDuringBuild("数据在生成过程中被修改，请重新运行")
        self.log.append(("commit", plan.key, plan.previous_dir))

    def journal_pending(self, key):
        return False

    def keep_failed(self, plan, error):
        self.kept[plan.key] = error
        return error[0]

    def discard(self, plan):
        self.log.append(("discard", plan.key))


class FakeBuild:
    def __init__(self, plan: YearPlan, held: bool, behaviour: tuple[str, int] | None, pace: int):
        self.plan = plan
        self.held = held
        self.open: set[Gate] = set()  # what the scheduler let through, before or at the stop
        self.killed = False
        self.behaviour = behaviour
        self.pace = pace
        self.ticks = 0
        self.steps = self._steps()

    def _steps(self):
        """The worker's protocol (run.pool._Gate): WAIT and a stop before stage 1 when
        pipelined, until Gate.PREVIOUS; a silent stop before stage 2 when held, until
        Gate.SLOT. None: stopped at a gate this look."""
        key = self.plan.key
        for index in range(N_STAGES):
            if index == NEEDS_PREVIOUS_STAGE and self.plan.waits:
                yield Event(key, Kind.WAIT)
                while Gate.PREVIOUS not in self.open:
                    yield None
            if index == NEEDS_SLOT_STAGE and self.held:
                while Gate.SLOT not in self.open:
                    yield None
            if self.behaviour == ("fail", index):
                yield Event(key, Kind.ERROR, error=f"{key} 在第 {index} 步失败", detail="tb")
                return
            if self.behaviour == ("die", index):
                yield Event(key, Kind.EXIT, exitcode=-9)
                return
            yield Event(key, Kind.STAGE, stage=f"stage{index}", index=index)
        yield Event(key, Kind.DONE, result={"pdf": None})


class FakeExecutor:
    """Builds that advance one event per look (a slow one every `pace` looks)."""

    def __init__(self, slots=2, ahead=False, behaviour=None, pace=None, log=None, interrupt=None):
        self.slots = slots
        self.ahead = ahead
        self.behaviour = behaviour or {}  # key -> [("fail"|"die", stage index) per attempt]
        self.pace = pace or {}
        self.log = log if log is not None else []
        self.interrupt = interrupt  # raise KeyboardInterrupt at this look
        self.builds: dict[Key, FakeBuild] = {}
        self.looks = 0
        self.closed = False

    def prepare(self, n_build):
        self.log.append(("prepare", n_build))

    def start(self, plan, held):
        attempts = self.behaviour.get(plan.key) or [None]
        behaviour = attempts.pop(0) if len(attempts) > 1 else attempts[0]
        self.builds[plan.key] = FakeBuild(plan, held, behaviour, self.pace.get(plan.key, 1))
        self.log.append(("start", plan.key, held, plan.waits, plan.previous_dir))

    def go(self, key, gate):
        self.builds[key].open.add(gate)
        self.log.append(("go", key, gate.value))

    def kill(self, key):
        self.builds[key].killed = True
        self.log.append(("kill", key))

    def reap(self, key):
        del self.builds[key]

    def events(self):
        self.looks += 1
        if self.looks == self.interrupt:
            raise KeyboardInterrupt
        for key in sorted(self.builds):
            build = self.builds.get(key)
            if build is None:
                continue  # reaped while an earlier event was handled
            if build.killed:
                yield Event(key, Kind.EXIT, exitcode=-9)
                continue
            build.ticks += 1
            if build.ticks % build.pace:
                continue
            event = next(build.steps)
            if event is None:
                continue
            self.log.append((event.kind.value, key, event.index))
            yield event

    def close(self):
        self.closed = True


class Quiet:
    """Progress that records what would be printed."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def stage(self, year, stage, index):
        pass

    def finished(self, plan):
        self.lines.append(f"{plan.key} {plan.status}")

    def skipped(self):
        pass

    def note(self, text):
        self.lines.append(text)

    def close(self):
        pass


def run(keys, project=None, executor=None, force=False):
    log: list = []
    project = project or FakeProject()
    executor = executor or FakeExecutor()
    project.log = executor.log = log
    lines: list[str] = []
    said: list[str] = []
    scheduler = Scheduler(project, executor, lambda n: Quiet(lines), force, say=said.append)
    plans = {p.key: p for p in scheduler.run(keys)}
    return plans, log, lines


def where(log, entry) -> int:
    return log.index(entry)


def starts(log, key) -> list[tuple]:
    return [e for e in log if e[0] == "start" and e[1] == key]


def test_years_commit_in_year_order_and_each_reads_year_1s_staged_data_once_complete():
    # 2022 advances every third look: 2023, started beside it, must wait for its data
    executor = FakeExecutor(slots=2, pace={Y22: 3})
    plans, log, _ = run([Y24, Y22, Y23], executor=executor)
    assert {k: p.status for k, p in plans.items()} == {Y22: BUILT, Y23: BUILT, Y24: BUILT}
    commits = [e[1] for e in log if e[0] == "commit"]
    assert commits == [Y22, Y23, Y24]
    start22, start23 = starts(log, Y22)[0], starts(log, Y23)[0]
    assert start22[3:] == (False, Path("/committed/2021"))
    assert start23[3:] == (True, Path("/staged/2022-1/processed"))  # 2022's staging folder
    # 2023 stops before its stage 1 and goes on only once 2022 announced stage 2 (02 done)
    go23 = ("go", Y23, "previous")
    assert where(log, ("wait", Y23, 0)) < where(log, go23)
    assert where(log, ("stage", Y22, 2)) < where(log, go23)
    assert where(log, ("stage", Y23, 1)) > where(log, go23)
    # 2023 is committed after 2022 although it may finish first; the commit records 2022's
    # staged folder as what it read
    assert ("commit", Y23, Path("/staged/2022-1/processed")) in log


def test_an_unchanged_year_waits_for_year_1s_outcome():
    stamp = {"inputs": {"previous": "hash of 2023 before"}}
    # 2023's raw data changed; 2024's own inputs did not: it depends on what 2023 becomes
    project = FakeProject(stamps={Y24: (True, stamp)}, previous={Y24: "hash of 2023 after"})
    plans, log, _ = run([Y23, Y24], project=project)
    assert plans[Y24].status == BUILT
    (start,) = starts(log, Y24)
    assert where(log, ("commit", Y23, Path("/committed/2022"))) < where(log, start)
    assert start[3:] == (False, Path("/committed/2023"))  # 2023 committed: no pipelining

    same = FakeProject(stamps={Y24: (True, stamp)}, previous={Y24: "hash of 2023 before"})
    plans, log, _ = run([Y23, Y24], project=same)
    assert plans[Y24].status == UNCHANGED
    assert starts(log, Y24) == []


def test_a_department_is_built_after_its_units():
    library, museum, bureau = Key("library", 2024), Key("museum", 2024), Key("bureau", 2024)
    log: list = []
    project = FakeProject(log=log)

    def wave():
        return Scheduler(project, FakeExecutor(log=log), lambda n: Quiet([]), say=print)

    plans = run_waves([[library, museum], [bureau]], wave)
    assert [p.key for p in plans] == [library, museum, bureau]
    assert all(p.status == BUILT for p in plans)
    (start,) = starts(log, bureau)
    assert where(log, ("commit", library, Path("/committed/library/2023"))) < where(log, start)
    assert where(log, ("commit", museum, Path("/committed/museum/2023"))) < where(log, start)


def test_a_failure_is_kept_and_year_plus_1_builds_on_the_committed_data():
    # 2023 fails at its first stage, before its data is complete: 2024 (waiting) is given
    # 2023's committed data in place of the staged folder and is built
    executor = FakeExecutor(slots=2, behaviour={Y23: [("fail", 0)]}, pace={Y23: 2})
    plans, log, lines = run([Y23, Y24], executor=executor)
    assert plans[Y23].status == FAILED
    assert plans[Y23].error == "2023 在第 0 步失败"
    assert [e[1] for e in log if e[0] == "commit"] == [Y24]  # nothing of 2023 swapped in
    assert plans[Y24].status == BUILT
    staged23 = Path("/staged/2023-1/processed")
    assert ("substitute", Y23, staged23) in log
    assert where(log, ("substitute", Y23, staged23)) < where(log, ("go", Y24, "previous"))
    assert "2023 failed" in lines and "2024 built" in lines


def test_a_year_built_on_data_of_a_year_that_then_failed_is_built_again():
    # 2023 fails at its last stage, after 2024 already read its staged data: 2024 is stopped
    # and built again from 2023's committed data
    executor = FakeExecutor(slots=2, behaviour={Y23: [("fail", 3)]}, pace={Y23: 2})
    project = FakeProject()
    plans, log, _ = run([Y23, Y24], project=project, executor=executor)
    assert plans[Y23].status == FAILED and Y23 in project.kept
    assert plans[Y24].status == BUILT
    first, second = starts(log, Y24)
    assert first[3:] == (True, Path("/staged/2023-1/processed"))
    assert second[3:] == (False, Path("/committed/2023"))
    assert where(log, ("kill", Y24)) < where(log, second)
    assert [e for e in log if e[0] == "commit"] == [("commit", Y24, Path("/committed/2023"))]


def test_a_year_still_cleaning_when_year_1_fails_reads_the_committed_data_and_is_built_once():
    # 2023 fails at its export; 2024 (moving every eighth look) has not stopped before its 02
    # yet: nothing told it to read 2023's staged data, so it is given the committed data and
    # goes on, neither killed nor started again
    executor = FakeExecutor(slots=2, behaviour={Y23: [("fail", 3)]}, pace={Y24: 8})
    plans, log, _ = run([Y23, Y24], executor=executor)
    assert plans[Y23].status == FAILED and plans[Y24].status == BUILT
    assert len(starts(log, Y24)) == 1 and ("kill", Y24) not in log
    staged23 = Path("/staged/2023-1/processed")
    assert where(log, ("error", Y23, 0)) < where(log, ("wait", Y24, 0))
    assert where(log, ("substitute", Y23, staged23)) < where(log, ("go", Y24, "previous"))
    assert [e for e in log if e[0] == "commit"] == [("commit", Y24, staged23)]


def test_an_executor_whose_builds_never_stop_is_never_told_to_go_on():
    # as run.remote's Dask executor: a task gets year-1's result as an argument and says only
    # done or failed; a failed year-1 is not copied into a staging folder nobody reads
    class NoStops(FakeExecutor):
        def events(self):
            for event in super().events():
                if event.kind is Kind.WAIT:
                    self.builds[event.key].open.add(Gate.PREVIOUS)  # the task does not stop
                    continue
                yield event

    executor = NoStops(slots=2, behaviour={Y23: [("fail", 1)]})
    plans, log, _ = run([Y23, Y24], executor=executor)
    assert plans[Y23].status == FAILED and plans[Y24].status == BUILT
    assert [e for e in log if e[0] in ("go", "substitute", "kill")] == []


def test_a_year_is_not_started_on_a_year_1_that_is_still_to_be_built():
    # 2021's own inputs are unchanged (deferred on 2020); 2020, 2022 and 2023 changed. 2022
    # cannot start before 2021 is decided, and 2023 must not start on 2022's committed data,
    # which 2022's build then replaces
    y20, y21, y22, y23 = (Key("", y) for y in (2020, 2021, 2022, 2023))
    stamp = {"inputs": {"previous": "2020 before"}}
    project = FakeProject(stamps={y21: (True, stamp)}, previous={y21: "2020 after"})
    plans, log, _ = run([y20, y21, y22, y23], project=project)
    assert all(p.status == BUILT for p in plans.values())
    assert [e[1] for e in log if e[0] == "start"] == [y20, y21, y22, y23]
    assert [e[1] for e in log if e[0] == "commit"] == [y20, y21, y22, y23]
    assert starts(log, y23)[0][3:] == (True, Path("/staged/2022-3/processed"))


def test_a_worker_that_dies_fails_its_year_with_the_stage():
    executor = FakeExecutor(slots=1, behaviour={Y24: [("die", 2)]})
    project = FakeProject()
    plans, _, _ = run([Y24], project=project, executor=executor)
    assert plans[Y24].status == FAILED
    assert plans[Y24].error.startswith(
        "2024 年度报告在「stage1」阶段失败：工作进程异常退出（退出码 -9）"
    )


def test_raw_data_changed_during_the_build_is_built_once_more_then_failed():
    plans, log, lines = run([Y24], project=FakeProject(changes={Y24: 1}))
    assert plans[Y24].status == BUILT and len(starts(log, Y24)) == 2
    assert "[2024] 原始数据在生成过程中被修改，重新生成一次" in lines

    project = FakeProject(changes={Y24: 2})
    plans, log, _ = run([Y24], project=project)
    assert plans[Y24].status == FAILED and len(starts(log, Y24)) == 2
    assert project.kept[Y24][0] == (
        "2024 年度：数据在生成过程中被修改，请重新运行 / raw data changed during the build"
    )


def test_a_held_worker_starts_ahead_and_goes_when_a_slot_frees():
    a, b = Key("a", 2024), Key("b", 2024)
    plans, log, _ = run([a, b], executor=FakeExecutor(slots=1, ahead=True))
    assert [p.status for p in plans.values()] == [BUILT, BUILT]
    assert starts(log, b) == [("start", b, True, False, Path("/committed/b/2023"))]
    assert where(log, ("start", b, True, False, Path("/committed/b/2023"))) < where(
        log, ("done", a, 0)
    )
    # b runs its 01 and 02 (stages 0 and 1) while a builds; its 03 once a is done
    assert where(log, ("stage", b, 1)) < where(log, ("done", a, 0))
    assert where(log, ("commit", a, Path("/committed/a/2023"))) < where(log, ("go", b, "slot"))
    assert ("stage", b, 2) not in log[: where(log, ("go", b, "slot"))]


def run_watching(keys, executor, watched: Key):
    """`run`, also noting `watched`'s state after each event: [(length of the log, state)]."""
    log: list = []
    executor.log = log
    scheduler = Scheduler(FakeProject(log=log), executor, lambda n: Quiet([]), say=print)
    events, states = executor.events, []

    def watching():
        for event in events():
            yield event
            if watched in scheduler.plans:
                states.append((len(log), scheduler.plans[watched].status))

    executor.events = watching
    return {p.key: p for p in scheduler.run(keys)}, log, states


def test_a_held_year_analyses_once_year_1_has_and_reports_once_a_slot_frees():
    # one slot: 2024 is started held while 2023 builds (2023 moves every other look); 2024
    # stops before 02 (WAIT) until 2023 announced stage 2, analyses while 2023 still reports,
    # and goes on to 03 only when 2023 is done
    executor = FakeExecutor(slots=1, ahead=True, pace={Y23: 2})
    plans, log, states = run_watching([Y23, Y24], executor, Y24)
    assert plans[Y23].status == BUILT and plans[Y24].status == BUILT
    assert starts(log, Y24) == [("start", Y24, True, True, Path("/staged/2023-1/processed"))]
    go_previous, go_slot = where(log, ("go", Y24, "previous")), where(log, ("go", Y24, "slot"))
    assert where(log, ("wait", Y24, 0)) < go_previous
    assert where(log, ("stage", Y23, 2)) < go_previous < where(log, ("stage", Y24, 1))
    assert where(log, ("stage", Y24, 1)) < where(log, ("done", Y23, 0)) < go_slot
    assert go_slot < where(log, ("stage", Y24, 2))
    # held (no slot) until 2023 is done, though it stopped for 2023's data meanwhile
    assert {state for n, state in states if n <= where(log, ("done", Y23, 0))} == {State.HELD}
    assert [c[1] for c in log if c[0] == "commit"] == [Y23, Y24]


def test_a_held_year_that_stopped_for_year_1_waits_in_the_slot_it_is_given():
    # two slots: unit a and b's 2023 (moving every fourth look); b's 2024 is held and stops
    # for 2023's data. a is done first: 2024 takes its slot while still stopped (WAITING),
    # and runs once 2023 announced stage 2
    a, y23, y24 = Key("a", 2024), Key("b", 2023), Key("b", 2024)
    executor = FakeExecutor(slots=2, ahead=True, pace={y23: 4})
    plans, log, states = run_watching([a, y23, y24], executor, y24)
    assert all(p.status == BUILT for p in plans.values())
    assert starts(log, y24)[0][2:4] == (True, True)  # held, pipelined on 2023
    assert where(log, ("go", y24, "slot")) < where(log, ("go", y24, "previous"))
    changes = [s for n, (_, s) in enumerate(states) if n == 0 or states[n - 1][1] != s]
    assert changes == [State.HELD, State.WAITING, State.RUNNING, State.STAGED, State.BUILT]


def test_an_interrupt_discards_what_runs_and_commits_nothing_more():
    executor = FakeExecutor(slots=2, interrupt=4)
    log: list = []
    project = FakeProject(log=log)
    executor.log = log
    said: list[str] = []
    scheduler = Scheduler(project, executor, lambda n: Quiet([]), say=said.append)
    with pytest.raises(KeyboardInterrupt):
        scheduler.run([Y23, Y24])
    assert executor.closed
    assert [e for e in log if e[0] == "commit"] == []
    assert {("discard", Y23), ("discard", Y24)} <= set(log)
    assert said == [
        "[2023] 已中断：「stage2」阶段未完成，已有报告和数据未被替换"
        " / year 2023 interrupted at stage 'stage2', nothing replaced",
        "[2024] 已中断：「stage1」阶段未完成，已有报告和数据未被替换"
        " / year 2024 interrupted at stage 'stage1', nothing replaced",
    ]
    assert scheduler.plans[Y23].status == State.RUNNING


def test_a_refused_folder_fails_before_anything_starts():
    project = FakeProject(problems={Y24: "找不到原始数据目录 / raw folder missing: data/raw/2024"})
    plans, log, _ = run([Y24], project=project)
    assert plans[Y24].status == FAILED
    assert plans[Y24].error.startswith("找不到原始数据目录")
    assert [e for e in log if e[0] in ("prepare", "start")] == []


def test_a_year_whose_build_folders_cannot_be_made_fails_and_the_batch_ends():
    # read-only or full outputs: the last (here: only) unit-year fails at start, and the batch
    # ends with that failure rather than waiting for a build that never started
    project = FakeProject(problems={"read-only": True})
    plans, log, lines = run([Y24], project=project)
    assert plans[Y24].status == FAILED
    assert plans[Y24].error == (
        "2024 年度报告在「prepare」阶段失败：无法创建临时构建目录（目录只读或磁盘已满？）"
        " / year 2024 failed at stage 'prepare', cannot create the build folders:"
        " [Errno 13] Permission denied: '/outputs/.tmp-2024-0'"
    )
    assert lines == ["2024 failed"]
    assert [e[0] for e in log] == ["prepare", "discard", "discard"]
