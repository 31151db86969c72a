"""Background jobs: the 202 + Location contract, the status URL and page, who may follow a
job, failures, and the three runners (a worker thread in the real app, deferred, RQ on Redis).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app import create_app, jobs
from app.db import session_factory
from app.services.errors import ServiceError
from models import Job, Review, User
from models.audit.chain import Actor
from tests.conftest import World, fresh_database_url, migrate

# Jobs used only here. "test.gate" says when it has reached its gate, then waits until the
# test lets it go, so a test can look at a job while it runs.
REACHED: dict[str, threading.Event] = {}
RELEASE: dict[str, threading.Event] = {}


@jobs.job_kind("test.echo", action="reports.view", title="Echoing")
def _echo(context: jobs.JobContext) -> dict[str, Any]:
    context.progress(50, "Half way")
    review = context.review
    return {"echo": context.params.get("say"), "review": review.title if review else None}


@jobs.job_kind("test.refuse", action="reports.view", title="Refusing")
def _refuse(context: jobs.JobContext) -> dict[str, Any]:
    raise ServiceError("The review has no findings to put in a report")


@jobs.job_kind("test.crash", action="reports.view", title="Crashing")
def _crash(context: jobs.JobContext) -> dict[str, Any]:
    raise RuntimeError("secret internals")


@jobs.job_kind("test.gate", action="reports.view", title="Waiting at the gate")
def _gate(context: jobs.JobContext) -> dict[str, Any]:
    context.progress(40, "At the gate")
    REACHED[context.params["gate"]].set()
    if not RELEASE[context.params["gate"]].wait(30):
        raise ServiceError("the gate never opened")
    return {"location": "/", "passed": True}


@jobs.job_kind("test.link", action="reports.view", title="Making something")
def _link(context: jobs.JobContext) -> dict[str, Any]:
    return {"location": "/account"}


def _start(
    db_session: Session,
    app: Flask,
    world: World,
    kind: str,
    who: str = "lead_reviewer",
    **params: Any,
) -> Job:
    with app.test_request_context():
        job = jobs.start(
            db_session,
            kind=kind,
            user=db_session.get(User, world.users[who]),
            review=db_session.get(Review, world.review_id),
            params=params,
        )
        db_session.commit()
    return job


def test_a_job_answers_202_while_queued_then_200_with_its_result(
    app: Flask, client: Any, api: Any, db_session: Session, world: World, finish_job: Any
) -> None:
    headers = api("lead_reviewer")
    job = _start(db_session, app, world, "test.echo", say="hello")
    waiting = client.get(f"/api/v1/jobs/{job.id}", headers=headers)
    assert waiting.status_code == 202
    assert waiting.json["status"] == "queued"
    assert waiting.headers["Retry-After"] == "1"
    ended = finish_job(job.id)
    assert ended.status == "finished"
    done = client.get(f"/api/v1/jobs/{job.id}", headers=headers)
    assert done.status_code == 200
    assert done.json["status"] == "finished"
    assert done.json["progress"] == 100
    assert done.json["result"] == {"echo": "hello", "review": "Test review"}
    assert done.json["started_at"] and done.json["finished_at"]


def test_the_job_page_shows_progress_then_sends_the_reader_to_the_result(
    app: Flask, client: Any, login: Any, db_session: Session, world: World, finish_job: Any
) -> None:
    login("lead_reviewer")
    job = _start(db_session, app, world, "test.link")
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 202
    html = page.get_data(as_text=True)
    assert "Making something" in html
    assert '<progress id="lr-job-progress"' in html
    assert "js/job.js" in html
    assert "<script>" not in html  # polling comes from a file, allowed by the CSP
    finish_job(job.id)
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 303
    assert page.headers["Location"] == "/account"


def test_only_the_starter_and_members_allowed_to_follow_see_a_job(
    app: Flask, client: Any, api: Any, db_session: Session, world: World
) -> None:
    job = _start(db_session, app, world, "test.echo")
    for who in ("lead_reviewer", "chair", "board_member", "panel_member"):
        assert client.get(f"/api/v1/jobs/{job.id}", headers=api(who)).status_code == 202, who
    for who in ("observer", "facilitator", "agency_rep", "other_member", "outsider", "admin"):
        assert client.get(f"/api/v1/jobs/{job.id}", headers=api(who)).status_code == 404, who
    assert client.get("/api/v1/jobs/999999", headers=api("chair")).status_code == 404
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 401


def test_an_observer_follows_a_job_they_started_themselves(
    app: Flask, client: Any, api: Any, db_session: Session, world: World
) -> None:
    job = _start(db_session, app, world, "test.echo", who="observer")
    assert client.get(f"/api/v1/jobs/{job.id}", headers=api("observer")).status_code == 202


def test_a_refused_job_fails_with_its_message_and_a_crash_says_where_to_look(
    app: Flask,
    client: Any,
    api: Any,
    db_session: Session,
    world: World,
    finish_job: Any,
    login: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = api("lead_reviewer")
    refused = _start(db_session, app, world, "test.refuse")
    crashed = _start(db_session, app, world, "test.crash")
    assert finish_job(refused.id).status == "failed"
    assert finish_job(crashed.id).status == "failed"
    body = client.get(f"/api/v1/jobs/{refused.id}", headers=headers).json
    assert body["error"] == "The review has no findings to put in a report"
    body = client.get(f"/api/v1/jobs/{crashed.id}", headers=headers).json
    assert "secret internals" not in body["error"]
    assert f"job {crashed.id}" in body["error"]
    assert "secret internals" in caplog.text  # the traceback is in the server log
    login("lead_reviewer")
    page = client.get(f"/jobs/{refused.id}")
    assert page.status_code == 200
    assert "The review has no findings" in page.get_data(as_text=True)


def test_a_job_started_by_a_request_that_fails_never_runs(
    app: Flask, db_session: Session, world: World
) -> None:
    with app.test_request_context():
        job = jobs.start(
            db_session,
            kind="test.echo",
            user=db_session.get(User, world.users["chair"]),
            review=db_session.get(Review, world.review_id),
        )
        job_id = job.id
        db_session.rollback()
    runner = jobs.runner(app)
    assert isinstance(runner, jobs.DeferredRunner)
    assert job_id not in runner._pending
    assert db_session.get(Job, job_id) is None


# --- the real app: a worker thread, and RQ on Redis -----------------------------------------


@pytest.fixture(scope="module")
def real_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = fresh_database_url("jobs", tmp_path_factory.mktemp("jobs-db"))
    migrate(url)
    return url


def _seed(app: Flask) -> tuple[int, int]:
    from models import Membership, Partnership

    with app.app_context():
        session = session_factory()()
        session.info["actor"] = Actor(None, "test-setup")
        partnership = Partnership(name=f"Jobs partnership {uuid.uuid4().hex[:8]}")
        user = User(
            email=f"jobs-{uuid.uuid4().hex[:8]}@test.example.org",
            name="Jobs Tester",
            password_hash="x",
            partnership=partnership,
            mfa_exempt=True,
        )
        session.add_all([partnership, user])
        session.flush()
        review = Review(
            partnership_id=partnership.id,
            title="Jobs review",
            subject="Child J",
            review_type="rapid_review",
        )
        session.add(review)
        session.flush()
        session.add(Membership(review_id=review.id, user_id=user.id, role="chair"))
        session.commit()
        ids = (review.id, user.id)
        session.close()
    return ids


def _start_real(app: Flask, review_id: int, user_id: int, kind: str, **params: Any) -> int:
    with app.test_request_context():
        session = session_factory()()
        session.info["actor"] = Actor(user_id, "test")
        job = jobs.start(
            session,
            kind=kind,
            user=session.get(User, user_id),
            review=session.get(Review, review_id),
            params=params,
        )
        session.commit()
        job_id = job.id
        session.close()
    return job_id


def _status(app: Flask, job_id: int) -> Job:
    with app.app_context():
        session = session_factory()()
        job = session.get_one(Job, job_id)
        session.expunge(job)
        session.close()
    return job


@pytest.fixture
def threaded_app(real_database: str) -> Iterator[Flask]:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": real_database, "REDIS_URL": ""})
    yield app
    app.extensions["lr_engine"].dispose()


def test_the_worker_thread_runs_jobs_off_the_request_and_shows_progress(
    threaded_app: Flask,
) -> None:
    assert isinstance(jobs.runner(threaded_app), jobs.ThreadRunner)
    review_id, user_id = _seed(threaded_app)
    key = uuid.uuid4().hex
    REACHED[key], RELEASE[key] = threading.Event(), threading.Event()
    job_id = _start_real(threaded_app, review_id, user_id, "test.gate", gate=key)
    # The job reaches its gate in the worker thread while this thread goes on: the progress
    # it committed is visible to a reader.
    assert REACHED[key].wait(30)
    seen = _status(threaded_app, job_id)
    assert seen.status == "running"
    assert (seen.progress, seen.message) == (40, "At the gate")
    RELEASE[key].set()
    ended = jobs.wait(threaded_app, job_id, timeout=30)
    assert ended.status == "finished"
    assert ended.result == {"location": "/", "passed": True}


def test_rq_on_redis_runs_the_job_in_a_worker(real_database: str) -> None:
    queue = f"lr-test-{uuid.uuid4().hex}"
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": real_database,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "JOBS_QUEUE": queue,
        }
    )
    try:
        runner = jobs.runner(app)
        assert isinstance(runner, jobs.RedisRunner)
        review_id, user_id = _seed(app)
        # A jobs-worker listens on the queue (registered as RQ's workers register).
        from rq import SimpleWorker

        listening = SimpleWorker([runner.queue()], connection=runner.queue().connection)
        listening.register_birth()
        try:
            job_id = _start_real(app, review_id, user_id, "test.echo", say="from redis")
            assert runner.queue().count == 1
            assert _status(app, job_id).status == "queued"
        finally:
            listening.register_death()
        ended = jobs.wait(app, job_id)
        assert ended.status == "finished"
        assert ended.result == {"echo": "from redis", "review": "Jobs review"}
        assert runner.queue().count == 0
        # With no worker listening, a job runs in the web process rather than wait forever.
        alone = _start_real(app, review_id, user_id, "test.echo", say="no worker")
        assert runner.queue().count == 0
        assert jobs.wait(app, alone).result == {"echo": "no worker", "review": "Jobs review"}
    finally:
        app.extensions["lr_engine"].dispose()


def test_with_redis_down_a_job_still_runs(real_database: str) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": real_database,
            "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    )
    try:
        review_id, user_id = _seed(app)
        job_id = _start_real(app, review_id, user_id, "test.echo", say="fallback")
        assert jobs.wait(app, job_id).status == "finished"
    finally:
        app.extensions["lr_engine"].dispose()


def test_the_worker_command_refuses_without_redis(tmp_path: Path, real_database: str) -> None:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": real_database, "REDIS_URL": ""})
    result = app.test_cli_runner().invoke(args=["jobs-worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output
    app.extensions["lr_engine"].dispose()
