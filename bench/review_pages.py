"""Big reviews: every HTML page under a review at 10,000 events, and the bundle import at size.

The demo review ("Child F", with its accounts, findings, workshop-free report and good practice)
is grown to 10,000 events, 60 factors and 180 links. Every GET page under
``/reviews/<review_id>`` that answers HTML (the URL map decides which: no ``.<fmt>``, ``.json``,
``.svg`` or ``.pdf`` rule) is timed through Flask's test client, signed in as the chair, and
printed as a ratio to the trivial signed-in page ``/account`` measured in the same run.
Target: every page within 40x the trivial page.

The bundle import (``POST /api/v1/reviews/import``) is timed at 2,000 and 8,000 events
(target: the larger within 5x the smaller, i.e. linear) and at 40,000 events on SQLite and on
PostgreSQL (target: under a minute), while a second user edits another review every 200 ms;
the longest of those edits is printed (target: none fails, none waits more than a second).

``BENCH_QUICK=1`` (``make bench-quick``) is a smoke run: 1,000 events, 2 samples a page,
imports of 500 and 2,000 events, no 40,000; ``BENCH_PAGES=0`` times the imports only.
``BENCH_PG_URL`` names a PostgreSQL server database to (re)create for the PostgreSQL
import (default ``lr_bench_pages`` on 127.0.0.1:5432); ``BENCH_SKIP_PG=1`` skips it. Data
are generated from a fixed seed and are fictional.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from analysis.bundle import BUNDLE_FORMAT
from app import create_app
from app.cli import alembic_config
from app.demo import DEMO_PASSWORD, seed_demo
from app.security import create_api_token
from app.services import factors as factor_service
from app.services import workshops as workshop_service
from app.services.reviews import create_review
from bench.chronology import (
    AGENCY_NAMES,
    KPE_TITLES,
    PEOPLE,
    StatementCounter,
    _appraisal,
    _day,
    _description,
    _insert_events,
    _source,
)
from models import (
    Account,
    Action,
    ChronologyImport,
    Event,
    Factor,
    Finding,
    KeyPracticeEpisode,
    Link,
    Person,
    ReportVersion,
    Review,
    User,
    Workshop,
)
from models.audit.chain import Actor

SEED = 20_261_204
QUICK = os.environ.get("BENCH_QUICK") == "1"
EVENTS = 1_000 if QUICK else 10_000
FACTORS = 60
LINKS = 180
SAMPLES = 2 if QUICK else 5
PAGE_TARGET_RATIO = 40.0
IMPORT_SIZES = (500, 2_000) if QUICK else (2_000, 8_000)
IMPORT_RATIO_TARGET = 5.0
BIG_IMPORT = 40_000
BIG_IMPORT_TARGET_S = 60.0
WRITER_WAIT_TARGET_S = 1.0
PAGES = os.environ.get("BENCH_PAGES") != "0"  # BENCH_PAGES=0: the imports only
NOT_HTML = re.compile(r"\.<\w+>$|\.(json|svg|pdf|csv|xlsx|docx|md)$")


# --- which pages ------------------------------------------------------------------------------


# The preview of an upload with no rows: what a chronology import holds before any is read.
EMPTY_PREVIEW: dict[str, Any] = {
    "rows": [],
    "errors": [],
    "mapping": {"fields": {}, "unknown": [], "missing": []},
    "unknown_agencies": [],
    "unknown_people": [],
    "duplicates": [],
    "row_count": 0,
}


def review_page_rules(app: Flask) -> list[tuple[str, str]]:
    """(rule, endpoint) of every GET page under a review that answers HTML, from the URL map."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith(
            "/reviews/<int:review_id>"
        ):
            continue
        if NOT_HTML.search(rule.rule):
            continue
        rules.append((rule.rule, rule.endpoint))
    return sorted(rules)


def _first_ref(session: Session, model: Any, review_id: int) -> str | None:
    return session.scalar(
        select(model.ref).where(model.review_id == review_id).order_by(model.id).limit(1)
    )


def review_page_urls(
    app: Flask, session: Session, review_id: int, ids: dict[str, int] | None = None
) -> dict[str, str]:
    """endpoint -> URL of each review page, filled with the first item of each kind and with
    ``ids`` (workshop_id, note_id, import_id).

    Pages whose item the review lacks (no workshop, say) are left out."""
    refs = {
        "event": _first_ref(session, Event, review_id),
        "kpe": _first_ref(session, KeyPracticeEpisode, review_id),
        "account": _first_ref(session, Account, review_id),
        "factor": _first_ref(session, Factor, review_id),
        "finding": _first_ref(session, Finding, review_id),
        "person": _first_ref(session, Person, review_id),
    }
    refs["action"] = _first_ref(session, Action, review_id)
    version = session.scalar(
        select(ReportVersion.number).where(ReportVersion.review_id == review_id).limit(1)
    )
    workshop = session.scalar(select(Workshop.id).where(Workshop.review_id == review_id).limit(1))
    urls = {}
    for rule, endpoint in review_page_rules(app):
        values: dict[str, Any] = {"review_id": review_id}
        for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
            if name == "review_id":
                continue
            if name == "ref":
                kind = endpoint.split(".")[-1].removeprefix("edit_").removesuffix("s")
                kind = {"entry": "event"}.get(kind, kind)
                values[name] = refs.get(kind) if kind in refs else refs["event"]
            elif name == "version":
                values[name] = version
            elif name == "workshop_id":
                values[name] = workshop
            elif name == "kpe":
                values[name] = refs["kpe"]
            else:
                values[name] = (ids or {}).get(name)
        if any(v is None for v in values.values()):
            continue
        path = rule
        for name, value in values.items():
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
        urls[endpoint] = path
    return urls


# --- data -------------------------------------------------------------------------------------


def _grow_demo(session: Session, review: Review, user: User, rng: random.Random) -> None:
    """Bring the demo review to FACTORS factors, LINKS links and EVENTS events."""
    event_refs = list(session.scalars(select(Event.ref).where(Event.review_id == review.id)))
    have = session.scalar(select(func.count(Factor.id)).where(Factor.review_id == review.id)) or 0
    for n in range(FACTORS - have):
        factor_service.create_factor(
            session=session,
            review=review,
            label=f"Bench condition {n + 1}: caseloads in team {n % 7 + 1}",
            type="latent_condition",
            level=("organisation", "team", "partnership")[n % 3],
        )
    factor_refs = list(session.scalars(select(Factor.ref).where(Factor.review_id == review.id)))
    links = session.scalar(select(func.count(Link.id)).where(Link.review_id == review.id)) or 0
    pairs = {
        (lk.source, lk.target)
        for lk in session.scalars(select(Link).where(Link.review_id == review.id))
    }
    while links < LINKS:
        source = rng.choice(factor_refs)
        target = rng.choice(event_refs + factor_refs)
        if source == target or (source, target) in pairs:
            continue
        pairs.add((source, target))
        factor_service.create_link(
            session=session, review=review, source=source, target=target, relation="contributed_to"
        )
        links += 1
    session.flush()
    numbers = [int(r[1:]) for r in event_refs if r[1:].isdigit()]
    _insert_events(session, review, user.id, EVENTS - len(event_refs), rng, first=max(numbers) + 1)


@dataclass
class Fixture:
    email: str
    review_id: int
    token: str
    other_review_id: int
    other_token: str
    ids: dict[str, int] = field(default_factory=dict)


def _workshop_and_import(session: Session, review: Review) -> dict[str, int]:
    """A workshop with a note and a chronology import, so that their pages are timed too."""
    facilitator = session.scalars(
        select(User).where(User.email == "facilitator@demo.example.org")
    ).one()
    workshop = workshop_service.create_workshop(
        session=session, review=review, facilitator=facilitator, title="Bench workshop"
    )
    participant, _token = workshop_service.join_workshop(
        session=session, code=workshop.join_code, name="Health Visitor 1"
    )
    factor = session.scalars(select(Factor.ref).where(Factor.review_id == review.id)).first()
    note = workshop_service.add_note(
        session=session, participant=participant, node=factor or "", text="Caseloads."
    )
    upload = ChronologyImport(
        review_id=review.id,
        user_id=facilitator.id,
        filename="bench.csv",
        sha256="0" * 64,
        preview=EMPTY_PREVIEW,
    )
    session.add(upload)
    session.flush()
    return {"workshop_id": workshop.id, "note_id": note.id, "import_id": upload.id}


def _make_fixture(app: Flask) -> Fixture:
    rng = random.Random(SEED)
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        session.info["actor"] = Actor(None, "bench")
        review = seed_demo(session)
        session.commit()
        chair = session.scalars(select(User).where(User.email == "chair@demo.example.org")).one()
        panel = session.scalars(select(User).where(User.email == "panel@demo.example.org")).one()
        _grow_demo(session, review, chair, rng)
        other = create_review(
            session=session,
            creator=panel,
            title="Another review, edited during the import",
            subject="Child B",
            review_type="local_cspr",
        )
        token = create_api_token(chair, "bench", session=session)
        other_token = create_api_token(panel, "bench", session=session)
        ids = _workshop_and_import(session, review)
        session.commit()
        fixture = Fixture(chair.email, review.id, token, other.id, other_token, ids)
        session.close()
    return fixture


def make_bundle(size: int, rng: random.Random) -> dict[str, Any]:
    """A whole review as a bundle: ``size`` events, factors and links in proportion (one
    factor per 150 events, three links each), accounts each naming a few events."""
    agencies = [{"ref": f"A{n + 1}", "name": name} for n, name in enumerate(AGENCY_NAMES)]
    people = [
        {"ref": f"P{n + 1}", "pseudonym": pseudonym, "role": role}
        for n, (pseudonym, role) in enumerate(PEOPLE)
    ]
    kpes = [{"ref": f"K{n + 1}", "title": title} for n, title in enumerate(KPE_TITLES)]
    events = []
    for n in range(1, size + 1):
        event: dict[str, Any] = {
            "ref": f"E{n}",
            "date": _day(rng).isoformat(),
            "date_precision": "day",
            "agency": rng.choice(agencies)["ref"],
            "source": _source(rng),
            "description": _description(rng),
            "appraisal": _appraisal(rng),
        }
        if rng.random() < 0.6:
            event["people"] = [p["ref"] for p in rng.sample(people, rng.randint(1, 3))]
        if rng.random() < 0.1:
            event["kpe"] = rng.choice(kpes)["ref"]
        events.append(event)
    factor_count = max(10, size // 150)
    factors = [
        {
            "ref": f"F{n + 1}",
            "label": f"Condition {n + 1}: how work was allocated in team {n % 9 + 1}",
            "type": "latent_condition" if n % 3 else "active_failure",
            "level": "team" if n % 3 else "practice",
            "evidence": [{"source": "agency_record", "event": f"E{rng.randint(1, size)}"}],
        }
        for n in range(factor_count)
    ]
    links = [
        {
            "source": factors[n % factor_count]["ref"],
            "target": f"E{rng.randint(1, size)}",
            "relation": "contributed_to",
        }
        for n in range(3 * factor_count)
    ]
    accounts = [
        {
            "ref": f"AC{n + 1}",
            "contributor_kind": "practitioner",
            "narrative": "What the worker remembers of the visits.",
            "events": [f"E{rng.randint(1, size)}" for _ in range(3)],
        }
        for n in range(max(2, size // 1000))
    ]
    return {
        "format": BUNDLE_FORMAT,
        "review": {
            "title": f"Imported review, {size} events",
            "subject": "Child A",
            "review_type": "local_cspr",
        },
        "agencies": agencies,
        "people": people,
        "kpes": kpes,
        "events": events,
        "accounts": accounts,
        "factors": factors,
        "links": links,
    }


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000


def _time_page(client: FlaskClient, label: str, path: str) -> Timing:
    samples = []
    for n in range(SAMPLES + 1):
        start = time.perf_counter()
        response = client.get(path)
        response.get_data()
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
        if n:  # the first request warms caches
            samples.append(elapsed)
    return Timing(label, samples)


def _write_meanwhile(url: str, token: str, review_id: int, stop: Any, results: Any) -> None:
    """Another user, in a process of its own (as another server worker would be), adding a
    key practice episode to another review every 200 ms until ``stop`` is set; sends each
    request's (seconds, failure or "") to ``results``."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
    client = app.test_client()
    path = f"/api/v1/reviews/{review_id}/kpes"
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while not stop.is_set():
        n += 1
        start = time.perf_counter()
        response = client.post(path, json={"title": f"Edit {n} during the import"}, headers=headers)
        failure = (
            ""
            if response.status_code == 201
            else f"{response.status_code} {response.get_data(as_text=True)[:80]}"
        )
        results.put((time.perf_counter() - start, failure))
        stop.wait(0.2)
    results.put(None)


def _sign_in_as(client: FlaskClient, email: str, password: str) -> None:
    html = client.get("/sign-in").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in", data={"csrf_token": match.group(1), "email": email, "password": password}
    )
    assert response.status_code == 302, f"sign-in answered {response.status_code}"


@dataclass
class ImportRun:
    size: int
    seconds: float
    megabytes: float
    writer_max_s: float | None = None
    writer_edits: int = 0
    writer_failures: list[str] = field(default_factory=list)


def _import(app: Flask, fixture: Fixture, size: int, *, writer_url: str | None = None) -> ImportRun:
    body = json.dumps(make_bundle(size, random.Random(SEED + size))).encode()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {fixture.token}", "Content-Type": "application/json"}
    context = multiprocessing.get_context("fork")
    stop, results = context.Event(), context.Queue()
    writer = None
    if writer_url:
        writer = context.Process(
            target=_write_meanwhile,
            args=(writer_url, fixture.other_token, fixture.other_review_id, stop, results),
        )
        writer.start()
        first = results.get(timeout=120)  # the writer is up and has edited once
        assert first is not None and not first[1], f"the other user cannot edit: {first}"
    start = time.perf_counter()
    response = client.post("/api/v1/reviews/import", data=body, headers=headers)
    status_url = response.headers.get("Location") if response.status_code == 202 else None
    while status_url:  # a background job: follow its status until it is done
        time.sleep(0.1)
        status = client.get(status_url, headers=headers)
        state = (status.get_json() or {}).get("status")
        if state in ("finished", "done", "failed"):
            assert state != "failed", f"the import job failed: {status.get_json()}"
            break
    elapsed = time.perf_counter() - start
    waits: list[float] = []
    failures: list[str] = []
    if writer:
        stop.set()
        while (item := results.get(timeout=120)) is not None:
            waits.append(item[0])
            if item[1]:
                failures.append(item[1])
        writer.join()
    assert response.status_code in (201, 202), (
        f"import of {size} answered {response.status_code}: {response.get_data(as_text=True)[:300]}"
    )
    run = ImportRun(size, elapsed, len(body) / 1e6)
    if writer:
        run.writer_max_s = max(waits, default=0.0)
        run.writer_edits = len(waits)
        run.writer_failures = failures
    return run


# --- databases --------------------------------------------------------------------------------


@contextmanager
def _sqlite_url() -> Iterator[str]:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench-pages.db'}"


def _fresh_postgres(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


def _app(url: str) -> Flask:
    alembic_command.upgrade(alembic_config(url), "head")
    return create_app({"ENV_NAME": "testing", "DATABASE_URL": url})


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _print_import(run: ImportRun, backend: str, target_s: float | None = None) -> None:
    line = (
        f"  import {run.size:>6} events ({run.megabytes:5.1f} MB, {backend}): {run.seconds:6.2f} s"
    )
    if target_s is not None:
        line += f" (target < {target_s:.0f} s) {_mark(run.seconds < target_s)}"
    print(line)
    if run.writer_max_s is not None:
        ok = not run.writer_failures and run.writer_max_s <= WRITER_WAIT_TARGET_S
        print(
            f"    another user's edits meanwhile: {run.writer_edits}, longest "
            f"{run.writer_max_s * 1000:.0f} ms, {len(run.writer_failures)} failed "
            f"(target: none failed, none over {WRITER_WAIT_TARGET_S:.0f} s) {_mark(ok)}"
        )
        for failure in run.writer_failures[:3]:
            print(f"      {failure}")


def run() -> None:
    with _sqlite_url() as url:
        app = _app(url)
        engine: Engine = app.extensions["lr_engine"]
        start = time.perf_counter()
        if PAGES:
            fixture = _make_fixture(app)
            _pages(app, engine, fixture, time.perf_counter() - start)
        else:
            fixture = _make_pg_fixture(app)
        small, large = (_import(app, fixture, size) for size in IMPORT_SIZES)
        for result in (small, large):
            _print_import(result, "sqlite")
        ratio = large.seconds / small.seconds
        print(
            f"  import {large.size} / {small.size}: {ratio:.1f}x "
            f"(target <= {IMPORT_RATIO_TARGET:.0f}x) {_mark(ratio <= IMPORT_RATIO_TARGET)}"
        )
        if not QUICK and os.environ.get("BENCH_SKIP_BIG") != "1":
            _print_import(
                _import(app, fixture, BIG_IMPORT, writer_url=url), "sqlite", BIG_IMPORT_TARGET_S
            )
        engine.dispose()
    if QUICK or os.environ.get("BENCH_SKIP_PG") == "1" or os.environ.get("BENCH_SKIP_BIG") == "1":
        return
    pg_url = os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lr_bench_pages"
    )
    _fresh_postgres(pg_url)
    app = _app(pg_url)
    fixture = _make_pg_fixture(app)
    _print_import(
        _import(app, fixture, BIG_IMPORT, writer_url=pg_url), "postgresql", BIG_IMPORT_TARGET_S
    )
    app.extensions["lr_engine"].dispose()


def _pages(app: Flask, engine: Engine, fixture: Fixture, setup_s: float) -> None:
    client = app.test_client()
    _sign_in_as(client, fixture.email, DEMO_PASSWORD)
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        urls = review_page_urls(app, session, fixture.review_id, fixture.ids)
        session.close()
    trivial = _time_page(client, "/account", "/account")
    counter = StatementCounter(engine)
    timings = []
    for endpoint, path in sorted(urls.items()):
        timing = _time_page(client, endpoint, path)
        with counter.counting() as statements:
            client.get(path).get_data()
        timings.append((timing, len(statements)))
    base = trivial.median_ms
    print(
        f"review pages at {EVENTS} events, {FACTORS} factors, {LINKS} links (sqlite; median "
        f"of {SAMPLES} after a warm-up; data in {setup_s:.0f} s); trivial page /account "
        f"{base:.1f} ms"
    )
    over = 0
    for timing, count in sorted(timings, key=lambda t: -t[0].median_ms):
        ratio = timing.median_ms / base
        over += ratio > PAGE_TARGET_RATIO
        print(
            f"  {timing.label:<34} {timing.median_ms:8.1f} ms {ratio:7.1f}x  "
            f"{count:3d} SQL  {_mark(ratio <= PAGE_TARGET_RATIO)}"
        )
    print(
        f"  {len(timings) - over} of {len(timings)} pages within {PAGE_TARGET_RATIO:.0f}x "
        f"the trivial page  {_mark(not over)}"
    )


def _make_pg_fixture(app: Flask) -> Fixture:
    """The users and tokens the imports need (the demo, without growing it)."""
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        session.info["actor"] = Actor(None, "bench")
        seed_demo(session)
        chair = session.scalars(select(User).where(User.email == "chair@demo.example.org")).one()
        panel = session.scalars(select(User).where(User.email == "panel@demo.example.org")).one()
        other = create_review(
            session=session,
            creator=panel,
            title="Another review",
            subject="Child B",
            review_type="local_cspr",
        )
        token = create_api_token(chair, "bench", session=session)
        other_token = create_api_token(panel, "bench", session=session)
        session.commit()
        fixture = Fixture(chair.email, 0, token, other.id, other_token)
        session.close()
    return fixture


if __name__ == "__main__":
    run()
