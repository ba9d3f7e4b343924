"""Presentation: one formatter, charts and fonts, one jinja environment, the report context,
the index page. It formats; it never sums."""
