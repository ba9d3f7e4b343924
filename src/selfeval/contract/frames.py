"""The report frame files as data: which files a frames folder holds, each file's TOML table,
and the 「报告格式」 settings they declare.

The contract accepts as 「报告格式」 exactly the settings the frame files declare, and present
builds the report from the same files (`selfeval.present.frames`). Both read them here, so a
file that cannot be read is one located message (the file, the line where TOML gives one, the
key) as a `FrameError` wherever it is first read, never a traceback; an empty, missing or
incomplete folder is named; and two files cannot claim one setting.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from selfeval import config
from selfeval.errors import FrameError

#: The keys a frame file may have at its top level (what each means: selfeval/frames/*.toml).
FRAME_KEYS = (
    "name",
    "setting",
    "title",
    "toc",
    "cover_page",
    "cover",
    "defaults",
    "sections",
    "required",
)
#: What a frame may require of a 报送稿 (`required = [...]`); a year lacking one of them still
#: builds, as a 草稿 (征求意见稿). Checked in `selfeval.results.missing_items`.
REQUIRED_ITEMS = (
    "unit_name",  # 单位名称
    "budget",  # 支出表的预算数（预算执行率）
    "actual",  # 支出表的执行数
    "targets",  # 绩效目标
    "results",  # 绩效目标的实际完成值
    "conclusion",  # 自评得分可计算（自评结论）
    "problems_measures",  # 有偏差时的存在问题与改进措施
    "application",  # 文字说明「结果应用」
    "data_date",  # 填报日期（成文日期）
)
_TOML_AT = re.compile(r"^(?P<what>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)


def frame_problem(where: Path | str, text: str, english: str) -> FrameError:
    """One frame file's problem: the file (or folder) first, then what is wrong."""
    return FrameError(f"报告框架 {where}：{text} / report frame {where}: {english}")


def _folder_note(folder: Path) -> str:
    """How the folder came to be used, when it is not the package's own."""
    return "（由 SELFEVAL_FRAMES_DIR 指定）" if folder != config.PACKAGE_DIR / "frames" else ""


def frame_files(folder: Path | None = None) -> dict[str, Path]:
    """The frame files of `folder` (default: config.FRAMES_DIR) by key (file name without
    .toml), in name order; the folder must exist and hold the default frame."""
    folder = folder or config.FRAMES_DIR
    default = f"{config.DEFAULT_FRAME}.toml"
    if not folder.is_dir():
        what = "不是文件夹" if folder.exists() else "不存在"
        raise frame_problem(
            folder,
            f"报告框架文件夹{what}{_folder_note(folder)}；请指向放有 {default} 等框架文件的文件夹",
            "the frames folder does not exist",
        )
    # hidden files are no frames, as they are not part of the years' hash (store.hash_tree)
    files = {p.stem: p for p in sorted(folder.glob("*.toml")) if p.is_file() and p.name[0] != "."}
    if config.DEFAULT_FRAME not in files:
        have = "、".join(p.name for p in files.values()) or "没有任何 .toml 文件"
        raise frame_problem(
            folder,
            f"报告框架文件夹{_folder_note(folder)}中没有默认框架 {default}（已有：{have}）；"
            f"可从 {config.PACKAGE_DIR / 'frames'} 复制",
            f"no default frame {default} in the frames folder",
        )
    return files


def parse_frame_toml(where: Path | str, data: bytes | str) -> dict:
    """The top-level table of a frame file's bytes (or text), its keys and `setting` checked;
    `where` names the file in messages."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise frame_problem(
                where,
                f"第 {line} 行不是 UTF-8 编码（可能以 GBK 保存）；请用 UTF-8 重新保存",
                f"line {line} is not UTF-8",
            ) from None
    try:
        raw = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.match(str(exc))
        what = found["what"] if found else str(exc)
        at = f"第 {found['line']} 行第 {found['col']} 列：" if found else ""
        english = f" at line {found['line']}, column {found['col']}" if found else ""
        raise frame_problem(
            where, f"{at}TOML 格式错误（{what}）", f"TOML syntax error{english}: {what}"
        ) from None
    unknown = [k for k in raw if k not in FRAME_KEYS]
    if unknown:
        raise frame_problem(
            where,
            f"未知的字段 {'、'.join(unknown)}（可用：{'、'.join(FRAME_KEYS)}）",
            f"unknown frame keys {unknown}",
        )
    if not isinstance(raw.get("setting", ""), str):
        raise frame_problem(where, "setting 必须是字符串", "setting must be a string")
    required = raw.get("required", [])
    if not isinstance(required, list) or any(r not in REQUIRED_ITEMS for r in required):
        raise frame_problem(
            where,
            f"required 必须是列表，取值为 {'、'.join(REQUIRED_ITEMS)}",
            "required: a list of known items",
        )
    return raw


def required_items(setting: str | None, folder: Path | None = None) -> tuple[str, ...]:
    """What the frame the unit's 「报告格式」 chooses requires of a 报送稿 (`required`)."""
    key = frame_settings(folder).get(setting or "", config.DEFAULT_FRAME)
    files = frame_files(folder)
    if key not in files:
        return ()
    return tuple(read_frame_file(files[key]).get("required", []))


def read_frame_file(path: Path) -> dict:
    """The top-level table of the frame file `path` (see `parse_frame_toml`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise frame_problem(path, f"无法读取（{exc.strerror}）", "cannot read the file") from None
    return parse_frame_toml(path, data)


def frame_settings(folder: Path | None = None) -> dict[str, str]:
    """The 「报告格式」 each frame file declares (its `setting`) → the frame's key, the default
    frame's first, then by file name; two files declaring one setting are an error naming both."""
    files = frame_files(folder)
    keys = [config.DEFAULT_FRAME] + [k for k in files if k != config.DEFAULT_FRAME]
    settings: dict[str, str] = {}
    for key in keys:
        setting = read_frame_file(files[key]).get("setting", "").strip()
        if not setting:
            continue
        if setting in settings:
            first = files[settings[setting]]
            raise frame_problem(
                files[key],
                f"setting「{setting}」与 {first} 的相同；每个报告格式只能对应一个框架文件",
                f"setting {setting!r} is also declared by {first}",
            )
        settings[setting] = key
    return settings
