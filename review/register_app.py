"""The register editor in the review app: every field of standard 1.0, templates, publication steps.

Routes (all signed in, CSRF-checked like the rest of the app):

* ``GET  /systemen/{id}/register``         the editor: fields by the register's sections, help texts,
  maximum lengths, required markers, option lists, rows to add and remove for the groupings, the
  matching supplier templates, the publication state and its buttons;
* ``POST /systemen/{id}/register``         save the changed fields as one ``edit`` decision (a value
  that breaks a rule is shown again with its Dutch message and nothing is saved);
* ``POST /systemen/{id}/register/sjabloon`` fill the empty fields from a template;
* ``POST /systemen/{id}/register/stap``     release, publish or withdraw.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from review.paths import root_of
from review.register import draft, edit_decision, roles_of, step_blockers, step_decision, template_decision
from transforms.errors import AigripError
from transforms.publish.fields import (
    FieldValueError,
    check_value,
    display_value,
    field_specs,
    is_empty,
    parse_value,
)
from transforms.publish.states import STATE_LABELS
from transforms.publish.templates import ATTRIBUTION, load_templates, template_fields

__all__ = ["register_routes"]

_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")
_EXTRA_ROWS = 1  # empty rows offered below a grouping's rows (more with the add button)
_STEP_LABELS = {"release": "Vrijgeven", "publish": "Publiceren", "withdraw": "Depubliceren"}


def _dutch_time(value: object) -> object:
    """'23 oktober 2026, 10:15' for a timestamp (UTC as stored), anything else unchanged."""
    if hasattr(value, "strftime") and hasattr(value, "month"):
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}, {value.strftime('%H:%M')}"
    return value


def _current_values(d: dict) -> dict[str, object]:
    """Per standard key the value the entry has now (the editor's, else what the sources give)."""
    out = {}
    for spec in field_specs():
        stored = d["fields"].get(spec["stored"])
        out[spec["key"]] = stored if not is_empty(stored) else d["entry"].get(spec["key"])
    return out


def _from_template(d: dict) -> set[str]:
    if not d.get("template"):
        return set()
    values = template_fields(d["template"])
    return {k for k, v in values.items() if d["fields"].get(k) == v}


def _form_values(form, spec: dict) -> object:
    """What the form sent for one field, as text (groupings: a list of {title, link})."""
    key = spec["key"]
    if spec["kind"] == "themes":
        return ", ".join(form.getlist(key))
    if spec["kind"] == "grouping":
        titles, links = form.getlist(f"{key}.title"), form.getlist(f"{key}.link")
        return [{"title": t.strip(), "link": link.strip()} for t, link in zip(titles, links) if t.strip() or link.strip()]
    return str(form.get(key) or "")


def _rows(value: object) -> list[dict]:
    return [dict(i) for i in value] if isinstance(value, list) else []


def register_routes(settings, render, login_required, flash) -> list[Route]:
    """The editor's routes, built with the app's ``render``, ``login_required`` and ``flash``."""

    def page(request: Request, d: dict, status_code: int = 200, typed: dict | None = None,
             errors: dict | None = None) -> Response:
        user = request.state.user
        roles = roles_of(settings.reviewers, user["username"]) or set()
        values = _current_values(d)
        shown = {}
        for spec in field_specs():
            value = (typed or {}).get(spec["key"], values[spec["key"]])
            if spec["kind"] == "grouping":
                shown[spec["key"]] = _rows(value) + [{"title": "", "link": ""}] * _EXTRA_ROWS
            elif spec["kind"] == "themes":
                shown[spec["key"]] = value if isinstance(value, list) else [
                    v.strip() for v in str(value or "").split(",") if v.strip()]
            else:
                shown[spec["key"]] = value if typed and spec["key"] in typed else display_value(spec["key"], value)
        sections: dict[str, list[dict]] = {}
        for spec in field_specs():
            sections.setdefault(spec["section"], []).append(spec)
        state = {k: _dutch_time(v) for k, v in (d["state"] or {}).items()}
        return render(request, "register.html", status_code, d=d, s=d["system"], sections=sections, shown=shown,
                      errors=errors or {}, from_template=_from_template(d), roles=roles, state=state,
                      state_label=STATE_LABELS.get(state.get("state") or "concept", "Concept"),
                      all_templates=load_templates(), attribution=ATTRIBUTION, step_labels=_STEP_LABELS,
                      nonce=uuid.uuid4().hex, blockers=step_blockers(d, user["username"], roles))

    @login_required
    async def editor(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        try:
            d = draft(settings.data_dir, system_id, settings.org_info)
        except AigripError:
            return render(request, "error.html", 404, title="Niet gevonden",
                          message=f"Systeem {system_id} staat niet in de laatst gepubliceerde gegevens.")
        if d["system_id"] != system_id:
            return RedirectResponse(f"{root_of(request)}/systemen/{d['system_id']}/register", status_code=303)
        return page(request, d)

    @login_required
    async def save(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        d = draft(settings.data_dir, system_id, settings.org_info)
        values = _current_values(d)
        changed, typed, errors = {}, {}, {}
        for spec in field_specs():
            key = spec["key"]
            if key not in form and f"{key}.title" not in form and f"{key}.shown" not in form:
                continue  # not on the submitted form (themes: the fieldset's marker says it was)
            sent = _form_values(form, spec)
            typed[key] = sent
            try:
                new = parse_value(key, sent)
                old = parse_value(key, values[key]) if not is_empty(values[key]) else None
            except FieldValueError as exc:
                errors[key] = [str(exc)]
                continue
            problems = check_value(key, new)
            if problems:
                errors[key] = problems
            elif new != old and not (is_empty(new) and is_empty(old)):
                changed[key] = sent
        if errors:
            flash(request, "Niet opgeslagen: verbeter de gemarkeerde velden.", "error")
            return page(request, d, 422, typed=typed, errors=errors)
        if not changed:
            flash(request, "Niets gewijzigd.")
            return RedirectResponse(f"{root_of(request)}/systemen/{d['system_id']}/register", status_code=303)
        try:
            edit_decision(settings.data_dir, d["system_id"], request.state.user["username"], changed,
                          reason=(form.get("reason") or None), event_id=form.get("event_id") or None)
        except AigripError as exc:
            flash(request, f"Niet opgeslagen: {exc}", "error")
        else:
            names = ", ".join(s["label"] for s in field_specs() if s["key"] in changed)
            flash(request, f"Registertekst opgeslagen ({names}). Dit wordt verwerkt bij de volgende run.")
        return RedirectResponse(f"{root_of(request)}/systemen/{d['system_id']}/register", status_code=303)

    @login_required
    async def use_template(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        try:
            event = template_decision(settings.data_dir, system_id, request.state.user["username"],
                                      str(form.get("template_id") or ""), settings.org_info,
                                      event_id=form.get("event_id") or None)
        except AigripError as exc:
            flash(request, f"Niet opgeslagen: {exc}", "error")
        else:
            flash(request, f"{event['reason']}: {len(event['fields']) - 1} lege velden ingevuld. "
                           "Controleer en pas ze aan; ze zijn gemarkeerd als ‘uit sjabloon’.")
        return RedirectResponse(f"{root_of(request)}/systemen/{system_id}/register", status_code=303)

    @login_required
    async def step(request: Request, form) -> Response:
        system_id = request.path_params["system_id"]
        action = str(form.get("action") or "")
        try:
            step_decision(settings.data_dir, system_id, action, request.state.user["username"], settings.reviewers,
                          settings.org_info, reason=(form.get("reason") or None), event_id=form.get("event_id") or None)
        except AigripError as exc:
            flash(request, f"Niet opgeslagen: {exc}", "error")
        else:
            flash(request, f"{_STEP_LABELS.get(action, action)} opgeslagen. Dit wordt verwerkt bij de volgende run.")
        return RedirectResponse(f"{root_of(request)}/systemen/{system_id}/register", status_code=303)

    return [
        Route("/systemen/{system_id}/register", editor, methods=["GET"]),
        Route("/systemen/{system_id}/register", save, methods=["POST"]),
        Route("/systemen/{system_id}/register/sjabloon", use_template, methods=["POST"]),
        Route("/systemen/{system_id}/register/stap", step, methods=["POST"]),
    ]
