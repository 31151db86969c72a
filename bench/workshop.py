"""A learning workshop under load, against gunicorn as ``make serve`` runs it (4 workers).

60 participants each post a note every 10 seconds for 5 minutes and poll the room wall every
3 seconds (as static/js/participate.js does), while the facilitator's board polls every 2
seconds and shows every third new note to the room (so the wall grows as in a real room).
Checks: no lost note (the notes in the database equal the notes the server accepted, and
every note sent was accepted), no 5xx, and the 95th percentile of note latency and of the
room wall's (targets at most 300 ms), beside the board's and a trivial page's latency
measured in the same run.

The database is a temporary SQLite file (WAL, as the app configures it) or the one at
BENCH_DATABASE_URL (migrated to head; the benchmark adds its own partnership and review and
leaves them there, so point it at a scratch database). ``--quick`` (or BENCH_QUICK=1) runs
for 30 seconds instead of 5 minutes; BENCH_WORKSHOP_SECONDS sets any duration. Participants
join through the app's own service while seeding (joining is rate limited per address, and
every simulated participant shares one); the load itself goes over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command as alembic_command
from sqlalchemy import func, select

from analysis.chronology.dates.parsing import parse_when
from app import create_app
from app.cli import alembic_config
from app.security import create_api_token
from app.services import workshops as workshop_service
from app.services.chronology import create_event, create_kpe
from app.services.factors import create_factor, create_link
from app.services.reviews import add_agency, create_review
from app.services.users import create_user, get_or_create_partnership
from models import WorkshopNote
from models.audit.chain import Actor
from models.engine import make_engine, make_session_factory

PARTICIPANTS = 60
NOTE_EVERY_S = 10.0
BOARD_EVERY_S = 2.0
ROOM_EVERY_S = 3.0
SHOW_EVERY_NTH = 3
FULL_SECONDS = 300
QUICK_SECONDS = 30
WORKERS = 4
P95_TARGET_MS = 300.0
PASSWORD = "copper kettle meadow 7315"  # noqa: S105 - a fictional user in a throwaway database
PROJECT_ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
APP = "app:create_app()"


@dataclass
class Fixture:
    workshop_id: int
    node: str
    participant_tokens: list[str]
    facilitator_token: str


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sent: int = 0
    accepted: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, elapsed_ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(elapsed_ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def _duration() -> int:
    if os.environ.get("BENCH_WORKSHOP_SECONDS"):
        return int(os.environ["BENCH_WORKSHOP_SECONDS"])
    quick = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
    return QUICK_SECONDS if quick else FULL_SECONDS


@contextmanager
def _database_url() -> Iterator[str]:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench-workshop.db'}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(url: str) -> Fixture:
    """A review with one KPE, its event and a latent condition; a workshop on it; 60 people
    joined; the facilitator's API token. Fictional throughout."""
    engine = make_engine(url)
    session = make_session_factory(engine)()
    session.info["actor"] = Actor(None, "bench-workshop")
    try:
        partnership = get_or_create_partnership(
            f"Bench Workshop Partnership {secrets.token_hex(3)}", session=session
        )
        facilitator = create_user(
            session=session,
            email=f"facilitator-{secrets.token_hex(4)}@bench.example.org",
            name="Zara Quillfeather",
            password=PASSWORD,
            partnership=partnership,
            mfa_exempt=True,
        )
        review = create_review(
            session=session,
            creator=facilitator,
            title="Bench workshop review",
            subject="Child W",
            review_type="local_cspr",
        )
        # The creator chairs the review, and a chair may run workshops.
        add_agency(session=session, review=review, name="Northshire Police", sector="Police")
        kpe = create_kpe(session=session, review=review, title="The night of the call-out")
        event = create_event(
            session=session,
            review=review,
            added_by_id=facilitator.id,
            when=parse_when("14/01/2023"),
            description="Police attend after a neighbour's call; Child W is asleep upstairs.",
            kpe=kpe.ref,
        )
        factor = create_factor(
            session=session,
            review=review,
            label="Standard-graded calls get no follow-up visit",
            type="latent_condition",
            level="organisation",
        )
        create_link(
            session=session,
            review=review,
            source=factor.ref,
            target=event.ref,
            relation="contributed_to",
        )
        workshop = workshop_service.create_workshop(
            session=session, review=review, facilitator=facilitator, title="Bench learning event"
        )
        tokens = [
            workshop_service.join_workshop(
                session=session, code=workshop.join_code, name=f"Participant {n}"
            )[1]
            for n in range(1, PARTICIPANTS + 1)
        ]
        api_token = create_api_token(facilitator, "bench", session=session)
        session.commit()
        return Fixture(workshop.id, factor.ref, tokens, api_token)
    finally:
        session.close()
        engine.dispose()


@contextmanager
def _gunicorn(url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "LR_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", APP],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _ = _request(port, "GET", "/sign-in")
                    if status == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start:\n" + log.read().decode()[-3000:])
                time.sleep(0.25)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _request(
    port: int, method: str, path: str, body: object = None, token: str | None = None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _timed(port: int, tally: Tally, method: str, path: str, **kwargs: object) -> int:
    started = time.perf_counter()
    try:
        status, _ = _request(port, method, path, **kwargs)  # type: ignore[arg-type]
    except OSError as error:
        with tally.lock:
            tally.failures.append(f"{method} {path}: {error}")
        return 0
    tally.add(status, (time.perf_counter() - started) * 1000)
    return status


def _participant(
    port: int, fixture: Fixture, token: str, number: int, stop_at: float, tally: Tally
) -> None:
    rng = random.Random(number)
    # Spread the room's first notes over the first interval, as people settle in.
    next_at = time.monotonic() + rng.uniform(0, NOTE_EVERY_S)
    sequence = 0
    while next_at < stop_at:
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        sequence += 1
        with tally.lock:
            tally.sent += 1
        status = _timed(
            port,
            tally,
            "POST",
            f"/api/v1/workshops/{fixture.workshop_id}/notes",
            body={"node": fixture.node, "text": f"Note {sequence} from participant {number}."},
            token=token,
        )
        if status == 201:
            with tally.lock:
                tally.accepted += 1
        next_at += NOTE_EVERY_S


def _room(
    port: int, fixture: Fixture, token: str, number: int, stop_at: float, tally: Tally
) -> None:
    """A participant's room wall, polled as static/js/participate.js polls it."""
    time.sleep(random.Random(-number).uniform(0, ROOM_EVERY_S))
    while time.monotonic() < stop_at:
        _timed(port, tally, "GET", f"/api/v1/workshops/{fixture.workshop_id}/room", token=token)
        time.sleep(ROOM_EVERY_S)


def _board(port: int, fixture: Fixture, stop_at: float, tally: Tally) -> None:
    """The facilitator's board as static/js/board.js polls it (newer notes only), showing
    every third new note to the room as it arrives."""
    notes_after = proposals_after = 0
    seen = 0
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            status, body = _request(
                port,
                "GET",
                f"/api/v1/workshops/{fixture.workshop_id}/board"
                f"?notes_after={notes_after}&proposals_after={proposals_after}",
                token=fixture.facilitator_token,
            )
        except OSError as error:
            with tally.lock:
                tally.failures.append(f"board: {error}")
        else:
            tally.add(status, (time.perf_counter() - started) * 1000)
            if status == 200:
                data = json.loads(body)
                notes_after, proposals_after = data["notes_cursor"], data["proposals_cursor"]
                for note in data["notes"]:
                    seen += 1
                    if seen % SHOW_EVERY_NTH == 0:
                        _request(
                            port,
                            "POST",
                            f"/api/v1/workshops/{fixture.workshop_id}/notes/{note['id']}/show",
                            body={},
                            token=fixture.facilitator_token,
                        )
        time.sleep(BOARD_EVERY_S)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _summary(name: str, tally: Tally, base: float | None = None) -> str:
    values = tally.latencies_ms
    p50 = statistics.median(values) if values else float("nan")
    ratio = f"  p95 {(_percentile(values, 0.95) / base):5.1f}x trivial" if base else ""
    return (
        f"  {name:<26} n={len(values):5d}  p50 {p50:7.1f} ms  p95 {_percentile(values, 0.95):7.1f}"
        f" ms  p99 {_percentile(values, 0.99):7.1f} ms  max {max(values, default=0):7.1f} ms{ratio}"
    )


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def run() -> bool:
    """Run the load test; print the numbers; return whether every check passed."""
    seconds = _duration()
    with _database_url() as url:
        alembic_command.upgrade(alembic_config(url), "head")
        # Creating the user checks its password against the app's settings.
        with create_app({"ENV_NAME": "testing", "DATABASE_URL": url}).app_context():
            fixture = _seed(url)
        port = _free_port()
        with _gunicorn(url, port):
            trivial = Tally()
            for _ in range(5):
                _request(port, "GET", "/sign-in")  # warm every worker up
            for _ in range(30):
                _timed(port, trivial, "GET", "/sign-in")
            notes, board, room = Tally(), Tally(), Tally()
            stop_at = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=target, args=(port, fixture, token, number, stop_at, tally), daemon=True
                )
                for number, token in enumerate(fixture.participant_tokens, start=1)
                for target, tally in ((_participant, notes), (_room, room))
            ]
            threads.append(
                threading.Thread(target=_board, args=(port, fixture, stop_at, board), daemon=True)
            )
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                stored = connection.scalar(
                    select(func.count(WorkshopNote.id)).where(
                        WorkshopNote.workshop_id == fixture.workshop_id
                    )
                )
        finally:
            engine.dispose()
    server_errors = sum(
        count
        for tally in (notes, board, room)
        for status, count in tally.statuses.items()
        if status >= 500
    )
    p95 = _percentile(notes.latencies_ms, 0.95)
    room_p95 = _percentile(room.latencies_ms, 0.95)
    base = statistics.median(trivial.latencies_ms)
    no_lost = stored == notes.accepted == notes.sent and not notes.failures
    print(
        f"workshop load: {PARTICIPANTS} participants, a note each every {NOTE_EVERY_S:.0f} s, "
        f"the room wall polled by each every {ROOM_EVERY_S:.0f} s, "
        f"board polled every {BOARD_EVERY_S:.0f} s, {elapsed:.0f} s against gunicorn "
        f"({WORKERS} workers, {url.split(':', 1)[0]})"
    )
    print(_summary("trivial page GET /sign-in", trivial))
    print(_summary("POST note", notes, base))
    print(_summary("GET board", board, base))
    print(_summary("GET room wall", room, base))
    print(
        f"  notes sent {notes.sent}, accepted (201) {notes.accepted}, in the database {stored}"
        f"  {_mark(no_lost)}"
    )
    print(
        f"  statuses: notes {dict(sorted(notes.statuses.items()))}, board "
        f"{dict(sorted(board.statuses.items()))}, room wall {dict(sorted(room.statuses.items()))};"
        f" 5xx: {server_errors}  {_mark(server_errors == 0)}"
    )
    if notes.failures:
        print(f"  connection failures: {len(notes.failures)}, first: {notes.failures[0]}")
    print(
        f"  note p95 {p95:.1f} ms (target <= {P95_TARGET_MS:.0f} ms)  {_mark(p95 <= P95_TARGET_MS)}"
    )
    print(
        f"  room wall p95 {room_p95:.1f} ms (target <= {P95_TARGET_MS:.0f} ms)"
        f"  {_mark(room_p95 <= P95_TARGET_MS)}"
    )
    return no_lost and server_errors == 0 and p95 <= P95_TARGET_MS and room_p95 <= P95_TARGET_MS


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
