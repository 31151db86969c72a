"""A report's numbered versions: taking the next number atomically, finding and listing them,
and deleting one that never reached publication."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.errors import ServiceError
from models import ReportVersion, Review, User, audit


class VersionTakenError(ServiceError):
    """Another generation took the same version number at the same moment."""


def report_versions(session: Session, review: Review) -> list[ReportVersion]:
    return list(
        session.scalars(
            select(ReportVersion)
            .where(ReportVersion.review_id == review.id)
            .order_by(ReportVersion.number.desc())
        )
    )


def version_by_number(session: Session, review: Review, number: int) -> ReportVersion | None:
    return session.scalar(
        select(ReportVersion).where(
            ReportVersion.review_id == review.id, ReportVersion.number == number
        )
    )


def reserve_version(*, session: Session, review: Review, user: User) -> ReportVersion:
    """Take the review's next version number, atomically, for a version whose files a job
    will make (``render_version``). Two generations at once get two numbers: on PostgreSQL
    the review's row is locked until the request commits; SQLite takes its write lock at the
    start of every transaction. Should a number still be taken twice, ``VersionTakenError``."""
    session.execute(select(Review.id).where(Review.id == review.id).with_for_update())
    number = (
        session.scalar(
            select(func.max(ReportVersion.number)).where(ReportVersion.review_id == review.id)
        )
        or 0
    ) + 1
    version = ReportVersion(
        review_id=review.id,
        number=number,
        status="generating",
        markdown="",
        html="",
        pdf=b"",
        docx=b"",
        scan_hits=[],
        left_out=[],
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        raise VersionTakenError(
            "Another version of this report was being generated at the same moment: "
            "look at the list of versions, or try again"
        ) from None
    audit.record(
        session,
        "report.generate",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": number},
    )
    return version


def delete_version(
    *, session: Session, review: Review, version: ReportVersion, user: User, reason: str
) -> None:
    """Delete a version that never reached publication (a superseded draft), with a reason.
    A published or withdrawn version stays: its record is part of what the public saw."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for deleting this version", "reason")
    if version.published_at is not None:
        raise ServiceError(
            f"Version {version.number} was published: withdraw it instead; it cannot be deleted"
        )
    if version.status == "generating":
        raise ServiceError(f"Version {version.number} is still being generated")
    number, version_id = version.number, version.id
    hits = len(version.scan_hits or [])
    session.delete(version)
    session.flush()
    audit.record(
        session,
        "report.delete",
        entity_type="report_versions",
        entity_id=str(version_id),
        review_id=review.id,
        before={"number": number, "hits": hits},
        after={"deleted": True, "reason": reason},
    )
