"""The report's generation as a background job: the request takes the next version number
(``reports.reserve_version``) and starts the job; the job makes both editions in every format
(``reports.render_version``), with progress, and the version is "ready" (or "failed")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import jobs
from app.services import reports as service
from app.services.errors import ServiceError
from app.settings import graph_settings
from models import Job, ReportVersion, Review, User

KIND = "report.generate"


def render_settings() -> service.RenderSettings:
    """The app's settings for rendering: the cache of files by content and the graph's."""
    cache = current_app.config.get("REPORT_CACHE_DIR")
    return service.RenderSettings(cache_dir=Path(cache) if cache else None, graph=graph_settings())


def start_generation(session: Session, review: Review, user: User) -> tuple[ReportVersion, Job]:
    """Take the next version number and start the job that makes its files (it runs once the
    request commits). Raises ``VersionTakenError`` if the number was taken at the same moment."""
    version = service.reserve_version(session=session, review=review, user=user)
    location = url_for("reports.version", review_id=review.id, version=version.number)
    job = jobs.start(
        session,
        kind=KIND,
        user=user,
        review=review,
        params={"version_id": version.id, "version": version.number, "location": location},
        message=f"Version {version.number} is waiting to be generated",
    )
    return version, job


@jobs.job_kind(KIND, action="reports.view", title="Generating the report")
def generate(context: jobs.JobContext) -> dict[str, Any]:
    session, params = context.session, context.params
    version = session.get(ReportVersion, params["version_id"])
    review = context.review
    if version is None or review is None:
        raise ServiceError("This report version was deleted before it was generated")
    context.progress(5, f"Reading the review for version {version.number}")
    try:
        generated = service.render_version(
            session=session,
            review=review,
            version=version,
            settings=render_settings(),
            progress=context.progress,
        )
    except Exception:
        # The version says it failed (the job keeps the error); then the error goes on up.
        session.rollback()
        failed = session.get(ReportVersion, params["version_id"])
        if failed is not None:
            failed.status = "failed"
            session.commit()
        raise
    return {
        "version": version.number,
        "location": params["location"],
        "hits": len(version.scan_hits or []),
        "left_out": list(version.left_out or []),
        "warnings": list(generated.warnings),
        "render_seconds": version.render_seconds,
    }


def job_of(session: Session, version: ReportVersion) -> Job | None:
    """The latest generation job of ``version``, if any."""
    for job in session.scalars(
        select(Job)
        .where(Job.review_id == version.review_id, Job.kind == KIND)
        .order_by(Job.id.desc())
    ):
        if (job.params or {}).get("version_id") == version.id:
            return job
    return None
