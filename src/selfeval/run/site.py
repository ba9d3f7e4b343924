"""Writes `outputs/index.html` from what the output folders hold, only when something changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.rules import is_year_folder
from selfeval.store import hash_tree, load_json_dict, write_atomic, write_json_atomic

INDEX_FILE = "index.html"
INDEX_STAMP = ".index-stamp.json"
FAILED_DIR = "failed"
STATUS_BUILT = "已生成"
STATUS_FAILED_KEPT = "最近一次生成失败（保留上次报告）"
STATUS_FAILED = "生成失败"


def _link(folder: Path, name: str) -> str | None:
    """Relative link to a product of a year folder, None when the year has not got it."""
    return f"{folder.name}/{name}" if (folder / name).is_file() else None


def collect_years(roots: Roots) -> list[dict]:
    """One record per year with an output folder: unit, status, data date, figures, links."""
    from selfeval.present import index as page

    records = []
    if not roots.outputs.is_dir():
        return records
    for entry in sorted(roots.outputs.iterdir()):
        if not (entry.is_dir() and is_year_folder(entry.name)):
            continue
        year = int(entry.name)
        has_report = (entry / "report.html").is_file()
        failed = (entry / FAILED_DIR).is_dir()
        if not has_report and not failed:
            continue
        processed = roots.processed / entry.name
        summary = load_json_dict(processed / "summary.json") if has_report else {}
        meta = load_json_dict(processed / "meta.json") if has_report else {}
        figures = {key: summary.get(key) for key, *_ in page.FIGURES}
        figures["participants"] = page.participants(summary)
        records.append(
            {
                "year": year,
                "unit": meta.get("unit_name") or summary.get("unit_name") or "",
                "data_date": meta.get("data_date") or summary.get("data_date") or "",
                "status": (STATUS_FAILED_KEPT if failed else STATUS_BUILT)
                if has_report
                else STATUS_FAILED,
                "failed": failed,
                "report": f"{entry.name}/report.html" if has_report else None,
                "docx": _link(entry, "report.docx") if has_report else None,
                "pdf": _link(entry, "report.pdf") if has_report else None,
                "error": f"{entry.name}/{FAILED_DIR}/error.txt"
                if (entry / FAILED_DIR / "error.txt").is_file()
                else None,
                "figures": figures,
            }
        )
    return records


def _index_key(roots: Roots) -> str:
    """Hash of everything the page shows, so an unchanged batch skips matplotlib entirely."""
    digest = hashlib.sha256()
    for path in (Path(__file__), config.PACKAGE_DIR / "present", config.TEMPLATES_DIR / "index"):
        digest.update(f"{path.name}:{hash_tree(path)}\n".encode())
    if roots.outputs.is_dir():
        for entry in sorted(roots.outputs.iterdir()):
            if entry.is_dir() and is_year_folder(entry.name):
                processed = roots.processed / entry.name
                parts = [
                    entry.name,
                    str((entry / "report.html").is_file()),
                    str(hash_tree(entry / "report.docx") is not None),
                    str(hash_tree(entry / "report.pdf") is not None),
                    str((entry / FAILED_DIR / "error.txt").is_file()),
                    str(hash_tree(processed / "summary.json")),
                    str(hash_tree(processed / "meta.json")),
                ]
                digest.update(("|".join(parts) + "\n").encode())
    return digest.hexdigest()


def write_index(roots: Roots | None = None) -> Path:
    """Write outputs/index.html (atomically) from what the output folders hold; returns it."""
    from selfeval.present import index as page

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
