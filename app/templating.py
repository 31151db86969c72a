"""Template filters and globals: Markdown (sanitised), UK dates, taxonomy labels, permissions."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from analysis.dates import uk_date
from analysis.markdown import render_markdown
from analysis.taxonomy import AGENCY_SECTORS, PERSON_ROLES, REVIEW_TYPES, STAGES
from app import policy


def _markdown(text: str | None) -> Markup:
    # render_markdown sanitises with nh3 after rendering: its output is safe by construction.
    return Markup(render_markdown(text or ""))  # noqa: S704


def _uk_date(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        return f"{uk_date(value.date())} {value:%H:%M}"
    return uk_date(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = _markdown
    app.jinja_env.filters["uk_date"] = _uk_date
    app.jinja_env.globals.update(
        ROLES=policy.ROLES,
        REVIEW_TYPES=REVIEW_TYPES,
        STAGES=STAGES,
        PERSON_ROLES=PERSON_ROLES,
        AGENCY_SECTORS=AGENCY_SECTORS,
        may=policy.may,
    )
