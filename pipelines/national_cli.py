"""``aigrip national [--backend duckdb|spark] [--limit N] [--json]``: the national picture, registered on
``aigrip`` by :func:`register`. Reconciles the loaded national-register entries and this
municipality's published entries into national products, writes ``national_products`` to the
warehouse and prints the products shared by most organisations (docs/national.md).
"""

from __future__ import annotations

import json
from typing import Optional

import typer

from pipelines.config import DEFAULT_CONFIG, load_config
from transforms.errors import AigripError

__all__ = ["register"]

ConfigOpt = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="Path to aigrip.yaml.")


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def national(config: str = ConfigOpt,
             backend: Optional[str] = typer.Option(None, "--backend", help="duckdb or spark (default: national.backend in aigrip.yaml)."),
             limit: int = typer.Option(20, "--limit", min=1, help="Products to print."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Reconcile the national register and the own published entries into national products."""
    from pipelines.national import compute_national, national_summary
    from warehouse import connect

    if backend is not None and backend not in ("duckdb", "spark"):
        raise AigripError(f"--backend {backend} is unknown: use duckdb or spark")
    cfg = load_config(config, check_files=False)
    with connect(cfg.warehouse_path) as con:
        products, counts = compute_national(con, cfg, backend=backend)
    top = national_summary(products, limit)
    if as_json:
        typer.echo(json.dumps({"counts": counts, "products": top}, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(f"Landelijk beeld ({counts['backend']}): {_nl(counts['national_records'])} registraties van "
               f"{_nl(counts['peer_organisations'])} organisaties en {_nl(counts['own_published_entries'])} eigen "
               f"gepubliceerde → {_nl(counts['national_products'])} producten, waarvan "
               f"{_nl(counts['shared_products'])} bij meer organisaties; "
               f"{_nl(counts['own_not_registered'])} eigen gepubliceerd maar niet landelijk gevonden.")
    for p in top:
        missing = f"  — niet landelijk: {', '.join(p['not_registered_by'])}" if p["not_registered_by"] else ""
        typer.echo(f"  {p['product']}: {p['organisation_count']} organisaties, {p['entry_count']} registraties{missing}")
        typer.echo(f"      {p['reason']}")


def register(app: typer.Typer) -> None:
    app.command("national")(national)
