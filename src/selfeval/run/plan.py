"""What the batch knows about a year (`YearPlan`), its statuses, and the names of its files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STAMP_FILE = "stamp.json"
BUILD_LOG = "build.log"
FAILED_DIR = "failed"
LOCK_FILE = ".batch.lock"
STAMP_VERSION = 2  # 2: products include report.docx and report.pdf
#: Stages run.notebooks.build_year announces through on_stage: clean, analyze, report, export. The
#: previous year's processed data is complete (tables from 01, summary.json from 02) once its
#: worker announces the stage with this (0-based) index.
N_STAGES = 4
PREVIOUS_READY_STAGE = 2
#: Stage index (0-based) before which a year must wait for the previous year's processed data.
NEEDS_PREVIOUS_STAGE = 1

BUILT, UNCHANGED, FAILED = "built", "unchanged", "failed"
STATUS_ZH = {BUILT: "已生成", UNCHANGED: "未变化", FAILED: "失败"}


@dataclass
class YearPlan:
    """What the batch knows about one year."""

    year: int
    inputs: dict[str, str | None] = field(default_factory=dict)
    status: str = ""
    seconds: float = 0.0
    error: str = ""
    previous_dir: Path | None = None
    waits: bool = False
    staged_out: Path | None = None
    staged_proc: Path | None = None
    stages_seen: int = 0
    stage: str = ""
    released: bool = False
    tainted: bool = False
    result: dict | None = None
    started: float = 0.0
