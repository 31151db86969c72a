"""Withdrawing a published report: the chair (or a site administrator) takes it off the public
page with a reason, the review shows who, when and why, and it is never published again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import AuditEntry, ReportVersion, Review
from tests.conftest import World, csrf_token
from tests.helpers import generate_report, publish_clean_report


def _published(db_session: Any, world: World, number: int) -> ReportVersion:
    version = db_session.scalar(
        select(ReportVersion).where(
            ReportVersion.review_id == world.review_id, ReportVersion.number == number
        )
    )
    assert version is not None
    return version


def _public_urls(world: World, version: ReportVersion) -> list[str]:
    base = f"/p/{world.partnership_id}/reports/{version.id}"
    return [base, f"{base}.html", f"{base}.pdf", f"{base}.docx"]


def test_the_chair_withdraws_a_published_version_and_the_public_loses_it(
    client: Any, world: World, api: Any, login: Any, db_session: Any
) -> None:
    number = publish_clean_report(client, world, api)
    version = _published(db_session, world, number)
    for url in _public_urls(world, version):
        assert client.get(url).status_code == 200, url

    login("chair")
    page = client.get(f"/reviews/{world.review_id}/reports/{number}").get_data(as_text=True)
    assert "Withdraw publication" in page
    token = csrf_token(client, f"/reviews/{world.review_id}/reports/{number}")
    # No reason: refused, nothing changes.
    empty = client.post(
        f"/reviews/{world.review_id}/reports/{number}/withdraw",
        data={"csrf_token": token, "reason": "  "},
    )
    assert empty.status_code == 422
    assert "Give the reason for withdrawing" in empty.get_data(as_text=True)
    # No CSRF token: refused.
    forged = client.post(
        f"/reviews/{world.review_id}/reports/{number}/withdraw", data={"reason": "x"}
    )
    assert forged.status_code == 400
    assert (
        client.get(f"/p/{world.partnership_id}/reports").get_data(as_text=True).count("Test review")
    )

    done = client.post(
        f"/reviews/{world.review_id}/reports/{number}/withdraw",
        data={"csrf_token": token, "reason": "The report names the child's school."},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Withdrawn" in text and "Test Chair" in text
    assert "The report names the child&#39;s school." in text
    listing = client.get(f"/reviews/{world.review_id}/reports").get_data(as_text=True)
    assert "Withdrawn" in listing and "The report names the child&#39;s school." in listing

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    public = client.get(f"/p/{world.partnership_id}/reports").get_data(as_text=True)
    assert "Test review" not in public and "No reports are published yet." in public
    for url in _public_urls(world, version):
        assert client.get(url).status_code == 404, url

    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "report.withdraw").order_by(AuditEntry.id)
    )
    assert entry is not None and entry.after["reason"] == "The report names the child's school."
    assert db_session.get(Review, world.review_id).stage != "published"


def test_a_withdrawn_version_is_never_published_again(client: Any, world: World, api: Any) -> None:
    number = publish_clean_report(client, world, api)
    base = f"/api/v1/reviews/{world.review_id}/reports/{number}"
    chair = api("chair")
    assert client.post(f"{base}/withdraw", headers=chair, json={}).status_code == 422
    done = client.post(f"{base}/withdraw", headers=chair, json={"reason": "Names a street."})
    assert done.status_code == 200, done.json
    assert done.json["published"] is False and done.json["withdrawn"] is True
    assert done.json["withdrawal_reason"] == "Names a street."
    assert done.json["withdrawn_by"] == "Test Chair" and done.json["withdrawn_at"]
    again = client.post(f"{base}/publish", headers=chair)
    assert again.status_code == 409 and again.json["reason"] == "withdrawn"
    assert client.post(f"{base}/approve", headers=api("board_member")).status_code == 409
    twice = client.post(f"{base}/withdraw", headers=chair, json={"reason": "Again."})
    assert twice.status_code == 409
    # A new version goes through the gate and a second person's approval again.
    new = generate_report(client, world, api("lead_reviewer"))
    fresh = f"/api/v1/reviews/{world.review_id}/reports/{new}"
    waiting = client.post(f"{fresh}/publish", headers=chair)
    assert waiting.status_code == 409 and waiting.json["reason"] == "approval_required"


def test_only_the_chair_or_an_administrator_withdraws(
    client: Any, world: World, api: Any, login: Any, db_session: Any
) -> None:
    number = publish_clean_report(client, world, api)
    base = f"/api/v1/reviews/{world.review_id}/reports/{number}"
    for who in ("board_member", "lead_reviewer", "observer"):
        refused = client.post(f"{base}/withdraw", headers=api(who), json={"reason": "No."})
        assert refused.status_code == 403, who
    assert (
        client.post(f"{base}/withdraw", headers=api("outsider"), json={"reason": "x"}).status_code
        == 404
    )

    login("admin")
    admin_page = client.get("/admin").get_data(as_text=True)
    assert "Withdraw publication" in admin_page and "Test review" in admin_page
    token = csrf_token(client, f"/reviews/{world.review_id}/reports/{number}/withdraw")
    done = client.post(
        f"/reviews/{world.review_id}/reports/{number}/withdraw",
        data={"csrf_token": token, "reason": "The chair is away; a parent complained."},
    )
    assert done.status_code == 302
    version = _published(db_session, world, number)
    db_session.refresh(version)
    assert version.is_withdrawn and not version.is_published
    # The administrator still sees no review content.
    assert client.get(f"/reviews/{world.review_id}/reports/{number}").status_code == 404
