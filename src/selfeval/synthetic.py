"""Synthetic input of a clearly fictional unit, valid under the contract and realistically messy.

Used by tests, the batch and the benchmarks. Deterministic for a given seed; never writes into
``data/raw/`` unless ``allow_raw=True``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

from selfeval.contract import sheets as sc

UNIT_NAME = "示例区合成图书馆（合成数据）"
DEPARTMENT = "示例区文化旅游局（合成）"
CATEGORIES = (
    "传统节日主题活动",
    "文化志愿服务活动",
    "知识技能培训与讲座活动",
    "送图书走基层活动",
    "全民阅读推广活动",
    "文化科技卫生“三下乡”活动",
)
PLACES = (
    "合成街道文化站",
    "示例社区书屋",
    "虚构小学",
    "样本广场",
    "演示村综合服务中心",
    "本馆报告厅",
)
PROJECTS = ("图书购置专项（合成）", "阅读推广专项（合成）", "数字资源建设专项（合成）")
#: The repository's own raw folder (not SELFEVAL_ROOT's): real data lives there.
REPO_RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


#: The columns the library unit's rows fill, in their order (the contract has more, optional).
_LIBRARY_COLUMNS = {
    "单位概况": ("item", "value"),
    "支出": ("budget_type", "category", "item", "budget", "actual", "note"),
    "三公经费": ("item", "budget", "actual"),
    "活动": (
        "event_id",
        "category",
        "name",
        "start_date",
        "end_date",
        "period",
        "place",
        "offline",
        "online",
        "sessions",
        "books",
        "materials",
        "effect",
        "includes",
        "note",
    ),
    "馆藏": ("year", "holdings", "added", "note"),
    "数字服务": ("service", "indicator", "value", "unit", "note"),
    "满意度": ("survey", "sample", "satisfied", "rate"),
    "绩效目标": (
        "level1",
        "level2",
        "level3",
        "direction",
        "target",
        "actual",
        "unit",
        "weight",
        "assessment",
        "score",
        "deviation_reason",
        "measures",
    ),
    "文字说明": ("section", "title", "content"),
    "声明数": ("indicator", "value", "unit", "note"),
}


def _headers(sheet: str, unit: str = "万元", keys: tuple[str, ...] | None = None) -> list[str]:
    spec = sc.SHEETS_BY_NAME[sheet]
    keys = keys or _LIBRARY_COLUMNS[sheet]
    columns = [spec.column(k) for k in keys]
    return [f"{c.header}（{unit}）" if c.has_unit else c.header for c in columns]


def _count_text(rng: random.Random, n: int) -> Any:
    """A count as people write it (qualifiers, thousands separators, full-width digits)."""
    style = rng.random()
    if style < 0.12:
        return f"约{n}"
    if style < 0.18 and n >= 100:
        return f"{n // 100 * 100}余"
    if style < 0.24 and n >= 1000:
        return f"{n // 1000 * 1000}多"
    if style < 0.28:
        return rng.choice(("近百", "百", "上千", "近千"))
    if style < 0.36 and n >= 1000:
        return f"{n:,}"
    if style < 0.42:
        return str(n).translate(_FW)
    return n


def _date_text(rng: random.Random, d: dt.date, fmt: str) -> Any:
    style = rng.randrange(5)
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    if style == 3:
        return f"{d.month}月{d.day}日"
    return dt.datetime(d.year, d.month, d.day) if fmt == "xlsx" else d.isoformat()


def _year_sheets(year: int, first_year: int, n_activities: int, seed: int, fmt: str) -> dict:
    rng = random.Random(f"selfeval-synthetic-{seed}-{year}")
    sheets: dict[str, list[list[Any]]] = {}
    staff = 4 + (seed + year) % 5
    sheets["单位概况"] = [
        ["项目", "内容"],
        ["单位名称", UNIT_NAME],
        ["单位性质", "正股级事业机构（虚构）"],
        ["主管部门", DEPARTMENT],
        ["编制人数", str(staff).translate(_FW) if year % 2 else staff],
        ["编制说明", f"全额拨款事业编制{staff}名，其中馆长1名、副馆长1名（虚构）"],
        ["主要职责", "负责图书资料的收集、整理、借阅与免费开放，开展阅读推广（本单位为虚构）。"],
        ["填报日期", f"{year + 1}-01-{10 + rng.randrange(15)}"],
    ]

    # 支出: odd years in 元 with thousands separators, even years in 万元.
    unit = "元" if year % 2 else "万元"
    personnel = rng.randint(500_000, 800_000)
    public = rng.randint(40_000, 90_000)
    projects = [rng.randint(50_000, 200_000) for _ in PROJECTS[: 1 + rng.randrange(3)]]

    def amt(yuan: int) -> Any:
        return f"{yuan:,}" if unit == "元" else round(yuan / 10000, 2)

    def stated_total(parts: list[int]) -> Any:
        if unit == "元":
            return f"{sum(parts):,}"
        return round(sum(parts) / 10000, 2)  # may differ from the sum of rounded parts

    rows = [_headers("支出", unit)]
    budget_blank = rng.random() < 0.3
    for item, value in (("人员支出", personnel), ("公用支出", public)):
        budget = "" if budget_blank else amt(int(value * 1.02))
        rows.append(["一般公共预算", "基本支出", item, budget, amt(value), ""])
    rows.append(["一般公共预算", "基本支出", "合计", "", stated_total([personnel, public]), ""])
    for name, value in zip(PROJECTS, projects, strict=False):
        rows.append(["一般公共预算", "项目支出", name, amt(value), amt(value), "合成数据"])
    rows.append(["一般公共预算", "项目支出", "合计", "", stated_total(projects), ""])
    rows.append(["政府性基金预算", "", "合计", "", 0, "无"])
    sheets["支出"] = rows

    sheets["三公经费"] = [
        _headers("三公经费"),
        ["公务接待费", 0.5, round(rng.random() * 0.5, 2)],
        ["公务用车运行费", "", 0],
    ]

    # 活动
    act = [_headers("活动")]
    dates = sorted(
        dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365)) for _ in range(n_activities)
    )
    for i, d in enumerate(dates, start=1):
        cat = CATEGORIES[min(i * len(CATEGORIES) // max(n_activities, 1), len(CATEGORIES) - 1)]
        if rng.random() < 0.2:
            cat = rng.choice(CATEGORIES)
        end = d + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        end_text = "" if end == d or end.year != year else _date_text(rng, end, fmt)
        offline = rng.choice(("", 40, 60, 100, 300, 350, 600, 1000, 3600))
        online = rng.choice(("", "", "", 78, 120, 1500))
        sessions = rng.choice(("", "", "", 2, 6))
        books = rng.choice(("", "", 300, 500, 780, 1000)) if "图书" in cat or i % 4 == 0 else ""
        materials = rng.choice(("", "", 110, 400, 2000, 4000))
        act.append(
            [
                f"E{i:04d}",
                cat,
                f"合成活动{i}（{cat[:4]}）",
                _date_text(rng, d, fmt),
                end_text,
                rng.choice(("", "上午", "下午", "晚上", "全天")),
                rng.choice(PLACES),
                "" if offline == "" else _count_text(rng, offline),
                "" if online == "" else _count_text(rng, online),
                sessions,
                "" if books == "" else _count_text(rng, books),
                "" if materials == "" else _count_text(rng, materials),
                "活动反响良好（合成数据）。",
                "",
                "",
            ]
        )
    if n_activities >= 2:
        # One event listed under a second category: same 编号, counts left blank.
        src = act[1 + n_activities // 2]
        other = next(c for c in CATEGORIES if c != src[1])
        act.append(
            [
                src[0],
                other,
                src[2],
                src[3],
                src[4],
                src[5],
                src[6],
                "",
                "",
                "",
                "",
                "",
                "同一活动的另一类别列示（合成数据）。",
                "",
                "",
            ]
        )
    if n_activities >= 4:
        # A summary listing covering the first two events, with its own stated figures.
        act.append(
            [
                "S0001",
                CATEGORIES[4],
                "全民阅读宣传周（汇总，合成）",
                f"{dates[0].month}月{dates[0].day}日",
                "",
                "",
                "",
                "",
                "",
                4,
                "500多",
                "近千",
                "汇总两项活动（合成数据）。",
                "E0001、E0002",
                "汇总行",
            ]
        )
    sheets["活动"] = act

    # 馆藏: holdings growing from the first synthetic year.
    hold_rng = random.Random(f"selfeval-synthetic-{seed}-holdings")
    holdings = 3000 + hold_rng.randrange(1000)
    series = []
    for y in range(first_year - 1, year + 1):
        added = 2000 + hold_rng.randrange(2500)
        holdings += added
        series.append((y, holdings, added))
    sheets["馆藏"] = [_headers("馆藏")] + [
        [y, f"{h:,}", a, "图书管理系统数据（合成）"] for y, h, a in series[-4:]
    ]

    sheets["数字服务"] = [
        _headers("数字服务"),
        ["微信图书馆", "年推送期数", 48, "期", "每月4期（合成）"],
        ["电子借阅机", "可借电子书", "3,000", "册", ""],
        ["本馆网站", "", "", "", "及时发布活动资讯（合成）"],
    ]

    sample = 200 + rng.randrange(300)
    satisfied = sample - rng.randrange(1, 8)
    sheets["满意度"] = [
        _headers("满意度"),
        ["读者满意度调查（合成）", sample, satisfied, ""],
        ["活动现场问卷（合成）", "", "", "96.5"],
    ]

    sheets["绩效目标"] = [
        _headers("绩效目标"),
        [
            "产出指标",
            "数量指标",
            "开展活动次数",
            "≥",
            "20",
            str(n_activities),
            "次",
            20,
            "",
            "",
            "",
            "",
        ],
        [
            "产出指标",
            "数量指标",
            "新增藏书",
            "≥",
            "2000",
            str(series[-1][2]),
            "册",
            15,
            "",
            "",
            "",
            "",
        ],
        ["产出指标", "质量指标", "活动开展合规率", "=", "100%", "100%", "%", 15, "", "", "", ""],
        [
            "产出指标",
            "时效指标",
            "活动按计划完成",
            "定性",
            "按时完成",
            "按时完成",
            "",
            10,
            "达成",
            10,
            "",
            "",
        ],
        [
            "效益指标",
            "社会效益指标",
            "全民阅读氛围",
            "定性",
            "明显提升",
            "有所提升",
            "",
            20,
            "部分达成",
            15,
            "宣传覆盖面有限",
            "扩大宣传渠道",
        ],
        [
            "满意度指标",
            "服务对象满意度指标",
            "读者满意度",
            "≥",
            "90",
            "95",
            "%",
            10,
            "",
            "",
            "",
            "",
        ],
    ]

    sheets["文字说明"] = [
        _headers("文字说明"),
        ["概况补充", "", f"{year}年本馆（虚构单位）各项工作有序开展。"],
        ["活动", "提升服务效能重在实", ""],
        ["服务评价", "", "精心挑选图书资源，满足不同群体阅读需求（合成数据）。"],
        ["存在问题", "", "专业人员不足，数字资源有待丰富（合成数据）。"],
        ["改进措施", "", "加强人员培训，拓展数字服务（合成数据）。"],
    ]

    first_cat = act[1][1] if n_activities else CATEGORIES[0]
    listed = sum(1 for r in act[1:] if r[1] == first_cat)
    sheets["声明数"] = [
        _headers("声明数"),
        [f"{first_cat}·次数", listed, "次", "原文所写（合成）"],
    ]
    return sheets


CULTURE_NAME = "示例县合成文化馆（合成数据）"
CULTURE_PROJECTS = (
    ("送戏下乡专项（合成）", (("演出服务费", 0.55), ("交通费", 0.2), ("办公费", 0.25))),
    ("非遗保护专项（合成）", (("维修(护)费", 0.4), ("生活补助", 0.35), ("资本性支出", 0.25))),
    ("公益培训专项（合成）", (("办公费", 0.5), ("劳务费", 0.5))),
)


def _culture_sheets(year: int, first_year: int, seed: int) -> dict:
    """A 文化馆-like unit under contract v2: amounts in 元, 收入 with 上年数, 年初 and 全年 budgets,
    economic classes, three projects broken down by use, yearly aggregate activities without
    dates, targets written 「≥10万」 and partly without 分值, its own subsections of 六; no 馆藏
    and no 数字服务."""
    rng = random.Random(f"selfeval-culture-{seed}-{year}")
    sheets: dict[str, list[list[Any]]] = {}
    sheets["单位概况"] = [
        ["项目", "内容"],
        ["单位名称", CULTURE_NAME],
        ["主管部门", DEPARTMENT],
        ["实有人数", 9 + (seed + year) % 3],
        ["内设机构", "办公室、文艺部、非遗保护中心（合成）"],
        ["金额单位", "元"],
        ["预算编码", f"90{seed % 10}{year % 100:02d}1"],
        ["填报日期", f"{year + 1}-02-{10 + rng.randrange(15)}"],
    ]
    wages = rng.randint(1_200_000, 1_600_000) + rng.randrange(100) / 100
    welfare = rng.randint(60_000, 90_000) + rng.randrange(100) / 100
    goods = rng.randint(150_000, 260_000) + rng.randrange(100) / 100
    projects = [(name, rng.randint(150_000, 400_000), uses) for name, uses in CULTURE_PROJECTS]
    spend_keys = (
        "budget_type",
        "category",
        "item",
        "original_budget",
        "budget",
        "actual",
        "project",
        "note",
    )
    spend = [_headers("支出", "元", spend_keys)]

    def yuan(x: float) -> str:
        return f"{x:,.2f}"

    for item, value in (("工资福利支出", wages), ("对个人和家庭的补助", welfare)):
        spend.append(
            ["一般公共预算", "基本支出", item, yuan(value), yuan(value), yuan(value), "", ""]
        )
    spend.append(
        [
            "一般公共预算",
            "基本支出",
            "商品和服务支出",
            yuan(goods * 0.9),
            yuan(goods),
            yuan(goods * 0.98),
            "",
            "",
        ]
    )
    for name, total, uses in projects:
        spent = round(total * 0.96, 2)
        spend.append(
            ["一般公共预算", "项目支出", name, yuan(total * 0.8), yuan(total), yuan(spent), "", ""]
        )
        shares = [round(spent * share, 2) for _use, share in uses]
        shares[-1] = round(spent - sum(shares[:-1]), 2)
        for (use, _share), amount in zip(uses, shares, strict=True):
            spend.append(["一般公共预算", "项目支出", use, "", "", yuan(amount), name, ""])
    sheets["支出"] = spend
    fiscal = wages + welfare + goods + sum(t for _n, t, _u in projects)
    other = rng.randint(20_000, 60_000)
    income_keys = ("item", "current", "previous", "note")
    sheets["收入"] = [
        _headers("收入", "元", income_keys),
        ["收入合计", yuan(fiscal + other), yuan((fiscal + other) * 0.93), ""],
        ["财政拨款收入", yuan(fiscal), yuan(fiscal * 0.93), ""],
        ["其他收入", yuan(other), yuan(other * 0.93), "场地租赁等（合成）"],
        ["上年结转结余", yuan(rng.randint(5_000, 20_000)), "", ""],
    ]
    act_keys = (
        "category",
        "name",
        "start_date",
        "timeframe",
        "place",
        "offline",
        "sessions",
        "effect",
    )
    act = [_headers("活动", "万元", act_keys)]
    act.append(
        [
            "公益培训",
            "全年公益培训",
            "",
            "全年",
            "本馆",
            f"{rng.randint(40, 60)}00余",
            20,
            "（合成）",
        ]
    )
    act.append(["送戏下乡", "送戏下乡演出", "", "全年", "各乡镇", "约1万", 20, "（合成）"])
    day = dt.date(year, 6, 10 + rng.randrange(10))
    act.append(
        ["群文活动", "广场舞大赛（合成）", day.isoformat(), "", "县文化广场", 1000, "", "（合成）"]
    )
    act.append(["非遗保护", "非遗进校园（合成）", "", "第三季度", "合成小学", "", 6, "（合成）"])
    sheets["活动"] = act
    target_keys = ("project", "level1", "level2", "level3", "target", "actual", "unit", "weight")
    sheets["绩效目标"] = [
        _headers("绩效目标", "万元", target_keys),
        [
            "",
            "产出指标",
            "数量指标",
            "服务群众人次",
            "≥10万",
            f"{rng.randint(10, 13)}万",
            "人次",
            50,
        ],
        ["", "产出指标", "时效指标", "免费开放天数", "≥360", "362", "天", 30],
        ["", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "96%", "%", 10],
        [CULTURE_PROJECTS[0][0], "", "", "送戏下乡场次", "≥20", "20", "场", ""],
    ]
    sheets["文字说明"] = [
        _headers("文字说明"),
        ["概况补充", "", f"{year}年本馆（虚构单位）免费开放工作有序开展。"],
        ["总体目标", "", "全年开展公益培训、送戏下乡和非遗保护工作（合成）。"],
        ["总体完成情况", "", "各项目标均已完成（合成）。"],
        ["群文活动", "", "组织群众文化活动，丰富基层文化生活（合成）。"],
        ["非遗保护", "", "开展非遗项目调查与传承人扶持（合成）。"],
    ]
    return sheets


def _write_csv(folder: Path, sheets: dict, encoding: str) -> None:
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])


def _write_xlsx(path: Path, sheets: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            cells = []
            for v in row:
                if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
                    cell = WriteOnlyCell(ws, value=v)  # never a formula: plain quoted text
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    cells.append(cell)
                else:
                    cells.append(None if v == "" else v)
            ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_deterministic_zip(buffer.getvalue()))


_FIXED_TIME = "2000-01-01T00:00:00Z"


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same content: fixed entry times and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_TIME.encode() + rb"\g<3>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, content)
    return out.getvalue()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def write_synthetic_years(
    dest: Path,
    years: list[int] | range,
    activities_per_year: int = 30,
    seed: int = 0,
    fmt: str = "csv",
    *,
    allow_raw: bool = False,
    overwrite: bool = False,
    kind: str = "library",
) -> list[Path]:
    """Write ``dest/<year>/`` for each year (CSV sheets or one workbook); returns the folders.

    Args:
        dest: Folder that receives one sub-folder per year.
        years: Report years.
        activities_per_year: Number of distinct activities per year (plus a second listing of
            one of them and a summary listing).
        seed: Seed; the same seed gives byte-identical files.
        fmt: ``"csv"`` (UTF-8 with BOM in even years, GB18030 in odd years) or ``"xlsx"``.
        allow_raw: Allow writing under the project's ``data/raw/``.
        overwrite: Replace existing files of a year folder instead of refusing.
        kind: ``"library"`` (a 图书馆 under the first contract's shapes) or ``"culture"`` (a
            文化馆 using contract v2: 收入, 年初/全年 budgets, projects by use, undated activities).
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt 应为 csv 或 xlsx，而不是 {fmt!r}")
    dest = Path(dest)
    if not allow_raw and _inside(dest, REPO_RAW):
        raise ValueError(f"合成数据不写入 {REPO_RAW}（需要时传 allow_raw=True）")
    years = sorted(years)
    folders = []
    for year in years:
        folder = dest / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        existing = [p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx")]
        if existing and not overwrite:
            raise FileExistsError(f"{folder} 已有数据文件，不覆盖 / refusing to overwrite")
        for p in existing:
            p.unlink()
        if kind == "culture":
            sheets = _culture_sheets(year, years[0], seed)
        else:
            sheets = _year_sheets(year, years[0], activities_per_year, seed, fmt)
        if fmt == "csv":
            _write_csv(folder, sheets, "gb18030" if year % 2 else "utf-8-sig")
        else:
            name = CULTURE_NAME if kind == "culture" else UNIT_NAME
            _write_xlsx(folder / f"{name}{year}年度绩效自评数据.xlsx", sheets)
        folders.append(folder)
    return folders
