"""The CLI on a platform of tenants: ``aigrip run|status|ui --config tenants.yaml`` (docs/tenants.md).

``pipelines.cli`` hands over to these functions when ``--config`` names a tenants file or when
``--tenant`` / ``--all-tenants`` is given. Exit codes of ``run --all-tenants``: 0 every tenant's run
succeeded; 2 some tenants failed (named on the last line); 1 the shared run or every tenant failed,
or a usage/config error (one line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from rich.console import Console

from pipelines.progress import asset_printer
from pipelines.tenants import Platform, is_tenants_file, load_platform
from transforms.errors import AigripError
from transforms.monitor.dutch import nl_int, nl_number

__all__ = ["EXIT_SOME_FAILED", "wants_platform", "platform_for", "run_platform", "platform_status", "tenant_line"]

EXIT_SOME_FAILED = 2


def wants_platform(config: str, tenant: str | None, all_tenants: bool, concurrency: int | None = None) -> bool:
    """True when the command works on a platform; a usage mistake is one readable line."""
    platform = is_tenants_file(config)
    if tenant and all_tenants:
        raise AigripError("geef --tenant ID of --all-tenants, niet allebei")
    if concurrency and not all_tenants:
        raise AigripError("--concurrency hoort bij --all-tenants (het aantal gemeenten dat tegelijk draait)")
    if (tenant or all_tenants) and not Path(config).exists():
        raise AigripError(f"no tenants file at {config}: pass --config PATH to a tenants.yaml (see docs/tenants.md)")
    if (tenant or all_tenants) and not platform:
        flag = "--tenant" if tenant else "--all-tenants"
        raise AigripError(f"{flag} hoort bij een tenants.yaml, maar {config} is de configuratie van één gemeente; "
                          f"laat {flag} weg of geef met --config een tenants.yaml (zie docs/tenants.md)")
    return platform


def platform_for(config: str, check_files: bool = True) -> Platform:
    return load_platform(config, check_files=check_files)


def _summary(cfg) -> str:
    from pipelines.status import collect_status

    try:
        st = collect_status(cfg)
    except AigripError:
        return "nog geen resultaten"
    failed = [k for k, v in st["sources"].items() if v.get("error")]
    line = (f"{nl_int(st['mentions'])} vermeldingen, {nl_int(st['candidates'])} kandidaten, "
            f"{nl_int(sum(st['systems'].values()))} systemen ({nl_int(st['review_queue'])} te beoordelen)")
    if failed:
        line += f"; bron(nen) mislukt: {', '.join(failed)}"
    return line


def tenant_line(platform: Platform, tenant_id: str, ok: bool, seconds: float | None, error: str | None) -> str:
    """One line per tenant: id, name, outcome, time and counts (or the reason it failed)."""
    tenant = platform.tenant(tenant_id)
    took = f" in {nl_number(seconds, 1)} s" if seconds is not None else ""
    if ok:
        return f"{tenant.id}  {tenant.config.organisation.name}: klaar{took} — {_summary(tenant.config)}"
    return f"{tenant.id}  {tenant.config.organisation.name}: MISLUKT{took} — {error or 'zie aigrip ui'}"


def run_platform(config: str, *, tenant: str | None, all_tenants: bool, concurrency: int | None, as_of: str,
                 console: Console, err_console: Console,
                 on_asset: Callable[[str, dict, float], None] | None = None) -> int:
    """``aigrip run`` on a tenants file; returns the exit code."""
    from pipelines.platform_run import run_all_tenants, run_tenant

    if not tenant and not all_tenants:
        raise AigripError(f"{config} is een tenants.yaml: kies --tenant ID (één gemeente) of --all-tenants "
                          "(alle gemeenten)")
    platform = platform_for(config)
    if tenant:
        t = platform.tenant(tenant)
        console.print(f"[bold]aigrip run[/] — {platform.name}: {t.config.organisation.name} ({t.id}) → {t.data_dir}",
                      highlight=False)
        outcome = run_tenant(platform, t.id, as_of=as_of, on_asset=on_asset or asset_printer(console))
        console.print(tenant_line(platform, t.id, outcome.success, outcome.seconds, outcome.error), highlight=False)
        if not outcome.success:
            return 1
        from pipelines.status import collect_status

        failed = [k for k, v in collect_status(t.config)["sources"].items() if v.get("error")]
        return 3 if failed else 0
    limit = concurrency or platform.max_concurrent_runs
    console.print(f"[bold]aigrip run[/] — {platform.name}: {len(platform.tenants)} gemeenten, "
                  f"{limit} tegelijk (Dagster: {platform.dagster_home})", highlight=False)
    results = run_all_tenants(platform, as_of=as_of, concurrency=concurrency,
                              on_done=lambda r: console.print(
                                  tenant_line(platform, r.tenant, r.status == "SUCCESS", r.seconds, r.error),
                                  highlight=False))
    failed = [r.tenant for r in results if r.status != "SUCCESS"]
    if not failed:
        console.print(f"[bold]Klaar[/]: alle {len(results)} gemeenten.", highlight=False)
        return 0
    err_console.print(f"{len(failed)} van {len(results)} gemeenten mislukt: {', '.join(failed)} "
                      "(details: aigrip ui --config tenants.yaml)", highlight=False)
    return 1 if len(failed) == len(results) else EXIT_SOME_FAILED


def platform_status(config: str, tenant: str | None, as_json: bool, console: Console) -> None:
    """``aigrip status`` on a tenants file: per tenant (or one tenant, in the single-municipality shape)."""
    from pipelines.status import collect_status, render_status

    platform = platform_for(config, check_files=False)
    tenants = [platform.tenant(tenant)] if tenant else platform.tenants
    statuses = {t.id: collect_status(t.config) for t in tenants}
    if as_json:
        out = statuses[tenants[0].id] if tenant else {"platform": platform.name, "tenants": statuses}
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    for t in tenants:
        console.print(f"[bold]{t.id}[/] — {t.config.organisation.name}", highlight=False)
        render_status(statuses[t.id], console)
