"""Building the review app's settings from aigrip.yaml (secret key from the environment)."""

from __future__ import annotations

import os
import secrets

from pipelines.config import AigripConfig

__all__ = ["review_settings"]


def review_settings(config: AigripConfig):
    from review.app import ReviewSettings

    secret = os.environ.get(config.review.secret_key_env)
    if not secret:
        key_file = config.data_dir / "review_secret.key"
        if key_file.exists():
            secret = key_file.read_text().strip()
        else:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            secret = secrets.token_hex(32)
            key_file.write_text(secret)
            os.chmod(key_file, 0o600)
    return ReviewSettings(
        data_dir=config.data_dir,
        organisation=config.organisation.name,
        org={"name": config.organisation.name, "code": config.organisation.code,
             "contact_email": config.organisation.contact_email},
        reviewers=[r.model_dump() for r in config.reviewers],
        secret_key=secret,
        session_minutes=config.review.session_minutes,
        https_only=config.review.https_only,
        trusted_proxies=list(config.review.trusted_proxies),
    )
