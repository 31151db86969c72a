"""Helpers shared by the tests: posting a form with its CSRF token, a bundle to import,
planning and joining workshops, generating and publishing reports, and every route of the
app with a URL to try it at. Tests import these from here, never from another test module."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from typing import Any

from app import create_app, jobs
from tests.conftest import World, csrf_token


def post_form(
    client: Any, url: str, data: dict[str, Any] | None = None, page: str = "/account"
) -> Any:
    """Post a form as a browser would: with the CSRF token of ``page`` (a page the client can
    open, so signed in "/account" and signed out a public page such as "/sign-in")."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})


def bearer(token: str) -> dict[str, str]:
    """The header that sends an API or participant token."""
    return {"Authorization": f"Bearer {token}"}


# A learning-review/1.1 bundle: a review, two agencies, a child and a practitioner.
BUNDLE: dict[str, Any] = {
    "format": "learning-review/1.1",
    "review": {
        "title": "Child Z: rapid review",
        "subject": "Child Z",
        "review_type": "rapid_review",
        "stage": "analysis",
        "terms_of_reference": "How did agencies share what they knew?\n\n- one\n- two",
        "period_start": "2021-04-01",
        "period_end": "2023-09-30",
    },
    "agencies": [
        {"ref": "A1", "name": "Zedford Police", "sector": "Police"},
        {"ref": "A2", "name": "Zedford Health Visiting", "sector": "Health visiting"},
    ],
    "people": [
        {
            "ref": "P1",
            "pseudonym": "Child Z",
            "role": "child",
            "real_name": "Zara Fictional",
            "aliases": ["Zee"],
        },
        {
            "ref": "HV1",
            "pseudonym": "Health Visitor 1",
            "role": "practitioner",
            "real_name": "Hal Madeup",
            "agency": "A2",
        },
    ],
}


def bundle_with_events(events: int, **extra: Any) -> dict[str, Any]:
    """A learning-review/1 bundle of one agency, one child and ``events`` events."""
    return {
        "format": "learning-review/1",
        "review": {
            "title": "Child Y: rapid review",
            "subject": "Child Y",
            "review_type": "rapid_review",
        },
        "agencies": [{"ref": "A1", "name": "Yarmouth Police"}],
        "people": [{"ref": "P1", "pseudonym": "Child Y", "role": "child"}],
        "events": [
            {
                "ref": f"E{n}",
                "date": f"2022-03-{n % 28 + 1:02d}",
                "date_precision": "day",
                "agency": "A1",
                "description": f"Officers visit the flat ({n}).",
                "people": ["P1"],
            }
            for n in range(1, events + 1)
        ],
        **extra,
    }


def new_workshop(client: Any, api: Any, **body: Any) -> dict[str, Any]:
    """Plan a workshop through the API as the facilitator; ``body`` must name its review_id."""
    response = client.post(
        f"/api/v1/reviews/{body.pop('review_id')}/workshops",
        json=body,
        headers=api("facilitator"),
    )
    assert response.status_code == 201, response.json
    return response.json


def join_workshop(client: Any, code: str, name: str) -> str:
    """Join a workshop with its code through the API; returns the participant's token."""
    response = client.post("/api/v1/workshops/join", json={"code": code, "name": name})
    assert response.status_code == 201, response.json
    return str(response.json["token"])


def workshop_ids(db_session: Any, world: World) -> dict[str, Any]:
    """A committed workshop of the world's review, one participant with a note and a proposal,
    and that participant's token: the values for the workshop routes' URL parameters."""
    from app.services import workshops as workshop_service
    from models import Review, User

    review = db_session.get(Review, world.review_id)
    workshop = workshop_service.create_workshop(
        session=db_session,
        review=review,
        facilitator=db_session.get(User, world.users["facilitator"]),
        title="Access test workshop",
    )
    participant, token = workshop_service.join_workshop(
        session=db_session, code=workshop.join_code, name="Health Visitor 1"
    )
    note = workshop_service.add_note(
        session=db_session, participant=participant, node=world.factor_ref, text="Caseloads."
    )
    proposal = workshop_service.propose_factor(
        session=db_session,
        participant=participant,
        label="No time to read the file",
        type="latent_condition",
        level="team",
    )
    db_session.commit()
    return {
        "workshop_id": workshop.id,
        "note_id": note.id,
        "proposal_id": proposal.id,
        "join_code": workshop.join_code,
        "participant_token": token,
    }


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, as pdftotext reads it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(
            ["pdftotext", file.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def generate_report(client: Any, world: World, headers: dict[str, str]) -> int:
    """Generate a version through the API and wait for its background job to end."""
    response = client.post(f"/api/v1/reviews/{world.review_id}/reports", headers=headers)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "generating"
    job = jobs.wait(client.application, response.json["job"]["id"])
    assert job.status == "finished", job.error
    assert job.result["version"] == response.json["version"]
    return int(response.json["version"])


def publish_clean_report(client: Any, world: World, api: Any) -> int:
    """Generate a version as the lead reviewer, approve and publish it; returns its number."""
    number = generate_report(client, world, api("lead_reviewer"))
    base = f"/api/v1/reviews/{world.review_id}/reports/{number}"
    assert client.post(f"{base}/approve", headers=api("board_member")).status_code == 200
    assert client.post(f"{base}/publish", headers=api("chair")).status_code == 200
    return number


jobs.job_kind("access-matrix", action="reports.view", title="Access matrix job")(lambda context: {})


def matrix_job(db_session: Any, world: World) -> int:
    """A queued job of the world's review, started by the lead reviewer."""
    from models import Job

    job = Job(
        kind="access-matrix",
        review_id=world.review_id,
        user_id=world.users["lead_reviewer"],
        status="queued",
        progress=0,
        message="Waiting",
        params={},
        error="",
    )
    db_session.add(job)
    db_session.commit()
    return job.id


SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@functools.cache
def app_routes() -> list[tuple[str, str, str]]:
    """Every (endpoint, rule, method) of the app, from its URL map, sorted."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            routes.append((rule.endpoint, rule.rule, method))
    return sorted(routes)


def _ref_for(endpoint: str, world: World) -> str:
    if endpoint.startswith("participate."):
        return world.factor_ref  # a node of the workshop's material
    if endpoint.endswith("action") or "_action" in endpoint:
        return world.action_ref
    if "finding" in endpoint or "board_response" in endpoint:
        return world.finding_ref
    if "agenc" in endpoint:
        return world.agency_ref
    if "person" in endpoint or "people" in endpoint:
        return world.person_ref
    if "kpe" in endpoint:
        return world.kpe_ref
    if "link" in endpoint:
        return world.link_ref
    if "account" in endpoint:
        return world.account_ref
    if "factor" in endpoint:
        return world.factor_ref
    return world.event_ref


def route_url(rule: str, endpoint: str, world: World, ids: dict[str, Any]) -> str:
    """The rule with a test value for each of its parameters: the world's review and refs,
    and the ids (memberships, tokens, imports, workshops, jobs…) passed in."""
    values = {
        "review_id": world.review_id,
        "membership_id": ids.get("membership_id"),
        "token_id": ids.get("token_id"),
        "user_id": world.users["observer"],
        "ref": _ref_for(endpoint, world),
        "filename": "css/app.css",
        "fmt": "html"
        if "briefing" in endpoint or "report" in endpoint or "download" in endpoint
        else "csv",
        "import_id": ids.get("import_id"),
        "entry_id": ids.get("entry_id"),
        # Only the workshop routes need a workshop (made for them alone: it costs queries).
        "workshop_id": ids.get("workshop_id"),
        "note_id": ids.get("note_id"),
        "proposal_id": ids.get("proposal_id"),
        "code": ids.get("join_code"),
        "kpe": world.kpe_ref,
        "step": 0,
        "version": world.report_number,
        "report_id": world.report_id,
        "partnership_id": world.partnership_id,
        "feedback_id": world.feedback_id,
        "token": "an-unknown-account-link",
        "job_id": ids.get("job_id"),
    }
    url = rule
    for name, value in values.items():
        if value is None:
            continue  # no value given: the assertion below names the rule
        for converter in ("int:", "path:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no test value for a parameter of {rule}"
    return url
