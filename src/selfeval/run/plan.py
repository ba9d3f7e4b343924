"""What the batch knows about a unit-year (`YearPlan`, keyed by `Key`), its statuses, the names of
its files, and the products a build leaves (the one list the stamp, the cluster and the commit
use: a new product, e.g. report.docx, is added here only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from selfeval.rules import visible

STAMP_FILE = "stamp.json"
BUILD_LOG = "build.log"
FAILED_DIR = "failed"
LOCK_FILE = ".batch.lock"
#: Version 3: products include report.docx and report.pdf (2, main), raw hashes are those of the
#: bytes 01 read (meta.json's sources, verified at commit), department unit-years record their
#: units' processed data.
STAMP_VERSION = 3
#: Files of outputs/<unit>/<year>/ a build produces, each hashed into the stamp. The processed
#: folder data/processed/<unit>/<year>/ is hashed as a whole ("processed"). The one place that
#: lists them: the stamp, the cluster's results and the commit read it from here.
PRODUCTS: tuple[str, ...] = (
    "report.html", "report.docx", "review.docx", "自评表.xlsx", "report.ipynb",
)  # fmt: skip
#: Products a build may lack (no LibreOffice here): stamped when present, checked when stamped.
OPTIONAL_PRODUCTS: tuple[str, ...] = ("report.pdf",)
#: Stages run.notebooks.build_year announces through on_stage: clean, analyze, report, export. The
#: previous year's processed data is complete (tables from 01, summary.json from 02) once its
#: worker announces the stage with this (0-based) index.
N_STAGES = 4
PREVIOUS_READY_STAGE = 2
#: Stage index (0-based) before which a year must wait for the previous year's processed data.
NEEDS_PREVIOUS_STAGE = 1
#: Stage index (0-based) before which a build started ahead of a free slot ("held") waits for
#: one: 03, the report, whose charts and documents are what a year holds most of, in memory
#: and in CPU. 01 and 02 run ahead: the cores' gaps (the batch's first years, each waiting for
#: year-1's 02, and its last, which used to wait for a slot before its 02) do them.
NEEDS_SLOT_STAGE = 2


class State(StrEnum):
    """Where a unit-year is in a batch: the scheduler's one state, no parallel sets of keys.

    NEW (not decided yet) → FAILED (refused before building), UNCHANGED (stamp matches), QUEUED
    (to build) or DEFERRED (own inputs unchanged, waits for year-1's outcome: UNCHANGED or
    QUEUED). QUEUED → HELD (worker started ahead of a free slot: its kernel boots, 01 runs, and
    02 once year-1's processed data is complete; it stops before 03) → RUNNING ⇄ WAITING
    (stopped before 02 until year-1's processed data is complete; a held build that stopped there
    is WAITING once it has a slot) → STAGED (built into staging folders) → BUILT (swapped in) or
    FAILED; a RUNNING or STAGED year built on data of a year-1 that will not be swapped in goes
    back to QUEUED. BUILT, UNCHANGED and FAILED are the outcomes a batch reports; their values
    are what the summary prints.
    """

    NEW = "new"
    QUEUED = "queued"
    DEFERRED = "deferred"
    HELD = "held"
    RUNNING = "running"
    WAITING = "waiting"
    STAGED = "staged"
    BUILT = "built"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    @property
    def settled(self) -> bool:
        """An outcome: nothing more happens to the unit-year in this batch."""
        return self in (State.BUILT, State.UNCHANGED, State.FAILED)

    @property
    def alive(self) -> bool:
        """A worker (or a task) runs for it."""
        return self in (State.HELD, State.RUNNING, State.WAITING)


BUILT, UNCHANGED, FAILED = State.BUILT, State.UNCHANGED, State.FAILED
STATUS_ZH = {BUILT: "已生成", UNCHANGED: "未变化", FAILED: "失败"}

#: Said when a raw file changed between 01 reading it and the commit (the stamp must cover
#: exactly what was read).
CHANGED_DURING_BUILD = "数据在生成过程中被修改，请重新运行"


@dataclass(frozen=True, order=True)
class Key:
    """A unit-year: `unit` is the folder under data/raw/ ("" in a single-unit project)."""

    unit: str
    year: int

    @property
    def prev(self) -> Key:
        return Key(self.unit, self.year - 1)

    @property
    def next(self) -> Key:
        return Key(self.unit, self.year + 1)

    @property
    def rel(self) -> str:
        """Path below data/raw/, data/processed/ and outputs/: "2024" or "<unit>/2024"."""
        return f"{self.unit}/{self.year}" if self.unit else str(self.year)

    @property
    def slug(self) -> str:
        """The key in a file name (staging folders, journals): "2024" or "<unit>-2024"."""
        return f"{self.unit}-{self.year}" if self.unit else str(self.year)

    def __str__(self) -> str:
        """As messages show it: a control character in a folder name escaped (`rules.visible`)."""
        return visible(self.rel)


@dataclass
class YearPlan:
    """What the batch knows about one unit-year."""

    key: Key  # (an int is taken as a year of the single-unit layout)
    inputs: dict[str, object] = field(default_factory=dict)
    status: State = State.NEW
    seconds: float = 0.0
    error: str = ""
    previous_dir: Path | None = None
    waits: bool = False
    staged_out: Path | None = None
    staged_proc: Path | None = None
    stages_seen: int = 0
    stage: str = ""  # the notebook stage last announced, for messages
    #: Told that year-1's data is complete (or never had to wait): it may have read it.
    released: bool = False
    #: Its worker said it stopped before 02 for year-1's data, and has not been released.
    stopped: bool = False
    tainted: bool = False
    rebuilt_for_change: bool = False
    result: dict | None = None
    worker: str | None = None  # a cluster's: which worker built it (kept in the stamp)
    started: float = 0.0
    #: Department unit-years: what the build gets of each declared unit (see run.department).
    units: list[dict] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, Key):  # a year of the single-unit layout
            self.key = Key("", int(self.key))

    @property
    def year(self) -> int:
        return self.key.year

    @property
    def unit(self) -> str:
        return self.key.unit


def rel_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
