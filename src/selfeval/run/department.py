"""The 主管部门's side of the batch: which unit-years are departments, what they depend on, and
what their build is given of their units.

A unit declares itself the 主管部门 of others with a 「下属单位」 row in its 单位概况 sheet, the
units named by folder (data/raw/<unit>/) or by their own 单位名称, separated by 、 or commas.
Such a unit-year is built after every other unit-year of the batch, and its stamp records the
hash of each declared unit's processed data of that year (``inputs["units"]``), so it is rebuilt
whenever any of its units changes.

How the units' results reach the department's build (documented in docs/architecture.md): the
batch passes `units_payload` (one entry per declared unit: folder, name, and the unit's stored
``results.json`` and ``summary.json`` as JSON values, or nulls when the unit has no built year)
to ``run.notebooks.build_year(units=…)``, which writes it as ``units.json`` into the
department's processed folder after 01 and before 02, where the department notebook reads it.
The payload travels with the task (bytes, not paths), so a cluster worker needs no shared
filesystem.
"""

from __future__ import annotations

import re
from pathlib import Path

from selfeval.config import Roots
from selfeval.rules import is_year_folder
from selfeval.run.plan import Key
from selfeval.store import hash_tree, load_json, load_json_dict, write_json_atomic

DECLARED_ITEM = "下属单位"
CACHE_FILE = ".departments.json"
_SPLIT = re.compile(r"[、,，;；\n]+")


def declared_units(raw_dir: Path) -> list[str] | None:
    """The 下属单位 a year folder's 单位概况 declares (in order, no duplicates), else None."""
    from selfeval.read import find_raw_files, trim_name

    sheet = find_raw_files(raw_dir).sheets.get("单位概况")
    if sheet is None or len(sheet.headers) < 2:
        return None
    for _, values in sheet.rows:
        if values and values[0] is not None and trim_name(values[0]) == DECLARED_ITEM:
            text = "" if len(values) < 2 or values[1] is None else str(values[1])
            names = [trim_name(n) for n in _SPLIT.split(text)]
            return list(dict.fromkeys(n for n in names if n)) or None
    return None


def declared_departments(roots: Roots, keys: list[Key]) -> dict[Key, list[str]]:
    """Department unit-years among `keys` (units of a several-unit project) and what each declares.

    Reading a 单位概况 costs a workbook read, so the answer is cached per unit-year by the raw
    folder's hash (outputs/.departments.json): an unchanged project reads no workbook.
    """
    candidates = [k for k in keys if k.unit]
    if not candidates:
        return {}
    cache_path = roots.outputs / CACHE_FILE
    cache = load_json_dict(cache_path)
    found: dict[Key, list[str]] = {}
    changed = False
    for key in candidates:
        folder = roots.raw / key.rel
        if folder.is_symlink() or not folder.is_dir():
            continue
        digest = hash_tree(folder)
        entry = cache.get(key.rel)
        if not isinstance(entry, dict) or entry.get("raw") != digest:
            entry = {"raw": digest, "units": declared_units(folder)}
            cache[key.rel] = entry
            changed = True
        if entry.get("units"):
            found[key] = list(entry["units"])
    if changed:
        roots.outputs.mkdir(parents=True, exist_ok=True)
        write_json_atomic(cache_path, cache)
    return found


def resolve(roots: Roots, key: Key, declared: list[str]) -> list[tuple[str, str | None]]:
    """Each declared entry with the unit folder it names (by folder name, then by 单位名称)."""
    folders = sorted(
        p.name
        for p in roots.raw.iterdir()
        if p.is_dir() and p.name != key.unit and not p.is_symlink()
    )
    names: dict[str, str] = {}
    for folder in folders:
        for year in (key.year, *_years_of(roots, folder)):
            meta = load_json(roots.processed / folder / str(year) / "meta.json")
            if isinstance(meta, dict) and meta.get("unit_name"):
                names.setdefault(str(meta["unit_name"]), folder)
                break
    resolved = []
    for entry in declared:
        if entry in folders:
            resolved.append((entry, entry))
        else:
            resolved.append((entry, names.get(entry)))
    return resolved


def _years_of(roots: Roots, folder: str) -> list[int]:
    base = roots.processed / folder
    if not base.is_dir():
        return []
    return sorted((int(p.name) for p in base.iterdir() if is_year_folder(p.name)), reverse=True)


def units_inputs(roots: Roots, key: Key, declared: list[str]) -> dict[str, str | None]:
    """What a department unit-year depends on: each declared unit's processed data that year."""
    return {
        entry: hash_tree(roots.processed / folder / str(key.year)) if folder else None
        for entry, folder in resolve(roots, key, declared)
    }


def units_payload(roots: Roots, key: Key, declared: list[str]) -> list[dict]:
    """What the department's build is given of each declared unit (see the module docstring)."""
    payload = []
    for entry, folder in resolve(roots, key, declared):
        processed = roots.processed / folder / str(key.year) if folder else None
        results = load_json(processed / "results.json") if processed else None
        summary = load_json(processed / "summary.json") if processed else None
        meta = load_json_dict(processed / "meta.json") if processed else {}
        payload.append(
            {
                "declared": entry,
                "folder": folder,
                "unit_name": meta.get("unit_name") or entry,
                "year": key.year,
                "results": results if isinstance(results, dict) else None,
                "summary": summary if isinstance(summary, dict) else None,
            }
        )
    return payload
