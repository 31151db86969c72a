"""Background jobs: heavy work off the request thread, with progress a page or script can follow.

A job kind is a function registered with :func:`job_kind`; a view starts it with :func:`start`,
which records a queued :class:`models.Job` in the request's session. The job is handed to the
runner only once that session commits (so the worker always finds the row, and a request that
fails starts nothing). The runner is chosen by the settings:

- ``REDIS_URL`` set: RQ on Redis (queue ``JOBS_QUEUE``); ``learning-review jobs-worker`` runs
  the jobs (many workers may share the queue).
- otherwise, the embedded default: one worker thread in the web process, with its own app
  context and database session, that runs the jobs one at a time.
- ``JOBS_RUNNER = "deferred"``: nothing runs until :func:`wait` is called, which runs the
  job in the caller's thread. Tests whose database is a rolled-back transaction use it.

Every job runs in :func:`perform`: its own session, marked running, the kind's function
(which may call ``context.progress``; each call commits), then finished with its result or
failed with a message. :func:`wait` lets tests (and scripts) wait for a job without sleeping.

The HTTP contract (see ``app/api/jobs.py`` and the job page): the starting request answers
``202`` with a ``Location`` header (:func:`accepted`); the status URL answers ``202`` while the
job runs, then ``200`` with its result (or ``303`` to it, when the result names a ``location``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, jsonify, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.services.errors import ServiceError
from models import Job, Membership, Review, User, utcnow
from models.audit.chain import Actor

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "learning-review"
# A job taking longer than this is stopped by RQ (the thread runner has no such limit).
JOB_TIMEOUT_SECONDS = 600
_PENDING_KEY = "lr_jobs_pending"
EXTENSION = "lr_jobs"


class JobContext:
    """What a job's function gets: its session, the job, its review and user, and progress."""

    def __init__(self, session: Session, job: Job) -> None:
        self.session = session
        self.job = job
        self.params: dict[str, Any] = dict(job.params or {})
        self.review: Review | None = (
            session.get(Review, job.review_id) if job.review_id is not None else None
        )
        self.user: User | None = session.get(User, job.user_id) if job.user_id else None

    def progress(self, percent: int, message: str) -> None:
        """Record how far the job is and commit, so pollers see it. Call it only between
        steps that leave the data consistent: everything done so far is committed."""
        self.job.progress = max(0, min(99, int(percent)))
        self.job.message = message[:500]
        self.session.commit()


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its function, the review action that lets another member follow it,
    and how a page names it ("Generating the report")."""

    name: str
    function: JobFunction
    action: str
    title: str


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, action: str, title: str) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the job kind ``name``. ``action`` is the review
    action (``app.policy.REVIEW_ACTIONS``) a member needs to see another member's job."""

    def register(function: JobFunction) -> JobFunction:
        _KINDS[name] = JobKind(name, function, action, title)
        return function

    return register


def kind_of(job: Job) -> JobKind | None:
    return _KINDS.get(job.kind)


# --- starting a job ------------------------------------------------------------------------


def start(
    session: Session,
    *,
    kind: str,
    user: User | None,
    review: Review | None = None,
    params: dict[str, Any] | None = None,
    message: str = "Waiting to start",
) -> Job:
    """Record a queued job of ``kind``; it is handed to the runner when ``session`` commits."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        review_id=review.id if review is not None else None,
        user_id=user.id if user is not None else None,
        status="queued",
        progress=0,
        message=message,
        params=params or {},
        error="",
    )
    session.add(job)
    session.flush()
    pending: list[int] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        event.listen(session, "after_commit", lambda s: _dispatch(app, s))
        event.listen(session, "after_rollback", lambda s: s.info.pop(_PENDING_KEY, None))
    pending.append(job.id)
    return job


def _dispatch(app: Flask, session: Session) -> None:
    pending: list[int] = session.info.pop(_PENDING_KEY, None) or []
    for job_id in pending:
        runner(app).submit(job_id)


def accepted(job: Job, body: dict[str, Any] | None = None) -> Response:
    """The API's answer to a request that started ``job``: 202 with a Location header."""
    location = url_for("api.job", job_id=job.id)
    response = jsonify({"job": job_resource(job)} | (body or {}))
    response.status_code = 202
    response.headers["Location"] = location
    return response


def job_resource(job: Job) -> dict[str, Any]:
    """A job as the API shows it."""
    kind = kind_of(job)
    return {
        "id": job.id,
        "kind": job.kind,
        "title": kind.title if kind else job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "error": job.error or None,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "status_url": url_for("api.job", job_id=job.id),
        "page_url": url_for("main.job", job_id=job.id),
    }


# --- who may follow a job -------------------------------------------------------------------


def may_follow(
    session: Session, user: User, job: Job, role_may: Callable[[str, str], bool]
) -> bool:
    """Whether ``user`` may see ``job``: the user who started it, or a member of its review
    whose role allows the kind's action (``role_may(role, action)``, the policy's check)."""
    if job.user_id is not None and job.user_id == user.id:
        return True
    kind = kind_of(job)
    if job.review_id is None or kind is None:
        return False
    role = session.scalar(
        select(Membership.role).where(
            Membership.review_id == job.review_id, Membership.user_id == user.id
        )
    )
    return role is not None and role_may(role, kind.action)


# --- running a job --------------------------------------------------------------------------


def perform(job_id: int) -> None:
    """Run job ``job_id`` in its own session (inside an app context). A queued job runs once:
    a job already running or ended is left alone."""
    from app.db import session_factory

    session = session_factory()()
    try:
        job = session.get(Job, job_id)
        if job is None or job.status != "queued":
            return
        kind = _KINDS.get(job.kind)
        user = session.get(User, job.user_id) if job.user_id else None
        label = f"{user.email} (job {job.id})" if user else f"job {job.id}"
        session.info["actor"] = Actor(user.id if user else None, label[:320])
        job.status = "running"
        job.started_at = utcnow()
        job.progress = max(job.progress, 1)
        session.commit()
        try:
            if kind is None:
                raise ServiceError(f"This kind of job ({job.kind}) is not known to this server")
            result = kind.function(JobContext(session, job))
        # A failed job is recorded for whoever follows it, and logged with its traceback.
        except Exception as error:
            session.rollback()
            _fail(session, job_id, error)
            return
        job.status = "finished"
        job.progress = 100
        job.result = result
        job.finished_at = utcnow()
        session.commit()
    finally:
        session.close()


def _fail(session: Session, job_id: int, error: Exception) -> None:
    if isinstance(error, ServiceError):
        message = error.message
    else:
        logger.exception("background job %s failed", job_id, exc_info=error)
        message = f"The job failed unexpectedly (job {job_id}); the error is in the server log."
    job = session.get(Job, job_id)
    if job is None:
        return
    job.status = "failed"
    job.error = message
    job.message = "Failed"
    job.finished_at = utcnow()
    session.commit()


# --- runners -------------------------------------------------------------------------------


@dataclass
class ThreadRunner:
    """The embedded default: one daemon thread in this process runs the jobs in turn."""

    app: Flask
    _queue: queue.Queue[int] = field(default_factory=queue.Queue)
    _done: dict[int, threading.Event] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def _event(self, job_id: int) -> threading.Event:
        with self._lock:
            return self._done.setdefault(job_id, threading.Event())

    def submit(self, job_id: int) -> None:
        self._event(job_id)
        self._queue.put(job_id)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="lr-jobs", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                with self.app.app_context():
                    perform(job_id)
            finally:
                self._event(job_id).set()

    def wait(self, job_id: int, timeout: float) -> bool:
        return self._event(job_id).wait(timeout)


@dataclass
class DeferredRunner:
    """Runs nothing until asked: :meth:`wait` runs the queued jobs in the caller's thread."""

    app: Flask
    _pending: list[int] = field(default_factory=list)

    def submit(self, job_id: int) -> None:
        self._pending.append(job_id)

    def wait(self, job_id: int, timeout: float) -> bool:
        while self._pending:
            next_id = self._pending.pop(0)
            with self.app.app_context():
                perform(next_id)
            if next_id == job_id:
                return True
        return False


@dataclass
class RedisRunner:
    """RQ on Redis: jobs go on the queue, and ``learning-review jobs-worker`` runs them."""

    app: Flask
    url: str
    name: str

    def queue(self) -> Any:
        from redis import Redis
        from rq import Queue

        return Queue(self.name, connection=Redis.from_url(self.url))

    fallback: ThreadRunner | None = None

    def submit(self, job_id: int) -> None:
        """Queue the job for an RQ worker; with no worker listening (or Redis down) the job
        runs in this process's worker thread instead, so it is never left waiting forever."""
        from redis.exceptions import RedisError
        from rq import Worker

        try:
            rq_queue = self.queue()
            if Worker.count(queue=rq_queue) > 0:
                rq_queue.enqueue(
                    "app.worker.perform_in_worker",
                    job_id,
                    job_id=f"lr-job-{job_id}-{self.name}",
                    job_timeout=JOB_TIMEOUT_SECONDS,
                )
                return
            logger.warning(
                "no jobs-worker listens on %s: job %s runs in-process", self.name, job_id
            )
        except RedisError as error:
            logger.warning("Redis unavailable (%s): job %s runs in-process", error, job_id)
        if self.fallback is None:
            self.fallback = ThreadRunner(self.app)
        self.fallback.submit(job_id)

    def wait(self, job_id: int, timeout: float) -> bool:
        """Work the queue in this thread until it is empty (RQ's burst mode)."""
        from rq import SimpleWorker

        if self.fallback is not None and job_id in self.fallback._done:
            return self.fallback.wait(job_id, timeout)

        rq_queue = self.queue()
        with self.app.app_context():
            SimpleWorker([rq_queue], connection=rq_queue.connection).work(
                burst=True, logging_level="WARNING"
            )
        return True


Runner = ThreadRunner | DeferredRunner | RedisRunner


def runner(app: Flask) -> Runner:
    """The app's job runner, made on first use from its settings."""
    existing: Runner | None = app.extensions.get(EXTENSION)
    if existing is not None:
        return existing
    made: Runner
    if app.config.get("JOBS_RUNNER") == "deferred":
        made = DeferredRunner(app)
    elif app.config.get("REDIS_URL"):
        made = RedisRunner(
            app, app.config["REDIS_URL"], app.config.get("JOBS_QUEUE", DEFAULT_QUEUE)
        )
    else:
        made = ThreadRunner(app)
    return app.extensions.setdefault(EXTENSION, made)  # type: ignore[no-any-return]


def wait(app: Flask, job_id: int, timeout: float = 120.0) -> Job:
    """Wait until job ``job_id`` has ended (running it, for the deferred and Redis runners) and
    return it as stored. Raises ``TimeoutError`` if it has not ended within ``timeout``."""
    from app.db import session_factory

    if not runner(app).wait(job_id, timeout):
        raise TimeoutError(f"job {job_id} did not end within {timeout} s")
    with app.app_context():
        session = session_factory()()
        try:
            job = session.get(Job, job_id)
            if job is None or not job.is_done:
                raise TimeoutError(f"job {job_id} has not ended")
            session.expunge(job)
            return job
        finally:
            session.close()


def work(app: Flask, *, burst: bool = False) -> None:
    """Run an RQ worker on the app's queue in this process (``learning-review jobs-worker``)."""
    from rq import SimpleWorker

    current = runner(app)
    if not isinstance(current, RedisRunner):
        raise RuntimeError("REDIS_URL is not set: jobs run in the web process, no worker needed")
    rq_queue = current.queue()
    with app.app_context():
        SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=burst)
