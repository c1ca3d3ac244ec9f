"""The review sites of a platform's tenants (``aigrip serve --config tenants.yaml``; review/platform.py)."""

from __future__ import annotations

from pipelines.review_settings import review_settings
from pipelines.tenants import Platform
from review.platform import TenantSite

__all__ = ["review_sites"]


def review_sites(platform: Platform) -> tuple[list[TenantSite], list[str]]:
    """One review site per tenant with reviewers, and a warning line for each tenant left out."""
    sites: list[TenantSite] = []
    skipped: list[str] = []
    for tenant in platform.tenants:
        cfg = tenant.config
        if not cfg.reviewers:
            skipped.append(f"{tenant.id} ({cfg.organisation.name}) is not served: no reviewers in {cfg.config_path}; "
                           "add a 'reviewers:' list (create a hash with 'aigrip hash-password')")
            continue
        sites.append(TenantSite(id=tenant.id, name=cfg.organisation.name, settings=review_settings(cfg)))
    return sites, skipped
