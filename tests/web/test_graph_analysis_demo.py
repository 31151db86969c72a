"""The graph analysis on the demo review "Child F": what a panel would see is meaningful."""

from __future__ import annotations

from typing import Any

from analysis.graph.analysis import analyse, analysis_json
from app.demo import seed_demo
from app.report_generation import render_settings
from app.services.graph import review_graph


def test_the_demo_review_shows_latent_conditions_reaching_the_front_line(
    app: Any, db_session: Any
) -> None:
    with app.app_context():  # seed_demo checks passwords against the app's settings
        review = seed_demo(db_session, render=render_settings())
    a = analyse(review_graph(db_session, review))

    assert (len(a.active_failures), len(a.latent_conditions), len(a.protective)) == (10, 14, 6)
    reaching = [ref for ref, found in a.reach.items() if found.events and found.active_failures]
    assert len(reaching) >= 5, "latent conditions should act through active failures on events"
    assert a.leverage and a.reach[a.leverage[0].ref].events
    assert a.leverage[0].score == max(row.score for row in a.leverage)
    aligned = [row for row in a.alignment if row.latent_conditions]
    assert aligned and len(aligned[0].levels) >= 2, "a problematic event with layers behind it"
    codes = {check.code for check in a.checks}
    assert "stops_at_front_line" not in codes and "cycle" not in codes
    assert a.themes and all(theme.labels for theme in a.themes)
    body = analysis_json(a)
    assert set(body["leverage"]) <= set(body["latent_conditions"])
