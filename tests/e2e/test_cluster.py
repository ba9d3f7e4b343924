"""Unit-years on a real Dask cluster (issue 19): `dask scheduler` and two `dask worker` processes
started here on 127.0.0.1, the real notebooks on three synthetic units and their 主管部门.

Expected values: a local batch of the same project (byte for byte, stamps aside since they
record times and the worker), and the outputs committed before a fault.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from support_units import DEPARTMENT, UNITS, tree, write_units

from selfeval.run.batch import BUILT, run_batch
from selfeval.run.cluster import CliCluster
from selfeval.run.plan import Key
from selfeval.run.remote import SchedulerLost, SchedulerUnavailable, run_remote

pytestmark = pytest.mark.slow
YEARS = [2023, 2024]
BUREAU = DEPARTMENT[0]
UNIT_KEYS = [Key(u, y) for u in UNITS for y in YEARS]
ALL_KEYS = [*UNIT_KEYS, *(Key(BUREAU, y) for y in YEARS)]


def products(root: Path, units: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """outputs/ and data/processed/ without stamps (they record times and the worker); only
    those of `units` when given (the index page then left out: it lists every unit built).

    report.pdf is compared by presence only: LibreOffice writes a fresh document ID and
    checksum into every conversion, so two PDFs of the same report.docx never match bytewise.
    """
    found = {}
    for top in ("outputs", "data/processed"):
        for name, data in tree(root / top).items():
            if units is not None and name.split("/", 1)[0] not in units:
                continue
            if name.endswith("report.pdf"):
                found[f"{top}/{name}"] = b"%PDF" if data.startswith(b"%PDF") else data
            elif not name.endswith("stamp.json"):
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
        run_remote(
            [Key("library", 2024)], f"tcp://127.0.0.1:{port}", root=tmp_path, connect_timeout=2
        )
    assert not (tmp_path / "outputs" / "library").exists()
