"""The project's folders as the scheduler (run.scheduler) sees them: what a unit-year was built
from, its staging folders, its commit, what a failure leaves. The scheduler decides; this does
the file work, so that the scheduler can be driven by a fake of this class in tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from selfeval import folders
from selfeval.config import Roots
from selfeval.run import stamps
from selfeval.run.department import Members, units_inputs, units_payload
from selfeval.run.discovery import raw_dir, raw_problem
from selfeval.run.plan import FAILED_DIR, Key, YearPlan
from selfeval.store import hash_tree


class Project:
    """One batch's view of the project at `roots` (`code`: the code hashes it pins)."""

    def __init__(
        self,
        roots: Roots,
        code: dict[str, str | None] | None = None,
        departments: dict[Key, Members] | None = None,
        problems: dict[Key, str] | None = None,
    ) -> None:
        self.roots = roots
        self.code = code or stamps.code_hashes()
        self.departments = departments or {}
        self.problems = problems or {}  # unit-years failed before building (run.department)

    # ---- decisions

    def problem(self, key: Key) -> str | None:
        """Why the unit-year cannot be built at all (its raw folder, its department list)."""
        return raw_problem(self.roots, key) or self.problems.get(key)

    def inputs(self, key: Key) -> dict[str, object]:
        """The unit-year's own inputs' hashes (a department's: with its units' data)."""
        inputs = stamps.own_inputs(key, self.roots, self.code)
        if key in self.departments:
            inputs["units"] = units_inputs(self.roots, key, self.departments[key])
        return inputs

    def stamp(self, key: Key, inputs: dict[str, object]) -> tuple[bool, dict]:
        return stamps.stamp_state(key, self.roots, inputs)

    def previous_hash(self, key: Key) -> str | None:
        return stamps.previous_hash(key, self.roots)

    # ---- building

    def stage(self, plan: YearPlan) -> None:
        """Make the unit-year's staging folders and hash what its build will read."""
        key = plan.key
        token = os.urandom(4).hex()
        plan.staged_out = self.roots.outputs / f".tmp-{key.slug}-{token}"
        plan.staged_proc = self.roots.processed / f".tmp-{key.slug}-{token}"
        plan.staged_out.mkdir(parents=True)
        plan.staged_proc.mkdir(parents=True)
        folders.mark(plan.staged_out, folders.OUTPUTS)  # the worker's build.log goes in first
        # What 01 will read is checked against this at commit (read_as_stamped).
        plan.inputs["raw"] = hash_tree(raw_dir(self.roots, key))

    def committed(self, key: Key) -> Path:
        """The unit-year's committed processed folder (year-1's data when it is not rebuilt)."""
        return self.roots.processed / key.rel

    def units(self, key: Key) -> list[dict] | None:
        """What a department's build is given of its units (None: not a department)."""
        if key not in self.departments:
            return None
        return units_payload(self.roots, key, self.departments[key])

    def substitute(self, prev_key: Key, staged: Path | None) -> None:
        """Year-1 failed before its data was ready: its staged folder becomes the committed one."""
        if staged is None:
            return
        shutil.rmtree(staged, ignore_errors=True)
        committed = self.committed(prev_key)
        if committed.is_dir():
            shutil.copytree(committed, staged)

    # ---- ending

    def commit(self, plan: YearPlan) -> None:
        """Stamp and swap in (run.stamps.commit; ChangedDuringBuild, OSError); a cluster's
        stamp names the worker that built it."""
        stamps.commit(self.roots, plan, {"worker": plan.worker} if plan.worker else None)

    def journal_pending(self, key: Key) -> bool:
        """A swap of the unit-year is half done (recover() rolls it forward next run)."""
        return (self.roots.outputs / f".swap-{key.slug}.json").exists()

    def keep_failed(self, plan: YearPlan, error: tuple[str, str]) -> str:
        """Keep the failed attempt under outputs/<rel>/failed/; the message to show."""
        message, detail = (self._final_paths(plan, text) for text in error)
        try:
            text = f"{message}\n\n{detail}"
            stamps.keep_failed(plan.key, plan.staged_out, self.roots.outputs, text)
        except OSError as exc:
            message += f"（失败记录无法写入 / could not keep failed/: {exc}）"
        return message

    def _final_paths(self, plan: YearPlan, text: str) -> str:
        """Rewrite paths inside the staging folder to where keep_failed puts the files."""
        if plan.staged_out is None:
            return text
        final = (self.roots.outputs / plan.key.rel / FAILED_DIR).resolve()
        for staged in {plan.staged_out.resolve() / FAILED_DIR, plan.staged_out / FAILED_DIR}:
            text = text.replace(str(staged), str(final))
        return text

    def discard(self, plan: YearPlan) -> None:
        for path in (plan.staged_out, plan.staged_proc):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
