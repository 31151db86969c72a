"""Email over SMTP, from the settings (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USERNAME``,
``SMTP_PASSWORD``, ``SMTP_STARTTLS``, ``MAIL_FROM``).

Without ``SMTP_HOST`` nothing is sent: ``send_mail`` says so and the caller shows the
administrator the link to pass on instead. A failure to send is logged, never shown to someone
who is not signed in (that would tell them whether an account exists).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; True if the SMTP server accepted it."""
    config = current_app.config
    if not mail_configured():
        log.info("email not sent (no SMTP_HOST): %s", subject)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("email to the SMTP server failed (%s): %s", error.__class__.__name__, subject)
        return False
    return True
