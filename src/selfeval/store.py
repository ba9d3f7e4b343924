"""Files the pipeline keeps: content hashes, atomic writes and swaps, the processed year.

Every write here goes through a temporary sibling and a rename, so a reader never sees half a
file, and every folder or file it creates gets the usual mode of the user's umask (colleagues
on a shared server can read reports), never mkdtemp's 0700 or mkstemp's 0600.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from selfeval import folders
from selfeval.config import Roots
from selfeval.errors import FolderRefused, StageOrderError
from selfeval.rules import is_year_folder

SUMMARY_FILE = "summary.json"
RESULTS_FILE = "results.json"
#: A 主管部门's units' results for the year, written by the batch after 01 (run.department).
UNITS_FILE = "units.json"

# ---------------------------------------------------------------------------------------------
# Hashing


def skip_name(name: str) -> bool:
    return name.startswith((".", "~$")) or name == "__pycache__" or name.endswith(".pyc")


def hash_tree(path: Path) -> str | None:
    """Content hash of a file or folder (relative names and bytes; hidden files ignored)."""
    if path.is_file():
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    if not path.is_dir():
        return None
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if not skip_name(d))
        for name in sorted(filenames):
            if skip_name(name):
                continue
            full = Path(dirpath, name)
            rel = full.relative_to(path).as_posix()
            with full.open("rb") as fh:
                file_hash = hashlib.file_digest(fh, "sha256").hexdigest()
            digest.update(f"{rel}\0{file_hash}\n".encode())
    return digest.hexdigest()


def notebook_fingerprint(data: bytes) -> bytes:
    """What of a notebook changes the report: cell types, sources, tags, the kernel's name.

    Opening and saving a notebook in JupyterLab writes outputs, execution counts, language_info
    and cell metadata into it; none of those changes what papermill will run, so none of them
    may rebuild every year. A file that is no valid notebook JSON is taken by its bytes.
    """
    try:
        nb = json.loads(data)
        cells = [
            {
                "type": cell.get("cell_type"),
                "source": "".join(cell.get("source", "")),
                "tags": list(cell.get("metadata", {}).get("tags", [])),
            }
            for cell in nb["cells"]
        ]
        kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    except (ValueError, KeyError, TypeError, AttributeError):
        return data
    return json.dumps({"cells": cells, "kernel": kernel}, sort_keys=True).encode()


def hash_notebooks(path: Path) -> str | None:
    """Content hash of the notebooks folder, each notebook by its `notebook_fingerprint`."""
    if not path.is_dir():
        return None
    digest = hashlib.sha256()
    for entry in sorted(path.iterdir()):
        if skip_name(entry.name) or not entry.is_file():
            continue
        data = entry.read_bytes()
        if entry.suffix == ".ipynb":
            data = notebook_fingerprint(data)
        digest.update(f"{entry.name}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# JSON and atomic writes


def json_text(data: Any) -> str:
    """The one JSON form the project writes: UTF-8 text, sorted keys, indented, final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"


def load_json(path: Path) -> Any:
    """A JSON file's content, or None when it is missing, unreadable or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_json_dict(path: Path) -> dict:
    """A JSON file that should hold an object: that object, else {}."""
    data = load_json(path)
    return data if isinstance(data, dict) else {}


def umask() -> int:
    """The process's umask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def share(path: Path) -> None:
    """Give a file or folder made by mkstemp/mkdtemp the mode the user's umask intends."""
    mode = 0o777 if Path(path).is_dir() else 0o666
    os.chmod(path, mode & ~umask())


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (best effort: some filesystems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temporary sibling and a rename; returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        share(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def write_with(path: Path, write: Any) -> Path:
    """Let `write(tmp_path)` produce a file (a browser, a converter), then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        share(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: Path, data: Any) -> Path:
    """`json_text(data)` written atomically."""
    return write_atomic(path, json_text(data))


# ---------------------------------------------------------------------------------------------
# Swapping folders in


def _journal_pairs(journal: Path, allowed: tuple[Path, ...]) -> list[dict] | None:
    """The journal's pairs if it is one swap_in wrote, else None (torn or foreign).

    Every path must lie directly in the allowed folders' trees (outputs/, data/processed/):
    a damaged or crafted journal must never make recover() rename anything else.
    """
    plan = load_json(journal)
    pairs = plan.get("pairs") if isinstance(plan, dict) else None
    if not isinstance(pairs, list) or not pairs:
        return None
    roots = [Path(a).resolve() for a in allowed]
    for pair in pairs:
        if not isinstance(pair, dict):
            return None
        for name in ("staged", "target", "backup"):
            value = pair.get(name)
            if not isinstance(value, str) or not value:
                return None
            path = Path(value).resolve()
            if allowed and not any(path.is_relative_to(r) and path != r for r in roots):
                return None
    return pairs


def _roll_forward(journal: Path, allowed: tuple[Path, ...] = ()) -> bool:
    """Finish a swap whose journal exists: every staged folder replaces its target.

    Returns False for a torn or foreign journal, which is removed without renaming anything:
    the year's stamp no longer matches its folders then, so the next batch rebuilds it.
    """
    pairs = _journal_pairs(journal, allowed)
    if pairs is None:
        journal.unlink(missing_ok=True)
        return False
    for pair in pairs:
        staged, target, backup = Path(pair["staged"]), Path(pair["target"]), Path(pair["backup"])
        if staged.exists():
            if target.exists():
                os.rename(target, backup)
            os.rename(staged, target)
        elif not target.exists() and backup.exists():
            os.rename(backup, target)  # the staged folder is gone: put the old one back
    for pair in pairs:
        fsync_dir(Path(pair["target"]).parent)
    journal.unlink()
    for pair in pairs:
        shutil.rmtree(pair["backup"], ignore_errors=True)
    return True


#: What each project folder is for, as a message about it says.
FOLDER_ROLES = {
    "raw": ("data/raw", "各年度的原始数据放在这里"),
    "processed": ("data/processed", "清洗后的数据写在这里"),
    "outputs": ("outputs", "报告写在这里"),
}


def folder_problems(roots: Roots, fields: tuple[str, ...] = tuple(FOLDER_ROLES)) -> list[str]:
    """One message per project folder (`fields` of data/raw, data/processed, outputs; default
    all) that is a file, a dangling symlink, or under one: what it is and what to do. Checked
    before a command writes anything, so that a stray file named ``outputs`` is a sentence,
    not a traceback from the lock, and not one misleading "disk full?" per year."""
    problems = []
    for field in fields:
        label, role = FOLDER_ROLES[field]
        for path in (getattr(roots, field), *getattr(roots, field).parents):
            if path.is_dir():
                break
            if path.is_symlink() or path.exists():
                what = "一个文件" if path.exists() else "一个指向不存在位置的符号链接"
                problems.append(
                    f"{path} 是{what}，不是文件夹：{label}/ 须是文件夹（{role}）。请把它改名或移走"
                    f"（例如 mv {path} {path}.bak）后重新运行 / {path} is not a folder: move it"
                )
                break
    return problems


def swap_in(name: int | str, pairs: list[tuple[Path, Path]], journal_dir: Path) -> None:
    """Replace each target folder by its staged folder; a crash midway is finished by recover().

    `name` names the journal (``.swap-<name>.json``): a year, or ``<unit>-<year>``.
    """
    # Only a folder the product wrote is replaced (and so deleted): each target must be new or
    # of the staged folder's kind, and hold nothing else; the staged folder carries the marker.
    for staged, target in pairs:
        kind = folders.kind_of(staged)
        if kind is None:
            raise FolderRefused(f"构建目录 {staged} 没有 selfeval 的标记，不予替换 / unmarked")
        folders.check_owned(target, kind)
        folders.mark(staged, kind)
    token = os.urandom(4).hex()
    plan = {
        "year": name,
        "pairs": [
            {
                "staged": str(staged),
                "target": str(target),
                "backup": str(target.with_name(f".old-{target.name}-{token}")),
            }
            for staged, target in pairs
        ],
    }
    journal = journal_dir / f".swap-{name}.json"
    write_json_atomic(journal, plan)
    _roll_forward(journal)


def _year_dirs(folder: Path) -> list[Path]:
    """outputs/<YYYY>/ and outputs/<unit>/<YYYY>/ (the same below data/processed/)."""
    found = []
    for entry in folder.iterdir():
        if not entry.is_dir() or entry.is_symlink() or entry.name.startswith("."):
            continue
        if is_year_folder(entry.name):
            found.append(entry)
        else:
            found += [e for e in entry.iterdir() if is_year_folder(e.name) and e.is_dir()]
    return found


def _parents(folder: Path) -> list[Path]:
    """`folder` and its unit folders (where staging folders and backups of unit-years live)."""
    units = [
        e
        for e in folder.iterdir()
        if e.is_dir()
        and not e.is_symlink()
        and not e.name.startswith(".")
        and not is_year_folder(e.name)
    ]
    return [folder, *units]


def _restore_backups(folder: Path, notes: list[str]) -> None:
    """A target renamed to its backup whose swap never finished: rename it back (torn journal)."""
    for parent in _parents(folder):
        for entry in list(parent.iterdir()):
            match = re.match(r"^\.old-(.+)-[0-9a-f]{8}$", entry.name)
            if match and entry.is_dir() and not (parent / match.group(1)).exists():
                os.rename(entry, parent / match.group(1))
                notes.append(f"已恢复未完成替换前的目录 / restored {parent.name}/{match.group(1)}")


def recover(roots: Roots) -> list[str]:
    """Finish interrupted swaps and remove leftovers of interrupted builds; returns notes."""
    notes: list[str] = []
    allowed = (roots.outputs, roots.processed)
    if roots.outputs.is_dir():
        for journal in sorted(roots.outputs.glob(".swap-*.json")):
            if _roll_forward(journal, allowed):
                notes.append(f"已完成上次中断的替换 / finished an interrupted swap: {journal.name}")
            else:
                notes.append(
                    f"替换记录 outputs/{journal.name} 已损坏，已删除；替换前的目录如有残留已恢复，"
                    "各年度是否重新生成照常按其数据判断"
                    f" / torn swap journal {journal.name} removed, earlier folders kept"
                )
    for folder in allowed:
        if not folder.is_dir():
            continue
        _restore_backups(folder, notes)
        for parent in _parents(folder):
            for entry in list(parent.iterdir()):
                name = entry.name
                if name.startswith((".tmp-", ".old-")) or re.match(r"^\.\S+\.tmp$", name):
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
                    notes.append(f"已清理中断构建的残留 / removed leftover {name}")
        for year_dir in _year_dirs(folder):
            for entry in year_dir.glob(".failed-*"):
                shutil.rmtree(entry, ignore_errors=True)
    return notes


# ---------------------------------------------------------------------------------------------
# The processed year


def _dump_json(data: Any, path: Path) -> None:
    path.write_text(json_text(data), encoding="utf-8")


#: What 02 and the batch add to a processed year: derived from its cleaned tables.
DERIVED_FILES = (RESULTS_FILE, SUMMARY_FILE, UNITS_FILE)


def _same_cleaned(new: Path, old: Path) -> bool:
    """Whether `old` holds exactly the cleaned files of `new`, byte for byte (its derived files
    aside). Cleaning an unchanged year again (01 run alone in JupyterLab) then leaves the year
    as it is, results.json and summary.json included, so the batch's stamp still matches and
    the next `make report` does not rebuild it; changed tables replace the year, and its
    results, computed from the old tables, go with it."""
    if not old.is_dir():
        return False
    made = {p.name for p in new.iterdir() if not skip_name(p.name)}
    kept = {p.name for p in old.iterdir() if not skip_name(p.name)} - set(DERIVED_FILES)
    if made != kept:
        return False
    return all(hash_tree(new / name) == hash_tree(old / name) for name in sorted(made))


def write_processed(result: Any, out_dir: Path) -> Path:
    """Validate the tables against the pandera models and replace ``out_dir`` atomically.

    The tables are written to a temporary sibling folder which is renamed into place only after
    everything was written; on any failure ``out_dir`` is left untouched, and so it is when it
    already holds the same cleaned files (`_same_cleaned`).
    """
    from selfeval.contract.models import PROCESSED

    out_dir = Path(out_dir)
    folders.check_owned(out_dir, folders.PROCESSED)  # replacing it deletes what it holds
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        share(tmp)  # mkdtemp's 0700 would hide the year from colleagues
        folders.mark(tmp, folders.PROCESSED)
        for table, frame in result.tables.items():
            schema = PROCESSED.get(table)
            if schema is not None:
                schema.validate(frame, lazy=True)
            frame.to_parquet(tmp / f"{table}.parquet", index=False)
        _dump_json(result.checks, tmp / "checks.json")
        _dump_json(result.meta, tmp / "meta.json")
        if _same_cleaned(tmp, out_dir):
            shutil.rmtree(tmp, ignore_errors=True)
            return out_dir
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.replace(out_dir, old)
        try:
            os.replace(tmp, out_dir)
        except BaseException:
            if old is not None:
                os.replace(old, out_dir)  # put the previous year back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def require_cleaned(directory: Path) -> Path:
    """`directory` if it holds a cleaned year (its meta.json), else a StageOrderError saying
    what to run first."""
    directory = Path(directory)
    if not (directory / "meta.json").is_file():
        year = directory.name if is_year_folder(directory.name) else "该"
        target = f" YEARS={year}" if year != "该" else ""
        raise StageOrderError(
            f"{year} 年度还没有清洗结果（{directory} 中没有 meta.json）。"
            "请先运行 notebooks/01_clean.ipynb（参数 year 相同），"
            f"或在终端运行 make report{target}。"
            f" / year not cleaned yet: run 01_clean first"
        )
    return directory


def read_processed(directory: Path) -> dict[str, Any]:
    """Every ``<table>.parquet`` of a processed year, by table name."""
    import pandas as pd

    directory = require_cleaned(directory)
    return {p.stem: pd.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}


def read_json(directory: Path, name: str) -> dict:
    """``checks.json`` or ``meta.json`` of a processed year (name without extension)."""
    return json.loads((require_cleaned(directory) / f"{name}.json").read_text(encoding="utf-8"))


def write_output(output_dir: Path, name: str, data: bytes | str) -> Path:
    """Write one report file into a year's output folder, which must be new, empty or ours.

    The folder is marked as an outputs folder, so that the batch may later replace it.
    """
    return write_atomic(folders.claim(output_dir, folders.OUTPUTS) / name, data)


def write_summary(summary: dict, processed_dir: Path) -> Path:
    """Write summary.json (headline figures, warnings) into `processed_dir` atomically."""
    folders.check_owned(processed_dir, folders.PROCESSED)
    return write_atomic(Path(processed_dir) / SUMMARY_FILE, json_text(summary))


def read_summary(processed_dir: Path) -> dict | None:
    """summary.json of a processed year, or None when it does not exist."""
    path = Path(processed_dir) / SUMMARY_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_results(text: str, processed_dir: Path) -> Path:
    """Write results.json (a year's figures, scores and checks, as 02 computed them)."""
    folders.check_owned(processed_dir, folders.PROCESSED)
    return write_atomic(Path(processed_dir) / RESULTS_FILE, text)


def read_results(processed_dir: Path) -> str:
    """results.json of a year, or a StageOrderError saying to run 02 first."""
    path = require_cleaned(processed_dir) / RESULTS_FILE
    if not path.is_file():
        raise StageOrderError(
            f"{processed_dir} 中还没有分析结果（results.json）。请先运行 notebooks/02_analyze.ipynb"
            "（参数 year 相同），或在终端运行 make report。 / run 02_analyze first"
        )
    return path.read_text(encoding="utf-8")


def read_units(processed_dir: Path) -> list[dict] | None:
    """units.json of a 主管部门's year (its units' results), or None for any other unit."""
    path = Path(processed_dir) / UNITS_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of units / units.json is not a list")
    return data
