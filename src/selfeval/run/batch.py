"""Build the report of many unit-years: parallel worker processes, incremental, atomic, locked.

The no-op path (every unit-year unchanged) imports neither pandas nor papermill: it only hashes
files.

Layout this module maintains (all under the project root, or an explicit root); ``<rel>`` is
``<YYYY>`` in a single-unit project (data/raw/<YYYY>/) and ``<unit>/<YYYY>`` in a project of
several units (data/raw/<unit>/<YYYY>/), both may be mixed:

- ``outputs/<rel>/`` report.html, report.docx, report.pdf (when LibreOffice is installed),
  report.ipynb (the products: run.plan.PRODUCTS), ``stamp.json`` (content hashes of what the
  year was built from: the raw bytes 01 read, code, year-1's and, for a 主管部门, its units'
  processed data; and of each product) and, after a failed attempt, ``failed/`` (executed
  notebook, error.txt).
- ``outputs/.tmp-<slug>-<token>`` / ``data/processed/.tmp-<slug>-<token>``: a year in progress
  (``<slug>`` = ``<YYYY>`` or ``<unit>-<YYYY>``).
- ``outputs/.swap-<slug>.json``: journal of a swap in progress; a crash between the renames of
  the pair (outputs, processed) is rolled forward by the next run.
- ``outputs/.batch.lock``: one batch at a time.

What is built, in which order, is run.scheduler's (one scheduler, its executor a plug-in:
run.pool's forked workers here, run.remote's Dask cluster with ``--scheduler``); stamps and the
commit are run.stamps', the lock run.lock's, the unit-years run.discovery's, the end of a batch
run.result's. A 主管部门's unit-years are built after all others (run.department).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

from selfeval.config import Roots
from selfeval.errors import UserFacingError
from selfeval.run.department import plan_departments
from selfeval.run.discovery import (  # noqa: F401 - the batch's public names (cli, tests)
    check_years,
    discover,
    discover_years,
    raw_dir,
    raw_problem,
    select,
    shown_paths,
    unit_folder_refusal,
)
from selfeval.run.lock import batch_lock
from selfeval.run.plan import (  # noqa: F401 - as above
    BUILT,
    FAILED,
    STAMP_FILE,
    UNCHANGED,
    Key,
)
from selfeval.run.pool import DEFAULT_BUILDER, LocalPool
from selfeval.run.progress import Progress
from selfeval.run.project import Project
from selfeval.run.result import (
    BatchResult,
    finish,
    print_result,
)
from selfeval.run.scheduler import Scheduler, run_waves
from selfeval.run.stamps import (  # noqa: F401 - as above
    as_key,
    code_hashes,
    own_inputs,
    previous_hash,
    stamp_state,
)
from selfeval.store import folder_problems, hash_tree, recover  # noqa: F401 - as above


def check_frames() -> None:
    """A frame problem is one message before any year starts (not one per year); called only
    when something is built (the no-op path reads no frame file)."""
    from selfeval.present.frames import check_frames as check  # here: only when building

    check()


def _on_sigterm(signum, frame) -> None:  # pragma: no cover - exercised through subprocesses
    raise KeyboardInterrupt


def run_batch(
    years: list[Key | int],
    jobs: int | None = None,
    force: bool = False,
    *,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
    code: dict[str, str | None] | None = None,
) -> BatchResult:
    """Under the lock: recover, build what changed among the unit-years, refresh the index.

    `years`: Keys, or ints for the single-unit layout. A 主管部门's unit-years (see
    run.department) are built in a later wave than their units, since they read their units'
    processed data of this run. `code` pins the
    hashes of notebooks, package and pins (default: hashed now), for callers that must not see
    concurrent edits of a shared working tree. Raises
    KeyboardInterrupt when interrupted (running years are discarded, nothing is swapped in
    half-way) and LockError when the lock cannot be used.
    """
    roots = Roots.of(root)
    jobs = jobs or os.cpu_count() or 1
    keys = sorted({as_key(k) for k in years})
    with batch_lock(roots.outputs):
        for note in recover(roots):
            print(note)
        order = plan_departments(roots, keys, discover(roots.raw)[0])
        project = Project(roots, code, order.members, order.problems)

        def wave() -> Scheduler:
            return Scheduler(
                project,
                LocalPool(roots, jobs, builder),
                lambda n: Progress(n, tty),
                force,
                before_build=check_frames,
            )

        plans = run_waves(order.waves, wave)
        for note in order.stale_notes(plans):
            print(note)
        result = finish(plans, roots, index)
    return result


def build(
    years: list[int] | None = None,
    jobs: int | None = None,
    force: bool = False,
    *,
    units: list[str] | None = None,
    root: Path | None = None,
    builder: str = DEFAULT_BUILDER,
    tty: bool | None = None,
    index: bool = True,
    scheduler: str | None = None,
) -> int:
    """Build the given unit-years (default: all found) in parallel, incrementally; exit status.

    `scheduler`: a dask scheduler's address (``tcp://host:8786``): each unit-year is built on
    the cluster (run.remote) and committed here; without, local worker processes build them.
    """
    roots = Roots.of(root)
    blocked = folder_problems(roots)
    if blocked:
        print("\n".join(blocked), file=sys.stderr)
        return 1
    found, ignored = discover(roots.raw)
    for line in ignored:
        print(line)
    todo, notes = select(found, years, units) if (years or units) else (found, [])
    for line in notes:
        print(line)
    if not todo:
        if notes:
            return 1
        print("data/raw/ 下还没有任何年度数据（例如 data/raw/2024/），没有需要生成的报告。")
        print("No year under data/raw/ yet: nothing to build.")
        return 0
    previous = signal.getsignal(signal.SIGTERM)
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if scheduler:
            # here: only a cluster batch imports the Dask side (distributed is imported later)
            from selfeval.run.remote import run_remote

            result = run_remote(todo, scheduler, force, root=root, tty=tty, index=index)
        else:
            result = run_batch(todo, jobs, force, root=root, builder=builder, tty=tty, index=index)
    except KeyboardInterrupt:
        print("已中断：未完成的年度没有替换任何已有报告 / interrupted, nothing half-written")
        return 130
    except UserFacingError as exc:  # the lock, the frames, the cluster: one message, no traceback
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
    print_result(result, roots, index)
    return result.exit_status
