"""Single sign-on's accounts: which identity provider serves an email address's domain, and
which account a provider's sign-in opens (linked by issuer and subject, matched by verified
email within the provider's partnership, or created when the provider may create accounts)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.users import create_user
from models import IdentityProvider, User


def has_identity_providers(session: Session) -> bool:
    """Whether any partnership signs in through its own provider (the sign-in page offers it)."""
    return session.scalar(select(IdentityProvider.id).limit(1)) is not None


def provider_for_email(session: Session, email: str) -> IdentityProvider | None:
    """The provider whose domains include ``email``'s domain, if any."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for provider in session.scalars(select(IdentityProvider).order_by(IdentityProvider.id)):
        if domain in {d.lower() for d in provider.email_domains}:
            return provider
    return None


def account_for_sign_in(
    *, session: Session, provider: IdentityProvider, subject: str, email: str, name: str
) -> User | None:
    """The account ``provider``'s sign-in of ``subject`` (with the verified ``email``) opens:
    the one linked to them, else the one of that address in the provider's partnership
    (then linked), else a new one if the provider creates accounts; None when there is none
    to open. Whether the account may sign in (active, not locked) is the caller's to check."""
    user = session.scalar(
        select(User).where(User.sso_issuer == provider.issuer, User.sso_subject == subject)
    )
    if user is None:
        user = session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None and user.partnership_id != provider.partnership_id:
            return None  # another partnership's account: never linked across tenants
        if user is None and provider.creates_accounts:
            user = create_user(
                session=session,
                email=email,
                name=name,
                password=None,
                partnership=provider.partnership,
            )
        if user is not None:
            user.sso_issuer = provider.issuer
            user.sso_subject = subject
            session.flush()
    return user
