"""Writes `outputs/index.html` from what the output folders hold, only when something changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.errors import MemberResultsError
from selfeval.rules import is_year_folder, visible
from selfeval.run.plan import FAILED_DIR
from selfeval.store import hash_tree, load_json_dict, write_atomic, write_json_atomic

INDEX_FILE = "index.html"
INDEX_STAMP = ".index-stamp.json"
STATUS_DRAFT = "草稿（数据未齐，不可报送）"
#: Said of outputs whose raw folder is gone (a renamed unit folder leaves its old outputs).
STATUS_NO_RAW = "data/raw/{rel}/ 已不存在：这是旧的输出，不再更新，可删除 outputs/{rel}/"


def year_folders(outputs: Path) -> list[tuple[str, Path]]:
    """(unit folder or "", outputs/<rel>) of every year folder, single-unit layout first."""
    found: list[tuple[str, Path]] = []
    if not outputs.is_dir():
        return found
    units = []
    for entry in sorted(outputs.iterdir()):
        if not entry.is_dir() or entry.is_symlink() or entry.name.startswith("."):
            continue
        if is_year_folder(entry.name):
            found.append(("", entry))
        else:
            units.append(entry)
    for unit in units:
        found += [(unit.name, e) for e in sorted(unit.iterdir()) if is_year_folder(e.name)]
    return found


def _link(folder: Path, rel: str, name: str) -> str | None:
    """Relative link to a product of a year folder, None when the year has not got it."""
    return f"{rel}/{name}" if (folder / name).is_file() else None


def collect_years(roots: Roots) -> list[dict]:
    """One record per unit-year with an output folder: unit, status, data date, figures, links."""
    # here: present.index costs ~0.8 s (pandas); run.pdf imports this module for year_folders
    from selfeval.present import index as page

    records = []
    for folder, entry in year_folders(roots.outputs):
        if not entry.is_dir():
            continue
        year = int(entry.name)
        rel = f"{folder}/{entry.name}" if folder else entry.name
        has_report = (entry / "report.html").is_file()
        failed = (entry / FAILED_DIR).is_dir()
        if not has_report and not failed:
            continue
        processed = roots.processed / rel
        summary = load_json_dict(processed / "summary.json") if has_report else {}
        meta = load_json_dict(processed / "meta.json") if has_report else {}
        figures = {key: summary.get(key) for key, *_ in page.FIGURES}
        built, kept = page.STATUS_BUILT, page.STATUS_FAILED_KEPT
        status = (kept if failed else built) if has_report else page.STATUS_FAILED
        if has_report and summary.get("missing"):  # a 草稿: the 报送稿 lacks required items
            status = STATUS_DRAFT if not failed else f"{kept}；{STATUS_DRAFT}"
        if not (roots.raw / rel).is_dir():  # a renamed or removed unit's leftover outputs
            status += f"；{STATUS_NO_RAW.format(rel=visible(rel))}"
        records.append(
            {
                "year": year,
                "folder": folder,
                "unit": meta.get("unit_name") or summary.get("unit_name") or "",
                "data_date": meta.get("data_date") or summary.get("data_date") or "",
                "status": status,
                "failed": failed,
                "report": f"{rel}/report.html" if has_report else None,
                "docx": _link(entry, rel, "report.docx") if has_report else None,
                "pdf": _link(entry, rel, "report.pdf") if has_report else None,
                "error": f"{rel}/{FAILED_DIR}/error.txt"
                if (entry / FAILED_DIR / "error.txt").is_file()
                else None,
                "figures": figures,
                "overview": _overview(processed) if has_report else None,
            }
        )
    return records


def _overview(processed: Path) -> dict:
    """Score, grade, execution rate and ⚠ checks of a built year, from its results.json."""
    # here: ~0.8 s (pandas), as collect_years
    from selfeval.figures.department import unit_row
    from selfeval.figures.members import MemberYear

    results = load_json_dict(processed / "results.json")
    try:
        member = MemberYear.from_json(results, f"{processed}/results.json") if results else None
    except MemberResultsError:
        member = None  # an altered or outdated file: no figures shown (its year says why)
    row = unit_row("", member)
    return {
        "score": row.score,
        "grade": row.grade,
        "execution_rate": row.execution_rate,
        "flagged": row.flagged_checks,
    }


def _index_key(roots: Roots) -> str:
    """Hash of everything the page shows, so an unchanged batch skips matplotlib entirely."""
    digest = hashlib.sha256()
    for path in (Path(__file__), config.PACKAGE_DIR / "present", config.TEMPLATES_DIR / "index"):
        digest.update(f"{path.name}:{hash_tree(path)}\n".encode())
    for folder, entry in year_folders(roots.outputs):
        rel = f"{folder}/{entry.name}" if folder else entry.name
        processed = roots.processed / rel
        parts = [
            rel,
            str((roots.raw / rel).is_dir()),  # shown: a leftover's raw folder is gone
            str((entry / "report.html").is_file()),
            str(hash_tree(entry / "report.docx") is not None),
            str(hash_tree(entry / "report.pdf") is not None),
            str((entry / FAILED_DIR / "error.txt").is_file()),
            str(hash_tree(processed / "summary.json")),
            str(hash_tree(processed / "meta.json")),
            str(hash_tree(processed / "results.json")),
        ]
        digest.update(("|".join(parts) + "\n").encode())
    return digest.hexdigest()


def write_index(roots: Roots | None = None) -> Path:
    """Write outputs/index.html (atomically) from what the output folders hold; returns it."""
    from selfeval.present import index as page  # here: as in collect_years

    roots = roots or Roots.of()
    roots.outputs.mkdir(parents=True, exist_ok=True)
    return write_atomic(roots.outputs / INDEX_FILE, page.render_index(collect_years(roots)))


def write_index_if_changed(roots: Roots | None = None) -> Path:
    """Rewrite the index only when a year's outputs or figures (or this page's code) changed."""
    roots = roots or Roots.of()
    key = _index_key(roots)
    target = roots.outputs / INDEX_FILE
    stamp = load_json_dict(roots.outputs / INDEX_STAMP)
    if target.is_file() and stamp.get("key") == key and stamp.get("page") == hash_tree(target):
        return target
    write_index(roots)
    write_json_atomic(roots.outputs / INDEX_STAMP, {"key": key, "page": hash_tree(target)})
    return target
