"""Stage 'publish' (DESIGN.md §3)."""
