"""Who read what: the audit trail page filters by person, kind and day, shows real names only
decrypted for those allowed, and downloads as CSV with formula cells neutralised."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from models import AuditEntry, Review
from models.audit.chain import Actor, record
from tests.conftest import World, csrf_token


def _audit_page(client: Any, world: World, **query: str) -> tuple[int, str]:
    response = client.get(f"/reviews/{world.review_id}/audit", query_string=query)
    return response.status_code, response.get_data(as_text=True)


def test_the_chair_sees_who_read_real_names_and_nothing_else_when_filtered(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    assert client.get(f"/reviews/{world.review_id}/people/real-names").status_code == 200
    client.get("/sign-out")
    login("chair")
    status, html = _audit_page(
        client, world, person=str(world.users["panel_member"]), kind="real_names"
    )
    assert status == 200
    assert "panel-member@test.example.org" in html and "view_real_names" in html
    assert "1 entry match" in html
    # The panel member's reads, not the chair's own nor the world's changes.
    status, html = _audit_page(client, world, kind="real_names")
    assert "chair@test.example.org" not in html.split("Audit entries")[1]
    status, html = _audit_page(client, world, kind="changes")
    table = html.split("Audit entries")[1]
    assert "view_real_names" not in table and "Changes: create" in table


def test_sign_ins_of_the_reviews_members_are_listed(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    db_session.info["actor"] = Actor(world.users["observer"], "observer@test.example.org")
    record(db_session, "sign_in", entity_type="users", entity_id=str(world.users["observer"]))
    db_session.info["actor"] = Actor(world.users["outsider"], "outsider@test.example.org")
    record(db_session, "sign_in", entity_type="users", entity_id=str(world.users["outsider"]))
    db_session.commit()
    login("lead_reviewer")
    status, html = _audit_page(client, world, kind="sign_ins")
    assert status == 200
    assert "observer@test.example.org" in html
    assert "outsider@test.example.org" not in html  # not a member of this review


def test_a_range_of_days_narrows_the_trail(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.stage = "analysis"
    db_session.commit()
    last = db_session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    long_ago = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    db_session.execute(update(AuditEntry).where(AuditEntry.id == last.id).values(at=long_ago))
    db_session.commit()
    login("chair")
    _status, html = _audit_page(client, world, date_from="2025-03-14", date_to="2025-03-14")
    assert "1 entry match" in html and "14 Mar 2025" in html
    today = datetime.now(UTC).date()
    _status, html = _audit_page(client, world, date_from=str(today - timedelta(days=1)))
    assert "14 Mar 2025" not in html


def test_a_wrong_range_is_refused_keeping_what_was_typed(
    client: Any, login: Any, world: World
) -> None:
    login("chair")
    typed = {"date_from-day": "2", "date_from-month": "5", "date_from-year": "2026",
             "date_to-day": "1", "date_to-month": "5", "date_to-year": "2026"}  # fmt: skip
    status, html = _audit_page(client, world, **typed)
    assert status == 422
    assert "The end date must be on or after the start date" in html
    assert {name: box(html, name) for name in typed} == typed  # day, month, year boxes
    assert 'type="date"' not in html
    status, html = _audit_page(
        client, world, **{"date_from-day": "31", "date_from-month": "4", "date_from-year": "2026"}
    )
    assert status == 422 and "From (UTC day) must be a real date: April 2026 has no day 31" in html
    assert box(html, "date_from-day") == "31" and "“31 4 2026”" in html
    assert box_has_error(html, "date_from-day") and not box_has_error(html, "date_from-month")
    status, html = _audit_page(client, world, date_from="not a date")
    assert status == 422 and box(html, "date_from-day") == "not a date"


def box(html: str, name: str) -> str | None:
    """What a date input's box shows."""
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found[1] if found else None


def box_has_error(html: str, name: str) -> bool:
    found = re.search(rf'<input class="([^"]*)"[^>]*name="{re.escape(name)}"', html)
    return found is not None and "govuk-input--error" in found[1]


def _add_person(client: Any, world: World, real_name: str) -> None:
    path = f"/reviews/{world.review_id}/people/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "pseudonym": "Lodger",
            "role": "household_adult",
            "real_name": real_name,
        },
    )
    assert response.status_code == 302


def test_real_names_are_shown_decrypted_to_the_chair_and_the_view_is_recorded(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    _add_person(client, world, "Ignatius Fernwhistle")
    _status, html = _audit_page(client, world, kind="changes")
    assert "Ignatius Fernwhistle" in html
    last = db_session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.action == "view_real_names" and last.entity_type == "audit_entries"
    _status, html = _audit_page(client, world, kind="real_names", person=str(last.actor_id))
    assert "audit_entries" in html


def test_the_csv_holds_the_filtered_entries_without_real_names_or_formulas(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    _add_person(client, world, "Ignatius Fernwhistle")
    db_session.info["actor"] = Actor(None, '=HYPERLINK("http://evil.example")')
    review = db_session.get(Review, world.review_id)
    review.stage = "findings"
    db_session.commit()
    response = client.get(f"/reviews/{world.review_id}/audit.csv", query_string={"kind": "changes"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["entry", "when (UTC)", "who"]
    assert "Ignatius" not in text and "[restricted]" in text
    assert [r[2] for r in rows if "HYPERLINK" in r[2]] == ['\'=HYPERLINK("http://evil.example")']
    assert all(r[4] in ("create", "update", "delete") for r in rows[1:])
    last = db_session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.action == "export_audit_trail"
    # An export is found again under its kind.
    _status, html = _audit_page(client, world, kind="exports")
    assert "export_audit_trail" in html


def test_the_csv_reads_a_real_name_typed_into_free_text_as_its_pseudonym(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    _add_person(client, world, "Ignatius Fernwhistle")
    review = db_session.get(Review, world.review_id)
    review.terms_of_reference = "Why Ignatius Fernwhistle's visits were not shared."
    db_session.commit()
    response = client.get(f"/reviews/{world.review_id}/audit.csv", query_string={"kind": "changes"})
    text = response.get_data().decode("utf-8-sig")
    assert "Fernwhistle" not in text and "Lodger's visits were not shared" in text


def test_the_trail_does_not_claim_utc_for_uk_times(client: Any, login: Any, world: World) -> None:
    login("chair")
    _status, html = _audit_page(client, world, kind="changes")
    assert ">When<" in html and "When (UTC)" not in html
