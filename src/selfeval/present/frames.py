"""Report frames: which sections a report has, in order, with their titles and blocks.

A frame is data, not code: one TOML file per frame under `selfeval/frames/` (the nine-section
prose report units publish as 部门整体支出绩效自评报告 is `nine_sections.toml`). Adding a frame
(e.g. a province's 附件 form) is adding a file whose sections name existing blocks; the builder
(`selfeval.present.build`) walks the frame and calls one block builder per block key. The
browser checks read the standard section titles from here too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from selfeval.config import DEFAULT_FRAME, FRAMES_DIR
from selfeval.errors import FrameError

__all__ = ["DEFAULT_FRAME", "FRAMES_DIR", "Frame", "FrameSection", "frame_for", "load_frame"]
_SECTION_KEYS = {
    "key",
    "title",
    "blocks",
    "numbered",
    "optional",
    "landscape",
    "anchor",
    "review",
}
_FRAME_KEYS = {"name", "title", "toc", "cover", "sections", "setting", "cover_page", "defaults"}


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
    title: str  # with {unit} and {year}
    sections: tuple[FrameSection, ...]
    cover: tuple[CoverLine, ...] = ()
    toc: bool = False
    #: The value of 单位概况 「报告格式」 that chooses this frame (九段式, 岳阳市附件2-1).
    setting: str = ""
    #: Title and cover fields alone on the first page (form-style reports).
    cover_page: bool = False
    #: What a cover field shows when the unit does not give it (e.g. 制表机关 of the form).
    defaults: tuple[tuple[str, str], ...] = ()

    def numbered(self) -> tuple[FrameSection, ...]:
        """The numbered sections (一、二、…) in order."""
        return tuple(s for s in self.sections if s.numbered)


def _problem(key: str, text: str) -> FrameError:
    return FrameError(f"报告框架 {key}.toml：{text} / report frame {key}: {text}")


def _section(key: str, raw: object) -> FrameSection:
    if not isinstance(raw, dict):
        raise _problem(key, "每个 [[sections]] 必须是表 / each section must be a table")
    unknown = set(raw) - _SECTION_KEYS
    if unknown:
        raise _problem(key, f"未知的字段 {sorted(unknown)} / unknown section keys")
    blocks = raw.get("blocks", [])
    if not isinstance(raw.get("key"), str) or not isinstance(raw.get("title"), str):
        raise _problem(key, "每个部分都要有 key 与 title / every section needs key and title")
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise _problem(key, f"部分 {raw['key']} 的 blocks 必须是字符串列表")
    return FrameSection(
        key=raw["key"],
        title=raw["title"],
        blocks=tuple(blocks),
        numbered=bool(raw.get("numbered", True)),
        optional=bool(raw.get("optional", False)),
        landscape=bool(raw.get("landscape", False)),
        review=bool(raw.get("review", False)),
        anchor=raw.get("anchor"),
    )


def parse_frame(key: str, text: str) -> Frame:
    """A frame from the text of its TOML file; raises FrameError naming what is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(key, f"TOML 格式错误：{exc}") from exc
    unknown = set(raw) - _FRAME_KEYS
    if unknown:
        raise _problem(key, f"未知的字段 {sorted(unknown)} / unknown frame keys")
    sections = tuple(_section(key, s) for s in raw.get("sections", []))
    if not sections:
        raise _problem(key, "没有任何部分 / no sections")
    keys = [s.key for s in sections]
    if len(set(keys)) != len(keys):
        raise _problem(key, f"部分的 key 重复：{keys}")
    cover = tuple(
        CoverLine(str(line.get("label", "")), str(line["field"])) for line in raw.get("cover", [])
    )
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, dict):
        raise _problem(key, "defaults 必须是表 / defaults must be a table")
    return Frame(
        key=key,
        name=str(raw.get("name", key)),
        title=str(raw.get("title", "{unit}{year}年度整体支出绩效自评报告")),
        sections=sections,
        cover=cover,
        toc=bool(raw.get("toc", False)),
        setting=str(raw.get("setting", "")),
        cover_page=bool(raw.get("cover_page", False)),
        defaults=tuple((str(k), str(v)) for k, v in defaults.items()),
    )


def available_frames() -> tuple[str, ...]:
    """Keys of the frames shipped with the package (file names without .toml)."""
    return tuple(sorted(p.stem for p in FRAMES_DIR.glob("*.toml")))


@cache
def load_frame(key: str = DEFAULT_FRAME) -> Frame:
    """The frame `<FRAMES_DIR>/<key>.toml`."""
    path = FRAMES_DIR / f"{key}.toml"
    if not path.is_file():
        raise _problem(key, f"找不到框架文件，已有：{', '.join(available_frames())}")
    return parse_frame(key, path.read_text(encoding="utf-8"))


def frame_for(setting: str | None) -> Frame:
    """The frame a unit's 「报告格式」 names (the default frame when it names none)."""
    if not setting:
        return load_frame(DEFAULT_FRAME)
    for key in available_frames():
        frame = load_frame(key)
        if frame.setting == setting:
            return frame
    known = "、".join(load_frame(k).setting for k in available_frames())
    raise FrameError(
        f"报告格式「{setting}」没有对应的报告框架（可选：{known}） / unknown report frame"
    )


#: The nine numbered sections every report of the default frame has: (key, title), in order
#: (an optional part, such as the 结果应用 the unit wrote, is numbered among them when present).
NINE_SECTIONS: tuple[tuple[str, str], ...] = tuple(
    (s.key, s.title) for s in load_frame(DEFAULT_FRAME).numbered() if not s.optional
)
