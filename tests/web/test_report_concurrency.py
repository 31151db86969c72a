"""Ten report generations at once, against the real app (its own database, real commits and
the worker thread): each gets its own version number or a clean 409, never a 500, and every
version's files are readable once its job has ended. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app import create_app, jobs
from app.db import session_factory
from app.passwords import hash_password
from app.security import create_api_token
from models import Membership, Partnership, Review, User
from models.audit.chain import Actor
from tests.conftest import fresh_database_url, migrate

GENERATIONS = 10


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = fresh_database_url("concurrency", tmp_path_factory.mktemp("concurrency-db"))
    migrate(url)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "REPORT_CACHE_DIR": str(tmp_path_factory.mktemp("report-cache")),
        }
    )
    yield app
    app.extensions["lr_engine"].dispose()


def _seed(app: Flask) -> tuple[int, str]:
    with app.app_context():
        session = session_factory()()
        session.info["actor"] = Actor(None, "test-setup")
        partnership = Partnership(name="Concurrent Test Partnership")
        user = User(
            email="lead@concurrent.example.org",
            name="Concurrent Lead",
            password_hash=hash_password("correct horse battery staple 42"),
            partnership=partnership,
            mfa_exempt=True,
        )
        session.add_all([partnership, user])
        session.flush()
        review = Review(
            partnership_id=partnership.id,
            title="Concurrent review",
            subject="Child C",
            review_type="local_cspr",
        )
        session.add(review)
        session.flush()
        session.add(Membership(review_id=review.id, user_id=user.id, role="lead_reviewer"))
        token = create_api_token(user, "concurrency test", session=session)
        session.commit()
        review_id = review.id
        session.close()
    return review_id, token


def test_ten_simultaneous_generations_get_ten_numbers_or_a_clean_409(real_app: Flask) -> None:
    review_id, token = _seed(real_app)
    headers = {"Authorization": f"Bearer {token}"}
    start = threading.Barrier(GENERATIONS)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def generate() -> None:
        client = real_app.test_client()
        start.wait(timeout=30)
        response = client.post(f"/api/v1/reviews/{review_id}/reports", headers=headers)
        with lock:
            answers.append((response.status_code, response.get_json(silent=True)))

    threads = [threading.Thread(target=generate) for _ in range(GENERATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == GENERATIONS
    statuses = sorted(status for status, _body in answers)
    assert set(statuses) <= {202, 409}, statuses
    accepted = [body for status, body in answers if status == 202]
    numbers = sorted(body["version"] for body in accepted)
    assert numbers, "no generation was accepted"
    assert len(set(numbers)) == len(numbers), numbers  # never the same number twice
    for _status, body in answers:
        if _status == 409:
            assert "same moment" in body["message"]
    # Every accepted version's job ends, and then its files are there to read.
    client = real_app.test_client()
    for body in accepted:
        job = jobs.wait(real_app, body["job"]["id"], timeout=600)
        assert job.status == "finished", job.error
        status = client.get(f"/api/v1/jobs/{job.id}", headers=headers)
        assert status.status_code == 200 and status.json["result"]["version"] == body["version"]
        base = f"/api/v1/reviews/{review_id}/reports/{body['version']}"
        for path in (f"{base}.pdf", f"{base}.docx", f"{base}/public.pdf", f"{base}/public.md"):
            assert client.get(path, headers=headers).status_code == 200, path
    listed = client.get(f"/api/v1/reviews/{review_id}/reports", headers=headers).json["items"]
    assert sorted(item["version"] for item in listed) == numbers
    assert all(item["status"] == "ready" for item in listed)
