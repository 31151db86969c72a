"""Pages for accounts, factors and links. The policy has checked access."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from analysis.factors import (
    LinkFacts,
    factor_warnings,
    highlight_wording,
    triangulation,
    wording_flags,
)
from analysis.taxonomy import (
    CONFIDENCE_LEVELS,
    CONTRIBUTOR_KINDS,
    FACTOR_TYPES,
    LINK_RELATIONS,
    LOCAL_RATIONALITY_PROMPTS,
    SCIE_PATTERNS,
    SEIPS_COMPONENTS,
    SOURCE_KINDS,
    SYSTEM_LEVELS,
)
from app.db import db
from app.factors import bp
from app.factors.forms import EVIDENCE_ROWS, AccountForm, FactorForm
from app.forms import (
    edit_status,
    flash_save_warnings,
    save_versioned,
    show_service_error,
)
from app.pickers import (
    Picker,
    event_picker,
    factor_picker,
    factors_by_refs,
    is_picker_search,
    person_picker,
)
from app.policy import current_review
from app.services import chronology as chrono
from app.services import factors as service
from app.services import workshops as workshop_service
from app.services.errors import ServiceError
from app.services.facts import factor_facts, link_facts
from app.templating import for_reader
from models import Account, Factor


def _review_links_and_events() -> tuple[list[LinkFacts], frozenset[str]]:
    review = current_review()
    links = [link_facts(lk) for lk in service.review_links(db(), review)]
    # Only whether a link's target is a live event matters: read just the linked events.
    return links, service.live_event_refs(db(), review, {lk.target for lk in links})


def _titles(refs: set[str]) -> dict[str, str]:
    """What each of ``refs`` names, for showing links in words (the linked events only)."""
    review = current_review()
    titles = {
        e.ref: f"{e.ref}: {chrono.when_of(e).display()}, {e.description[:80]}"
        for e in service.linked_events(db(), review, refs)
    }
    titles.update({f.ref: f"{f.ref}: {f.label}" for f in factors_by_refs(db(), review, refs)})
    return titles


# --- accounts -------------------------------------------------------------------------------


def _account_form(account: Account | None = None) -> AccountForm:
    form = AccountForm(formdata=None if request.method == "GET" else request.form)
    form.contributor.choices = []  # a picker: only the chosen and found people are read
    form.events.choices = []  # a picker: only the chosen and found events are read
    if request.method == "GET" and account is not None:
        form.contributor_kind.data = account.contributor_kind
        form.contributor.data = account.contributor.ref if account.contributor else ""
        form.contributor_role.data = account.contributor_role
        form.taken_on.data = account.taken_on
        form.consent_to_quote.data = account.consent_to_quote
        form.narrative.data = account.narrative
        form.events.data = [e.ref for e in account.events]
        form.version.data = str(account.version)
        for key in LOCAL_RATIONALITY_PROMPTS:
            getattr(form, f"prompt_{key}").data = account.prompts.get(key, "")
    if request.method == "GET" and account is None and request.args.get("event"):
        form.events.data = [request.args["event"]]
    return form


def _contributor_picker(form: AccountForm) -> Picker:
    chosen = [form.contributor.data] if form.contributor.data else []
    return person_picker(db(), current_review(), "contributor", chosen)


def _account_values(form: AccountForm) -> dict[str, Any]:
    return {
        "contributor_kind": form.contributor_kind.data,
        "contributor": form.contributor.data or None,
        "contributor_role": form.contributor_role.data or "",
        "taken_on": form.taken_on.data,
        "consent_to_quote": bool(form.consent_to_quote.data),
        "narrative": form.narrative.data or "",
        "prompts": {k: getattr(form, f"prompt_{k}").data or "" for k in LOCAL_RATIONALITY_PROMPTS},
        "events": form.events.data or [],
    }


def _account_or_404(ref: str) -> Account:
    account = service.account_by_ref(db(), current_review(), ref)
    if account is None:
        abort(404)
    return account


@bp.route("/accounts")
def accounts(review_id: int) -> str:
    review = current_review()
    return render_template(
        "factors/accounts.html",
        review=review,
        accounts=service.accounts_of(db(), review),
        kinds=CONTRIBUTOR_KINDS,
        title="Accounts",
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account(review_id: int) -> ResponseReturnValue:
    review = current_review()
    form = _account_form()
    if request.method == "POST" and not is_picker_search() and form.validate_on_submit():
        try:
            account = service.create_account(session=db(), review=review, **_account_values(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Account {account.ref} recorded.", "success")
            flash_save_warnings(account, "account")
            return redirect(url_for("factors.account", review_id=review_id, ref=account.ref))
    return render_template(
        "factors/account_form.html",
        review=review,
        form=form,
        account=None,
        prompts=LOCAL_RATIONALITY_PROMPTS,
        events=event_picker(db(), review, "events", form.events.data or []),
        contributor=_contributor_picker(form),
        title="Record an account",
    ), (422 if request.method == "POST" and not is_picker_search() else 200)


@bp.route("/accounts/<ref>")
def account(review_id: int, ref: str) -> str:
    item = _account_or_404(ref)
    return render_template(
        "factors/account.html",
        review=current_review(),
        account=item,
        kinds=CONTRIBUTOR_KINDS,
        prompts=LOCAL_RATIONALITY_PROMPTS,
        title=f"Account {item.ref}",
    )


@bp.route("/accounts/<ref>/edit", methods=["GET", "POST"])
def edit_account(review_id: int, ref: str) -> ResponseReturnValue:
    review = current_review()
    item = _account_or_404(ref)
    form = _account_form(item)
    theirs = None
    if request.method == "POST" and not is_picker_search() and form.validate_on_submit():
        saved, theirs = save_versioned(
            form,
            lambda version: service.update_account(
                session=db(), account=item, expected_version=version, **_account_values(form)
            ),
            item,
        )
        if saved:
            flash(f"Account {item.ref} saved.", "success")
            flash_save_warnings(item, "account")
            return redirect(url_for("factors.account", review_id=review_id, ref=ref))
    status = 200 if is_picker_search() else edit_status(request.method, theirs)
    return render_template(
        "factors/account_form.html",
        review=review,
        form=form,
        account=item,
        theirs=theirs,
        prompts=LOCAL_RATIONALITY_PROMPTS,
        events=event_picker(db(), review, "events", form.events.data or []),
        contributor=_contributor_picker(form),
        title=f"Edit account {item.ref}",
    ), status


@bp.route("/accounts/<ref>/delete", methods=["POST"])
def delete_account(review_id: int, ref: str) -> Response:
    item = _account_or_404(ref)
    service.delete_account(session=db(), account=item)
    flash(f"Account {ref} deleted.", "success")
    return redirect(url_for("factors.accounts", review_id=review_id))


# --- factors --------------------------------------------------------------------------------


def _factor_or_404(ref: str) -> Factor:
    factor = service.factor_by_ref(db(), current_review(), ref)
    if factor is None:
        abort(404)
    return factor


@bp.route("/factors")
def factors(review_id: int) -> str:
    review = current_review()
    links, events = _review_links_and_events()
    summary: list[dict[str, Any]] = []
    for factor in service.factors_of(db(), review):
        facts = factor_facts(factor)
        summary.append(
            {
                "factor": factor,
                "warnings": factor_warnings(facts, links, events),
                "triangulation": triangulation(facts.evidence),
            }
        )
    by_type = {kind: [s for s in summary if s["factor"].type == kind] for kind in FACTOR_TYPES}
    return render_template(
        "factors/factors.html",
        review=review,
        by_type=by_type,
        types=FACTOR_TYPES,
        levels=SYSTEM_LEVELS,
        title="Contributing factors",
    )


# The most evidence rows a factor form is read for (it offers its evidence plus a few empty rows).
MAX_EVIDENCE_ROWS = 1000


def _evidence_from_form(*, keep_rows: bool = False) -> list[dict[str, Any]]:
    """The evidence rows typed; ``keep_rows`` keeps the empty ones too (a picker's search
    shows the form again with every row where it was)."""
    evidence = []
    try:
        rows = int(request.form.get("evidence_rows", EVIDENCE_ROWS))
    except ValueError:
        rows = EVIDENCE_ROWS
    # The form never has more rows than this: a larger number is not worth looping over.
    for index in range(max(0, min(rows, MAX_EVIDENCE_ROWS))):
        source = request.form.get(f"evidence-{index}-source", "")
        if source or keep_rows:
            evidence.append(
                {
                    "source": source,
                    "event": request.form.get(f"evidence-{index}-event") or None,
                    "account": request.form.get(f"evidence-{index}-account") or None,
                    "note": request.form.get(f"evidence-{index}-note", ""),
                }
            )
    return evidence


def _factor_context(
    form: FactorForm, factor: Factor | None, evidence: list[dict[str, Any]]
) -> dict[str, Any]:
    review = current_review()
    rows = [*evidence, *[{} for _ in range(max(EVIDENCE_ROWS - len(evidence), 1))]]
    if is_picker_search():
        rows = evidence
    library = service.condition_library(db(), review.partnership_id)
    accounts = service.accounts_of(db(), review)
    flags = wording_flags(f"{form.label.data or ''}\n{form.description.data or ''}")
    return {
        "review": review,
        "form": form,
        "factor": factor,
        "evidence_rows": rows,
        "sources": SOURCE_KINDS,
        "event_pickers": [
            event_picker(db(), review, f"evidence-{index}-event", [row.get("event") or ""])
            for index, row in enumerate(rows)
        ],
        "accounts": accounts,
        "library": library,
        "flags": flags,
    }


def _factor_values(form: FactorForm) -> dict[str, Any]:
    return {
        "label": form.label.data,
        "type": form.type.data,
        "level": form.level.data,
        "description": form.description.data or "",
        "condition": (form.condition.data or None)
        if form.type.data == "latent_condition"
        else None,
        "scie_pattern": form.scie_pattern.data or None,
        "seips_component": form.seips_component.data or None,
        "contributory_category": form.contributory_category.data or None,
        "evidence": _evidence_from_form(),
    }


@bp.route("/factors/new", methods=["GET", "POST"])
def new_factor(review_id: int) -> ResponseReturnValue:
    """Add a factor; from an event ("why did this happen?") it starts linked to the event."""
    review = current_review()
    form = FactorForm()
    event_ref = request.values.get("event") or ""
    evidence: list[dict[str, Any]] = []
    if request.method == "GET":
        form.type.data = request.args.get("type", "latent_condition")
        form.level.data = "practice" if form.type.data == "active_failure" else "team"
        if event_ref:
            evidence = [{"source": "agency_record", "event": event_ref}]
    elif not is_picker_search() and form.validate_on_submit():
        try:
            factor = service.create_factor(session=db(), review=review, **_factor_values(form))
            if event_ref:
                relation = "mitigated" if factor.type == "protective" else "contributed_to"
                service.create_link(
                    session=db(),
                    review=review,
                    source=factor.ref,
                    target=event_ref,
                    relation=relation,
                )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Factor {factor.ref} added.", "success")
            flash_save_warnings(factor, "factor")
            return redirect(url_for("factors.factor", review_id=review_id, ref=factor.ref))
    if request.method == "POST":
        evidence = _evidence_from_form(keep_rows=is_picker_search())
    context = _factor_context(form, None, evidence)
    return render_template(
        "factors/factor_form.html",
        event_ref=event_ref,
        title="Add a contributing factor",
        **context,
    ), (422 if request.method == "POST" and not is_picker_search() else 200)


@bp.route("/factors/<ref>")
def factor(review_id: int, ref: str) -> str:
    review = current_review()
    item = _factor_or_404(ref)
    links, events = _review_links_and_events()
    facts = factor_facts(item)
    incoming, outgoing = service.links_of(db(), review, ref)
    titles = _titles({lk.source for lk in incoming} | {lk.target for lk in outgoing})
    # Events and factors to link to are found with pickers (a search posts the link form).
    searching = request.method == "POST"
    return render_template(
        "factors/factor.html",
        review=review,
        factor=item,
        warnings=factor_warnings(facts, links, events),
        triangulation=triangulation(facts.evidence),
        description_html=highlight_wording(for_reader(item.description)),
        label_flags=wording_flags(item.label),
        description_flags=wording_flags(item.description),
        incoming=incoming,
        outgoing=outgoing,
        titles=titles,
        target_events=event_picker(
            db(), review, "target", request.form.getlist("target") if searching else []
        ),
        target_factor=factor_picker(
            db(),
            review,
            "target_factor",
            request.form.getlist("target_factor") if searching else [],
        ),
        relations=LINK_RELATIONS,
        confidences=CONFIDENCE_LEVELS,
        workshop_votes=workshop_service.factor_votes(db(), review, item.ref),
        types=FACTOR_TYPES,
        levels=SYSTEM_LEVELS,
        scie=SCIE_PATTERNS,
        seips=SEIPS_COMPONENTS,
        sources=SOURCE_KINDS,
        title=item.label,
    )


@bp.route("/factors/<ref>/edit", methods=["GET", "POST"])
def edit_factor(review_id: int, ref: str) -> ResponseReturnValue:
    item = _factor_or_404(ref)
    form = FactorForm(obj=item if request.method == "GET" else None)
    theirs = None
    if request.method == "GET":
        form.version.data = str(item.version)
        form.condition.data = item.condition.label if item.condition else ""
        evidence = [
            {
                "source": e.source,
                "event": e.event.ref if e.event else None,
                "account": e.account.ref if e.account else None,
                "note": e.note,
            }
            for e in item.evidence
        ]
    else:
        evidence = _evidence_from_form(keep_rows=is_picker_search())
        if not is_picker_search() and form.validate_on_submit():
            saved, theirs = save_versioned(
                form,
                lambda version: service.update_factor(
                    session=db(), factor=item, expected_version=version, **_factor_values(form)
                ),
                item,
            )
            if saved:
                flash(f"Factor {item.ref} saved.", "success")
                flash_save_warnings(item, "factor")
                return redirect(url_for("factors.factor", review_id=review_id, ref=ref))
    status = 200 if is_picker_search() else edit_status(request.method, theirs)
    context = _factor_context(form, item, evidence)
    return render_template(
        "factors/factor_form.html",
        event_ref="",
        theirs=theirs,
        title=f"Edit factor {item.ref}",
        **context,
    ), status


@bp.route("/factors/<ref>/delete", methods=["POST"])
def delete_factor(review_id: int, ref: str) -> Response:
    item = _factor_or_404(ref)
    service.delete_factor(session=db(), review=current_review(), factor=item)
    flash(f"Factor {ref} and its links deleted.", "success")
    return redirect(url_for("factors.factors", review_id=review_id))


# --- links ----------------------------------------------------------------------------------


def _back(default: str) -> str:
    back = request.form.get("back") or ""
    return back if back.startswith("/") and not back.startswith("//") else default


# Any: it may return another view's result, which Flask types as possibly a coroutine's.
@bp.route("/links", methods=["POST"])
def add_link(review_id: int) -> Any:
    review = current_review()
    back = _back(url_for("factors.factors", review_id=review_id))
    picker = request.form.get("picker")
    if picker in ("target", "target_factor"):  # a factor's link form searched: show it again
        return factor(review_id, request.form.get("source", ""))
    if picker == "source":  # an event's "attach a factor" form searched: show the event again
        page = current_app.view_functions["chronology.event"]
        return page(review_id=review_id, ref=request.form.get("target", ""))
    try:
        link = service.create_link(
            session=db(),
            review=review,
            source=request.form.get("source", ""),
            target=request.form.get("target") or request.form.get("target_factor", ""),
            relation=request.form.get("relation", ""),
            confidence=request.form.get("confidence") or None,
        )
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Linked: {link.source} {LINK_RELATIONS[link.relation]} {link.target}.", "success")
    return redirect(back)


@bp.route("/links/<ref>/delete", methods=["POST"])
def delete_link(review_id: int, ref: str) -> Response:
    review = current_review()
    link = service.link_by_ref(db(), review, ref)
    if link is None:
        abort(404)
    service.delete_link(session=db(), link=link)
    flash(f"Link {ref} removed.", "success")
    return redirect(_back(url_for("factors.factors", review_id=review_id)))
