"""One exception root (issue #25): every exception of the package is a `SelfevalError`, and a
`UserFacingError` ends a batch or a command as its message alone, one Chinese line, exit 1."""

from __future__ import annotations

import inspect

import pytest

from selfeval import cli, errors
from selfeval.config import Roots
from selfeval.run import batch

CLASSES = [
    cls
    for _name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, BaseException) and cls.__module__ == errors.__name__
]

#: Written by hand: the errors whose message is for the user (the batch used to list the
#: lock, frames and cluster ones; cli caught FrameError, clean_cli FolderRefused and InputError).
USER_FACING = {
    "InputError",
    "StageOrderError",
    "FolderRefused",
    "ProjectMismatch",
    "FrameError",
    "LockError",
    "ClusterSettingError",
    "SchedulerUnavailable",
    "SchedulerLost",
    "SchedulerUnresponsive",
    "NoWorkers",
    "WorkersOutOfDate",
    "MemberResultsError",
    "PackFormError",
}


def test_every_exception_class_derives_from_the_root() -> None:
    assert len(CLASSES) >= 20
    for cls in CLASSES:
        assert issubclass(cls, errors.SelfevalError), cls.__name__


def test_the_user_facing_kind_is_the_one_written_for_the_user() -> None:
    facing = {c.__name__ for c in CLASSES if issubclass(c, errors.UserFacingError)}
    assert facing == USER_FACING | {"UserFacingError"}
    # the OSError and ValueError callers catch stay what they were
    assert issubclass(errors.FolderRefused, OSError)
    assert issubclass(errors.FrameError, ValueError)
    refused = errors.FolderRefused("「outputs」里有不是本程序写入的文件")
    assert refused._render_traceback_() == ["FolderRefused: 「outputs」里有不是本程序写入的文件"]


MESSAGE = "输出目录 outputs/2024 含有不是本程序写入的文件，未做任何改动 / refused"


def test_a_user_facing_error_ending_a_batch_is_one_line(tmp_path, monkeypatch, capsys) -> None:
    """FolderRefused was not in the batch's old list: it ended `build` with a traceback."""
    (Roots.of(tmp_path).raw / "2024").mkdir(parents=True)

    def refuse(*args, **kwargs):
        raise errors.FolderRefused(MESSAGE)

    monkeypatch.setattr(batch, "run_batch", refuse)
    assert batch.build(root=tmp_path, index=False) == 1
    assert capsys.readouterr().err == MESSAGE + "\n"


def test_a_user_facing_error_ending_a_command_is_one_line(monkeypatch, capsys) -> None:
    """cli.main caught only FrameError: a LockError from any command gave a traceback."""

    message = "锁文件 outputs/.batch.lock 是一个文件夹，请删除或改名 / lock"

    def locked(args):
        raise errors.LockError(message)

    monkeypatch.setattr(cli, "_command", locked)
    monkeypatch.setattr("selfeval.config.project_mismatch", lambda: None)
    assert cli.main(["pdf"]) == 1
    assert capsys.readouterr().err == message + "\n"


def test_a_program_failure_is_not_swallowed(monkeypatch) -> None:
    """Only the user-facing kind is caught: a failure of the program keeps its traceback."""

    def broken(args):
        raise errors.KernelSetupError("boom")

    monkeypatch.setattr(cli, "_command", broken)
    monkeypatch.setattr("selfeval.config.project_mismatch", lambda: None)
    with pytest.raises(errors.KernelSetupError):
        cli.main(["pdf"])
