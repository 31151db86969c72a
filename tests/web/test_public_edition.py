"""The public edition of the report, read back from its PDF (pdftotext) and Word files: A4,
an executive summary, no ref, no register name, no working note, no unconsented good
practice, at most a quarter of the events' own text; what it leaves out is listed; publishing
after a second person's approval serves exactly that edition to the public."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import docx
from docx.shared import Cm
from sqlalchemy import select

from analysis.chronology.dates.parsing import parse_when
from app.policy import ROLES
from app.services import chronology as chronology_service
from app.services import findings as finding_service
from app.services import good_practice as gp_service
from models import Event, KeyPracticeEpisode, ReportVersion, Review, User
from tests.conftest import World, csrf_token

EVENT_TEXTS = (
    "Police attend the family home after a call from a neighbour.",
    "Health visitor rings the mother about the missed developmental review at the clinic.",
    "School designated safeguarding lead records bruising on the forearm and tells the MASH.",
)
REFS = re.compile(r"\b(?:E|F|K|AC|FN|A|GP)\d+\b")
WORKING_NOTES = (
    "not responded yet",
    "Not written yet",
    "report version",
    "stage:",
    "No actions yet",
    "has not chosen",
    "Not yet agreed",
)


def _pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "public.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    info = subprocess.run(
        [shutil.which("pdfinfo") or "pdfinfo", "-f", "1", "-l", "200", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(text.split()), info


def _docx_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return " ".join(" ".join(parts).split())


def _share_of_event_text(text: str) -> float:
    """How much of the events' own text the document repeats: the share of their runs of
    five words found in it."""
    words = " ".join(text.split()).casefold()
    runs = found = 0
    for description in EVENT_TEXTS:
        tokens = description.casefold().split()
        for start in range(len(tokens) - 4):
            runs += 1
            found += " ".join(tokens[start : start + 5]) in words
    return found / runs


def _arrange(db_session: Any, world: World) -> dict[str, str]:
    review = db_session.get(Review, world.review_id)
    review.terms_of_reference = "To learn how agencies (E1) worked together for Child T."
    lead = db_session.get(User, world.users["lead_reviewer"])
    for number, text in enumerate(EVENT_TEXTS[1:], start=2):
        chronology_service.create_event(
            session=db_session,
            review=review,
            added_by_id=lead.id,
            ref=f"E{number}",
            when=parse_when(f"0{number}/03/2023"),
            agency="POL",
            description=f"{text} Tamsin was there.",
            people=["P1"],
            kpe="K1",
        )
    kpe = db_session.scalar(
        select(KeyPracticeEpisode).where(KeyPracticeEpisode.review_id == review.id)
    )
    kpe.narrative = (
        "Over two months the police, the health visitor and the school each saw part of "
        "Tamsin's life (see E1 and F1). Each acted on what was in front of them."
    )
    first = finding_service.finding_by_ref(db_session, review, "FN1")
    first.issue = "Standard-risk incidents are closed without anyone looking for a pattern."
    first.evidence = "Three contacts (E1, E2) were each closed as one-offs; F1 explains why."
    first.how_widespread = "Police data show most standard-risk incidents close this way."
    first.why_it_matters = "A pattern nobody sees is a risk nobody manages."
    second = finding_service.create_finding(
        session=db_session,
        review=review,
        title="The DSL has no route to the health visitor",
        issue="School staff cannot reach health visiting directly.",
        evidence="The DSL told the review she did not know who the health visitor was.",
        why_it_matters="Concerns wait in the MASH queue instead.",
        questions_for_board=["How will schools reach health visitors directly?"],
        factors=["F1"],
    )
    finding_service.record_board_response(
        session=db_session,
        finding=first,
        question=first.questions_for_board[0],
        response="The partnership will audit repeat standard-risk notifications each quarter.",
        responded_on=date(2025, 3, 1),
    )
    approved = gp_service.create_entry(
        session=db_session,
        partnership_id=world.partnership_id,
        review=review,
        title="The neighbour's call was followed up the same day",
        story="The duty officer rang the health visitor the next morning.",
        consent_to_share=True,
    )
    gp_service.approve_entry(
        session=db_session, entry=approved, approver=db_session.get(User, world.users["chair"])
    )
    gp_service.create_entry(
        session=db_session,
        partnership_id=world.partnership_id,
        review=review,
        title="The school nurse's home visit",
        story="The school nurse visited at home after school.",
        consent_to_share=False,
    )
    db_session.commit()
    return {"second": second.title}


def _generate(client: Any, world: World, headers: dict[str, str], finish_job: Any) -> int:
    started = client.post(f"/api/v1/reviews/{world.review_id}/reports", headers=headers)
    job = finish_job(started)
    assert job.status == "finished", job.error
    return int(started.json["version"])


def test_the_public_edition_is_a4_summarised_and_free_of_refs_names_and_notes(
    client: Any, world: World, api: Any, db_session: Any, finish_job: Any, tmp_path: Path
) -> None:
    titles = _arrange(db_session, world)
    lead = api("lead_reviewer")
    number = _generate(client, world, lead, finish_job)
    base = f"/api/v1/reviews/{world.review_id}/reports/{number}"
    pdf = client.get(f"{base}/public.pdf", headers=lead)
    word = client.get(f"{base}/public.docx", headers=lead)
    assert pdf.status_code == 200 and word.status_code == 200
    pdf_text, info = _pdf_text(pdf.data, tmp_path)
    document = docx.Document(io.BytesIO(word.data))
    word_text = _docx_text(document)
    # A4: every PDF page is 595 x 842 pt, portrait or (the AcciMap) landscape.
    sizes = set(re.findall(r"Page\s+\d+ size:\s+([\d.]+ x [\d.]+)", info))
    assert sizes <= {"595.276 x 841.89", "841.89 x 595.276"}, sizes
    assert "841.89 x 595.276" in sizes  # the AcciMap's own landscape page
    for section in document.sections:
        assert {round(section.page_width.cm, 1), round(section.page_height.cm, 1)} == {
            21.0,
            29.7,
        }
    assert abs(document.sections[0].page_width - Cm(21)) < Cm(0.05)
    for text in (pdf_text, word_text):
        assert "Executive summary" in text
        assert "Working Together to Safeguard Children 2023" in text
        assert "The neighbour's call was followed up the same day" in text
        assert titles["second"] in text
        assert "audit repeat standard-risk notifications" in text  # the board's response
        assert "Published " in text and "Child T" in text  # the cover
        assert not REFS.search(text), REFS.search(text)
        assert "Tamsin" not in text and "Testcase" not in text
        for note in WORKING_NOTES:
            assert note not in text, note
        for role in ROLES.values():
            assert role not in text, role
        assert "school nurse's home visit" not in text  # no consent to share
        assert _share_of_event_text(text) <= 0.25
        # The glossary explains the acronyms the text uses.
        assert "Designated safeguarding lead" in text and "Multi-agency safeguarding hub" in text
    # Word: heading styles, a contents field that updates, page numbers in the footer.
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 1", "Heading 2", "Title"} <= styles
    body = document.element.xml
    assert "TOC \\o" in body and 'w:fldCharType="begin"' in body
    assert "updateFields" in document.settings.element.xml
    assert "PAGE" in document.sections[0].footer._element.xml


def test_what_the_public_edition_leaves_out_is_listed_before_publishing(
    client: Any,
    world: World,
    api: Any,
    db_session: Any,
    finish_job: Any,
    login: Any,
) -> None:
    _arrange(db_session, world)
    number = _generate(client, world, api("lead_reviewer"), finish_job)
    resource = client.get(
        f"/api/v1/reviews/{world.review_id}/reports/{number}", headers=api("chair")
    ).json
    left_out = " ".join(resource["left_out"])
    assert "The school nurse's home visit" in left_out and "no consent" in left_out
    assert "has not answered" in left_out  # the second finding's question
    assert resource["public_formats"] == ["html", "pdf", "docx", "md"]
    login("chair")
    page = client.get(f"/reviews/{world.review_id}/reports/{number}").get_data(as_text=True)
    assert "What the public edition leaves out" in page
    assert "The school nurse&#39;s home visit" in page or "The school nurse's home visit" in page


def test_publishing_after_approval_serves_exactly_the_public_edition(
    client: Any, world: World, api: Any, db_session: Any, finish_job: Any
) -> None:
    _arrange(db_session, world)
    number = _generate(client, world, api("lead_reviewer"), finish_job)
    base = f"/api/v1/reviews/{world.review_id}/reports/{number}"
    assert client.post(f"{base}/publish", headers=api("chair")).json["reason"] == (
        "approval_required"
    )
    assert client.post(f"{base}/approve", headers=api("board_member")).status_code == 200
    assert client.post(f"{base}/publish", headers=api("chair")).status_code == 200
    version = db_session.scalar(
        select(ReportVersion).where(
            ReportVersion.review_id == world.review_id, ReportVersion.number == number
        )
    )
    db_session.refresh(version)
    public = f"/p/{world.partnership_id}/reports/{version.id}"
    for fmt, stored in (
        ("pdf", version.public_pdf),
        ("docx", version.public_docx),
        ("html", version.public_html.encode()),
        ("md", version.public_markdown.encode()),
    ):
        served = client.get(f"{public}.{fmt}")  # nobody is signed in
        assert served.status_code == 200
        assert served.data == stored, fmt
    page = client.get(public).get_data(as_text=True)
    assert "Executive summary" in page and "Police attend the family home" not in page
    assert client.get(f"{base}/public.pdf").status_code == 401  # the API needs a sign-in


def test_the_chair_deletes_a_superseded_draft_with_a_reason(
    client: Any, world: World, api: Any, db_session: Any, finish_job: Any, login: Any
) -> None:
    from models import AuditEntry

    first = _generate(client, world, api("lead_reviewer"), finish_job)
    base = f"/api/v1/reviews/{world.review_id}/reports/{first}"
    assert (
        client.delete(base, headers=api("lead_reviewer"), json={"reason": "x"}).status_code == 403
    )
    assert client.delete(base, headers=api("chair"), json={}).status_code == 422
    login("chair")
    page = f"/reviews/{world.review_id}/reports/{first}/delete"
    empty = client.post(page, data={"csrf_token": csrf_token(client, page), "reason": ""})
    assert empty.status_code == 422 and "Give the reason" in empty.get_data(as_text=True)
    done = client.post(
        page, data={"csrf_token": csrf_token(client, page), "reason": "Superseded; named a street."}
    )
    assert done.status_code == 302
    assert client.get(base, headers=api("chair")).status_code == 404
    entry = db_session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "report.delete")
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None and "named a street" in str(entry.after)
    listing = client.get(f"/reviews/{world.review_id}/reports").get_data(as_text=True)
    assert f"Version {first}<" not in listing


def test_a_kpe_narrative_is_suggested_from_its_events_and_factors(
    client: Any, world: World, login: Any, db_session: Any
) -> None:
    login("lead_reviewer")
    page = client.get(f"/reviews/{world.review_id}/kpes/K1/edit").get_data(as_text=True)
    assert "Suggested draft" in page
    assert "Northshire Police" in page and "Domestic incidents graded standard" in page
    assert "Police attend the family home" not in page  # never the events' own text
    event = db_session.scalar(select(Event).where(Event.review_id == world.review_id))
    assert event is not None


def test_a_map_too_large_to_read_at_7_pt_is_split() -> None:
    from app.services.reports import MIN_TEXT_PT, text_size_in_print

    fits = b'<svg width="700pt" height="400pt" viewBox="0 0 700 400">'
    too_wide = b'<svg width="3000pt" height="400pt" viewBox="0 0 3000 400">'
    assert text_size_in_print(fits) == 11.0
    assert text_size_in_print(too_wide) < MIN_TEXT_PT


def test_a_partnership_logo_is_checked_re_encoded_and_on_the_cover(
    client: Any, world: World, login: Any, db_session: Any, api: Any, finish_job: Any
) -> None:
    from PIL import Image

    from models import Partnership

    login("admin")
    page = "/admin/partnerships"
    url = f"/admin/partnerships/{world.partnership_id}/logo"
    bad = client.post(
        url,
        data={"csrf_token": csrf_token(client, page), "logo": (io.BytesIO(b"<svg/>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "not an image" in bad.get_data(as_text=True)
    original = io.BytesIO()
    image = Image.new("RGB", (2400, 600), (29, 112, 184))
    image.save(original, format="JPEG", exif=b"Exif\x00\x00secret-author")
    done = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, page),
            "logo": (io.BytesIO(original.getvalue() + b"trailing"), "logo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    partnership = db_session.get(Partnership, world.partnership_id)
    db_session.refresh(partnership)
    stored = partnership.logo_png
    assert stored is not None and stored.startswith(b"\x89PNG")
    assert b"secret-author" not in stored and b"trailing" not in stored
    assert Image.open(io.BytesIO(stored)).size == (1200, 300)
    number = _generate(client, world, api("lead_reviewer"), finish_job)
    word = client.get(
        f"/api/v1/reviews/{world.review_id}/reports/{number}/public.docx",
        headers=api("lead_reviewer"),
    )
    assert len(docx.Document(io.BytesIO(word.data)).inline_shapes) >= 2  # logo and AcciMap
