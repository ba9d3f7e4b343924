"""`outputs/index.html`: every year's report with its headline figures, and cross-year trends.

The page is self-contained and offline: inline CSS, charts as base64 PNG, relative links only,
every text from the data escaped by jinja2's autoescape.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from selfeval import config
from selfeval.batch import FAILED_DIR, YEAR_DIR, Roots, hash_tree, write_json_atomic

INDEX_FILE = "index.html"
INDEX_STAMP = ".index-stamp.json"
TEMPLATE_DIR = config.TEMPLATES_DIR / "index"

#: Headline figures shown per year and charted across years: key, label, unit, decimals.
FIGURES: tuple[tuple[str, str, str, int], ...] = (
    ("total_spending", "一般公共预算支出", "万元", 2),
    ("events", "活动项数", "项", 0),
    ("participants", "参与人次（线下+线上）", "人次", 0),
    ("books", "赠书", "册", 0),
    ("satisfaction", "满意度", "%", 2),
)

STATUS_BUILT = "已生成"
STATUS_FAILED_KEPT = "最近一次生成失败（保留上次报告）"
STATUS_FAILED = "生成失败"


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _participants(summary: dict) -> float | None:
    parts = [summary.get("participants_offline"), summary.get("participants_online")]
    known = [p for p in parts if isinstance(p, int | float)]
    return sum(known) if known else None


def collect_years(roots: Roots) -> list[dict]:
    """One record per year with an output folder: unit, status, data date, figures, links."""
    records = []
    if not roots.outputs.is_dir():
        return records
    for entry in sorted(roots.outputs.iterdir()):
        if not (entry.is_dir() and YEAR_DIR.match(entry.name)):
            continue
        year = int(entry.name)
        has_report = (entry / "report.html").is_file()
        failed = (entry / FAILED_DIR).is_dir()
        if not has_report and not failed:
            continue
        processed = roots.processed / entry.name
        summary = _read_json(processed / "summary.json") if has_report else {}
        meta = _read_json(processed / "meta.json") if has_report else {}
        figures = {key: summary.get(key) for key, *_ in FIGURES}
        figures["participants"] = _participants(summary)
        records.append(
            {
                "year": year,
                "unit": meta.get("unit_name") or summary.get("unit_name") or "",
                "data_date": meta.get("data_date") or summary.get("data_date") or "",
                "status": (STATUS_FAILED_KEPT if failed else STATUS_BUILT)
                if has_report
                else STATUS_FAILED,
                "failed": failed,
                "report": f"{entry.name}/report.html" if has_report else None,
                "error": f"{entry.name}/{FAILED_DIR}/error.txt"
                if (entry / FAILED_DIR / "error.txt").is_file()
                else None,
                "figures": figures,
            }
        )
    return records


def format_figure(value: object, decimals: int) -> str:
    """A figure as shown in the table: thousands separators, fixed decimals, dash when unknown."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}"
    # Half up on the decimal text (77.125 -> 77.13), as finance staff round, not binary floats.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def trend_chart(records: list[dict]) -> str | None:
    """Base64 PNG of the headline figures over the years of one unit (None for a single year)."""
    if len(records) < 2:
        return None
    import matplotlib.pyplot as plt

    from selfeval.charts import set_theme

    set_theme()
    fig, axes = plt.subplots(1, len(FIGURES), figsize=(3.2 * len(FIGURES), 2.8))
    years = [r["year"] for r in records]
    for ax, (key, label, unit, _) in zip(axes, FIGURES, strict=True):
        points = [(y, r["figures"][key]) for y, r in zip(years, records, strict=True)]
        points = [(y, v) for y, v in points if isinstance(v, int | float)]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o")
        else:
            ax.text(0.5, 0.5, "无数据", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{label}（{unit}）", fontsize=10)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=90 if len(years) > 6 else 0)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_index(records: list[dict]) -> str:
    """The index page's HTML for the given year records."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["figure"] = format_figure
    units: dict[str, list[dict]] = {}
    for record in records:
        if record["report"]:
            units.setdefault(record["unit"] or "（未填写单位名称）", []).append(record)
    trends = [
        {"unit": unit, "years": [r["year"] for r in recs], "chart": trend_chart(recs)}
        for unit, recs in sorted(units.items())
    ]
    return env.get_template("index.html.j2").render(records=records, figures=FIGURES, trends=trends)


def _index_key(roots: Roots) -> str:
    """Hash of everything the page shows, so an unchanged batch skips matplotlib entirely."""
    digest = hashlib.sha256()
    for path in (Path(__file__), TEMPLATE_DIR, config.PACKAGE_DIR / "charts.py"):
        digest.update(f"{path.name}:{hash_tree(path)}\n".encode())
    if roots.outputs.is_dir():
        for entry in sorted(roots.outputs.iterdir()):
            if entry.is_dir() and YEAR_DIR.match(entry.name):
                processed = roots.processed / entry.name
                parts = [
                    entry.name,
                    str((entry / "report.html").is_file()),
                    str((entry / FAILED_DIR / "error.txt").is_file()),
                    str(hash_tree(processed / "summary.json")),
                    str(hash_tree(processed / "meta.json")),
                ]
                digest.update(("|".join(parts) + "\n").encode())
    return digest.hexdigest()


def write_index(roots: Roots | None = None) -> Path:
    """Write outputs/index.html (atomically) from what the output folders hold; returns it."""
    roots = roots or Roots.of()
    roots.outputs.mkdir(parents=True, exist_ok=True)
    html = render_index(collect_years(roots))
    target = roots.outputs / INDEX_FILE
    tmp = target.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8", newline="\n")
    os.replace(tmp, target)
    return target


def write_index_if_changed(roots: Roots | None = None) -> Path:
    """Rewrite the index only when a year's outputs or figures (or this page's code) changed."""
    roots = roots or Roots.of()
    key = _index_key(roots)
    target = roots.outputs / INDEX_FILE
    stamp_path = roots.outputs / INDEX_STAMP
    stamp = {}
    if stamp_path.is_file():
        try:
            stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        except ValueError:
            stamp = {}
    if target.is_file() and stamp.get("key") == key and stamp.get("page") == hash_tree(target):
        return target
    write_index(roots)
    write_json_atomic(stamp_path, {"key": key, "page": hash_tree(target)})
    return target


def external_urls(html: str) -> list[str]:
    """URLs in src/href attributes or CSS url() that would make the page reach the network."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    found += re.findall(r"""url\(\s*["']?([^"')]+)""", html)
    return [u for u in found if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.I)]
