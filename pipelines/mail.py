"""Sending mail and webhook posts for aigrip's notices (alerts to the data team).

One place that speaks SMTP (with STARTTLS or SSL, the password from an environment variable, never
from the config file) and posts JSON to a webhook, each with a time limit; a failure is one readable
line (:class:`~transforms.errors.AigripError`).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import requests

from pipelines.obligations_config import SmtpSettings
from transforms.errors import AigripError, ConfigError

__all__ = ["Mail", "send_mail", "post_webhook"]


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    name: str = ""


def send_mail(smtp: SmtpSettings, sender: str, sender_name: str, mails: list[Mail], config_key: str) -> int:
    """Send every mail over one SMTP connection; returns how many were sent."""
    password = None
    if smtp.password_env:
        password = os.environ.get(smtp.password_env)
        if password is None:
            raise ConfigError(f"environment variable {smtp.password_env} ({config_key}.password_env) is not set")
    sent = 0
    try:
        cls = smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP
        kwargs = {"context": ssl.create_default_context()} if smtp.ssl else {}
        with cls(smtp.host, smtp.port, timeout=smtp.timeout, **kwargs) as server:
            if smtp.starttls and not smtp.ssl:
                server.ehlo()
                if not server.has_extn("starttls"):
                    raise AigripError(f"SMTP server {smtp.host}:{smtp.port} offers no STARTTLS; set "
                                      f"{config_key}.starttls: false only on a trusted internal network")
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if smtp.username:
                server.login(smtp.username, password or "")
            for m in mails:
                msg = EmailMessage()
                msg["From"] = formataddr((sender_name, sender))
                msg["To"] = formataddr((m.name, m.to))
                msg["Subject"] = m.subject
                msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
                msg.set_content(m.text)
                msg["Content-Language"] = "nl"  # after set_content, which replaces the Content-* headers
                server.send_message(msg)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise AigripError(f"SMTP server {smtp.host}:{smtp.port} failed after {sent} message(s): "
                          f"{type(exc).__name__}: {first}; check {config_key}") from None
    return sent


def post_webhook(url: str, text: str, timeout: float = 10.0) -> None:
    """POST ``{"text": ...}`` (the shape Mattermost, Slack and Teams incoming webhooks accept)."""
    try:
        resp = requests.post(url, json={"text": text}, timeout=timeout)
    except requests.RequestException as exc:
        raise AigripError(f"webhook {url} failed: {type(exc).__name__}") from None
    if resp.status_code >= 300:
        raise AigripError(f"webhook {url} answered HTTP {resp.status_code}")
