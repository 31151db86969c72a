"""The records' safekeeping: verifying the audit log's hash chain, and the retention of a
closed review's case data (listing and purging what is due, a partnership's rule)."""

from __future__ import annotations

import re
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from analysis.dates import uk_date
from app.cli.common import cli_session, fail
from app.services import retention
from app.services.errors import ServiceError
from models import Partnership
from models.audit.chain import check_chain


@click.command("verify-audit")
@with_appcontext
@click.option(
    "--expect-head",
    metavar="HASH",
    help=(
        "The head printed by an earlier run (its hash, or the whole 'Head: entry N HASH' "
        "line): fail unless the chain still contains it."
    ),
)
def verify_audit_command(expect_head: str | None) -> None:
    """Check the audit log's hash chain and print its head; exit 1 naming the first broken
    entry, or if the chain no longer holds the head given with --expect-head (exit 2 when
    that is not a full head hash)."""
    if expect_head is not None:
        expect_head = _head_hash(expect_head)
    session = cli_session("verify-audit")
    try:
        report = check_chain(session, expect_head=expect_head)
    finally:
        session.close()
    broken = report.broken
    if broken is not None:
        click.echo(
            f"Audit log BROKEN at entry {broken.seq} (id {broken.entry_id}): {broken.reason}.",
            err=True,
        )
        sys.exit(1)
    if expect_head and report.expected_head_seq is None:
        click.echo(
            "Audit log BROKEN: the expected head is not in the chain (entries were cut off its "
            f"end, or it was re-hashed). The chain now ends at entry {report.head_seq} with "
            f"{report.head_hash}.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit log intact: {report.count} entries, chain verified.")
    if report.plain_count:
        click.echo(f"  {report.plain_count} entries predate the keyed chain (plain SHA-256).")
    if expect_head:
        since = report.head_seq - (report.expected_head_seq or 0)
        click.echo(f"  The expected head is entry {report.expected_head_seq}; {since} since.")
    click.echo(f"Head: entry {report.head_seq} {report.head_hash}")


_HEAD_HASH = re.compile(r"[0-9a-f]{64}")


def _head_hash(given: str) -> str:
    """The hash of an expected head as pasted: the hash alone, or the whole line
    ``Head: entry N HASH`` as ``verify-audit`` prints it. Exits 2 when it is not a hash."""
    words = given.split()
    candidate = words[-1].lower() if words else ""
    if not _HEAD_HASH.fullmatch(candidate):
        click.echo(
            f"Error: {given.strip()!r}: that is not a full head hash: copy the whole "
            "64-character value (or the whole 'Head: entry N …' line) that verify-audit printed.",
            err=True,
        )
        sys.exit(2)
    return candidate


def _describe_removal(counts: dict[str, int]) -> str:
    parts = [f"{count} {label}" for label, count in counts.items() if count]
    return ", ".join(parts) if parts else "no case data left"


@click.command("retention")
@with_appcontext
@click.option("--dry-run", "mode", flag_value="dry-run", help="List what would be removed.")
@click.option("--purge", "mode", flag_value="purge", help="Remove it.")
def retention_command(mode: str | None) -> None:
    """Closed reviews past their partnership's retention period: list them (--dry-run) or
    remove their case data (--purge), keeping published reports and the audit chain."""
    if mode is None:
        fail("say --dry-run to list what would go, or --purge to remove it")
    session = cli_session("retention")
    try:
        due = retention.due_reviews(session)
        if not due:
            click.echo("No review is past its retention period.")
            return
        for item in due:
            review = item.review
            years = item.partnership.retention_years
            click.echo(
                f"Review {review.id} '{review.title}' ({item.partnership.name}): closed "
                f"{uk_date(item.closed_at.date())}, case data kept {years} years, due "
                f"{uk_date(item.due_at.date())}."
            )
            if mode == "dry-run":
                click.echo(f"  Would remove: {_describe_removal(item.counts)}.")
            else:
                removed = retention.purge_review(session, review)
                click.echo(f"  Removed: {_describe_removal(removed)}; audit key destroyed.")
        if mode == "dry-run":
            click.echo("Kept: each review's outline, findings, actions and published reports.")
        else:
            session.commit()
            click.echo(
                "Published reports and the audit chain are kept: run verify-audit and keep the "
                "new head."
            )
    finally:
        session.close()


@click.command("retention-rule")
@with_appcontext
@click.option("--partnership", required=True)
@click.option("--years", type=int, help="Keep a closed review's case data this many years.")
@click.option("--clear", is_flag=True, help="Keep case data until the partnership decides.")
def retention_rule_command(partnership: str, years: int | None, clear: bool) -> None:
    """Set a partnership's retention rule (published reports are always kept)."""
    if (years is None) == (not clear):
        fail("give --years N or --clear")
    session = cli_session("retention-rule")
    try:
        owner = session.scalar(select(Partnership).where(Partnership.name == partnership))
        if owner is None:
            fail(f"no partnership named {partnership!r}")
            return
        try:
            retention.set_retention(session, owner, None if clear else years)
        except ServiceError as error:
            fail(error.message)
        session.commit()
        rule = "until the partnership decides" if clear else f"{years} years after closing"
        click.echo(f"{owner.name} keeps a closed review's case data {rule}.")
    finally:
        session.close()
