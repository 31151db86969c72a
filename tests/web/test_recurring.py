"""Recurring patterns: four fictional published reviews imported as bundles into one
partnership are grouped into patterns that join the same failure said differently, keep
unlike failures apart, map to the Panel's themes, and follow the curators' decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.services import bundles
from models import Factor, PatternDecision, Review, User
from tests.conftest import World, csrf_token

DATA = Path(__file__).resolve().parent.parent / "data" / "recurring"


@pytest.fixture
def four_reviews(db_session: Any, world: World) -> dict[str, int]:
    """The four bundles imported by the chair of the test review: letter -> review id."""
    importer = db_session.get(User, world.users["chair"])
    ids = {}
    for letter in "abcd":
        data = json.loads((DATA / f"review_{letter}.json").read_text(encoding="utf-8"))
        ids[letter] = bundles.import_bundle(data, session=db_session, importer=importer).id
    db_session.commit()
    return ids


def _patterns(client: Any, api: Any, who: str = "business_manager") -> list[dict[str, Any]]:
    response = client.get("/api/v1/partnership/recurring", headers=api(who))
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json["items"]
    return items


def _pattern_of(items: list[dict[str, Any]], review: int, ref: str) -> dict[str, Any]:
    return next(
        p for p in items if any(f["review"] == review and f["ref"] == ref for f in p["factors"])
    )


def _members(pattern: dict[str, Any]) -> set[tuple[int, str]]:
    return {(f["review"], f["ref"]) for f in pattern["factors"]}


def test_the_same_failure_said_differently_is_one_pattern(
    client: Any, api: Any, four_reviews: dict[str, int]
) -> None:
    a, b, c, d = (four_reviews[k] for k in "abcd")
    items = _patterns(client, api)
    face_value = _pattern_of(items, a, "F1")
    assert {(b, "F1"), (c, "F1"), (d, "F1")} <= _members(face_value)
    assert set(face_value["reviews"]) == {a, b, c, d}
    daily_life = _pattern_of(items, a, "F2")
    assert {(b, "F2"), (d, "F2")} <= _members(daily_life)
    assert set(daily_life["reviews"]) == {a, b, d}
    workforce = _pattern_of(items, a, "F3")
    assert {(c, "F2"), (d, "F3")} <= _members(workforce)
    assert set(workforce["reviews"]) == {a, c, d}
    strategy = _pattern_of(items, b, "F3")
    assert set(strategy["reviews"]) == {b, c}
    assert len([p for p in items if len(p["reviews"]) > 1]) <= 25


def test_unlike_failures_stay_apart(client: Any, api: Any, four_reviews: dict[str, int]) -> None:
    a, b, c, d = (four_reviews[k] for k in "abcd")
    items = _patterns(client, api)
    face_value = _members(_pattern_of(items, a, "F1"))
    assert (c, "F2") not in face_value  # workforce pressure is not face-value acceptance
    assert (b, "F3") not in face_value
    assert (b, "F4") not in _members(_pattern_of(items, a, "F4"))  # GP not invited ≠ IT systems
    assert (d, "F4") not in _members(_pattern_of(items, b, "F1"))  # non-mobile bruising protocol


def test_patterns_carry_dates_levels_actions_panel_themes_and_stubbornness(
    client: Any, api: Any, four_reviews: dict[str, int]
) -> None:
    a = four_reviews["a"]
    face_value = _pattern_of(_patterns(client, api), a, "F1")
    assert face_value["first_seen"] == "2023-03-31" and face_value["last_seen"] == "2026-06-30"
    assert "practice" in face_value["levels"]
    assert {"review": a, "ref": "A1"} in face_value["actions"]
    # Training was agreed after Child Alder, and the pattern came back in three later reviews.
    assert face_value["stubborn"] is True
    assert "critical_thinking" in [t["key"] for t in face_value["panel_themes"]]


def test_factor_labels_are_pseudonymised(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    factor = db_session.scalar(
        select(Factor).where(Factor.review_id == world.review_id, Factor.ref == "F1")
    )
    factor.label = "Tamsin Testcase's explanations accepted at face value"
    db_session.commit()
    text = json.dumps(_patterns(client, api))
    assert "Tamsin" not in text and "Child T" in text


def test_patterns_page_draws_a_chart_with_a_table(
    client: Any, login: Any, four_reviews: dict[str, int]
) -> None:
    login("board_member")
    page = client.get("/partnership/recurring").get_data(as_text=True)
    assert "<svg" in page and 'id="chart-table"' in page
    assert "Stubborn" in page
    assert "Curate" not in page  # board members see the patterns; chairs and the manager curate


def _decide(client: Any, data: dict[str, Any]) -> Any:
    return client.post(
        "/partnership/recurring/decisions",
        data={"csrf_token": csrf_token(client, "/account"), **data},
    )


def test_curators_rename_split_and_merge_and_the_decisions_persist(
    client: Any, api: Any, login: Any, four_reviews: dict[str, int], db_session: Any
) -> None:
    a, d = four_reviews["a"], four_reviews["d"]
    login("business_manager")
    face_value = _pattern_of(_patterns(client, api), a, "F1")
    keys = ",".join(f"{f['review']}:{f['ref']}" for f in face_value["factors"])
    assert (
        _decide(
            client, {"kind": "rename", "factors": keys, "label": "Accounts accepted at face value"}
        ).status_code
        == 302
    )
    renamed = _pattern_of(_patterns(client, api), a, "F1")
    assert renamed["label"] == "Accounts accepted at face value"
    # Split Child Damson's factor out of the pattern.
    response = _decide(client, {"kind": "split", "factors": keys, "move": [f"{d}:F1"]})
    assert response.status_code == 302
    items = _patterns(client, api)
    assert (d, "F1") not in _members(_pattern_of(items, a, "F1"))
    # Merge two things the grouping kept apart: a form with no field for household adults
    # and a male carer unknown to agencies.
    assert (d, "F5") not in _members(_pattern_of(items, a, "F7"))
    _decide(client, {"kind": "merge", "factors": f"{a}:F7", "with": f"{d}:F5", "label": ""})
    merged = _pattern_of(_patterns(client, api), a, "F7")
    assert (d, "F5") in _members(merged)
    assert db_session.scalars(select(PatternDecision)).all()


def test_the_grouping_learns_from_a_merge(
    client: Any, api: Any, login: Any, four_reviews: dict[str, int], db_session: Any, world: World
) -> None:
    from app.services import factors as factor_service

    a, d = four_reviews["a"], four_reviews["d"]
    login("chair")
    _decide(
        client,
        {
            "kind": "merge",
            "factors": f"{a}:F7",
            "with": f"{d}:F5",
            "label": "Adults in the household unknown",
        },
    )
    # A later review says it almost as Child Damson did: it joins the curated pattern.
    later = db_session.get(Review, world.other_review_id)
    factor_service.create_factor(
        session=db_session,
        review=later,
        label="A male carer in the household was not known to agencies",
        type="active_failure",
        level="practice",
    )
    db_session.commit()
    pattern = _pattern_of(_patterns(client, api), a, "F7")
    assert pattern["label"] == "Adults in the household unknown"
    assert world.other_review_id in pattern["reviews"]


def test_bad_decisions_change_nothing(client: Any, login: Any, db_session: Any) -> None:
    login("business_manager")
    response = _decide(client, {"kind": "rename", "factors": "999:F1", "label": "X"})
    assert response.status_code == 302
    assert not db_session.scalars(select(PatternDecision)).all()
    login("board_member")
    assert _decide(client, {"kind": "rename", "factors": "1:F1", "label": "X"}).status_code == 403


def test_thematic_review_puts_chosen_reviews_side_by_side(
    client: Any, login: Any, four_reviews: dict[str, int]
) -> None:
    login("business_manager")
    a, b, c = four_reviews["a"], four_reviews["b"], four_reviews["c"]
    page = client.get(f"/partnership/thematic?reviews={a}&reviews={b}").get_data(as_text=True)
    assert 'id="side-by-side"' in page
    assert "Child Alder: a local review" in page and "Child Birch: a local review" in page
    assert "Child Cedar: a local review</th>" not in page  # not chosen: not a column
    assert "Training on professional curiosity" in page  # an action of Child Alder
    assert "Carers&#39; explanations for the injuries were accepted too readily" in page
    pdf = client.get(f"/partnership/thematic.pdf?reviews={a}&reviews={b}&reviews={c}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/partnership/thematic.docx?reviews={a}&reviews={b}")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    from io import BytesIO

    import docx as python_docx

    text = "\n".join(
        cell.text
        for table in python_docx.Document(BytesIO(docx.data)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "accepted" in text and "Child Birch: a local review" in text
    section = python_docx.Document(BytesIO(docx.data)).sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1
    assert client.get("/partnership/thematic.pdf").status_code == 400


def test_thematic_briefing_counts_one_review_and_shows_due_dates_and_overdue(
    client: Any, login: Any, four_reviews: dict[str, int], db_session: Any
) -> None:
    from datetime import date
    from io import BytesIO

    import docx as python_docx

    from models import Action

    a = four_reviews["a"]
    action = db_session.scalars(select(Action).where(Action.review_id == a)).first()
    action.due, action.status = date(2026, 1, 5), "agreed"
    db_session.commit()
    login("business_manager")
    page = client.get(f"/partnership/thematic?reviews={a}").get_data(as_text=True)
    assert "due 5 Jan 2026" in page and "Overdue</strong>" in page
    document = python_docx.Document(
        BytesIO(client.get(f"/partnership/thematic.docx?reviews={a}").data)
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "across 1 review of" in text and "1 reviews" not in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "5 Jan 2026" in cells and "Overdue" in cells
