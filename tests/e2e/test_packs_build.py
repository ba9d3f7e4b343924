"""Rule packs through `python -m selfeval build`, as `make report` runs it: choosing 全国 changes
no report byte; 江西 builds with no execution score and states no rule for it; 四川 scores by its
own rules and shows each score's working in the 审核底稿 (hand-computed below)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from support import REPO, run_build

from tests.unit.test_scoring import JIANGXI_TARGETS, WORKBOOK_TARGETS, write_workbook

pytestmark = pytest.mark.slow
#: What a build writes that must not change with 「自评表格式」 = 全国. report.ipynb records the
#: inputs' sha256 (the 单位概况 file changed), stamp.json its hashes, report.pdf is LibreOffice's
#: (not byte-reproducible from one conversion to the next).
COMPARED = ("report.html", "report.docx", "review.docx")


def _built(root: Path) -> Path:
    proc = run_build(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root / "outputs" / "2024"


def _choose(path: Path, form: str) -> None:
    """Append 「自评表格式」 to the 单位概况 sheet of a workbook."""
    book = openpyxl.load_workbook(path)
    book["单位概况"].append(["自评表格式", form])
    book.save(path)


def _review_text(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


def test_choosing_the_national_form_changes_no_report(tmp_path):
    digests = []
    for name, form in (("plain", None), ("national", "全国")):
        root = tmp_path / name
        shutil.copytree(REPO / "data" / "raw" / "2024", root / "data" / "raw" / "2024")
        if form:
            with (root / "data" / "raw" / "2024" / "单位概况.csv").open("a", encoding="utf-8") as f:
                f.write(f"自评表格式,{form}\n")
        out = _built(root)
        digests.append({n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in COMPARED})
    assert digests[0] == digests[1]


def test_jiangxi_builds_with_no_execution_score_and_no_rule_for_it(tmp_path):
    _choose(write_workbook(tmp_path / "data" / "raw" / "2024", JIANGXI_TARGETS), "江西")
    html = _review_text(_built(tmp_path))
    # 30 + 25 + 35 + 10 = 100 without the rate's 10: accepted, every indicator met → 100
    assert (
        "评分规则：管理指标30分、产出指标25分、效果指标35分、满意度指标10分；定量指标完成即得满分"
    ) in html
    assert "预算执行率 = " not in html and "预算执行率10分" not in html
    assert "按江西表式评分。" in html


def test_sichuan_scores_by_its_rules_and_shows_the_working(tmp_path):
    targets = [list(row) for row in WORKBOOK_TARGETS]
    targets[0][5] = "7"  # 送图书次数 7 against 5: 140% ≥ 130%, a deviation: 20 − 2 = 18
    _choose(write_workbook(tmp_path / "data" / "raw" / "2024", targets), "四川")
    html = _review_text(_built(tmp_path))
    # 109.17 ÷ 117 (调整后预算数, the 全年预算数 column) × 10 = 9.3308…
    for line in (
        "预算执行率得分：109.17 ÷ 117.00 × 10 = 9.33。",
        "送图书次数得分：7 ÷ 5 × 20 = 28.00，按分值上限计20；超过指标值较多，扣2分，计18.00。",
        "讲座场次得分：6 ÷ 8 × 20 = 15.00。",  # ≥ not met
        "单场活动成本得分：0.5 ÷ 0.4 × 10 = 12.50，按分值上限计10。",  # ≤ met
        "群众满意度得分：98.92 ÷ 90 × 10 = 10.99，按分值上限计10。",
        "按四川表式评分；实际完成值超过指标值30%及以上的为偏差",
    ):
        assert line in html
    # 9.3308 + 18 + 15 + 10 + 20 (定性, as entered) + 10 = 82.3308 → 82.33, 93% caps nothing
    assert "82.33" in html
