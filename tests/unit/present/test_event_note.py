"""Issue 30, 「no sentence that only repeats another」, for one activity: a 说明 that itself says
where the activity was held states the place once. Hand-made CSVs built as 03 builds them
(`test_report_states.report`); every expected sentence is written by hand from the cells."""

from __future__ import annotations

from test_report_states import UNIT, YEAR, report, texts

HEAD = ["编号", "类别", "名称", "开始日期", "地点", "线下参与人次", "线上参与人次", "说明"]


def _events(tmp_path, *rows: list[object]) -> list[str]:
    acts = [
        [f"A{n}", "阅读推广活动", name, f"{YEAR}-03-{n:02d}", place, offline, online, note]
        for n, (name, place, offline, online, note) in enumerate(rows, 1)
    ]
    _, soup = report(tmp_path, {"单位概况": UNIT, "活动": [HEAD, *acts]})
    return [t for t in texts(soup, "s6") if "月" in t and "开展" in t]


def test_a_note_that_says_where_states_the_place_once(tmp_path):
    events = _events(
        tmp_path,
        # the note names the place: the unit's clause after the name, the place said once
        ("迎新春送春联", "县文化广场", 300, 78, "线上线下相结合，线下在县文化广场开展"),
        # a note that says nothing of the place: as before, the place in the predicate
        ("亲子读书会", "县图书馆", 40, "", "馆员主持"),
        # a note of two sentences that names the place: stated after the figures, the place
        # not in the predicate
        ("防诈骗讲座", "城南社区", 50, "", "活动在城南社区举行。邀请民警主讲"),
    )
    assert events == [
        "（1）3月1日开展“迎新春送春联”，线上线下相结合，线下在县文化广场开展，"
        "线下参与300人次，线上参与78人次。",
        "（2）3月2日在县图书馆开展“亲子读书会”，参与40人次。馆员主持。",
        "（3）3月3日开展“防诈骗讲座”，参与50人次。活动在城南社区举行。邀请民警主讲。",
    ]
    for text in events:
        assert text.count("县文化广场") + text.count("城南社区") <= 1, text
