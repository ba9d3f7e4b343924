"""The atomic swap of a year's (outputs, processed) pair and its recovery after a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from selfeval import folders
from selfeval.config import Roots
from selfeval.store import recover


def _folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def _contents(path: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(path.iterdir())
        if p.is_file() and p.name != folders.MARKER
    }


def _pair(tmp_path: Path) -> tuple[Roots, list[tuple[Path, Path]]]:
    roots = Roots.of(tmp_path)
    _folder(roots.outputs / "2024", {"report.html": "old report", "stamp.json": "{}"})
    _folder(roots.processed / "2024", {"spending.parquet": "old table"})
    staged_out = _folder(roots.outputs / ".tmp-2024-ab", {"report.html": "new report"})
    staged_proc = _folder(roots.processed / ".tmp-2024-ab", {"spending.parquet": "new table"})
    # Each folder is the product's own, as the batch and 01 mark them.
    folders.mark(roots.processed / "2024", folders.PROCESSED)
    folders.mark(staged_out, folders.OUTPUTS)
    folders.mark(staged_proc, folders.PROCESSED)
    return roots, [
        (staged_out, roots.outputs / "2024"),
        (staged_proc, roots.processed / "2024"),
    ]


def test_crash_between_the_two_renames_is_rolled_forward(tmp_path):
    """The crash is injected here, not by a hook in the product: the child process dies right
    after the first staged folder was renamed into place, before the second pair is touched."""
    roots, pairs = _pair(tmp_path)
    as_text = [(str(a), str(b)) for a, b in pairs]
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from selfeval.store import swap_in

        rename = os.rename

        def rename_then_die(src, dst):
            rename(src, dst)
            if str(src) == {as_text[0][0]!r}:
                os._exit(86)

        os.rename = rename_then_die
        pairs = [(Path(a), Path(b)) for a, b in {as_text!r}]
        swap_in(2024, pairs, Path({str(roots.outputs)!r}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 86, proc.stderr.decode()
    # The process died after replacing outputs/2024 but before processed/2024.
    assert _contents(roots.outputs / "2024") == {"report.html": "new report"}
    assert _contents(roots.processed / "2024") == {"spending.parquet": "old table"}
    assert (roots.outputs / ".swap-2024.json").is_file()

    notes = recover(roots)

    assert any("中断的替换" in n for n in notes)
    assert _contents(roots.outputs / "2024") == {"report.html": "new report"}
    assert _contents(roots.processed / "2024") == {"spending.parquet": "new table"}
    leftovers = [p.name for r in (roots.outputs, roots.processed) for p in r.iterdir()]
    assert sorted(leftovers) == ["2024", "2024"]


def test_leftovers_of_an_unfinished_build_are_removed_and_targets_untouched(tmp_path):
    roots, _ = _pair(tmp_path)  # staged folders without a journal: the build never finished
    recover(roots)
    assert _contents(roots.outputs / "2024") == {"report.html": "old report", "stamp.json": "{}"}
    assert _contents(roots.processed / "2024") == {"spending.parquet": "old table"}
    assert not (roots.outputs / ".tmp-2024-ab").exists()
    assert not (roots.processed / ".tmp-2024-ab").exists()


def test_a_torn_journal_is_removed_and_the_interrupted_pair_restored(tmp_path):
    """`KeyError: 'pairs'` on every run becomes a note that promises no rebuild, and a target
    renamed to its backup before the journal was damaged is put back."""
    roots, _ = _pair(tmp_path)
    os.rename(roots.processed / "2024", roots.processed / ".old-2024-0123abcd")
    (roots.outputs / ".swap-2024.json").write_text('{"year": 2024}', encoding="utf-8")

    notes = recover(roots)

    assert any("已损坏" in n and ".swap-2024.json" in n and "重新生成照常" in n for n in notes), (
        notes
    )
    assert not (roots.outputs / ".swap-2024.json").exists()
    assert _contents(roots.processed / "2024") == {"spending.parquet": "old table"}
    assert recover(roots) == []  # the next run has nothing left to say


def test_a_journal_naming_paths_outside_the_project_renames_nothing(tmp_path):
    roots, _ = _pair(tmp_path)
    outside = _folder(tmp_path / "elsewhere" / "precious", {"a.txt": "keep"})
    journal = {
        "year": 2024,
        "pairs": [
            {
                "staged": str(roots.outputs / ".tmp-2024-ab"),
                "target": str(outside),
                "backup": str(outside.with_name("gone")),
            }
        ],
    }
    (roots.outputs / ".swap-2024.json").write_text(json.dumps(journal), encoding="utf-8")
    notes = recover(roots)
    assert _contents(outside) == {"a.txt": "keep"}
    assert _contents(roots.outputs / "2024") == {"report.html": "old report", "stamp.json": "{}"}
    assert any("已损坏" in n for n in notes)
