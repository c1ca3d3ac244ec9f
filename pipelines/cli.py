"""``aigrip``: the command line (docs/contracts.md §7). Every error is one readable line and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

from pipelines.config import DEFAULT_CONFIG, AigripConfig, load_config
from transforms.errors import AigripError

__all__ = ["app", "main", "EXIT_ERROR", "EXIT_PARTIAL"]

EXIT_ERROR = 1    # the command failed: one readable line says why
EXIT_PARTIAL = 3  # 'aigrip run' completed, but one or more sources failed to load (named in the summary)

class _Guarded(TyperGroup):
    """Turns every AigripError raised by a command into one readable line and exit code 1."""

    def invoke(self, ctx):  # noqa: D401
        try:
            return super().invoke(ctx)
        except AigripError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OSError as exc:  # a full or read-only disk while writing outputs: one line naming the path
            from warehouse.diskerrors import describe_os_error

            err_console.print(f"[bold red]error:[/] {describe_os_error(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


console = Console(soft_wrap=True)
err_console = Console(stderr=True)
app = typer.Typer(cls=_Guarded, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="aigrip: discover, reconcile, classify and publish a municipality's AI and algorithm use.")
review_app = typer.Typer(no_args_is_help=True, help="The review queue from the terminal (for scripting).")
app.add_typer(review_app, name="review")
import_app = typer.Typer(no_args_is_help=True, help="Read edited files back in as decisions.")
app.add_typer(import_app, name="import")

ConfigOpt = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="Path to aigrip.yaml (or a platform's tenants.yaml).")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")


def _config(path: str, check_files: bool = True) -> AigripConfig:
    return load_config(path, check_files=check_files)


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        _fail(f"--port {port} is not a port number; use one from 1 to 65535 (e.g. 8321)")


@app.command()
def run(config: str = ConfigOpt,
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (report period); default today."),
        select: Optional[str] = typer.Option(None, "--select", help="Run one stage group and publish: ingest, normalise, "
                                             "knowledge, detect, reconcile, classify, obligations, publish, monitor."),
        history: int = typer.Option(0, "--history", min=0, max=36, help="First run --as-of the end of each of the N "
                                    "earlier months that have no figures yet (trends from real, dated data)."),
        wait: float = typer.Option(0, "--wait", help="Minutes to wait when another run of this data_dir is busy "
                                   "(default: stop at once with a message)."),
        tenant: Optional[str] = typer.Option(None, "--tenant", help="With a tenants.yaml: run this one tenant (e.g. gm0363)."),
        all_tenants: bool = typer.Option(False, "--all-tenants", help="With a tenants.yaml: run every tenant."),
        concurrency: Optional[int] = typer.Option(None, "--concurrency", min=1, max=256,
                                                  help="With --all-tenants: tenant runs at once (default: tenants.yaml).")) -> None:
    """Run discovery: ingest every source, detect, reconcile, classify, publish and report."""
    from pipelines.progress import asset_printer
    from pipelines.runner import run_pipeline
    from pipelines.status import collect_status
    from pipelines.tenants_cli import run_platform, wants_platform

    if as_of:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of '{as_of}' is not a date; use YYYY-MM-DD")
    if wants_platform(config, tenant, all_tenants, concurrency):  # a tenants.yaml: docs/tenants.md
        if select or history:
            _fail("--select en --history werken (nog) niet met een tenants.yaml; draai ze per gemeente met haar aigrip.yaml")
        raise typer.Exit(run_platform(config, tenant=tenant, all_tenants=all_tenants, concurrency=concurrency,
                                      as_of=as_of or "", console=console, err_console=err_console))
    cfg = _config(config)
    if not cfg.enabled_sources:
        _fail(f"{cfg.config_path}: no sources to run: add one under 'sources:' or set 'enabled: true' (see docs/sources.md)")
    console.print(f"[bold]aigrip run[/] — {cfg.organisation.name} ({len(cfg.enabled_sources)} sources) → {cfg.data_dir}")

    show = asset_printer(console)

    if history:
        from pipelines.history import history_dates, known_periods

        reference = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        for day in history_dates(reference, history, known_periods(cfg)):
            earlier = run_pipeline(cfg, as_of=day.isoformat(), known_then=True, wait_s=max(wait, 0) * 60)
            if not earlier.success:
                _fail(f"history run as of {day.isoformat()} failed after {earlier.seconds:.1f}s: {earlier.error}")
            console.print(f"  [green]✓[/] history {day.isoformat()}  {earlier.seconds:.1f}s", highlight=False)
    outcome = run_pipeline(cfg, as_of=as_of or "", select=select, on_asset=show, wait_s=max(wait, 0) * 60)
    if not outcome.success:
        _fail(f"run failed after {outcome.seconds:.1f}s: {outcome.error}")
    st = collect_status(cfg)
    failed = {k: v["error"] for k, v in st["sources"].items() if v["error"]}
    console.print(
        f"[bold]Done[/] in {outcome.seconds:.1f}s: {st['mentions']} mentions, {st['candidates']} candidates, "
        f"{sum(st['systems'].values())} systems ({st['systems']['confirmed']} confirmed, "
        f"{st['review_queue']} to review), {st['peer_register_entries']} peer entries from "
        f"{st['peer_organisations']} organisations.", highlight=False)
    quarantined = sum(v["rows_quarantined"] for v in st["sources"].values())
    if quarantined:
        console.print(f"  {quarantined} input rows quarantined with a reason (table 'quarantine').", highlight=False)
    redacted = sum(sum(v.get("redacted", {}).values()) for v in st["sources"].values())
    if redacted:
        console.print(f"  {redacted} personal data items redacted from the sources (per source: status --json).",
                      highlight=False)
    for sid, e in failed.items():
        console.print(f"  [yellow]source {sid} failed:[/] {e}", highlight=False)
    console.print(f"  public site: {cfg.data_dir / 'site' / 'index.html'}", highlight=False)
    period = (dt.date.fromisoformat(as_of) if as_of else dt.date.today()).strftime("%Y-%m")
    console.print(f"  report:      {cfg.data_dir / 'reports' / period / 'report.html'}", highlight=False)
    if failed:
        err_console.print(f"partial run: {len(failed)} source(s) failed to load: {', '.join(failed)} "
                          f"(exit code {EXIT_PARTIAL}; the other sources were processed)", highlight=False)
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def status(config: str = ConfigOpt, as_json: bool = JsonOpt,
           tenant: Optional[str] = typer.Option(None, "--tenant", help="With a tenants.yaml: only this tenant.")) -> None:
    """Counts per stage, from the last published snapshot (per tenant with a tenants.yaml)."""
    from pipelines.status import collect_status, render_status
    from pipelines.tenants_cli import platform_status, wants_platform

    if wants_platform(config, tenant, False):
        return platform_status(config, tenant, as_json, console)

    st = collect_status(_config(config, check_files=False))
    if as_json:
        typer.echo(json.dumps(st, ensure_ascii=False, indent=2))
    else:
        render_status(st, console)


@app.command()
def export(config: str = ConfigOpt,
           fmt: str = typer.Option(..., "--format", "-f", help="national-json, national-csv, national-xlsx, register-xlsx (the "
                                   "editors' workbook), eurocities-csv, amsterdam, site, inventory or peer-comparison."),
           out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: data_dir/export/FORMAT)."),
           peer: list[str] = typer.Option([], "--peer", help="GM-code to compare with (peer-comparison; repeatable)."),
           sep: Optional[str] = typer.Option(None, "--sep", help="CSV separator: ',' or ';' (';' opens in Dutch Excel).")) -> None:
    """Export the register or the inventory from the last published snapshot."""
    from pipelines.exports import EXPORTERS, run_export

    if fmt not in EXPORTERS:
        _fail(f"unknown format '{fmt}'; use one of {', '.join(EXPORTERS)}")
    cfg = _config(config, check_files=False)
    if sep not in (None, ",", ";"):
        _fail(f"unknown separator '{sep}'; use --sep ',' or --sep ';'")
    written = run_export(cfg, fmt, out, peers=peer or None, sep=sep)
    for path in written[:4]:
        console.print(str(path), highlight=False)
    if len(written) > 4:
        console.print(f"… and {len(written) - 4} more files in {written[0].parent}", highlight=False)


@app.command()
def publish(config: str = ConfigOpt,
            target: str = typer.Option(..., "--target", help="Where to deliver: 'national' (the national algorithm register)."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent and the differences; send nothing."),
            confirm: bool = typer.Option(False, "--confirm", help="Really send (token in AIGRIP_REGISTER_TOKEN)."),
            as_json: bool = JsonOpt) -> None:
    """Deliver the register to the national algorithm register (aanleverapi v1_0); sends only with --confirm."""
    from pipelines.delivery import deliver

    if target != "national":
        _fail(f"unknown target '{target}'; use --target national")
    if dry_run and confirm:
        _fail("give --dry-run or --confirm, not both")
    result = deliver(_config(config, check_files=False), confirm=confirm,
                     echo=(lambda line: None) if as_json else (lambda line: typer.echo(line)))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    if result.failed:
        raise typer.Exit(1)


@app.command()
def report(config: str = ConfigOpt,
           period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM; default: the latest period.")) -> None:
    """Write the monitoring report (HTML, PDF, charts, kpis.json) for a period."""
    from pipelines.reporting import available_periods, write_report
    from warehouse import snapshot_connect

    cfg = _config(config, check_files=False)
    if period and not (len(period) == 7 and period[4] == "-" and period.replace("-", "").isdigit()):
        _fail(f"--period '{period}' is not YYYY-MM")
    with snapshot_connect(cfg.data_dir) as con:
        periods = available_periods(con)
        if not period:
            if not periods:
                _fail("no monitoring figures yet; run 'aigrip run' first")
            period = periods[-1]
        path = write_report(con, cfg, period)
    console.print(str(path), highlight=False)
    console.print(str(path.with_name("report.pdf")), highlight=False)


@app.command()
def classify(file: Path = typer.Argument(..., help="A CSV or XLSX file of descriptions."),
             text_column: str = typer.Option(..., "--text-column", help="Column with the description text."),
             vendor_column: Optional[str] = typer.Option(None, "--vendor-column", help="Column with the supplier/vendor."),
             config: Optional[str] = typer.Option(None, "--config", "-c", help="aigrip.yaml whose knowledge base to use."),
             out: Optional[Path] = typer.Option(None, "--out", help="Output file (.csv or .xlsx); default FILE.classified.csv.")) -> None:
    """Score any CSV/XLSX of descriptions: adds ai_score, is_candidate, reasons, ai_act_class, publication_category."""
    from pipelines.classify_file import classify_file

    cfg_path = config or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None)
    cfg = _config(cfg_path, check_files=False) if cfg_path else None
    target, n, flagged = classify_file(file, text_column, vendor_column, cfg, out)
    console.print(f"{n} rows scored, {flagged} candidates → {target}", highlight=False)


@app.command()
def validate(file: Path = typer.Argument(..., help="Register entries: a JSON object, a JSON list, or a CSV export.")) -> None:
    """Check register entries against the national publication standard 1.0."""
    from transforms.publish.register import validate_file

    if not file.exists():
        _fail(f"{file} does not exist")
    notes: list[str] = []
    problems = validate_file(file, notes)
    for note in notes:
        typer.echo(f"{file.name}: {note}")
    bad = {k: v for k, v in problems.items() if v}
    for key, items in bad.items():
        for p in items:
            typer.echo(f"{file.name}: {key}: {p}")
    if bad:
        raise typer.Exit(1)
    skipped = f"; {len(notes)} of another standard version not checked" if notes else ""
    typer.echo(f"{file.name}: {len(problems)} entr{'y' if len(problems) == 1 else 'ies'} valid (publicatiestandaard 1.0){skipped}")


@app.command()
def serve(config: str = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="Path to aigrip.yaml or tenants.yaml."),
          port: int = typer.Option(8321, "--port", help="Port on 127.0.0.1."),
          host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on.")) -> None:
    """Start the reviewers' web app (with tenants.yaml: one app, each municipality under /<code>/)."""
    from pipelines.review_settings import review_settings
    from pipelines.tenants import load_platform_or_config
    from review.app import create_app, serve_asgi

    _check_port(port)
    platform = load_platform_or_config(config, check_files=False)
    if platform.is_single:
        cfg = platform.tenants[0].config
        if not cfg.reviewers:
            _fail(f"no reviewers in {cfg.config_path}: add a 'reviewers:' list (create a hash with 'aigrip hash-password')")
        console.print(f"Review app for {cfg.organisation.name}: http://{host}:{port}/", highlight=False)
        serve_asgi(create_app(review_settings(cfg)), host=host, port=port)
        return
    from pipelines.review_platform import review_sites
    from review.platform import create_platform_app

    sites, skipped = review_sites(platform)
    for line in skipped:
        err_console.print(f"[bold yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
    if not sites:
        _fail(f"no tenant in {platform.path} has reviewers: add a 'reviewers:' list to their aigrip.yaml")
    console.print(f"Review app for {platform.name} ({len(sites)} municipalities): http://{host}:{port}/", highlight=False)
    for site in sites:
        console.print(f"  {site.name}: http://{host}:{port}/{site.id}/", highlight=False)
    serve_asgi(create_platform_app(sites, platform.name), host=host, port=port)


@app.command("hash-password")
def hash_password_cmd(password: Optional[str] = typer.Option(None, "--password", help="Omit to be asked (not echoed).")) -> None:
    """Create a password hash for a reviewer in aigrip.yaml."""
    from review.passwords import hash_password

    pw = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(pw) < 10:
        _fail("use a password of at least 10 characters")
    typer.echo(hash_password(pw))


@app.command()
def ui(config: str = ConfigOpt, port: int = typer.Option(3000, "--port", help="Port of the Dagster UI.")) -> None:
    """Start the Dagster UI (and its scheduler) with DAGSTER_HOME under data_dir; stops with all its children."""
    from pipelines.instance import ensure_dagster_home
    from pipelines.processes import run_supervised
    from pipelines.tenants import is_tenants_file

    _check_port(port)
    if is_tenants_file(config):  # a platform: its own Dagster home, tenants as partitions
        from pipelines.platform_run import ensure_platform_home
        from pipelines.tenants import load_platform

        platform = load_platform(config)
        home, config_path = ensure_platform_home(platform), platform.path
    else:
        cfg = _config(config)
        home, config_path = ensure_dagster_home(cfg), cfg.config_path
    env = dict(os.environ, DAGSTER_HOME=str(home), AIGRIP_CONFIG=str(config_path))
    console.print(f"Dagster UI on http://127.0.0.1:{port}/ (DAGSTER_HOME={home})", highlight=False)
    code = run_supervised([sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions",
                           "-h", "127.0.0.1", "-p", str(port)], env=env)
    raise typer.Exit(0 if code in (130, 143) else code)


@review_app.command("list")
def review_list(config: str = ConfigOpt, as_json: bool = JsonOpt,
                status_: Optional[str] = typer.Option(None, "--status", help="candidate, confirmed, rejected or retired."),
                department: Optional[str] = typer.Option(None, "--department", help="Only this department.")) -> None:
    """The review queue, highest priority first."""
    from review.queue import list_queue
    from warehouse import snapshot_connect

    cfg = _config(config, check_files=False)
    with snapshot_connect(cfg.data_dir) as con:
        rows = list_queue(con, status=status_, department=department, data_dir=cfg.data_dir)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    for r in rows:
        pending = f" [pending: {r['pending']}]" if r.get("pending") else ""
        console.print(f"{r['system_id']}  {r['status']:<10} {float(r.get('ai_score') or 0):.2f}  "
                      f"{str(r.get('ai_act_class') or ''):<13} {r['name']}{pending}", highlight=False)
    console.print(f"[dim]{len(rows)} systems[/]")


@review_app.command("show")
def review_show(system_id: str = typer.Argument(..., help="AIG-nnnnnn"), config: str = ConfigOpt,
                as_json: bool = JsonOpt) -> None:
    """Everything about one system: sources, signals, matches, classification."""
    from review.queue import show_system
    from warehouse import snapshot_connect

    cfg = _config(config, check_files=False)
    with snapshot_connect(cfg.data_dir) as con:
        detail = show_system(con, system_id, data_dir=cfg.data_dir)
    typer.echo(json.dumps(detail, ensure_ascii=False, default=str, indent=2))


@review_app.command("decide")
def review_decide(system_id: str = typer.Argument(..., help="AIG-nnnnnn"),
                  action: str = typer.Option(..., "--action", help="confirm, reject, merge, split, edit, defer, retire; "
                                             "register steps: release, publish, withdraw; requirement, assessment or review."),
                  reviewer: str = typer.Option(..., "--reviewer", help="Who decides: a reviewer's username from aigrip.yaml (recorded in the log)."),
                  reason: Optional[str] = typer.Option(None, "--reason", help="Why (required for reject and withdraw)."),
                  into: Optional[str] = typer.Option(None, "--into", help="Target system for merge."),
                  source_key: list[str] = typer.Option([], "--source-key", help="Source keys to split off (repeatable)."),
                  field: list[str] = typer.Option([], "--field", help="KEY=VALUE: any field of standard 1.0 by its key "
                                                  "(lawful_basis, risks, …) or owner/department/… (repeatable)."),
                  template: Optional[str] = typer.Option(None, "--template", help="With --action edit: fill the empty "
                                                         "fields from this supplier template (its id)."),
                  config: str = ConfigOpt) -> None:
    """Record a decision in the log; the next run applies it."""
    from pipelines.register_cli import register_decide

    cfg = _config(config, check_files=False)
    known = [r.username for r in cfg.reviewers]
    if reviewer not in known:
        hint = f"beoordelaars: {', '.join(known)}" if known else "zet eerst een lijst 'reviewers:' in de config (zie README)"
        _fail(f"--reviewer '{reviewer}' is geen beoordelaar in {cfg.config_path}; {hint}")
    fields = {}
    for f in field:
        if "=" not in f:
            _fail(f"--field '{f}' must be KEY=VALUE")
        k, v = f.split("=", 1)
        fields[k.strip()] = v
    event = register_decide(cfg, system_id, action, reviewer, fields=fields, reason=reason, template=template,
                            into=into, source_keys=source_key or None)
    typer.echo(f"saved {event['action']} of {event.get('system_id') or system_id} as {event['event_id']} "
               "(applied at the next run)")


@app.command()
def quarantine(config: str = ConfigOpt,
               source: Optional[str] = typer.Option(None, "--source", help="Only this source id."),
               out: Optional[Path] = typer.Option(None, "--out", help="Write an XLSX file instead of printing."),
               as_json: bool = JsonOpt) -> None:
    """List the quarantined input rows with their reasons (without the rows' text)."""
    from pipelines.quarantine import quarantined_rows, write_quarantine_xlsx

    cfg = _config(config, check_files=False)
    rows = quarantined_rows(cfg, source)
    if out is not None:
        typer.echo(f"{len(rows)} quarantined rows written to {write_quarantine_xlsx(rows, out)}")
        return
    if as_json:
        typer.echo(json.dumps(rows.to_dict(orient="records"), ensure_ascii=False, indent=2))
        return
    if rows.empty:
        typer.echo("no quarantined rows" + (f" for source {source}" if source else ""))
        return
    for sid, part in rows.groupby("source_id", sort=True):
        typer.echo(f"{sid}: {len(part)} rows quarantined")
        for ref, reason in zip(part["row_ref"], part["reason"]):
            typer.echo(f"  {ref}: {reason}")


from pipelines.obligations_cli import register as _register_obligations  # noqa: E402

_register_obligations(app)

from pipelines.national_cli import register as _register_national  # noqa: E402

_register_national(app)


@app.command()
def erase(config: str = ConfigOpt,
          person: Optional[str] = typer.Option(None, "--person", help="Person key (16 hex), or the e-mail address/name."),
          source_row: Optional[str] = typer.Option(None, "--source-row", help="A source key, e.g. uitvraag_2026:12-1."),
          reviewer: str = typer.Option(..., "--reviewer", help="Who carries out the request (for the audit trail)."),
          reason: Optional[str] = typer.Option(None, "--reason", help="E.g. the request's reference.")) -> None:
    """Erase a person's data (or one source row) on request; a tombstone keeps it out of later runs."""
    from pipelines.erase import erase as do_erase

    outcome = do_erase(_config(config), person=person, source_row=source_row, reviewer=reviewer, reason=reason)
    if not outcome.applied:
        _fail(outcome.message)
    console.print(outcome.message, highlight=False)


@import_app.command("register")
def import_register(file: Path = typer.Argument(..., help="The register workbook (from export --format register-xlsx), edited."),
                    reviewer: str = typer.Option(..., "--reviewer", help="Who made the changes (a configured reviewer)."),
                    dry_run: bool = typer.Option(False, "--dry-run", help="Only show the differences; save nothing."),
                    config: str = ConfigOpt) -> None:
    """Turn the changes in an edited register workbook into edit decisions (one per system)."""
    from pipelines.register_workbook import import_register_workbook

    cfg = _config(config, check_files=False)
    changes, saved = import_register_workbook(cfg, file, reviewer, dry_run)
    for d in changes.diffs:
        old = (d["old"] or "—").replace("\n", " ")
        new = (d["new"] or "—").replace("\n", " ")
        console.print(f"{d['system_id']} (rij {d['row']}) {d['field']}: {old[:60]} → {new[:60]}", highlight=False)
    if changes.problems:
        for p in changes.problems:
            err_console.print(p, highlight=False, soft_wrap=True)
        _fail(f"{len(changes.problems)} cel(len) kloppen niet; er is niets opgeslagen. Verbeter ze en importeer opnieuw.")
    if not changes.diffs:
        console.print("geen wijzigingen")
    elif dry_run:
        console.print(f"{len(changes.diffs)} wijziging(en) in {len(changes.edits)} systeem/systemen; niets opgeslagen (--dry-run)")
    else:
        console.print(f"{saved} bewerkbesluit(en) opgeslagen ({len(changes.diffs)} velden); verwerkt bij de volgende run")


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 1."""
    try:
        app()
    except AigripError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
