"""API for accounts, factors (with evidence) and links, by ref, in the bundle's vocabulary."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from analysis.taxonomy import FACTOR_TYPES
from app.api import bp
from app.api.helpers import validated_body
from app.api.resources import Resource, collection, member
from app.db import db
from app.pickers import PICKER_RESULTS, factor_label, person_label, search_factors, search_people
from app.policy import may, review_access
from app.services import bundles
from app.services import factors as service
from models import Account, Factor, Link


def _factor_item(factor: Factor) -> dict[str, Any]:
    return service.factor_item(factor, show_accounts=may("accounts.view"))


def _update_link(session: Session, link: Link, version: int, data: dict[str, Any]) -> Link:
    # A link's ends are what it is: a change names a new relation or confidence only.
    data.pop("source", None)
    data.pop("target", None)
    return service.update_link(session=session, link=link, expected_version=version, **data)


ACCOUNTS = Resource[Account](
    section="accounts",
    label="account",
    find=service.account_by_ref,
    items=service.review_accounts,
    item=service.account_item,
    create=lambda session, review, data: service.create_account(
        session=session, review=review, **data
    ),
    update=lambda session, account, version, data: service.update_account(
        session=session, account=account, expected_version=version, **data
    ),
    delete=lambda session, review, account: service.delete_account(
        session=session, account=account
    ),
    warnings="account",
)
FACTORS = Resource[Factor](
    section="factors",
    label="factor",
    find=service.factor_by_ref,
    items=service.review_factors,
    item=_factor_item,
    create=lambda session, review, data: service.create_factor(
        session=session, review=review, **data
    ),
    update=lambda session, factor, version, data: service.update_factor(
        session=session, factor=factor, expected_version=version, **data
    ),
    delete=lambda session, review, factor: service.delete_factor(
        session=session, review=review, factor=factor
    ),
    warnings="factor",
)
LINKS = Resource[Link](
    section="links",
    label="link",
    find=service.link_by_ref,
    items=service.review_links,
    item=service.link_item,
    create=lambda session, review, data: service.create_link(
        session=session, review=review, **data
    ),
    update=_update_link,
    delete=lambda session, review, link: service.delete_link(session=session, link=link),
)


@bp.route("/reviews/<int:review_id>/accounts", methods=["GET", "POST"])
def accounts(review_id: int) -> ResponseReturnValue:
    """Accounts (bundle 'accounts' items).
    ---
    get:
      summary: List accounts
      parameters: [ReviewId]
      responses:
        200: {description: 'items: accounts'}
    post:
      summary: Record an account
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Account'}}}
      responses:
        201: {description: The account, with its ETag}
        422: Invalid
    """
    return collection(ACCOUNTS)


@bp.route("/reviews/<int:review_id>/accounts/<ref>", methods=["GET", "PATCH", "DELETE"])
def account(review_id: int, ref: str) -> ResponseReturnValue:
    """One account, by ref.
    ---
    get:
      summary: Read an account
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The account, with its ETag}
    patch:
      summary: Change an account
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The account, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete an account
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Deleted}
    """
    return member(ACCOUNTS, ref)


@bp.route("/reviews/<int:review_id>/factors", methods=["GET", "POST"])
def factors(review_id: int) -> ResponseReturnValue:
    """Contributing factors with their evidence (bundle 'factors' items).
    ---
    get:
      summary: List factors
      parameters: [ReviewId]
      responses:
        200: {description: 'items: factors'}
    post:
      summary: Add a factor
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Factor'}}}
      responses:
        201: {description: The factor, with its ETag}
        422: Invalid
    """
    return collection(FACTORS)


@bp.route("/reviews/<int:review_id>/factors/<ref>", methods=["GET", "PATCH", "DELETE"])
def factor(review_id: int, ref: str) -> ResponseReturnValue:
    """One factor, by ref.
    ---
    get:
      summary: Read a factor
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The factor, with its ETag}
    patch:
      summary: Change a factor
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The factor, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete a factor and its links
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Deleted}
    """
    return member(FACTORS, ref)


@bp.route("/reviews/<int:review_id>/links", methods=["GET", "POST"])
def links(review_id: int) -> ResponseReturnValue:
    """Directed links between items (bundle 'links' items).
    ---
    get:
      summary: List links
      parameters: [ReviewId]
      responses:
        200: {description: 'items: links'}
    post:
      summary: Add a link
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Link'}}}
      responses:
        201: {description: The link, with its ETag}
        422: Invalid
    """
    return collection(LINKS)


@bp.route("/reviews/<int:review_id>/links/<ref>", methods=["GET", "PATCH", "DELETE"])
def link(review_id: int, ref: str) -> ResponseReturnValue:
    """One link, by ref.
    ---
    get:
      summary: Read a link
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The link, with its ETag}
    patch:
      summary: Change a link's relation or confidence
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The link, with its new ETag}
        412: Stale
    delete:
      summary: Remove a link
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Removed}
    """
    return member(LINKS, ref)


# The most a search answers: a picker shows a handful; paging is for the list endpoints.
SEARCH_MAX = 100

FACTOR_SEARCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "q": {"type": "string", "maxLength": 500},
        "type": {"enum": list(FACTOR_TYPES)},
        "limit": {"type": "integer", "minimum": 0, "maximum": SEARCH_MAX},
    },
}
PEOPLE_SEARCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "q": {"type": "string", "maxLength": 500},
        "limit": {"type": "integer", "minimum": 0, "maximum": SEARCH_MAX},
    },
}
SCHEMAS = {"FactorSearch": FACTOR_SEARCH, "PeopleSearch": PEOPLE_SEARCH}


@bp.route("/reviews/<int:review_id>/factors/search", methods=["POST"])
def factors_search(review_id: int) -> ResponseReturnValue:
    """Search factors by ref or words of their label (what is searched for stays out of URLs).
    ---
    post:
      summary: Search factors
      description: 'Factors whose ref is q or whose label holds it, as you read it, in the
        order they were added (type narrows them to one type). Each item has ref, type, level,
        label and display: how pickers name it. A browser session sends its CSRF token as
        X-CSRFToken.'
      parameters: [ReviewId]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/FactorSearch'}}}
      responses:
        200: {description: 'items: {ref, type, level, label, display}; next_cursor (null)'}
    """
    review = review_access().review
    body = validated_body(FACTOR_SEARCH, empty_allowed=True)
    types = [body["type"]] if body.get("type") else None
    rows = search_factors(
        db(),
        review,
        body.get("q", ""),
        types=types,
        limit=int(body.get("limit", PICKER_RESULTS)),
    )
    items = [
        {
            "ref": f.ref,
            "type": f.type,
            "level": f.level,
            "label": f.label,
            "display": factor_label(f),
        }
        for f in rows
    ]
    return jsonify({"items": items, "next_cursor": None})


@bp.route("/reviews/<int:review_id>/people/search", methods=["POST"])
def people_search(review_id: int) -> ResponseReturnValue:
    """Search the people register by ref, pseudonym or role (never in a URL).
    ---
    post:
      summary: Search people
      description: 'People whose ref is q or whose pseudonym or role holds it (or real name,
        for a role that may read real names). Items are GET /people''s, without real names,
        with display: how pickers name them (pseudonym and ref). A browser session sends its
        CSRF token as X-CSRFToken.'
      parameters: [ReviewId]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/PeopleSearch'}}}
      responses:
        200: {description: 'items: people {ref, pseudonym, role, agency, display}; next_cursor'}
    """
    review = review_access().review
    body = validated_body(PEOPLE_SEARCH, empty_allowed=True)
    rows = search_people(
        db(), review, body.get("q", ""), limit=int(body.get("limit", PICKER_RESULTS))
    )
    items = [
        bundles.person_item(p, with_real_names=False) | {"display": person_label(p)} for p in rows
    ]
    return jsonify({"items": items, "next_cursor": None})
