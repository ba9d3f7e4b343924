"""The 主管部门's side of the batch: which unit-years are departments, what they depend on, and
what their build is given of their units.

A unit declares itself the 主管部门 of others with a 「下属单位」 row in its 单位概况 sheet, the
units named by folder (data/raw/<unit>/) or by their own 单位名称 (as the raw data of that year
states it), separated by 、 or commas. A unit may itself be a department: the batch builds in
waves (`plan_departments`), each department after every department among its units, so one run
leaves each department built from its units' results of that run. Its stamp records the hash of
each declared unit's processed data of that year (``inputs["units"]``, taken when its wave
starts), so it is rebuilt whenever any of its units changes; a unit built alone brings its
departments into the run. A unit listed twice (by folder and by name, or twice by either), a
name several folders share, the unit itself, and departments that list each other are errors
of the department's year (nothing of it is built, other unit-years are): summing such a list
would count a unit twice or never settle.

How the units' results reach the department's build (documented in docs/architecture.md): the
batch passes `units_payload` (one entry per declared unit: folder, name, and the unit's stored
``results.json`` and ``summary.json`` as JSON values, or nulls when the unit has no built year)
to ``run.notebooks.build_year(units=…)``, which writes it as ``units.json`` into the
department's processed folder after 01 and before 02, where the department notebook reads it
into typed members (`figures.members.units_from_json`, the one reader of this shape: it names
the unit whose results are malformed). The payload travels with the task (bytes, not paths), so
a cluster worker needs no shared filesystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from selfeval.config import Roots
from selfeval.run.plan import BUILT, Key, YearPlan
from selfeval.store import hash_tree, load_json, load_json_dict, write_json_atomic

DECLARED_ITEM = "下属单位"
NAME_ITEM = "单位名称"
CACHE_FILE = ".departments.json"
#: Version of a cache entry: 2 holds the unit-year's own 单位名称 (names are resolved from the
#: raw data, so a unit renamed in this run is found under its new name) and keeps repeats.
CACHE_VERSION = 2
_SPLIT = re.compile(r"[、,，;；\n]+")

#: A department's members: each declared entry with the unit folder it names (None: no unit).
Members = list[tuple[str, str | None]]


def unit_items(raw_dir: Path) -> tuple[str | None, list[str] | None]:
    """A year folder's own 单位名称 and the 下属单位 its 单位概况 declares (in order, repeats
    kept: a unit listed twice is an error, not silently merged), each None when not given."""
    from selfeval.read import find_raw_files, trim_name  # only when the cache misses

    sheet = find_raw_files(raw_dir).sheets.get("单位概况")
    if sheet is None or len(sheet.headers) < 2:
        return None, None
    found: dict[str, str] = {}
    for _, values in sheet.rows:
        item = trim_name(values[0]) if values and values[0] is not None else ""
        if item in (NAME_ITEM, DECLARED_ITEM) and item not in found:
            found[item] = "" if len(values) < 2 or values[1] is None else str(values[1])
    name = trim_name(found.get(NAME_ITEM, "")) or None
    names = [trim_name(n) for n in _SPLIT.split(found.get(DECLARED_ITEM, ""))]
    return name, [n for n in names if n] or None


@dataclass
class DepartmentPlan:
    """Which unit-years are departments, what each counts, and the order to build in.

    `waves`: the unit-years to build, wave by wave; a department is in a later wave than every
    unit-year it counts, so that it reads their results of this very run. `members`:
    each valid department's entries and the folders they name. `problems`: departments that
    cannot be built (a unit listed twice, a name two folders share, the unit itself, a cycle),
    one message per root cause, naming the entries and folders.
    """

    waves: list[list[Key]]
    members: dict[Key, Members] = field(default_factory=dict)
    problems: dict[Key, str] = field(default_factory=dict)

    def stale_notes(self, plans: list[YearPlan]) -> list[str]:
        """A line per department left out of a run in which one of its units was rebuilt: its
        report no longer matches them, and the line says what to run."""
        asked = {p.key for p in plans}
        built = {p.key for p in plans if p.status == BUILT}
        notes = []
        for key, members in sorted(self.members.items()):
            units = [f for _, f in members if f and Key(f, key.year) in built]
            if units and key not in asked:
                notes.append(
                    f"{'、'.join(units)} 的 {key.year} 年度已重新生成，其主管部门"
                    f" data/raw/{key.rel} 不在本次生成之列，报告中的部门整体仍是旧的："
                    f'请运行 make report {_units_arg(key)}YEARS="{key.year}"'
                    f" / the department {key.rel} of"
                    f" {', '.join(units)} was not rebuilt: build it too"
                )
        return notes


def _units_arg(key: Key) -> str:
    """The UNITS="…" of the command that builds `key` (none for the single-unit layout)."""
    return f'UNITS="{key.unit}" ' if key.unit else ""


def plan_departments(roots: Roots, keys: list[Key], found: list[Key]) -> DepartmentPlan:
    """Order `keys` (the unit-years asked for) so that each department follows its units.

    `found`: every unit-year of the project (names are resolved over all of them). A
    department not among `keys` is not built (`make report UNITS=…` builds what it names); when
    one of its units was, `stale_notes` says so after the build.
    """
    # the single-unit layout (data/raw/<year>/, unit "") may be a department too: its units
    # are then named and counted as having no data, unless unit folders beside it hold theirs
    items = _scan(roots, found)
    departments = {k: list(v[1]) for k, v in items.items() if v[1]}
    members: dict[Key, Members] = {}
    problems: dict[Key, str] = {}
    for key, declared in departments.items():
        resolved, messages = _resolve(key, declared, items)
        members[key] = resolved
        if messages:  # one line (the batch's summary shows one per year), one clause a cause
            problems[key] = "；".join(messages)
    graph = {
        key: [Key(f, key.year) for _, f in resolved if f and Key(f, key.year) in departments]
        for key, resolved in members.items()
        if key not in problems
    }
    for cycle in _cycles(graph):
        problems[cycle[0]] = _cycle_message(cycle, graph, items)
        for key in cycle[1:]:  # the cause is said once, with the first of the cycle
            problems[key] = (
                f"data/raw/{key.rel} 与其他主管部门互相列为下属单位，见 data/raw/{cycle[0].rel}"
                f" 的错误 / in a cycle of departments, see {cycle[0].rel}"
            )
    # what the waves order: each valid department after the unit-years it counts
    graph = {
        key: [Key(f, key.year) for _, f in resolved if f]
        for key, resolved in members.items()
        if key not in problems
    }
    chosen = sorted(keys)
    levels: dict[Key, int] = {}
    waves: list[list[Key]] = []
    for key in chosen:
        level = _level(key, graph, set(chosen), levels)
        waves += [[] for _ in range(level + 1 - len(waves))]
        waves[level].append(key)
    return DepartmentPlan(
        [w for w in waves if w],
        {k: v for k, v in members.items() if k not in problems},
        {k: v for k, v in problems.items() if k in chosen},
    )


def _scan(roots: Roots, keys: list[Key]) -> dict[Key, tuple[str | None, list[str] | None]]:
    """Each unit-year's 单位名称 and declared 下属单位, read from its raw folder.

    Reading a 单位概况 costs a workbook read, so the answer is cached per unit-year by the raw
    folder's hash (outputs/.departments.json): an unchanged project reads no workbook.
    """
    cache_path = roots.outputs / CACHE_FILE
    cache = load_json_dict(cache_path)
    found: dict[Key, tuple[str | None, list[str] | None]] = {}
    changed = False
    for key in keys:
        folder = roots.raw / key.rel
        unit_link = bool(key.unit) and (roots.raw / key.unit).is_symlink()
        if folder.is_symlink() or unit_link or not folder.is_dir():
            continue
        digest = hash_tree(folder)
        entry = cache.get(key.rel)
        if (
            not isinstance(entry, dict)
            or entry.get("raw") != digest
            or entry.get("version") != CACHE_VERSION
        ):
            name, declared = unit_items(folder)
            entry = {"version": CACHE_VERSION, "raw": digest, "name": name, "units": declared}
            cache[key.rel] = entry
            changed = True
        found[key] = (entry.get("name"), list(entry.get("units") or []) or None)
    if changed:
        roots.outputs.mkdir(parents=True, exist_ok=True)
        write_json_atomic(cache_path, cache)
    return found


def _names(year: int, items: dict[Key, tuple[str | None, list[str] | None]]) -> dict[str, list]:
    """单位名称 -> the unit folders of that name in `year`, sorted; a name no folder has in
    `year` -> the folders whose latest year has it (a unit without data that year is still
    recognised, and reported as such)."""
    this_year: dict[str, list[str]] = {}
    latest: dict[str, Key] = {}
    for key in sorted(items):
        name = items[key][0]
        if key.year == year and name:
            this_year.setdefault(name, []).append(key.unit)
        latest[key.unit] = key  # sorted: the last one is the latest year
    names: dict[str, list[str]] = {}
    for folder, key in sorted(latest.items()):
        name = items[key][0]
        if name and name not in this_year:
            names.setdefault(name, []).append(folder)
    return {**names, **this_year}


def _resolve(
    key: Key, declared: list[str], items: dict[Key, tuple[str | None, list[str] | None]]
) -> tuple[Members, list[str]]:
    """Each entry with the folder it names (by folder name, then by 单位名称), and one message
    per problem: the unit itself, a name several folders share, a unit listed twice."""
    folders = {k.unit for k in items}
    names = _names(key.year, items)
    where = f"data/raw/{key.rel} 的「单位概况」「{DECLARED_ITEM}」"
    resolved: Members = []
    messages: list[str] = []
    by_folder: dict[str, list[str]] = {}
    for entry in declared:
        candidates = [entry] if entry in folders else names.get(entry, [])
        if len(candidates) > 1:
            shown = "、".join(f"data/raw/{f}/" for f in candidates)
            messages.append(
                f"{where}中的「{entry}」是 {shown} {len(candidates)} 个单位目录共同的单位名称，"
                f"无法确定指哪一个：请改写为目录名，或更正重名单位的单位名称"
                f" / 「{entry}」 is the 单位名称 of several unit folders: {shown}"
            )
            resolved.append((entry, None))
            continue
        folder = candidates[0] if candidates else None
        if folder == key.unit:
            messages.append(
                f"{where}列出了本单位自己（「{entry}」，data/raw/{key.unit or key.year}/）："
                "主管部门的本级已计入部门整体，请从下属单位中删去"
                " / the unit lists itself as its own unit"
            )
        by_folder.setdefault(folder or f"?{entry}", []).append(entry)
        resolved.append((entry, folder))
    for folder, entries in by_folder.items():
        if len(entries) > 1 and folder != key.unit:
            listed = "、".join(f"「{e}」" for e in entries)
            unit = f"同一个单位（data/raw/{folder}/）" if not folder.startswith("?") else "同一项"
            messages.append(
                f"{where}中{listed}是{unit}，列了 {len(entries)} 次，会被重复计入合计："
                f"请只列一次 / a unit listed {len(entries)} times: {listed}"
            )
    return resolved, messages


def _cycles(graph: dict[Key, list[Key]]) -> list[list[Key]]:
    """The cycles among departments (strongly connected groups of more than one), each sorted."""
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    stack: list[Key] = []
    cycles: list[list[Key]] = []

    def visit(node: Key) -> None:  # Tarjan; departments are few, recursion is shallow
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def _cycle_message(cycle: list[Key], graph: dict[Key, list[Key]], items: dict) -> str:
    """One message for a cycle: each department in it and what it lists of the others."""

    def shown(key: Key) -> str:
        name = items.get(key, (None, None))[0]
        return f"data/raw/{key.rel}（{name}）" if name else f"data/raw/{key.rel}"

    chain = "，".join(
        f"{shown(key)} 列出 " + "、".join(f"data/raw/{k.rel}" for k in graph[key] if k in cycle)
        for key in cycle
    )
    folders = "、".join(k.unit for k in cycle)
    return (
        f"主管部门互相列为下属单位（{chain}）：部门整体无法计算，请在「单位概况」「{DECLARED_ITEM}」"
        f"中去掉其中一方 / departments list each other as units: {folders}"
    )


def _level(key: Key, graph: dict[Key, list[Key]], chosen: set[Key], levels: dict[Key, int]) -> int:
    """The wave of a unit-year: after every department among its units (a department of plain
    units is 1) and never before its own year-1 when that is built too (a year reads year-1's
    data of this run). Cycles are problems, absent from `graph`'s keys, and year-1 is earlier,
    so this terminates."""
    if key not in levels:
        deps = graph.get(key, [])
        own = 1 + max((_level(k, graph, chosen, levels) for k in deps), default=0)
        previous = _level(key.prev, graph, chosen, levels) if key.prev in chosen else 0
        levels[key] = max(own if key in graph else 0, previous)
    return levels[key]


def units_inputs(roots: Roots, key: Key, members: Members) -> dict[str, str | None]:
    """What a department unit-year depends on: each declared unit's processed data that year
    (hashed when its wave is decided, so after its units of this run are committed)."""
    return {
        entry: hash_tree(roots.processed / folder / str(key.year)) if folder else None
        for entry, folder in members
    }


def units_payload(roots: Roots, key: Key, members: Members) -> list[dict]:
    """What the department's build is given of each declared unit (see the module docstring):
    JSON values, as they travel to a worker and are stored in units.json; 02 reads them back
    with `figures.members.MemberUnit.from_json`, whose `_Entry` is this entry's shape."""
    payload = []
    for entry, folder in members:
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
