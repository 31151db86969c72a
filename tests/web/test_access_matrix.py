"""Every route, method and role gets exactly what the policy table says.

Generated from ``app.url_map``: a new route that is not in ``app.policy.ROUTES`` fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app import create_app, jobs, policy
from tests.conftest import World, csrf_token


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


WHO = (
    "anonymous",
    "observer",
    "agency_rep",
    "panel_member",
    "lead_reviewer",
    "facilitator",
    "chair",
    "board_member",
    "other_member",  # a member of a different review in the same partnership
    "outsider",  # a user of a different partnership
    "admin",  # site admin, not a member of the review
    "business_manager",  # the partnership's business manager, not a member of the review
)
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _routes() -> list[tuple[str, str, str]]:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            routes.append((rule.endpoint, rule.rule, method))
    return sorted(routes)


ROUTES = _routes()


def test_every_route_is_in_the_policy_table() -> None:
    missing = [
        f"{method} {rule} ({endpoint})"
        for endpoint, rule, method in ROUTES
        if policy.action_for(endpoint, method) is None
    ]
    assert not missing, "routes with no policy entry: " + ", ".join(missing)
    known = policy.GLOBAL_ACTIONS | set(policy.REVIEW_ACTIONS)
    unknown = {
        policy.action_for(endpoint, method)
        for endpoint, _rule, method in ROUTES
        if policy.action_for(endpoint, method) not in known
    }
    assert not unknown, f"actions nobody defined: {unknown}"


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


def _url(rule: str, endpoint: str, world: World, ids: dict[str, Any]) -> str:
    values = {
        "review_id": world.review_id,
        "membership_id": ids["membership_id"],
        "token_id": ids["token_id"],
        "user_id": world.users["observer"],
        "ref": _ref_for(endpoint, world),
        "filename": "css/app.css",
        "fmt": "html"
        if "briefing" in endpoint or "report" in endpoint or "download" in endpoint
        else "csv",
        "import_id": ids["import_id"],
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


def expected(endpoint: str, method: str, who: str) -> str:
    """'allow', or the denial the policy table prescribes: 'sign_in', 'join', 401, 403 or 404."""
    action = policy.action_for(endpoint, method)
    is_api = endpoint.startswith("api.")
    if action in (policy.PUBLIC, policy.JOIN):
        return "allow"
    if action == policy.PARTICIPANT:
        # Users (signed in or not) are not participants: the routes ask for a participant.
        return "401" if is_api else "join"
    if action == policy.ROOM:
        # The room wall: participants with their token, members who may run the workshop.
        action = policy.ROOM_MEMBER_ACTION
    if who == "anonymous":
        return "401" if is_api else "sign_in"
    if action == policy.JOB:
        # The lead reviewer's job of a kind that members who may read reports can follow;
        # anyone else gets 404, as if it did not exist.
        return "allow" if who in policy.REVIEW_ACTIONS["reports.view"] else "404"
    if action in (policy.SIGNED_IN, policy.PARTNERSHIP):
        return "allow"  # partnership pages list only what the user may see (tested elsewhere)
    if action == policy.PARTNERSHIP_SETTINGS:
        return "allow" if who == "business_manager" else "403"
    if action in (policy.PARTNERSHIP_VIEW, policy.PARTNERSHIP_CURATE):
        # The business manager, and chairs (and, to view, board members) of any review of the
        # partnership: "other_member" chairs another review of the same partnership.
        viewers = {"business_manager", "chair", "other_member"}
        if action == policy.PARTNERSHIP_VIEW:
            viewers.add("board_member")
        return "allow" if who in viewers else "403"
    if who == "business_manager" and action in policy.BUSINESS_MANAGER_ACTIONS:
        return "allow"
    if action == policy.ADMIN:
        return "allow" if who == "admin" else "403"
    if who == "admin" and action in policy.SITE_ADMIN_ACTIONS:
        return "allow"  # an administrator of the review's partnership, not a member
    if who == "admin" and endpoint in policy.SITE_ADMIN_CHAIR_ROUTES and action == "review.members":
        # An administrator reaches the member routes to change chairs only: the matrix's
        # membership (an observer's) is not theirs to remove; an empty body is refused (422).
        return "403" if method == "DELETE" else "allow"
    if who in ("other_member", "outsider", "admin", "business_manager"):
        return "404"
    if (
        endpoint in ENTRY_ENDPOINTS
        and action in policy.ENTRY_CHANGES
        and who in ("agency_rep", "facilitator")
    ):
        # The matrix's entry names no agency and nobody recorded it: an agency representative
        # changes only their own agency's entries, a facilitator only those they recorded.
        return "403"
    if endpoint in PERSON_ENDPOINTS and action == "people.edit" and who == "agency_rep":
        # The matrix's person is the child: an agency representative changes only their own
        # agency's practitioners in the register.
        return "403"
    return "allow" if who in policy.REVIEW_ACTIONS[action] else "403"  # type: ignore[index]


# Routes that change one entry of the people register (``ref`` names the world's child).
PERSON_ENDPOINTS = frozenset({"api.person", "reviews.edit_person"})


# Routes that act on one good-practice entry (``entry_id`` in the URL).
ENTRY_ENDPOINTS = frozenset(endpoint for endpoint, rule, _ in ROUTES if "<int:entry_id>" in rule)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES)
def test_route_answers_as_the_policy_says(
    app: Flask,
    client: Any,
    login: Any,
    world: World,
    db_session: Any,
    endpoint: str,
    rule: str,
    method: str,
    who: str,
) -> None:
    from models import ApiToken, ChronologyImport, GoodPractice, Membership

    observer_membership = (
        db_session.query(Membership)
        .filter_by(review_id=world.review_id, user_id=world.users["observer"])
        .one()
    )
    token = ApiToken(user_id=world.users["observer"], name="t", token_hash="x" * 64, prefix="lr_x")
    empty_preview = {
        "rows": [],
        "errors": [],
        "mapping": {"fields": {}, "unknown": [], "missing": []},
        "unknown_agencies": [],
        "unknown_people": [],
        "duplicates": [],
        "row_count": 0,
    }
    upload = ChronologyImport(
        review_id=world.review_id,
        user_id=world.users["chair"],
        filename="x.csv",
        sha256="0" * 64,
        preview=empty_preview,
    )
    # An entry of the review: entry routes answer as the review's roles say.
    entry = GoodPractice(
        partnership_id=db_session.get(Membership, observer_membership.id).review.partnership_id,
        review_id=world.review_id,
        ref="GP1",
        title="Neighbour's call followed up the same day",
        story="The duty officer rang the health visitor the next morning.",
        consent_to_share=True,
    )
    db_session.add_all([token, upload, entry])
    db_session.commit()
    ids = {
        "membership_id": observer_membership.id,
        "token_id": token.id,
        "import_id": upload.id,
        "entry_id": entry.id,
    }
    if "workshop_id>" in rule or "<code>" in rule:
        ids.update(workshop_ids(db_session, world))
    if "<int:job_id>" in rule:
        ids["job_id"] = matrix_job(db_session, world)
    if who != "anonymous":
        login(who)
    url = _url(rule, endpoint, world, ids)
    headers = {}
    kwargs: dict[str, Any] = {}
    if method not in ("GET",):
        token_value = csrf_token(client, "/sign-in" if who == "anonymous" else "/account")
        if endpoint.startswith("api."):
            headers["X-CSRFToken"] = token_value
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": token_value}
    response = client.open(url, method=method, headers=headers, **kwargs)
    want = expected(endpoint, method, who)
    status = response.status_code
    response.close()
    detail = f"{method} {url} as {who}: got {status}, policy says {want}"
    if want == "allow":
        assert status < 500, detail
        assert status not in (401, 403), detail
        if endpoint.startswith("reviews.") or any(
            key in rule for key in ("review_id", "entry_id", "job_id")
        ):
            assert status != 404, detail
    elif want == "sign_in":
        assert status == 302 and response.location.startswith("/sign-in"), detail
    elif want == "join":
        assert status == 302 and response.location.startswith("/join"), detail
    else:
        assert status == int(want), detail
