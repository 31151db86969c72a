"""Searches whose words never travel in a URL.

A search for a person's real name in a query string (``?q=Kerry+Holt``) would be kept by
every access log, proxy and browser history on the way. So search forms post their fields to
``POST /search``, which keeps the words on the server for this signed-in browser
(``SavedSearch``) and redirects to the page with ``search=<token>`` in place of ``q``; the
other filters (refs, codes, days) stay in the URL, so paging, exports and bookmarks within the
session keep working. A token is only read for the browser session that made it, and goes
with that session (signing out, or ``prune-sessions``).

A page opened with the words in its URL anyway (an old bookmark, a hand-typed link) is
redirected the same way, so they leave the address bar and browser history at once.
The JSON API takes searches in a POST body (``…/events/search``); ``GET …?q=`` is kept for
existing API clients only.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, flash, g, redirect, request
from flask_login import current_user
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as WerkzeugResponse

from app.db import db
from models import SavedSearch, UserSession

bp = Blueprint("searches", __name__)

TEXT_KEY = "q"
TOKEN_KEY = "search"  # noqa: S105 - a query parameter's name, not a secret
# Saved searches kept per browser session; older ones go first.
KEEP_PER_SESSION = 50
ENDED = "That search has ended (searches last until you sign out): search again."


def _browser_session() -> UserSession | None:
    if not current_user.is_authenticated:
        return None
    row: UserSession | None = g.get("user_session")
    return row


def save(text: str) -> str | None:
    """A token for ``text``, kept for this browser session (None without one)."""
    row = _browser_session()
    if row is None:
        return None
    existing = db().scalar(
        select(SavedSearch.token).where(SavedSearch.session_id == row.id, SavedSearch.text == text)
    )
    if existing is not None:
        return existing
    token = secrets.token_urlsafe(16)
    db().add(SavedSearch(token=token, session_id=row.id, text=text))
    db().flush()
    old = (
        db()
        .scalars(
            select(SavedSearch.id)
            .where(SavedSearch.session_id == row.id)
            .order_by(SavedSearch.id.desc())
            .offset(KEEP_PER_SESSION)
        )
        .all()
    )
    if old:
        db().execute(delete(SavedSearch).where(SavedSearch.id.in_(old)))
    return token


def text_of(args: Mapping[str, str]) -> tuple[str, str | None, str | None]:
    """The words searched for in ``args``: ``(text, token, error)``.

    ``search=<token>`` is read for this browser session only; ``q`` (the API's GET form) is
    read as written. ``error`` says why a token gave nothing."""
    token = (args.get(TOKEN_KEY) or "").strip()
    if token:
        row = _browser_session()
        text = (
            db().scalar(
                select(SavedSearch.text).where(
                    SavedSearch.token == token, SavedSearch.session_id == row.id
                )
            )
            if row is not None
            else None
        )
        if text is None:
            return "", None, ENDED
        return text, token, None
    return (args.get(TEXT_KEY) or "").strip(), None, None


def args_without_text(args: MultiDict[str, str], text: str) -> list[tuple[str, str]]:
    """``args`` with the words replaced by a saved search's token (dropped when empty)."""
    kept = [(k, v) for k, v in args.items(multi=True) if k not in (TEXT_KEY, TOKEN_KEY)]
    if text:
        token = save(text)
        if token is not None:
            kept.append((TOKEN_KEY, token))
    return kept


def _local_path(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return parts.path


@bp.route("/search", methods=["POST"])
def search() -> WerkzeugResponse:
    """A search form's fields: the words kept on the server, the rest carried in the URL of
    the page named by ``back``."""
    back = _local_path(request.form.get("back", ""))
    if back is None:
        flash("That search could not be run: go back to the page and search from there.", "error")
        return redirect(request.script_root + "/", 303)
    fields = MultiDict(
        [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "back")]
    )
    kept = [(k, v) for k, v in args_without_text(fields, fields.get(TEXT_KEY, "").strip()) if v]
    query = urlencode(kept)
    return redirect(request.script_root + back + (f"?{query}" if query else ""), 303)


def text_out_of_url() -> WerkzeugResponse | None:
    """A page opened with the words in its URL: the same page, the words saved instead."""
    if request.method != "GET" or TEXT_KEY not in request.args:
        return None
    if request.path.startswith("/api/") or _browser_session() is None:
        return None
    kept = args_without_text(request.args, request.args.get(TEXT_KEY, "").strip())
    query = urlencode(kept)
    return redirect(request.script_root + request.path + (f"?{query}" if query else ""), 303)


def forget_session(session_id: int) -> None:
    """Drop a browser session's saved searches (on signing out)."""
    db().execute(delete(SavedSearch).where(SavedSearch.session_id == session_id))
