"""CLI commands of the obligations stage, registered on ``aigrip`` by :func:`register`:

- ``aigrip obligations [--within DAYS] [--system ID] [--json]`` — duties and deadlines (open ones first)
- ``aigrip reviews [--overdue] [--json]`` — the periodic review list
- ``aigrip requirements export [--out F] [--system ID]`` / ``import FILE --reviewer R [--dry-run]`` /
  ``progress [--by system|department|organisation]``
- ``aigrip digest [--dry-run] [--as-of DATE] [--app-url URL]`` — the e-mail digest
All read the last published snapshot; imports and reviews write decisions to the log.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from pipelines.config import DEFAULT_CONFIG, load_config
from transforms.classify.rulebook import dutch_date
from transforms.errors import AigripError
from warehouse import read_table, snapshot_connect, table_exists

__all__ = ["register"]

ConfigOpt = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="Path to aigrip.yaml.")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")
requirements_app = typer.Typer(no_args_is_help=True, help="Algoritmekader requirements per system as a spreadsheet round trip.")


def _date(v) -> str:
    if v is None or not hasattr(v, "isoformat") or pd.isna(v):  # NaT (no deadline) has isoformat too
        return "—"
    try:
        return dutch_date(v if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v.date())
    except (AttributeError, ValueError):
        return "—"


def _read(cfg, table: str):
    with snapshot_connect(cfg.data_dir) as con:
        if not table_exists(con, table):
            raise AigripError(f"the last published run has no {table} yet; run 'aigrip run' first")
        return read_table(con, table), read_table(con, "systems")


def _check_reviewer(cfg, reviewer: str) -> None:
    names = {r.username for r in cfg.reviewers}
    if names and reviewer not in names:
        raise AigripError(f"--reviewer '{reviewer}' is not a reviewer in {cfg.config_path}; use one of {', '.join(sorted(names))}")


def obligations(config: str = ConfigOpt, within: Optional[int] = typer.Option(None, "--within", help="Only deadlines within DAYS (and overdue ones)."),
                system: Optional[str] = typer.Option(None, "--system", help="One system (AIG-nnnnnn)."),
                as_json: bool = JsonOpt) -> None:
    """Duties per system with legal source and deadline; overdue and open first."""
    cfg = load_config(config, check_files=False)
    obl, systems = _read(cfg, "obligations")
    obl = obl.merge(systems[["system_id", "name"]], on="system_id", how="left")
    if system:
        obl = obl[obl["system_id"] == system]
    if within is not None:
        limit = dt.date.today() + dt.timedelta(days=within)
        obl = obl[obl["deadline"].notna() & (obl["deadline"].map(lambda d: d.date() if hasattr(d, "date") else d) <= limit)
                  & (obl["status"] != "gedaan")]
    order = {"te laat": 0, "open": 1, "gedaan": 2}
    obl = obl.assign(_o=obl["status"].map(order)).sort_values(["_o", "deadline", "system_id"], na_position="last")
    cols = ["system_id", "name", "obligation_id", "duty", "legal_source", "applies_from", "deadline", "date_confirmed",
            "status", "reason"]
    if as_json:
        typer.echo(json.dumps(json.loads(obl[cols].to_json(orient="records", date_format="iso")), ensure_ascii=False))
        return
    if obl.empty:
        typer.echo("Geen verplichtingen gevonden.")
        return
    for r in obl.itertuples(index=False):
        sure = "" if r.date_confirmed else " (onbevestigd)"
        typer.echo(f"{r.system_id} {r.name}: {r.duty} [{r.legal_source}] — termijn {_date(r.deadline)}{sure} — {r.status}")


def reviews(config: str = ConfigOpt, overdue: bool = typer.Option(False, "--overdue", help="Only overdue reviews."),
            as_json: bool = JsonOpt) -> None:
    """Periodic reviews: next review date per confirmed system."""
    cfg = load_config(config, check_files=False)
    rev, systems = _read(cfg, "reviews")
    rev = rev.merge(systems[["system_id", "name", "department"]], on="system_id", how="left").sort_values("next_review")
    if overdue:
        rev = rev[rev["overdue"].astype(bool)]
    if as_json:
        typer.echo(json.dumps(json.loads(rev.to_json(orient="records", date_format="iso")), ensure_ascii=False))
        return
    if rev.empty:
        typer.echo("Geen herbeoordelingen te laat." if overdue else "Geen bevestigde systemen.")
        return
    for r in rev.itertuples(index=False):
        typer.echo(f"{r.system_id} {r.name} ({r.department or 'afdeling onbekend'}): volgende herbeoordeling "
                   f"{_date(r.next_review)}{' — TE LAAT' if r.overdue else ''}")


@requirements_app.command("export")
def requirements_export(config: str = ConfigOpt,
                        out: Path = typer.Option(Path("vereisten.xlsx"), "--out", help="The XLSX file to write."),
                        system: Optional[str] = typer.Option(None, "--system", help="Only this system.")) -> None:
    """Write the requirements and measures per system to an XLSX file for owners to fill in."""
    from pipelines.requirements_xlsx import export_requirements

    cfg = load_config(config, check_files=False)
    n = export_requirements(cfg.data_dir, out, system)
    typer.echo(f"{n} rows written to {out}")


@requirements_app.command("import")
def requirements_import(file: Path = typer.Argument(..., help="An XLSX file made by 'aigrip requirements export'."),
                        reviewer: str = typer.Option(..., "--reviewer", help="Who records the changes (a configured reviewer)."),
                        dry_run: bool = typer.Option(False, "--dry-run", help="Check and list the changes; save nothing."),
                        config: str = ConfigOpt) -> None:
    """Record every changed row as a decision in the log (all or nothing: any problem saves nothing)."""
    from pipelines.requirements_xlsx import import_requirements

    cfg = load_config(config, check_files=False)
    _check_reviewer(cfg, reviewer)
    res = import_requirements(cfg.data_dir, file, reviewer, dry_run=dry_run)
    for line in res.problems:
        typer.echo(line, err=True)
    if res.problems:
        typer.echo(f"error: {len(res.problems)} problem(s); nothing saved. Fix the rows and import again.", err=True)
        raise typer.Exit(1)
    verb = "would record" if dry_run else "recorded"
    typer.echo(f"{verb} {len(res.decisions)} change(s); {res.unchanged} row(s) unchanged"
               + ("" if dry_run else " (applied at the next run)"))


@requirements_app.command("progress")
def requirements_progress(config: str = ConfigOpt,
                          by: str = typer.Option("department", "--by", help="system, department or organisation."),
                          as_json: bool = JsonOpt) -> None:
    """Progress on the requirements and measures: counts per status and the share settled."""
    from transforms.obligations.requirements import requirement_progress

    keys = {"system": "system_id", "department": "department", "organisation": None}
    if by not in keys:
        raise AigripError(f"--by '{by}' is not one of system, department, organisation")
    cfg = load_config(config, check_files=False)
    req, systems = _read(cfg, "requirements")
    prog = requirement_progress(req, systems, keys[by])
    if as_json:
        typer.echo(prog.to_json(orient="records", force_ascii=False))
        return
    if prog.empty:
        typer.echo("Nog geen vereisten (er zijn nog geen bevestigde systemen).")
        return
    for r in prog.to_dict("records"):
        label = r.get(keys[by]) if keys[by] else "Hele organisatie"
        share = "—" if r["settled_share"] is None or r["settled_share"] != r["settled_share"] else f"{r['settled_share'] * 100:.0f}%"
        typer.echo(f"{label}: {r['gedaan']} gedaan, {r['niet van toepassing']} niet van toepassing, {r['bezig']} bezig, "
                   f"{r['niet gestart']} niet gestart van {r['items']} — afgehandeld {share}")


def digest(config: str = ConfigOpt, dry_run: bool = typer.Option(False, "--dry-run", help="Print the messages; send nothing."),
           as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD; default today."),
           app_url: Optional[str] = typer.Option(None, "--app-url", help="Address of the review app, for links.")) -> None:
    """E-mail the digest (new candidates, overdue reviews, deadlines within the horizon) to the configured staff."""
    from pipelines.digest import build_digest, send_digest

    cfg = load_config(config, check_files=False)
    try:
        when = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise AigripError(f"--as-of '{as_of}' is not a date; use YYYY-MM-DD") from None
    messages = build_digest(cfg, when, app_url)
    if not messages:
        typer.echo("Nothing to report: no new candidates, overdue reviews or near deadlines.")
        return
    if dry_run:
        for m in messages:
            typer.echo(f"To: {m.name} <{m.to}>\nSubject: {m.subject}\n\n{m.text}\n" + "-" * 72)
        return
    n = send_digest(cfg, messages, when)
    typer.echo(f"sent {n} digest message(s)")


def register(app: typer.Typer) -> None:
    """Add the commands to the ``aigrip`` app."""
    app.command("obligations")(obligations)
    app.command("reviews")(reviews)
    app.command("digest")(digest)
    app.add_typer(requirements_app, name="requirements")
