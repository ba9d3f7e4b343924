"""Unit-years on a real Dask cluster (issue 19): `dask scheduler` and two `dask worker` processes
started here on 127.0.0.1, the real notebooks on three synthetic units and their 主管部门.

Expected values: a local batch of the same project (byte for byte, stamps aside since they
record times and the worker), and the outputs committed before a fault.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from support_units import DEPARTMENT, UNITS, tree, write_units

from selfeval.run.batch import BUILT, run_batch
from selfeval.run.plan import Key
from selfeval.run.remote import SchedulerLost, SchedulerUnavailable, run_remote
from tools.cluster import CliCluster

pytestmark = pytest.mark.slow
YEARS = [2023, 2024]
BUREAU = DEPARTMENT[0]
UNIT_KEYS = [Key(u, y) for u in UNITS for y in YEARS]
ALL_KEYS = [*UNIT_KEYS, *(Key(BUREAU, y) for y in YEARS)]


def products(root: Path, units: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """outputs/ and data/processed/ without stamps (they record times and the worker); only
    those of `units` when given (the index page then left out: it lists every unit built).

    report.pdf is compared byte for byte too: the product replaces what LibreOffice makes up
    per conversion (`selfeval.run.pdf.reproducible`).
    """
    found = {}
    for top in ("outputs", "data/processed"):
        for name, data in tree(root / top).items():
            if units is not None and name.split("/", 1)[0] not in units:
                continue
            if not name.endswith("stamp.json"):
                found[f"{top}/{name}"] = data
    return found


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> Path:
    """The three units and their 主管部门 built by the local batch: the reference."""
    root = tmp_path_factory.mktemp("local")
    write_units(root / "data" / "raw", YEARS, department=True)
    result = run_batch(ALL_KEYS, jobs=2, root=root, tty=False)
    assert [p.status for p in result.plans] == [BUILT] * 8, [p.error for p in result.plans]
    return root


@pytest.fixture
def cluster(tmp_path):
    with CliCluster(tmp_path / "cluster", n_workers=2) as c:
        yield c


def _stamp(root: Path, key: Key) -> dict:
    return json.loads((root / "outputs" / key.rel / "stamp.json").read_text(encoding="utf-8"))


def _project(local: Path, dest: Path) -> Path:
    shutil.copytree(local / "data" / "raw", dest / "data" / "raw")
    return dest


def test_units_and_their_department_on_two_workers_are_byte_identical_to_a_local_build(
    local, cluster, tmp_path
):
    root = _project(local, tmp_path / "remote")
    keys = ALL_KEYS
    result = run_remote(keys, cluster.address, root=root, tty=False)
    assert [p.status for p in result.plans] == [BUILT] * 8, [p.error for p in result.plans]
    remote = products(root)
    assert remote == products(local)
    for year in YEARS:  # the department's report carries its section
        assert 'id="department"' in remote[f"outputs/{BUREAU}/{year}/report.html"].decode()
    workers = {_stamp(root, k)["worker"] for k in keys}
    assert len(workers) == 2  # both workers built some
    assert not [p for p in (root / "outputs").iterdir() if p.name.startswith((".tmp-", ".swap-"))]
    # unchanged on the second run, like the local batch
    again = run_remote(keys, cluster.address, root=root, tty=False)
    assert {p.status for p in again.plans} == {"unchanged"}


def _in_thread(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target(*args, **kwargs)
        except BaseException as exc:
            outcome["error"] = exc
        outcome["done"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_worker_killed_mid_task_is_rebuilt_elsewhere_and_the_others_are_unaffected(
    local, cluster, tmp_path
):
    root = _project(local, tmp_path / "remote")
    keys = UNIT_KEYS
    watcher = cluster.client()
    thread, outcome = _in_thread(run_remote, keys, cluster.address, root=root, tty=False)
    _, pid = cluster.kill_worker_running(watcher, "selfeval-museum-2023-", timeout=300)
    thread.join(600)
    assert "error" not in outcome, outcome.get("error")
    plans = outcome["result"].plans
    assert [p.status for p in plans] == [BUILT] * 6, [p.error for p in plans]
    assert products(root, tuple(UNITS)) == products(local, tuple(UNITS))
    assert not _stamp(root, Key("museum", 2023))["worker"].endswith(f":{pid}")  # elsewhere


def test_the_scheduler_gone_is_a_clear_error_and_earlier_outputs_stay(local, cluster, tmp_path):
    root = _project(local, tmp_path / "remote")
    first = run_remote([Key("library", 2023)], cluster.address, root=root, tty=False)
    assert [p.status for p in first.plans] == [BUILT]
    before = products(root)
    watcher = cluster.client()
    keys = [Key(u, y) for u in ("museum", "culture") for y in YEARS]
    thread, outcome = _in_thread(run_remote, keys, cluster.address, root=root, tty=False)
    deadline = time.monotonic() + 120
    while not any(watcher.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    cluster.kill_scheduler()
    killed = time.monotonic()
    thread.join(120)
    assert isinstance(outcome.get("error"), SchedulerLost), outcome
    assert outcome["done"] - killed < 30
    assert "调度器的连接已断开" in str(outcome["error"])
    after = products(root)
    assert {k: v for k, v in after.items() if k in before} == before  # earlier outputs intact
    assert not [p for p in (root / "outputs").iterdir() if p.name.startswith((".tmp-", ".swap-"))]


def test_no_scheduler_is_a_clear_error_before_anything_is_written(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_units(tmp_path / "data" / "raw", [2024])
    with pytest.raises(SchedulerUnavailable, match="无法连接 Dask 调度器"):
        run_remote([Key("library", 2024)], f"tcp://127.0.0.1:{port}", root=tmp_path, timeout=2)
    assert not (tmp_path / "outputs" / "library").exists()


# --------------------------------------------------------------------------- faults that hung
# Issue 27: each of these waited forever and said nothing. Every build here runs as `python -m
# selfeval build --scheduler …` with SELFEVAL_DASK_TIMEOUT=3 and is itself bounded (subprocess
# timeout), so that a regression fails instead of hanging the suite. All traffic on 127.0.0.1.

DASK_TIMEOUT = 3
#: what a bounded build may take beyond the timeout: interpreter, imports, client, exit
SLACK = 15


def _digests(root: Path) -> dict[str, str]:
    """sha256 of every file under outputs/ and data/ (raw and processed)."""
    import hashlib

    return {
        f"{top}/{name}": hashlib.sha256(data).hexdigest()
        for top in ("outputs", "data")
        for name, data in tree(root / top).items()
    }


def _assert_intact(root: Path, before: dict[str, str]) -> None:
    """Every earlier file still there, byte for byte (a new index page may be written)."""
    after = _digests(root)
    assert {name: after.get(name) for name in before} == before


def _fault_project(tmp_path: Path) -> Path:
    """Three units' 2024 raw data and earlier outputs of each (what a fault must not touch)."""
    root = tmp_path / "project"
    write_units(root / "data" / "raw", [2024])
    for unit in UNITS:
        out = root / "outputs" / unit / "2024"
        out.mkdir(parents=True)
        for name in ("report.html", "report.docx", "report.ipynb"):
            (out / name).write_bytes(f"earlier {unit} {name}".encode())
    return root


def _start_build(root: Path, address: str, *args: str):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SELFEVAL_ROOT": str(root),
        "SELFEVAL_DASK_TIMEOUT": str(DASK_TIMEOUT),
        "MPLBACKEND": "Agg",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "selfeval", "build", "--scheduler", address, *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc, bound: float) -> tuple[str, str]:
    """The build's output once it ended within `bound` seconds (else killed and failed)."""
    import subprocess

    try:
        out, err = proc.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the build still ran after {bound} s:\n{out}\n{err}")
    return out, err


def _bounded_build(root: Path, address: str, bound: float, *args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    proc = _start_build(root, address, *args)
    out, err = _finish(proc, bound)
    return proc.returncode, out + err, time.monotonic() - started


def _one_message(output: str, *expected: str) -> None:
    assert "Traceback" not in output, output
    for text in expected:
        assert text in output, output


@pytest.fixture
def listener():
    """A TCP socket on 127.0.0.1 that accepts connections and never answers (or, with
    backlog=0 and the queue filled, never accepts): a host that swallows packets."""
    import socket

    sockets = []

    def make(accept: bool) -> str:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16 if accept else 0)
        sockets.append(server)
        address = server.getsockname()
        if accept:
            threading.Thread(target=lambda: _accept_forever(server, sockets), daemon=True).start()
        else:  # fill the accept queue: further SYNs are dropped, connect() just waits
            for _ in range(4):
                client = socket.socket()
                client.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    client.connect(address)
                sockets.append(client)
        return f"tcp://127.0.0.1:{address[1]}"

    yield make
    for s in sockets:
        s.close()


def _accept_forever(server, keep: list) -> None:
    with contextlib.suppress(OSError):
        while True:
            keep.append(server.accept()[0])


@pytest.mark.parametrize("accepts", [True, False], ids=["accepts-never-answers", "backlog-full"])
def test_a_scheduler_address_that_swallows_packets_ends_within_the_timeout(
    tmp_path, listener, accepts
):
    root = _fault_project(tmp_path)
    before = _digests(root)
    code, output, seconds = _bounded_build(root, listener(accepts), DASK_TIMEOUT + SLACK)
    assert code == 1
    assert seconds < DASK_TIMEOUT + SLACK
    _one_message(output, "调度器无响应", "SELFEVAL_DASK_TIMEOUT", "已有报告未改动")
    _assert_intact(root, before)


@pytest.mark.parametrize("address", ["not-an-address", "tcp://", "tcp://127.0.0.1:99999"])
def test_a_malformed_scheduler_address_is_one_line_at_once(tmp_path, address):
    root = _fault_project(tmp_path)
    before = _digests(root)
    code, output, seconds = _bounded_build(root, address, 20)
    assert code == 1 and seconds < 20
    _one_message(output, f"Dask 调度器地址「{address}」无效")
    assert len(output.strip().splitlines()) == 1, output
    _assert_intact(root, before)


def test_a_scheduler_without_workers_is_said_within_the_timeout(tmp_path):
    root = _fault_project(tmp_path)
    before = _digests(root)
    with CliCluster(tmp_path / "cluster", n_workers=0) as cluster:
        code, output, seconds = _bounded_build(root, cluster.address, DASK_TIMEOUT + SLACK)
    assert code == 1 and seconds < DASK_TIMEOUT + SLACK
    _one_message(output, "没有可用的 worker", "未提交任何任务", "已有报告未改动")
    _assert_intact(root, before)


def _when_building(cluster: CliCluster, proc, prefix: str = "selfeval-") -> object:
    """A watcher client, once the build's first task is on a worker."""
    watcher = cluster.client()
    deadline = time.monotonic() + 120
    while not any(
        any(str(k).startswith(prefix) for k in keys) for keys in watcher.processing().values()
    ):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no task reached a worker"
        time.sleep(0.05)
    return watcher


def test_the_only_worker_killed_mid_task_ends_the_build_within_the_timeout(tmp_path):
    root = _fault_project(tmp_path)
    before = _digests(root)
    with CliCluster(tmp_path / "cluster", n_workers=1) as cluster:
        proc = _start_build(root, cluster.address, "--units", "library")
        watcher = _when_building(cluster, proc)
        cluster.kill_worker_running(watcher, "selfeval-library-2024-", timeout=120)
        killed = time.monotonic()
        out, err = _finish(proc, DASK_TIMEOUT + SLACK)
    assert proc.returncode == 1
    assert time.monotonic() - killed < DASK_TIMEOUT + SLACK
    _one_message(out + err, "没有可用的 worker", "library/2024 的任务所在 worker 退出，已重试 0 次")
    _assert_intact(root, before)


def test_a_task_whose_workers_keep_dying_fails_after_the_allowed_retries(tmp_path):
    root = _fault_project(tmp_path)
    before = _digests(root)
    env = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}  # the scheduler's setting
    with CliCluster(tmp_path / "cluster", n_workers=2, env=env) as cluster:
        proc = _start_build(root, cluster.address, "--units", "library")
        watcher = _when_building(cluster, proc)
        cluster.kill_worker_running(watcher, "selfeval-library-2024-", timeout=120)
        out, err = _finish(proc, DASK_TIMEOUT + SLACK)
    assert proc.returncode == 1
    _one_message(out + err, "任务所在 worker 退出，已重试 0 次")
    assert "library" in out and "failed" in out  # the year's row in the summary
    _assert_intact(root, before)


def test_a_frozen_scheduler_mid_build_is_said_within_the_timeout(tmp_path):
    root = _fault_project(tmp_path)
    before = _digests(root)
    with CliCluster(tmp_path / "cluster", n_workers=1) as cluster:
        proc = _start_build(root, cluster.address, "--units", "library")
        _when_building(cluster, proc)
        cluster.freeze_scheduler()
        frozen = time.monotonic()
        out, err = _finish(proc, DASK_TIMEOUT + SLACK)
    assert proc.returncode == 1
    assert time.monotonic() - frozen < DASK_TIMEOUT + SLACK
    _one_message(out + err, "调度器无响应", "已提交 0 个单位年度", "已有报告未改动")
    _assert_intact(root, before)


def test_a_frozen_scheduler_before_the_build_is_said_within_the_timeout(tmp_path):
    root = _fault_project(tmp_path)
    before = _digests(root)
    with CliCluster(tmp_path / "cluster", n_workers=1) as cluster:
        cluster.freeze_scheduler()
        code, output, seconds = _bounded_build(root, cluster.address, DASK_TIMEOUT + SLACK)
    assert code == 1 and seconds < DASK_TIMEOUT + SLACK
    _one_message(output, "调度器无响应", "未提交任何任务")
    _assert_intact(root, before)
