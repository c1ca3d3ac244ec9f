"""The reviewers' and owners' e-mail digest (Dutch): new candidates to review, overdue periodic
reviews, and deadlines within the horizon (default 90 days). Pure: builds the messages; sending is
``pipelines.digest``. Reviewers get everything; an owner gets only the systems of their departments.
Recipients are staff contacts from the config; the digest holds no personal data of residents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from transforms.classify.rulebook import dutch_date

__all__ = ["DigestItem", "DigestMessage", "digest_items", "compose_digest"]


@dataclass
class DigestItem:
    kind: str            # candidate | overdue_review | deadline
    system_id: str
    name: str
    department: str | None
    text: str
    when: dt.date | None = None


@dataclass
class DigestMessage:
    to: str
    name: str
    subject: str
    text: str
    items: list[DigestItem] = field(default_factory=list)


def _date(v: object) -> dt.date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()


def digest_items(systems: pd.DataFrame, registry: pd.DataFrame | None, reviews: pd.DataFrame | None,
                 obligations: pd.DataFrame | None, as_of: dt.date, since: dt.date, horizon_days: int = 90) -> list[DigestItem]:
    """What to report: candidates flagged since ``since``, overdue reviews, open deadlines up to
    ``as_of + horizon_days`` (overdue open deadlines included)."""
    info = systems.set_index("system_id")[["name", "department", "status"]].to_dict("index") if len(systems) else {}
    items: list[DigestItem] = []
    if registry is not None and len(registry):
        created = dict(zip(registry["system_id"], registry["created_at"].map(_date), strict=True))
        for sid, s in info.items():
            when = created.get(sid)
            if s["status"] == "candidate" and when is not None and since <= when <= as_of:
                items.append(DigestItem("candidate", sid, s["name"] or sid, s["department"],
                                        f"nieuwe kandidaat, gevonden op {dutch_date(when)}", when))
    if reviews is not None and len(reviews):
        for r in reviews[reviews["overdue"].astype(bool)].itertuples(index=False):
            s = info.get(r.system_id, {})
            due = _date(r.next_review)
            items.append(DigestItem("overdue_review", r.system_id, s.get("name") or r.system_id, s.get("department"),
                                    f"herbeoordeling te laat sinds {dutch_date(due)} ({r.days_overdue} dagen)", due))
    if obligations is not None and len(obligations):
        limit = as_of + dt.timedelta(days=horizon_days)
        for o in obligations.itertuples(index=False):
            due = _date(o.deadline)
            if due is None or o.status == "gedaan" or due > limit:
                continue
            s = info.get(o.system_id, {})
            late = due < as_of
            sure = "" if o.date_confirmed else " (datum nog niet bevestigd)"
            items.append(DigestItem("deadline", o.system_id, s.get("name") or o.system_id, s.get("department"),
                                    f"{o.duty}: {'termijn verstreken op' if late else 'uiterlijk'} {dutch_date(due)}{sure} "
                                    f"({o.legal_source})", due))
    return items


_HEADINGS = {"candidate": "Nieuwe kandidaten om te beoordelen", "overdue_review": "Herbeoordelingen die te laat zijn",
             "deadline": "Termijnen die verstreken zijn of binnenkort verlopen"}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def compose_digest(items: list[DigestItem], recipients: list[dict], *, organisation: str, as_of: dt.date,
                   horizon_days: int, app_url: str | None = None) -> list[DigestMessage]:
    """One message per recipient with something to report (reviewers: all; owners: their departments)."""
    out = []
    for rec in recipients:
        mine = items
        if rec.get("role") == "owner":
            depts = {d.strip().lower() for d in rec.get("departments") or []}
            mine = [i for i in items if (i.department or "").strip().lower() in depts]
        if not mine:
            continue
        counts = {k: sum(1 for i in mine if i.kind == k) for k in _HEADINGS}
        parts = [p for p in (
            _plural(counts["candidate"], "nieuwe kandidaat", "nieuwe kandidaten") if counts["candidate"] else "",
            _plural(counts["overdue_review"], "herbeoordeling te laat", "herbeoordelingen te laat") if counts["overdue_review"] else "",
            _plural(counts["deadline"], "termijn", "termijnen") + f" binnen {horizon_days} dagen" if counts["deadline"] else "",
        ) if p]
        subject = f"aigrip {organisation}: " + ", ".join(parts)
        lines = [f"Beste {rec['name']},", "",
                 f"Dit is het overzicht van aigrip voor {organisation} op {dutch_date(as_of)}.", ""]
        for kind, heading in _HEADINGS.items():
            group = sorted((i for i in mine if i.kind == kind), key=lambda i: (i.when or as_of, i.system_id))
            if not group:
                continue
            lines += [f"{heading} ({len(group)}):"]
            for i in group:
                where = f", {i.department}" if i.department else ""
                link = f" — {app_url.rstrip('/')}/systemen/{i.system_id}" if app_url else ""
                lines.append(f"- {i.name} ({i.system_id}{where}): {i.text}{link}")
            lines.append("")
        lines += ["U ontvangt dit bericht omdat u in de configuratie van aigrip staat als "
                  + ("beoordelaar." if rec.get("role") != "owner" else "eigenaar van systemen van uw afdeling."),
                  "Dit bericht is intern en bevat geen persoonsgegevens van inwoners."]
        out.append(DigestMessage(rec["email"], rec["name"], subject, "\n".join(lines), mine))
    return out
