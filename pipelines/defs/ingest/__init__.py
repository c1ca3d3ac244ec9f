"""Stage 'ingest' (DESIGN.md §3)."""
