"""Retention: a closed review past its partnership's rule is listed by a dry run, and a purge
removes its case data while its published report and a verifying audit chain stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.services import retention
from app.services import reviews as review_service
from models import (
    Account,
    AuditEntry,
    AuditKey,
    Event,
    Factor,
    Finding,
    Link,
    Partnership,
    Person,
    ReportVersion,
    Review,
)
from models.audit import ERASED, AuditReader
from tests.conftest import World

CASE_DATA = (Event, Person, Account, Factor, Link)


def _count(session: Any, model: Any, review_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.review_id == review_id)
    )


def _close_review(session: Any, world: World, years_ago: float) -> Review:
    review = session.get(Review, world.review_id)
    review_service.update_review(
        session=session, review=review, expected_version=review.version, stage="closed"
    )
    assert review.closed_at is not None  # closing notes the day retention runs from
    review.closed_at = datetime.now(UTC) - timedelta(days=365.25 * years_ago)
    report = session.get(ReportVersion, world.report_id)
    report.published_at = datetime.now(UTC) - timedelta(days=365 * 7)
    session.add(
        ReportVersion(
            review_id=review.id,
            number=2,
            markdown="# A draft never published\n",
            html="<p>draft</p>",
            pdf=b"%PDF draft",
            docx=b"PK draft",
        )
    )
    session.commit()
    return review


def _set_rule(runner: Any, years: int) -> None:
    result = runner.invoke(
        args=[
            "retention-rule",
            "--partnership",
            "Northshire Test Partnership",
            "--years",
            str(years),
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"keeps a closed review's case data {years} years after closing" in result.output


def test_reopening_a_review_forgets_when_it_closed(db_session: Any, world: World) -> None:
    review = db_session.get(Review, world.review_id)
    review_service.update_review(
        session=db_session, review=review, expected_version=review.version, stage="closed"
    )
    assert review.closed_at is not None
    review_service.update_review(
        session=db_session, review=review, expected_version=review.version, stage="monitoring"
    )
    assert review.closed_at is None


def test_a_dry_run_lists_only_reviews_past_their_date_and_removes_nothing(
    runner: Any, db_session: Any, world: World
) -> None:
    _set_rule(runner, 6)
    _close_review(db_session, world, years_ago=5)
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "No review is past its retention period." in result.output
    _set_rule(runner, 4)
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Review {world.review_id} 'Test review'" in result.output
    assert "Another review" not in result.output  # still open
    assert "Would remove:" in result.output and "1 events" in result.output
    assert "1 people (register)" in result.output and "1 report drafts" in result.output
    for model in CASE_DATA:
        assert _count(db_session, model, world.review_id) >= 1


def test_a_purge_keeps_the_published_report_and_a_verifying_chain(
    runner: Any, client: Any, db_session: Any, world: World
) -> None:
    _set_rule(runner, 4)
    _close_review(db_session, world, years_ago=5)
    before_purge = db_session.scalar(select(func.max(AuditEntry.seq)))
    result = runner.invoke(args=["retention", "--purge"])
    assert result.exit_code == 0, result.output
    assert "Removed:" in result.output and "audit key destroyed" in result.output
    db_session.expire_all()
    for model in CASE_DATA:
        assert _count(db_session, model, world.review_id) == 0, model.__name__
    assert retention.case_data_counts(db_session, world.review_id) == dict.fromkeys(
        retention.case_data_counts(db_session, world.review_id), 0
    )
    # The learning stays: the review's outline, its findings and its published report.
    review = db_session.get(Review, world.review_id)
    assert review.purged_at is not None and review.title == "Test review"
    assert _count(db_session, Finding, world.review_id) == 1
    reports = db_session.scalars(
        select(ReportVersion).where(ReportVersion.review_id == world.review_id)
    ).all()
    assert [r.id for r in reports] == [world.report_id]
    listing = client.get(f"/p/{world.partnership_id}/reports")
    assert "Test review" in listing.get_data(as_text=True)
    pdf = client.get(f"/p/{world.partnership_id}/reports/{world.report_id}.pdf")
    # The public edition is what a partnership publishes (the world's draft has one).
    assert pdf.status_code == 200 and pdf.data == b"%PDF-1.7 public"
    # One entry records the purge: the deletions did not copy the case data into the log.
    new_entries = db_session.scalars(select(AuditEntry).where(AuditEntry.seq > before_purge)).all()
    assert [e.action for e in new_entries if e.action != "update"] == ["retention_purge"]
    assert "Police attend" not in " ".join(e.before_json + e.after_json for e in new_entries)
    # The key is gone: the register's real names in the log can no longer be read ...
    key = db_session.scalar(select(AuditKey).where(AuditKey.review_id == world.review_id))
    assert key.wrapped_key is None and key.destroyed_at is not None
    created = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "people",
            AuditEntry.action == "create",
            AuditEntry.review_id == world.review_id,
        )
    )
    _before, after = AuditReader(db_session, decrypt=True).values(created)
    assert after["real_name"] == ERASED and after["pseudonym"] == "Child T"
    # ... and the chain still verifies.
    verified = runner.invoke(args=["verify-audit"])
    assert verified.exit_code == 0, verified.output
    again = runner.invoke(args=["retention", "--dry-run"])
    assert "No review is past its retention period." in again.output


def test_retention_needs_a_mode_and_a_sensible_rule(runner: Any, db_session: Any) -> None:
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 1 and "--dry-run" in result.output
    result = runner.invoke(
        args=["retention-rule", "--partnership", "Northshire Test Partnership", "--years", "0"]
    )
    assert result.exit_code == 1 and "between 1 and 100 years" in result.output
    result = runner.invoke(args=["retention-rule", "--partnership", "Nowhere", "--years", "5"])
    assert result.exit_code == 1 and "no partnership named" in result.output
    partnership = db_session.scalar(
        select(Partnership).where(Partnership.name == "Northshire Test Partnership")
    )
    assert partnership.retention_years is None


def test_an_administrator_sets_the_rule_and_sees_what_is_due(
    client: Any, login: Any, db_session: Any, world: World
) -> None:
    from tests.conftest import csrf_token

    login("admin")
    page = client.get("/admin/retention")
    assert page.status_code == 200 and "There is no rule yet" in page.get_data(as_text=True)
    token = csrf_token(client, "/admin/retention")
    refused = client.post("/admin/retention", data={"csrf_token": token, "years": "0"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Enter a number of years from 1 to 100" in html and 'value="0"' in html
    saved = client.post("/admin/retention", data={"csrf_token": token, "years": "4"})
    assert saved.status_code == 302
    partnership = db_session.get(Partnership, world.partnership_id)
    db_session.refresh(partnership)
    assert partnership.retention_years == 4
    change = db_session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert (change.entity_type, change.after) == ("partnerships", {"retention_years": 4})
    _close_review(db_session, world, years_ago=5)
    html = client.get("/admin/retention").get_data(as_text=True)
    assert "4 years" in html and "Test review" in html and "Due now" in html
    assert "Another review" not in html  # not closed
