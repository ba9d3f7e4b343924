"""The one jinja2 environment of every page (report and index): autoescape always on, strict
undefined, the formatting filters. Every string from data reaches a page only through it."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from selfeval import config
from selfeval.present.formats import (
    cn_date,
    cn_number,
    count_text,
    decimal_text,
    grouped,
    pct,
    wan,
)

#: The report's parts in order; a notebook displays each as one output.
PARTS = ("cover", "budget", "performance", "scoring", "closing", "appendix")


@cache
def environment() -> Environment:
    """The jinja2 environment of every page: autoescape always on, strict undefined, filters."""
    env = Environment(
        loader=FileSystemLoader(str(config.TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        wan=wan,
        pct=pct,
        count=count_text,
        cn_date=cn_date,
        cn=cn_number,
        dec=decimal_text,
        figure=lambda value, decimals: grouped(value, decimals),
    )
    return env


def render_part(context: dict, part: str) -> str:
    """HTML of one part of the report (see PARTS), rendered from `context`."""
    if part not in PARTS:
        raise ValueError(f"未知的报告部分 / unknown report part: {part!r}")
    return environment().get_template(f"report/{part}.html.j2").render(**context)


def render_report(context: dict) -> str:
    """HTML of the whole report body (all parts in order)."""
    return "\n".join(render_part(context, part) for part in PARTS)


def render_page(template: str, **context: object) -> str:
    """HTML of a whole page template (e.g. ``index/index.html.j2``)."""
    return environment().get_template(template).render(**context)
