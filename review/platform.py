"""One review app for all organisations of a platform (``aigrip serve --config tenants.yaml``).

Every organisation (tenant) keeps its own review app (review/app.py), mounted under
``/<tenant-id>/``: its own reviewers, login throttle, trusted proxies, live sessions, decision log
and snapshot, and its own session cookie (a name and path per tenant, signed with a key derived
for that tenant only). ``/`` is a short Dutch page listing the organisations with a link to their
sign-in; any other path (an unknown id, another case, ``..``) is a Dutch 404 page.

Nothing is shared between the mounted apps but the process: a cookie of one tenant is neither
sent by the browser to another's prefix (path) nor accepted there (name, signature, live
session id), and a decision goes to the log under the tenant's own ``data_dir``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from review.app import SecurityHeaders, create_app, page_templates
from review.auth import ReviewSettings
from transforms.errors import ConfigError

__all__ = ["TenantSite", "tenant_settings", "create_platform_app", "RESERVED_IDS"]

_HERE = Path(__file__).parent
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
RESERVED_IDS = frozenset({"static", "login", "logout"})  # paths of the platform itself


@dataclass(frozen=True)
class TenantSite:
    """One organisation on the platform: its id (the URL prefix), its name and its review settings."""

    id: str
    name: str
    settings: ReviewSettings


def tenant_settings(tenant_id: str, settings: ReviewSettings) -> ReviewSettings:
    """``settings`` made fit for mounting under ``/<tenant_id>/``: a cookie name and path of its own and
    a session key derived for this tenant, so that even tenants sharing one ``AIGRIP_SECRET_KEY``
    never accept each other's cookies."""
    if not _ID.match(tenant_id) or tenant_id in RESERVED_IDS:
        raise ConfigError(f"tenant id '{tenant_id}' cannot be a web address prefix; use the organisation "
                          "code (e.g. gm0363) in organisation.code")
    key = hmac.new(settings.secret_key.encode("utf-8"), f"aigrip-review-tenant:{tenant_id}".encode(),
                   hashlib.sha256).hexdigest()
    return replace(settings, secret_key=key, cookie_name=f"aigrip_review_{tenant_id}", cookie_path=f"/{tenant_id}/")


def create_platform_app(sites: list[TenantSite], title: str) -> Router:
    """The ASGI app serving every site under its prefix and the list of organisations at ``/``."""
    if not sites:
        raise ConfigError("no organisation to serve: give at least one tenant reviewers")
    ids = [s.id for s in sites]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"an organisation is listed twice: {', '.join(sorted(i for i in set(ids) if ids.count(i) > 1))}")
    templates = page_templates()
    listed = sorted(({"id": s.id, "name": s.name} for s in sites), key=lambda t: (t["name"].casefold(), t["id"]))

    def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
        context.update(organisation=title, brand=f"aigrip · {title}", root="", user=None, csrf="", flashes=[])
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    async def landing(request: Request) -> Response:
        return render(request, "platform.html", tenants=listed)

    def to_tenant(tenant_id: str):
        async def redirect(request: Request) -> Response:
            return RedirectResponse(f"/{tenant_id}/", status_code=308)
        return redirect

    async def not_found(request: Request, exc) -> Response:
        return render(request, "error.html", 404, title="Niet gevonden", back_label="Naar de lijst van gemeenten",
                      message="Deze pagina bestaat niet. Kies uw gemeente in de lijst en log daar in.")

    async def not_allowed(request: Request, exc) -> Response:
        return render(request, "error.html", 405, title="Niet toegestaan", back_label="Naar de lijst van gemeenten",
                      message="Deze pagina kan alleen worden bekeken, niet verstuurd.")

    home = Starlette(
        routes=[Route("/", landing, methods=["GET"]),
                *[Route(f"/{s.id}", to_tenant(s.id)) for s in sites],
                Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: not_found, 405: not_allowed},
    )
    mounts = [Mount(f"/{s.id}", app=create_app(tenant_settings(s.id, s.settings))) for s in sites]
    return Router(routes=mounts, default=home, redirect_slashes=False)  # everything else (also paths no route pattern takes) is home's
