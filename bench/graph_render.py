"""AcciMap drawing at size: a generated 300-node review drawn with Graphviz, and served again
from the render cache, as ratios to a 10-node AcciMap (and, through the app, to a trivial API
call) measured in the same run.

Targets: the 300-node AcciMap rendered in at most 5 s; served from the cache in at most 50 ms,
both by the render function alone and by ``GET /api/v1/reviews/{id}/graph.svg`` through
Flask's test client (which also loads the review from the database and writes the DOT).

The review is shaped like a real one (fixed seed): 60 % events, 20 % active failures at the
front line, 20 % latent conditions over the four upper levels; each factor links to about
three nodes on the level below or to events, chosen within a local window of the timeline.
Everything is fictional. The database is a temporary SQLite file.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from alembic import command as alembic_command

from analysis.graph.draw import accimap_dot, render, select_view
from analysis.graph.model import (
    EventNode,
    FactorNode,
    GraphInput,
    KpeNode,
    LinkEdge,
    ReviewGraph,
    build_graph,
)
from app import create_app
from app.cli import alembic_config
from app.security import create_api_token
from app.services.bundles import import_bundle
from app.services.users import create_user, get_or_create_partnership
from models.audit.chain import Actor
from models.engine import make_engine, make_session_factory

SEED = 20_261_126
NODES = 300
BASELINE_NODES = 10
SAMPLES = 30
RENDER_TARGET_S = 5.0
CACHE_TARGET_MS = 50.0
UPPER = ("national", "partnership", "organisation", "team")
WINDOW = 12  # how far along the timeline a factor's links may reach
PASSWORD = "copper kettle meadow 7719"  # noqa: S105 - a fictional user in a throwaway database


def generated_bundle(nodes: int, seed: int = SEED) -> dict[str, Any]:
    """A review bundle of about ``nodes`` events and factors, shaped like a real review."""
    rng = random.Random(seed)
    events_n = max(1, round(nodes * 0.6))
    active_n = max(1, round(nodes * 0.2))
    latent_n = max(1, nodes - events_n - active_n)
    start = date(2021, 1, 1)
    kpes = [
        {"ref": f"K{k + 1}", "title": f"Episode {k + 1}"} for k in range(max(1, events_n // 25))
    ]
    events = []
    for i in range(events_n):
        day = start + timedelta(days=i * 4 + rng.randint(0, 3))
        events.append(
            {
                "ref": f"E{i + 1}",
                "date": day.isoformat(),
                "date_precision": "day",
                "description": f"Practitioner {rng.randint(1, 9)} visits; note {i + 1}.",
                "appraisal": rng.choice(
                    ["problematic", "neutral", "good_practice", "not_appraised"]
                ),
                "kpe": kpes[min(i * len(kpes) // events_n, len(kpes) - 1)]["ref"],
            }
        )
    factors, links = [], []
    # Latent conditions by level, top to bottom; each sits at a point on the timeline.
    positions: dict[str, float] = {}
    by_level: dict[str, list[str]] = {level: [] for level in (*UPPER, "practice")}
    for j in range(active_n):
        ref = f"AF{j + 1}"
        by_level["practice"].append(ref)
        positions[ref] = rng.uniform(0, events_n)
        factors.append(
            {
                "ref": ref,
                "label": f"Front-line step {j + 1} missed",
                "type": "active_failure",
                "level": "practice",
            }
        )
    for j in range(latent_n):
        ref = f"LC{j + 1}"
        level = UPPER[j % len(UPPER)]
        by_level[level].append(ref)
        positions[ref] = rng.uniform(0, events_n)
        factors.append(
            {
                "ref": ref,
                "label": f"Condition {j + 1} in the system",
                "type": "latent_condition",
                "level": level,
            }
        )
    order = (*UPPER, "practice")
    for index, level in enumerate(order):
        below = [r for lv in order[index + 1 :] for r in by_level[lv]]
        for ref in by_level[level]:
            where = positions[ref]
            near_events = [e["ref"] for k, e in enumerate(events) if abs(k - where) <= WINDOW] or [
                events[min(int(where), events_n - 1)]["ref"]
            ]
            near_factors = [r for r in below if abs(positions[r] - where) <= WINDOW * 2]
            pool = near_events if level == "practice" else near_factors + near_events[:2]
            for target in rng.sample(pool, min(3, len(pool))):
                links.append({"source": ref, "target": target, "relation": "contributed_to"})
    # Every event is linked (the AcciMap leaves out events no factor touches), so the picture
    # has all of the nodes: each unlinked event gets the active failure nearest in time.
    linked = {lk["target"] for lk in links}
    for k, event in enumerate(events):
        if event["ref"] not in linked:
            nearest = min(by_level["practice"], key=lambda r, k=k: abs(positions[r] - k))
            links.append({"source": nearest, "target": event["ref"], "relation": "contributed_to"})
    return {
        "format": "learning-review/1",
        "review": {"title": "Generated review", "subject": "Child Z", "review_type": "thematic"},
        "kpes": kpes,
        "events": events,
        "factors": factors,
        "links": links,
    }


def graph_of(bundle: dict[str, Any]) -> ReviewGraph:
    return build_graph(
        GraphInput(
            events=tuple(
                EventNode(
                    e["ref"], e["description"], e["date"], appraisal=e["appraisal"], kpe=e["kpe"]
                )
                for e in bundle["events"]
            ),
            kpes=tuple(KpeNode(k["ref"], k["title"]) for k in bundle["kpes"]),
            factors=tuple(
                FactorNode(f["ref"], f["label"], f["type"], f["level"]) for f in bundle["factors"]
            ),
            links=tuple(
                LinkEdge(lk["source"], lk["target"], lk["relation"]) for lk in bundle["links"]
            ),
        )
    )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _median(action: Callable[[], object], samples: int = SAMPLES) -> float:
    return statistics.median(_timed(action) for _ in range(samples))


def _cold_render(dot: str, samples: int) -> float:
    """Median time to render ``dot`` into an empty cache."""
    times = []
    for _ in range(samples):
        with tempfile.TemporaryDirectory() as folder:
            times.append(_timed(lambda f=folder: render(dot, "svg", timeout=60, cache_dir=Path(f))))
    return statistics.median(times)


def run_functions() -> tuple[float, float]:
    big = graph_of(generated_bundle(NODES))
    small = graph_of(generated_bundle(BASELINE_NODES))
    drawn = accimap_dot(big)
    baseline = _cold_render(accimap_dot(small).dot, 5)
    cold = _cold_render(drawn.dot, 3)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        render(drawn.dot, "svg", timeout=60, cache_dir=cache)
        cached = _median(lambda: render(accimap_dot(big).dot, "svg", timeout=60, cache_dir=cache))
    size = select_view(big).size
    links = sum(1 for *_e, d in big.graph.edges(data=True) if d["kind"] == "link")
    print(f"AcciMap rendering: {size} events and factors drawn, {links} links")
    print(f"  (drawn {'collapsed' if drawn.collapsed else 'in full'})")
    print(f"  {BASELINE_NODES}-node AcciMap baseline   : {baseline * 1000:8.1f} ms")
    print(
        f"  {NODES}-node AcciMap, Graphviz  : {cold * 1000:8.1f} ms  ratio {cold / baseline:6.1f}"
        f"  (target <= {RENDER_TARGET_S:g} s: {'met' if cold <= RENDER_TARGET_S else 'MISSED'})"
    )
    print(
        f"  DOT + from the cache         : {cached * 1000:8.1f} ms  ratio {cached / baseline:6.3f}"
        f"  (target <= {CACHE_TARGET_MS:g} ms: {_verdict(cached * 1000 <= CACHE_TARGET_MS)})"
    )
    return cold, cached


def run_app() -> float:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        alembic_command.upgrade(alembic_config(url), "head")
        app = create_app(
            {
                "ENV_NAME": "testing",
                "DATABASE_URL": url,
                "GRAPH_CACHE_DIR": str(Path(folder) / "cache"),
            }
        )
        engine = make_engine(url)
        session = make_session_factory(engine)()
        session.info["actor"] = Actor(None, "bench")
        with app.app_context():
            partnership = get_or_create_partnership("Bench Partnership", session=session)
            user = create_user(
                session=session,
                email="bench@bench.example.org",
                name="Bench User",
                password=PASSWORD,
                partnership=partnership,
                mfa_exempt=True,
            )
            review = import_bundle(generated_bundle(NODES), session=session, importer=user)
            token = create_api_token(user, "bench", session=session)
            session.commit()
            review_id = review.id
        session.close()
        engine.dispose()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def get(path: str) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        image = f"/api/v1/reviews/{review_id}/graph.svg"
        first = _timed(lambda: get(image))
        baseline = _median(lambda: get("/api/v1/me"))
        cached = _median(lambda: get(image))
        app.extensions["lr_engine"].dispose()
    print(f"GET graph.svg through the app ({NODES}-node review, SQLite)")
    print(f"  GET /api/v1/me baseline      : {baseline * 1000:8.1f} ms")
    print(f"  first request (renders)      : {first * 1000:8.1f} ms  ratio {first / baseline:6.1f}")
    print(
        f"  second request (cache)       : {cached * 1000:8.1f} ms  ratio {cached / baseline:6.1f}"
        f"  (target <= {CACHE_TARGET_MS:g} ms: {_verdict(cached * 1000 <= CACHE_TARGET_MS)})"
    )
    return cached


def run() -> None:
    run_functions()
    run_app()


if __name__ == "__main__":
    run()
