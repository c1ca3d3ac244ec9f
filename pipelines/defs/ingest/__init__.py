"""Stage 'ingest' (docs/contracts.md §3)."""
