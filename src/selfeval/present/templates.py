"""The one jinja2 environment of the index page: autoescape always on, strict undefined, the
formatting filters. (The report itself is written from the document model by
`selfeval.present.html`, which escapes every text.)"""

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


@cache
def environment() -> Environment:
    """The jinja2 environment of the pages: autoescape always on, strict undefined, filters."""
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


def render_page(template: str, **context: object) -> str:
    """HTML of a whole page template (e.g. ``index/index.html.j2``)."""
    return environment().get_template(template).render(**context)
