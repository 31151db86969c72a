"""Every HTML page under a review runs as many SQL statements at 50 events as at 300: no page
reads the chronology event by event (the URL map decides which pages; none is left out).

Statements are counted with a SQLAlchemy listener on the engine, once on the first request
after the review changed (what is worked out per change) and once on the next (what every
request costs). Timing belongs in ``bench/review_pages.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app.services import review_cache
from app.services import workshops as workshop_service
from bench.chronology import _insert_events
from bench.review_pages import EMPTY_PREVIEW, review_page_rules, review_page_urls
from models import ChronologyImport, Event, Review, User
from tests.conftest import World

SMALL, LARGE = 50, 300


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # The once-a-minute touch of the sign-in session is bookkeeping, not the page's cost.
        if not statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _grow_to(session: Session, review: Review, user_id: int, total: int, seed: int) -> None:
    refs = list(session.scalars(select(Event.ref).where(Event.review_id == review.id)))
    first = max(int(r[1:]) for r in refs if r[1:].isdigit()) + 1
    rng = random.Random(seed)  # noqa: S311 - fictional test data, not a secret
    _insert_events(session, review, user_id, total - len(refs), rng, first=first)
    session.commit()


def _extra_ids(session: Session, world: World) -> dict[str, int]:
    """A workshop with a note, and a chronology import: the other pages' URL values."""
    review = session.get_one(Review, world.review_id)
    workshop = workshop_service.create_workshop(
        session=session,
        review=review,
        facilitator=session.get_one(User, world.users["facilitator"]),
        title="Statement count workshop",
    )
    participant, _token = workshop_service.join_workshop(
        session=session, code=workshop.join_code, name="Health Visitor 1"
    )
    note = workshop_service.add_note(
        session=session, participant=participant, node=world.factor_ref, text="Caseloads."
    )
    upload = ChronologyImport(
        review_id=world.review_id,
        user_id=world.users["chair"],
        filename="x.csv",
        sha256="0" * 64,
        preview=EMPTY_PREVIEW,
    )
    session.add(upload)
    session.commit()
    return {"workshop_id": workshop.id, "note_id": note.id, "import_id": upload.id}


def _counts(
    client: FlaskClient, engine: Engine, urls: dict[str, str]
) -> dict[str, tuple[int, int]]:
    review_cache.clear()
    counts = {}
    for endpoint, url in sorted(urls.items()):
        client.get("/account")  # absorbs the once-a-minute session touch
        with _counting(engine) as first:
            response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        with _counting(engine) as again:
            client.get(url)
        counts[endpoint] = (len(first), len(again))
    return counts


def test_every_review_page_runs_as_many_statements_at_50_as_at_300_events(
    app: Flask, client: FlaskClient, db_session: Session, engine: Engine, world: World, login: Any
) -> None:
    login("chair")
    review = db_session.get_one(Review, world.review_id)
    ids = _extra_ids(db_session, world)
    urls = review_page_urls(app, db_session, world.review_id, ids)
    assert set(urls) == {endpoint for _rule, endpoint in review_page_rules(app)}, (
        "a review page has no test values"
    )
    _counts(client, engine, urls)  # pages that create something on a first visit do it now
    _grow_to(db_session, review, world.users["panel_member"], SMALL, seed=1)
    small = _counts(client, engine, urls)
    _grow_to(db_session, review, world.users["panel_member"], LARGE, seed=2)
    large = _counts(client, engine, urls)
    differs = {
        endpoint: (small[endpoint], large[endpoint])
        for endpoint in urls
        if small[endpoint] != large[endpoint]
    }
    assert not differs, f"statements (first, again) at {SMALL} and {LARGE} events: {differs}"
