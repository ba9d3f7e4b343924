"""A year whose 报送稿 lacks required items is a 草稿 in the build summary and in the index."""

from __future__ import annotations

import json

from selfeval.config import Roots
from selfeval.run import site
from selfeval.run.plan import BUILT, UNCHANGED, YearPlan
from selfeval.run.progress import draft_lines, summary_table


def project(tmp_path) -> Roots:
    """Two built years as a batch leaves them: 2023 complete, 2024 lacking two items."""
    roots = Roots.of(tmp_path)
    for year, missing in ((2023, []), (2024, ["budget", "data_date"])):
        processed = roots.processed / str(year)
        processed.mkdir(parents=True)
        summary = {"missing": missing, "warnings": []}
        (processed / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        (roots.raw / str(year)).mkdir(parents=True)
        out = roots.outputs / str(year)
        out.mkdir(parents=True)
        (out / "report.html").write_text("<html></html>", encoding="utf-8")
    return roots


def test_the_summary_calls_a_year_lacking_items_a_draft_and_lists_them(tmp_path):
    roots = project(tmp_path)
    plans = [YearPlan(2023, status=BUILT), YearPlan(2024, status=BUILT)]
    rows = summary_table(plans, roots).splitlines()[2:]
    assert rows[0].split()[1:3] == ["已生成", "built"]
    assert rows[1].split()[1:3] == ["草稿", "draft"]
    assert draft_lines(plans, roots) == [
        "[2024] 草稿（征求意见稿（数据未齐）），报送稿尚缺：支出表未填预算数，无法计算预算执行率；"
        "单位概况未填填报日期，落款没有成文日期 / draft: the report lacks required items"
    ]
    unchanged = summary_table([YearPlan(2024, status=UNCHANGED)], roots).splitlines()[2]
    assert "未变化 unchanged（草稿 draft）" in unchanged


def test_the_index_shows_a_draft_as_such(tmp_path):
    roots = project(tmp_path)
    status = {r["year"]: r["status"] for r in site.collect_years(roots)}
    assert status == {2023: "已生成", 2024: "草稿（数据未齐，不可报送）"}
