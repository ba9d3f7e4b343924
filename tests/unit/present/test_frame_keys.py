"""Frame files as someone else writes them: every key checked, each mistake one FrameError naming
the file and the key; the title filled literally; the frames folder part of the years' hash.
(Whole builds with a bad frames folder: tests/e2e/test_frame_files.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from selfeval import config
from selfeval.errors import FrameError
from selfeval.present import build, frames
from selfeval.run.batch import code_hashes
from tests.unit.present.contexts import context

SECTION = '\n[[sections]]\nkey = "a"\ntitle = "甲"\nblocks = ["other"]\n'


def _title_of(title: str, unit: str) -> str:
    frame = frames.parse_frame("t", f"title = {title!r}\n" + SECTION)
    return build.document_from_context(context(year=2031, unit_name=unit), frame).title


def test_title_fills_unit_and_year_as_text_and_evaluates_nothing():
    # a unit's name is put in as written, never read as a placeholder or a format
    assert _title_of("{unit}{year}年报告", "{year}馆{unit.__class__}") == (
        "{year}馆{unit.__class__}2031年报告"
    )
    assert _title_of("{{年度}}{year}", "某馆") == "{年度}2031"


@pytest.mark.parametrize(
    "title",
    [
        "{unit.__class__.__mro__}{year}",
        "{unit}{year:>20000000}",
        "{year!r}",
        "{unit[0]}",
        "{0}",
        "{}",
        "{单位}",
        "{unit",
        "year}",
    ],
)
def test_any_other_placeholder_in_a_title_is_an_error_naming_file_and_key(title):
    with pytest.raises(FrameError) as caught:
        frames.parse_frame("t", f"title = {title!r}\n" + SECTION, "/x/t.toml")
    message = str(caught.value)
    assert message.startswith("报告框架 /x/t.toml：title 中的「")
    assert "{unit}（单位名称）、{year}（年度）" in message


def test_a_title_is_at_most_a_hundred_characters():
    frames.parse_frame("t", f"title = {'题' * 100!r}\n" + SECTION)
    with pytest.raises(FrameError, match="title 有 101 个字符，至多 100 个"):
        frames.parse_frame("t", f"title = {'题' * 101!r}\n" + SECTION)


@pytest.mark.parametrize(
    "text, message",
    [
        ("toc = 1\n" + SECTION, "toc 必须是 true 或 false"),
        ('cover_page = "false"\n' + SECTION, "cover_page 必须是 true 或 false"),
        ("setting = 3\n" + SECTION, "setting 必须是字符串"),
        ("name = []\n" + SECTION, "name 必须是字符串"),
        ("cover = [1]\n" + SECTION, "cover 的第 1 项必须是表"),
        (
            'cover = [{ field = "year", labl = "年" }]\n' + SECTION,
            "cover 的第 1 项有未知的字段 labl",
        ),
        ('cover = [{ field = "year", label = 1 }]\n' + SECTION, "cover 的第 1 项的 label"),
        ('[defaults]\n"制表机关" = 1\n' + SECTION, "defaults 必须是表，其值为字符串"),
        ('sections = "a"\n', "sections 必须写作 [[sections]] 表"),
        (SECTION + "numbered = 0\n", '第 1 个 [[sections]]（key = "a"）的 numbered 必须是 true'),
        (SECTION + 'anchor = "a b"\n', '第 1 个 [[sections]]（key = "a"）的 anchor'),
        (SECTION.replace('"a"', '"<b>"'), '（key = "<b>"）的 key 须为字母开头'),
    ],
)
def test_each_key_of_a_frame_is_checked(text, message):
    with pytest.raises(FrameError) as caught:
        frames.parse_frame("t", text)
    assert str(caught.value).startswith("报告框架 t.toml：") and message in str(caught.value)


def test_an_unknown_cover_field_names_the_file_and_the_item():
    frame = frames.parse_frame(
        "t", 'cover = [{ field = "year" }, { field = "unit" }]\n' + SECTION, "/x/t.toml"
    )
    with pytest.raises(FrameError) as caught:
        build.check_frame(frame)
    assert str(caught.value).startswith("报告框架 /x/t.toml：cover 的第 2 项的 field「unit」未知")


@pytest.fixture
def frames_folder(tmp_path, monkeypatch) -> Path:
    """A copy of the packaged frames as the frames folder of this process."""
    folder = tmp_path / "frames"
    shutil.copytree(config.PACKAGE_DIR / "frames", folder)
    monkeypatch.setattr(config, "FRAMES_DIR", folder)
    frames.load_frame.cache_clear()
    yield folder
    frames.load_frame.cache_clear()


def test_an_edited_frame_changes_the_years_hash_and_an_untouched_one_does_not(frames_folder):
    before = code_hashes()
    assert code_hashes() == before
    path = frames_folder / "yueyang_form_2_1.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# 改\n", encoding="utf-8")
    assert code_hashes() != before


def test_the_frames_of_a_folder_are_checked_together(frames_folder):
    build.check_frames()  # the packaged frames are good
    form = frames_folder / "yueyang_form_2_1.toml"
    form.write_text(
        form.read_text(encoding="utf-8").replace('"岳阳市附件2-1"', '"九段式"'), encoding="utf-8"
    )
    with pytest.raises(FrameError) as caught:
        build.check_frames()
    assert str(caught.value).startswith(
        f"报告框架 {form}：setting「九段式」与 {frames_folder / 'nine_sections.toml'} 的相同"
    )
    with pytest.raises(FrameError, match="的相同"):  # not the first file silently
        frames.frame_for("九段式")
