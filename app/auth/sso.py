"""Single sign-on with OpenID Connect (Authlib): each partnership may have several providers
(a council's and an NHS trust's Entra ID, a police force's), chosen by the email domain the
person types.

An account signs in through its provider only if it exists already (an invitation, matched by
the provider's *verified* email and then linked by issuer and subject) or the provider is
allowed to create accounts for its domains. The provider's own second factor counts when its
ID token says one was used (``amr``, or an ``acr`` the partnership names); otherwise our TOTP
step follows as after a password.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.forms import SingleSignOnForm
from app.auth.views import finish_sign_in, start_second_factor
from app.db import commit_even_on_error, db
from app.extensions import limiter
from app.policy import requires_second_factor
from app.security import is_locked
from app.services import sso as sso_service
from models import IdentityProvider, audit

# ``amr`` values (RFC 8176) that mean a second factor was used at the provider.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "pin"})

oauth = OAuth()


def init_app(app: Flask) -> None:
    oauth.init_app(app)


def _sign_in_rate_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _client(provider: IdentityProvider) -> Any:
    """Authlib's client for ``provider`` (registered on first use, by id and settings)."""
    name = f"idp{provider.id}"
    registered = oauth._registry.get(name)
    settings = (provider.issuer, provider.client_id, provider.client_secret)
    if registered is None or registered[1].get("lr_settings") != settings:
        oauth._clients.pop(name, None)
        oauth.register(
            name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"},
            lr_settings=settings,
        )
    return oauth.create_client(name)


def provider_used_second_factor(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    accepted_acr = set(current_app.config.get("SSO_MFA_ACR_VALUES", ()))
    return bool(SECOND_FACTOR_AMR & set(amr)) or (claims.get("acr") in accepted_acr)


@bp.route("/sign-in/organisation", methods=["POST"])
@limiter.limit(_sign_in_rate_limit)
def sso_start() -> ResponseReturnValue:
    form = SingleSignOnForm()
    if not form.validate_on_submit():
        flash("Enter your work email address to sign in with your organisation.", "error")
        return redirect(url_for("auth.sign_in"))
    email = (form.sso_email.data or "").strip().lower()
    provider = sso_service.provider_for_email(db(), email)
    if provider is None:
        flash(
            "Your organisation does not sign in here with its own account: use your email "
            "address and password.",
            "error",
        )
        return redirect(url_for("auth.sign_in"))
    session["sso_provider"] = provider.id
    session["sso_next"] = request.args.get("next")
    redirect_uri = url_for("auth.sso_callback", _external=True)
    response: Response = _client(provider).authorize_redirect(redirect_uri, login_hint=email)
    return response


@bp.route("/sign-in/organisation/callback")
def sso_callback() -> ResponseReturnValue:
    provider = db().get(IdentityProvider, session.pop("sso_provider", 0) or 0)
    if provider is None:
        return redirect(url_for("auth.sign_in"))
    try:
        token = _client(provider).authorize_access_token()
    except OAuthError as error:
        current_app.logger.warning("single sign-on refused by %s: %s", provider.name, error.error)
        return _refuse("Your organisation did not sign you in. Try again, or use your password.")
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        return _refuse("Your organisation's account has no verified email address.")
    if sso_service.provider_for_email(db(), email) is not provider:
        return _refuse("That email address does not belong to this organisation.")
    user = sso_service.account_for_sign_in(
        session=db(),
        provider=provider,
        subject=str(claims.get("sub") or ""),
        email=email,
        name=str(claims.get("name") or email),
    )
    commit_even_on_error()
    if user is None:
        return _refuse(
            "There is no Learning Review account for that address. Ask your partnership's "
            "administrator to invite you."
        )
    if not user.is_active or is_locked(user):
        return _refuse("That account cannot sign in at the moment.")
    audit.record(
        db(),
        "sign_in_sso",
        entity_type="users",
        entity_id=str(user.id),
        after={"provider": provider.name, "second_factor": provider_used_second_factor(claims)},
    )
    next_url = session.pop("sso_next", None)
    provider_mfa = provider_used_second_factor(claims)
    if requires_second_factor(user) and not provider_mfa:
        return start_second_factor(user, next_url)
    return finish_sign_in(user, next_url, second_factor=provider_mfa)


def _refuse(message: str) -> tuple[str, int]:
    return render_template(
        "auth/sso_refused.html", message=message, title="Sign-in did not work"
    ), 403
