"""Analysis for the report: pure functions from processed tables to figures and small frames.

Nothing here formats for display (see `selfeval.narrative`) or touches files, except
`write_summary` / `read_summary` at the edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

GENERAL = "一般公共预算"
BUDGET_TYPES = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
BASIC = "基本支出"
PROJECT = "项目支出"
PERSONNEL = "人员支出"
PUBLIC = "公用支出"
TOTAL = "合计"
#: Measures of an activity listing that are summed into yearly totals.
MEASURES = ("offline", "online", "sessions", "books", "materials")
APPROX = "约"


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (a scalar cell that holds no value)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers are values, not missing scalars
        return False


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def as_text(value: Any) -> str:
    """`value` as stripped text; missing values give ""."""
    return "" if is_missing(value) else str(value).strip()


def table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    """The table `name`, or None when the year lacks it (or it has no rows)."""
    frame = tables.get(name)
    if frame is None or len(frame) == 0:
        return None
    return frame


# ---------------------------------------------------------------------------------------------
# 单位概况


def unit_info(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """单位概况 as an ordered mapping item → value."""
    unit = table(tables, "unit")
    if unit is None:
        return {}
    return {as_text(r.item): as_text(r.value) for r in unit.itertuples(index=False)}


# ---------------------------------------------------------------------------------------------
# 支出


@dataclass
class Amount:
    """One line of spending: label, budget (None = unknown) and actual in 万元."""

    label: str
    actual: float | None
    budget: float | None = None
    note: str = ""
    stated: bool = False  # the figure is a total the source stated (not our sum)
    parts_sum: float | None = None  # sum of the parts when a stated total exists

    @property
    def rate(self) -> float | None:
        """执行率 in percent (执行数/预算数), None when the budget is unknown or zero."""
        if self.budget is None or self.actual is None or self.budget == 0:
            return None
        return self.actual / self.budget * 100


@dataclass
class BudgetTypeSpending:
    """Spending of one 预算类型."""

    budget_type: str
    total: Amount
    categories: dict[str, Amount] = field(default_factory=dict)
    items: dict[str, list[Amount]] = field(default_factory=dict)


def _sum(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _sum_budget(amounts: list[Amount]) -> float | None:
    """Budget of several lines: known only when every line's budget is known."""
    if not amounts or any(a.budget is None for a in amounts):
        return None
    return sum(a.budget for a in amounts)  # type: ignore[misc]


def _total_line(label: str, parts: list[Amount], stated_row: Any | None) -> Amount:
    parts_actual = _sum([p.actual for p in parts])
    if stated_row is not None:
        budget = _num(stated_row.budget)
        if budget is None:
            budget = _sum_budget(parts)
        return Amount(
            label,
            _num(stated_row.actual),
            budget,
            as_text(stated_row.note),
            stated=True,
            parts_sum=parts_actual if parts else None,
        )
    return Amount(label, parts_actual, _sum_budget(parts))


def spending_by_type(tables: dict[str, pd.DataFrame]) -> dict[str, BudgetTypeSpending | None]:
    """For each 预算类型 in official order: its totals and lines, or None when absent."""
    spending = table(tables, "spending")
    out: dict[str, BudgetTypeSpending | None] = {bt: None for bt in BUDGET_TYPES}
    if spending is None:
        return out
    for budget_type in BUDGET_TYPES:
        rows = spending[spending["budget_type"] == budget_type]
        if rows.empty:
            continue
        result = BudgetTypeSpending(budget_type, Amount(TOTAL, None))
        category_totals: list[Amount] = []
        uncategorised: list[Amount] = []
        categories = [c for c in dict.fromkeys(rows["category"].tolist()) if not is_missing(c)]
        for category in categories:
            cat_rows = rows[rows["category"] == category]
            items = [
                Amount(as_text(r.item), _num(r.actual), _num(r.budget), as_text(r.note))
                for r in cat_rows.itertuples(index=False)
                if not bool(r.is_total)
            ]
            stated = [r for r in cat_rows.itertuples(index=False) if bool(r.is_total)]
            line = _total_line(category, items, stated[0] if stated else None)
            result.items[category] = items
            result.categories[category] = line
            category_totals.append(line)
        blank = rows[rows["category"].isna()]
        stated_all = [r for r in blank.itertuples(index=False) if bool(r.is_total)]
        uncategorised = [
            Amount(as_text(r.item), _num(r.actual), _num(r.budget), as_text(r.note))
            for r in blank.itertuples(index=False)
            if not bool(r.is_total)
        ]
        if uncategorised:
            result.items[""] = uncategorised
        result.total = _total_line(
            TOTAL, category_totals + uncategorised, stated_all[0] if stated_all else None
        )
        out[budget_type] = result
    return out


def general_structure(general: BudgetTypeSpending | None) -> pd.DataFrame:
    """人员 / 公用 / 项目 (and any other lines) of 一般公共预算 with their share of the total.

    Columns: part, category, actual, budget, share (percent of the stated total).
    """
    cols = ["part", "category", "actual", "budget", "share"]
    if general is None or general.total.actual in (None, 0):
        return pd.DataFrame(columns=cols)
    rows = []
    for category, line in general.categories.items():
        items = general.items.get(category, [])
        if category == BASIC and items:
            rows.extend((i.label, category, i.actual, i.budget) for i in items)
        else:
            rows.append((category, category, line.actual, line.budget))
    rows.extend((i.label, "", i.actual, i.budget) for i in general.items.get("", []))
    frame = pd.DataFrame(rows, columns=cols[:-1]).drop_duplicates(subset=["part", "category"])
    total = general.total.actual
    frame["share"] = [None if a is None else a / total * 100 for a in frame["actual"]]
    return frame.reset_index(drop=True)


def budget_lines(spending_types: dict[str, BudgetTypeSpending | None]) -> pd.DataFrame:
    """Every line with a known budget: label, budget, actual, rate (percent)."""
    rows = []
    for bt, spend in spending_types.items():
        if spend is None:
            continue
        for category, items in spend.items.items():
            for item in items:
                if item.budget is not None and item.actual is not None:
                    rows.append((bt, category, item.label, item.budget, item.actual, item.rate))
            line = spend.categories.get(category)
            if line is not None and line.budget is not None and line.actual is not None:
                rows.append((bt, category, f"{category}小计", line.budget, line.actual, line.rate))
    return pd.DataFrame(
        rows, columns=["budget_type", "category", "label", "budget", "actual", "rate"]
    )


def sangong_lines(tables: dict[str, pd.DataFrame]) -> list[Amount]:
    """三公经费 items as stated, or an empty list when the year lacks the sheet."""
    sangong = table(tables, "sangong")
    if sangong is None:
        return []
    return [
        Amount(as_text(r.item), _num(r.actual), _num(r.budget))
        for r in sangong.itertuples(index=False)
    ]


# ---------------------------------------------------------------------------------------------
# 活动


@dataclass
class Count:
    """A count with the qualifier people wrote (约, 近, 余, 多, 上) and its display text."""

    value: int | None
    qualifier: str = ""
    text: str = ""

    @property
    def known(self) -> bool:
        """True when the count was stated."""
        return self.value is not None


def listing_count(row: Any, measure: str) -> Count:
    """The stated count `measure` of one activity row (a pandas row or namedtuple)."""
    value = getattr(row, measure, None)
    if is_missing(value):
        return Count(None)
    qualifier = as_text(getattr(row, f"{measure}_q", ""))
    text = as_text(getattr(row, f"{measure}_text", "")) or str(int(value))
    return Count(int(value), qualifier, text)


def _sorted_activities(activities: pd.DataFrame) -> pd.DataFrame:
    return activities.sort_values(["category_order", "listing_order"], kind="stable")


def categories(activities: pd.DataFrame | None) -> list[tuple[str, pd.DataFrame]]:
    """Listings grouped by category, in order of first appearance, each in row order."""
    if activities is None or activities.empty:
        return []
    ordered = _sorted_activities(activities)
    return [
        (str(cat), ordered[ordered["category"] == cat].reset_index(drop=True))
        for cat in dict.fromkeys(ordered["category"].tolist())
    ]


def other_categories(activities: pd.DataFrame) -> dict[int, list[str]]:
    """For each listing (by listing_order), the other categories its event is listed under."""
    out: dict[int, list[str]] = {}
    for _, rows in activities.groupby("event_id", sort=False):
        cats = list(dict.fromkeys(rows.sort_values("listing_order")["category"].tolist()))
        for r in rows.itertuples(index=False):
            out[int(r.listing_order)] = [c for c in cats if c != r.category]
    return out


def split_members(includes: Any) -> list[str]:
    """The 编号s a summary listing names in `includes` (joined by "、")."""
    text = as_text(includes)
    return [m for m in text.split("、") if m] if text else []


def events(activities: pd.DataFrame | None) -> pd.DataFrame:
    """One row per event (distinct event_id): each measure taken from the listing stating it.

    Columns: event_id, name, start_date, end_date, place, category (first listing), is_summary,
    members (list), and for each measure `<m>` (Int64 or NA) and `<m>_q`.
    """
    cols = ["event_id", "name", "start_date", "end_date", "place", "category", "is_summary"]
    if activities is None or activities.empty:
        return pd.DataFrame(columns=[*cols, "members"])
    rows = []
    ordered = activities.sort_values("listing_order", kind="stable")
    for event_id, group in ordered.groupby("event_id", sort=False):
        first = group.iloc[0]
        members: list[str] = []
        for inc in group.get("includes", []):
            members.extend(m for m in split_members(inc) if m not in members)
        row: dict[str, Any] = {
            "event_id": str(event_id),
            "name": as_text(first["name"]),
            "start_date": first["start_date"],
            "end_date": first.get("end_date"),
            "place": as_text(first.get("place")),
            "category": as_text(first["category"]),
            "is_summary": bool(members),
            "members": members,
        }
        for m in MEASURES:
            stated = [listing_count(r, m) for r in group.itertuples(index=False)]
            stated = [c for c in stated if c.known]
            row[m] = stated[0].value if stated else None
            row[f"{m}_q"] = stated[0].qualifier if stated else ""
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Total:
    """A yearly total: value, whether any part was approximate, and how many parts were known."""

    value: int
    approximate: bool
    known_parts: int


@dataclass
class YearTotals:
    """活动N项、M场次，线下参与约X人次、线上Y人次，赠书Z册，发放资料W份."""

    events: int
    sessions: Total
    offline: Total
    online: Total
    books: Total
    materials: Total
    group_notes: list[dict] = field(default_factory=list)


def _groups(ev: pd.DataFrame) -> list[list[dict]]:
    """Events grouped: each summary with its members; every other event alone."""
    by_id = {r["event_id"]: r for r in ev.to_dict("records")}
    grouped: set[str] = set()
    groups: list[list[dict]] = []
    for r in ev.to_dict("records"):
        if r["is_summary"]:
            members = [by_id[m] for m in r["members"] if m in by_id and m not in grouped]
            groups.append([r, *members])
            grouped.update([r["event_id"], *(m["event_id"] for m in members)])
    for r in ev.to_dict("records"):
        if r["event_id"] not in grouped:
            groups.append([r])
            grouped.add(r["event_id"])
    return groups


def _measure_of(record: dict, measure: str) -> tuple[int | None, bool]:
    value = record.get(measure)
    if is_missing(value):
        if measure == "sessions":
            return 1, False  # not stated counts as one session
        return None, False
    return int(value), bool(record.get(f"{measure}_q"))


def yearly_totals(activities: pd.DataFrame | None) -> YearTotals:
    """Yearly totals counting each event once and each summary group as max(summary, members)."""
    ev = events(activities)
    totals = {m: [0, False, 0] for m in MEASURES}
    n_events = 0
    notes: list[dict] = []
    for group in _groups(ev) if not ev.empty else []:
        head, members = group[0], group[1:]
        n_events += max(1, len(members))
        for m in MEASURES:
            if not members:
                value, approx = _measure_of(head, m)
            else:
                s_value, s_approx = _measure_of(head, m)
                parts = [_measure_of(r, m) for r in members]
                known = [p for p in parts if p[0] is not None]
                m_value = sum(p[0] for p in known) if known else None
                m_approx = any(p[1] for p in known)
                if s_value is not None and m_value is not None and s_value != m_value:
                    notes.append(
                        {
                            "event_id": head["event_id"],
                            "measure": m,
                            "summary": s_value,
                            "members": m_value,
                        }
                    )
                candidates = [(v, a) for v, a in ((s_value, s_approx), (m_value, m_approx))]
                candidates = [c for c in candidates if c[0] is not None]
                value, approx = max(candidates) if candidates else (None, False)
            if value is not None:
                totals[m][0] += value
                totals[m][1] = totals[m][1] or approx
                totals[m][2] += 1
    made = {m: Total(int(v), bool(a), int(k)) for m, (v, a, k) in totals.items()}
    return YearTotals(n_events, group_notes=notes, **made)


def category_table(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Per category: listings, sessions, offline and online participants (as listed)."""
    cols = ["category", "listings", "sessions", "offline", "online"]
    rows = []
    for cat, rows_ in categories(activities):
        sessions = sum(
            (listing_count(r, "sessions").value or 1) for r in rows_.itertuples(index=False)
        )
        offline = sum(listing_count(r, "offline").value or 0 for r in rows_.itertuples(index=False))
        online = sum(listing_count(r, "online").value or 0 for r in rows_.itertuples(index=False))
        rows.append((cat, len(rows_), sessions, offline, online))
    return pd.DataFrame(rows, columns=cols)


def monthly_table(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Events (counted once, summaries excluded) and offline participants per start month 1–12."""
    ev = events(activities)
    frame = pd.DataFrame({"month": range(1, 13), "events": 0, "offline": 0})
    if ev.empty:
        return frame
    ev = ev[~ev["is_summary"]]
    months = pd.to_datetime(ev["start_date"]).dt.month
    for month, offline in zip(months, ev["offline"], strict=True):
        frame.loc[frame["month"] == month, "events"] += 1
        if not is_missing(offline):
            frame.loc[frame["month"] == month, "offline"] += int(offline)
    return frame


def books_by_destination(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Books given per destination (place, else name), each event once, summaries excluded."""
    ev = events(activities)
    if ev.empty:
        return pd.DataFrame(columns=["destination", "books"])
    ev = ev[~ev["is_summary"] & ev["books"].notna()]
    rows = [((r["place"] or r["name"]), int(r["books"])) for r in ev.to_dict("records")]
    frame = pd.DataFrame(rows, columns=["destination", "books"])
    return frame.groupby("destination", sort=False, as_index=False)["books"].sum()


# ---------------------------------------------------------------------------------------------
# 馆藏, 满意度, 数字服务, 文字说明


@dataclass
class Holdings:
    """Year-end holdings and growth over the years known."""

    year: int
    holdings: int
    added: int | None
    first_year: int | None
    first_holdings: int | None
    average_increase: float | None  # per year between the first known year and this one
    compound_growth: float | None  # percent per year
    series: pd.DataFrame
    notes: dict[int, str] = field(default_factory=dict)  # 说明 of each year that has one


def holdings_growth(tables: dict[str, pd.DataFrame], year: int) -> Holdings | None:
    """Holdings of `year` with its increase and the average / compound growth, or None."""
    frame = table(tables, "holdings")
    if frame is None:
        return None
    frame = frame[frame["year"] <= year].sort_values("year").reset_index(drop=True)
    current = frame[frame["year"] == year]
    if current.empty:
        return None
    row = current.iloc[-1]
    holdings = int(row["holdings"])
    added = None if is_missing(row.get("added")) else int(row["added"])
    previous = frame[frame["year"] == year - 1]
    if added is None and not previous.empty:
        added = holdings - int(previous.iloc[-1]["holdings"])
    first = frame.iloc[0]
    first_year, first_holdings = int(first["year"]), int(first["holdings"])
    average = compound = None
    span = year - first_year
    if span > 0:
        average = (holdings - first_holdings) / span
        if first_holdings > 0:
            compound = ((holdings / first_holdings) ** (1 / span) - 1) * 100
    series = frame[["year", "holdings"]].astype({"year": int, "holdings": int})
    return Holdings(
        year,
        holdings,
        added,
        first_year if span > 0 else None,
        first_holdings if span > 0 else None,
        average,
        compound,
        series,
        {int(r.year): as_text(r.note) for r in frame.itertuples(index=False) if as_text(r.note)},
    )


def satisfaction(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Surveys with their rate (percent), decimals to show, sample and satisfied counts."""
    frame = table(tables, "satisfaction")
    if frame is None:
        return []
    out = []
    for r in frame.itertuples(index=False):
        rate = _num(r.rate)
        if rate is None and not is_missing(r.sample) and int(r.sample) > 0:
            rate = int(r.satisfied) / int(r.sample) * 100
        decimals = 2 if is_missing(getattr(r, "rate_decimals", None)) else int(r.rate_decimals)
        out.append(
            {
                "survey": as_text(r.survey),
                "rate": rate,
                "decimals": max(decimals, 2),
                "sample": None if is_missing(r.sample) else int(r.sample),
                "satisfied": None if is_missing(r.satisfied) else int(r.satisfied),
            }
        )
    return out


def digital_services(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Digital services in order of appearance, each with its rows (note, indicator, value)."""
    frame = table(tables, "digital")
    if frame is None:
        return []
    services: dict[str, dict] = {}
    for r in frame.itertuples(index=False):
        name = as_text(r.service)
        entry = services.setdefault(name, {"service": name, "rows": []})
        entry["rows"].append(
            {
                "note": as_text(r.note),
                "indicator": as_text(r.indicator),
                "value": _num(r.value),
                "unit": as_text(r.unit),
            }
        )
    return list(services.values())


def texts(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """文字说明 by section key: {"title": first stated title or None, "paragraphs": [...]}."""
    frame = table(tables, "texts")
    out: dict[str, dict] = {}
    if frame is None:
        return out
    for r in frame.sort_values("order", kind="stable").itertuples(index=False):
        entry = out.setdefault(str(r.section), {"title": None, "paragraphs": []})
        title = as_text(r.title)
        if title and entry["title"] is None:
            entry["title"] = title
        for para in as_text(r.content).splitlines():
            if para.strip():
                entry["paragraphs"].append(para.strip())
    return out


# ---------------------------------------------------------------------------------------------
# Headline figures (summary.json) and year-on-year comparison

SUMMARY_KEYS = (
    "total_spending",
    "basic_spending",
    "project_spending",
    "events",
    "sessions",
    "participants_offline",
    "participants_online",
    "books",
    "materials",
    "holdings",
    "satisfaction",
)


def headline(tables: dict[str, pd.DataFrame], meta: dict, year: int) -> dict:
    """Headline figures of one year for summary.json (null where the data lacks them)."""
    spend = spending_by_type(tables)
    general = spend.get(GENERAL)
    acts = table(tables, "activities")
    totals = yearly_totals(acts) if acts is not None else None
    holding = holdings_growth(tables, year)
    surveys = satisfaction(tables)

    def total_of(t: Total | None) -> int | None:
        return t.value if t is not None and t.known_parts else None

    def cat(name: str) -> float | None:
        line = general.categories.get(name) if general else None
        return None if line is None else line.actual

    return {
        "year": year,
        "unit_name": meta.get("unit_name") or unit_info(tables).get("单位名称"),
        "data_date": meta.get("data_date"),
        "total_spending": general.total.actual if general else None,
        "basic_spending": cat(BASIC),
        "project_spending": cat(PROJECT),
        "events": totals.events if totals else None,
        "sessions": total_of(totals.sessions) if totals else None,
        "participants_offline": total_of(totals.offline) if totals else None,
        "participants_online": total_of(totals.online) if totals else None,
        "books": total_of(totals.books) if totals else None,
        "materials": total_of(totals.materials) if totals else None,
        "holdings": holding.holdings if holding else None,
        "satisfaction": surveys[0]["rate"] if surveys and surveys[0]["rate"] is not None else None,
    }


def write_summary(summary: dict, processed_dir: Path) -> Path:
    """Write summary.json (sorted keys, UTF-8, stable) into `processed_dir`."""
    path = Path(processed_dir) / "summary.json"
    text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_summary(processed_dir: Path) -> dict | None:
    """summary.json of a processed year, or None when it does not exist."""
    path = Path(processed_dir) / "summary.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


#: Headline figures compared year on year, with their Chinese label and unit.
YOY_FIGURES = (
    ("total_spending", "一般公共预算支出", "万元"),
    ("events", "活动项数", "项"),
    ("sessions", "活动场次", "场"),
    ("participants_offline", "线下参与", "人次"),
    ("participants_online", "线上参与", "人次"),
    ("books", "赠书", "册"),
    ("holdings", "年末馆藏", "册"),
)


def year_on_year(current: dict, previous: dict | None) -> pd.DataFrame | None:
    """Changes of the headline figures against the previous year of the same unit, or None."""
    if not previous or previous.get("unit_name") != current.get("unit_name"):
        return None
    if int(previous.get("year", 0)) != int(current["year"]) - 1:
        return None
    rows = []
    for key, label, unit in YOY_FIGURES:
        now, before = current.get(key), previous.get(key)
        if now is None or before is None:
            continue
        change = now - before
        pct = change / before * 100 if before else None
        rows.append((key, label, unit, before, now, change, pct))
    if not rows:
        return None
    return pd.DataFrame(
        rows, columns=["key", "label", "unit", "previous", "current", "change", "change_pct"]
    )
