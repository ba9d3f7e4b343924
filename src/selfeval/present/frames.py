"""Report frames: which sections a report has, in order, with their titles and blocks.

A frame is data, not code: one TOML file per frame under `selfeval/frames/` (the nine-section
prose report units publish as 部门整体支出绩效自评报告 is `nine_sections.toml`). Adding a frame
(e.g. a province's 附件 form) is adding a file whose sections name existing blocks; the builder
(`selfeval.present.build`) walks the frame and calls one block builder per block key. The
browser checks read the standard section titles from here too.

A frame file is data someone else may write (SELFEVAL_FRAMES_DIR): every key is checked here,
each mistake one `FrameError` naming the file and the key (the file's TOML and its 「报告格式」
are read by `selfeval.contract.frames`), and the title is filled by `fill_title`, which replaces
{unit} and {year} by their text and evaluates nothing (str.format would follow attributes and
format specs written in the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from selfeval import config
from selfeval.config import DEFAULT_FRAME
from selfeval.contract.frames import (
    frame_files,
    frame_problem,
    frame_settings,
    parse_frame_toml,
    read_frame_file,
)
from selfeval.errors import FrameError
from selfeval.present.blocks import BLOCKS, COVER_FIELDS

__all__ = [
    "DEFAULT_FRAME",
    "Frame",
    "FrameSection",
    "check_frame",
    "check_frames",
    "fill_title",
    "frame_for",
    "load_frame",
]
_SECTION_KEYS = (
    "key",
    "title",
    "blocks",
    "numbered",
    "optional",
    "landscape",
    "anchor",
    "review",
    "attachment",
)


@dataclass(frozen=True)
class FrameSection:
    """One section of a frame: its title, its blocks, and how it is numbered and laid out."""

    key: str
    title: str
    blocks: tuple[str, ...]
    numbered: bool = True
    optional: bool = False
    landscape: bool = False
    review: bool = False  # part of the 审核底稿 only, never of the 报送稿
    #: An attachment (附件): on a new page, marked 「附件N」 at its top left, named in the
    #: 附件说明 before the 落款; numbered in order among the attachments the report has.
    attachment: bool = False
    anchor: str | None = None


@dataclass(frozen=True)
class CoverLine:
    """A line under the title: a label and the name of the cover field that fills it."""

    label: str
    field: str


@dataclass(frozen=True)
class Frame:
    """A report frame as read from its file."""

    key: str
    name: str
    title: str  # with {unit} and {year} (TITLE_FIELDS), filled by fill_title
    sections: tuple[FrameSection, ...]
    cover: tuple[CoverLine, ...] = ()
    toc: bool = False
    #: The value of 单位概况 「报告格式」 that chooses this frame (九段式, 岳阳市附件2-1).
    setting: str = ""
    #: Title and cover fields alone on the first page (form-style reports).
    cover_page: bool = False
    #: What a cover field shows when the unit does not give it (e.g. 制表机关 of the form).
    defaults: tuple[tuple[str, str], ...] = ()
    #: The file it was read from, as messages name it.
    source: str = ""

    def numbered(self) -> tuple[FrameSection, ...]:
        """The numbered sections (一、二、…) in order."""
        return tuple(s for s in self.sections if s.numbered)


#: The placeholders a frame's title may use, each replaced by its value as text, literally.
TITLE_FIELDS = {"unit": "单位名称", "year": "年度"}
#: The longest title a frame may give (placeholders counted as written).
MAX_TITLE_CHARS = 100
#: Section keys and anchors become HTML ids and Word bookmarks: ASCII names.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
#: `{{` and `}}` (literal braces), a placeholder `{…}`, or a brace with no partner.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _section(where: str, n: int, raw: object) -> FrameSection:
    at = f"第 {n} 个 [[sections]]"
    if not isinstance(raw, dict):
        raise frame_problem(where, f"{at}必须是表", f"section {n} must be a table")
    unknown = [k for k in raw if k not in _SECTION_KEYS]
    if unknown:
        raise frame_problem(
            where,
            f"{at}有未知的字段 {'、'.join(unknown)}（可用：{'、'.join(_SECTION_KEYS)}）",
            f"unknown section keys {unknown}",
        )
    if not isinstance(raw.get("key"), str) or not isinstance(raw.get("title"), str):
        raise frame_problem(
            where, f"{at}要有字符串 key 与 title", f"section {n} needs string key and title"
        )
    at = f'{at}（key = "{raw["key"]}"）'
    for name in ("key", "anchor"):
        if name in raw and not (isinstance(raw[name], str) and _NAME.fullmatch(raw[name])):
            raise frame_problem(
                where,
                f"{at}的 {name} 须为字母开头的英文字母、数字、_ 或 -（至多 40 个）",
                f"section {name} must be an ASCII name",
            )
    blocks = raw.get("blocks", [])
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise frame_problem(
            where, f"{at}的 blocks 必须是字符串列表", "section blocks must be a list of strings"
        )
    return FrameSection(
        key=raw["key"],
        title=raw["title"],
        blocks=tuple(blocks),
        numbered=_flag(where, raw, "numbered", True, at),
        optional=_flag(where, raw, "optional", False, at),
        landscape=_flag(where, raw, "landscape", False, at),
        review=_flag(where, raw, "review", False, at),
        attachment=_flag(where, raw, "attachment", False, at),
        anchor=raw.get("anchor"),
    )


def _flag(where: str, raw: dict, name: str, default: bool, at: str = "") -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        of = f"{at}的 " if at else ""
        raise frame_problem(
            where, f"{of}{name} 必须是 true 或 false", f"{name} must be true or false"
        )
    return value


def _text(where: str, raw: dict, name: str, default: str) -> str:
    value = raw.get(name, default)
    if not isinstance(value, str):
        raise frame_problem(where, f"{name} 必须是字符串", f"{name} must be a string")
    return value


def _cover(where: str, raw: object) -> tuple[CoverLine, ...]:
    example = 'cover = [{ label = "单位", field = "unit_name" }]'
    if not isinstance(raw, list):
        raise frame_problem(
            where, f"cover 必须是表的列表，如 {example}", "cover must be a list of tables"
        )
    lines = []
    for n, line in enumerate(raw, 1):
        at = f"cover 的第 {n} 项"
        if not isinstance(line, dict):
            raise frame_problem(where, f"{at}必须是表，如 {example}", f"cover {n} must be a table")
        unknown = [k for k in line if k not in ("label", "field")]
        if unknown:
            raise frame_problem(
                where,
                f"{at}有未知的字段 {'、'.join(unknown)}（可用：label、field）",
                f"unknown cover keys {unknown}",
            )
        if not isinstance(line.get("field"), str):
            raise frame_problem(
                where, f"{at}没有 field（字符串），如 {example}", f"cover {n} has no field"
            )
        if not isinstance(line.get("label", ""), str):
            raise frame_problem(where, f"{at}的 label 必须是字符串", "cover label: a string")
        lines.append(CoverLine(line.get("label", ""), line["field"]))
    return tuple(lines)


def _title(where: str, raw: dict) -> str:
    """The frame's title, checked: only the TITLE_FIELDS placeholders, bounded length."""
    title = _text(where, raw, "title", "{unit}{year}年度整体支出绩效自评报告")
    allowed = "、".join(f"{{{k}}}（{v}）" for k, v in TITLE_FIELDS.items())
    if len(title) > MAX_TITLE_CHARS:
        raise frame_problem(
            where,
            f"title 有 {len(title)} 个字符，至多 {MAX_TITLE_CHARS} 个",
            f"title longer than {MAX_TITLE_CHARS} characters",
        )
    for found in _PLACEHOLDER.finditer(title):
        if found[0] in ("{{", "}}") or found[1] in TITLE_FIELDS:
            continue
        raise frame_problem(
            where,
            f"title 中的「{found[0]}」不是可用的占位符：只能写 {allowed}，原样替换，不能带属性或"
            "格式说明；花括号本身写作 {{ 与 }}",
            f"title placeholder {found[0]!r} is not one of {list(TITLE_FIELDS)}",
        )
    return title


def fill_title(title: str, **values: object) -> str:
    """A frame's (checked) title with each placeholder replaced by its value as text, literally:
    no attribute, index or format spec is ever evaluated (unlike str.format)."""

    def one(found: re.Match) -> str:
        if found[0] in ("{{", "}}"):
            return found[0][0]
        return str(values[found[1]])

    return _PLACEHOLDER.sub(one, title)


def parse_frame(key: str, text: str | bytes, where: Path | str | None = None) -> Frame:
    """A frame from the text of its TOML file; raises FrameError naming the file (`where`,
    default `<key>.toml`), the line where TOML gives one, and the key that is wrong."""
    where = where or f"{key}.toml"
    return frame_from_table(key, parse_frame_toml(where, text), where)


def frame_from_table(key: str, raw: dict, where: Path | str) -> Frame:
    """A frame from its file's top-level table (selfeval.contract.frames), every key checked."""
    where = str(where)
    sections = raw.get("sections", [])
    if not isinstance(sections, list):
        raise frame_problem(where, "sections 必须写作 [[sections]] 表", "sections: tables")
    sections = tuple(_section(where, n, s) for n, s in enumerate(sections, 1))
    if not sections:
        raise frame_problem(where, "没有任何部分 [[sections]]", "no sections")
    keys = [s.key for s in sections]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise frame_problem(
            where, f"部分的 key 重复：{'、'.join(repeated)}", f"section keys repeated {repeated}"
        )
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise frame_problem(
            where, "defaults 必须是表，其值为字符串", "defaults must be a table of strings"
        )
    return Frame(
        key=key,
        name=_text(where, raw, "name", key),
        title=_title(where, raw),
        sections=sections,
        cover=_cover(where, raw.get("cover", [])),
        toc=_flag(where, raw, "toc", False),
        setting=raw.get("setting", "").strip(),
        cover_page=_flag(where, raw, "cover_page", False),
        defaults=tuple(defaults.items()),
        source=where,
    )


def available_frames() -> tuple[str, ...]:
    """Keys of the frames in the frames folder (file names without .toml)."""
    return tuple(frame_files())


@cache
def load_frame(key: str = DEFAULT_FRAME) -> Frame:
    """The frame `<FRAMES_DIR>/<key>.toml`."""
    files = frame_files()
    if key not in files:
        raise frame_problem(
            config.FRAMES_DIR,
            f"报告框架文件夹中没有 {key}.toml（已有：{'、'.join(p.name for p in files.values())}）",
            f"no frame file {key}.toml",
        )
    return frame_from_table(key, read_frame_file(files[key]), files[key])


def frame_for(setting: str | None) -> Frame:
    """The frame a unit's 「报告格式」 names (the default frame when it names none)."""
    if not setting:
        return load_frame(DEFAULT_FRAME)
    settings = frame_settings()
    if setting not in settings:
        raise FrameError(
            f"报告格式「{setting}」没有对应的报告框架（可选：{'、'.join(settings)}）"
            " / unknown report frame"
        )
    return load_frame(settings[setting])


def check_frame(frame: Frame) -> None:
    """Raise FrameError, naming the file and the section or cover line, when the frame names a
    block or cover field no builder makes."""
    for s in frame.sections:
        unknown = [b for b in s.blocks if b not in BLOCKS]
        if unknown:
            raise frame_problem(
                frame.source,
                f"部分 {s.key} 的 blocks 中有未知的块 {'、'.join(unknown)}"
                f"（可用的块：{'、'.join(BLOCKS)}）",
                f"unknown blocks {unknown} in section {s.key}",
            )
    for n, line in enumerate(frame.cover, 1):
        if line.field not in COVER_FIELDS:
            raise frame_problem(
                frame.source,
                f"cover 的第 {n} 项的 field「{line.field}」未知（可用：{'、'.join(COVER_FIELDS)}）",
                f"unknown cover field {line.field!r}",
            )


def check_frames() -> None:
    """Every frame of the frames folder, checked as a build would use it: so that a frame
    problem is one message before any year starts, not one failed report per year."""
    for key in frame_files():
        check_frame(load_frame(key))
    frame_settings()  # no two files declare one 「报告格式」


#: The nine numbered sections every report of the default frame has: (key, title), in order
#: (an optional part, such as the 结果应用 the unit wrote, is numbered among them when present).
NINE_SECTIONS: tuple[tuple[str, str], ...] = tuple(
    (s.key, s.title) for s in load_frame(DEFAULT_FRAME).numbered() if not s.optional
)
