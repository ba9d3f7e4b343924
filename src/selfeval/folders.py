"""Which folders the product may write, replace or delete: only those it made itself.

A notebook's folder parameters come from a person (papermill ``-p processed_dir …``, JupyterLab):
a processed year is replaced as a whole, so a parameter pointing at the raw data, at ``data/``
or at a folder of someone else's would delete what was there. Every folder the product writes
a year into carries a marker file naming its kind; a folder is written only when it does not
exist, is empty, or carries the marker (or, for projects built before the marker, has the shape
of a product: ``meta.json`` of a processed year, ``stamp.json`` or ``failed/`` of an outputs
year) and holds nothing but products of that kind. The raw, processed and outputs folders of one
run must also lie apart. Each refusal is one message naming the folders, before anything is
touched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from selfeval.errors import FolderRefused

#: The marker's file name: hidden, so that content hashes of a folder leave it out.
MARKER = ".selfeval-folder"
PROCESSED = "processed"
OUTPUTS = "outputs"

#: What each kind of folder may hold besides the marker and hidden leftovers of our own
#: atomic writes (a processed year: one table per sheet and the JSON files 01/02/the batch
#: write; an outputs year: the report in its formats, the stamp, the build log, the failed
#: attempt kept for debugging, the screenshot, the 自评表 workbook).
_PRODUCTS = {
    PROCESSED: re.compile(r"[^/\\]+\.(parquet|json)"),
    OUTPUTS: re.compile(
        r"(report|review)\.(html|docx|pdf|ipynb|xlsx)|stamp\.json|build\.log|failed"
        r"|screenshot\.png|自评表\.xlsx"
    ),
}
#: A folder written before the marker existed is recognised by the file only we write there.
_LEGACY_SIGN = {PROCESSED: ("meta.json",), OUTPUTS: ("stamp.json", "failed/error.txt")}
_WHAT = {PROCESSED: "清洗结果目录", OUTPUTS: "报告输出目录"}


def marker_kind(path: Path) -> str | None:
    """The kind the folder's marker names, or None when it has no (readable) marker."""
    try:
        text = (Path(path) / MARKER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text in _PRODUCTS else None


def kind_of(path: Path) -> str | None:
    """The kind of a folder the product wrote: its marker's, else its legacy sign's, else None."""
    found = marker_kind(path)
    if found is not None:
        return found
    for kind, signs in _LEGACY_SIGN.items():
        if any((Path(path) / sign).exists() for sign in signs):
            return kind
    return None


def _visible(path: Path) -> list[str]:
    return sorted(name for name in os.listdir(path) if not name.startswith("."))


def ownership_problem(path: Path, kind: str, what: str | None = None) -> str | None:
    """Why `path` may not be written as a folder of `kind`, or None when it may.

    `what` names the folder for the message (a parameter name, say); the kind's Chinese name
    is used otherwise.
    """
    path = Path(path)
    label = what or _WHAT[kind]
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        return (
            f"{label} {path} 不是普通目录（是文件或符号链接），不予写入"
            f" / {path} is not a plain folder, refused"
        )
    if not path.exists():
        return None
    names = _visible(path)
    if not names and not (path / MARKER).exists():
        return None
    found = marker_kind(path)
    if found is not None and found != kind:
        return (
            f"{label} {path} 是 selfeval 的{_WHAT[found]}，不是{_WHAT[kind]}，不予写入；"
            "请检查目录参数 / folder of another kind, refused"
        )
    ours = found == kind or any((path / sign).exists() for sign in _LEGACY_SIGN[kind])
    foreign = [name for name in names if not _PRODUCTS[kind].fullmatch(name)]
    if ours and not foreign:
        return None
    listed = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 项" if len(foreign) > 5 else "")
    held = (
        f"其中有不是 selfeval 生成的文件（{listed}）" if foreign else "它不是 selfeval 生成的目录"
    )
    return (
        f"{label} {path} 已有内容，{held}。selfeval 只写入不存在的目录、空目录或它自己生成的"
        f"{_WHAT[kind]}，以免覆盖或删除原有文件；未做任何改动。请检查目录参数，或换一个空目录"
        f" / {path} holds files selfeval did not write: refused, nothing touched"
    )


def check_owned(path: Path, kind: str, what: str | None = None) -> None:
    """FolderRefused unless `path` may be written as a folder of `kind`."""
    problem = ownership_problem(path, kind, what)
    if problem:
        raise FolderRefused(problem)


def mark(path: Path, kind: str) -> None:
    """Write the marker into a folder the product made (a no-op when it is already there)."""
    marker = Path(path) / MARKER
    if marker_kind(path) != kind:
        marker.write_text(kind + "\n", encoding="utf-8")


def claim(path: Path, kind: str, what: str | None = None) -> Path:
    """Check `path`, create it when missing and mark it as a folder of `kind`; returns it."""
    check_owned(path, kind, what)
    Path(path).mkdir(parents=True, exist_ok=True)
    mark(path, kind)
    return Path(path)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def overlap_problem(named: dict[str, Path]) -> str | None:
    """Why two of the named folders overlap (one is the other or holds it), or None.

    Names are shown to the person (「原始数据目录 raw_dir」); folders are compared after
    resolving symbolic links, so a link cannot hide that two folders are one.
    """
    items = [(name, Path(path), _real(path)) for name, path in named.items() if path is not None]
    for i, (name_a, shown_a, real_a) in enumerate(items):
        for name_b, shown_b, real_b in items[i + 1 :]:
            if real_a == real_b:
                how = "是同一个目录"
            elif real_b.is_relative_to(real_a):
                how = "包含后者"
            elif real_a.is_relative_to(real_b):
                how = "位于后者之内"
            else:
                continue
            return (
                f"{name_a}（{shown_a}）与 {name_b}（{shown_b}）{how}：这两个目录不能重叠，"
                "否则写入一个会覆盖或删除另一个中的文件；未做任何改动。请检查目录参数"
                f" / {shown_a} and {shown_b} overlap, refused"
            )
    return None


def check_apart(named: dict[str, Path]) -> None:
    """FolderRefused when two of the named folders overlap."""
    problem = overlap_problem(named)
    if problem:
        raise FolderRefused(problem)
