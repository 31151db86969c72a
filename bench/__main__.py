"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

from bench import (
    audit_chain,
    chronology,
    duplicates,
    graph,
    graph_render,
    recurring,
    review_pages,
    workshop,
)


def main() -> None:
    audit_chain.run()
    chronology.run()
    duplicates.run()
    graph.run()
    graph_render.run()
    recurring.run()
    workshop.run()
    review_pages.run()


if __name__ == "__main__":
    main()
