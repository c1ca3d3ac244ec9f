"""knowledge: ``kb_products``, what peer organisations register, grouped into products."""

from __future__ import annotations

from dagster import AssetKey, MetadataValue, asset

from connectors import PEER_TYPES
from pipelines.config import AigripConfig
from pipelines.defs._common import result
from pipelines.resources import AigripResource
from transforms.knowledge.kb import build_kb_levels, kb_summary
from transforms.knowledge.own_entries import own_register_entries as find_own_entries
from warehouse import read_table, replace_table
from warehouse.loaders import raw_table_name

__all__ = ["build_knowledge_assets"]


def build_knowledge_assets(config: AigripConfig) -> list:
    peer_sources = [s for s in config.enabled_sources if s.type in PEER_TYPES]

    @asset(
        group_name="knowledge",
        deps=[AssetKey(raw_table_name(s.id)) for s in peer_sources],
        description="What peer organisations register, in two levels: kinds of system (kb_kinds) holding products (kb_products).",
        kinds={"duckdb"},
    )
    def kb_products(aigrip: AigripResource):
        org = aigrip.config.organisation
        with aigrip.connect() as con:
            entries = read_table(con, "peer_register_entries")
            # what *other* organisations register: our own entries are own_register_entries
            own = find_own_entries(entries, org.code, org.name)
            entries = entries[~entries["entry_key"].isin(own["entry_key"])] if len(own) else entries
            kinds, kb, _ = build_kb_levels(entries)
            n = replace_table(con, "kb_products", kb)
            n_kinds = replace_table(con, "kb_kinds", kinds)
        top = kb_summary(kb)[:25]
        lines = ["| product | leverancier | organisaties | namen |", "|---|---|---|---|"]
        for p in top:
            names = ", ".join(str(x) for x in list(p.get("names") or [])[:3]).replace("|", "/")
            lines.append(f"| {p.get('name')} | {p.get('vendor') or ''} | {p.get('org_count')} | {names} |")
        kind_lines = ["| soort | organisaties | producten |", "|---|---|---|"]
        for k in kinds.head(25).to_dict("records"):
            shown = ", ".join(str(x) for x in list(k.get("products") or [])[:4]).replace("|", "/")
            kind_lines.append(f"| {k['name']} | {k['org_count']} | {shown} |")
        counts = {"kb_products": n, "kb_kinds": n_kinds, "peer_register_entries": len(entries),
                  "peer_organisations": int(entries["org_code"].nunique()) if len(entries) else 0}
        return result("kb_products", counts, extra={"groups": MetadataValue.md("\n".join(lines)),
                                                    "kinds": MetadataValue.md("\n".join(kind_lines))})

    @asset(
        group_name="knowledge",
        deps=[AssetKey(raw_table_name(s.id)) for s in peer_sources],
        description="Our own published entries in the loaded registers (by organisation code, else by name).",
        kinds={"duckdb"},
    )
    def own_register_entries(aigrip: AigripResource):
        org = aigrip.config.organisation
        with aigrip.connect() as con:
            own = find_own_entries(read_table(con, "peer_register_entries"), org.code, org.name)
            n = replace_table(con, "own_register_entries", own)
        return result("own_register_entries", {"own_register_entries": n}, own, ["lars", "name", "status", "reason"])

    return [kb_products, own_register_entries]
