"""``aigrip publish --target national``: deliver the register to the national algorithm register.

Reads the last published snapshot (never waits for a discovery run), plans with
:mod:`transforms.publish.delivery`, calls :class:`connectors.register_api.RegisterApi` only with
``--confirm``, and appends one line per call to ``data_dir/publish/national_delivery.jsonl`` (the
delivery state: lars, version, hash of what was sent; append-only, file lock and fsync).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from connectors.register_api import AuthError, DeliveryError, RegisterApi
from pipelines.config import AigripConfig
from pipelines.register_state import publication_items
from transforms.errors import ConfigError
from transforms.publish.delivery import SystemPlan, field_diff, fold_state, plan_delivery
from transforms.publish.register import validate_entry
from warehouse import snapshot_connect

__all__ = ["deliver", "state_path", "read_state", "DeliveryReport", "TOKEN_ENV"]

TOKEN_ENV = "AIGRIP_REGISTER_TOKEN"


@dataclass
class DeliveryReport:
    plans: list[SystemPlan] = field(default_factory=list)
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """For ``--json``: counts, and per system its state, lars and the steps with their reasons."""
        return {"counts": self.counts(), "sent": self.sent, "failed": self.failed, "skipped": self.skipped,
                "systems": [{"system_id": p.system_id, "state": p.state, "lars": p.lars, "origin": p.origin,
                             "steps": [{"action": s.action, "reason": s.reason} for s in p.steps], "note": p.note}
                            for p in self.plans]}

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "release": 0, "retract": 0, "unchanged": 0}
        for p in self.plans:
            for s in p.steps:
                out[s.action] += 1
            if not p.steps:
                out["unchanged"] += 1
        return out


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / "publish" / "national_delivery.jsonl"


def read_state(path: Path) -> list[dict]:
    """The state records, oldest first; a torn or invalid line is skipped."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out


def _append(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")} | record
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
        fcntl.flock(fh, fcntl.LOCK_UN)


def _short(value, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def deliver(cfg: AigripConfig, *, confirm: bool, token: str | None = None,
            echo: Callable[[str], None] = print, api: RegisterApi | None = None) -> DeliveryReport:
    """Plan, and with ``confirm`` carry out, the delivery; ``echo`` receives Dutch lines for the user."""
    settings = cfg.publish.national
    if settings is None:
        raise ConfigError(f"{cfg.config_path or 'aigrip.yaml'}: no 'publish: {{national: {{url: …, organisation_id: …}}}}'; "
                          "add the delivery API's address and your organisation id")
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    if confirm and not token:
        raise ConfigError(f"{TOKEN_ENV} is not set; put the register's OAuth2 bearer token in it and try again")
    with snapshot_connect(cfg.data_dir) as con:
        items = publication_items(con)
    report = DeliveryReport()
    valid = []
    for item in items:
        problems = validate_entry(item["entry"]) if item.get("entry") else []
        if problems:
            report.skipped.append(f"{item['system_id']} {item.get('name') or ''}: niet geldig volgens standaard 1.0 "
                                  f"({problems[0]}{' …' if len(problems) > 1 else ''}); niet verzonden")
        else:
            valid.append(item)
    path = state_path(cfg.data_dir)
    state = fold_state(read_state(path))
    api = api or RegisterApi(settings.url, settings.organisation_id, token)
    remote = api.list_algorithms() if token else None
    report.plans = plan_delivery(valid, state, remote)
    mode = "levering" if confirm else "proefrun: niets verzonden"
    echo(f"Landelijk algoritmeregister ({settings.url}, organisatie {settings.organisation_id}) — {mode}")
    if remote is None:
        echo(f"Geen token in {TOKEN_ENV}: plan alleen op grond van de eerdere leveringen, zonder het register te lezen.")
    for line in report.skipped:
        echo("  overgeslagen: " + line)
    for plan in report.plans:
        head = f"{plan.system_id} {plan.name} ({plan.state}){' ' + plan.lars if plan.lars else ''}"
        if not plan.steps:
            if plan.note and plan.note != "ongewijzigd":
                echo(f"{head}: {plan.note}")
            continue
        echo(f"{head}: " + ", ".join(s.label for s in plan.steps) + " — " + "; ".join(s.reason for s in plan.steps))
        if not confirm:
            _print_diff(api, plan, token, echo)
        else:
            _carry_out(api, plan, path, report, echo)
    c = report.counts()
    echo(f"Samenvatting: {c['create']} aanmaken, {c['update']} bijwerken, {c['release']} vrijgeven, "
         f"{c['retract']} terugtrekken, {c['unchanged']} ongewijzigd"
         + (f", {len(report.skipped)} overgeslagen" if report.skipped else "")
         + (f"; {len(report.failed)} mislukt" if report.failed else "") + ".")
    if not confirm:
        echo("Niets verzonden. Verstuur met: aigrip publish --target national --confirm")
    return report


def _print_diff(api: RegisterApi, plan: SystemPlan, token: str | None, echo) -> None:
    if not plan.payload or not any(s.action in ("create", "update") for s in plan.steps):
        return
    if not plan.lars:
        echo(f"    nieuwe registratie met {len(plan.payload)} velden: {', '.join(plan.payload)}")
        return
    if not token:
        return  # the register cannot be read without a token (said once above)
    held = api.get_algorithm(plan.lars)
    if held is None:
        echo(f"    registratie {plan.lars} niet gevonden in het register")
    for key, old, new in field_diff(plan.payload, held):
        if key == "source_id" and old is None and held is None:
            continue
        echo(f"    {key}: register {_short(old) if old not in (None, '', []) else '(leeg)'} → aigrip "
             f"{_short(new) if new not in (None, '', []) else '(leeg)'}")


def _carry_out(api: RegisterApi, plan: SystemPlan, path: Path, report: DeliveryReport, echo) -> None:
    version = 0
    for rec in read_state(path):
        if rec.get("system_id") == plan.system_id and rec.get("ok", True) and rec.get("action") in ("create", "update"):
            version = max(version, int(rec.get("version") or 0))
    for step in plan.steps:
        base = {"system_id": plan.system_id, "action": step.action, "lars": plan.lars, "hash": plan.hash}
        try:
            if step.action == "create":
                plan.lars = api.create(plan.payload)
                version += 1
                _append(path, base | {"lars": plan.lars, "version": version, "ok": True})
            elif step.action == "update":
                if plan.origin == "adopted" and not _adopted_before(path, plan.system_id):
                    _append(path, {"system_id": plan.system_id, "action": "adopt", "lars": plan.lars, "ok": True,
                                   "reason": step.reason})
                api.update(plan.lars, plan.payload)
                version += 1
                _append(path, base | {"version": version, "ok": True})
            elif step.action == "release":
                api.release(plan.lars)
                _append(path, base | {"ok": True})
            elif step.action == "retract":
                api.retract(plan.lars)
                _append(path, base | {"hash": None, "ok": True})
            report.sent += 1
        except AuthError:
            raise
        except DeliveryError as exc:
            _append(path, base | {"ok": False, "error": str(exc), "status": exc.status})
            report.failed.append(f"{plan.system_id}: {exc}")
            echo(f"    mislukt: {exc}")
            return
    echo(f"    gedaan ({plan.lars})")


def _adopted_before(path: Path, system_id: str) -> bool:
    return any(r.get("system_id") == system_id and r.get("action") == "adopt" and r.get("ok", True)
               for r in read_state(path))
