"""The local pool when a worker dies without a word (the OOM killer, a kill -9): its whole
process group goes with it, so that nothing it started writes on into the staged folders the
batch then discards (a `.tmp-` folder left in data/processed, seen under load)."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil

from selfeval.config import Roots
from selfeval.run.plan import Key, YearPlan
from selfeval.run.pool import LocalPool
from selfeval.run.scheduler import Kind


def test_a_worker_that_dies_without_a_word_takes_its_group_along(tmp_path):
    roots = Roots(tmp_path / "raw", tmp_path / "processed", tmp_path / "outputs")
    plan = YearPlan(Key("", 2024))
    plan.staged_out = tmp_path / "outputs" / ".tmp-2024-out"
    plan.staged_proc = tmp_path / "processed" / ".tmp-2024-proc"
    plan.staged_out.mkdir(parents=True)
    pool = LocalPool(roots, 1, builder="tests.unit.run.pool_builders:spawn_writer_and_hang")
    pool.prepare(1)
    pool.start(plan, held=False)
    said = plan.staged_out / "writer.pid"
    deadline = time.monotonic() + 60
    while not said.exists() or not said.read_text():
        assert time.monotonic() < deadline, "the worker never started its writer"
        time.sleep(0.05)
    writer = psutil.Process(int(said.read_text()))
    os.kill(pool.procs[plan.key][0].pid, signal.SIGKILL)
    kinds: list[Kind] = []
    while Kind.EXIT not in kinds:
        kinds += [event.kind for event in pool.events()]
    pool.reap(plan.key)
    try:
        writer.wait(timeout=10)
        stopped = True
    except psutil.TimeoutExpired:
        stopped = False
    finally:
        with contextlib.suppress(psutil.Error):
            writer.kill()
    assert stopped, "the dead worker's writer still runs"
