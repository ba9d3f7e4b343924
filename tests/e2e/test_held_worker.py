"""A worker started ahead of a free slot ("held") cleans its year while the slot's year builds,
analyses it once year-1's 02 is done, and goes on to 03 only once that slot is free: 01 reads
nothing of year-1 and 02 only year-1's processed data, so the cores' gaps (the batch's start, a
year waiting for its kernel, its last year) clean and analyse the next years."""

from __future__ import annotations

import pytest

from selfeval.synthetic import write_synthetic_years
from tests.e2e.support import run_build

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]


def test_a_held_year_cleans_and_analyses_ahead_and_reports_only_once_a_slot_is_free(tmp_path):
    write_synthetic_years(tmp_path / "data" / "raw", [2023, 2024], activities_per_year=5)
    proc = run_build(tmp_path, "--force", "--jobs", "1")  # the last --jobs wins: one slot
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()

    def at(text: str) -> int:
        found = [n for n, line in enumerate(lines) if line.startswith(text)]
        assert found, f"{text!r} not in:\n{proc.stdout}"
        return found[0]

    # one slot: 2024 is held while 2023 builds; its 01 runs meanwhile, its 02 once 2023's 02 is
    # done (2023 announced its report), both before 2023 reaches its export; its 03 only once
    # 2023 is done (after 2023's export began; 「已生成」 is printed at the commit, which waits
    # until 2024 has read 2023's staged data)
    assert at("[2024] 开始 clean") < at("[2023] 开始 export")
    assert at("[2023] 开始 report") < at("[2024] 开始 analyze") < at("[2023] 开始 export")
    assert at("[2023] 开始 export") < at("[2024] 开始 report")
