"""A raw file's bytes, read once: no symlink, a regular file, bounded size, hashed.

The year's data must be what the analyst put into ``data/raw/<年份>/``, so a data file (or the
year folder) that is a symlink is refused with a message saying where it points, never
followed: a link to ``/etc/passwd`` must not end up in a report. The file is opened with
``O_NOFOLLOW``, so a file swapped for a link after the folder was listed is refused too.

The bytes that are hashed (``RawInput.digests``, then ``meta.json``) are the bytes that are
parsed: a workbook saved again while a build runs cannot give a report of one version stamped
with the hash of another.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from selfeval.contract.limits import MiB
from selfeval.read.sheet import RawInput, ReadProblem

SYMLINK_EXPECTED = "把数据文件本身（不是链接）放在 data/raw/<年份>/ 目录中"
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO named 活动.csv must not block the build
    | getattr(os, "O_CLOEXEC", 0)
)


def symlink_message(path: Path) -> str:
    """「是符号链接（指向 …），不读取」 for a path that is a symlink."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "（无法读取链接目标）"
    return f"是符号链接（指向 {target}），不读取"


def file_problem(code: str, name: str, message: str, expected: str = "") -> ReadProblem:
    """A whole-file problem of a reader."""
    return ReadProblem(name, None, None, None, None, expected, message, code=code)


def read_source(path: Path, limit: int, into: RawInput) -> bytes | None:
    """The bytes of ``path`` (at most ``limit``), their SHA-256 recorded in ``into.digests``;
    or None with one problem in ``into.problems``."""
    name = path.name
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            into.problems.append(
                file_problem("symlink", name, symlink_message(path), SYMLINK_EXPECTED)
            )
        else:
            into.problems.append(
                file_problem("unreadable_file", name, f"无法打开文件（{exc.strerror}）")
            )
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            into.problems.append(file_problem("not_regular", name, "不是普通文件，不读取"))
            return None
        if st.st_size > limit:
            into.problems.append(_too_large(name, st.st_size, limit))
            return None
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            into.problems.append(
                file_problem("unreadable_file", name, f"读取文件出错（{exc.strerror}）")
            )
            return None
    if len(data) > limit:  # it grew after fstat
        into.problems.append(_too_large(name, len(data), limit))
        return None
    into.digests[name] = hashlib.sha256(data).hexdigest()
    return data


def _too_large(name: str, size: int, limit: int) -> ReadProblem:
    return file_problem(
        "file_too_large",
        name,
        f"文件有 {size / MiB:,.1f} MB，超过上限 {limit // MiB} MB",
        "删除图片等无关内容，只保留约定的表、列和数据行",
    )
