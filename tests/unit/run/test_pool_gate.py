"""The worker's side of run.pool's protocol over a real pipe: the scheduler opens each stop
(`Gate`) once, as soon as it holds, so a go may come before the worker reaches its stop, or
the other stop's go may come first; the worker keeps what came early and never passes a stop
that was not opened."""

from __future__ import annotations

import multiprocessing
import os
import threading

from selfeval.run.pool import _Gate
from selfeval.run.scheduler import Gate


def _gate(held: bool, waits: bool):
    ours, theirs = multiprocessing.Pipe()
    # the worker stops when its parent is no longer the batch: here, this test's parent
    return _Gate({"held": held, "waits": waits, "parent_pid": os.getppid()}, theirs), ours


def _passes(step, timeout: float = 2.0) -> bool:
    done = threading.Event()
    thread = threading.Thread(target=lambda: (step(), done.set()), daemon=True)
    thread.start()
    return done.wait(timeout)


def test_a_held_pipelined_worker_keeps_the_slots_go_while_it_waits_for_year_1():
    gate, pool = _gate(held=True, waits=True)
    pool.send(("go", Gate.SLOT.value))  # a slot freed while the worker still cleans
    gate.on_stage("clean")
    assert pool.recv() == ("stage", "clean", 0)
    passed = threading.Event()
    thread = threading.Thread(target=lambda: (gate.on_stage("analyze"), passed.set()))
    thread.start()
    assert pool.recv() == ("wait",)
    assert not passed.wait(0.3)  # the slot's go does not pass the stop for year-1's data
    pool.send(("go", Gate.PREVIOUS.value))
    assert passed.wait(2.0)
    thread.join()
    assert pool.recv() == ("stage", "analyze", 1)
    assert _passes(lambda: gate.on_stage("report"))  # the slot was opened before it got there
    assert pool.recv() == ("stage", "report", 2)


def test_a_held_worker_on_committed_data_analyses_without_stopping_and_waits_for_a_slot():
    gate, pool = _gate(held=True, waits=False)
    gate.on_stage("clean")
    assert _passes(lambda: gate.on_stage("analyze"))
    assert [pool.recv(), pool.recv()] == [("stage", "clean", 0), ("stage", "analyze", 1)]
    assert not _passes(lambda: gate.on_stage("report"), timeout=0.3)  # no slot yet
    pool.send(("go", Gate.SLOT.value))
    assert pool.recv() == ("stage", "report", 2)


def _stopped_orphan(conn) -> None:  # runs in a forked child: the batch is "gone" (not its parent)
    gate = _Gate({"held": False, "waits": True, "parent_pid": -1}, conn)
    gate.before_previous()
    os._exit(0)  # passed the stop: what must not happen


def test_a_worker_stopped_at_a_gate_ends_when_its_batch_is_gone():
    pool, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_stopped_orphan, args=(theirs,))
    child.start()
    assert pool.recv() == ("wait",)
    child.join(timeout=10)  # pool's end stays open here: only the parent check can end it
    assert child.exitcode == 3
