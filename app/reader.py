"""The reader's view: real names reach only those who may read them.

Members whose role on a review may not read real names (``people.real_names``: observers,
board members, facilitators) read every text of it with the people register's pseudonyms in
place of real names and aliases. The rule sits where text leaves the server, so a new page
cannot forget it:

- templates: Jinja's ``finalize`` passes every ``{{ }}`` value through ``reader_text()``
  (titles, attributes, labels, flash and error messages; Markup by its text and attribute
  values, so rendered Markdown and form widgets are covered too);
- JSON: the app's JSON provider changes every string before it is written (every
  ``jsonify``, so every API resource, the live-change feed and the graph data);
- files: exports, graph drawings and documents are built with ``reader_text()`` passed in
  as a plain function (``analysis`` stays pure);
- a last net (``READER_LAST_NET``, on by default): a text response of a review route that
  still holds a registered name or alias (as written, HTML-escaped or JSON-escaped) has it
  replaced, and the route is logged so the boundary it slipped past can be fixed.

Pages that span the partnership (the partnership's views, the dashboard, the good-practice
register) hide the people of every review of the partnership on which the user may not read
real names: those they are not a member of, and those where their role may not.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from flask_login import current_user
from jinja2 import Undefined
from markupsafe import Markup, escape
from werkzeug.sansio.response import Response as SansioResponse

from analysis.anonymise import COMMON_WORDS, RegisterPerson
from app import policy
from app.db import db
from app.errors import JSONProvider
from app.services.anonymity import Anonymiser, anonymiser_for, register_hidden_from

log = logging.getLogger(__name__)

REAL_NAMES = "people.real_names"
# Texts kept per request once changed: a page repeats the same agency, label or ref often.
_MEMO_LIMIT = 20_000
_TEXT_TYPES = ("text/", "application/json", "image/svg+xml", "application/graphml+xml")


def as_written(text: str) -> str:
    """The identity: what a reader who may read real names gets."""
    return text


def reader_anonymiser() -> Anonymiser | None:
    """The anonymiser of the current reader, or None when they may read real names (or the
    request has no signed-in reader). Built once per request."""
    if not has_request_context():
        return None
    if "reader_anonymiser" not in g:
        g.reader_anonymiser = _anonymiser_for_request()
    anonymiser: Anonymiser | None = g.reader_anonymiser
    return anonymiser


def _anonymiser_for_request() -> Anonymiser | None:
    access = g.get("review_access")
    if access is not None:
        if policy.may(REAL_NAMES):
            return None
        return anonymiser_for(db(), access.review)
    if g.get("participant") is not None or not current_user.is_authenticated:
        return None  # participants read the room's view; the public reads published reports
    register = register_hidden_from(
        db(), current_user.id, current_user.partnership_id, policy.REVIEW_ACTIONS[REAL_NAMES]
    )
    return Anonymiser(register=tuple(register)) if register else None


def reads_pseudonyms() -> bool:
    """Whether the current reader reads pseudonyms in place of real names."""
    anonymiser = reader_anonymiser()
    return anonymiser is not None and bool(anonymiser.register)


def reader_text() -> Callable[[str], str]:
    """The current reader's text transform: pseudonyms in place of register names and
    aliases, or the text as written for a reader who may read real names. Pass it to a
    builder (an export, a drawing, a document) as a plain function."""
    anonymiser = reader_anonymiser()
    if anonymiser is None or not anonymiser.register:
        return as_written
    change: Callable[[str], str] | None = g.get("reader_change")
    if change is None:
        memo: dict[str, str] = {}
        pseudonymise = anonymiser.pseudonymise

        def change(text: str) -> str:
            if not text:
                return text
            known = memo.get(text)
            if known is None:
                known = pseudonymise(text)
                if len(memo) < _MEMO_LIMIT:
                    memo[text] = known
            return known

        g.reader_change = change
    return change


def reader_text_if_changed() -> Callable[[str], str] | None:
    """``reader_text()``, or None when it changes nothing (a builder that caches what it
    makes keys the cache by whether the text was changed)."""
    change = reader_text()
    return None if change is as_written else change


def for_reader(text: str | None) -> str:
    """``text`` as the current reader may see it (see ``reader_text``)."""
    return reader_text()(text or "")


def for_reader_value(value: Any, change: Callable[[str], str] | None = None) -> Any:
    """``value`` (a JSON-like structure) with ``change`` (by default the reader's) applied to
    every string in it. Keys are kept: they are field names and refs."""
    change = change or reader_text()
    if change is as_written:
        return value
    return _map_value(value, change)


def _map_value(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_value(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_map_value(item, change) for item in value]
    return value


# --------------------------------------------------------------------------- check tables

REGISTERED_NAME = "a registered name"
# Hits that quote a person's name: a reader who reads pseudonyms is told only that one is there.
NAME_KINDS = frozenset({"register_name", "ambiguous_name", "near_name", "possible_name"})


def quote_hit(kind: str, text: str) -> str:
    """What a check table or a gate message quotes of a hit for the current reader: the text
    found, or "a registered name" for a name when the reader reads pseudonyms."""
    if kind in NAME_KINDS and reads_pseudonyms():
        return REGISTERED_NAME
    return text


def hit_for_reader(hit: Any) -> dict[str, Any]:
    """A scan hit (a ``Hit`` or its stored dict) as the current reader may read it: for a
    reader who reads pseudonyms a name is "a registered name" and the context around it is
    pseudonymised."""
    item = (
        dict(hit)
        if isinstance(hit, dict)
        else {
            "kind": hit.kind,
            "text": hit.text,
            "location": hit.location,
            "context": hit.context,
            "candidates": list(hit.candidates),
        }
    )
    kind, text = str(item.get("kind", "")), str(item.get("text", ""))
    quoted = quote_hit(kind, text)
    if quoted != text:
        item["text"] = quoted
        item["context"] = str(item.get("context", "")).replace(text, quoted)
    return for_reader_value(item)  # type: ignore[no-any-return]


def hits_for_reader(hits: Any) -> list[dict[str, Any]]:
    """``hit_for_reader`` of each hit (a template filter: ``hits|for_reader_hits``)."""
    return [hit_for_reader(hit) for hit in hits or []]


# --------------------------------------------------------------------------- templates

_TAG = re.compile(r"(<[^>]*>)")
_ATTRIBUTE = re.compile(r"""(\s[\w:.-]+\s*=\s*)(["'])(.*?)\2""", re.DOTALL)
_LINK_ATTRIBUTES = re.compile(r"\s(?:href|src|action|formaction)\s*=", re.IGNORECASE)


def _markup_text(part: str, change: Callable[[str], str]) -> str:
    """A piece of HTML text (or an attribute value) changed as the reader reads it: names
    written with character references ("O&#39;Neill") are found too."""
    changed = change(part)
    if "&" in changed:
        plain = html.unescape(changed)
        if plain != changed:
            again = change(plain)
            if again != plain:
                return str(escape(again))
    return changed


def markup_for_reader(markup: str, change: Callable[[str], str]) -> Markup:
    """Safe HTML with ``change`` applied to its text and attribute values (not to links)."""

    def tag(match: re.Match[str]) -> str:
        if _LINK_ATTRIBUTES.match(match.group(1)):
            return match.group(0)
        return (
            match.group(1) + match.group(2) + _markup_text(match.group(3), change) + match.group(2)
        )

    pieces = []
    for part in _TAG.split(markup):
        if part.startswith("<"):
            pieces.append(_ATTRIBUTE.sub(tag, part) if "=" in part else part)
        elif part:
            pieces.append(_markup_text(part, change))
    return Markup("".join(pieces))  # noqa: S704 - made of the safe input, changed text escaped


def already_read(markup: Markup) -> Markup:
    """``markup``, built from text already passed through ``reader_text()`` (rendered
    Markdown, the timeline's drawing): ``finalize`` lets this very object through instead of
    reading it again (a big drawing is slow to read twice). Only this object: anything made
    from it is read as usual."""
    if has_request_context():
        kept: dict[int, Markup] = g.setdefault("read_markups", {})
        kept[id(markup)] = markup  # kept, so the id is not reused within the request
    return markup


def finalize(value: Any) -> Any:
    """Jinja's last step before a ``{{ }}`` value is written: the reader's view of it
    (a form field or a list is read as it will be written)."""
    if value is None or isinstance(value, bool | int | float | Undefined):
        return value
    change = reader_text()
    if change is as_written:
        return value
    if not isinstance(value, str):
        html_of = getattr(value, "__html__", None)
        value = Markup(html_of()) if html_of is not None else str(value)  # noqa: S704
    if isinstance(value, Markup):
        if g.get("read_markups", {}).get(id(value)) is value:
            return value
        return markup_for_reader(value, change)
    return change(value)


# --------------------------------------------------------------------------- JSON


class ReaderJSONProvider(JSONProvider):
    """The app's JSON responses (``jsonify``): every string as the current reader may read
    it. ``dumps`` itself is left alone: the session cookie is JSON too. Reading JSON is the
    app's (``app.errors.JSONProvider``: too deep a nesting is a clear 400)."""

    def response(self, *args: Any, **kwargs: Any) -> SansioResponse:
        return super().response(for_reader_value(self._prepare_response_obj(args, kwargs)))

    def reader_dumps(self, obj: Any, **kwargs: Any) -> str:
        """``dumps`` of what the current reader may read (a body written without jsonify)."""
        return self.dumps(for_reader_value(obj), **kwargs)


# --------------------------------------------------------------------------- the last net


def _forms(name: str) -> set[str]:
    return {
        name,
        html.escape(name, quote=True),
        str(escape(name)),
        json.dumps(name)[1:-1],
        json.dumps(name, ensure_ascii=False)[1:-1],
    }


@lru_cache(maxsize=64)
def names_pattern(register: tuple[RegisterPerson, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """Every registered name and alias (as written, HTML-escaped and JSON-escaped), and the
    pseudonym that replaces each (folded to lower case). A name that is also an ordinary
    word, or a short one, is matched only as written."""
    replacement: dict[str, str] = {}
    exact: list[str] = []
    folded: list[str] = []
    for person in register:
        for name in person.names:
            name = " ".join(name.split())
            if len(name) < 3:
                continue
            is_word = name.lower() in COMMON_WORDS or len(name) <= 3
            for form in _forms(name):
                replacement[form.casefold()] = person.pseudonym
                (exact if is_word else folded).append(re.escape(form))
    alternatives = [
        *(f"(?-i:{p})" for p in sorted(set(exact), key=len, reverse=True)),
        *sorted(set(folded), key=len, reverse=True),
    ]
    pattern = re.compile(
        r"(?<![\w&#\\])(?:" + "|".join(alternatives or ["(?!)"]) + r")(?!\w)", re.IGNORECASE
    )
    return pattern, replacement


def _last_net(response: Response) -> Response:
    if (
        not current_app.config.get("READER_LAST_NET", True)
        or g.get("review_access") is None
        or response.direct_passthrough
        or response.is_streamed
        or not (response.mimetype or "").startswith(_TEXT_TYPES)
    ):
        return response
    anonymiser = reader_anonymiser()
    if anonymiser is None or not anonymiser.register:
        return response
    pattern, replacement = names_pattern(anonymiser.register)
    body = response.get_data(as_text=True)
    # A plain search for each form first: the pattern is slow on a big page.
    folded = body.casefold()
    if not any(form in folded for form in replacement) or not pattern.search(body):
        return response
    log.warning("reader view: a registered name reached the last net on %s", _endpoint())
    response.set_data(
        pattern.sub(lambda m: replacement.get(m.group(0).casefold(), "a registered name"), body)
    )
    return response


def _endpoint() -> str:
    from flask import request

    return str(request.endpoint)


def init_app(app: Flask) -> None:
    app.json = ReaderJSONProvider(app)
    app.jinja_env.policies["json.dumps_function"] = app.json.reader_dumps
    app.jinja_env.finalize = finalize
    app.jinja_env.filters["for_reader_hits"] = hits_for_reader
    app.after_request(_last_net)
