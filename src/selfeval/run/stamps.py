"""What a unit-year's build is checked and recorded against: content hashes of its inputs (raw
bytes, code, year-1's and its units' processed data) and products, in ``stamp.json``; and the
one commit of a built unit-year (stamp, then the journaled pair swap), which the local pool and
the cluster share; and what a failed attempt leaves (outputs/<rel>/failed/)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

from selfeval import config, folders
from selfeval.config import Roots
from selfeval.errors import ChangedDuringBuild
from selfeval.run.discovery import raw_dir
from selfeval.run.plan import (
    BUILD_LOG,
    CHANGED_DURING_BUILD,
    FAILED_DIR,
    OPTIONAL_PRODUCTS,
    PRODUCTS,
    STAMP_FILE,
    STAMP_VERSION,
    Key,
    YearPlan,
)
from selfeval.store import hash_notebooks, hash_tree, load_json, swap_in, write_json_atomic


def as_key(value: Key | int) -> Key:
    """A Key; an int is a year of the single-unit layout."""
    return value if isinstance(value, Key) else Key("", int(value))


def code_hashes() -> dict[str, str | None]:
    """Hashes of what every year depends on: notebooks, package source and templates, pins, and
    the report frames (SELFEVAL_FRAMES_DIR may name a folder outside the package)."""
    code_root = config.PACKAGE_DIR.parents[1]
    return {
        "notebooks": hash_notebooks(config.NOTEBOOKS_DIR),
        "package": hash_tree(config.PACKAGE_DIR),
        "requirements": hash_tree(code_root / "requirements.txt"),
        "frames": hash_tree(config.FRAMES_DIR),
    }


def _unit_name(processed_dir: Path) -> str | None:
    meta = load_json(processed_dir / "meta.json")
    return meta.get("unit_name") if isinstance(meta, dict) else None


def compares_with_previous(processed_dir: Path, previous_dir: Path) -> bool:
    """Whether a year's processed data compares with the previous year's (same unit, both built)."""
    unit = _unit_name(processed_dir)
    return unit is not None and unit == _unit_name(previous_dir)


def keep_failed(key: Key | int, staged_out: Path, outputs_root: Path, error: str) -> Path:
    """Put a failed attempt's notebooks and error under outputs/<rel>/failed/, report untouched."""
    target_dir = folders.claim(outputs_root / as_key(key).rel, folders.OUTPUTS)
    new = target_dir / f".failed-{os.urandom(4).hex()}"
    src = staged_out / FAILED_DIR
    if src.is_dir():
        os.rename(src, new)
    else:
        new.mkdir()
    (new / "error.txt").write_text(error, encoding="utf-8")
    if (staged_out / BUILD_LOG).is_file():
        os.replace(staged_out / BUILD_LOG, new / BUILD_LOG)
    failed = target_dir / FAILED_DIR
    old = target_dir / f".failed-old-{os.urandom(4).hex()}"
    if failed.exists():
        os.rename(failed, old)
    os.rename(new, failed)
    shutil.rmtree(old, ignore_errors=True)
    return failed


def own_inputs(key: Key | int, roots: Roots, code: dict[str, str | None]) -> dict[str, object]:
    """Hashes of a year's own dependencies (everything but year-1's and its units' data)."""
    key = as_key(key)
    return {"raw": hash_tree(raw_dir(roots, key)), **code}


def stamp_state(key: Key | int, roots: Roots, inputs: dict[str, object]) -> tuple[bool, dict]:
    """Whether the stored stamp matches the year's own inputs and products; and the stamp."""
    key = as_key(key)
    out_dir = roots.outputs / key.rel
    stamp = load_json(out_dir / STAMP_FILE)
    if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION:
        return False, {}
    if (out_dir / FAILED_DIR).exists():
        return False, stamp
    if any(stamp.get("inputs", {}).get(k) != v for k, v in inputs.items()):
        return False, stamp
    products = stamp.get("products", {})
    if products.get("processed") != hash_tree(roots.processed / key.rel):
        return False, stamp
    for name in PRODUCTS:
        if products.get(name) != hash_tree(out_dir / name):
            return False, stamp
    # An optional product the stamp records must still be there; a PDF never made (no
    # LibreOffice) is `make pdf`'s.
    for name in OPTIONAL_PRODUCTS:
        recorded = products.get(name)
        if recorded is not None and recorded != hash_tree(out_dir / name):
            return False, stamp
    return True, stamp


def previous_hash(key: Key | int, roots: Roots) -> str | None:
    """Hash of year-1's processed data when the year compares with it, else None."""
    key = as_key(key)
    prev = roots.processed / key.prev.rel
    if compares_with_previous(roots.processed / key.rel, prev):
        return hash_tree(prev)
    return None


def read_as_stamped(raw: Path, processed: Path, started_raw: object) -> str:
    """The raw folder's hash if it still holds exactly what 01 read, else ChangedDuringBuild.

    01 records the sha256 of every file it parsed in meta.json's ``sources``. The folder must
    hash now as it did when the build started (no file added, removed or replaced since), and
    every file 01 read must still have the bytes it read: then the stamp's raw hash is the hash
    of what was read. An analyst saving the workbook mid-build fails the check.
    """
    now = hash_tree(raw)
    meta = load_json(processed / "meta.json")
    sources = meta.get("sources") if isinstance(meta, dict) else None
    if now is None or now != started_raw or not isinstance(sources, list):
        raise ChangedDuringBuild(CHANGED_DURING_BUILD)
    for source in sources:
        name = source.get("file") if isinstance(source, dict) else None
        if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
            raise ChangedDuringBuild(CHANGED_DURING_BUILD)
        if hash_tree(raw / name) != source.get("sha256"):
            raise ChangedDuringBuild(f"{CHANGED_DURING_BUILD}（{name}）")
    return now


def commit(roots: Roots, plan: YearPlan, extra: dict[str, object] | None = None) -> None:
    """Stamp a unit-year built into its staging folders and swap them in, both renames at once.

    The stamp records what was read (`read_as_stamped`: raises ChangedDuringBuild when the raw
    folder changed since the build started), year-1's committed data when the year compares with
    it, and each product's hash; `extra` adds fields (the cluster's worker). Ctrl-C and SIGTERM
    wait until both renames are done.
    """
    key, staged_out, staged_proc = plan.key, plan.staged_out, plan.staged_proc
    inputs = dict(plan.inputs)
    inputs["raw"] = read_as_stamped(raw_dir(roots, key), staged_proc, plan.inputs.get("raw"))
    prev_dir = roots.processed / key.prev.rel
    inputs["previous"] = (
        hash_tree(prev_dir) if compares_with_previous(staged_proc, prev_dir) else None
    )
    products = {"processed": hash_tree(staged_proc)}
    products.update({n: hash_tree(staged_out / n) for n in (*PRODUCTS, *OPTIONAL_PRODUCTS)})
    stamp = {
        "version": STAMP_VERSION,
        "unit": key.unit,
        "year": key.year,
        "inputs": inputs,
        "products": products,
        "seconds": round(plan.seconds, 2),
        **(extra or {}),
    }
    (staged_out / BUILD_LOG).unlink(missing_ok=True)
    write_json_atomic(staged_out / STAMP_FILE, stamp)
    targets = (roots.outputs / key.rel, roots.processed / key.rel)
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    with signals_deferred():
        swap_in(key.slug, [(staged_out, targets[0]), (staged_proc, targets[1])], roots.outputs)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT and SIGTERM back for the duration of the block (delivered afterwards)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no POSIX signal masks: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
