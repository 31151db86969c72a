"""No register name or alias reaches a member who may not read real names, on any route.

Generated from ``app.url_map`` like the access matrix: every GET route, with the values a
review gives its URL parameters (every format of a ``.<fmt>`` route), is asked for by an
observer, a board member and a facilitator, on a review whose people register's names and
aliases are written into every free-text field. No answer (HTML, JSON, CSV, SVG, DOT,
GraphML, Markdown, and the text of XLSX, PDF and DOCX files) may hold one. The last net of
the reader's view is switched off here: the test holds the boundaries themselves to the rule,
so a new route that writes text some other way fails.
"""

from __future__ import annotations

import html
import io
import json
import re
import secrets
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app import create_app, policy
from app.security import _sha256
from models import (
    Account,
    Action,
    ActionProgressNote,
    BoardResponse,
    ChronologyImport,
    Event,
    EventComment,
    FactorEvidence,
    FeedbackRecord,
    Finding,
    GoodPractice,
    KeyPracticeEpisode,
    Participant,
    Person,
    Proposal,
    ReportNarrative,
    ReportVersion,
    Review,
    User,
    UserSession,
    Workshop,
    WorkshopNote,
)
from models import Factor as FactorRow
from models.audit.chain import Actor
from models.engine import make_session_factory
from models.job import Job
from tests.conftest import World

READERS = ("observer", "board_member", "facilitator")
# The register: the world's child (Tamsin Testcase, "Tam") and a second person with two aliases.
SECOND = {"pseudonym": "Mother", "real_name": "Hannah Quenby", "aliases": ["Nan Quenby", "Hanny"]}
NAMES = ("Tamsin Testcase", "Tam", "Hannah Quenby", "Nan Quenby", "Hanny")
SENTENCE = "Tamsin Testcase (Tam) told Hannah Quenby, whom she calls Hanny or Nan Quenby."
# Every free-text field of a review's rows gets the sentence. A new Text column of a review's
# table must be listed here or in NOT_FREE_TEXT (see the last test).
FREE_TEXT: dict[type, tuple[str, ...]] = {
    Review: ("title", "terms_of_reference"),
    KeyPracticeEpisode: ("title", "summary", "narrative"),
    Event: ("source_detail", "description", "outcome"),
    EventComment: ("text",),
    Account: ("contributor_role", "narrative"),
    FactorRow: ("label", "description"),
    FactorEvidence: ("note",),
    Finding: ("title", "issue", "evidence", "how_widespread", "why_it_matters"),
    BoardResponse: ("response",),
    Action: ("description", "impact_evidence", "dropped_reason", "lead", "success_measure"),
    ActionProgressNote: ("note",),
    FeedbackRecord: ("recipients", "you_said", "we_did"),
    GoodPractice: ("title", "story", "what_made_it_work"),
    ReportNarrative: (
        "introduction",
        "systems_method",
        "childs_experience",
        "good_practice",
        "conclusion",
        "glossary",
        "executive_summary",
    ),
    Workshop: ("title", "agenda"),
    WorkshopNote: ("text", "room_text"),
    Proposal: ("label", "description"),
    Participant: ("display_name", "draft_text"),
}
NOT_FREE_TEXT = {
    # Generated outputs, pseudonymised when they are made (and scanned before they are shared).
    (ReportVersion, "markdown"),
    (ReportVersion, "html"),
    (ReportVersion, "withdrawal_reason"),
    (ReportVersion, "public_markdown"),
    (ReportVersion, "public_html"),
    # A background job's progress message and error, written by the app for its starter.
    ("jobs", "message"),
    ("jobs", "error"),
    # Who changed what, for the chair and lead reviewer only (the audit log).
    ("audit_entries", "before_json"),
    ("audit_entries", "after_json"),
    # The question a board response answers is the finding's question (written above).
    (BoardResponse, "question"),
}
FORMATS = ("html", "csv", "xlsx", "json", "md", "pdf", "docx", "svg")
EXTRA_QUERIES = {
    "api.graph_svg": ("view=kpe&ref=K1", "view=event&ref=E1"),
    "api.graph_dot": ("view=kpe&ref=K1", "view=event&ref=E1"),
    "factors.graph": ("view=kpe&ref=K1", "view=event&ref=E1"),
    "chronology.table": ("q=police",),
    "api.events": ("q=police",),
    "good_practice.briefing": ("entries={entry_id}",),
}
_FORBIDDEN = re.compile(
    r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in NAMES) + r")(?!\w)",
    re.IGNORECASE,
)


@dataclass
class Seeded:
    app: Flask
    clients: dict[str, FlaskClient]
    ids: dict[str, Any]
    checked: list[str] = field(default_factory=list)


def _with_sentence(value: str | None, length: int | None) -> str:
    text = f"{value or ''} {SENTENCE}".strip()
    return text[-length:] if length else text


def _seed(session: Session, world: World) -> dict[str, Any]:
    from app.services import chronology, findings, workshops
    from app.services import good_practice as good_practice_service

    review = session.get_one(Review, world.review_id)
    session.add(Person(review_id=review.id, ref="P2", role="parent", **SECOND))
    finding = session.scalars(select(Finding).where(Finding.review_id == review.id)).one()
    finding.questions_for_board = [f"How will {SENTENCE}"]
    session.flush()
    findings.record_board_response(
        session=session, finding=finding, question=finding.questions_for_board[0], response="Yes"
    )
    event = session.scalars(select(Event).where(Event.review_id == review.id)).one()
    chronology.update_event(  # an earlier version that names them, shown in the history
        session=session, event=event, expected_version=None, description=SENTENCE
    )
    chronology.add_comment(
        session=session, event=event, user_id=world.users["panel_member"], text=SENTENCE
    )
    session.add(ReportNarrative(review_id=review.id))
    action = session.scalars(select(Action).where(Action.review_id == review.id)).first()
    assert action is not None
    session.add(  # the partnership tracker's progress notes, filled below
        ActionProgressNote(
            action_id=action.id, review_id=review.id, noted_on=date(2026, 1, 5), note=""
        )
    )
    entry = good_practice_service.create_entry(
        session=session,
        partnership_id=review.partnership_id,
        review=review,
        title="Follow-up the same day",
        story="The duty officer rang the next morning.",
    )
    upload = ChronologyImport(
        review_id=review.id,
        user_id=world.users["chair"],
        filename="x.csv",
        sha256="0" * 64,
        preview={
            "rows": [
                {
                    "number": 2,
                    "when": "14 Jan 2023",
                    "agency_name": "Northshire Police",
                    "description": SENTENCE,
                    "appraisal": "not_appraised",
                }
            ],
            "errors": [],
            "mapping": {"fields": {}, "unknown": [], "missing": []},
            "unknown_agencies": [],
            "unknown_people": [],
            "duplicates": [{"row": 2, "event": "E1", "reason": SENTENCE}],
            "row_count": 1,
        },
    )
    session.add(upload)
    report = session.scalars(
        select(ReportVersion).where(ReportVersion.review_id == review.id)
    ).one()
    report.scan_hits = [
        {
            "kind": "register_name",
            "text": "Hannah Quenby",
            "location": "Findings",
            "context": f"…{SENTENCE}…",
        }
    ]
    workshop = workshops.create_workshop(
        session=session,
        review=review,
        facilitator=session.get(User, world.users["facilitator"]),
        title="Learning event",
    )
    participant, _token = workshops.join_workshop(
        session=session, code=workshop.join_code, name="Health Visitor 1"
    )
    note = workshops.add_note(
        session=session, participant=participant, node=world.factor_ref, text="Caseloads."
    )
    proposal = workshops.propose_factor(
        session=session,
        participant=participant,
        label="No time to read the file",
        type="latent_condition",
        level="team",
    )
    session.flush()
    # The sentence into every free-text field of the review's rows.
    for model, columns in FREE_TEXT.items():
        table = model.__table__
        where = table.c.id == review.id if model is Review else table.c.review_id == review.id
        rows = session.scalars(select(model).where(where)).all()
        for row in rows:
            for column in columns:
                length = getattr(table.c[column].type, "length", None)
                setattr(row, column, _with_sentence(getattr(row, column), length))
    session.flush()
    # A report generation still running, its message naming people as typed text might.
    job = Job(
        kind="report.generate",
        review_id=review.id,
        user_id=world.users["chair"],
        status="running",
        progress=50,
        message=SENTENCE,
    )
    session.add(job)
    session.flush()
    return {
        "job_id": job.id,
        "workshop_id": workshop.id,
        "note_id": note.id,
        "proposal_id": proposal.id,
        "code": workshop.join_code,
        "entry_id": entry.id,
        "import_id": upload.id,
    }


@pytest.fixture(scope="module")
def seeded(engine: Engine, world: World, database_url: str) -> Iterator[Seeded]:
    """The world's review with names in every free-text field, and a signed-in client for
    each reader: one per module (rolled back at its end)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = make_session_factory(connection, join_transaction_mode="create_savepoint")()
    session.info["actor"] = Actor(None, "test")
    ids = _seed(session, world)
    session.commit()
    app = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": database_url, "READER_LAST_NET": False}
    )
    app.extensions["lr_engine"].dispose()
    app.extensions["lr_session_factory"] = make_session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    clients = {}
    for who in READERS:
        client = app.test_client()
        token = secrets.token_urlsafe(32)
        session.add(UserSession(token_hash=_sha256(token), user_id=world.users[who]))
        session.commit()
        with client.session_transaction() as flask_session:
            flask_session["sid"] = token
            flask_session["_user_id"] = str(world.users[who])
            flask_session["_fresh"] = True
            flask_session.permanent = True
        clients[who] = client
    yield Seeded(app, clients, ids)
    session.close()
    transaction.rollback()
    connection.close()


def _get_routes() -> list[tuple[str, str]]:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and rule.endpoint != "static"
    )


ROUTES = _get_routes()


def _ref_for(endpoint: str, world: World) -> str:
    for words, ref in (
        (("action",), world.action_ref),
        (("finding", "board_response"), world.finding_ref),
        (("agenc",), world.agency_ref),
        (("person", "people"), world.person_ref),
        (("kpe",), world.kpe_ref),
        (("link",), world.link_ref),
        (("account",), world.account_ref),
        (("factor", "participate."), world.factor_ref),
    ):
        if any(word in endpoint for word in words):
            return ref
    return world.event_ref


def _urls(endpoint: str, rule: str, world: World, ids: dict[str, Any]) -> list[str]:
    values = {
        "review_id": world.review_id,
        "ref": _ref_for(endpoint, world),
        "kpe": world.kpe_ref,
        "step": 1,
        "version": world.report_number,
        "report_id": world.report_id,
        "partnership_id": world.partnership_id,
        "membership_id": 1,
        "token_id": 1,
        "user_id": world.users["observer"],
        "token": "an-unknown-account-link",
        **ids,
    }
    url = rule
    for name, value in values.items():
        for converter in ("int:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    urls = [url.replace("<fmt>", fmt) for fmt in FORMATS] if "<fmt>" in url else [url]
    assert all("<" not in u for u in urls), f"no test value for a parameter of {rule}"
    extra = [query.format(**values) for query in EXTRA_QUERIES.get(endpoint, ())]
    return [*urls, *(f"{u}?{query}" for u in urls for query in extra)]


def _texts(response: Any) -> list[str]:
    """What a reader can read in the answer: the body as text (entities and JSON escapes
    resolved), and the text inside PDF, DOCX and XLSX files."""
    data: bytes = response.get_data()
    texts = [data.decode("utf-8", errors="replace")]
    kind = response.mimetype or ""
    if kind == "application/pdf" and data.startswith(b"%PDF") and len(data) > 100:
        result = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        )
        texts.append(result.stdout.decode("utf-8", errors="replace"))
    elif data.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith(".xml"):
                    xml = archive.read(name).decode("utf-8", errors="replace")
                    texts.append(html.unescape(re.sub(r"<[^>]+>", "", xml)))
    else:
        texts.append(html.unescape(texts[0]))
        if "json" in kind:
            texts.append(json.dumps(json.loads(data), ensure_ascii=False))
    return texts


def _allowed(endpoint: str, who: str) -> bool:
    action = policy.action_for(endpoint, "GET")
    if action in policy.ENTRY_CHANGES and who == "facilitator":
        return False  # a facilitator changes only the entries they recorded
    if action in (policy.PUBLIC, policy.SIGNED_IN, policy.PARTNERSHIP, policy.JOIN):
        return True
    return action in policy.REVIEW_ACTIONS and who in policy.REVIEW_ACTIONS[action]


@pytest.mark.parametrize(("endpoint", "rule"), ROUTES)
def test_no_register_name_reaches_a_reader_who_may_not_read_it(
    seeded: Seeded, world: World, endpoint: str, rule: str
) -> None:
    answered = []
    for url in _urls(endpoint, rule, world, seeded.ids):
        for who in READERS:
            # A search's words move from the URL to a saved search: follow that redirect.
            response = seeded.clients[who].get(url, follow_redirects="?q=" in url)
            status = response.status_code
            assert status < 500, f"GET {url} as {who}: {status}"
            for text in _texts(response):
                leak = _FORBIDDEN.search(text)
                assert leak is None, (
                    f"GET {url} as {who} ({status}, {response.mimetype}) shows the register "
                    f"name {leak.group(0)!r}: …{text[max(0, leak.start() - 80) : leak.end() + 80]}…"
                )
            if status == 200:
                answered.append((who, url))
                seeded.checked.append(f"{who} {url}")
    for who in READERS:
        if _allowed(endpoint, who) and policy.action_for(endpoint, "GET") != policy.JOIN:
            assert any(w == who for w, _ in answered) or endpoint in ANSWERS_ELSEWHERE, (
                f"{endpoint} answered {who} with no page: the test reads nothing there"
            )


# Routes a reader may open that answer with a redirect or an error by design here.
ANSWERS_ELSEWHERE = frozenset(
    {
        "auth.sign_in",  # a signed-in user is sent on to the dashboard
        "auth.two_factor",
        "auth.two_factor_setup",
        "public.read",  # the world's report is a draft: not on the public page
        "public.report",
        "workshops.accept_note",  # only for a note that is not yet accepted (a form page)
        "auth.account_link",  # an unknown link answers 410: it holds nobody's data
        "auth.sso_callback",  # with no sign-in under way it sends the browser back
    }
)


def test_the_seed_names_every_free_text_column() -> None:
    """A new free-text column of a review's rows must be seeded with names (or said why not)."""
    from models import Base

    listed = {(model.__tablename__, c) for model, cols in FREE_TEXT.items() for c in cols}
    skipped = {(m if isinstance(m, str) else m.__tablename__, c) for m, c in NOT_FREE_TEXT}
    missing = []
    for mapper in Base.registry.mappers:
        table = mapper.class_.__table__
        if "review_id" not in table.c:
            continue
        for column in table.c:
            if (
                isinstance(column.type, sa.Text)
                and (table.name, column.key) not in listed | skipped
            ):
                missing.append(f"{table.name}.{column.key}")
    assert not missing, "free-text columns the seed does not fill: " + ", ".join(missing)


def test_every_free_text_column_is_kept_encrypted_in_the_audit_log() -> None:
    """A name typed into any free-text field never sits in clear text in the hash-chained
    audit log (which cannot be edited): the value is sealed with the review's key, so the
    retention purge erases it by destroying the key (tests/web/test_searches_out_of_urls.py
    reads the audit table after a name is typed)."""
    unsealed = [
        f"{model.__tablename__}.{column}"
        for model, columns in FREE_TEXT.items()
        for column in columns
        if column not in model.__audit_restricted__
    ]
    assert not unsealed, "free text kept in clear in the audit log: " + ", ".join(unsealed)
