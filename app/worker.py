"""RQ's entry point, apart from ``app.jobs`` so that nothing the pages import depends on the
whole app: a worker runs each job inside an app of its own (made once per process)."""

from __future__ import annotations

from flask import has_app_context

from app.jobs import perform


def perform_in_worker(job_id: int) -> None:
    """Run job ``job_id`` inside the worker's app (or the current one, in tests)."""
    if has_app_context():
        perform(job_id)
        return
    from app import create_app

    with create_app().app_context():
        perform(job_id)
