"""What a Dask task of run.remote runs on a worker, and what both sides check: the code version,
the products' paths and hashes. A worker imports this module (not run.remote's client side)
when it unpickles `build_task`."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
from functools import cache
from pathlib import Path, PurePosixPath

from selfeval.config import Roots
from selfeval.errors import BuildError, ResultRejected, UnsafePath
from selfeval.run.discovery import shown_paths
from selfeval.run.plan import OPTIONAL_PRODUCTS, PRODUCTS, Key
from selfeval.run.stamps import code_hashes
from selfeval.store import skip_name

# --------------------------------------------------------------------------- both sides


@cache
def code_version() -> str:
    """One hash of what a build depends on (notebooks, package, pins): computed once per process.

    Workers must run the same commit as the client (the project installed in each worker's
    environment); the task refuses to build with other code.
    """
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
    # here: jupyter_client and zmq, which only a worker's first task needs (see build_task)
    from selfeval.run.kernel import KernelPool
    from selfeval.run.zygote import start_server

    pool = _POOL.get("pool")
    if pool is None:
        server = _POOL["zygote"] = start_server()
        pool = _POOL["pool"] = KernelPool(zygote_path=server.path if server else None)
    return pool.take(ahead=True)


def _scratch_parent() -> str | None:
    try:
        from distributed import get_worker  # here: a local call (tests) need not import it

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
    # here: papermill, nbconvert (~1 s) are imported on a worker's first task, not by the client
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
