"""The good-practice register: entries from each source, the sharing workflow and its
anonymisation gate, the partnership-wide register (filters, visibility, evidence links),
briefings and the bulletin, the balance on a review, the API and the bundle."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from analysis.dates import uk_date
from app.services import factors as factor_service
from app.services import good_practice as service
from app.services.errors import ServiceError
from models import Event, GoodPractice, Review, User
from tests.conftest import World
from tests.helpers import BUNDLE, post_form


def _review(db_session: Any, world: World) -> Review:
    return db_session.get(Review, world.review_id)


def _entry(db_session: Any, world: World, *, review: bool = True, **values: Any) -> GoodPractice:
    base = {"title": "Neighbour's call followed up", "story": "The officer rang the next day."}
    partnership_id = _review(db_session, world).partnership_id
    entry = service.create_entry(
        session=db_session,
        partnership_id=partnership_id,
        review=_review(db_session, world) if review else None,
        creator=db_session.get(User, world.users["panel_member"]),
        **{**base, **values},
    )
    db_session.commit()
    return entry


def _form(**values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "A title",
        "story": "A story.",
        "what_made_it_work": "",
        "source": "other",
        "agency": "",
        "themes": "",
        "account": "",
    }
    form.update(values)
    return form


# --- creation from each source ---------------------------------------------------------------


def test_an_event_appraised_good_practice_offers_an_entry_prefilled_from_it(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    event = db_session.scalar(
        select(Event).where(Event.review_id == world.review_id, Event.ref == "E1")
    )
    event.appraisal = "good_practice"
    db_session.commit()
    login("panel_member")
    page = client.get(f"/reviews/{world.review_id}/events/E1").get_data(as_text=True)
    assert "Record as good practice" in page
    url = f"/reviews/{world.review_id}/good-practice/new?event=E1"
    form = client.get(url).get_data(as_text=True)
    assert "Police attend the family home after a call from a neighbour." in form
    assert 'value="E1" checked' in form
    response = post_form(
        client,
        url,
        _form(
            title="Police attend after a neighbour's call",
            story="Police attend the family home after a call from a neighbour.",
            source="event",
            agency="POL",
            events=["E1"],
            themes="Domestic abuse, domestic  abuse, Quick response",
        ),
    )
    assert response.status_code == 302
    entry = db_session.scalar(select(GoodPractice).where(GoodPractice.source == "event"))
    assert entry.ref == "GP1" and entry.share_status == "draft"
    assert [e.ref for e in entry.events] == ["E1"]
    assert entry.agency.name == "Northshire Police"
    assert entry.themes == ["Domestic abuse", "Quick response"]


def test_an_accounts_what_went_well_answer_becomes_a_draft_entry(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    factor_service.create_account(
        session=db_session,
        review=_review(db_session, world),
        ref="AC9",
        contributor_kind="practitioner",
        contributor_role="School nurse",
        prompts={"what_went_well": "The DSL rang me the same day. It helped."},
    )
    db_session.commit()
    login("facilitator")
    page = client.get(f"/reviews/{world.review_id}/accounts/AC9").get_data(as_text=True)
    assert "Add what went well to the good-practice register" in page
    url = f"/reviews/{world.review_id}/good-practice/new?account=AC9"
    form = client.get(url).get_data(as_text=True)
    assert "The DSL rang me the same day. It helped." in form
    response = post_form(
        client,
        url,
        _form(
            title="The DSL rang the same day",
            story="The DSL rang me.",
            source="account",
            account="AC9",
        ),
    )
    assert response.status_code == 302
    entry = db_session.scalar(select(GoodPractice).where(GoodPractice.source == "account"))
    assert entry.account.ref == "AC9"


def test_a_protective_factor_becomes_an_entry_linked_to_it(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    factor_service.create_factor(
        session=db_session,
        review=_review(db_session, world),
        ref="F7",
        label="The duty officer knew the family",
        type="protective",
        level="practice",
        description="Continuity: the same officer had attended before.",
        evidence=[{"source": "agency_record", "event": "E1"}],
    )
    db_session.commit()
    login("lead_reviewer")
    assert "Add this to the good-practice register" in client.get(
        f"/reviews/{world.review_id}/factors/F7"
    ).get_data(as_text=True)
    url = f"/reviews/{world.review_id}/good-practice/new?factor=F7"
    form = client.get(url).get_data(as_text=True)
    assert "The duty officer knew the family" in form and 'value="F7" checked' in form
    response = post_form(
        client,
        url,
        _form(
            title="The officer knew the family",
            story="Continuity.",
            source="protective_factor",
            factors=["F7"],
            events=["E1"],
        ),
    )
    assert response.status_code == 302
    entry = db_session.scalar(
        select(GoodPractice).where(GoodPractice.source == "protective_factor")
    )
    assert [f.ref for f in entry.factors] == ["F7"]
    # Only protective factors can be what made it work.
    refused = post_form(client, url, _form(source="protective_factor", factors=["F1"]))
    assert refused.status_code == 422
    assert "not a protective factor" in refused.get_data(as_text=True)


def test_an_entry_cannot_start_from_the_wrong_kind_of_source(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    base = f"/reviews/{world.review_id}/good-practice/new"
    latent = client.get(f"{base}?factor=F1")  # F1 is a latent condition
    assert latent.status_code == 400
    assert (
        "Factor F1 is a latent condition, not a protective factor: only a protective factor "
        "can start a good-practice entry." in latent.get_data(as_text=True)
    )
    unappraised = client.get(f"{base}?event=E1")  # E1 is not appraised as good practice
    assert unappraised.status_code == 400
    page = unappraised.get_data(as_text=True)
    assert "Event E1 is not appraised as good practice" in page
    assert 'name="story"' not in page  # no form pre-filled as if it were good practice
    event = db_session.scalar(select(Event).where(Event.review_id == world.review_id))
    event.appraisal = "problematic"
    db_session.commit()
    assert client.get(f"{base}?event=E1").status_code == 400


def test_an_entry_from_a_protective_factor_does_not_copy_the_story_twice(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    factor_service.create_factor(
        session=db_session,
        review=_review(db_session, world),
        ref="F8",
        label="The same officer attended",
        type="protective",
        level="practice",
        description="Continuity: the same officer had attended before.",
    )
    db_session.commit()
    login("chair")
    form = client.get(f"/reviews/{world.review_id}/good-practice/new?factor=F8")
    assert form.status_code == 200
    assert form.get_data(as_text=True).count("Continuity: the same officer had attended") == 1


@pytest.mark.parametrize(
    "source", ["case_audit", "practice_observation", "supervision", "feedback"]
)
def test_good_practice_from_outside_a_review_is_entered_directly(
    client: Any, login: Any, db_session: Any, source: str
) -> None:
    login("observer")  # any user of the partnership may record it
    response = post_form(
        client,
        "/good-practice/new",
        _form(
            title="Father included in the plan",
            story="The worker called Father too.",
            source=source,
            agency="Northshire Police",
            themes="Fathers",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db_session.scalar(select(GoodPractice).where(GoodPractice.source == source))
    assert entry.review_id is None and entry.ref == "QA1"
    assert entry.agency.name == "Northshire Police"


def test_what_the_user_typed_stays_when_the_entry_is_refused(client: Any, login: Any) -> None:
    login("observer")
    response = post_form(client, "/good-practice/new", _form(title="", story="Kept text here."))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kept text here." in page and "Give the entry a short title" in page


# --- the sharing workflow and its gate -------------------------------------------------------


def test_approval_needs_consent_and_a_chair_or_board_member(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world)
    url = f"/good-practice/{entry.id}/approve"
    login("lead_reviewer")
    assert post_form(client, url, {}).status_code == 403
    login("chair")
    page = client.get(post_form(client, url, {}).location).get_data(as_text=True)
    assert "Record consent to share before approving" in page
    db_session.refresh(entry)
    assert entry.share_status == "draft"
    entry.consent_to_share = True
    db_session.commit()
    login("board_member")
    post_form(client, url, {})
    db_session.refresh(entry)
    assert entry.share_status == "approved"
    assert entry.approved_by_id == world.users["board_member"] and entry.approved_at


def test_a_planted_real_name_blocks_sharing_until_the_text_is_fixed(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(
        db_session,
        world,
        story="Tamsin told the officer she was scared.",
        consent_to_share=True,
    )
    login("chair")
    assert post_form(client, f"/good-practice/{entry.id}/approve", {}).status_code == 422
    # Approved elsewhere (a bundle import records approval as it happened): sharing still checks.
    entry.share_status = "approved"
    db_session.commit()
    share_url = f"/good-practice/{entry.id}/share"
    page = client.get(share_url).get_data(as_text=True)
    assert "<mark>Tamsin</mark> told the officer" in page  # the hit, in context
    blocked = post_form(client, share_url, {"where": "Learning circle", "on": "2025-06-12"})
    assert blocked.status_code == 422
    db_session.refresh(entry)
    assert entry.share_status == "approved" and entry.shared == []
    # Fixing the text at source changes it, so it needs approval again; then it shares.
    edit = client.get(f"/good-practice/{entry.id}/edit").get_data(as_text=True)
    assert "Tamsin told the officer" in edit
    saved = post_form(
        client,
        f"/good-practice/{entry.id}/edit",
        _form(
            title=entry.title,
            story="Child T told the officer she was scared.",
            source="other",
            consent_to_share="y",
            version=str(entry.version),
        ),
    )
    assert saved.status_code == 302
    db_session.refresh(entry)
    assert entry.share_status == "draft"
    post_form(client, f"/good-practice/{entry.id}/approve", {})
    today = date.today().isoformat()
    shared = post_form(client, share_url, {"where": "Learning circle", "on": today})
    assert shared.status_code == 302
    db_session.refresh(entry)
    assert entry.share_status == "shared"
    assert entry.shared == [{"where": "Learning circle", "on": today}]
    page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert f"Learning circle, {uk_date(date.today())}" in page  # the app's date format
    assert today not in page


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2099-01-01", "The date it was shared cannot be in the future"),
        ("1900-01-01", "The date it was shared cannot be before the entry was approved"),
        ("2025-02-30", "Enter a real date"),
    ],
)
def test_the_date_shared_is_not_in_the_future_nor_before_approval(
    client: Any, login: Any, world: World, db_session: Any, on: str, message: str
) -> None:
    entry = _entry(db_session, world, consent_to_share=True)
    login("chair")
    post_form(client, f"/good-practice/{entry.id}/approve", {})
    refused = post_form(
        client, f"/good-practice/{entry.id}/share", {"where": "Team meeting", "on": on}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert message in page
    assert f'value="{on}"' in page and 'value="Team meeting"' in page  # what they typed stays
    db_session.refresh(entry)
    assert entry.share_status == "approved" and entry.shared == []


def test_a_draft_is_not_offered_the_share_form(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, consent_to_share=True)
    login("chair")
    page = client.get(f"/good-practice/{entry.id}/share").get_data(as_text=True)
    assert "This entry is a draft, so it cannot be recorded as shared yet" in page
    assert "Record as shared" not in page and 'name="where"' not in page


IDENTIFYING = "14 Acacia Road, Eastmere EM1 2AB, on 07700 900123 (DOB 03/04/2018)"
IDENTIFYING_PARTS = ("Acacia Road", "EM1 2AB", "07700 900123", "03/04/2018")


def test_approval_shows_the_anonymisation_findings_and_is_refused_while_there_are_any(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(
        db_session,
        world,
        story=f"The officer visited the family at {IDENTIFYING}.",
        consent_to_share=True,
    )
    login("chair")
    page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert "The check found 4 things that could identify someone" in page
    assert "<mark>EM1 2AB</mark>" in page
    refused = post_form(client, f"/good-practice/{entry.id}/approve", {})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "There is a problem" in text
    assert "could identify someone (address “14 Acacia Road”; postcode “EM1 2AB”" in text
    assert (
        "phone “07700 900123”; date of birth “03/04/2018”). Change the entry, then approve it"
        in text
    )
    db_session.refresh(entry)
    assert entry.share_status == "draft" and entry.approved_at is None


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_briefings_remove_identifying_details_and_say_which_entries_to_fix(
    client: Any, login: Any, world: World, db_session: Any, fmt: str
) -> None:
    clean = _entry(db_session, world, title="Clean entry", story="Nothing to find here.")
    leaky = _entry(
        db_session,
        world,
        title="Visit at home",
        story=f"The officer visited Tamsin at {IDENTIFYING}.",
        what_made_it_work="Ring 07700 900123 first.",
    )
    login("observer")
    read = {"html": lambda d: d.decode(), "pdf": _text_of_pdf, "docx": _text_of_docx}[fmt]
    for url in (
        f"/reviews/{world.review_id}/good-practice/briefing.{fmt}",
        f"/api/v1/reviews/{world.review_id}/briefing.{fmt}",
        f"/good-practice/briefing.{fmt}?entries={clean.id}&entries={leaky.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        flat = " ".join(read(response.get_data()).split())
        for part in (*IDENTIFYING_PARTS, "Tamsin"):
            assert part not in flat, (url, part)
        assert "Child T" in flat  # pseudonyms first, then the scan
        assert "[identifying detail removed]" in flat
        assert "the anonymisation check found 5 details that could identify someone" in flat
        assert f"fixed at source in the register: {leaky.ref} “Visit at home”." in flat
        assert "Clean entry" in flat and f"{clean.ref} “Clean entry”" not in flat
    # The review's overview says which entries to fix, and links to them.
    page = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "The anonymisation check finds identifying details in 1 entry" in page
    assert f"/good-practice/{leaky.id}#anonymisation-check" in page


def test_a_school_name_from_the_agencies_register_blocks_approval_and_sharing(
    world: World, db_session: Any
) -> None:
    from app.services.reviews import directory_agency

    review = _review(db_session, world)
    directory_agency(db_session, review.partnership_id, "Quillfeather Primary School", "School")
    entry = _entry(
        db_session,
        world,
        story="The teacher at Quillfeather Primary School noticed.",
        consent_to_share=True,
    )
    chair = db_session.get(User, world.users["chair"])
    with pytest.raises(service.SharingBlockedError) as refused:
        service.approve_entry(session=db_session, entry=entry, approver=chair)
    assert any(hit.kind == "school" for hit in refused.value.hits)
    entry.share_status = "approved"  # as a bundle import may record it
    with pytest.raises(service.SharingBlockedError) as blocked:
        service.share_entry(session=db_session, entry=entry, where="Bulletin", on=date.today())
    assert any(hit.kind == "school" for hit in blocked.value.hits)


def test_a_draft_cannot_be_shared(world: World, db_session: Any) -> None:
    entry = _entry(db_session, world, consent_to_share=True)
    with pytest.raises(ServiceError, match="must be approved"):
        service.share_entry(session=db_session, entry=entry, where="Bulletin", on="2025-01-01")


# --- the register: filters, counts, visibility -----------------------------------------------


def _three_entries(db_session: Any, world: World) -> None:
    _entry(
        db_session,
        world,
        title="Worry box",
        story="A box.",
        themes=["Voice of the child"],
        source="event",
        agency="POL",
    )
    _entry(
        db_session,
        world,
        title="Quick referral",
        story="Same day.",
        themes=["Voice of the child", "Information sharing"],
        source="supervision",
    )
    _entry(
        db_session,
        world,
        review=False,
        title="Joint visit in an audit",
        story="Housing and health together.",
        themes=["Information sharing"],
        source="case_audit",
    )


def _titles(client: Any, query: str) -> set[str]:
    page = client.get(f"/good-practice?{query}", follow_redirects=True).get_data(as_text=True)
    return {t for t in ("Worry box", "Quick referral", "Joint visit in an audit") if t in page}


def test_the_register_filters_by_text_theme_agency_review_source_and_date(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    _three_entries(db_session, world)
    login("chair")
    everything = {"Worry box", "Quick referral", "Joint visit in an audit"}
    assert _titles(client, "") == everything
    assert _titles(client, "q=same+day") == {"Quick referral"}
    assert _titles(client, "theme=voice+of+the+child") == {"Worry box", "Quick referral"}
    police = db_session.scalar(
        select(GoodPractice).where(GoodPractice.title == "Worry box")
    ).agency_id
    assert _titles(client, f"agency={police}") == {"Worry box"}
    assert _titles(client, f"review={world.review_id}") == {"Worry box", "Quick referral"}
    assert _titles(client, "review=none") == {"Joint visit in an audit"}
    assert _titles(client, "source=supervision") == {"Quick referral"}
    today = date.today().isoformat()
    assert _titles(client, f"from={today}&to={today}") == everything
    assert _titles(client, "to=2000-01-01") == set()
    assert _titles(client, "to=01/01/2000") == set()  # day first, as the form asks
    wrong = client.get("/good-practice?from=12/31/2025").get_data(as_text=True)
    assert "12/31/2025&#39; is not a day: write it day first" in wrong
    assert 'value="12/31/2025"' in wrong  # what was typed is kept
    page = client.get("/good-practice").get_data(as_text=True)
    assert "Voice of the child</a> (2)" in page and "Information sharing</a> (2)" in page


def test_users_see_entries_of_their_reviews_and_those_outside_reviews_only(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    _three_entries(db_session, world)
    other = _entry(db_session, world, title="Entry of the other review", story="Elsewhere.")
    other.review_id = world.other_review_id
    db_session.commit()
    login("other_member")  # a member of the other review only
    page = client.get("/good-practice").get_data(as_text=True)
    assert "Joint visit in an audit" in page and "Entry of the other review" in page
    assert "Worry box" not in page and "Quick referral" not in page
    hidden = db_session.scalar(select(GoodPractice).where(GoodPractice.title == "Worry box"))
    assert client.get(f"/good-practice/{hidden.id}").status_code == 404
    login("outsider")  # another partnership sees none of ours
    page = client.get("/good-practice").get_data(as_text=True)
    assert "Joint visit in an audit" not in page and "Worry box" not in page
    assert client.get(f"/good-practice/{hidden.id}").status_code == 404


def test_evidence_links_show_only_for_users_who_may_open_them(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, events=["E1"], account="AC1")
    login("panel_member")
    page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert f'href="/reviews/{world.review_id}/events/E1"' in page
    assert f'href="/reviews/{world.review_id}/accounts/AC1"' in page
    login("board_member")  # boards may not read accounts
    page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert f'href="/reviews/{world.review_id}/events/E1"' in page
    assert "/accounts/AC1" not in page and "Account AC1" in page


@pytest.mark.parametrize(
    ("who", "view", "edit", "approve"),
    [
        ("panel_member", 200, 200, 403),  # the author
        ("observer", 200, 403, 403),  # same partnership, not an approver
        ("chair", 200, 200, 302),  # a chair of one of the partnership's reviews
        ("other_member", 200, 200, 302),  # a chair of another of its reviews
        ("admin", 200, 403, 403),  # site admin, no role in any review
        ("outsider", 404, 404, 404),  # another partnership
    ],
)
def test_entries_outside_a_review_follow_the_partnership_rules(
    client: Any,
    login: Any,
    world: World,
    db_session: Any,
    who: str,
    view: int,
    edit: int,
    approve: int,
) -> None:
    entry = _entry(db_session, world, review=False, consent_to_share=True)
    login(who)
    assert client.get(f"/good-practice/{entry.id}").status_code == view
    assert client.get(f"/good-practice/{entry.id}/edit").status_code == edit
    assert post_form(client, f"/good-practice/{entry.id}/approve", {}).status_code == approve


def _other_agency_entry(db_session: Any, world: World, **values: Any) -> GoodPractice:
    """An entry of the review from an agency that is not the agency representative's."""
    from app.services.reviews import add_agency

    add_agency(
        session=db_session, review=_review(db_session, world), name="Northshire HV", ref="HV"
    )
    return _entry(db_session, world, title="Health visitor's entry", agency="HV", **values)


def test_an_agency_representative_changes_only_their_own_agencys_entries(
    client: Any, login: Any, api: Any, world: World, db_session: Any
) -> None:
    own = _entry(db_session, world, title="Police entry", agency="POL")
    other = _other_agency_entry(db_session, world)
    login("agency_rep")
    page = client.get(f"/good-practice/{other.id}").get_data(as_text=True)
    assert "Health visitor&#39;s entry" in page
    assert f"/good-practice/{other.id}/edit" not in page and "Delete entry" not in page
    assert client.get(f"/good-practice/{other.id}/edit").status_code == 403
    assert post_form(client, f"/good-practice/{other.id}/delete", {}).status_code == 403
    assert (
        client.delete(f"/api/v1/good-practice/{other.id}", headers=api("agency_rep")).status_code
        == 403
    )
    made = client.post(
        "/api/v1/good-practice",
        json={"title": "t", "story": "s", "review": world.review_id, "agency": "HV"},
        headers=api("agency_rep"),
    )
    assert made.status_code == 403
    db_session.expire_all()
    assert db_session.scalar(select(GoodPractice).where(GoodPractice.id == other.id)) is not None
    # Their own agency's entry: both links, and both work.
    page = client.get(f"/good-practice/{own.id}").get_data(as_text=True)
    assert f"/good-practice/{own.id}/edit" in page and "Delete entry" in page
    moved = post_form(
        client,
        f"/good-practice/{own.id}/edit",
        _form(title="Police entry", agency="HV", version=str(own.version)),
    )
    assert moved.status_code == 422 and "only their own agency" in moved.get_data(as_text=True)
    own_id = own.id
    assert post_form(client, f"/good-practice/{own_id}/delete", {}).status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(GoodPractice).where(GoodPractice.id == own_id)) is None


def test_only_the_chair_deletes_a_shared_entry(
    client: Any, login: Any, api: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, consent_to_share=True)
    chair = db_session.get(User, world.users["chair"])
    service.approve_entry(session=db_session, entry=entry, approver=chair)
    service.share_entry(session=db_session, entry=entry, where="Bulletin", on=date.today())
    db_session.commit()
    for who in ("lead_reviewer", "panel_member"):
        login(who)
        page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
        assert "Delete entry" not in page and f"/good-practice/{entry.id}/edit" in page
        assert post_form(client, f"/good-practice/{entry.id}/delete", {}).status_code == 403
        assert (
            client.delete(f"/api/v1/good-practice/{entry.id}", headers=api(who)).status_code == 403
        )
    login("chair")
    assert "Delete entry" in client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert (
        client.delete(f"/api/v1/good-practice/{entry.id}", headers=api("chair")).status_code == 204
    )


def test_a_facilitator_changes_only_the_entries_they_recorded(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    someone_elses = _entry(db_session, world)  # recorded by the panel member
    login("facilitator")
    assert client.get(f"/good-practice/{someone_elses.id}/edit").status_code == 403
    made = post_form(
        client, f"/reviews/{world.review_id}/good-practice/new", _form(title="From the workshop")
    )
    assert made.status_code == 302
    mine = db_session.scalar(select(GoodPractice).where(GoodPractice.title == "From the workshop"))
    assert client.get(f"/good-practice/{mine.id}/edit").status_code == 200


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Any) -> None:
    response = client.get("/good-practice")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


# --- outputs ---------------------------------------------------------------------------------


def _text_of_pdf(data: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def _text_of_docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_the_review_briefing_reads_back_pseudonymised_with_drafts_marked(
    client: Any, login: Any, world: World, db_session: Any, fmt: str
) -> None:
    _entry(
        db_session,
        world,
        title="Tam was seen alone",
        story="The officer saw Tamsin Testcase alone in the kitchen.",
        what_made_it_work="Time set aside for the child.",
        themes=["Voice of the child"],
        four_d={"deliver": "Team manager to add it to the visit checklist."},
    )
    login("observer")
    response = client.get(f"/reviews/{world.review_id}/good-practice/briefing.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    text = {"html": lambda d: d.decode(), "pdf": _text_of_pdf, "docx": _text_of_docx}[fmt](data)
    flat = " ".join(text.split())
    for heading in (
        "What happened, in brief",
        "Why it matters",
        "What worked",
        "What to do next",
        "Questions to reflect on",
    ):
        assert heading in flat, heading
    assert "DRAFT" in flat
    assert "Time set aside for the child." in flat
    assert "Team manager to add it to the visit checklist." in flat
    assert "Tamsin" not in flat and "Testcase" not in flat
    assert "Child T" in flat


def test_the_briefing_of_chosen_entries_leaves_out_what_the_user_may_not_see(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    mine = _entry(db_session, world, title="Visible entry", story="Seen.")
    theirs = _entry(db_session, world, title="Entry of the other review", story="Not for you.")
    theirs.review_id = world.other_review_id
    db_session.commit()
    login("observer")
    response = client.get(f"/good-practice/briefing.html?entries={mine.id}&entries={theirs.id}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Visible entry" in text and "Entry of the other review" not in text
    assert "Entry of the other review" not in text
    for query in (f"?entries={theirs.id}", ""):
        nothing = client.get(f"/good-practice/briefing.html{query}")
        assert nothing.status_code == 400
        page = nothing.get_data(as_text=True)
        assert "Choose at least one entry for the briefing" in page
        assert "Search and filter" not in page  # an error, not the register again


def test_the_bulletin_holds_newly_shared_entries_only(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    shared = _entry(
        db_session, world, title="Shared lately", story="It spread.", consent_to_share=True
    )
    _entry(db_session, world, title="Still a draft", story="Not yet.")
    old = _entry(
        db_session, world, title="Shared long ago", story="Old news.", consent_to_share=True
    )
    chair = db_session.get(User, world.users["chair"])
    for entry in (shared, old):
        service.approve_entry(session=db_session, entry=entry, approver=chair)
        service.share_entry(session=db_session, entry=entry, where="Bulletin", on=date.today())
    old.shared = [{"where": "Bulletin", "on": "2020-01-01"}]  # as a bundle import records it
    db_session.commit()
    login("observer")
    response = client.get("/good-practice/bulletin.html")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "Shared lately" in html
    assert "Still a draft" not in html and "Shared long ago" not in html
    assert 'style="' in html  # inline styles: mail clients drop style sheets


def test_the_overview_balances_good_practice_against_problems(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("observer")
    page = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "This review records no good practice yet" in page
    assert service.review_good_practice(db_session, _review(db_session, world)) == []
    entry = _entry(db_session, world, title="Quick follow-up")
    page = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "This review records no good practice yet" not in page
    assert "Quick follow-up" in page
    assert service.review_good_practice(db_session, _review(db_session, world)) == [entry]


# --- API ------------------------------------------------------------------------------------


def test_api_creates_reads_filters_changes_and_deletes_entries(
    client: Any, api: Any, world: World
) -> None:
    headers = api("panel_member")
    made = client.post(
        "/api/v1/good-practice",
        json={
            "title": "Quick call",
            "story": "Rang the same day.",
            "review": world.review_id,
            "agency": "POL",
            "themes": ["Information sharing"],
            "events": ["E1"],
        },
        headers=headers,
    )
    assert made.status_code == 201, made.json
    assert made.json["ref"] == "GP1" and made.json["share_status"] == "draft"
    assert made.json["agency"] == "POL" and made.json["events"] == ["E1"]
    url = f"/api/v1/good-practice/{made.json['id']}"
    outside = client.post(
        "/api/v1/good-practice", json={"title": "Audit find", "story": "Good."}, headers=headers
    )
    assert outside.status_code == 201 and outside.json["review"] is None

    def refs(query: str) -> list[str]:
        return [
            i["ref"]
            for i in client.get(f"/api/v1/good-practice?{query}", headers=headers).json["items"]
        ]

    assert sorted(refs("")) == ["GP1", "QA1"]
    assert refs(f"review={world.review_id}") == ["GP1"]
    assert refs("review=none") == ["QA1"]
    assert refs("theme=information%20sharing") == ["GP1"]
    assert refs("agency=POL") == ["GP1"] and refs("agency=Northshire%20Police") == ["GP1"]
    assert client.patch(url, json={"title": "x"}, headers=headers).status_code == 428
    etag = client.get(url, headers=headers).headers["ETag"]
    changed = client.patch(
        url, json={"title": "Quick call back"}, headers={**headers, "If-Match": etag}
    )
    assert changed.status_code == 200 and changed.json["title"] == "Quick call back"
    stale = client.patch(url, json={"title": "Lost"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    sneaky = client.patch(
        url,
        json={"share_status": "shared"},
        headers={**headers, "If-Match": changed.headers["ETag"]},
    )
    assert sneaky.status_code == 422
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_api_post_needs_title_and_story_and_membership_of_the_review(
    client: Any, api: Any, world: World
) -> None:
    missing = client.post("/api/v1/good-practice", json={"title": "No story"}, headers=api("chair"))
    assert missing.status_code == 422 and missing.json["errors"]
    stranger = client.post(
        "/api/v1/good-practice",
        json={"title": "t", "story": "s", "review": world.review_id},
        headers=api("other_member"),
    )
    assert stranger.status_code == 404
    observer = client.post(
        "/api/v1/good-practice",
        json={"title": "t", "story": "s", "review": world.review_id},
        headers=api("observer"),
    )
    assert observer.status_code == 403
    born_shared = client.post(
        "/api/v1/good-practice",
        json={"title": "t", "story": "s", "share_status": "shared"},
        headers=api("chair"),
    )
    assert born_shared.status_code == 422


def test_api_briefing_documents(client: Any, api: Any, world: World, db_session: Any) -> None:
    _entry(db_session, world, title="Officer saw the child alone")
    headers = api("board_member")
    pdf = client.get(f"/api/v1/reviews/{world.review_id}/briefing.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert "Officer saw the child alone" in " ".join(_text_of_pdf(pdf.get_data()).split())
    docx = client.get(f"/api/v1/reviews/{world.review_id}/briefing.docx", headers=headers)
    assert "Officer saw the child alone" in _text_of_docx(docx.get_data())
    assert (
        client.get(f"/api/v1/reviews/{world.review_id}/briefing.html", headers=headers).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/reviews/{world.review_id}/briefing.html", headers=api("other_member")
        ).status_code
        == 404
    )


def test_the_api_documents_the_good_practice_routes(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/good-practice" in paths and "/api/v1/good-practice/{entry_id}" in paths
    assert "/api/v1/reviews/{review_id}/briefing.{fmt}" in paths


# --- bundle and demo -------------------------------------------------------------------------


def test_bundle_with_good_practice_round_trips_exactly(client: Any, api: Any) -> None:

    bundle = {
        **BUNDLE,
        "events": [
            {
                "ref": "E1",
                "date": "2021-05-04",
                "date_precision": "day",
                "agency": "A1",
                "source": "agency_record",
                "description": "Call logged and passed on.",
                "appraisal": "good_practice",
            }
        ],
        "factors": [
            {
                "ref": "F1",
                "label": "Call handler knew the family",
                "type": "protective",
                "level": "practice",
            }
        ],
        "good_practice": [
            {
                "ref": "GP1",
                "title": "Call passed on within the hour",
                "story": "The call handler passed it to the health visitor.",
                "what_made_it_work": "A shared duty phone.",
                "agency": "A1",
                "themes": ["Information sharing"],
                "events": ["E1"],
                "factors": ["F1"],
                "share_status": "shared",
                "source": "event",
                "consent_to_share": True,
                "four_d": {"discover": "Fast sharing.", "deliver": "Keep the phone."},
                "shared": [{"where": "Bulletin", "on": "2023-11-01"}],
            },
            {
                "ref": "GP2",
                "title": "Family asked what helped",
                "story": "Feedback from the family.",
                "share_status": "draft",
                "source": "feedback",
                "consent_to_share": False,
            },
        ],
    }
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers).json
    assert exported == bundle


def test_the_demo_review_has_eight_entries_across_four_agencies_and_shared_ones_pass_the_check(
    runner: Any, db_session: Any
) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    review = db_session.scalar(select(Review).where(Review.subject == "Child F"))
    entries = service.review_good_practice(db_session, review)
    assert len(entries) == 8
    assert len({e.agency_id for e in entries}) >= 4
    assert {e.share_status for e in entries} == {"draft", "approved", "shared"}
    for entry in entries:
        if entry.share_status != "draft":
            assert service.scan_entry(db_session, entry) == [], entry.ref
    outside = db_session.scalars(
        select(GoodPractice).where(
            GoodPractice.partnership_id == review.partnership_id, GoodPractice.review_id.is_(None)
        )
    ).all()
    assert len(outside) == 1


def _pages_of_pdf(data: bytes) -> int:
    assert shutil.which("pdfinfo"), "pdfinfo (poppler-utils) is needed"
    result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    return int(
        next(
            line for line in result.stdout.decode().splitlines() if line.startswith("Pages:")
        ).split()[1]
    )


def test_the_demo_reviews_briefing_is_one_page_that_names_every_entry(
    client: Any, login: Any, runner: Any, db_session: Any
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    review = db_session.scalar(select(Review).where(Review.subject == "Child F"))
    entries = service.review_good_practice(db_session, review)
    pdf = service.review_briefing(db_session, review, "pdf")
    assert _pages_of_pdf(pdf) == 1
    for text in (
        _text_of_pdf(pdf),
        _text_of_docx(service.review_briefing(db_session, review, "docx")),
    ):
        flat = " ".join(text.split())
        for entry in entries:
            assert entry.title in flat, entry.ref
        # The case in brief is the review's own summary, and why it matters draws on the review.
        assert "how agencies worked together to understand Child F" in flat
        assert "The review's chronology appraises" in flat
        assert "Midwifery safeguarding lead to check the online booking form by June." in flat
        assert "Reviews are geared to what went wrong" not in flat  # no boilerplate


# --- cosmetics -------------------------------------------------------------------------------


def test_no_form_prints_a_python_none_into_an_attribute(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, consent_to_share=True)
    entry.share_status = "approved"
    db_session.commit()
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    assert 'spellcheck="false"' in sign_in_page  # kept where it is meant to be
    login("chair")
    for url in (
        "/good-practice/new",
        f"/reviews/{world.review_id}/good-practice/new",
        f"/good-practice/{entry.id}/edit",
        f"/good-practice/{entry.id}/share",
        f"/reviews/{world.review_id}/events/new",
        f"/reviews/{world.review_id}/factors/new",
        f"/reviews/{world.review_id}/edit",
        "/account",
    ):
        page = client.get(url).get_data(as_text=True)
        assert '="None"' not in page, url


def test_the_story_and_what_made_it_work_have_body_text_styling(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, what_made_it_work="A shared duty phone.")
    login("observer")
    page = client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert '<div class="lr-markdown govuk-body"><p>The officer rang the next day.</p>' in page
    assert '<div class="lr-markdown govuk-body"><p>A shared duty phone.</p>' in page


def test_the_register_offers_a_date_for_the_bulletin(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, title="Shared in March", story="s", consent_to_share=True)
    service.approve_entry(
        session=db_session, entry=entry, approver=db_session.get(User, world.users["chair"])
    )
    entry.share_status = "shared"
    entry.shared = [{"where": "Bulletin", "on": "2025-03-10"}]
    db_session.commit()
    login("observer")
    page = client.get("/good-practice").get_data(as_text=True)
    assert '<label class="govuk-label" for="since">Shared on or after</label>' in page
    # Day first, in a text box (not the browser's mm/dd/yyyy picker).
    assert 'name="since" type="text" inputmode="numeric"' in page
    assert "Shared in March" not in client.get("/good-practice/bulletin.html").get_data(
        as_text=True
    )
    chosen = client.get("/good-practice/bulletin.html?since=2025-03-01").get_data(as_text=True)
    assert "Shared in March" in chosen and "shared since 1 March 2025" in chosen
    typed = client.get("/good-practice/bulletin.html?since=01/03/2025").get_data(as_text=True)
    assert "shared since 1 March 2025" in typed
    wrong = client.get("/good-practice/bulletin.html?since=03/31/2025", follow_redirects=True)
    assert "03/31/2025&#39; is not a day: write it day first" in wrong.get_data(as_text=True)


def test_the_api_agency_filter_takes_the_id_the_register_uses(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world, agency="POL")
    headers = api("chair")

    def refs(agency: str) -> list[str]:
        url = f"/api/v1/good-practice?agency={agency}"
        return [i["ref"] for i in client.get(url, headers=headers).json["items"]]

    assert refs(str(entry.agency_id)) == [entry.ref]
    assert refs("POL") == [entry.ref] and refs("999999") == []
    described = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/good-practice"]
    agency = next(p for p in described["get"]["parameters"] if p["name"] == "agency")
    assert "its id in the partnership's directory" in agency["description"]


def test_api_errors_do_not_echo_a_huge_ref(client: Any, api: Any, world: World) -> None:
    huge = "E" + "9" * 5000
    for body in (
        {"title": "t", "story": "s", "review": world.review_id, "events": [huge]},
        {"title": "t", "story": "s", "review": world.review_id, "agency": huge},
        {"title": "t", "story": "s", "agency_name": huge},
    ):
        answer = client.post("/api/v1/good-practice", json=body, headers=api("chair"))
        assert answer.status_code == 422
        text = answer.get_data(as_text=True)
        assert len(text) < 1000 and "9" * 100 not in text
        assert "E99999" in text  # still says which value it was
