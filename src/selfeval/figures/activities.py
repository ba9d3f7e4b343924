"""活动: listings by category, events counted once, summary groups, yearly and monthly totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from selfeval.contract.sheets import STATED_SEPARATOR
from selfeval.figures.common import row_source
from selfeval.rules import as_text, combine_qualifiers, is_missing, split_ids

#: Measures of an activity listing that are summed into yearly totals.
MEASURES = ("offline", "online", "sessions", "books", "materials")


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


def events(activities: pd.DataFrame | None) -> pd.DataFrame:
    """One row per event (distinct event_id): each measure taken from the listing stating it.

    Columns: event_id, name, start_date, end_date, place, category (first listing), is_summary,
    members (list), and for each measure `<m>` (Int64 or NA) and `<m>_q`.
    """
    cols = ["event_id", "name", "start_date", "end_date", "place", "category", "is_summary"]
    if activities is None or activities.empty:
        return pd.DataFrame(columns=[*cols, "members"])
    rows = []
    ordered = activities.sort_values("listing_order", kind="stable").reset_index(drop=True)
    # one pass of itertuples over the whole frame: per group and measure it cost ~0.5 s a year
    records = list(ordered.itertuples(index=False))
    for event_id, group in ordered.groupby("event_id", sort=False):
        first = group.iloc[0]
        listed = [records[i] for i in group.index]
        members: list[str] = []
        for inc in group.get("includes", []):
            members.extend(m for m in split_ids(inc) if m not in members)
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
            stated = [listing_count(r, m) for r in listed]
            stated = [c for c in stated if c.known]
            row[m] = stated[0].value if stated else None
            row[f"{m}_q"] = stated[0].qualifier if stated else ""
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Total:
    """A sum of counts: its value, the qualifier of the sum (`rules.combine_qualifiers`), how many
    parts stated the measure and how many did not (the sum then covers only the others)."""

    value: int
    qualifier: str
    known_parts: int
    unknown_parts: int = 0

    @property
    def approximate(self) -> bool:
        """Whether the sum carries a qualifier (约, or 余 for a lower bound)."""
        return bool(self.qualifier)


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


def groups(ev: pd.DataFrame) -> list[list[dict]]:
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


def _measure_of(record: dict, measure: str) -> tuple[int | None, str]:
    value = record.get(measure)
    if is_missing(value):
        if measure == "sessions":
            return 1, ""  # not stated counts as one session
        return None, ""
    return int(value), as_text(record.get(f"{measure}_q"))


def yearly_totals(activities: pd.DataFrame | None) -> YearTotals:
    """Yearly totals counting each event once and each summary group as max(summary, members)."""
    ev = events(activities)
    totals: dict[str, list] = {m: [0, [], 0, 0] for m in MEASURES}
    n_events = 0
    notes: list[dict] = []
    for group in groups(ev) if not ev.empty else []:
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
                m_approx = combine_qualifiers([p[1] for p in known])
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
                value, approx = max(candidates) if candidates else (None, "")
            if value is not None:
                totals[m][0] += value
                totals[m][1].append(approx)
                totals[m][2] += 1
            else:
                totals[m][3] += 1
    made = {
        m: Total(int(v), combine_qualifiers(q), int(k), int(u))
        for m, (v, q, k, u) in totals.items()
    }
    return YearTotals(n_events, group_notes=notes, **made)


def activity_total(acts: pd.DataFrame | None, measure: str) -> float | None:
    """Yearly total of one activity measure by `yearly_totals`'s rule; None if unknown.

    ``measure`` is ``events``, ``listings`` (rows as listed), ``sessions``, ``offline``,
    ``online``, ``books`` or ``materials``.
    """
    if acts is None or acts.empty:
        return None
    if measure == "listings":
        return float(len(acts))
    totals = yearly_totals(acts)
    if measure == "events":
        return float(totals.events)
    total: Total = getattr(totals, measure)
    return float(total.value) if total.known_parts else None


def has_summaries(acts: pd.DataFrame | None) -> bool:
    """Whether some listing summarises others (a group counted once in the totals)."""
    ev = events(acts)
    return not ev.empty and bool(ev["is_summary"].any())


def _known_sum(counts) -> int | None:
    """Sum of the counts that are given; None when none is (never a 0 for not given)."""
    known = [c.value for c in counts if c.known]
    return sum(known) if known else None


def category_table(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Per category: listings, sessions, offline and online participants (as listed)."""
    cols = ["category", "listings", "sessions", "offline", "online"]
    rows = []
    for cat, rows_ in categories(activities):
        sessions = sum(
            (listing_count(r, "sessions").value or 1) for r in rows_.itertuples(index=False)
        )
        offline = _known_sum(listing_count(r, "offline") for r in rows_.itertuples(index=False))
        online = _known_sum(listing_count(r, "online") for r in rows_.itertuples(index=False))
        rows.append((cat, len(rows_), sessions, offline, online))
    return pd.DataFrame(rows, columns=cols)


def monthly_table(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Events (counted once, summaries excluded) and offline participants per start month 1–12."""
    ev = events(activities)
    frame = pd.DataFrame({"month": range(1, 13), "events": 0, "offline": pd.NA}).astype(
        {"offline": "Int64"}
    )
    if ev.empty:
        return frame
    ev = ev[~ev["is_summary"] & ev["start_date"].notna()]  # undated events have no month
    months = pd.to_datetime(ev["start_date"]).dt.month
    for month, offline in zip(months, ev["offline"], strict=True):
        frame.loc[frame["month"] == month, "events"] += 1
        if not is_missing(offline):
            at = frame["month"] == month
            before = frame.loc[at, "offline"].iloc[0]
            frame.loc[at, "offline"] = int(offline) + (0 if is_missing(before) else int(before))
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
# What the report states about activities, computed once


@dataclass
class CategoryRow:
    """Per category as listed: listings, sessions, offline and online participants."""

    category: str
    listings: int
    sessions: int
    offline: int | None  # None: no listing of the category states it
    online: int | None


@dataclass
class MonthRow:
    """Events (each once, summaries excluded) and offline participants of a start month."""

    month: int
    events: int
    offline: int | None


@dataclass
class BookRow:
    """Books given to one destination."""

    destination: str
    books: int


@dataclass
class MemberRef:
    """A listing a summary names: its 编号, start date (ISO) and name (empty when unknown)."""

    event_id: str
    start_date: str | None
    name: str


@dataclass
class Listing:
    """One listing of the 活动 sheet as the report states it."""

    event_id: str
    name: str
    start_date: str | None
    end_date: str | None
    timeframe: str
    period: str
    place: str
    counts: dict[str, Count]
    effect: str
    note: str
    also_in: list[str]
    members: list[MemberRef]
    source: str = ""  # the input row, for the 审核底稿
    #: The source's own words for the books and the materials (免费赠送, 宣传图册资料).
    books_verb: str = ""
    materials_name: str = ""


@dataclass
class CategoryMeasure:
    """A measure over a category's listings: the one stated figure (its wording kept, 4000多)
    or the sum of several; `known` of `listed` listings state it."""

    single: Count | None
    total: Total | None
    known: int
    listed: int


@dataclass
class StatedFigure:
    """A figure the unit stated for a category (声明数 「类别·度量」), in its own unit."""

    value: float
    unit: str = ""


@dataclass
class CategoryGroup:
    """One category: its listings in row order, its figures as listed, and the figures the
    unit stated for it (by 声明数 度量: 次数, 场次, 赠书册数…), which the report states as the
    unit's (数据核对 compares them with the listings)."""

    category: str
    listings: int
    sessions: int
    measures: dict[str, CategoryMeasure]
    items: list[Listing]
    stated: dict[str, StatedFigure] = field(default_factory=dict)


def _stated_by_category(stated: pd.DataFrame | None) -> dict[str, dict[str, StatedFigure]]:
    """The 声明数 rows 「类别·度量」 by category and 度量."""
    out: dict[str, dict[str, StatedFigure]] = {}
    if stated is None or stated.empty:
        return out
    for r in stated.itertuples(index=False):
        category, sep, measure = as_text(r.indicator).partition(STATED_SEPARATOR)
        if sep and not is_missing(r.value):
            out.setdefault(category, {})[measure] = StatedFigure(
                float(r.value), as_text(getattr(r, "unit", ""))
            )
    return out


@dataclass
class Activities:
    """The activity figures of a year (None fields: the year has no 活动 rows)."""

    groups: list[CategoryGroup]
    totals: YearTotals | None
    by_category: list[CategoryRow]
    by_month: list[MonthRow]
    books: list[BookRow]
    #: Events (summaries excluded) without a start date: in the yearly totals, not in by_month.
    undated: int = 0


def _iso(value: Any) -> str | None:
    return None if is_missing(value) else pd.Timestamp(value).date().isoformat()


def _category_measures(rows: pd.DataFrame) -> tuple[int, dict[str, CategoryMeasure]]:
    records = list(rows.itertuples(index=False))
    sessions = sum((listing_count(r, "sessions").value or 1) for r in records)
    measures = {}
    for measure in ("offline", "online", "books", "materials"):
        known = [c for c in (listing_count(r, measure) for r in records) if c.known]
        single = known[0] if len(known) == 1 else None
        total = None
        if len(known) > 1:
            qualifier = combine_qualifiers([c.qualifier for c in known])
            total = Total(
                sum(c.value for c in known), qualifier, len(known), len(records) - len(known)
            )
        measures[measure] = CategoryMeasure(single, total, len(known), len(records))
    return sessions, measures


def activity_figures(acts: pd.DataFrame | None, stated: pd.DataFrame | None = None) -> Activities:
    """Listings by category, yearly totals and the chart tables of the year's activities (and
    the figures the 声明数 sheet states for a category)."""
    if acts is None or acts.empty:
        return Activities([], None, [], [], [])
    claims = _stated_by_category(stated)
    refs = {
        str(r.event_id): MemberRef(str(r.event_id), _iso(r.start_date), as_text(r.name))
        for r in acts.sort_values("listing_order").itertuples(index=False)
    }
    others = other_categories(acts)
    groups = []
    for category, rows in categories(acts):
        sessions, measures = _category_measures(rows)
        items = [
            Listing(
                event_id=str(r.event_id),
                name=as_text(r.name),
                start_date=_iso(r.start_date),
                end_date=_iso(getattr(r, "end_date", None)),
                timeframe=as_text(getattr(r, "timeframe", "")),
                period=as_text(getattr(r, "period", "")),
                place=as_text(getattr(r, "place", "")),
                counts={m: listing_count(r, m) for m in MEASURES},
                effect=as_text(getattr(r, "effect", "")),
                note=as_text(getattr(r, "note", "")),
                also_in=others.get(int(r.listing_order), []),
                members=[
                    refs.get(m, MemberRef(m, None, ""))
                    for m in split_ids(getattr(r, "includes", None))
                ],
                source=row_source(r),
                books_verb=as_text(getattr(r, "books_verb", "")),
                materials_name=as_text(getattr(r, "materials_name", "")),
            )
            for r in rows.itertuples(index=False)
        ]
        groups.append(
            CategoryGroup(category, len(rows), sessions, measures, items, claims.get(category, {}))
        )

    def opt(value: Any) -> int | None:
        return None if is_missing(value) else int(value)

    by_category = [
        CategoryRow(r.category, int(r.listings), int(r.sessions), opt(r.offline), opt(r.online))
        for r in category_table(acts).itertuples(index=False)
    ]
    by_month = [
        MonthRow(int(r.month), int(r.events), opt(r.offline))
        for r in monthly_table(acts).itertuples(index=False)
    ]
    books = [
        BookRow(str(r.destination), int(r.books))
        for r in books_by_destination(acts).itertuples(index=False)
    ]
    ev = events(acts)
    undated = int((~ev["is_summary"] & ev["start_date"].isna()).sum()) if not ev.empty else 0
    return Activities(groups, yearly_totals(acts), by_category, by_month, books, undated)
