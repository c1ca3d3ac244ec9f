"""Stage 'knowledge' (DESIGN.md §3)."""
