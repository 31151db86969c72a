"""Pages of the good-practice register. The policy has checked access: partnership-wide pages
list only what ``policy.visible_good_practice`` allows, and entry pages were checked against
the entry (its review's roles, or the partnership's for an entry with no review)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.dates import uk_today
from analysis.taxonomy import (
    FACTOR_TYPES,
    FOUR_D_PROMPTS,
    GOOD_PRACTICE_SOURCES,
    SHARE_PLACES,
    SHARE_STATUSES,
)
from app import searches
from app.db import db
from app.event_queries import parse_day
from app.forms import (
    edit_status,
    flash_save_warnings,
    save_versioned,
    select_choices,
    show_service_error,
)
from app.good_practice import bp
from app.good_practice.forms import EntryForm, ShareForm
from app.pickers import event_picker, factor_picker, is_picker_search
from app.policy import (
    AgencyScopeError,
    check_agency_scope,
    entry_may,
    good_practice_entry,
    may,
    own_agency_ref,
    review_access,
    role_may,
    role_on,
    visible_good_practice,
)
from app.reader import as_written, quote_hit, reader_text
from app.security import MAX_DATABASE_ID
from app.services import chronology as chrono
from app.services import factors as factor_service
from app.services import good_practice as service
from app.services.errors import ServiceError
from models import Agency, GoodPractice, Review

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# The bulletin's "newly shared" window unless the user picks a date.
BULLETIN_DAYS = 30


# --- helpers ---------------------------------------------------------------------------------


def _directory() -> list[Agency]:
    return service.directory_agencies(db(), current_user.partnership_id)


def _known_themes() -> list[str]:
    return service.known_themes(db(), visible_good_practice(current_user))


def evidence_of(entry: GoodPractice) -> list[dict[str, Any]]:
    """What the entry rests on, each with a link only for users allowed to open it."""
    if entry.review_id is None:
        return []
    role = role_on(current_user, entry.review_id)
    items: list[dict[str, Any]] = []
    for event in entry.events:
        items.append(
            {
                "label": f"Event {event.ref}: {chrono.when_of(event).display()}",
                "url": url_for("chronology.event", review_id=entry.review_id, ref=event.ref)
                if role_may(role, "events.view")
                else None,
            }
        )
    for factor in entry.factors:
        items.append(
            {
                "label": f"Protective factor {factor.ref}: {factor.label}",
                "url": url_for("factors.factor", review_id=entry.review_id, ref=factor.ref)
                if role_may(role, "factors.view")
                else None,
            }
        )
    if entry.account is not None:
        items.append(
            {
                "label": f"Account {entry.account.ref}",
                "url": url_for("factors.account", review_id=entry.review_id, ref=entry.account.ref)
                if role_may(role, "accounts.view")
                else None,
            }
        )
    return items


def _entry_form(review: Review | None, entry: GoodPractice | None = None) -> EntryForm:
    form = EntryForm(formdata=None if request.method == "GET" else request.form)
    if review is not None:
        own = own_agency_ref()
        if own is None:
            agencies = [("", "Not chosen"), *[(a.ref, a.name) for a in review.agencies]]
        else:  # an agency representative records their own agency's practice
            agencies = [(a.ref, a.name) for a in review.agencies if a.ref == own]
        form.agency.choices = select_choices(agencies)
        form.events.choices = []  # a picker: only the chosen and found events are read
        form.factors.choices = []  # a picker: only the chosen and found factors are read
    else:
        form.agency.choices = select_choices(
            [("", "Not chosen"), *[(a.name, a.name) for a in _directory()]]
        )
    if request.method == "GET" and entry is not None:
        form.title.data = entry.title
        form.story.data = entry.story
        form.what_made_it_work.data = entry.what_made_it_work
        form.source.data = entry.source
        form.themes.data = ", ".join(entry.themes or [])
        form.consent_to_share.data = entry.consent_to_share
        form.events.data = [e.ref for e in entry.events]
        form.factors.data = [f.ref for f in entry.factors]
        form.account.data = entry.account.ref if entry.account else ""
        if review is not None:
            match = next((a for a in review.agencies if a.agency_id == entry.agency_id), None)
            form.agency.data = match.ref if match else ""
        else:
            form.agency.data = entry.agency.name if entry.agency else ""
        for key in FOUR_D_PROMPTS:
            getattr(form, f"four_d_{key}").data = (entry.four_d or {}).get(key, "")
        form.version.data = str(entry.version)
    return form


def _prefill(form: EntryForm, values: dict[str, Any]) -> None:
    for key in ("title", "story", "what_made_it_work", "source", "agency", "account"):
        if key in values:
            getattr(form, key).data = values[key]
    form.events.data = values.get("events", [])
    form.factors.data = values.get("factors", [])
    for key, text in values.get("four_d", {}).items():
        getattr(form, f"four_d_{key}").data = text


def _values(form: EntryForm, review: Review | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": form.title.data or "",
        "story": form.story.data or "",
        "what_made_it_work": form.what_made_it_work.data or "",
        "source": form.source.data,
        "themes": form.themes.data or "",
        "consent_to_share": bool(form.consent_to_share.data),
        "four_d": {k: getattr(form, f"four_d_{k}").data or "" for k in FOUR_D_PROMPTS},
    }
    if review is not None:
        values["agency"] = form.agency.data or None
        values["events"] = form.events.data or []
        values["factors"] = form.factors.data or []
        values["account"] = form.account.data or None
    else:
        values["agency_name"] = form.agency.data or ""
    return values


def _form_page(
    form: EntryForm, review: Review | None, entry: GoodPractice | None, **extra: Any
) -> str:
    events = event_picker(db(), review, "events", form.events.data or []) if review else None
    factors = (
        factor_picker(db(), review, "factors", form.factors.data or [], factor_type="protective")
        if review
        else None
    )
    return render_template(
        "good_practice/form.html",
        form=form,
        review=review,
        entry=entry,
        prompts=FOUR_D_PROMPTS,
        themes=_known_themes(),
        events=events,
        factors=factors,
        **extra,
    )


def _document_response(content: bytes | str, fmt: str, filename: str) -> Response:
    response = Response(content, mimetype=FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the register ----------------------------------------------------------------------------


def _date_arg(name: str, errors: list[str] | None = None) -> date | None:
    """The day typed in filter ``name``, day first (``14/01/2026``, ``14 Jan 2026``) or ISO;
    a value that is not a day is named in ``errors`` and not applied."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if len(value) <= 40:
        with contextlib.suppress(ValueError):
            return parse_day(value)
    if errors is not None:
        errors.append(f"'{value[:40]}' is not a day: write it day first, for example 14/01/2026")
    return None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return _as_id(value)


def _as_id(value: str) -> int | None:
    """``value`` as an id the database could hold, or None."""
    if value.isascii() and value.isdigit() and int(value) <= MAX_DATABASE_ID:
        return int(value)
    return None


@bp.route("/good-practice")
def register() -> str:
    review_arg = request.args.get("review", "")
    text, _token, ended = searches.text_of(request.args)
    errors = [ended] if ended else []
    filters = service.RegisterFilters(
        text=text,
        theme=request.args.get("theme", ""),
        agency_id=_int_arg("agency"),
        review_id=_as_id(review_arg),
        no_review=review_arg == "none",
        source=request.args.get("source", "")
        if request.args.get("source") in GOOD_PRACTICE_SOURCES
        else "",
        status=request.args.get("status", "")
        if request.args.get("status") in SHARE_STATUSES
        else "",
        date_from=_date_arg("from", errors),
        date_to=_date_arg("to", errors),
    )
    change = reader_text()
    entries = service.register_entries(
        db(),
        visible_good_practice(current_user),
        filters,
        read_by=None if change is as_written else change,
    )
    return render_template(
        "good_practice/register.html",
        entries=entries,
        filters=filters,
        args=request.args,
        search_text=text,
        filter_errors=errors,
        counts=service.theme_counts(entries),
        all_themes=_known_themes(),
        reviews=service.member_reviews_in_partnership(
            db(), current_user.id, current_user.partnership_id
        ),
        agencies=_directory(),
        sources=GOOD_PRACTICE_SOURCES,
        statuses=SHARE_STATUSES,
        bulletin_since=uk_today() - timedelta(days=BULLETIN_DAYS),
        title="Good-practice register",
    )


@bp.route("/good-practice/new", methods=["GET", "POST"])
def new_entry() -> ResponseReturnValue:
    """An entry from quality-assurance work outside a review (case audit, observation, …)."""
    form = _entry_form(None)
    if request.method == "GET":
        source = request.args.get("source", "case_audit")
        form.source.data = source if source in GOOD_PRACTICE_SOURCES else "case_audit"
    elif form.validate_on_submit():
        try:
            entry = service.create_entry(
                session=db(),
                partnership_id=current_user.partnership_id,
                creator=current_user,
                **_values(form, None),
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Entry {entry.ref} added to the register as a draft.", "success")
            flash_save_warnings(entry, "good_practice")
            return redirect(url_for("good_practice.entry", entry_id=entry.id))
    return _form_page(form, None, None, title="Add good practice"), (
        422 if request.method == "POST" else 200
    )


@bp.route("/reviews/<int:review_id>/good-practice/new", methods=["GET", "POST"])
def new_review_entry(review_id: int) -> ResponseReturnValue:
    """An entry of a review, pre-filled from an event, an account or a protective factor."""
    review = review_access().review
    form = _entry_form(review)
    origin = ""
    if request.method == "GET":
        values: dict[str, Any] = {"source": request.args.get("source", "other")}
        if request.args.get("event"):
            event = chrono.event_by_ref(db(), review, request.args["event"])
            if event is None or event.deleted_at is not None:
                abort(404)
            if event.appraisal != "good_practice":
                abort(
                    400,
                    f"Event {event.ref} is not appraised as good practice: only an event "
                    "appraised as good practice can start a good-practice entry. Appraise it "
                    "first, or record the entry without it.",
                )
            values = service.prefill_from_event(event)
            origin = f"event {event.ref}"
        elif request.args.get("account"):
            if not may("accounts.view"):
                abort(403)
            account = factor_service.account_by_ref(db(), review, request.args["account"])
            if account is None:
                abort(404)
            values = service.prefill_from_account(account)
            origin = f"account {account.ref}"
        elif request.args.get("factor"):
            factor = factor_service.factor_by_ref(db(), review, request.args["factor"])
            if factor is None:
                abort(404)
            if factor.type != "protective":
                kind = FACTOR_TYPES.get(factor.type, factor.type).lower()
                article = "an" if kind[:1] in "aeiou" else "a"
                abort(
                    400,
                    f"Factor {factor.ref} is {article} {kind}, not a protective factor: only "
                    "a protective factor can start a good-practice entry.",
                )
            values = service.prefill_from_factor(db(), factor)
            origin = f"factor {factor.ref}"
        if values["source"] not in GOOD_PRACTICE_SOURCES:
            values["source"] = "other"
        _prefill(form, values)
    elif not is_picker_search() and form.validate_on_submit():
        try:
            # An entry of another agency would be lost to its agency representative.
            check_agency_scope(_values(form, review).get("agency"), "good_practice")
            entry = service.create_entry(
                session=db(),
                partnership_id=review.partnership_id,
                review=review,
                creator=current_user,
                **_values(form, review),
            )
        except AgencyScopeError as refusal:
            show_service_error(form, ServiceError(refusal.form_message, "agency"))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Entry {entry.ref} added to the register as a draft.", "success")
            flash_save_warnings(entry, "good_practice")
            return redirect(url_for("good_practice.entry", entry_id=entry.id))
    return _form_page(form, review, None, origin=origin, title="Record good practice"), (
        422 if request.method == "POST" and not is_picker_search() else 200
    )


@bp.route("/good-practice/<int:entry_id>")
def entry(entry_id: int) -> str:
    return _entry_page(good_practice_entry())


def _entry_page(item: GoodPractice, errors: list[tuple[str, str]] | None = None) -> str:
    """The entry with what the anonymisation check finds in it (so it can be fixed at source)
    and ``errors`` as (anchor, message) pairs for the error summary."""
    return render_template(
        "good_practice/entry.html",
        entry=item,
        review=item.review,
        evidence=evidence_of(item),
        hits=service.scan_entry(db(), item),
        errors=errors or [],
        prompts=FOUR_D_PROMPTS,
        sources=GOOD_PRACTICE_SOURCES,
        statuses=SHARE_STATUSES,
        may_edit=entry_may(current_user, item, "good_practice.edit"),
        may_delete=entry_may(current_user, item, "good_practice.delete"),
        may_approve=entry_may(current_user, item, "good_practice.approve"),
        may_share=entry_may(current_user, item, "good_practice.share"),
        title=item.title,
    )


@bp.route("/good-practice/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int) -> ResponseReturnValue:
    item = good_practice_entry()
    review = item.review
    form = _entry_form(review, item)
    theirs = None
    if request.method == "POST" and not is_picker_search() and form.validate_on_submit():
        was = item.share_status

        def save(version: int) -> GoodPractice:
            values = _values(form, review)
            if review is not None:
                try:
                    check_agency_scope(values.get("agency"), "good_practice")
                except AgencyScopeError as refusal:
                    raise ServiceError(refusal.form_message, "agency") from refusal
            return service.update_entry(
                session=db(), entry=item, expected_version=version, **values
            )

        saved, theirs = save_versioned(form, save, item)
        if saved:
            message = f"Entry {item.ref} saved."
            if was != "draft" and item.share_status == "draft":
                message += " It changed, so it is a draft again and needs approval to be shared."
            flash(message, "success")
            flash_save_warnings(item, "good_practice")
            return redirect(url_for("good_practice.entry", entry_id=item.id))
    status = 200 if is_picker_search() else edit_status(request.method, theirs)
    return _form_page(form, review, item, theirs=theirs, title=f"Edit {item.ref}"), status


@bp.route("/good-practice/<int:entry_id>/delete", methods=["POST"])
def delete_entry(entry_id: int) -> WerkzeugResponse:
    item = good_practice_entry()
    ref = item.ref
    service.delete_entry(session=db(), entry=item)
    flash(f"Entry {ref} deleted.", "success")
    return redirect(url_for("good_practice.register"))


@bp.route("/good-practice/<int:entry_id>/approve", methods=["POST"])
def approve(entry_id: int) -> ResponseReturnValue:
    item = good_practice_entry()
    try:
        service.approve_entry(session=db(), entry=item, approver=current_user)
    except service.SharingBlockedError as error:
        # Shown on the page, never flashed: a flash travels in the session cookie.
        return _entry_page(item, [("anonymisation-hits", error.message_for(quote_hit))]), 422
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Entry {item.ref} approved for sharing.", "success")
    return redirect(url_for("good_practice.entry", entry_id=item.id))


@bp.route("/good-practice/<int:entry_id>/share", methods=["GET", "POST"])
def share(entry_id: int) -> ResponseReturnValue:
    """Record where an approved entry was shared; the anonymisation check must be clear."""
    item = good_practice_entry()
    form = ShareForm()
    if request.method == "GET":
        form.on.data = uk_today()
    hits = service.scan_entry(db(), item)
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.share_entry(
                session=db(),
                entry=item,
                where=form.where.data or "",
                on=form.on.data or "",  # never None: InputRequired, and the form is valid
            )
        except service.SharingBlockedError as error:
            hits = error.hits
            form.form_errors.append(error.message_for(quote_hit))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Entry {item.ref} recorded as shared: {form.where.data}.", "success")
            return redirect(url_for("good_practice.entry", entry_id=item.id))
    return render_template(
        "good_practice/share.html",
        entry=item,
        review=item.review,
        form=form,
        hits=hits,
        places=SHARE_PLACES,
        title=f"Share {item.ref}",
    ), (422 if request.method == "POST" else 200)


# --- outputs ---------------------------------------------------------------------------------


@bp.route("/good-practice/briefing.<fmt>")
def briefing(fmt: str) -> Response:
    """A 7-minute briefing of the chosen entries (``entries`` ids; those not visible are
    left out, as if they did not exist)."""
    if fmt not in FORMATS:
        abort(404)
    ids = [i for i in (_as_id(v) for v in request.args.getlist("entries")) if i is not None]
    rows = service.chosen_entries(db(), visible_good_practice(current_user), ids)
    if not rows:
        abort(
            400,
            "Choose at least one entry for the briefing: tick the entries in the good-practice "
            "register, then choose a briefing format.",
        )
    content = service.briefing_output(db(), rows, fmt, title="Good practice: 7-minute briefing")
    return _document_response(content, fmt, "good-practice-briefing")


@bp.route("/reviews/<int:review_id>/good-practice/briefing.<fmt>")
def review_briefing(review_id: int, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    review = review_access().review
    content = service.review_briefing(db(), review, fmt)
    return _document_response(content, fmt, f"briefing-review-{review.id}")


@bp.route("/good-practice/bulletin.html")
def bulletin() -> WerkzeugResponse:
    """Email-ready HTML of entries shared since ``since`` (default: the last 30 days)."""
    errors: list[str] = []
    since = _date_arg("since", errors)
    if errors:
        flash(errors[0], "error")
        return redirect(url_for("good_practice.register"))
    since = since or uk_today() - timedelta(days=BULLETIN_DAYS)
    rows = service.shared_entries(db(), visible_good_practice(current_user))
    content = service.bulletin(db(), rows, since=since)
    return _document_response(content, "html", f"good-practice-bulletin-{since.isoformat()}")
