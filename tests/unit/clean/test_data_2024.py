# ruff: noqa: E501  (the embedded report has long lines)
"""The 2024 data of 云溪区图书馆 (``data/raw/2024/*.csv``) checked against its published report.

The published report is embedded below as ``PUBLISHED`` (a verbatim copy of
``/work/shared/seed/000_4c74990befc9be68.txt``; a test keeps the copy in step with that file when
it is present), so these tests run from a fresh clone.

Transcription choices, i.e. where each part of the report went:

- 单位概况: name, 单位性质, 主管部门, 编制人数 4, 编制说明 and the duties paragraph verbatim.
- 支出: 人员支出 63.44 and 公用支出 6.33 under 基本支出 with the stated 合计 69.78 (the parts add
  to 69.77; the stated figure stands, the cleaner notes the difference). The report gives 项目支出
  only as a total (39.39) and names no project, so it is a 合计 row of 项目支出 with no parts: a
  project name would be invented. 政府性基金预算 is a 合计 row of 0. 国有资本经营预算 and
  社会保险基金预算 are 无 in the report: they have no rows (absence = 无). 预算数 is blank
  everywhere: the report gives no budget figure.
- The general paragraph printed under 项目支出 ("2024年云溪区图书馆各项工作有序开展…") is the
  analyst's summary of the year, not a spending fact: it is 文字说明 key 概况补充.
- 活动: one row per listing, in report order, category as the report groups them. Names are the
  quoted titles without the quotes; the donations, which the report does not name, use the report's
  own verb phrase (向云街小学捐书). 成效 is the report's qualitative sentence(s) verbatim, minus
  the clauses whose figures are columns (赠书/资料), so the rendered report does not state a
  figure twice; what those clauses said beyond the figure (宣传图册资料, 安全资料, …) is in 说明.
  The 10月29日/31日 lecture pair is two listings (two dates, two places, 200 and 350 人次) sharing
  the effect sentence. The sentence "这些送书活动的开展…" that closes the donation paragraph is the
  成效 of the last donation, where the report prints it (说明 says it covers the five).
  6月11日 建设村 donation and the 三下乡 event are one 编号 (A14) under two categories. The
  宣传周 entry (A16) is a summary listing: 包含 A11、A12 (the 4月22日 and 4月23日 donations), its
  own 场次 4, 赠书 500多, 资料 近千 as stated; "吸引众多市民和学生" has no number, so 线下参与人次
  is blank (unknown) and the phrase stays in 成效. 松阳湖中学 keeps the report's spelling with a
  说明 note (the report also writes 松杨湖).
- Aggregates the product computes from rows are not typed anywhere as data: 全年送图书5次，共计
  2800册, the 6场 of lectures and 平均每年增长3231册 are in 声明数 for reconciliation only.
- 馆藏: 2021 3590 册 (说明: 图书管理系统数据录入初始阶段), 2024 16516 册. The holdings sentence
  of the report is rendered from these rows; only its qualitative remainder ("图书藏量稳步提升…
  让读者有多更丰富阅读资源选择") is 文字说明 馆藏建设, with the 系统管理规范有序 paragraph.
- 数字服务: the four list items are rows (官网, 数字移动图书馆, 微信图书馆 4 期/月 and 48 期/年,
  电子借阅机 3000 册 and 1500 册/月), their wording in 说明; no prose duplicates them, so the
  数字服务 文字说明 row carries only the heading 数字服务触角延伸广.
- 满意度: 群众满意度 98.92 (rate only). The service-evaluation prose is kept verbatim except its
  last clause "群众满意度98.92%", which the report renders from the 满意度 row.
- 文字说明 headings (标题) of section 六: 活动 提升服务效能重在实, 服务评价 围绕业务工作服务评价好,
  数字服务 数字服务触角延伸广, 馆藏建设 图书资源持续增长更新快, 基层服务 镇街道图书（室）服务推进深.
  活动 and 数字服务 have no prose of their own, so their rows carry the heading with an empty 内容.
  Sections 七 to 九 are 存在问题 / 改进措施 / 其他说明 verbatim.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[3]
RAW = REPO / "data" / "raw" / "2024"
YEAR = 2024
SEED_FILE = Path("/work/shared/seed/000_4c74990befc9be68.txt")

PUBLISHED = """ 2024年度云溪区图书馆整体支出绩效自评报告


一、部门（云溪区图书馆）概况
云溪区图书馆正股级事业机构，隶属区文旅广局。核定全额拨款事业编制4名，其中馆长1名，副馆长1名。其主要职责是：负责保存、收集、整理、借阅图书资料，实施免费开放工作；负责图书网络系统设计、施工、维护、管理和文献数字化处理，开展图书馆学研究、知识培训，保存人类文化遗产、开展社会教育、传递科学情报、开发智力资源、提供文化娱乐以及相关社会服务;负责开展全区公共图书馆事业调研，承担各镇（街道）图书阅览室的业务指导与培训，负责村级农家书屋的管理和建设。
二、一般公共预算支出情况
（一）基本支出情况
2024年财政拨款基本支出69.78万元，其中：人员支出63.44万元，公用支出6.33万元，其中“三公”经费支出0万元。（公务接待费0万元，公务用车运行费0万元）
（二）项目支出情况
2024年项目支出39.39万元。2024年云溪区图书馆各项工作有序开展，图书藏量稳步提升，在文化活动举办、图书资源服务、数字平台推广及馆藏建设等方面均取得一定成效，为当地文化建设添砖加瓦，后段将继续努力提升服务水平，满足读者日益增长的文化需求。
3、 政府性基金预算支出情况0万元。
无。
4、 国有资本经营预算支出情况

无。
五、社会保险基金预算支出情况

无。
六、部门整体支出绩效情况
提升服务效能重在实
1、传统节日主题活动
2月2日举办“龙腾盛世中国年文明云溪贺新春送春联活动”，线上线下相结合，线下在区文明实践中心开展，参与人次约300人，线上活动参与人数78人。借助开展民俗活动契机，开辟文化书画长廊，宣传优秀传统文化，展示优秀文艺作品，获得社会各界一致好评。
2月17日上午开展“开春祈福千米长卷地书活动”，于云溪街道天子山举行，约330人参与。活动丰富了农村社区春节文化生活，倡导了文明节日新气象。
2月18 - 20日“龙腾书海春满文苑迎新春文化惠民服务”在岳化厂大门小游园举行，吸引3600名观众。活动免费赠送图书780本，发放宣传图册资料4000多份，为首届民俗闹新春活动丰富文化内涵。
2、文化志愿服务活动
3月6日下午“到群众最需要的地方去文旅志愿者服务”走进长炼绿色化工高新区，约600人参与。活动现场搭建展板文化长廊，推送新书，弘扬传统文化，发放宣传资料400余份，赠送图书，取得良好社会效果。
3、知识技能培训与讲座活动(6场)
4月6日在文化活动中心举办消防安全知识技能培训，60人参加。培训深入贯彻消防安全工作要求，通过集中授课与消防演练提升行业消防安全水平。
5月9日下午在陆城镇泾港村开展未成年人安全知识教育讲座活动，近百人参加。聘请专业教师授课，发放安全资料110份，增强了全民安全意识，受到村民家长及未成年学生欢迎，官网予以报道。
  5月22日下午在长岭街道八字门社区举办廉洁文化讲座，百人参加。活动精心组织，主讲老师生动讲述，文化服务志愿者保障有序，社会反响良好，达到预期效果。
6月27日上午在局会议室开展卫生健康教育讲座，40人参加。讲座聘请专家主讲，结合数据案例讲述心脑血管疾病相关知识，倡导预防为主理念，活动取得预期成效。
    10月29日和10月31日分别在松杨湖街道茅岭头社区、凌泊湖社区开展“法伴你我共护成长主题教育讲座”，参与人次分别为200人次和350人次。讲座内容涵盖防欺凌、防性侵等法律知识，主讲老师详细讲解，活动获得现场听众好评。
4、送图书走基层活动
全年送图书5次，共计2800册。4月22日在文化活动中心送图书300册，4月23日向云街小学捐书500册，参与人次300人，4月26日向松阳湖中学捐书1000册，参与人次300人，6月11日为建设村捐书500册，11月13日为滨湖村捐书500册，这些送书活动的开展，有力的推动全民阅读，受到群众师生欢迎。
5、文化服务宣传周活动
    4月22、23日分别开展宣传服务2场、全民阅读、捐书活动各一场。活动在区文化活动中心和云街小学举行，吸引众多市民和学生，围绕现代图书馆建设主题宣传，赠送图书500多本，发放宣传资料近千份，助力全民阅读，收到良好社会效果。
6、文化科技卫生“三下乡”活动
    6月11日下午在云溪街道建设村开展科技文化三下乡活动，1000人次参与。区图书馆积极组织送图书、写书画等活动，发放法律法规宣传读本及数字平台推荐宣传单2000份，推动“三下乡”活动开展，社会反响良好。
围绕业务工作服务评价好
 1、精心挑选图书资源满足不同群体阅读需求。图书馆挑选涵盖教育、文学、科普、艺术、少儿等多领域图书。如向云街小学赠送图书涵盖文学、心理健康等方面；向松阳湖中学赠送图书包括学科知识拓展、经典文学作品，在文化活动中心向社会捐赠地方文献、心理及法律法规书籍等深受社会各界好评。
2、积极开展阅读推广活动：以开展世界“读书日”及文化服务宣传周等活动为契机，深入基层学校开展阅读推广活动：捐赠图书，推广数字平台应用。捐赠图书活动不仅丰富学校图书藏量，还激发学生阅读兴趣，营造良好阅读氛围，受到群众及学校师生欢迎与好评，群众满意度98.92%。
数字服务触角延伸广
1、在图书馆官网，及时发布文化活动新闻资讯信息；
2、建设了数字移动图书馆，海量图书触手可及，区域动态信息可及时查阅知悉，包括电子书、多种期刊、微视频，涵盖文学、艺术、教育、少儿等，满足不同读者需求，服务推广推送至基层；
3、建立了微信图书馆，在国家公信部已备案，每月定期推送好书、新书4期，全年推送48期；
4、开展了电子借阅机服务，内置3000册独家版权经典的畅销新书每月更新图书1500册，读者手机轻松扫一扫，海量图书免费带回家，图书馆资源读者能随时随地享受阅读服务；
图书资源持续增长更新快
[bookmark: _GoBack]1、图书藏量稳步提升：2021 - 2024年图书新增藏量显著，2021年图书管理系统数据录入初始阶段有3590册，到2024年已达16516册，平均每年增长3231册，让读者有多更丰富阅读资源选择。
2、系统管理规范有序：图书馆集群管理云系统再升级，馆藏书目清单查询、统计、馆际借阅等操作更便捷，工作人员录入图书信息及时准确，确保系统数据更新快，图书管理和读者服务规范有序。
镇街道图书（室）服务推进深
加强对基层图书室的摸底调查，获取第一手资料。对全区村级综合文化服务中心图书室进行了具体工作指导，重点提升村级文化阵地的免费开放水平和服务效能，为群众提供更多更便捷的文化服务。同时以省委巡视组检查反馈意见为工作重点，对镇（街道）村社区存在的文化设施配备不完善、利用率不高等情况提出具体整改意见，正逐步规范。
七、存在的问题及原因分析
2024年我单位无预算支出执行偏离绩效目标的情况。
下一步改进措施
无。
8、 其他需要说明的情况
无。
"""


# ---------------------------------------------------------------- helpers on the raw CSVs


def _raw_rows(sheet: str) -> list[dict[str, str]]:
    """Rows of ``data/raw/2024/<sheet>.csv`` as read by the csv module (no product code)."""
    with open(RAW / f"{sheet}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _all_raw_cells() -> list[str]:
    cells: list[str] = []
    for path in sorted(RAW.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                cells.extend(row)
    return cells


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _report_numbers(text: str) -> list[tuple[int, str]]:
    """(line number, number) of every figure in the report, skipping dates, years, list numbering."""
    found: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = re.sub(r"\[bookmark:[^\]]*\]", "", line)  # a Word bookmark left in the export
        for m in _NUMBER.finditer(line):
            before, after = line[: m.start()], line[m.end() :]
            if re.match(r"\s*[年月日]", after):  # 2024年, 2月, 20日
                continue
            if re.match(r"\s*-\s*\d+\s*年", after) or re.match(r"\s*、\s*\d+\s*日", after):
                continue  # 2021 - 2024年, 4月22、23日
            if before.endswith("月"):  # the day of 2月18 - 20日
                continue
            if before.strip() == "" and after.startswith("、"):  # 1、 3、 8、
                continue
            found.append((lineno, m.group()))
    return found


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，。；;：]", text) if c.strip()]


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# ---------------------------------------------------------------- raw-file checks


@pytest.mark.skipif(not SEED_FILE.exists(), reason="共享的原始报告文件不在本机 / seed file absent")
def test_embedded_report_is_the_published_one():
    """The copy above is the shared seed file, byte for byte apart from trailing whitespace."""
    assert SEED_FILE.read_text(encoding="utf-8").rstrip() == PUBLISHED.rstrip()


def test_report_number_extraction_skips_dates_and_numbering():
    """The extractor itself: figures kept, dates/years/list numbers skipped."""
    sample = (
        "1、2月18 - 20日吸引3600名观众，2021 - 2024年，4月22、23日赠书500多本(6场)，满意度98.92%"
    )
    assert [n for _, n in _report_numbers(sample)] == ["3600", "500", "6", "98.92"]


def test_every_number_of_the_report_is_in_the_raw_data():
    """Mechanical completeness: each figure printed in the report appears in some raw cell."""
    cell_numbers = {n for cell in _all_raw_cells() for n in _NUMBER.findall(cell)}
    report = _report_numbers(PUBLISHED)
    assert len(report) > 40  # the report states dozens of figures; guard against a broken regex
    missing = [(line, n) for line, n in report if n not in cell_numbers]
    assert missing == []


def test_prose_is_transcribed_verbatim():
    """Every clause of 成效, 文字说明, 主要职责 and the digital-service wording is the report's own."""
    texts: list[str] = [r["成效"] for r in _raw_rows("活动") if r["成效"]]
    texts += [r["内容"] for r in _raw_rows("文字说明") if r["内容"]]
    texts += [r["说明"] for r in _raw_rows("数字服务") if r["说明"]]
    texts += [r["内容"] for r in _raw_rows("单位概况") if r["项目"] in ("主要职责", "编制说明")]
    assert len(texts) > 25
    reworded = [c for t in texts for c in _clauses(t) if c not in PUBLISHED]
    assert reworded == []


def test_duties_paragraph_is_verbatim():
    duties = PUBLISHED.split("其主要职责是：", 1)[1].splitlines()[0]
    unit = {r["项目"]: r["内容"] for r in _raw_rows("单位概况")}
    assert unit["主要职责"] == duties


def test_computed_figures_are_not_typed_into_prose():
    """Totals the product computes from rows (and the 满意度 it renders from its row) stay out."""
    prose = [r["成效"] for r in _raw_rows("活动")] + [r["内容"] for r in _raw_rows("文字说明")]
    for figure in ("2800", "5次", "6场", "3231", "3590", "16516", "98.92"):
        assert not [p for p in prose if figure in p], figure


# ---------------------------------------------------------------- the real cleaner


@pytest.fixture(scope="module")
def cleaned():
    """The 2024 raw folder cleaned by the product's cleaner (an InputError fails every test)."""
    clean = pytest.importorskip("selfeval.clean", reason="清洗模块尚未提交 / cleaner not landed")
    return clean.clean_year(RAW, YEAR)


@pytest.fixture(scope="module")
def acts(cleaned) -> pd.DataFrame:
    return cleaned.tables["activities"]


def test_cleans_with_every_sheet(cleaned):
    assert {
        "unit",
        "spending",
        "sangong",
        "activities",
        "holdings",
        "digital",
        "satisfaction",
        "texts",
        "stated",
    } <= set(cleaned.tables)
    assert cleaned.meta["unit_name"] == "云溪区图书馆"
    assert cleaned.meta["year"] == YEAR


def test_unit_overview(cleaned):
    unit = dict(zip(cleaned.tables["unit"]["item"], cleaned.tables["unit"]["value"], strict=True))
    assert unit["单位名称"] == "云溪区图书馆"
    assert unit["主管部门"] == "区文旅广局"
    assert unit["单位性质"] == "正股级事业机构"
    assert str(unit["编制人数"]) == "4"
    assert "馆长1名" in unit["编制说明"] and "副馆长1名" in unit["编制说明"]
    assert unit["主要职责"].startswith("负责保存、收集、整理、借阅图书资料")
    assert unit["主要职责"].endswith("负责村级农家书屋的管理和建设。")


def _spending(cleaned, budget_type, category, item):
    sp = cleaned.tables["spending"]
    cat = sp["category"].isna() if category is None else sp["category"] == category
    rows = sp[(sp["budget_type"] == budget_type) & cat & (sp["item"] == item)]
    assert len(rows) == 1, (budget_type, category, item)
    return rows.iloc[0]


def test_basic_spending_stated_total_stands_within_rounding(cleaned):
    """基本支出 69.78 stated; 63.44 + 6.33 = 69.77 is within rounding, so 69.78 stands."""
    staff = _spending(cleaned, "一般公共预算", "基本支出", "人员支出")
    public = _spending(cleaned, "一般公共预算", "基本支出", "公用支出")
    total = _spending(cleaned, "一般公共预算", "基本支出", "合计")
    assert staff["actual"] == pytest.approx(63.44)
    assert public["actual"] == pytest.approx(6.33)
    assert bool(total["is_total"]) and total["actual"] == pytest.approx(69.78)
    assert staff["actual"] + public["actual"] == pytest.approx(69.77)
    # The budget is unknown (the report gives none): null, never 0.
    assert pd.isna(staff["budget"]) and pd.isna(total["budget"])
    # The difference is noted in the checks, with both figures.
    notes = [
        e
        for e in cleaned.checks["reconciled"]
        if _num(e.get("stated")) is not None
        and math.isclose(_num(e["stated"]), 69.78, abs_tol=1e-9)
    ]
    assert len(notes) == 1
    assert _num(notes[0]["computed"]) == pytest.approx(69.77)
    assert abs(_num(notes[0]["difference"])) == pytest.approx(0.01)


def test_project_and_other_budget_types(cleaned):
    assert _spending(cleaned, "一般公共预算", "项目支出", "合计")["actual"] == pytest.approx(39.39)
    assert _spending(cleaned, "政府性基金预算", None, "合计")["actual"] == 0
    # The published report says 「无。」 for both: the data states them as 合计 0 (stated none).
    assert _spending(cleaned, "国有资本经营预算", None, "合计")["actual"] == 0
    assert _spending(cleaned, "社会保险基金预算", None, "合计")["actual"] == 0


def test_sangong_is_zero(cleaned):
    sg = cleaned.tables["sangong"].set_index("item")
    assert sg.loc["公务接待费", "actual"] == 0
    assert sg.loc["公务用车运行费", "actual"] == 0
    assert sg["actual"].sum() == 0
    assert sg["budget"].isna().all()


def test_five_donations_total_2800_books(acts):
    """全年送图书5次，共计2800册 comes out of the rows: 300 + 500 + 1000 + 500 + 500."""
    donations = acts[acts["category"] == "送图书走基层活动"].sort_values("listing_order")
    assert len(donations) == 5
    assert donations["books"].tolist() == [300, 500, 1000, 500, 500]
    assert int(donations["books"].sum()) == 300 + 500 + 1000 + 500 + 500 == 2800
    days = donations["start_date"].dt.strftime("%m-%d").tolist()
    assert days == ["04-22", "04-23", "04-26", "06-11", "11-13"]


def test_six_lectures_and_trainings(acts):
    lectures = acts[acts["category"] == "知识技能培训与讲座活动"]
    assert len(lectures) == 6
    assert int(lectures["sessions"].fillna(1).sum()) == 6
    assert lectures["offline"].tolist() == [60, 100, 100, 40, 200, 350]


def test_category_order_is_the_reports(acts):
    order = acts.drop_duplicates("category").sort_values("category_order")["category"].tolist()
    assert order == [
        "传统节日主题活动",
        "文化志愿服务活动",
        "知识技能培训与讲座活动",
        "送图书走基层活动",
        "文化服务宣传周活动",
        "文化科技卫生“三下乡”活动",
    ]


def test_qualifiers_are_kept(acts):
    """约300, 近百, 百, 4000多, 400余, 近千, 500多 become a number and a qualifier."""
    by_name = acts.drop_duplicates("name").set_index("name")

    def count(name, measure):
        row = by_name.loc[name]
        return int(row[measure]), row[f"{measure}_q"], row[f"{measure}_text"]

    assert count("龙腾盛世中国年文明云溪贺新春送春联活动", "offline") == (300, "约", "约300")
    assert count("龙腾盛世中国年文明云溪贺新春送春联活动", "online") == (78, "", "78")
    assert count("开春祈福千米长卷地书活动", "offline") == (330, "约", "约330")
    assert count("龙腾书海春满文苑迎新春文化惠民服务", "materials") == (4000, "多", "4000多")
    assert count("到群众最需要的地方去文旅志愿者服务", "offline") == (600, "约", "约600")
    assert count("到群众最需要的地方去文旅志愿者服务", "materials") == (400, "余", "400余")
    assert count("未成年人安全知识教育讲座活动", "offline") == (100, "近", "近百")
    # 百 alone is a round figure: written 约100, as counts are written in numerals
    assert count("廉洁文化讲座", "offline") == (100, "约", "约100")
    assert count("文化服务宣传周活动", "books") == (500, "多", "500多")
    assert count("文化服务宣传周活动", "materials") == (1000, "近", "近千")
    # A count the report does not give is unknown, not 0 (赠送图书 at the 3月6日 event).
    assert pd.isna(by_name.loc["到群众最需要的地方去文旅志愿者服务", "books"])


def test_dates_periods_places(acts):
    first = acts.set_index("listing_order").sort_index()
    spring = first[first["name"] == "龙腾书海春满文苑迎新春文化惠民服务"].iloc[0]
    assert spring["start_date"] == pd.Timestamp("2024-02-18")
    assert spring["end_date"] == pd.Timestamp("2024-02-20")
    assert spring["place"] == "岳化厂大门小游园"
    assert pd.isna(spring["period"])
    volunteers = first[first["name"] == "到群众最需要的地方去文旅志愿者服务"].iloc[0]
    assert volunteers["period"] == "下午" and volunteers["place"] == "长炼绿色化工高新区"
    periods = first["period"].dropna().tolist()
    assert periods == ["上午", "下午", "下午", "下午", "上午", "下午"]
    typo = first[first["place"] == "松阳湖中学"].iloc[0]
    assert pd.isna(typo["note"]) and "松杨湖" in typo["internal_note"]  # a clerk's note, unprinted


def test_june_11_is_one_event_under_two_categories(acts):
    june11 = acts[acts["start_date"] == pd.Timestamp("2024-06-11")]
    assert len(june11) == 2
    assert june11["event_id"].nunique() == 1
    assert set(june11["category"]) == {"送图书走基层活动", "文化科技卫生“三下乡”活动"}
    # Each listing states what the report states under it; the event has both.
    assert june11["books"].max() == 500 and june11["offline"].max() == 1000
    assert june11["materials"].max() == 2000


def test_propaganda_week_is_a_summary_listing(cleaned, acts):
    """宣传周 4月22–23日: 4 场, 500多 books, 近千 materials as stated; includes two donations."""
    week = acts[acts["category"] == "文化服务宣传周活动"]
    assert len(week) == 1
    week = week.iloc[0]
    assert week["start_date"] == pd.Timestamp("2024-04-22")
    assert week["end_date"] == pd.Timestamp("2024-04-23")
    assert int(week["sessions"]) == 4
    assert (int(week["books"]), week["books_q"]) == (500, "多")
    members = [m for m in re.split(r"[、,，;]", week["includes"]) if m]
    assert len(members) == 2
    member_rows = acts[acts["event_id"].isin(members)]
    assert sorted(member_rows["start_date"].dt.day.tolist()) == [22, 23]
    assert set(member_rows["category"]) == {"送图书走基层活动"}
    # The discrepancy the reconciliation must show: 500多 stated vs 300 + 500 in the members.
    assert int(member_rows["books"].sum()) == 300 + 500 != int(week["books"])
    entries = [e for e in cleaned.checks["reconciled"] if e.get("sheet") == "活动"]
    assert [(_num(e["stated"]), _num(e["computed"])) for e in entries] == [(500.0, 800.0)]


def test_deduplicated_event_count(acts):
    """17 listings; the 6月11日 event is listed twice, so 16 distinct events (编号).

    Whether the yearly 活动项数 counts the 宣传周 summary (A16) as an event besides the two
    donations it includes is the analysis's convention; the rows hold 16 distinct 编号.
    """
    # By hand from the report: 传统节日 3 + 志愿服务 1 + 培训讲座 6 + 送图书 5 + 宣传周 1 + 三下乡 1.
    assert len(acts) == 3 + 1 + 6 + 5 + 1 + 1 == 17
    assert acts["event_id"].nunique() == 17 - 1


def _yearly_total(acts: pd.DataFrame, measure: str, unknown_as: int | None = None) -> int:
    """Yearly total per docs/architecture.md, computed here independently of the product.

    One value per 编号 (its listings agree); a summary listing and its members count
    max(summary, sum of members).
    """
    values = acts[measure].astype("Float64")
    if unknown_as is not None:
        values = values.fillna(unknown_as)
    per_event = values.groupby(acts["event_id"], sort=False).max()
    total = float(per_event.sum(skipna=True))
    for _, summary in acts.dropna(subset=["includes"]).iterrows():
        members = [m for m in re.split(r"[、,，;]", summary["includes"]) if m]
        own = per_event.get(summary["event_id"])
        own = 0.0 if pd.isna(own) else float(own)
        covered = float(per_event[members].sum(skipna=True))
        total += max(own, covered) - own - covered
    return int(total)


def test_yearly_totals(acts):
    """Totals counted by hand from the published report (each event once)."""
    offline = (
        300
        + 330
        + 3600  # 传统节日: 约300, 约330, 3600
        + 600  # 志愿服务: 约600
        + 60
        + 100
        + 100
        + 40
        + 200
        + 350  # 培训讲座: 60, 近百, 百, 40, 200, 350
        + 300
        + 300  # 送图书: 云街小学 300, 松阳湖中学 300 (others not stated)
        + 1000  # 三下乡 = 建设村 donation, counted once; 宣传周 "众多" is not a number
    )
    assert offline == 7280
    assert _yearly_total(acts, "offline") == offline
    assert _yearly_total(acts, "online") == 78
    # Books: 780 at 2月18–20日 + 2800 donated; the 宣传周's 500多 is covered by its members' 800.
    assert _yearly_total(acts, "books") == 780 + max(500, 300 + 500) + 1000 + 500 + 500 == 3580
    # Materials: 4000多 + 400余 + 110 + 近千 + 2000.
    assert _yearly_total(acts, "materials") == 4000 + 400 + 110 + 1000 + 2000 == 7510
    # Sessions: 16 events of 1 session, but the 宣传周 group (itself + 2 donations) is 4 场.
    assert _yearly_total(acts, "sessions", unknown_as=1) == 16 - 3 + 4 == 17


def test_holdings(cleaned):
    h = cleaned.tables["holdings"].set_index("year")
    assert int(h.loc[2021, "holdings"]) == 3590
    assert int(h.loc[2024, "holdings"]) == 16516
    assert h.loc[2021, "note"] == "图书管理系统数据录入初始阶段"


def test_satisfaction(cleaned):
    s = cleaned.tables["satisfaction"]
    assert len(s) == 1
    assert s.iloc[0]["rate"] == pytest.approx(98.92)
    assert pd.isna(s.iloc[0]["sample"]) and pd.isna(s.iloc[0]["satisfied"])


def test_digital_services(cleaned):
    d = cleaned.tables["digital"]
    assert d["service"].drop_duplicates().tolist() == [
        "图书馆官网",
        "数字移动图书馆",
        "微信图书馆",
        "电子借阅机",
    ]
    figures = {(r.service, r.unit, r.value) for r in d.dropna(subset=["value"]).itertuples()}
    assert figures == {
        ("微信图书馆", "期", 4.0),
        ("微信图书馆", "期", 48.0),
        ("电子借阅机", "册", 3000.0),
        ("电子借阅机", "册", 1500.0),
    }


def test_texts_headings_and_sections(cleaned):
    t = cleaned.tables["texts"].sort_values("order")
    titles = t.dropna(subset=["title"])
    assert list(zip(titles["section"], titles["title"], strict=True)) == [
        ("活动", "提升服务效能重在实"),
        ("服务评价", "围绕业务工作服务评价好"),
        ("数字服务", "数字服务触角延伸广"),
        ("馆藏建设", "图书资源持续增长更新快"),
        ("基层服务", "镇街道图书（室）服务推进深"),
    ]
    first = dict(zip(t["section"], t["content"], strict=False))
    assert first["概况补充"].startswith("2024年云溪区图书馆各项工作有序开展")
    assert first["存在问题"] == "2024年我单位无预算支出执行偏离绩效目标的情况。"
    assert first["改进措施"] == "无。" and first["其他说明"] == "无。"
    assert (t["section"] == "服务评价").sum() == 2 and (t["section"] == "馆藏建设").sum() == 2
    # 活动 and 数字服务 carry only their heading: their content is rendered from rows.
    heading_only = t[t["section"].isin(["活动", "数字服务"])]
    assert heading_only["content"].fillna("").eq("").all()


def test_stated_figures_against_the_rows(cleaned, acts):
    """声明数 holds what the report states; the rows give the same, except the average growth."""
    stated = dict(
        zip(cleaned.tables["stated"]["indicator"], cleaned.tables["stated"]["value"], strict=True)
    )
    donations = acts[acts["category"] == "送图书走基层活动"]
    lectures = acts[acts["category"] == "知识技能培训与讲座活动"]
    assert stated["送图书走基层活动·次数"] == len(donations) == 5
    assert stated["送图书走基层活动·赠书册数"] == donations["books"].sum() == 2800
    assert stated["知识技能培训与讲座活动·场次"] == lectures["sessions"].fillna(1).sum() == 6
    # 平均每年增长3231册 is (16516 - 3590) / 4 truncated, though 2021 -> 2024 is three years.
    h = cleaned.tables["holdings"].set_index("year")["holdings"]
    per_year = (int(h[2024]) - int(h[2021])) / (2024 - 2021)
    assert stated["馆藏年均增长"] == 3231 == int((16516 - 3590) / 4)
    assert per_year == pytest.approx(4308.67, abs=0.01)
