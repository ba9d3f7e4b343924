"""Deviations of the 绩效自评表 reach sections 七 and 八 first, and the build summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from selfeval.present.formats import cn_number
from selfeval.read.csv import decode_csv_bytes
from selfeval.run import batch
from selfeval.synthetic import write_synthetic_years

YEAR = 2023


def _targets(raw: Path) -> pd.DataFrame:
    text, _ = decode_csv_bytes((raw / "绩效目标.csv").read_bytes())
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str).fillna("")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("project")
    write_synthetic_years(root / "data" / "raw", [YEAR], activities_per_year=5, seed=1)
    capture = root / "stdout.txt"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = batch.build(years=[YEAR], jobs=1, root=root, tty=False)
    capture.write_text(buf.getvalue(), encoding="utf-8")
    assert status == 0, buf.getvalue()
    return root, buf.getvalue()


def _unmet(targets: pd.DataFrame) -> pd.DataFrame:
    ge = targets[targets["方向"] == "≥"].copy()
    num = lambda s: pd.to_numeric(s.str.rstrip("%"), errors="coerce")  # noqa: E731
    return ge[num(ge["实际值"]) < num(ge["目标值"])]


def test_deviation_without_cause_is_a_warning_in_the_build_summary(built) -> None:
    root, out = built
    unmet = _unmet(_targets(root / "data" / "raw" / str(YEAR)))
    no_cause = unmet[unmet["偏差原因"] == ""]
    assert not no_cause.empty, "fixture must hold an unmet indicator without a cause"
    warnings = [ln for ln in out.splitlines() if ln.startswith(f"[{YEAR}] 警告 / warning:")]
    for name in no_cause["三级指标"]:
        assert any(name in w and "偏差原因" in w for w in warnings), (name, warnings)


def test_deviations_come_before_the_analysts_prose(built) -> None:
    root, _ = built
    raw = root / "data" / "raw" / str(YEAR)
    unmet = _unmet(_targets(raw))
    html = (root / "outputs" / str(YEAR) / "report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    seven = soup.find("section", id="s7")
    paras = [p.get_text() for p in seven.find_all("p")]
    first = unmet.iloc[0]
    assert first["三级指标"] in paras[0]
    assert seven.find_all("p")[0].get("class") == ["deviation"]
    if first["偏差原因"] == "":  # a missing cause is the 底稿's, never the 报送稿's text
        assert "未填写偏差原因" not in paras[0]
    # The analyst's own 存在问题 prose follows the deviations, numbered on from them (（一）（二）
    # directly under 七).
    text, _ = decode_csv_bytes((raw / "文字说明.csv").read_bytes())
    prose = [ln.split(",")[-1] for ln in text.splitlines() if ln.startswith("存在问题")]
    if prose:
        deviations = len(seven.select("p.deviation"))
        assert paras[deviations].startswith(f"（{cn_number(deviations + 1)}）")


def _closing(texts: dict, deviations: list, targets: bool) -> BeautifulSoup:
    """Sections 七 to 九 as the HTML writer writes them, from the frame's closing blocks."""
    from selfeval.present import build, html
    from selfeval.present.document import Document
    from selfeval.present.frames import parse_frame
    from tests.unit.present import contexts

    context = contexts.context(year=2031, texts=texts, deviations=deviations, targets_given=targets)
    frame = parse_frame(
        "closing",
        "\n".join(
            f'[[sections]]\nkey = "{k}"\ntitle = "第{k}节"\nanchor = "s{n}"\nblocks = ["{k}"]'
            for n, k in ((7, "problems"), (8, "measures"), (9, "other"))
        ),
    )
    document: Document = build.document_from_context(context, frame)
    return BeautifulSoup(html.render_body(document), "html.parser")


def test_no_deviation_sentence_when_targets_exist_and_nothing_deviates() -> None:
    soup = _closing({}, [], targets=True)
    assert (
        soup.find("section", id="s7").p.get_text()
        == "2031年我单位无预算支出执行偏离绩效目标的情况。"
    )
    # nothing written about measures: not given (said in the 底稿), never 「无」
    assert soup.find("section", id="s8").select_one("p.review").get_text() == "本部分未填报。"
    without_targets = _closing({}, [], targets=False)
    s7 = without_targets.find("section", id="s7").p
    assert s7.get_text() == "本部分未填报。" and "review" in s7["class"]


def test_deviation_measures_lead_section_eight_and_text_is_escaped() -> None:
    from selfeval.scoring import Deviation

    devs = [
        Deviation(problem="「讲座场次」未达成。", cause="<b>场地</b>维修", measure="提前预订场地"),
        Deviation(problem="「到馆人次」未达成。", cause=None, measure=None),
    ]
    texts = {"改进措施": {"paragraphs": ["加强宣传。"]}}
    soup = _closing(texts, devs, targets=True)
    s7 = soup.find("section", id="s7")
    seven = [p.get_text() for p in s7.find_all("p") if "review" not in p.get("class", [])]
    assert seven == [
        "（一）「讲座场次」未达成。原因：<b>场地</b>维修。",
        "（二）「到馆人次」未达成。",
    ]
    # the cause not given is the 底稿's note
    assert [p.get_text() for p in s7.select("p.review")] == ["偏差原因未填报：「到馆人次」未达成。"]
    eight = [p.get_text() for p in soup.find("section", id="s8").find_all("p")]
    assert eight == ["（一）提前预订场地。", "（二）加强宣传。"]
