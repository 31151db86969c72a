"""The publication gate: a second person's approval, the anonymisation scan (run again when the
people register changed since the version was made), publication on the partnership's public
page and withdrawal from it for good."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.anonymise import Hit, scan_markdown
from analysis.taxonomy import STAGES
from app.services.anonymity import people_register
from app.services.errors import ServiceError
from app.services.reports.versions import report_versions
from models import AuditEntry, Membership, Person, ReportVersion, Review, User, audit, utcnow

APPROVER_ROLES = frozenset({"chair", "board_member"})


class PublicationBlockedError(ServiceError):
    """The version may not be published: the scan found identifying text."""

    def __init__(self, hits: list[dict[str, Any]]) -> None:
        super().__init__(
            f"The anonymisation scan found {len(hits)} thing(s) that could identify someone: "
            "fix them at their source and generate a new version"
        )
        self.hits = hits


class ApprovalRequiredError(ServiceError):
    """The version is clean but no second person has approved it yet."""


class VersionWithdrawnError(ServiceError):
    """The version was withdrawn from publication: it is never published or approved again."""


class NotReadyError(ServiceError):
    """The version's files are still being generated (or their generation failed)."""


WITHDRAWN_FOR_GOOD = (
    "Version {number} was withdrawn from publication and cannot be published again: "
    "generate a new version, which goes through the anonymisation scan and a second "
    "person's approval"
)


def hit_item(hit: Hit) -> dict[str, Any]:
    """A scan hit as a version keeps it, and as the publish screen and the API show it."""
    return {
        "kind": hit.kind,
        "text": hit.text,
        "location": hit.location,
        "context": hit.context,
        "candidates": list(hit.candidates),
    }


def _role_of(session: Session, review: Review, user: User) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.review_id == review.id, Membership.user_id == user.id
        )
    )


def register_changed_since(session: Session, review: Review, version: ReportVersion) -> bool:
    """Whether the people register changed after ``version`` was generated: its scan is then
    out of date, and the version is scanned again before approval and publication."""
    changed = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.review_id == review.id,
            AuditEntry.entity_type == Person.__tablename__,
            AuditEntry.action.in_(("create", "update", "delete")),
            AuditEntry.at > version.created_at,
        )
        .limit(1)
    )
    return changed is not None


def approve_report(
    *, session: Session, review: Review, version: ReportVersion, user: User
) -> ReportVersion:
    """Approval by a second person: the chair or a board member who did not generate it.

    When the people register changed after the version was generated, it is scanned again
    against the register as it is now: a name it holds that the first scan did not report
    blocks approval
    (``PublicationBlockedError``) as it blocks publication."""
    if version.is_withdrawn:
        raise VersionWithdrawnError(WITHDRAWN_FOR_GOOD.format(number=version.number))
    if version.is_published:
        raise ServiceError("This version is already published")
    if not version.is_ready:
        raise NotReadyError(f"Version {version.number} is not ready: its files are not made yet")
    if _role_of(session, review, user) not in APPROVER_ROLES:
        raise ServiceError("Only the chair or a safeguarding board member can approve a report")
    if version.created_by_id == user.id:
        raise ServiceError(
            "A second person must approve: you generated this version, so someone else must"
        )
    hits = publication_hits(session, review, version)
    if hits:
        # Approving what cannot be published would be a promise the gate breaks.
        raise PublicationBlockedError(hits)
    version.approved_by_id = user.id
    version.approved_at = utcnow()
    session.flush()
    audit.record(
        session,
        "report.approve",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": version.number},
    )
    return version


def _markdown_chunks(markdown: str) -> list[tuple[str, str]]:
    """The Markdown split at its headings: (heading, text under it)."""
    chunks: list[tuple[str, str]] = []
    heading = "Title"
    lines: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            chunks.append((heading, "\n".join(lines)))
            heading, lines = line.lstrip("#").strip().replace("\\", ""), []
        lines.append(line)
    chunks.append((heading, "\n".join(lines)))
    return chunks


def publication_hits(
    session: Session, review: Review, version: ReportVersion
) -> list[dict[str, Any]]:
    """What blocks publication: the hits found when the version was generated, and any name
    added to the people register since that the stored text still holds."""
    hits = [dict(h) for h in version.scan_hits or []]
    seen = {(h["kind"], h["text"], h["location"]) for h in hits}
    register = people_register(session, review)
    for location, text in _markdown_chunks(version.public_markdown or version.markdown):
        # As written and as rendered: markup can hide a name from the source ("Ker**ry**").
        for hit in scan_markdown(text, register=register, location=location):
            item = hit_item(hit)
            key = (item["kind"], item["text"], item["location"])
            if item["kind"] == "register_name" and key not in seen:
                seen.add(key)
                hits.append(item)
    return hits


def publish_report(
    *, session: Session, review: Review, version: ReportVersion, user: User
) -> ReportVersion:
    """Publish a clean, approved version. The scan runs first: any hit blocks publication
    whatever the approval (``PublicationBlockedError``); then approval is needed
    (``ApprovalRequiredError``). A withdrawn version is never published again."""
    if version.is_withdrawn:
        raise VersionWithdrawnError(WITHDRAWN_FOR_GOOD.format(number=version.number))
    if version.is_published:
        return version
    if not version.is_ready or not version.public_pdf:
        raise NotReadyError(
            f"Version {version.number} has no public edition to publish: generate a new version"
        )
    hits = publication_hits(session, review, version)
    if hits:
        raise PublicationBlockedError(hits)
    if not version.is_approved:
        raise ApprovalRequiredError(
            "A second person (the chair or a board member) must approve this version first"
        )
    version.published_at = datetime.now(UTC)
    version.published_by_id = user.id
    if list(STAGES).index(review.stage) < list(STAGES).index("published"):
        review.stage = "published"
    session.flush()
    audit.record(
        session,
        "report.publish",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": version.number},
    )
    return version


def withdraw_report(
    *, session: Session, review: Review, version: ReportVersion, user: User, reason: str
) -> ReportVersion:
    """Take a published version off the partnership's public page, for good.

    The reason is required and kept with who withdrew it and when. The version keeps its
    record of publication but ``is_published`` is false from now on, and it can never be
    published again (``publish_report`` refuses it): to publish the review again, generate a
    new version, which goes through the scan and a second person's approval. If no other
    version of the review stays published, the review's stage goes back to "report"."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for withdrawing this version", "reason")
    if version.is_withdrawn:
        raise ServiceError(f"Version {version.number} is already withdrawn")
    if not version.is_published:
        raise ServiceError(
            f"Version {version.number} is not published, so there is nothing to withdraw"
        )
    version.withdrawn_at = datetime.now(UTC)
    version.withdrawn_by_id = user.id
    version.withdrawal_reason = reason
    session.flush()
    still_published = any(v.is_published for v in report_versions(session, review))
    if not still_published and review.stage == "published":
        review.stage = "report"
    session.flush()
    audit.record(
        session,
        "report.withdraw",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        before={"number": version.number, "published": True},
        after={"number": version.number, "published": False, "reason": reason},
    )
    return version


def published_reports(session: Session, partnership_id: int) -> list[ReportVersion]:
    """Every published report version of the partnership, newest first."""
    return list(
        session.scalars(
            select(ReportVersion)
            .join(Review, Review.id == ReportVersion.review_id)
            .where(
                Review.partnership_id == partnership_id,
                ReportVersion.published_at.is_not(None),
                ReportVersion.withdrawn_at.is_(None),
            )
            .order_by(ReportVersion.published_at.desc())
            .options(selectinload(ReportVersion.created_by))
        )
    )
