"""A big review bundle imported as a background job: the request checks the bundle (size,
schema, refs, dates) and keeps it as a file under the instance folder (so an RQ worker on
the same host reads it, and Redis never carries the bundle); the job stores it in parts with
progress, then deletes the file. A bundle refused part-way leaves nothing behind
(``bundles.import_bundle``) and the job reports why in words. Only the importing user may
follow the job: it has no review until it ends."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from flask import current_app, request
from sqlalchemy.orm import Session

from app import jobs
from app.services import bundles
from app.services.errors import ServiceError
from models import Job, User

KIND = "bundle_import"
# How many of a refused bundle's problems the job's error lists.
PROBLEMS_SHOWN = 5


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def runs_in_background(data: Any) -> bool:
    """Whether ``data`` has more events than an import stores while the user waits."""
    events = data.get("events") if isinstance(data, dict) else None
    limit = int(current_app.config["BUNDLE_BACKGROUND_EVENTS"])
    return isinstance(events, list) and len(events) > limit


def start_import(session: Session, raw: bytes, data: Any, user: User) -> Job:
    """Check ``data`` (parsed from ``raw``) and start the job that imports it; raise
    ``bundles.BundleError`` (nothing queued, nothing kept) if the bundle would be refused."""
    problems = bundles.bundle_problems(data)
    if problems:
        raise bundles.BundleError(problems)
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.json"
    (folder / name).write_bytes(raw)
    events = len(data.get("events", []))
    return jobs.start(
        session,
        kind=KIND,
        user=user,
        params={"file": name, "events": events, "script_root": request.script_root},
        message=f"Waiting to import {events:,} events",
    )


def _describe(problems: list[Any]) -> str:
    shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    extra = f" (and {more:,} more problems)" if more > 0 else ""
    return f"The bundle was not imported: nothing has been stored. {shown}{extra}"[:2000]


@jobs.job_kind(KIND, action="review.view", title="Importing a review bundle")
def run_import(context: jobs.JobContext) -> dict[str, Any]:
    params = context.params
    path = _folder() / Path(str(params["file"])).name
    try:
        if context.user is None:
            raise ServiceError("The account that started this import no longer exists")
        try:
            data = json.loads(path.read_bytes())
        except OSError:
            raise ServiceError(
                "The uploaded bundle is no longer on the server: import it again"
            ) from None

        def progress(done: int, total: int) -> None:
            context.progress(done * 95 // max(total, 1), f"{done:,} of {total:,} events stored")

        try:
            review = bundles.import_bundle(
                data,
                session=context.session,
                importer=context.user,
                commit=context.session.commit,
                progress=progress,
            )
        except bundles.BundleError as error:
            raise ServiceError(_describe(error.problems)) from None
    finally:
        path.unlink(missing_ok=True)
    urls = current_app.url_map.bind("localhost", script_name=params.get("script_root") or "/")
    return {
        "review_id": review.id,
        "events": params["events"],
        "location": urls.build("reviews.overview", {"review_id": review.id}),
    }
