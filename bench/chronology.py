"""Chronology at size: a generated review of 5,000 events from 20 agencies read through the
table page and the events API, and a 10,000-row CSV import, each as a ratio to a trivial
signed-in page (GET /account) measured in the same run.

Targets: the table page's median at most 250 ms at 5,000 events; the table page runs the same
number of SQL statements at 50 and at 5,000 events; the import takes at most 15 s and 300 MB.

Requests go through Flask's test client (in process, no network), signed in with a real
server-side session (POST /sign-in) or, for the API, a bearer token. The database is a
temporary SQLite file, or the one at BENCH_DATABASE_URL (migrated to head; the benchmark adds
its own partnership, user and reviews and leaves them there, so point it at a scratch
database). Data are generated from a fixed seed and are fictional; events are bulk-inserted
(generation is not measured), the import goes through the app's own services.

The import is timed untraced, with its peak RSS; a second import under tracemalloc gives the
peak of Python allocations. That second run is skipped while the first takes more than twice
its target (tracing slows it several times over); BENCH_TRACE_IMPORT=1 forces it.
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import re
import resource
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session

from analysis.chronology.dates import MONTH_ABBRS, parse_when
from analysis.taxonomy import SOURCE_KINDS
from app import create_app
from app.chronology.views import PER_PAGE
from app.cli import alembic_config
from app.security import create_api_token
from app.services.chronology import create_kpe
from app.services.chronology_import import confirm_import, start_import
from app.services.reviews import add_agency, create_person, create_review
from app.services.users import create_user, get_or_create_partnership
from models import Event, ItemRef, KeyPracticeEpisode, Review, User, event_people, utcnow
from models.audit.chain import Actor

SEED = 20_261_126
EVENTS = 5_000
SMALL_EVENTS = 50
AGENCY_COUNT = 20
IMPORT_ROWS = 10_000
WARM_UPS = 3
SAMPLES = 30
PASSWORD = "brass lantern orchard 4821"  # noqa: S105 - a fictional user in a throwaway database

TABLE_TARGET_MS = 250.0
IMPORT_TARGET_S = 15.0
IMPORT_TARGET_MB = 300.0
# tracemalloc slows the import several times over: trace it in a second run only while the
# untraced run is near its target, so that the benchmark keeps to a few minutes.
TRACE_IF_UNDER_S = 2 * IMPORT_TARGET_S

# --- fictional text -------------------------------------------------------------------------

AREAS = ("Northshire", "Westmere")
SECTORS = (
    "Children's Social Care",
    "Police",
    "Health Visiting",
    "GP Practice",
    "Primary School",
    "Housing",
    "Ambulance Service",
    "Emergency Department",
    "Probation Service",
    "Early Help",
)
AGENCY_NAMES = tuple(f"{area} {sector}" for area in AREAS for sector in SECTORS)
PEOPLE = (
    ("Child A", "child"),
    ("Sibling B", "sibling"),
    ("Mother (C)", "parent"),
    ("Father (D)", "parent"),
    ("Grandmother (E)", "relative"),
    ("Lodger (F)", "household_adult"),
)
KPE_TITLES = (
    "Referral after the first school absence",
    "Move to temporary housing",
    "Hospital attendance with a head injury",
    "Strategy discussion and its follow-up",
    "Case closure by early help",
)
WORKERS = (
    "The social worker",
    "The health visitor",
    "The GP",
    "A police officer",
    "The class teacher",
    "The housing officer",
    "The school nurse",
    "A paramedic",
    "The early help worker",
    "The probation officer",
)
ACTIONS = (
    "visits the family home",
    "speaks to Mother (C) by telephone",
    "sees Child A at school",
    "records a concern about bruising",
    "refers the family to early help",
    "attends a multi-agency meeting",
    "notes that the flat is cold and damp",
    "tries to visit but no one answers the door",
    "discusses sleeping arrangements with Father (D)",
    "shares information with the allocated worker",
    "books a follow-up appointment",
    "writes to the family about missed appointments",
)
TAILS = (
    "No further action is recorded.",
    "The worker plans to visit again within two weeks.",
    "Child A appears quiet and withdrawn.",
    "Mother (C) says that things are better now.",
    "**Outcome:** the case stays open for monitoring.",
    "The record does not say who was told.",
    "A safeguarding referral is considered but not made.",
    "Grandmother (E) is present and helps with the children.",
)
SOURCE_DETAILS = ("", "", "", "Case note", "Incident log", "Health record", "School file")
APPRAISAL_WEIGHTS = {
    "not_appraised": 70,
    "neutral": 15,
    "problematic": 10,
    "good_practice": 5,
}
START_DAY = date(2016, 1, 1)
SPAN_DAYS = (date(2023, 12, 31) - START_DAY).days


def _description(rng: random.Random) -> str:
    first = f"{rng.choice(WORKERS)} {rng.choice(ACTIONS)}."
    rest = rng.sample(TAILS, rng.randint(0, 2))
    return " ".join([first, *rest])


def _day(rng: random.Random) -> date:
    return START_DAY + timedelta(days=rng.randint(0, SPAN_DAYS))


def _date_text(rng: random.Random) -> str:
    """A date as a chronology writes it, at a mix of precisions (mostly days)."""
    day, roll = _day(rng), rng.random()
    if roll < 0.80:
        return f"{day:%d/%m/%Y}"
    if roll < 0.87:
        return f"{day:%d/%m/%Y} {rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    if roll < 0.93:
        return f"{MONTH_ABBRS[day.month - 1]} {day.year}"
    if roll < 0.96:
        return str(day.year)
    return f"c. {day:%d/%m/%Y}"


def _appraisal(rng: random.Random) -> str:
    return rng.choices(list(APPRAISAL_WEIGHTS), weights=list(APPRAISAL_WEIGHTS.values()))[0]


def _source(rng: random.Random) -> str:
    return "agency_record" if rng.random() < 0.7 else rng.choice(list(SOURCE_KINDS))


# --- the database and its data ----------------------------------------------------------------


@dataclass
class Fixture:
    user_id: int
    email: str
    big_review_id: int
    small_review_id: int
    import_review_ids: tuple[int, int]
    api_token: str


@contextmanager
def _database_url() -> Iterator[str]:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench-chronology.db'}"


def _review_with_cast(session: Session, creator: User, title: str) -> Review:
    """A review with the 20 agencies (refs A1..A20), six people and five KPEs."""
    review = create_review(
        session=session, creator=creator, title=title, subject="Child A", review_type="local_cspr"
    )
    for name in AGENCY_NAMES:
        add_agency(session=session, review=review, name=name)
    for pseudonym, role in PEOPLE:
        create_person(session=session, review=review, pseudonym=pseudonym, role=role)
    for title_ in KPE_TITLES:
        create_kpe(session=session, review=review, title=title_)
    session.flush()
    return review


def _insert_events(
    session: Session,
    review: Review,
    user_id: int,
    count: int,
    rng: random.Random,
    *,
    first: int = 1,
) -> None:
    """Bulk-insert ``count`` events (refs E``first``…) with their refs and people, as the
    services would store them (dates canonicalised by parse_when, sort window from the When)."""
    agency_ids = [a.id for a in review.agencies]
    person_ids = [p.id for p in review.people]
    kpe_ids = list(
        session.scalars(
            select(KeyPracticeEpisode.id).where(KeyPracticeEpisode.review_id == review.id)
        )
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for n in range(first, first + count):
        when = parse_when(_date_text(rng))
        rows.append(
            {
                "review_id": review.id,
                "ref": f"E{n}",
                "date": when.date,
                "date_precision": when.precision,
                "end_date": when.end_date,
                "sort_start": when.earliest(),
                "sort_end": when.latest(),
                "agency_id": rng.choice(agency_ids),
                "source": _source(rng),
                "source_detail": rng.choice(SOURCE_DETAILS),
                "description": _description(rng),
                "appraisal": _appraisal(rng),
                "kpe_id": rng.choice(kpe_ids) if rng.random() < 0.1 else None,
                "merged_from": [],
                "merged_into_id": None,
                "added_by_id": user_id,
                "created_at": now,
                "deleted_at": None,
                "version": 1,
            }
        )
    session.execute(insert(Event.__table__), rows)
    session.execute(
        insert(ItemRef.__table__),
        [{"review_id": review.id, "ref": row["ref"], "kind": "event"} for row in rows],
    )
    new_refs = {row["ref"] for row in rows}
    ids = {
        ref: event_id
        for ref, event_id in session.execute(
            select(Event.ref, Event.id).where(Event.review_id == review.id)
        )
        if ref in new_refs
    }
    links = [
        {"event_id": ids[row["ref"]], "person_id": person_id}
        for row in rows
        if rng.random() < 0.6
        for person_id in rng.sample(person_ids, min(len(person_ids), rng.randint(1, 3)))
    ]
    session.execute(insert(event_people), links)


def _make_fixture(app: Flask) -> Fixture:
    rng = random.Random(SEED)
    # Unique per run so that a reused BENCH_DATABASE_URL never clashes with an earlier run.
    run = secrets.token_hex(4)
    email = f"bench-chair-{run}@bench.example.org"
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        session.info["actor"] = Actor(None, "bench")
        partnership = get_or_create_partnership(f"Bench Partnership {run}", session=session)
        user = create_user(
            session=session,
            email=email,
            name="Bench Chair",
            password=PASSWORD,
            partnership=partnership,
            mfa_exempt=True,
        )
        big = _review_with_cast(session, user, f"Bench review, {EVENTS} events")
        small = _review_with_cast(session, user, f"Bench review, {SMALL_EVENTS} events")
        imports = (
            _review_with_cast(session, user, "Bench import review (timed)"),
            _review_with_cast(session, user, "Bench import review (memory)"),
        )
        token = create_api_token(user, "bench", session=session)
        session.commit()
        _insert_events(session, big, user.id, EVENTS, rng)
        _insert_events(session, small, user.id, SMALL_EVENTS, rng)
        session.commit()
        fixture = Fixture(
            user_id=user.id,
            email=email,
            big_review_id=big.id,
            small_review_id=small.id,
            import_review_ids=(imports[0].id, imports[1].id),
            api_token=token,
        )
        session.close()
    return fixture


# --- requests ---------------------------------------------------------------------------------


def _sign_in(client: FlaskClient, email: str) -> None:
    html = client.get("/sign-in").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in", data={"csrf_token": match.group(1), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, f"sign-in answered {response.status_code}"


def _get(client: FlaskClient, path: str, headers: dict[str, str] | None) -> float:
    start = time.perf_counter()
    response = client.get(path, headers=headers)
    response.get_data()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    response.close()
    return elapsed


def _check_pages(client: FlaskClient, review_id: int, bearer: dict[str, str]) -> None:
    """The pages measured show what they should: a page of the table, 100 API items."""
    html = client.get(f"/reviews/{review_id}/chronology").get_data(as_text=True)
    pages = math.ceil(EVENTS / PER_PAGE)
    assert f"{EVENTS} events, page 1 of {pages}" in html, "the table page lacks its caption"
    assert html.count('name="refs"') == PER_PAGE, "the table page lacks a full page of events"
    body = client.get(f"/api/v1/reviews/{review_id}/events?limit=100", headers=bearer).get_json()
    assert len(body["items"]) == 100 and body["next_cursor"], "the API page is not full"


@dataclass
class Latency:
    label: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)  # nearest rank
        return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


def _latency(
    client: FlaskClient, label: str, path: str, headers: dict[str, str] | None = None
) -> Latency:
    for _ in range(WARM_UPS):
        _get(client, path, headers)
    return Latency(label, [_get(client, path, headers) for _ in range(SAMPLES)])


class StatementCounter:
    """The statements the engine sends to the database while ``counting`` is open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._record)
        try:
            yield self.statements
        finally:
            event.remove(self.engine, "before_cursor_execute", self._record)


def _statements_for(
    client: FlaskClient, counter: StatementCounter, path: str, headers: dict[str, str] | None
) -> list[str]:
    _get(client, path, headers)  # warm, and absorb a once-a-minute session touch
    with counter.counting() as statements:
        _get(client, path, headers)
    return list(statements)


# --- the import -------------------------------------------------------------------------------


def _import_csv(rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "agency", "description", "source", "appraisal"])
    for _ in range(IMPORT_ROWS):
        writer.writerow(
            [
                f"{_day(rng):%d/%m/%Y}",
                rng.choice(AGENCY_NAMES),
                _description(rng),
                SOURCE_KINDS[_source(rng)],
                _appraisal(rng),
            ]
        )
    return out.getvalue().encode()


@dataclass
class ImportRun:
    preview_s: float
    confirm_s: float
    commit_s: float
    stored: int
    traced_peak_mb: float | None
    rss_growth_mb: float
    rss_growth_exact: bool

    @property
    def total_s(self) -> float:
        return self.preview_s + self.confirm_s + self.commit_s


def _rss_mb() -> float:
    """Current resident set size (Linux), or the high-water mark where that is unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _max_rss_mb()


def _max_rss_mb() -> float:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / 1024 / 1024 if sys.platform == "darwin" else value / 1024


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark (Linux 4.0+), so ru_maxrss covers what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _run_import(
    app: Flask, fixture: Fixture, review_id: int, data: bytes, *, traced: bool
) -> ImportRun:
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        session.info["actor"] = Actor(None, "bench")
        review = session.get_one(Review, review_id)
        rss_before = _rss_mb()
        max_before = _max_rss_mb()
        exact = _reset_peak_rss()
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        record = start_import(
            session=session,
            review=review,
            user_id=fixture.user_id,
            filename="bench-chronology.csv",
            data=data,
            default_agency=None,
        )
        previewed = time.perf_counter()
        assert record.error_count == 0, f"{record.error_count} rows refused"
        assert not record.preview["unknown_agencies"], "the CSV names an unknown agency"
        stored = confirm_import(
            session=session, review=review, record=record, added_by_id=fixture.user_id
        )
        confirmed = time.perf_counter()
        session.commit()
        committed = time.perf_counter()
        peak = None
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        max_after = _max_rss_mb()
        session.close()
    growth = max_after - rss_before if exact else max(0.0, max_after - max_before)
    return ImportRun(
        preview_s=previewed - start,
        confirm_s=confirmed - previewed,
        commit_s=committed - confirmed,
        stored=stored,
        traced_peak_mb=peak,
        rss_growth_mb=growth,
        rss_growth_exact=exact,
    )


# --- the report -------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def run() -> None:
    with _database_url() as url:
        alembic_command.upgrade(alembic_config(url), "head")
        app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
        engine: Engine = app.extensions["lr_engine"]
        fixture, setup_s = _timed(lambda: _make_fixture(app))

        client = app.test_client()
        _sign_in(client, fixture.email)
        bearer = {"Authorization": f"Bearer {fixture.api_token}"}
        big, small = fixture.big_review_id, fixture.small_review_id

        _check_pages(client, big, bearer)
        trivial = _latency(client, "trivial page  GET /account", "/account")
        table = _latency(client, "table page", f"/reviews/{big}/chronology")
        filtered = _latency(
            client, "table p2 ?agency=A3", f"/reviews/{big}/chronology?agency=A3&page=2"
        )
        api = _latency(
            client, "events API limit=100", f"/api/v1/reviews/{big}/events?limit=100", bearer
        )

        counter = StatementCounter(engine)
        table_small = _statements_for(client, counter, f"/reviews/{small}/chronology", None)
        table_big = _statements_for(client, counter, f"/reviews/{big}/chronology", None)
        api_path = "/api/v1/reviews/{}/events?limit=100"
        api_small = _statements_for(client, counter, api_path.format(small), bearer)
        api_big = _statements_for(client, counter, api_path.format(big), bearer)

        data = _import_csv(random.Random(SEED + 1))
        timed = _run_import(app, fixture, fixture.import_review_ids[0], data, traced=False)
        traced = None
        if os.environ.get("BENCH_TRACE_IMPORT") == "1" or timed.total_s <= TRACE_IF_UNDER_S:
            traced = _run_import(app, fixture, fixture.import_review_ids[1], data, traced=True)
        engine.dispose()

    base = trivial.median_ms
    backend = engine.url.get_backend_name()
    print(
        f"chronology, {EVENTS} events from {AGENCY_COUNT} agencies ({backend}; "
        f"{SAMPLES} requests each after {WARM_UPS} warm-ups; data generated in {setup_s:.1f} s)"
    )
    for row in (trivial, table, filtered, api):
        print(
            f"  {row.label:<28}: median {row.median_ms:7.1f} ms  p95 {row.p95_ms:7.1f} ms  "
            f"ratio {row.median_ms / base:6.1f}x trivial"
        )
    print(
        f"  table page median {table.median_ms:.1f} ms (target <= {TABLE_TARGET_MS:.0f}) "
        f"ratio {table.median_ms / base:.1f}x trivial  {_mark(table.median_ms <= TABLE_TARGET_MS)}"
    )
    same = len(table_small) == len(table_big)
    print(
        f"  table page SQL statements: {len(table_small)} at {SMALL_EVENTS} events, "
        f"{len(table_big)} at {EVENTS} events (target: equal)  {_mark(same)}"
    )
    if not same:
        for statement in sorted(set(table_big) ^ set(table_small)):
            print(f"    differs: {' '.join(statement.split())[:150]}")
    print(
        f"  events API SQL statements (info): {len(api_small)} at {SMALL_EVENTS} events, "
        f"{len(api_big)} at {EVENTS} events"
    )
    print(
        f"  import {IMPORT_ROWS} CSV rows: preview {timed.preview_s:6.2f} s, "
        f"confirm {timed.confirm_s:6.2f} s, commit {timed.commit_s:5.2f} s "
        f"({timed.stored} events stored)"
    )
    print(
        f"  import total {timed.total_s:.2f} s (target <= {IMPORT_TARGET_S:.0f}) "
        f"ratio {timed.total_s * 1000 / base:,.0f}x trivial  "
        f"{_mark(timed.total_s <= IMPORT_TARGET_S)}"
    )
    rss_kind = "peak RSS above start" if timed.rss_growth_exact else "max RSS growth (lower bound)"
    if traced is not None and traced.traced_peak_mb is not None:
        memory_ok = max(traced.traced_peak_mb, timed.rss_growth_mb) <= IMPORT_TARGET_MB
        print(
            f"  import peak memory {traced.traced_peak_mb:.1f} MB traced (tracemalloc, separate "
            f"run: {traced.total_s:.1f} s under tracing), {rss_kind} {timed.rss_growth_mb:.1f} MB "
            f"(target <= {IMPORT_TARGET_MB:.0f})  {_mark(memory_ok)}"
        )
    else:
        memory_ok = timed.rss_growth_mb <= IMPORT_TARGET_MB
        print(
            f"  import peak memory: {rss_kind} {timed.rss_growth_mb:.1f} MB "
            f"(target <= {IMPORT_TARGET_MB:.0f})  {_mark(memory_ok)}"
        )
        print(
            f"    tracemalloc run skipped: the import took {timed.total_s:.0f} s untraced and "
            f"runs several times slower under tracing (BENCH_TRACE_IMPORT=1 forces it)"
        )
