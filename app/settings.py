"""The app's configuration as the plain settings objects services take as arguments: the
services never read Flask's configuration themselves (an import-linter contract)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context

from analysis.graph.looks import DEFAULT_MAX_NODES
from app.services.graph import DEFAULT_FALLBACK_TIMEOUT, DEFAULT_RENDER_TIMEOUT, GraphSettings


def graph_settings() -> GraphSettings:
    """``GRAPH_CACHE_DIR``, ``GRAPH_RENDER_TIMEOUT``, ``GRAPH_FALLBACK_TIMEOUT`` and
    ``GRAPH_MAX_NODES``; the defaults with no cache outside an app."""
    if not has_app_context():
        return GraphSettings()
    config = current_app.config
    cache_dir = config.get("GRAPH_CACHE_DIR")
    return GraphSettings(
        cache_dir=Path(cache_dir) if cache_dir else None,
        timeout=float(config.get("GRAPH_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT)),
        fallback_timeout=float(config.get("GRAPH_FALLBACK_TIMEOUT", DEFAULT_FALLBACK_TIMEOUT)),
        max_nodes=int(config.get("GRAPH_MAX_NODES", DEFAULT_MAX_NODES)),
    )
