"""Alerts to the data team: a failed run, a source that failed to load, a scheduled run that did not happen.

Configured in ``aigrip.yaml``::

    alerts:
      email: [datateam@voorbeeldstad.nl]        # staff addresses (internal; never in public outputs)
      webhook: https://chat.voorbeeldstad.nl/hooks/…   # optional: JSON {"text": …} POST
      smtp: {host: smtp.voorbeeldstad.nl, port: 587}   # optional: default digest.smtp
      sender: aigrip@voorbeeldstad.nl           # optional: default digest.sender
      missed_run_hours: 6                       # a scheduled run not started this long after its time

The Dagster daemon evaluates the sensors in ``pipelines/defs/alerts.py``, which call :func:`send_alert`.
Alert texts name runs, jobs, sources and errors; never row contents.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines.mail import Mail, post_webhook, send_mail
from pipelines.obligations_config import SmtpSettings
from transforms.errors import AigripError, ConfigError

__all__ = ["AlertSettings", "send_alert"]


class AlertSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: list[str] = Field(default_factory=list)
    webhook: str | None = None
    smtp: SmtpSettings | None = None
    sender: str | None = None
    missed_run_hours: float = Field(default=6, gt=0, le=24 * 7)

    @field_validator("email")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        from pipelines.config import check_email

        return [check_email(a) for a in v]

    @field_validator("webhook")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("https://", "http://")):
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.email or self.webhook)


def send_alert(config, subject: str, text: str) -> list[str]:
    """Send one alert by every configured channel; returns what went where (or why not), never raises."""
    settings: AlertSettings = config.alerts
    done: list[str] = []
    if settings.email:
        smtp = settings.smtp or config.digest.smtp
        sender = settings.sender or config.digest.sender
        if smtp is None or not sender:
            done.append("e-mail niet verstuurd: alerts.smtp en alerts.sender (of digest.smtp/digest.sender) ontbreken")
        else:
            mails = [Mail(to=a, subject=f"[aigrip] {subject}", text=text) for a in settings.email]
            try:
                n = send_mail(smtp, sender, f"aigrip {config.organisation.name}", mails, "alerts.smtp")
                done.append(f"e-mail aan {n} adres(sen)")
            except (AigripError, ConfigError) as exc:
                done.append(f"e-mail mislukt: {exc}")
    if settings.webhook:
        try:
            post_webhook(settings.webhook, f"aigrip {config.organisation.name}: {subject}\n{text}")
            done.append("webhook")
        except AigripError as exc:
            done.append(f"webhook mislukt: {exc}")
    return done
