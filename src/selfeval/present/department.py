"""The 主管部门's section: the department as a whole over its units (minimal, issue 19)."""

from __future__ import annotations

from selfeval.figures.department import DepartmentFigures
from selfeval.present.templates import environment


def render_department(figures: DepartmentFigures) -> str:
    """HTML of the department section: units' table, sums by budget type, reconciliation."""
    return environment().get_template("report/department.html.j2").render(d=figures)
