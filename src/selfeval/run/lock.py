"""One batch at a time: the lock on outputs/.batch.lock, which names its holder to a batch that
waits, and never lets it wait forever (SELFEVAL_LOCK_TIMEOUT)."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

from selfeval import config
from selfeval.errors import LockError
from selfeval.run.plan import LOCK_FILE, rel_path

try:
    import fcntl
except ImportError:  # Windows: _PortableLock
    fcntl = None


class _Busy(Exception):
    """The lock is held by another batch."""


#: Seconds a second batch waits for the lock before it gives up (issue 27: never forever).
LOCK_TIMEOUT_ENV = "SELFEVAL_LOCK_TIMEOUT"
LOCK_TIMEOUT_DEFAULT = 300.0
_LOCK_POLL = 0.2


class _PosixLock:
    """An exclusive `fcntl.flock` on the lock file, as filelock's UnixFileLock takes it (the
    kernel drops it when the holder dies, so a dead holder's lock is simply taken; the
    descriptor is not inherited by kernels started with exec), without filelock's import: 25 ms,
    an eighth of a no-op build. The holder writes who it is into the file (flock is advisory,
    the bytes are free): a waiting batch names it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise _Busy (never blocks: the caller bounds the wait)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _Busy from None
        except OSError:
            os.close(fd)
            raise
        self.fd = fd
        with contextlib.suppress(OSError):  # who holds it is a courtesy, not a condition
            data = json.dumps(_holder(), ensure_ascii=False).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)

    def holder(self) -> dict | None:
        try:
            with open(self.path, encoding="utf-8") as f:
                found = json.loads(f.read(4096))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class _PortableLock:
    """filelock's FileLock where fcntl does not exist (Windows); the holder is not recorded."""

    def __init__(self, path: str) -> None:
        from filelock import FileLock  # Windows only: 25 ms the POSIX path does not pay

        self.lock = FileLock(path)

    def acquire(self) -> None:
        from filelock import Timeout  # as above

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            raise _Busy from None

    def holder(self) -> dict | None:
        return None

    def release(self) -> None:
        self.lock.release()


def _holder() -> dict[str, object]:
    """Who takes the lock: pid, host, start time and command, shown to a batch that waits."""
    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "command": shlex.join(argv)[:300],
    }


def _holder_text(holder: dict | None) -> str:
    if not holder:
        return "持有者未知 / holder unknown"
    return (
        f"进程 {holder.get('pid')}，主机 {holder.get('host')}，开始于 {holder.get('started')}，"
        f"命令 {holder.get('command')}"
    )


def lock_timeout() -> float:
    """SELFEVAL_LOCK_TIMEOUT in seconds (default 300); a value that is no number is a LockError."""
    try:
        return config.env_seconds(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT_DEFAULT, zero=True, most=1e9)
    except ValueError as exc:
        raise LockError(str(exc)) from None


@contextlib.contextmanager
def batch_lock(outputs_root: Path, say=print):
    """Hold the batch lock; a second batch says who holds it and waits, at most
    SELFEVAL_LOCK_TIMEOUT seconds (then a LockError naming the holder: a forgotten build must not
    make the next one wait forever without a word).

    A lock path that is a folder (or unusable otherwise) is a LockError naming it, never a
    traceback: the batch cannot know whether that folder is someone's, so it does not remove it.
    """
    outputs_root.mkdir(parents=True, exist_ok=True)
    path = outputs_root / LOCK_FILE
    shown = rel_path(path)
    if path.is_dir() and not path.is_symlink():
        raise LockError(
            f"锁文件 {shown} 是一个目录，批量生成无法加锁：请删除或改名该目录后重试"
            f" / the lock path {shown} is a folder: remove or rename it"
        )
    timeout = lock_timeout()
    lock = _PosixLock(str(path)) if os.name == "posix" else _PortableLock(str(path))
    try:
        _acquire(lock, shown, timeout, say)
    except OSError as exc:
        raise LockError(
            f"无法使用锁文件 {shown}（{exc.strerror or exc}）：请检查该路径的权限或删除它后重试"
            f" / cannot use the lock file {shown}: {exc}"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _acquire(lock, shown: str, timeout: float, say) -> None:
    try:
        lock.acquire()
        return
    except _Busy:
        pass
    say(
        f"另一个批量生成正在运行（{_holder_text(lock.holder())}），等待其结束，"
        f"最多 {timeout:g} 秒（{LOCK_TIMEOUT_ENV}）… / another batch is running, waiting for it"
    )
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(max(0.0, min(_LOCK_POLL, deadline - time.monotonic())))
        try:
            lock.acquire()
            return
        except _Busy:
            if time.monotonic() >= deadline:
                break
    raise LockError(
        f"等待 {timeout:g} 秒后锁文件 {shown} 仍被另一个批量生成占用"
        f"（{_holder_text(lock.holder())}）：未生成任何报告，已有输出未改动。请等它结束，或确认该进程已不再需要后结束它再重试；"
        f"等待时间可用环境变量 {LOCK_TIMEOUT_ENV}（秒）设置"
        f" / the batch lock {shown} is still held after {timeout:g} s; nothing was built"
    )
