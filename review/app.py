"""The reviewers' web app: server-rendered Starlette + Jinja2 pages, usable without JavaScript.

Reads only the published snapshot and writes only to the decision log (docs/contracts.md §5). Every page
needs a signed-in reviewer; every form carries the session's CSRF token; every decision records
the signed-in reviewer and the time. Run it with ``aigrip serve`` (uvicorn on localhost).
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from review import labels
from review.auth import (
    LoginThrottle,
    ReviewSettings,
    authenticate,
    csrf_ok,
    csrf_token,
    current_user,
    sign_in,
    sign_out,
)
from review.grip import latest_checklist
from review.guard import (
    SessionRegistry,
    bulk_event_id,
    client_address,
    conflict_with,
    latest_decisions,
    parse_proxies,
)
from review.obligations import (
    ASSESSMENT_STATUSES,
    OBLIGATION_ACTIONS,
    REQUIREMENT_STATUSES,
    datum,
    form_problem,
    obligation_detail,
    obligation_fields,
    obligations_overview,
)
from review.paths import root_of, safe_next
from review.queue import STATUS_FILTERS, decide, filter_options, list_queue, queue_counts, show_system
from review.register import publication_state
from review.register_app import register_routes
from transforms.errors import AigripError, WarehouseError
from transforms.labels import SOURCE_TYPE_LABELS
from transforms.monitor.dutch import nl_number
from warehouse import snapshot_connect
from warehouse.decision_log import EDIT_FIELDS, PUBLICATION_CATEGORIES, REGISTER_STATUSES

__all__ = ["ReviewSettings", "SecurityHeaders", "create_app", "page_templates", "serve", "serve_asgi"]

_HERE = Path(__file__).parent
_SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
_BULK_ACTIONS = ("confirm", "reject")


class SecurityHeaders:
    """ASGI middleware adding security and no-cache headers to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def page_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HERE / "templates")), autoescape=True)
    env.globals.update(
        labels=labels, label=labels.label, EDIT_FIELDS=EDIT_FIELDS, PUBLICATION_CATEGORIES=PUBLICATION_CATEGORIES,
        REGISTER_STATUSES=REGISTER_STATUSES, STATUS_FILTERS=STATUS_FILTERS, SOURCE_TYPE_LABELS=SOURCE_TYPE_LABELS,
        REQUIREMENT_STATUSES=REQUIREMENT_STATUSES, ASSESSMENT_STATUSES=ASSESSMENT_STATUSES,
    )
    env.filters["datum"] = datum
    env.filters["getal"] = nl_number  # Dutch numbers: 0,90 and 1.234,5
    return Jinja2Templates(env=env)


def _safe_next(request: Request, target: object) -> str:
    """Only paths inside this app after sign-in (no open redirects; review/paths.py)."""
    return safe_next(target, root_of(request))


def _flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = request.session["flash"] + [{"text": text, "kind": kind}]


def create_app(settings: ReviewSettings) -> Starlette:
    """The review app for ``settings`` (an ASGI app; serve it with uvicorn)."""
    templates = page_templates()
    throttle = LoginThrottle(settings.max_failures, settings.lockout_minutes * 60.0)
    # across all addresses a username gets a few times more tries, so rotating addresses does not help either
    user_throttle = LoginThrottle(settings.max_failures * 4, settings.lockout_minutes * 60.0)
    proxies = parse_proxies(settings.trusted_proxies)
    sessions = SessionRegistry()
    names = {str(r.get("username")): str(r.get("name") or r.get("username")) for r in settings.reviewers}

    def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
        context.update(
            organisation=settings.organisation, root=root_of(request),
            user=request.state.user if hasattr(request.state, "user") else None,
            csrf=csrf_token(request), flashes=request.session.pop("flash", []),
        )
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def login_required(handler):
        @wraps(handler)
        async def wrapper(request: Request):
            user = current_user(request, settings.session_minutes)
            if user is not None and not sessions.alive(request.session.get("sid")):
                sign_out(request)  # logged out elsewhere, or the app restarted: the cookie alone is not enough
                user = None
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(root_of(request) + "/login?" + urlencode({"next": target}), status_code=303)
            request.state.user = user
            form = None
            if request.method == "POST":
                form = await request.form()
                if not csrf_ok(request, form.get("csrf_token")):
                    return render(request, "error.html", 403, title="Verlopen formulier",
                                  message="Het formulier is verlopen of ongeldig. Ga terug, laad de pagina opnieuw en probeer het nog eens.")
            try:
                return await handler(request, form)
            except WarehouseError as exc:
                return render(request, "error.html", 503, title="Nog geen gegevens",
                              message=f"Er zijn nog geen gepubliceerde gegevens om te beoordelen ({exc}).")
        return wrapper

    async def login_page(request: Request) -> Response:
        if current_user(request, settings.session_minutes) and sessions.alive(request.session.get("sid")):
            return RedirectResponse(_safe_next(request, request.query_params.get("next")), status_code=303)
        return render(request, "login.html", next=_safe_next(request, request.query_params.get("next")))

    async def login_submit(request: Request) -> Response:
        form = await request.form()
        target = _safe_next(request, form.get("next"))
        if not csrf_ok(request, form.get("csrf_token")):
            return render(request, "login.html", 403, next=target,
                          error="Het formulier is verlopen. Probeer het opnieuw.")
        username = str(form.get("username") or "").strip()
        address = client_address(request.client.host if request.client else None,
                                 request.headers.get("x-forwarded-for"), proxies)
        key = f"{username.lower()}|{address}"
        if throttle.blocked(key) or user_throttle.blocked(username.lower()):
            return render(request, "login.html", 429, next=target, username=username,
                          error=f"Te veel mislukte pogingen. Wacht {settings.lockout_minutes} minuten.")
        reviewer = authenticate(settings.reviewers, username, str(form.get("password") or ""))
        if reviewer is None:
            throttle.failed(key)
            user_throttle.failed(username.lower())
            return render(request, "login.html", 401, next=target, username=username,
                          error="Gebruikersnaam of wachtwoord onjuist.")
        throttle.succeeded(key)
        user_throttle.succeeded(username.lower())
        sessions.revoke(request.session.get("sid"))
        sign_in(request, reviewer)
        request.session["sid"] = sessions.start()
        return RedirectResponse(target, status_code=303)

    @login_required
    async def logout(request: Request, form) -> Response:
        sessions.revoke(request.session.get("sid"))  # the cookie, even if copied, no longer signs anyone in
        sign_out(request)
        return RedirectResponse(root_of(request) + "/login", status_code=303)

    @login_required
    async def queue_page(request: Request, form) -> Response:
        q = request.query_params
        filters = {k: (q.get(k) or "").strip() for k in ("status", "department", "source", "klasse")}
        filters["status"] = filters["status"] if filters["status"] in STATUS_FILTERS else "queue"
        with snapshot_connect(settings.data_dir) as con:
            rows = list_queue(con, status=filters["status"], department=filters["department"] or None,
                              source=filters["source"] or None, ai_act_class=filters["klasse"] or None,
                              data_dir=settings.data_dir)
            counts = queue_counts(con)
            options = filter_options(con)
            grip = latest_checklist(con)
        latest = latest_decisions(settings.data_dir)
        return render(request, "queue.html", rows=rows, counts=counts, options=options, filters=filters, grip=grip,
                      form_id=uuid.uuid4().hex, seen={r["system_id"]: (latest.get(r["system_id"]) or {}).get("event_id", "")
                                                      for r in rows},
                      back=request.url.path + (f"?{request.url.query}" if request.url.query else ""))

    @login_required
    async def system_page(request: Request, form) -> Response:
        requested = request.path_params["system_id"]
        with snapshot_connect(settings.data_dir) as con:
            try:
                detail = show_system(con, requested, data_dir=settings.data_dir)
                ob = obligation_detail(con, detail["system_id"])
                detail["register_state"] = publication_state(con, detail["system_id"])  # review/register.py
            except AigripError:
                return render(request, "error.html", 404, title="Niet gevonden",
                              message=f"Systeem {requested} staat niet in de laatst gepubliceerde gegevens.")
        if detail["system_id"] != requested:
            _flash(request, f"{requested} is samengevoegd met {detail['system_id']}.")
            return RedirectResponse(f"{root_of(request)}/systemen/{detail['system_id']}", status_code=303)
        seen = (latest_decisions(settings.data_dir).get(requested) or {}).get("event_id", "")
        return render(request, "system.html", d=detail, s=detail["system"], nonce=uuid.uuid4().hex,
                      today=date.today().isoformat(), ob=ob, seen=seen)

    @login_required
    async def decide_submit(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        action = str(form.get("action") or "")
        fields: dict = {}
        if action in ("confirm", "edit"):
            fields = {k: form.get(k) for k in EDIT_FIELDS if form.get(k)}
            if form.get("kind"):
                fields["kind"] = form.get("kind")
        elif action == "reject" and form.get("ground"):
            fields = {"ground": form.get("ground")}
        elif action == "defer":
            fields = {"defer_until": form.get("defer_until")}
        seen = form.get("seen")
        if seen is not None and form.get("event_id") and not _already_saved(form.get("event_id")):
            other = conflict_with(settings.data_dir, system_id, str(seen))
            if other is not None:
                return render(request, "conflict.html", 409, system_id=system_id, action=action, other=other,
                              who=names.get(str(other.get("reviewer")), other.get("reviewer")),
                              when=labels.dutch_datetime(other.get("at")),
                              resend=[(k, v) for k, v in form.multi_items() if k not in ("csrf_token", "seen", "event_id")],
                              latest=other.get("event_id"), nonce=uuid.uuid4().hex)
        return _record(request, system_id, action, "", reason=form.get("reason") or None,
                       into=(form.get("into") or "").strip() or None, fields=fields or None,
                       source_keys=form.getlist("source_keys") or None, event_id=form.get("event_id") or None,
                       seen=None if seen is None else str(seen))

    def _record(request: Request, system_id: str, action: str, anchor: str, **decision) -> Response:
        """Append the reviewer's decision to the log, say in Dutch whether it was saved, back to the system."""
        try:
            decide(settings.data_dir, system_id, action, request.state.user["username"], **decision)
        except AigripError as exc:
            _flash(request, f"Niet opgeslagen: {exc}", "error")
        else:
            _flash(request, f"{labels.label(labels.ACTION_LABELS, action)} voor {system_id} opgeslagen. "
                            "Dit wordt verwerkt bij de volgende run.")
        return RedirectResponse(f"{root_of(request)}/systemen/{system_id}{anchor}", status_code=303)

    @login_required
    async def obligations_page(request: Request, form) -> Response:
        with snapshot_connect(settings.data_dir) as con:
            overview = obligations_overview(con, date.today())
        return render(request, "obligations.html", o=overview)

    @login_required
    async def obligation_submit(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        action = str(form.get("action") or "")
        if action not in OBLIGATION_ACTIONS:
            _flash(request, "Onbekende actie.", "error")
            return RedirectResponse(f"{root_of(request)}/systemen/{system_id}", status_code=303)
        fields, reason = obligation_fields(action, form)
        problem = form_problem(action, fields, reason)
        if problem:
            _flash(request, f"Niet opgeslagen: {problem}.", "error")
            return RedirectResponse(f"{root_of(request)}/systemen/{system_id}#plicht-kop", status_code=303)
        return _record(request, system_id, action, "#plicht-kop", reason=reason, fields=fields,
                       event_id=form.get("event_id") or None)

    @login_required
    async def bulk_submit(request: Request, form) -> Response:
        action = str(form.get("action") or "")
        ids = [str(i) for i in form.getlist("system_ids")]
        back = _safe_next(request, form.get("back"))
        if action not in _BULK_ACTIONS or not ids:
            _flash(request, "Kies een of meer systemen en een actie (bevestigen of afwijzen).", "error")
            return RedirectResponse(back, status_code=303)
        fields = {"ground": form.get("ground")} if action == "reject" and form.get("ground") else None
        form_id = str(form.get("form_id") or "") or uuid.uuid4().hex
        saved, failed = 0, []
        latest = latest_decisions(settings.data_dir)
        for sid in ids:
            event_id = bulk_event_id(form_id, sid)
            seen = form.get(f"seen.{sid}")
            other = latest.get(sid)
            if (seen is not None and other is not None and other.get("event_id") not in (seen, event_id)):
                failed.append(f"{sid}: intussen heeft {names.get(str(other.get('reviewer')), other.get('reviewer'))} op {labels.dutch_datetime(other.get('at'))} "
                              f"‘{labels.label(labels.ACTION_LABELS, other.get('action'))}’ opgeslagen; open het systeem "
                              "om dit conflict op te lossen")
                continue
            try:
                decide(settings.data_dir, sid, action, request.state.user["username"],
                       reason=form.get("reason") or None, fields=fields, event_id=event_id,
                       seen=None if seen is None else str(seen))
                saved += 1
            except AigripError as exc:
                failed.append(f"{sid}: {exc}")
        if saved:
            _flash(request, f"{labels.label(labels.ACTION_LABELS, action)}: {saved} systeem/systemen opgeslagen.")
        for line in failed:
            _flash(request, f"Niet opgeslagen: {line}", "error")
        return RedirectResponse(back, status_code=303)

    @login_required
    async def drift_page(request: Request, form) -> Response:
        from review.register_drift import drift_context

        with snapshot_connect(settings.data_dir) as con:
            context = drift_context(con)
        return render(request, "drift.html", **context)

    def _already_saved(event_id: str) -> bool:
        """A re-sent form whose decision is already in the log is no conflict (it is written once)."""
        return any(e.get("event_id") == event_id for e in latest_decisions(settings.data_dir).values())

    async def not_found(request: Request, exc) -> Response:
        return render(request, "error.html", 404, title="Niet gevonden", message="Deze pagina bestaat niet.")

    routes = [
        Route("/", queue_page),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/bulk", bulk_submit, methods=["POST"]),
        Route("/systemen/{system_id}", system_page, methods=["GET"]),
        Route("/systemen/{system_id}/besluit", decide_submit, methods=["POST"]),
        Route("/systemen/{system_id}/verplichting", obligation_submit, methods=["POST"]),
        Route("/register/afwijkingen", drift_page, methods=["GET"]),
        Route("/verplichtingen", obligations_page, methods=["GET"]),
        *register_routes(settings, render, login_required, _flash),  # the register editor (review/register_app.py)
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=settings.cookie_name,
                   path=settings.cookie_path,
                   max_age=settings.session_minutes * 60, same_site="strict", https_only=settings.https_only),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={404: not_found})


def serve_asgi(asgi_app, port: int = 8000, host: str = "127.0.0.1", log_level: str = "warning") -> None:
    """Serve a review app (one municipality's, or the platform's) with uvicorn.

    uvicorn never rewrites the client address from proxy headers (by default it believes
    X-Forwarded-For from 127.0.0.1, which would let anyone on the host rotate it past the login lock):
    review.guard.client_address alone decides whom to believe, from ``review.trusted_proxies``."""
    import uvicorn

    uvicorn.run(asgi_app, host=host, port=port, log_level=log_level, proxy_headers=False, forwarded_allow_ips="")


def serve(settings: ReviewSettings, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve the review app (localhost by default; put a TLS proxy in front otherwise)."""
    serve_asgi(create_app(settings), port=port, host=host, log_level="info")
