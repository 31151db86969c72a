"""A review's items by ref, served the same way for every kind: create, read, update, delete.

A ``Resource`` describes one kind of item (accounts, factors, findings, agencies…): its
bundle section, what a 404 calls it, and the service calls that find, list, create, change
and delete one and show it in the bundle's shape. ``collection`` answers the list route
(GET lists, POST creates: 201 with the ETag) and ``member`` the route of one item by ref
(GET reads, PATCH changes it under If-Match, DELETE answers 204); both check the body
against the bundle's schema and add the save warnings (names from the people register,
identifying details) to what a create or a change answers. A route's function keeps its
OpenAPI docstring and calls one of them. A kind whose list pages and filters (events) has no
``items``: its route answers GET itself and calls ``collection`` for POST only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.api.helpers import expected_version, json_body, with_etag, with_save_warnings
from app.db import db
from app.policy import review_access
from models import Review


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


Item = TypeVar("Item", bound=Versioned)
#: A request body, checked against the bundle's schema for the resource's section.
Values = dict[str, Any]


@dataclass(frozen=True)
class Resource(Generic[Item]):
    """One kind of a review's items, as the API serves it.

    The callables take the session first; each wraps a service (adapting its keyword names)
    and may check what only this kind needs (a 403 for a field the role may not set).
    """

    #: The bundle's section: its item schema checks request bodies ("accounts").
    section: str
    #: What one is called in a 404: "No account 'A9' in this review".
    label: str
    #: The item with this ref in the review, or None.
    find: Callable[[Session, Review, str], Item | None]
    #: Every item of the review, in the list's order (GET of the collection); None when the
    #: route answers GET itself (a list with filters and pages).
    items: Callable[[Session, Review], Iterable[Item]] | None
    #: The item as the API shows it (the bundle's fields).
    item: Callable[[Item], dict[str, Any]]
    #: Create one from a POST body; raises a ServiceError (422) for bad values.
    create: Callable[[Session, Review, Values], Item]
    #: Change one from a PATCH body, given the version If-Match named (412 when stale).
    update: Callable[[Session, Item, int, Values], object]
    #: Delete one.
    delete: Callable[[Session, Review, Item], object]
    #: The kind ``save_warnings`` checks after a create or change (None: no warnings).
    warnings: str | None = None
    #: Run by ``member`` once the item is found, before If-Match is read: may abort (403 for
    #: an item the role may not change), so a forbidden change answers 403, never 428.
    allowed: Callable[[Item], None] | None = None


def collection(resource: Resource[Item]) -> ResponseReturnValue:
    """GET: ``{"items", "next_cursor": null}``; POST: the new item, 201, with its ETag."""
    review = review_access().review
    if request.method == "POST":
        data = json_body(resource.section, creating=True)
        created = resource.create(db(), review, data)
        return with_etag(_saved(resource, created), created.version, 201)
    if resource.items is None:
        raise TypeError(f"The {resource.label} route lists them itself: call collection on POST")
    items = [resource.item(row) for row in resource.items(db(), review)]
    return jsonify({"items": items, "next_cursor": None})


def member(resource: Resource[Item], ref: str) -> ResponseReturnValue:
    """GET: the item with its ETag; PATCH (If-Match): the changed item with its new ETag;
    DELETE: 204. 404 when the review has no such item; then ``allowed``, if any."""
    review = review_access().review
    found = found_or_404(resource, ref)
    if resource.allowed is not None:
        resource.allowed(found)
    if request.method == "DELETE":
        resource.delete(db(), review, found)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = json_body(resource.section, creating=False)
        resource.update(db(), found, version, data)
        return with_etag(_saved(resource, found), found.version)
    return with_etag(resource.item(found), found.version)


def found_or_404(resource: Resource[Item], ref: str) -> Item:
    """The review's item ``ref`` of this kind (404 naming it when there is none)."""
    found = resource.find(db(), review_access().review, ref)
    if found is None:
        abort(404, f"No {resource.label} '{ref}' in this review")
    return found


def _saved(resource: Resource[Item], item: Item) -> dict[str, Any]:
    """What a create or a change answers: the item, with any save warnings."""
    body = resource.item(item)
    return with_save_warnings(body, item, resource.warnings) if resource.warnings else body
