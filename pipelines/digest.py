"""Sending the digest (``aigrip digest``): reads the last published snapshot, builds the Dutch
messages (``transforms.obligations.digest``) and sends them over SMTP from the config. The date of
the last successful digest is kept in ``data_dir/digest/last_sent.json`` so new candidates are
reported once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipelines.config import AigripConfig
from pipelines.mail import Mail, send_mail
from transforms.errors import AigripError, ConfigError
from transforms.obligations.digest import DigestMessage, compose_digest, digest_items
from warehouse import read_table, snapshot_connect, table_exists

__all__ = ["build_digest", "send_digest", "state_path"]


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / "digest" / "last_sent.json"


def _since(data_dir: Path, as_of: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(json.loads(state_path(data_dir).read_text(encoding="utf-8"))["last_sent"]) \
            + dt.timedelta(days=1)
    except (OSError, ValueError, KeyError):
        return as_of - dt.timedelta(days=7)


def build_digest(cfg: AigripConfig, as_of: dt.date | None = None, app_url: str | None = None) -> list[DigestMessage]:
    """The messages the digest would send now (nothing is sent)."""
    as_of = as_of or dt.date.today()
    settings = cfg.digest
    if not settings.recipients:
        raise ConfigError(f"{cfg.config_path}: digest.recipients is empty; name the staff contacts who get the digest")
    with snapshot_connect(cfg.data_dir) as con:
        if not table_exists(con, "obligations"):
            raise AigripError("the last published run has no obligations yet; run 'aigrip run' first")
        systems = read_table(con, "systems")
        registry = read_table(con, "system_ids")
        reviews = read_table(con, "reviews")
        obligations = read_table(con, "obligations")
    items = digest_items(systems, registry, reviews, obligations, as_of, _since(cfg.data_dir, as_of), settings.horizon_days)
    return compose_digest(items, [r.model_dump() for r in settings.recipients], organisation=cfg.organisation.name,
                          as_of=as_of, horizon_days=settings.horizon_days, app_url=app_url)


def send_digest(cfg: AigripConfig, messages: list[DigestMessage], as_of: dt.date | None = None) -> int:
    """Send over SMTP; returns the number sent. One failing server is one readable error line."""
    settings = cfg.digest
    if not settings.enabled:
        raise ConfigError(f"{cfg.config_path}: the digest is off; set digest.enabled: true (and digest.smtp) to send it")
    if settings.smtp is None or not settings.sender:
        raise ConfigError(f"{cfg.config_path}: digest.smtp (host, port) and digest.sender are needed to send the digest")
    mails = [Mail(to=m.to, name=m.name, subject=m.subject, text=m.text) for m in messages]
    try:
        sent = send_mail(settings.smtp, settings.sender, "aigrip " + cfg.organisation.name, mails, "digest.smtp")
    except ConfigError:
        raise
    except AigripError as exc:
        raise AigripError(f"digest: {exc}") from None
    path = state_path(cfg.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"last_sent": (as_of or dt.date.today()).isoformat(), "messages": sent}), encoding="utf-8")
    return sent
